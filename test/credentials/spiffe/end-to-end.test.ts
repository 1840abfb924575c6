import * as path from 'node:path';
import { startAwsEmulator, RunningAwsEmulator } from '../../../conformance/emulator/aws-emulator';
import { startAzureEmulator, RunningAzureEmulator } from '../../../conformance/emulator/azure-emulator';
import { startGcpEmulator, RunningGcpEmulator } from '../../../conformance/emulator/gcp-emulator';
import { RunningWorkloadApiServer, startWorkloadApiServer } from '../../../conformance/emulator/spiffe/workload-api-server';
import { generateIssuerKey } from '../../../conformance/oidc/issuer-key';
import { decodeJwt } from '../../../conformance/oidc/jwt';
import { fromSpiffe, gcpAccessTokenFromSpiffe } from '../../../lib/credentials';
import { azureConfiguration, gcpConfiguration, ISSUER } from '../../fixtures/terraform';
import { exampleTemplate, sourceOf, writeTestPki } from '../../fixtures/conformance';
import { caBundleWith, tfSourceOf } from '../../fixtures/azure-conformance';
import { tfSource } from '../../fixtures/gcp-conformance';
import { REPOSITORY_ROOT, SdkClientResult, WORKLOADS, deployerEntry, runSdkClients } from '../../fixtures/workload-api';

/**
 * One identity, three clouds, through the SPIFFE Workload API only: the deployer pod — registered
 * by namespace, service account and image digest — gets AWS credentials (Roles Anywhere with its
 * X.509-SVID), a GCP access token (STS + impersonation with a JWT-SVID) and an Azure token (a
 * federated credential with a JWT-SVID) from the emulators. The same pod running another image is
 * refused at the Workload API (PermissionDenied) and no cloud is ever asked.
 *
 * The cloud SDKs run unmodified in a child process against the package built in dist/ (which
 * `npm test` builds first), google-auth-library through the attestgate-gcp-executable command.
 */

const PROVIDER_AUDIENCE = '//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/agents/providers/spire';
const SERVICE_ACCOUNT = 'deployer-agent@attestgate-emulated.iam.gserviceaccount.com';
const ARM_SCOPE = 'https://management.azure.com/.default';

let aws: RunningAwsEmulator;
let gcp: RunningGcpEmulator;
let azure: RunningAzureEmulator;
let spire: RunningWorkloadApiServer;
let arns: { trustAnchorArn: string; profileArn: string; roleArn: string };

beforeAll(async () => {
  const pki = await writeTestPki();
  // The SPIRE server's JWT key is the key of the OIDC issuer both clouds trust.
  const issuerKey = generateIssuerKey('RS256');
  [aws, gcp, azure] = await Promise.all([
    startAwsEmulator({ sources: sourceOf(exampleTemplate(pki)) }),
    startGcpEmulator({ sources: [tfSource(gcpConfiguration())], playedIssuerKeys: new Map([[ISSUER, [issuerKey]]]) }),
    startAzureEmulator({ sources: tfSourceOf(azureConfiguration()), issuerKeys: [issuerKey] }),
  ]);
  spire = await startWorkloadApiServer({
    trustDomain: 'prod.example',
    entries: [deployerEntry()],
    workloads: WORKLOADS,
    // The SPIRE CA is the trust anchor's CA; a credential composer gives SVIDs the organisation the gate pins.
    x509Authority: pki.ca,
    x509SvidSubject: { O: 'attestgate examples' },
    jwtAuthority: { key: issuerKey, issuer: ISSUER },
  });
  const role = [...aws.world.roles.values()].find((r) => r.origin.includes('Deployer'))!;
  const profile = [...aws.world.profiles.values()].find((p) => p.roleArns.includes(role.arn))!;
  arns = { trustAnchorArn: [...aws.world.trustAnchors.values()][0].arn, profileArn: profile.arn, roleArn: role.arn };
});

afterAll(async () => {
  await Promise.all([spire?.close(), aws?.close(), gcp?.close(), azure?.close()]);
});

const awsCredentials = async (workload: string) => {
  const provider = fromSpiffe({ ...arns, endpoint: aws.endpoint, workloadApi: { address: spire.addresses.get(workload)! } });
  try {
    return await provider();
  } finally {
    provider.close();
  }
};

const gcpToken = (workload: string) =>
  gcpAccessTokenFromSpiffe({
    audience: PROVIDER_AUDIENCE,
    jwtAudience: 'gcp',
    serviceAccountEmail: SERVICE_ACCOUNT,
    stsEndpoint: gcp.endpoint,
    iamCredentialsEndpoint: gcp.endpoint,
    workloadApi: { address: spire.addresses.get(workload)! },
  }).getAccessToken();

/** google-auth-library with a credential configuration file's content, as ADC would read it. */
const executableConfig = (workload: string) => ({
  type: 'external_account',
  audience: PROVIDER_AUDIENCE,
  subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
  token_url: `${gcp.endpoint}/v1/token`,
  service_account_impersonation_url: `${gcp.endpoint}/v1/projects/-/serviceAccounts/${SERVICE_ACCOUNT}:generateAccessToken`,
  credential_source: {
    executable: { command: `${path.join(REPOSITORY_ROOT, 'bin', 'attestgate-gcp-executable')} --jwt-audience gcp --socket ${spire.addresses.get(workload)}`, timeout_millis: 10_000 },
  },
});

const supplierConfig = () => ({
  type: 'external_account',
  audience: PROVIDER_AUDIENCE,
  subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
  token_url: `${gcp.endpoint}/v1/token`,
  service_account_impersonation_url: `${gcp.endpoint}/v1/projects/-/serviceAccounts/${SERVICE_ACCOUNT}:generateAccessToken`,
});

async function sdkResults(): Promise<Map<string, SdkClientResult>> {
  const [identity] = azure.world.identities.values();
  const azureCase = (name: string, workload: string) => ({ name, tenantId: azure.tenantId, clientId: identity.clientId, authorityHost: azure.authorityHost, scope: ARM_SCOPE, address: spire.addresses.get(workload)! });
  return runSdkClients(
    {
      google: [
        { name: 'gcp executable: deployer', config: executableConfig('deployer') },
        { name: 'gcp executable: tampered-image', config: executableConfig('tampered-image') },
        { name: 'gcp supplier: deployer', config: supplierConfig(), supplier: { jwtAudience: 'gcp', address: spire.addresses.get('deployer')! } },
        { name: 'gcp supplier: tampered-image', config: supplierConfig(), supplier: { jwtAudience: 'gcp', address: spire.addresses.get('tampered-image')! } },
      ],
      azure: [azureCase('azure: deployer', 'deployer'), azureCase('azure: tampered-image', 'tampered-image')],
    },
    { GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES: '1', NODE_EXTRA_CA_CERTS: caBundleWith(azure.caPem) },
  );
}

/** How many requests each cloud has answered so far. */
const cloudRequests = () => ({
  createSession: aws.server.log.filter((l) => l.path === '/sessions').length,
  gcpExchange: gcp.server.log.filter((l) => l.path === '/v1/token').length,
  gcpImpersonation: gcp.server.log.filter((l) => l.path.endsWith(':generateAccessToken')).length,
  entraToken: azure.server.log.filter((l) => l.path.endsWith('/oauth2/v2.0/token')).length,
});

describe('one SPIFFE identity, three clouds, through the Workload API', () => {
  let sdk: Map<string, SdkClientResult>;
  let sdkCloudRequests: Record<string, number>;
  beforeAll(async () => {
    const before = cloudRequests();
    sdk = await sdkResults();
    const after = cloudRequests();
    sdkCloudRequests = Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - before[k as keyof typeof before]]));
  });

  test('the registered deployer gets AWS credentials with its X.509-SVID (fromSpiffe)', async () => {
    const credentials = await awsCredentials('deployer');
    expect(credentials.accessKeyId).toMatch(/^ASIA/);
    expect(credentials.expiration!.getTime()).toBeGreaterThan(Date.now());
  });

  test('the registered deployer gets a GCP access token for its service account with a JWT-SVID (gcpAccessTokenFromSpiffe)', async () => {
    expect((await gcpToken('deployer')).token).toMatch(/^ya29\.emulated-service-account\./);
  });

  test('google-auth-library 10.9.1, unmodified, gets the same through attestgate-gcp-executable and through gcpSubjectTokenFromSpiffe', () => {
    expect(sdk.get('gcp executable: deployer')).toEqual({ name: 'gcp executable: deployer', token: expect.stringMatching(/^ya29\.emulated-service-account\./) });
    expect(sdk.get('gcp supplier: deployer')).toEqual({ name: 'gcp supplier: deployer', token: expect.stringMatching(/^ya29\.emulated-service-account\./) });
  });

  test('@azure/identity 4.13.1, unmodified, gets an ARM token for the managed identity with azureAssertionFromSpiffe', () => {
    const result = sdk.get('azure: deployer')!;
    expect(result.error).toBeUndefined();
    const [identity] = azure.world.identities.values();
    expect(decodeJwt(result.token!).claims).toMatchObject({ azp: identity.clientId, oid: identity.principalId, aud: 'https://management.azure.com' });
  });

  test('the same pod with another image digest is refused by the Workload API (PermissionDenied), and no cloud is asked', async () => {
    const before = cloudRequests();
    const refused = { name: 'WorkloadApiError', code: 'PermissionDenied', details: 'no identity issued' };
    await expect(awsCredentials('tampered-image')).rejects.toMatchObject(refused);
    await expect(gcpToken('tampered-image')).rejects.toMatchObject(refused);
    expect(cloudRequests()).toEqual(before);
    for (const name of ['gcp executable: tampered-image', 'gcp supplier: tampered-image', 'azure: tampered-image']) {
      expect(sdk.get(name)?.token).toBeUndefined();
      expect(sdk.get(name)?.error?.message).toMatch(/PermissionDenied: no identity issued/);
    }
    // The SDK run sent only the deployer's two GCP flows and one Entra request.
    expect(sdkCloudRequests).toEqual({ createSession: 0, gcpExchange: 2, gcpImpersonation: 2, entraToken: 1 });
    expect(spire.log.filter((l) => l.workload === 'tampered-image').map((l) => l.outcome)).toContain('PermissionDenied: no identity issued');
    expect(spire.log.filter((l) => l.workload === 'tampered-image' && l.outcome === 'OK')).toEqual([]);
  });
});
