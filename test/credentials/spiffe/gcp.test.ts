import { RunningGcpEmulator, startGcpEmulator } from '../../../conformance/emulator/gcp-emulator';
import { RunningWorkloadApiServer, startWorkloadApiServer } from '../../../conformance/emulator/spiffe/workload-api-server';
import { generateIssuerKey } from '../../../conformance/oidc/issuer-key';
import { decodeJwt } from '../../../conformance/oidc/jwt';
import { createCa } from '../../../conformance/pki/throwaway-pki';
import { AttestGateError } from '../../../lib/core/errors';
import { GcpAccessTokenFromSpiffeOptions, GcpTokenError, gcpAccessTokenFromSpiffe, gcpSubjectTokenFromSpiffe } from '../../../lib/credentials';
import { tfSource } from '../../fixtures/gcp-conformance';
import { WORKLOADS, deployerEntry } from '../../fixtures/workload-api';
import { ISSUER, gcpConfiguration } from '../../fixtures/terraform';

/**
 * gcpAccessTokenFromSpiffe against the GCP emulator (STS, IAM Credentials), with JWT-SVIDs from the
 * emulated agent; and the subject token supplier google-auth-library takes. (google-auth-library
 * itself runs in the end-to-end test.)
 */

const POOL = '//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/agents';
const SERVICE_ACCOUNT = 'deployer-agent@attestgate-emulated.iam.gserviceaccount.com';
let gcp: RunningGcpEmulator;
let spire: RunningWorkloadApiServer;

beforeAll(async () => {
  const key = generateIssuerKey('RS256');
  const configuration = gcpConfiguration({ extra: { google_service_account: { deployer: { account_id: 'deployer-agent' }, other: { account_id: 'other-agent' } } } }) as any;
  // A second provider of the pool that lists no allowed_audiences: it takes its own name as audience.
  const providers = configuration.resource.google_iam_workload_identity_pool_provider;
  providers.default_audience = { ...providers.spire, workload_identity_pool_provider_id: 'default-audience', oidc: { issuer_uri: ISSUER } };
  gcp = await startGcpEmulator({ sources: [tfSource(configuration)], playedIssuerKeys: new Map([[ISSUER, [key]]]) });
  spire = await startWorkloadApiServer({ trustDomain: 'prod.example', entries: [deployerEntry()], workloads: WORKLOADS, x509Authority: await createCa({ subject: { CN: 'SPIRE CA' } }), jwtAuthority: { key, issuer: ISSUER } });
});
afterAll(async () => {
  await Promise.all([spire?.close(), gcp?.close()]);
});

const options = (extra: Partial<GcpAccessTokenFromSpiffeOptions> = {}): GcpAccessTokenFromSpiffeOptions => ({
  audience: `${POOL}/providers/spire`,
  jwtAudience: 'gcp',
  serviceAccountEmail: SERVICE_ACCOUNT,
  stsEndpoint: gcp.endpoint,
  iamCredentialsEndpoint: gcp.endpoint,
  workloadApi: { address: spire.addresses.get('deployer')! },
  ...extra,
});
const requests = (suffix: string) => gcp.server.log.filter((l) => l.path.endsWith(suffix)).length;

describe('gcpAccessTokenFromSpiffe', () => {
  test('exchanges a JWT-SVID at STS, impersonates the service account, and caches the token; concurrent callers share one exchange', async () => {
    const provider = gcpAccessTokenFromSpiffe(options());
    const before = requests('/v1/token');
    const [a, b] = await Promise.all([provider.getAccessToken(), provider.getAccessToken()]);
    expect(a.token).toMatch(/^ya29\.emulated-service-account\./);
    expect(b).toBe(a);
    expect(await provider.getAccessToken()).toBe(a);
    expect(a.expiresAt.getTime()).toBeGreaterThan(Date.now());
    expect(requests('/v1/token')).toBe(before + 1);
  });

  test('without a service account the federated token is returned; the default JWT audience is the provider’s own', async () => {
    const federated = await gcpAccessTokenFromSpiffe(options({ serviceAccountEmail: undefined })).getAccessToken();
    expect(federated.token).toMatch(/^ya29\.emulated-federated\./);
    const defaultAudience = await gcpAccessTokenFromSpiffe(options({ audience: `${POOL}/providers/default-audience`, jwtAudience: undefined })).getAccessToken();
    expect(defaultAudience.token).toMatch(/^ya29\.emulated-service-account\./);
  });

  test("refusals carry the stage, the status and Google's error", async () => {
    await expect(gcpAccessTokenFromSpiffe(options({ jwtAudience: 'azure' })).getAccessToken()).rejects.toMatchObject({
      name: 'GcpTokenError',
      stage: 'sts',
      status: 400,
      code: 'invalid_grant',
      message: expect.stringMatching(/^Google STS refused \(HTTP 400 invalid_grant\): The audience in ID Token \[azure\] does not match/),
    });
    const unbound = await gcpAccessTokenFromSpiffe(options({ serviceAccountEmail: 'other-agent@attestgate-emulated.iam.gserviceaccount.com' })).getAccessToken().catch((e) => e);
    expect(unbound).toBeInstanceOf(GcpTokenError);
    expect(unbound).toMatchObject({ stage: 'impersonation', status: 403, code: 'PERMISSION_DENIED' });
  });

  test('an unregistered workload gets PermissionDenied from the Workload API and STS is never asked', async () => {
    const before = requests('/v1/token');
    await expect(gcpAccessTokenFromSpiffe(options({ workloadApi: { address: spire.addresses.get('tampered-image')! } })).getAccessToken()).rejects.toMatchObject({ name: 'WorkloadApiError', code: 'PermissionDenied' });
    expect(requests('/v1/token')).toBe(before);
  });

  test('bad options fail at construction', () => {
    expect(() => gcpAccessTokenFromSpiffe(options({ audience: 'projects/123/providers/spire' }))).toThrow(/^gcpAccessTokenFromSpiffe: audience "projects\/123\/providers\/spire" is not the resource name of a workload identity provider/);
    expect(() => gcpAccessTokenFromSpiffe(options({ stsEndpoint: 'http://sts.example' }))).toThrow(/stsEndpoint "http:\/\/sts\.example" is not https/);
    expect(() => gcpAccessTokenFromSpiffe(options({ serviceAccountEmail: 'deployer' }))).toThrow(/serviceAccountEmail/);
    expect(() => gcpAccessTokenFromSpiffe(options({ lifetimeSeconds: 0 }))).toThrow(/lifetimeSeconds/);
    expect(() => gcpAccessTokenFromSpiffe(options({ scopes: [] }))).toThrow(AttestGateError);
  });
});

describe('gcpSubjectTokenFromSpiffe (google-auth-library’s subject_token_supplier)', () => {
  test('gives a fresh JWT-SVID for the configured audience, or for the provider google-auth-library names', async () => {
    const address = spire.addresses.get('deployer')!;
    const configured = await gcpSubjectTokenFromSpiffe({ jwtAudience: 'gcp', workloadApi: { address } }).getSubjectToken();
    expect(decodeJwt(configured).claims).toMatchObject({ aud: ['gcp'], sub: 'spiffe://prod.example/agent/deployer', iss: ISSUER });
    const derived = await gcpSubjectTokenFromSpiffe({ workloadApi: { address } }).getSubjectToken({ audience: `${POOL}/providers/spire`, subjectTokenType: 'urn:ietf:params:oauth:token-type:jwt' });
    expect(decodeJwt(derived).claims.aud).toEqual([`https:${POOL}/providers/spire`]);
    await expect(gcpSubjectTokenFromSpiffe({ workloadApi: { address } }).getSubjectToken()).rejects.toThrow(/jwtAudience \(unset\) is unset and the caller passed no provider audience/);
  });
});
