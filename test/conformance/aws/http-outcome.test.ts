import { HttpOutcome } from '../../../conformance/engine/http-outcome';
import { describeOutcome, errorCodeOf, errorMessageOf, isAwsAnswer, isTransient, issuedCredentials, judgeDenial } from '../../../conformance/aws/http-outcome';

const response = (status: number, body = '', headers: Record<string, string> = {}): HttpOutcome => ({ kind: 'response', status, headers, body });
const json = (status: number, body: unknown, headers: Record<string, string> = {}) => response(status, JSON.stringify(body), headers);
const stsXml = (status: number, code: string, message: string) =>
  response(status, `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error></ErrorResponse>`, {
    'content-type': 'text/xml',
  });
const networkError: HttpOutcome = { kind: 'network-error', error: 'connect ECONNREFUSED 127.0.0.1:1' };

describe('errorCodeOf', () => {
  test('reads x-amzn-errortype, without the suffix after ":"; the header wins over the body', () => {
    expect(errorCodeOf(json(403, { message: 'x' }, { 'x-amzn-errortype': 'AccessDeniedException' }))).toBe('AccessDeniedException');
    expect(errorCodeOf(json(400, {}, { 'x-amzn-errortype': 'ValidationException:http://internal.amazon.com/coral/com.amazon.coral.validate/' }))).toBe('ValidationException');
    expect(errorCodeOf(json(400, { __type: 'Other' }, { 'x-amzn-errortype': 'ValidationException' }))).toBe('ValidationException');
  });

  test('reads a JSON __type (namespace dropped) or code', () => {
    expect(errorCodeOf(json(404, { __type: 'com.amazonaws.rolesanywhere#ResourceNotFoundException', message: 'x' }))).toBe('ResourceNotFoundException');
    expect(errorCodeOf(json(429, { code: 'ThrottlingException' }))).toBe('ThrottlingException');
  });

  test('reads a Query-API XML <Code>', () => {
    expect(errorCodeOf(stsXml(403, 'AccessDenied', 'User: x is not authorized'))).toBe('AccessDenied');
  });

  test('undefined without a code, for odd bodies, and for network errors', () => {
    expect(errorCodeOf(json(403, { message: 'no code' }))).toBeUndefined();
    expect(errorCodeOf(response(502, 'Bad Gateway'))).toBeUndefined();
    expect(errorCodeOf(response(500, 'null'))).toBeUndefined();
    expect(errorCodeOf(networkError)).toBeUndefined();
  });
});

describe('errorMessageOf and describeOutcome', () => {
  test('the message of JSON (message or Message), of XML, else the start of the body', () => {
    expect(errorMessageOf(json(403, { message: 'Invalid signature' }))).toBe('Invalid signature');
    expect(errorMessageOf(json(403, { Message: 'Capitalized' }))).toBe('Capitalized');
    expect(errorMessageOf(stsXml(403, 'AccessDenied', 'not authorized'))).toBe('not authorized');
    expect(errorMessageOf(response(502, 'x'.repeat(400)))).toBe('x'.repeat(300));
    expect(errorMessageOf(networkError)).toBe('connect ECONNREFUSED 127.0.0.1:1');
  });

  test('describes a response by status, code and message; a network error as such', () => {
    expect(describeOutcome(json(403, { message: 'Untrusted signing certificate' }, { 'x-amzn-errortype': 'AccessDeniedException' }))).toBe('403 AccessDeniedException: Untrusted signing certificate');
    expect(describeOutcome(response(502, 'Bad Gateway'))).toBe('502: Bad Gateway');
    expect(describeOutcome(networkError)).toBe('network error: connect ECONNREFUSED 127.0.0.1:1');
  });

  test('issued credentials are described, never quoted: the reason and the evidence carry no secret of the session', () => {
    const credentials = { accessKeyId: 'ASIAQWERTYUIOPASDFGH', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY', sessionToken: 'IQoJb3JpZ2luX2Vj', expiration: '2026-04-01T13:00:00Z' };
    expect(describeOutcome(json(201, { credentialSet: [{ credentials }], subjectArn: 'arn:aws:rolesanywhere:::subject/x' }))).toBe('201: credentials were issued');
    const sts = response(200, `<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIAQWERTYUIOPASDFGH</AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken></Credentials></AssumeRoleResult></AssumeRoleResponse>`);
    expect(describeOutcome(sts)).toBe('200: credentials were issued');
    expect(judgeDenial(sts, { status: 403, code: 'AccessDenied' }, 'an unattested principal').evidence).toEqual({ received: '200: credentials were issued', expected: '403 AccessDenied' });
  });
});

describe('isTransient and issuedCredentials', () => {
  test('throttling, 5xx and network errors are transient; denials are not', () => {
    expect(isTransient(networkError)).toBe(true);
    expect(isTransient(response(429))).toBe(true);
    expect(isTransient(response(500))).toBe(true);
    expect(isTransient(response(503))).toBe(true);
    expect(isTransient(json(400, { __type: 'ThrottlingException' }))).toBe(true);
    expect(isTransient(stsXml(400, 'Throttling', 'Rate exceeded'))).toBe(true);
    expect(isTransient(json(400, {}, { 'x-amzn-errortype': 'TooManyRequestsException' }))).toBe(true);
    expect(isTransient(json(403, {}, { 'x-amzn-errortype': 'AccessDeniedException' }))).toBe(false);
    expect(isTransient(json(400, {}, { 'x-amzn-errortype': 'ValidationException' }))).toBe(false);
    expect(isTransient(response(404))).toBe(false);
  });

  test('credentials are a CreateSession 201 with a credential set, or an STS 200 with Credentials', () => {
    expect(issuedCredentials(json(201, { credentialSet: [{ credentials: { accessKeyId: 'ASIA' } }] }))).toBe(true);
    expect(issuedCredentials(response(200, '<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIA</AccessKeyId></Credentials>'))).toBe(true);
    expect(issuedCredentials(json(200, { Credentials: { AccessKeyId: 'ASIA' } }))).toBe(true);
    expect(issuedCredentials(json(201, { trustAnchor: {} }))).toBe(false);
    expect(issuedCredentials(json(403, { credentialSet: [] }))).toBe(false);
    expect(issuedCredentials(networkError)).toBe(false);
  });

  test('credentials in any 2xx are issued credentials: a lax endpoint answering 200 still handed them out', () => {
    expect(issuedCredentials(json(200, { credentialSet: [{ credentials: { accessKeyId: 'ASIA' } }] }))).toBe(true);
    expect(issuedCredentials(json(202, { credentialSet: [{ credentials: { accessKeyId: 'ASIA' } }] }))).toBe(true);
    // A body that merely names the field, or has no access key, is not credentials.
    expect(issuedCredentials(response(201, 'oops "credentialSet" <html>'))).toBe(false);
    expect(issuedCredentials(json(201, { credentialSet: [{}] }))).toBe(false);
  });

  test("only credentials or an AWS error code are AWS's answer; a proxy's HTML, an empty 400 or an unparseable 200 are not", () => {
    expect(isAwsAnswer(json(403, {}, { 'x-amzn-errortype': 'AccessDeniedException' }))).toBe(true);
    expect(isAwsAnswer(stsXml(403, 'AccessDenied', 'not authorized'))).toBe(true);
    expect(isAwsAnswer(json(201, { credentialSet: [{ credentials: { accessKeyId: 'ASIA' } }] }))).toBe(true);
    expect(isAwsAnswer(response(403, '<html><body><h1>403 Forbidden</h1>Request blocked by policy</body></html>', { 'content-type': 'text/html' }))).toBe(false);
    expect(isAwsAnswer(response(400, ''))).toBe(false);
    expect(isAwsAnswer(response(200, 'not json {'))).toBe(false);
    expect(isAwsAnswer(networkError)).toBe(false);
  });
});

describe('judgeDenial', () => {
  const expected = { status: 403, code: 'AccessDeniedException', message: /Untrusted signing certificate/ };
  const denial = (message: string) => json(403, { message }, { 'x-amzn-errortype': 'AccessDeniedException' });

  test('PASS for the expected status and code, with evidence of both sides', () => {
    expect(judgeDenial(denial('Untrusted signing certificate'), expected, 'a rogue CA')).toEqual({
      status: 'PASS',
      reason: 'a rogue CA: denied with 403 AccessDeniedException',
      evidence: { received: '403 AccessDeniedException: Untrusted signing certificate', expected: '403 AccessDeniedException /Untrusted signing certificate/' },
    });
  });

  test('a different message still passes, with a note; the message is matched softly', () => {
    const verdict = judgeDenial(denial('Certificate revoked'), expected, 'a rogue CA');
    expect(verdict.status).toBe('PASS');
    expect(verdict.reason).toBe('a rogue CA: denied with 403 AccessDeniedException (message differs from the expected /Untrusted signing certificate/: "Certificate revoked")');
    expect(judgeDenial(denial('anything'), { status: 403, code: 'AccessDeniedException' }, 'x').reason).toBe('x: denied with 403 AccessDeniedException');
  });

  test("a refusal that is not AWS's answer is INCONCLUSIVE and says so", () => {
    const verdict = judgeDenial(response(403, '<html>Access denied by WAF</html>', { 'content-type': 'text/html' }), expected, 'a rogue CA');
    expect(verdict.status).toBe('INCONCLUSIVE');
    expect(verdict.reason).toContain("the answer is not AWS's");
    expect(verdict.reason).toContain('content-type text/html');
  });

  test('FAIL when credentials were issued, from either service, whatever the 2xx status', () => {
    expect(judgeDenial(json(200, { credentialSet: [{ credentials: { accessKeyId: 'ASIA' } }] }), expected, 'a rogue CA')).toMatchObject({ status: 'FAIL' });
    expect(judgeDenial(json(201, { credentialSet: [{ credentials: { accessKeyId: 'ASIA' } }] }), expected, 'a rogue CA')).toMatchObject({ status: 'FAIL', reason: 'a rogue CA: credentials were issued' });
    expect(judgeDenial(response(200, '<Credentials>issued</Credentials>'), expected, 'sts')).toMatchObject({ status: 'FAIL' });
  });

  test('INCONCLUSIVE for throttling, server and network errors, and denials for another reason', () => {
    expect(judgeDenial(json(429, { message: 'Rate exceeded' }, { 'x-amzn-errortype': 'ThrottlingException' }), expected, 'a rogue CA')).toMatchObject({
      status: 'INCONCLUSIVE',
      reason: 'a rogue CA: no verdict after retries (429 ThrottlingException: Rate exceeded — throttled)',
    });
    expect(judgeDenial(networkError, expected, 'x').status).toBe('INCONCLUSIVE');
    expect(judgeDenial(response(500, 'boom'), expected, 'x').status).toBe('INCONCLUSIVE');
    expect(judgeDenial(json(400, { message: 'bad' }, { 'x-amzn-errortype': 'ValidationException' }), expected, 'a rogue CA')).toMatchObject({
      status: 'INCONCLUSIVE',
      reason: 'a rogue CA: denied, but not for the expected reason (400 ValidationException: bad)',
    });
    // The right code with the wrong status is not the expected denial either.
    expect(judgeDenial(json(401, { message: 'x' }, { 'x-amzn-errortype': 'AccessDeniedException' }), expected, 'x').status).toBe('INCONCLUSIVE');
  });
});
