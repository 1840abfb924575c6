/** Entra ID's claims challenge, read by the agent's parser and answered by stepUpFetch. */
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { stepUpFetch } from '../../lib/step-up/agent-fetch';
import { TokenRequest, TokenSource } from '../../lib/step-up/token-source';
import { ChallengeParseError, decodeClaimsChallenge, readBearerChallenge } from '../../lib/step-up/www-authenticate';

// The examples of "Claims challenges, claims requests and client capabilities" (Microsoft identity platform).
const DOC_AUTH_CONTEXT =
  'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="insufficient_claims", claims="eyJhY2Nlc3NfdG9rZW4iOnsiYWNycyI6eyJlc3NlbnRpYWwiOnRydWUsInZhbHVlIjoiY3AxIn19fQ=="';
const DOC_CAE_CLAIMS = 'eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwgInZhbHVlIjoiMTYwNDEwNjY1MSJ9fX0=';
const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('reading the claims challenge', () => {
  test('the documented header: the decoded claims request and its acrs values', () => {
    expect(readBearerChallenge(DOC_AUTH_CONTEXT)).toMatchObject({
      error: 'insufficient_claims',
      claims: '{"access_token":{"acrs":{"essential":true,"value":"cp1"}}}',
      claimsAcrs: ['cp1'],
    });
  });

  test('the documented CAE claims (nbf), URL-safe and unpadded base64, and acrs `values`', () => {
    expect(decodeClaimsChallenge(DOC_CAE_CLAIMS)).toEqual({ claims: '{"access_token":{"nbf":{"essential":true,"value":"1604106651"}}}', acrs: [] });
    const urlSafe = Buffer.from('{"access_token":{"acrs":{"essential":true,"values":["c1","c25"]}}}').toString('base64url');
    expect(decodeClaimsChallenge(urlSafe).acrs).toEqual(['c1', 'c25']);
  });

  test.each([
    ['not base64', 'not base64!'],
    ['not JSON', b64('{"access_token":')],
    ['not UTF-8', Buffer.from([0xff, 0xfe, 0x7b]).toString('base64')],
    ['a JSON array', b64('[1,2]')],
    ['an unknown member', b64('{"admin":{"x":1}}')],
    ['an empty request', b64('{}')],
    ['nested too deep', b64('{"access_token":{"a":{"b":{"c":{"d":1}}}}}')],
    ['oversized', b64(`{"access_token":{"x":"${'a'.repeat(3000)}"}}`)],
    ['an acrs value that could inject', b64('{"access_token":{"acrs":{"value":"c1\\" scope=\\"admin"}}}')],
  ])('hostile claims (%s) make the challenge unreadable', (_name, claims) => {
    expect(() => readBearerChallenge(`Bearer error="insufficient_claims", claims="${claims}"`)).toThrow(ChallengeParseError);
  });

  test('a duplicated claims parameter is unreadable, like any duplicated parameter', () => {
    expect(() => readBearerChallenge(`Bearer error="insufficient_claims", claims="${DOC_CAE_CLAIMS}", claims="${DOC_CAE_CLAIMS}"`)).toThrow(ChallengeParseError);
  });
});

describe('stepUpFetch answering a claims challenge', () => {
  let server: http.Server;
  let base: string;
  let challengeHeader = DOC_AUTH_CONTEXT;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.headers.authorization === 'Bearer with-claims') return void res.writeHead(200).end('ok');
      res.writeHead(401, { 'www-authenticate': challengeHeader }).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const sourceRecording = (asked: TokenRequest[]): TokenSource => ({
    getToken: async (request) => {
      asked.push(request);
      return request.claims ? 'with-claims' : 'plain';
    },
  });

  test('the decoded claims and acrs go to the source (for MSAL’s `claims`), and the request is retried once', async () => {
    challengeHeader = DOC_AUTH_CONTEXT;
    const asked: TokenRequest[] = [];
    const response = await stepUpFetch({ resource: base, source: sourceRecording(asked) })(`${base}/items`);
    expect(response.status).toBe(200);
    expect(asked.map((r) => r.reason)).toEqual(['initial', 'claims-challenge']);
    expect(asked[1]).toMatchObject({ claims: '{"access_token":{"acrs":{"essential":true,"value":"cp1"}}}', acrValues: ['cp1'] });
  });

  test('a hostile claims value is not obeyed: the 401 comes back as it came, and the source is not asked again', async () => {
    challengeHeader = `Bearer error="insufficient_claims", claims="${b64('{"admin":{"x":1}}')}"`;
    const asked: TokenRequest[] = [];
    const response = await stepUpFetch({ resource: base, source: sourceRecording(asked) })(`${base}/items`);
    expect(response.status).toBe(401);
    expect(asked.map((r) => r.reason)).toEqual(['initial']);
  });
});
