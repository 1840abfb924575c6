import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { GcpHttpProbeTarget, PUBLIC_GCP_ENDPOINTS } from '../../../conformance/gcp/gcp-probe-target';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

let server: http.Server;
let origin: string;
const seen: Seen[] = [];
beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('GcpHttpProbeTarget', () => {
  test('the public endpoints by default', () => {
    expect(PUBLIC_GCP_ENDPOINTS).toEqual({ sts: 'https://sts.googleapis.com', iamCredentials: 'https://iamcredentials.googleapis.com' });
  });

  test('the exchange is a form POST with google-auth-library’s snake_case fields; no Authorization header', async () => {
    const target = new GcpHttpProbeTarget('t', { sts: origin, iamCredentials: origin });
    await target.exchange('//iam.googleapis.com/projects/1/x', 'eyJ.a.b');
    const request = seen.pop()!;
    expect(request).toMatchObject({ method: 'POST', url: '/v1/token', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(request.headers.authorization).toBeUndefined();
    expect(Object.fromEntries(new URLSearchParams(request.body))).toEqual({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      audience: '//iam.googleapis.com/projects/1/x',
      scope: 'https://www.googleapis.com/auth/cloud-platform',
      requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      subject_token: 'eyJ.a.b',
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
    });
  });

  test('generateAccessToken: the email in the path, the federated token as Bearer, scope and lifetime in JSON', async () => {
    const target = new GcpHttpProbeTarget('t', { sts: origin, iamCredentials: origin });
    await target.generateAccessToken('a@p.iam.gserviceaccount.com', 'ya29.fed', 600);
    expect(seen.pop()).toMatchObject({
      method: 'POST',
      url: '/v1/projects/-/serviceAccounts/a%40p.iam.gserviceaccount.com:generateAccessToken',
      headers: { authorization: 'Bearer ya29.fed', 'content-type': 'application/json' },
      body: '{"scope":["https://www.googleapis.com/auth/cloud-platform"],"lifetime":"600s"}',
    });
    expect(await target.getJson(`${origin}/keys`)).toMatchObject({ kind: 'response', status: 200, body: '{"ok":true}' });
  });
});
