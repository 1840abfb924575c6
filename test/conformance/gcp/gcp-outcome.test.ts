import { HttpOutcome, describeGcpOutcome, gcpErrorCodeOf, gcpErrorMessageOf, isGcpAnswer, isTransientGcp, issuedToken, judgeGcpDenial } from '../../../conformance/gcp/gcp-outcome';

const response = (status: number, body: unknown): HttpOutcome => ({ kind: 'response', status, headers: {}, body: typeof body === 'string' ? body : JSON.stringify(body) });
const oauth = (error: string, description: string) => response(400, { error, error_description: description });
const google = (code: number, status: string, message: string) => response(code, { error: { code, status, message } });

describe('GCP outcomes', () => {
  test('error codes and messages: OAuth (STS) and Google API bodies', () => {
    expect(gcpErrorCodeOf(oauth('invalid_grant', 'Unable to verify the ID Token signature.'))).toBe('invalid_grant');
    expect(gcpErrorMessageOf(oauth('invalid_grant', 'Unable to verify the ID Token signature.'))).toBe('Unable to verify the ID Token signature.');
    expect(gcpErrorCodeOf(google(403, 'PERMISSION_DENIED', 'denied'))).toBe('PERMISSION_DENIED');
    expect(gcpErrorMessageOf(google(403, 'PERMISSION_DENIED', 'denied'))).toBe('denied');
    expect(gcpErrorCodeOf(response(502, '<html>bad gateway</html>'))).toBeUndefined();
    expect(gcpErrorMessageOf(response(502, '<html>bad gateway</html>'))).toBe('<html>bad gateway</html>');
    expect(gcpErrorMessageOf({ kind: 'network-error', error: 'ECONNREFUSED' })).toBe('ECONNREFUSED');
  });

  test('issued tokens: STS access_token and IAM credentials accessToken, in any 2xx', () => {
    expect(issuedToken(response(200, { access_token: 'a', token_type: 'Bearer' }))).toBe('a');
    expect(issuedToken(response(200, { accessToken: 'b', expireTime: 'x' }))).toBe('b');
    expect(issuedToken(response(200, { access_token: '' }))).toBeUndefined();
    // A lax endpoint that answers 201 still handed a token out.
    expect(issuedToken(response(201, { access_token: 'a' }))).toBe('a');
    expect(issuedToken(response(400, { access_token: 'a' }))).toBeUndefined();
  });

  test("only a token or Google's error body is Google's answer; a proxy's HTML, an empty 400 or an unparseable 200 are not", () => {
    expect(isGcpAnswer(oauth('invalid_grant', 'Unable to verify the ID Token signature.'))).toBe(true);
    expect(isGcpAnswer(google(403, 'PERMISSION_DENIED', 'denied'))).toBe(true);
    expect(isGcpAnswer(response(200, { access_token: 'a' }))).toBe(true);
    expect(isGcpAnswer(response(403, '<html><h1>Forbidden</h1></html>'))).toBe(false);
    expect(isGcpAnswer(response(400, ''))).toBe(false);
    expect(isGcpAnswer(response(200, 'not json {'))).toBe(false);
    const verdict = judgeGcpDenial(response(403, '<html>blocked</html>'), { status: 400, code: 'invalid_grant' }, 'a rogue issuer');
    expect(verdict.status).toBe('INCONCLUSIVE');
    expect(verdict.reason).toContain("the answer is not Google's");
  });

  test('transient: network errors, 429, 5xx, RESOURCE_EXHAUSTED and UNAVAILABLE bodies', () => {
    expect(isTransientGcp({ kind: 'network-error', error: 'ETIMEDOUT' })).toBe(true);
    expect(isTransientGcp(google(429, 'RESOURCE_EXHAUSTED', 'quota'))).toBe(true);
    expect(isTransientGcp(google(503, 'UNAVAILABLE', 'later'))).toBe(true);
    expect(isTransientGcp(response(400, { error: 'temporarily_unavailable' }))).toBe(true);
    expect(isTransientGcp(oauth('invalid_grant', 'x'))).toBe(false);
  });

  test('descriptions never carry the token', () => {
    expect(describeGcpOutcome(response(200, { access_token: 'ya29.secret' }))).toBe('200: a token was issued');
    expect(describeGcpOutcome(oauth('invalid_target', 'gone'))).toBe('400 invalid_target: gone');
  });

  test('a 429 is named as throttling, with the wait asked for: the INCONCLUSIVE it ends in says why', () => {
    expect(describeGcpOutcome(google(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded'))).toBe('429 RESOURCE_EXHAUSTED: Quota exceeded — throttled');
    // A proxy's bare 429 has no Google code; the note still names the throttling and its Retry-After.
    expect(describeGcpOutcome({ kind: 'response', status: 429, headers: { 'retry-after': '7' }, body: '' })).toBe('429: — throttled, asked to retry after 7 s');
  });

  describe('judgeGcpDenial', () => {
    const expected = { status: 400, code: 'invalid_grant', message: /stale to sign-in/ };
    test('PASS for the expected status and code; a different message is noted, not failed', () => {
      expect(judgeGcpDenial(oauth('invalid_grant', 'ID Token issued at 1 is stale to sign-in.'), expected, 'expired')).toMatchObject({ status: 'PASS', reason: 'expired: denied with 400 invalid_grant' });
      expect(judgeGcpDenial(oauth('invalid_grant', 'Token expired.'), expected, 'expired')).toMatchObject({ status: 'PASS', reason: expect.stringContaining('message differs from the expected') });
    });
    test('FAIL when a token was issued', () => {
      expect(judgeGcpDenial(response(200, { access_token: 'a' }), expected, 'expired')).toMatchObject({ status: 'FAIL', reason: 'expired: a token was issued' });
    });
    test('INCONCLUSIVE for another code, another status, throttling and network errors — never PASS', () => {
      for (const outcome of [oauth('invalid_target', 'x'), response(401, { error: 'invalid_grant' }), google(429, 'RESOURCE_EXHAUSTED', 'q'), { kind: 'network-error', error: 'ECONNRESET' } as HttpOutcome]) {
        expect(judgeGcpDenial(outcome, expected, 'expired').status).toBe('INCONCLUSIVE');
      }
    });
  });
});
