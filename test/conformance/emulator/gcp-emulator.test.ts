import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFile } from 'node:child_process';
import { sendHttp } from '../../../conformance/engine/send-http';
import { RunningGcpEmulator, startGcpEmulator } from '../../../conformance/emulator/gcp-emulator';
import { IssuerKey, generateIssuerKey } from '../../../conformance/oidc/issuer-key';
import { TokenClaims, signJwt, tamperedJwt, unsignedJwt } from '../../../conformance/oidc/jwt';
import { tfSource } from '../../fixtures/gcp-conformance';
import { DEPLOYER_SPIFFE_ID, ISSUER, gcpConfiguration } from '../../fixtures/terraform';

/**
 * The unmodified official client, google-auth-library 10.9.1, against the emulator: an
 * `external_account` configuration whose token_url and service_account_impersonation_url point
 * at it. A valid token yields an access token; each mutation fails with the client's own error.
 */

const AUDIENCE = '//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/agents/providers/spire';
const SERVICE_ACCOUNT = 'deployer-agent@attestgate-emulated.iam.gserviceaccount.com';

let emulator: RunningGcpEmulator;
let key: IssuerKey;
beforeAll(async () => {
  // A second service account nobody is bound to, for the impersonation denial.
  const configuration = gcpConfiguration({ extra: { google_service_account: { deployer: { account_id: 'deployer-agent' }, other: { account_id: 'other-agent' } } } });
  emulator = await startGcpEmulator({ sources: [tfSource(configuration)] });
  key = emulator.playedIssuers.get(ISSUER)!.keys[0];
});
afterAll(() => emulator.close());

const claims = (extra: Partial<TokenClaims> = {}): TokenClaims => ({ iss: ISSUER, sub: DEPLOYER_SPIFFE_ID, aud: 'gcp', ...extra });

interface ClientResult {
  readonly name: string;
  readonly token?: string;
  readonly error?: { readonly name: string; readonly message: string; readonly status?: number };
}

/** An external_account configuration pointed at the emulator. */
const externalAccount = (serviceAccount: string | undefined, extra: Record<string, unknown> = {}) => ({
  type: 'external_account',
  audience: AUDIENCE,
  subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
  token_url: `${emulator.endpoint}/v1/token`,
  ...(serviceAccount ? { service_account_impersonation_url: `${emulator.endpoint}/v1/projects/-/serviceAccounts/${serviceAccount}:generateAccessToken` } : {}),
  ...extra,
});

/**
 * Runs the client in a plain Node child process (test/fixtures/google-auth-client.cjs): its
 * transport loads node-fetch with a dynamic import, which Jest's sandbox refuses, and passing it
 * another fetch would no longer be the client as shipped.
 */
function runClient(scenarios: ReadonlyArray<{ name: string; config: Record<string, unknown>; subjectToken?: string }>): Promise<Map<string, ClientResult>> {
  return new Promise((resolve, reject) => {
    // Executable-sourced credentials run only when the user allows them, as documented.
    const env = { ...process.env, GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES: '1' };
    const child = execFile(process.execPath, [path.join(__dirname, '../../fixtures/google-auth-client.cjs')], { timeout: 30_000, env }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}\n${stderr}`));
      else resolve(new Map((JSON.parse(stdout) as ClientResult[]).map((r) => [r.name, r])));
    });
    child.stdin!.end(JSON.stringify(scenarios));
  });
}

const now = () => Math.floor(Date.now() / 1000);
const MUTATIONS: ReadonlyArray<[string, () => string, RegExp]> = [
  ['wrong issuer', () => signJwt(generateIssuerKey(), claims({ iss: 'https://attestgate-probe.invalid/rogue-issuer' })), /^Error code invalid_grant: The issuer in ID Token https:\/\/attestgate-probe\.invalid\/rogue-issuer does not match/],
  ['unknown key', () => signJwt(generateIssuerKey(), claims()), /^Error code invalid_grant: Error connecting to the given credential's issuer\.$/],
  ['wrong audience', () => signJwt(key, claims({ aud: 'api://AzureADTokenExchange' })), /^Error code invalid_grant: The audience in ID Token \[api:\/\/AzureADTokenExchange\] does not match the expected audience\.$/],
  ['wrong subject', () => signJwt(key, claims({ sub: 'spiffe://prod.example/agent/intruder' })), /^Error code unauthorized_client: The given credential is rejected by the attribute condition\.$/],
  ['expired', () => signJwt(key, claims({ iat: now() - 3600, exp: now() - 600 })), /^Error code invalid_grant: ID Token issued at \d+ is stale to sign-in\.$/],
  ['not yet valid', () => signJwt(key, claims({ iat: now() + 600, exp: now() + 900 })), /^Error code invalid_grant: ID Token issued at \d+ is in the future\.$/],
  ['tampered signature', () => tamperedJwt(signJwt(key, claims())), /^Error code invalid_grant: Unable to verify the ID Token signature\.$/],
  ['alg none', () => unsignedJwt(claims()), /^Error code invalid_grant: The ID Token's signing algorithm "none" is not supported/],
];

describe('google-auth-library 10.9.1 (external_account) against the GCP emulator', () => {
  let results: Map<string, ClientResult>;
  beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-svid-'));
    const file = path.join(dir, 'token.jwt');
    fs.writeFileSync(file, signJwt(key, claims()));
    // An executable source prints the executable-response JSON (version 1, success, the id_token).
    const response = { version: 1, success: true, token_type: 'urn:ietf:params:oauth:token-type:jwt', id_token: signJwt(key, claims()), expiration_time: now() + 300 };
    const executable = (name: string, body: unknown) => {
      const script = path.join(dir, name);
      fs.writeFileSync(script, `#!/bin/sh\ncat <<'JSON'\n${JSON.stringify(body)}\nJSON\n`, { mode: 0o755 });
      return { executable: { command: script, timeout_millis: 10_000 } };
    };
    const jsonFile = path.join(dir, 'token.json');
    fs.writeFileSync(jsonFile, JSON.stringify({ id_token: signJwt(key, claims({ sub: 'spiffe://prod.example/agent/intruder' })) }));
    results = await runClient([
      { name: 'valid', config: externalAccount(SERVICE_ACCOUNT), subjectToken: signJwt(key, claims()) },
      { name: 'no impersonation', config: externalAccount(undefined), subjectToken: signJwt(key, claims()) },
      { name: 'credential_source file', config: externalAccount(SERVICE_ACCOUNT, { credential_source: { file, format: { type: 'text' } } }) },
      { name: 'credential_source executable', config: externalAccount(SERVICE_ACCOUNT, { credential_source: executable('spire-helper.sh', response) }) },
      {
        name: 'credential_source executable, wrong subject',
        config: externalAccount(SERVICE_ACCOUNT, { credential_source: executable('intruder-helper.sh', { ...response, id_token: signJwt(key, claims({ sub: 'spiffe://prod.example/agent/intruder' })) }) }),
      },
      { name: 'credential_source json file, wrong subject', config: externalAccount(SERVICE_ACCOUNT, { credential_source: { file: jsonFile, format: { type: 'json', subject_token_field_name: 'id_token' } } }) },
      { name: 'unbound service account', config: externalAccount('other-agent@attestgate-emulated.iam.gserviceaccount.com'), subjectToken: signJwt(key, claims()) },
      ...MUTATIONS.map(([name, token]) => ({ name, config: externalAccount(SERVICE_ACCOUNT), subjectToken: token() })),
    ]);
  });

  test('a valid token: the federated token is exchanged and the service account impersonated', () => {
    expect(results.get('valid')).toEqual({ name: 'valid', token: expect.stringMatching(/^ya29\.emulated-service-account\./) });
  });

  test('without impersonation the federated token itself is the access token', () => {
    expect(results.get('no impersonation')?.token).toMatch(/^ya29\.emulated-federated\./);
  });

  test('GoogleAuth with a credential_source file holding the token (what a SPIRE helper writes)', () => {
    expect(results.get('credential_source file')?.token).toMatch(/^ya29\.emulated-service-account\./);
  });

  test('GoogleAuth with a credential_source executable (the executable-response format), impersonating', () => {
    expect(results.get('credential_source executable')?.token).toMatch(/^ya29\.emulated-service-account\./);
  });

  test.each(['credential_source executable, wrong subject', 'credential_source json file, wrong subject'])('%s: the STS stage fails: unauthorized_client, the attribute condition', (name) => {
    expect(results.get(name)?.error).toMatchObject({ message: 'Error code unauthorized_client: The given credential is rejected by the attribute condition.', status: 400 });
  });

  test.each(MUTATIONS.map(([name, , message]) => [name, message] as const))('%s: the STS stage fails with the client’s OAuth error (status 400)', (name, message) => {
    const { error } = results.get(name)!;
    expect(error?.message).toMatch(message);
    expect(error?.status).toBe(400);
  });

  test('a valid token for a service account its principal is not bound to: the impersonation stage fails with 403 PERMISSION_DENIED', () => {
    expect(results.get('unbound service account')?.error).toMatchObject({ message: "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).", status: 403 });
  });
});

/**
 * The request shapes Python google-auth and gcloud send, replayed byte for byte from their public
 * source (Debian's python3-google-auth predates workload identity federation): google/oauth2/sts.py
 * posts a form with empty and None values dropped; impersonated_credentials.py posts
 * `{"delegates": null, "scope": [...], "lifetime": "3600s"}`; gcloud's IntrospectionClient posts
 * `token` and `token_type_hint` with HTTP Basic client authentication.
 */
describe('Python google-auth and gcloud request shapes against the GCP emulator', () => {
  const post = async (url: string, headers: Record<string, string>, body: string) => {
    const outcome = await sendHttp(url, 'POST', headers, body);
    return outcome.kind === 'response' ? { status: outcome.status, json: JSON.parse(outcome.body) } : { status: 0, json: outcome.error };
  };
  const stsForm = (subjectToken: string) =>
    new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      audience: AUDIENCE,
      scope: 'https://www.googleapis.com/auth/cloud-platform',
      requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      subject_token: subjectToken,
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
    }).toString();
  const PYTHON_HEADERS = { 'Content-Type': 'application/x-www-form-urlencoded', 'x-goog-api-client': 'gl-python/3.11 auth/2.40.0 google-byoid-sdk source/file sa-impersonation/true config-lifetime/false' };

  test('exchange, impersonate with "delegates": null, introspect as gcloud: the attested principal all the way', async () => {
    const exchanged = await post(`${emulator.endpoint}/v1/token`, PYTHON_HEADERS, stsForm(signJwt(key, claims())));
    expect(exchanged).toMatchObject({ status: 200, json: { token_type: 'Bearer', issued_token_type: 'urn:ietf:params:oauth:token-type:access_token' } });
    const impersonated = await post(
      `${emulator.endpoint}/v1/projects/-/serviceAccounts/${SERVICE_ACCOUNT}:generateAccessToken`,
      { 'Content-Type': 'application/json', authorization: `Bearer ${exchanged.json.access_token}` },
      JSON.stringify({ delegates: null, scope: ['https://www.googleapis.com/auth/cloud-platform'], lifetime: '3600s' }),
    );
    expect(impersonated).toMatchObject({ status: 200, json: { accessToken: expect.stringMatching(/^ya29\.emulated-service-account\./) } });
    const basic = `Basic ${Buffer.from('gcloud-client-id:gcloud-client-secret').toString('base64')}`;
    const body = new URLSearchParams({ token: exchanged.json.access_token, token_type_hint: 'urn:ietf:params:oauth:token-type:access_token' }).toString();
    const introspected = await post(`${emulator.endpoint}/v1/introspect`, { 'Content-Type': 'application/x-www-form-urlencoded', authorization: basic }, body);
    expect(introspected).toMatchObject({ status: 200, json: { active: true, username: `principal://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/agents/subject/${DEPLOYER_SPIFFE_ID}` } });
  });

  test('the same form with a wrong subject or a rogue key: the STS’s OAuth errors, no token', async () => {
    expect(await post(`${emulator.endpoint}/v1/token`, PYTHON_HEADERS, stsForm(signJwt(key, claims({ sub: 'spiffe://prod.example/agent/intruder' }))))).toEqual({
      status: 400,
      json: { error: 'unauthorized_client', error_description: 'The given credential is rejected by the attribute condition.' },
    });
    expect(await post(`${emulator.endpoint}/v1/token`, PYTHON_HEADERS, stsForm(signJwt(generateIssuerKey(), claims())))).toEqual({
      status: 400,
      json: { error: 'invalid_grant', error_description: "Error connecting to the given credential's issuer." },
    });
  });
});
