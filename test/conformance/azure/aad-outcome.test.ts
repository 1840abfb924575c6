import { HttpOutcome } from '../../../conformance/engine/http-outcome';
import { aadErrorOf, accessTokenOf, combineVerdicts, describeAadOutcome, isAadAnswer, isTransientAad, judgeAadDenial } from '../../../conformance/azure/aad-outcome';
import { fail, inconclusive, pass, skipped } from '../../../conformance/engine/check';

const response = (status: number, body: unknown): HttpOutcome => ({ kind: 'response', status, headers: {}, body: typeof body === 'string' ? body : JSON.stringify(body) });
const denial = (status: number, error: string, code: number, message = 'No matching federated identity record found for presented assertion issuer') =>
  response(status, { error, error_description: `AADSTS${code}: ${message}. Trace ID: x`, error_codes: [code] });
const ISSUER = { status: 401, error: 'invalid_client', code: 700211, description: /presented assertion issuer/ };

describe('reading Entra responses', () => {
  test('the code from error_codes, else from the AADSTS prefix of the description', () => {
    expect(aadErrorOf(denial(401, 'invalid_client', 700211))).toMatchObject({ error: 'invalid_client', code: 700211 });
    expect(aadErrorOf(response(400, { error: 'invalid_request', error_description: 'AADSTS50027: Invalid JWT token.' }))?.code).toBe(50027);
    expect(aadErrorOf(response(502, '<html>bad gateway</html>'))).toEqual({ description: '<html>bad gateway</html>' });
    expect(aadErrorOf({ kind: 'network-error', error: 'ECONNRESET' })).toBeUndefined();
  });

  test('an access token only from a 200 carrying one; descriptions never include it', () => {
    const issued = response(200, { token_type: 'Bearer', access_token: 'eyJsecret.x.y', expires_in: 3599 });
    expect(accessTokenOf(issued)).toBe('eyJsecret.x.y');
    expect(accessTokenOf(response(200, { token_type: 'Bearer' }))).toBeUndefined();
    expect(accessTokenOf(response(400, { access_token: 'x' }))).toBeUndefined();
    expect(describeAadOutcome(issued)).toBe('200: an access token was issued');
    expect(describeAadOutcome(denial(401, 'invalid_client', 700211))).toMatch(/^401 invalid_client AADSTS700211: No matching/);
  });

  test('a 429 is named as throttling, with the wait asked for: the INCONCLUSIVE it ends in says why', () => {
    const throttled = { ...denial(429, 'temporarily_unavailable', 90055, 'There are too many incoming requests'), headers: { 'retry-after': '60' } } as HttpOutcome;
    expect(describeAadOutcome(throttled)).toBe('429 temporarily_unavailable AADSTS90055: There are too many incoming requests. Trace ID: x — throttled, asked to retry after 60 s');
    expect(judgeAadDenial(throttled, ISSUER, 'x')).toMatchObject({ status: 'INCONCLUSIVE', reason: expect.stringContaining('no verdict after retries (429 temporarily_unavailable AADSTS90055') });
  });

  test('transient: network errors, 429, 5xx and temporarily_unavailable', () => {
    expect(isTransientAad({ kind: 'network-error', error: 'ETIMEDOUT' })).toBe(true);
    expect(isTransientAad(response(429, {}))).toBe(true);
    expect(isTransientAad(response(503, {}))).toBe(true);
    expect(isTransientAad(response(400, { error: 'temporarily_unavailable' }))).toBe(true);
    expect(isTransientAad(denial(401, 'invalid_client', 700211))).toBe(false);
  });
});

describe('judging a denial', () => {
  test('PASS only for the expected status, error and code; a differing description is a note', () => {
    expect(judgeAadDenial(denial(401, 'invalid_client', 700211), ISSUER, 'a foreign issuer').status).toBe('PASS');
    const reworded = judgeAadDenial(denial(401, 'invalid_client', 700211, 'Issuer mismatch'), ISSUER, 'a foreign issuer');
    expect(reworded.status).toBe('PASS');
    expect(reworded.reason).toContain('description differs');
  });

  test('FAIL when a token was issued; INCONCLUSIVE for another code, another status, or a transient outcome', () => {
    expect(judgeAadDenial(response(200, { access_token: 'a.b.c' }), ISSUER, 'x').status).toBe('FAIL');
    expect(judgeAadDenial(denial(401, 'invalid_client', 7000272), ISSUER, 'x')).toMatchObject({ status: 'INCONCLUSIVE', reason: expect.stringContaining('not for the expected reason') });
    expect(judgeAadDenial(denial(400, 'invalid_client', 700211), ISSUER, 'x').status).toBe('INCONCLUSIVE');
    expect(judgeAadDenial(denial(401, 'invalid_request', 700211), ISSUER, 'x').status).toBe('INCONCLUSIVE');
    expect(judgeAadDenial(response(503, {}), ISSUER, 'x')).toMatchObject({ status: 'INCONCLUSIVE', reason: expect.stringContaining('no verdict after retries') });
  });

  test('several accepted denials: any of them passes', () => {
    const accepted = [
      { status: 400, error: 'invalid_request', code: 5002738 },
      { status: 400, error: 'invalid_request', code: 50027 },
    ];
    expect(judgeAadDenial(denial(400, 'invalid_request', 50027), accepted, 'alg none').status).toBe('PASS');
    expect(judgeAadDenial(denial(400, 'invalid_request', 5002738), accepted, 'alg none').status).toBe('PASS');
    expect(judgeAadDenial(denial(400, 'invalid_request', 90002), accepted, 'alg none').status).toBe('INCONCLUSIVE');
  });
});

describe('combining probes', () => {
  test('FAIL over INCONCLUSIVE over PASS; SKIPPED decides only when every probe was skipped; none sent is INCONCLUSIVE', () => {
    expect(combineVerdicts([pass('a'), inconclusive('b'), fail('c')])).toMatchObject({ status: 'FAIL', reason: 'c' });
    expect(combineVerdicts([pass('a'), inconclusive('b')]).status).toBe('INCONCLUSIVE');
    expect(combineVerdicts([pass('a'), skipped('b')])).toMatchObject({ status: 'PASS', reason: 'a' });
    expect(combineVerdicts([skipped('b')]).status).toBe('SKIPPED');
    expect(combineVerdicts([]).status).toBe('INCONCLUSIVE');
    expect(combineVerdicts([pass('a'), pass('b')]).evidence).toEqual({ probes: [{ status: 'PASS', reason: 'a' }, { status: 'PASS', reason: 'b' }] });
  });
});

describe("Entra's own answer", () => {
  test("only an access token or an OAuth error with an AADSTS code is Entra's answer; a proxy's HTML, an empty 400 or an unparseable 200 are not", () => {
    expect(isAadAnswer(denial(401, 'invalid_client', 700211))).toBe(true);
    expect(isAadAnswer(response(200, { access_token: 'eyJ.x.y', token_type: 'Bearer' }))).toBe(true);
    expect(isAadAnswer(response(403, '<html><body>Blocked by policy</body></html>'))).toBe(false);
    expect(isAadAnswer(response(400, ''))).toBe(false);
    expect(isAadAnswer(response(200, 'not json {'))).toBe(false);
    // An OAuth-looking body without an AADSTS code is some other server's.
    expect(isAadAnswer(response(400, { error: 'invalid_request' }))).toBe(false);
  });

  test('a token in any 2xx is issued; a refusal that is not Entra\'s is INCONCLUSIVE and says so', () => {
    expect(accessTokenOf(response(201, { access_token: 'eyJ.x.y' }))).toBe('eyJ.x.y');
    expect(judgeAadDenial(response(202, { access_token: 'eyJ.x.y' }), ISSUER, 'a foreign issuer')).toMatchObject({ status: 'FAIL' });
    const verdict = judgeAadDenial(response(403, '<html>Access denied</html>'), ISSUER, 'a foreign issuer');
    expect(verdict.status).toBe('INCONCLUSIVE');
    expect(verdict.reason).toContain("the answer is not Entra's");
  });
});
