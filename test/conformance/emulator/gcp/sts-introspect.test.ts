import { stsIntrospect } from '../../../../conformance/emulator/gcp/sts-introspect';
import { GcpWorld } from '../../../../conformance/emulator/gcp/world';
import { gcpRequest } from '../../../fixtures/gcp-conformance';

const NOW = new Date('2026-10-01T12:00:00Z');
const POOL = 'projects/123456789012/locations/global/workloadIdentityPools/agents';
const PRINCIPAL = `principal://iam.googleapis.com/${POOL}/subject/spiffe://prod.example/agent/deployer`;

function worldWithTokens() {
  const world = new GcpWorld();
  const federated = world.issueToken({
    kind: 'federated',
    poolName: POOL,
    providerName: `${POOL}/providers/spire`,
    subject: 'spiffe://prod.example/agent/deployer',
    principal: PRINCIPAL,
    principalSets: [],
    attributes: {},
    issuedAt: NOW,
    expiresAt: new Date(NOW.getTime() + 3600_000),
    scope: 'https://www.googleapis.com/auth/cloud-platform',
  });
  const serviceAccount = world.issueToken({ kind: 'service-account', email: 'sa@p.iam.gserviceaccount.com', expiresAt: new Date(NOW.getTime() + 3600_000) });
  return { world, federated, serviceAccount };
}

const introspect = (world: GcpWorld, body: string, headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' }, now = NOW) => {
  const response = stsIntrospect(world, gcpRequest('POST', '/v1/introspect', body, headers), now);
  return { status: response.status, body: JSON.parse(response.body) as Record<string, unknown> };
};

// gcloud's IntrospectionClient (googlecloudsdk/api_lib/auth/external_account.py): a form body
// `token=…&token_type_hint=urn:ietf:params:oauth:token-type:access_token`, HTTP Basic client auth.
const GCLOUD_HEADERS = { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('gcloud-client-id:gcloud-client-secret').toString('base64')}` };
const gcloudBody = (token: string) => new URLSearchParams({ token, token_type_hint: 'urn:ietf:params:oauth:token-type:access_token' }).toString();

describe('Google STS /v1/introspect (RFC 7662)', () => {
  test('a federated token the STS issued, as gcloud asks: active, with username the principal gcloud names the account by', () => {
    const { world, federated } = worldWithTokens();
    expect(introspect(world, gcloudBody(federated), GCLOUD_HEADERS)).toEqual({
      status: 200,
      body: {
        active: true,
        scope: 'https://www.googleapis.com/auth/cloud-platform',
        exp: String(NOW.getTime() / 1000 + 3600),
        iat: String(NOW.getTime() / 1000),
        iss: 'https://sts.googleapis.com',
        sub: 'agents:spiffe://prod.example/agent/deployer',
        username: PRINCIPAL,
      },
    });
  });

  test('the same as JSON (the REST reference’s shape, camelCase), without client authentication or a hint', () => {
    const { world, federated } = worldWithTokens();
    expect(introspect(world, JSON.stringify({ token: federated, tokenTypeHint: 'access_token' }), { 'content-type': 'application/json' }).body).toMatchObject({ active: true, username: PRINCIPAL });
    expect(introspect(world, new URLSearchParams({ token: federated }).toString()).body).toMatchObject({ active: true });
  });

  test('an expired, unknown or service-account token: 200 {"active": false}, nothing more', () => {
    const { world, federated, serviceAccount } = worldWithTokens();
    expect(introspect(world, gcloudBody(federated), GCLOUD_HEADERS, new Date(NOW.getTime() + 3600_000))).toEqual({ status: 200, body: { active: false } });
    expect(introspect(world, gcloudBody('ya29.made-up'), GCLOUD_HEADERS)).toEqual({ status: 200, body: { active: false } });
    expect(introspect(world, gcloudBody(serviceAccount), GCLOUD_HEADERS)).toEqual({ status: 200, body: { active: false } });
  });

  test('no token, or a body that is not JSON: 400 invalid_request in the STS’s OAuth shape', () => {
    const { world } = worldWithTokens();
    expect(introspect(world, 'token_type_hint=access_token')).toEqual({ status: 400, body: { error: 'invalid_request', error_description: 'The request is missing a required parameter: token.' } });
    expect(introspect(world, '{', { 'content-type': 'application/json' })).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
  });
});
