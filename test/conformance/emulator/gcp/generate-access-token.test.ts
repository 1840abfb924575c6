import { PERMISSION_DENIED_MESSAGE, generateAccessToken } from '../../../../conformance/emulator/gcp/generate-access-token';
import { GcpWorld, IssuedFederatedToken } from '../../../../conformance/emulator/gcp/world';
import { gcpRequest } from '../../../fixtures/gcp-conformance';

const NOW = new Date('2026-10-01T12:00:00Z');
const POOL = 'projects/123456789012/locations/global/workloadIdentityPools/agents';
const SA = 'deployer@p.iam.gserviceaccount.com';
const OTHER = 'other@p.iam.gserviceaccount.com';
const HOP = 'hop@p.iam.gserviceaccount.com';
const subject = (s: string) => `principal://iam.googleapis.com/${POOL}/subject/${s}`;

function federated(world: GcpWorld, sub: string, sets: string[] = [`principalSet://iam.googleapis.com/${POOL}/*`]): string {
  const token: IssuedFederatedToken = {
    kind: 'federated',
    poolName: POOL,
    providerName: `${POOL}/providers/spire`,
    subject: sub,
    principal: subject(sub),
    principalSets: sets,
    attributes: {},
    expiresAt: new Date(NOW.getTime() + 600_000),
  };
  return world.issueToken(token);
}

function worldOf(): GcpWorld {
  const world = new GcpWorld();
  for (const email of [SA, OTHER, HOP]) world.serviceAccounts.set(email, { email, name: `projects/p/serviceAccounts/${email}`, uniqueId: '1', project: 'p', disabled: false, origin: 't' });
  world.grantsOn(SA).push({ role: 'roles/iam.workloadIdentityUser', member: subject('deployer'), origin: 't' });
  world.grantsOn(SA).push({ role: 'roles/iam.serviceAccountTokenCreator', member: `principalSet://iam.googleapis.com/${POOL}/attribute.team/ops`, origin: 't' });
  world.grantsOn(SA).push({ role: 'roles/iam.workloadIdentityUser', member: subject('conditional'), condition: "request.time < timestamp('2030-01-01T00:00:00Z')", origin: 't' });
  world.grantsOn(SA).push({ role: 'roles/viewer', member: subject('viewer'), origin: 't' });
  world.grantsOn(HOP).push({ role: 'roles/iam.serviceAccountTokenCreator', member: subject('chain'), origin: 't' });
  world.grantsOn(OTHER).push({ role: 'roles/iam.serviceAccountTokenCreator', member: `serviceAccount:${HOP}`, origin: 't' });
  return world;
}

const call = (world: GcpWorld, bearer: string | undefined, body: unknown = { scope: ['https://www.googleapis.com/auth/cloud-platform'], lifetime: '3600s' }, email = SA, now = NOW) => {
  const response = generateAccessToken(
    world,
    gcpRequest('POST', `/v1/projects/-/serviceAccounts/${encodeURIComponent(email)}:generateAccessToken`, typeof body === 'string' ? body : JSON.stringify(body), bearer ? { authorization: `Bearer ${bearer}` } : {}),
    now,
  );
  return { status: response.status, body: JSON.parse(response.body) as Record<string, any> };
};

const DENIED = {
  status: 403,
  body: {
    error: {
      code: 403,
      status: 'PERMISSION_DENIED',
      message: PERMISSION_DENIED_MESSAGE,
      details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'IAM_PERMISSION_DENIED', domain: 'iam.googleapis.com', metadata: { permission: 'iam.serviceAccounts.getAccessToken' } }],
    },
  },
};

describe('IAM credentials generateAccessToken', () => {
  test('the bound principal gets {accessToken, expireTime}; the token is a service account’s from then on', () => {
    const world = worldOf();
    const answer = call(world, federated(world, 'deployer'));
    expect(answer).toEqual({ status: 200, body: { accessToken: expect.stringMatching(/^ya29\./), expireTime: '2026-10-01T13:00:00Z' } });
    expect(world.tokenOf(answer.body.accessToken, NOW)).toMatchObject({ kind: 'service-account', email: SA });
    expect(call(world, federated(world, 'deployer'), { scope: ['s'], lifetime: '300s' }).body.expireTime).toBe('2026-10-01T12:05:00Z');
  });

  test('a principal set the token belongs to is enough (an attribute set with serviceAccountTokenCreator)', () => {
    const world = worldOf();
    expect(call(world, federated(world, 'someone', [`principalSet://iam.googleapis.com/${POOL}/attribute.team/ops`])).status).toBe(200);
  });

  test('a project-level impersonation grant applies to every service account of the project', () => {
    const world = worldOf();
    world.grantsOnProject('p').push({ role: 'roles/iam.workloadIdentityUser', member: `principalSet://iam.googleapis.com/${POOL}/*`, origin: 't' });
    expect(call(world, federated(world, 'anyone'), undefined, OTHER).status).toBe(200);
  });

  test.each([
    ['an unbound subject', 'stranger', SA],
    ['a role without getAccessToken', 'viewer', SA],
    ['a binding with an IAM condition (not evaluated: fail closed)', 'conditional', SA],
    ['a service account that does not exist', 'deployer', 'ghost@p.iam.gserviceaccount.com'],
  ])('%s: 403 PERMISSION_DENIED with ErrorInfo', (_what, sub, email) => {
    const world = worldOf();
    expect(call(world, federated(world, sub, []), undefined, email)).toEqual(DENIED);
  });

  test('a disabled service account is denied like a missing one', () => {
    const world = worldOf();
    world.serviceAccounts.set(SA, { ...world.serviceAccounts.get(SA)!, disabled: true });
    expect(call(world, federated(world, 'deployer'))).toEqual(DENIED);
  });

  test('delegation: each hop must be allowed from the one before', () => {
    const world = worldOf();
    const token = federated(world, 'chain', []);
    expect(call(world, token, { scope: ['s'], delegates: [`projects/-/serviceAccounts/${HOP}`] }, OTHER).status).toBe(200);
    expect(call(world, token, { scope: ['s'] }, OTHER)).toEqual(DENIED);
    expect(call(world, token, { scope: ['s'], delegates: [HOP] }, SA)).toEqual(DENIED);
  });

  // Python google-auth and gcloud send `{"delegates": null, "scope": [...], "lifetime": "3600s"}`
  // (impersonated_credentials.py); google-auth-library (Node) omits delegates. Proto3 JSON reads
  // null as unset, so the API takes all three shapes.
  test.each([
    ['"delegates": null (Python google-auth, gcloud)', { delegates: null, scope: ['https://www.googleapis.com/auth/cloud-platform'], lifetime: '3600s' }],
    ['delegates omitted (google-auth-library)', { scope: ['https://www.googleapis.com/auth/cloud-platform'], lifetime: '3600s' }],
    ['"delegates": []', { delegates: [], scope: ['https://www.googleapis.com/auth/cloud-platform'], lifetime: '3600s' }],
    ['"lifetime": null (the default hour)', { delegates: null, scope: ['s'], lifetime: null }],
  ])('%s: a token for the bound principal', (_shape, body) => {
    const world = worldOf();
    expect(call(world, federated(world, 'deployer'), body)).toEqual({ status: 200, body: { accessToken: expect.any(String), expireTime: '2026-10-01T13:00:00Z' } });
  });

  test('"delegates": null decides nothing: an unbound principal is still denied', () => {
    const world = worldOf();
    expect(call(world, federated(world, 'viewer', []), { delegates: null, scope: ['s'], lifetime: '3600s' })).toEqual(DENIED);
  });

  test('no, unknown or expired bearer: 401 UNAUTHENTICATED', () => {
    const world = worldOf();
    const expired = federated(world, 'deployer');
    for (const answer of [call(world, undefined), call(world, 'ya29.made-up'), call(world, expired, undefined, SA, new Date(NOW.getTime() + 601_000))]) {
      expect(answer).toMatchObject({ status: 401, body: { error: { code: 401, status: 'UNAUTHENTICATED' } } });
    }
  });

  test.each([
    ['0s', { scope: ['s'], lifetime: '0s' }, /lifetime must be more than 0 seconds and at most 3600/],
    ['3601s', { scope: ['s'], lifetime: '3601s' }, /at most 3600 seconds; it was 3601s/],
    ['a lifetime that is not a duration', { scope: ['s'], lifetime: '1h' }, /Invalid value at 'lifetime'/],
    ['no scope', { lifetime: '60s' }, /^Scope required\.$/],
    ['an empty scope list', { scope: [] }, /^Scope required\.$/],
    ['delegates that are not names', { scope: ['s'], delegates: [1] }, /^Invalid value at 'delegates' \(TYPE_STRING\), \[1\]$/],
    ['delegates that are not a list', { scope: ['s'], delegates: 'hop' }, /^Invalid value at 'delegates' \(TYPE_STRING\), "hop"$/],
    ['"scope": null', { scope: null, delegates: null }, /^Scope required\.$/],
    ['a body that is not JSON', '{', /^Invalid JSON payload received/],
  ])('%s: 400 INVALID_ARGUMENT', (_what, body, message) => {
    const world = worldOf();
    expect(call(world, federated(world, 'deployer'), body)).toEqual({ status: 400, body: { error: { code: 400, status: 'INVALID_ARGUMENT', message: expect.stringMatching(message) } } });
  });

  test('the default lifetime is an hour; a path that is not generateAccessToken is 404', () => {
    const world = worldOf();
    expect(call(world, federated(world, 'deployer'), { scope: ['s'] }).body.expireTime).toBe('2026-10-01T13:00:00Z');
    const response = generateAccessToken(world, gcpRequest('POST', '/v1/projects/-/serviceAccounts/x:signJwt'), NOW);
    expect(response.status).toBe(404);
  });
});
