import { deployGcpWorld } from '../../../../conformance/emulator/gcp/deploy-terraform';
import { applyGcpTerraform } from '../../../../lib/model/gcp/google-provider';
import { PlayedIssuer, playIssuers } from '../../../../conformance/emulator/gcp/played-issuers';
import { DEFAULT_GCP_STS_BEHAVIOUR, acceptedAudiences, stsParameters, stsToken } from '../../../../conformance/emulator/gcp/sts-token';
import { GcpWorld } from '../../../../conformance/emulator/gcp/world';
import { IssuerKey, generateIssuerKey } from '../../../../conformance/oidc/issuer-key';
import { TokenClaims, signJwt, tamperedJwt, unsignedJwt } from '../../../../conformance/oidc/jwt';
import { gcpRequest, tfSource } from '../../../fixtures/gcp-conformance';
import { DEPLOYER_SPIFFE_ID, ISSUER, gcpConfiguration } from '../../../fixtures/terraform';

const PROVIDER = 'projects/123456789012/locations/global/workloadIdentityPools/agents/providers/spire';
const AUDIENCE = `//iam.googleapis.com/${PROVIDER}`;
const NOW = new Date('2026-10-01T12:00:00Z');
const T = Math.floor(NOW.getTime() / 1000);

/** A world with the fixture's provider plus: a disabled one, one with an inline ES256 JWKS, one without allowed audiences. */
function worldOf(inline: IssuerKey): { world: GcpWorld; issuers: Map<string, PlayedIssuer> } {
  const configuration = gcpConfiguration({
    provider: { attribute_mapping: { 'google.subject': 'assertion.sub', 'attribute.env': 'assertion.env' } },
  }) as { resource: Record<string, Record<string, unknown>> };
  const providers = configuration.resource.google_iam_workload_identity_pool_provider;
  const base = providers.spire as Record<string, unknown>;
  providers.off = { ...base, workload_identity_pool_provider_id: 'off', disabled: true };
  providers.inline = { ...base, workload_identity_pool_provider_id: 'inline', oidc: { issuer_uri: 'https://inline.example', allowed_audiences: ['gcp'], jwks_json: JSON.stringify({ keys: [inline.publicJwk] }) } };
  providers.noaud = { ...base, workload_identity_pool_provider_id: 'noaud', attribute_condition: undefined, oidc: { issuer_uri: ISSUER } };
  const world = new GcpWorld();
  const applied = applyGcpTerraform([tfSource(configuration)], { projectNumberOf: (p) => world.projectNumberOf(p), defaultProject: 'p' });
  expect(deployGcpWorld(world, applied)).toEqual([]);
  return { world, issuers: playIssuers(world) };
}

const inlineKey = generateIssuerKey('ES256');
const { world, issuers } = worldOf(inlineKey);
const issuerKey = issuers.get(ISSUER)!.keys[0];

const claims = (extra: Partial<TokenClaims> = {}): TokenClaims => ({ iss: ISSUER, sub: DEPLOYER_SPIFFE_ID, aud: 'gcp', iat: T, exp: T + 300, ...extra });
const form = (fields: Record<string, string>) =>
  gcpRequest('POST', '/v1/token', new URLSearchParams(fields).toString(), { 'content-type': 'application/x-www-form-urlencoded' });
const exchangeFields = (token: string, audience = AUDIENCE) => ({
  grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
  audience,
  scope: 'https://www.googleapis.com/auth/cloud-platform',
  requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
  subject_token: token,
  subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
});

async function exchange(token: string, audience = AUDIENCE, now = NOW) {
  const response = await stsToken(world, issuers, form(exchangeFields(token, audience)), now);
  return { status: response.status, body: JSON.parse(response.body) as Record<string, unknown> };
}

const denial = (error: string, description: string | RegExp) => ({ status: 400, body: { error, error_description: description instanceof RegExp ? expect.stringMatching(description) : description } });

describe('STS POST /v1/token', () => {
  test('a valid token: a federated access token, expires_in = min(exp − now, 3600)', async () => {
    const answer = await exchange(signJwt(issuerKey, claims({ exp: T + 7200 })));
    expect(answer).toEqual({
      status: 200,
      body: { access_token: expect.stringMatching(/^ya29\./), issued_token_type: 'urn:ietf:params:oauth:token-type:access_token', token_type: 'Bearer', expires_in: 3600 },
    });
    expect((await exchange(signJwt(issuerKey, claims({ exp: T + 120 })))).body.expires_in).toBe(120);
  });

  test('the federated token stands for principal://…/subject/<google.subject> and its principal sets', async () => {
    const { body } = await exchange(signJwt(issuerKey, claims({ env: 'prod' })));
    const token = world.tokenOf(body.access_token as string, NOW);
    const pool = 'projects/123456789012/locations/global/workloadIdentityPools/agents';
    expect(token).toMatchObject({
      kind: 'federated',
      principal: `principal://iam.googleapis.com/${pool}/subject/${DEPLOYER_SPIFFE_ID}`,
      principalSets: [`principalSet://iam.googleapis.com/${pool}/*`, `principalSet://iam.googleapis.com/${pool}/attribute.env/prod`],
      providerName: PROVIDER,
    });
    expect(world.tokenOf(body.access_token as string, new Date(NOW.getTime() + 301_000))).toBeUndefined();
  });

  test.each([
    ['form, snake_case', 'application/x-www-form-urlencoded', (f: Record<string, string>) => new URLSearchParams(f).toString()],
    ['JSON, snake_case', 'application/json', (f: Record<string, string>) => JSON.stringify(f)],
    [
      'JSON, camelCase (google-github-actions/auth)',
      'application/json',
      (f: Record<string, string>) => JSON.stringify(Object.fromEntries(Object.entries(f).map(([k, v]) => [k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), v]))),
    ],
    ['JSON without a content type, scope as a list', '', (f: Record<string, string>) => JSON.stringify({ ...f, scope: [f.scope] })],
  ])('accepts %s', async (_name, type, encode) => {
    const fields = exchangeFields(signJwt(issuerKey, claims()));
    const response = await stsToken(world, issuers, gcpRequest('POST', '/v1/token', encode(fields), type ? { 'content-type': type } : {}), NOW);
    expect(response.status).toBe(200);
  });

  test('parameters are read into snake_case', () => {
    expect(stsParameters(gcpRequest('POST', '/v1/token', '{"subjectTokenType":"x","options":{"userProject":"p"}}', { 'content-type': 'application/json' }))).toEqual({
      subject_token_type: 'x',
      options: '{"userProject":"p"}',
    });
    expect(stsParameters(gcpRequest('POST', '/v1/token', '{oops', { 'content-type': 'application/json' }))).toEqual({ malformed: expect.stringMatching(/^Invalid JSON payload received/) });
  });

  test('request errors: malformed body, missing parameter, grant type, requested token type, subject token type', async () => {
    const token = signJwt(issuerKey, claims());
    const send = async (request: ReturnType<typeof form>) => {
      const r = await stsToken(world, issuers, request, NOW);
      return { status: r.status, body: JSON.parse(r.body) };
    };
    expect(await send(gcpRequest('POST', '/v1/token', '[1]', { 'content-type': 'application/json' }))).toEqual(denial('invalid_request', /not a JSON object/));
    const { subject_token: _dropped, ...missing } = exchangeFields(token);
    expect(await send(form(missing))).toEqual(denial('invalid_request', 'The request is missing a required parameter: subject_token.'));
    expect(await send(form({ ...exchangeFields(token), grant_type: 'client_credentials' }))).toEqual(denial('unsupported_grant_type', /client_credentials/));
    expect(await send(form({ ...exchangeFields(token), requested_token_type: 'urn:ietf:params:oauth:token-type:id_token' }))).toEqual(denial('invalid_request', /requested_token_type/));
    expect(await send(form({ ...exchangeFields(token), subject_token_type: 'urn:ietf:params:oauth:token-type:saml2' }))).toEqual(denial('invalid_request', /subject_token_type/));
    expect((await send(form({ ...exchangeFields(token), subject_token_type: 'urn:ietf:params:oauth:token-type:id_token' }))).status).toBe(200);
  });

  test('audience: the provider name with or without https:, else invalid_request (malformed) or invalid_target (missing, disabled)', async () => {
    const token = signJwt(issuerKey, claims());
    expect((await exchange(token, `https:${AUDIENCE}`)).status).toBe(200);
    expect(await exchange(token, AUDIENCE.replace(/\/providers\/.*$/, ''))).toEqual(denial('invalid_request', /^Invalid value for "audience"\. This value should be the full resource name of the Identity Provider/));
    const invalidTarget = denial('invalid_target', /^The target service indicated by the "audience" parameters is invalid\. .*disabled or deleted.*doesn't exist\.$/);
    expect(await exchange(token, AUDIENCE.replace('/spire', '/nope'))).toEqual(invalidTarget);
    expect(await exchange(token, AUDIENCE.replace('/spire', '/off'))).toEqual(invalidTarget);
    expect(await exchange(token, AUDIENCE.replace('123456789012', 'attestgate-emulated'))).toEqual(invalidTarget);
  });

  test('a pool disabled after the fact refuses its providers', async () => {
    const pool = world.pools.get(PROVIDER.replace(/\/providers\/.*$/, ''))!;
    world.pools.set(pool.name, { ...pool, disabled: true });
    try {
      expect(await exchange(signJwt(issuerKey, claims()))).toEqual(denial('invalid_target', /disabled or deleted/));
    } finally {
      world.pools.set(pool.name, pool);
    }
  });

  test('JWT header: unparseable, alg none, HS256 — refused before any key is looked at', async () => {
    expect(await exchange('not-a-jwt')).toEqual(denial('invalid_grant', 'Unable to parse the ID Token.'));
    expect(await exchange(unsignedJwt(claims()))).toEqual(denial('invalid_grant', `The ID Token's signing algorithm "none" is not supported; RS256 and ES256 are.`));
    const [, payload, signature] = signJwt(issuerKey, claims()).split('.');
    const hs256 = `${Buffer.from(JSON.stringify({ alg: 'HS256', kid: issuerKey.kid })).toString('base64url')}.${payload}.${signature}`;
    expect(await exchange(hs256)).toEqual(denial('invalid_grant', /"HS256" is not supported/));
  });

  test('issuer: exactly issuer_uri (a trailing slash is another issuer)', async () => {
    expect(await exchange(signJwt(issuerKey, claims({ iss: `${ISSUER}/` })))).toEqual(
      denial('invalid_grant', `The issuer in ID Token ${ISSUER}/ does not match the expected one in config ${ISSUER}.`),
    );
  });

  test('key: an unknown kid, a missing kid and a key type that does not fit alg all fail to reach the issuer', async () => {
    const connecting = denial('invalid_grant', "Error connecting to the given credential's issuer.");
    expect(await exchange(signJwt(generateIssuerKey(), claims()))).toEqual(connecting);
    const noKid = signJwt(issuerKey, claims(), { kid: '' });
    expect(await exchange(noKid)).toEqual(connecting);
    expect(await exchange(signJwt(generateIssuerKey('ES256'), claims(), { kid: issuerKey.kid }))).toEqual(connecting);
  });

  test('signature: a flipped bit, or another key under the known kid', async () => {
    const unverified = denial('invalid_grant', 'Unable to verify the ID Token signature.');
    expect(await exchange(tamperedJwt(signJwt(issuerKey, claims())))).toEqual(unverified);
    expect(await exchange(signJwt(generateIssuerKey(), claims(), { kid: issuerKey.kid }))).toEqual(unverified);
  });

  test('an inline ES256 JWKS is used instead of the issuer’s', async () => {
    const inline = AUDIENCE.replace('/spire', '/inline');
    expect((await exchange(signJwt(inlineKey, claims({ iss: 'https://inline.example' })), inline)).status).toBe(200);
    expect(await exchange(signJwt(issuerKey, claims({ iss: 'https://inline.example' })), inline)).toEqual(denial('invalid_grant', "Error connecting to the given credential's issuer."));
  });

  test('audience claim: one of allowed_audiences (a list claim matches by any element); without them, the provider name', async () => {
    expect(await exchange(signJwt(issuerKey, claims({ aud: 'api://AzureADTokenExchange' })))).toEqual(
      denial('invalid_grant', 'The audience in ID Token [api://AzureADTokenExchange] does not match the expected audience.'),
    );
    expect((await exchange(signJwt(issuerKey, claims({ aud: ['other', 'gcp'] })))).status).toBe(200);
    const noaud = PROVIDER.replace('/spire', '/noaud');
    expect((await exchange(signJwt(issuerKey, claims({ aud: `https://iam.googleapis.com/${noaud}` })), `//iam.googleapis.com/${noaud}`)).status).toBe(200);
    expect((await exchange(signJwt(issuerKey, claims({ aud: 'gcp' })), `//iam.googleapis.com/${noaud}`)).status).toBe(400);
    expect(acceptedAudiences(world.providers.get(noaud)!)).toEqual([`//iam.googleapis.com/${noaud}`, `https://iam.googleapis.com/${noaud}`]);
  });

  test('times: 60 s of skew on exp; iat required; iat or nbf in the future refused (configurable)', async () => {
    const stale = (iat: unknown) => denial('invalid_grant', `ID Token issued at ${String(iat)} is stale to sign-in.`);
    expect((await exchange(signJwt(issuerKey, claims({ iat: T - 400, exp: T - 59 })))).status).toBe(200);
    expect(await exchange(signJwt(issuerKey, claims({ iat: T - 400, exp: T - 61 })))).toEqual(stale(T - 400));
    const noIat = signJwt(issuerKey, claims({ iat: undefined as never }));
    expect(await exchange(noIat)).toEqual(stale(undefined));
    expect(await exchange(signJwt(issuerKey, claims({ iat: T + 600, exp: T + 900 })))).toEqual(denial('invalid_grant', `ID Token issued at ${T + 600} is in the future.`));
    expect(await exchange(signJwt(issuerKey, claims({ nbf: T + 600 })))).toEqual(denial('invalid_grant', `ID Token is not valid before ${T + 600}.`));
    const lenient = await stsToken(world, issuers, form(exchangeFields(signJwt(issuerKey, claims({ iat: T + 600, exp: T + 900 })))), NOW, { ...DEFAULT_GCP_STS_BEHAVIOUR, rejectFutureTokens: false });
    expect(lenient.status).toBe(200);
  });

  test('attribute condition false: 400 unauthorized_client, rejected by the attribute condition', async () => {
    const rejected = denial('unauthorized_client', 'The given credential is rejected by the attribute condition.');
    expect(await exchange(signJwt(issuerKey, claims({ sub: 'spiffe://prod.example/agent/intruder' })))).toEqual(rejected);
  });

  test('mapping: google.subject must be a string of at most 127 bytes', async () => {
    const noaud = `//iam.googleapis.com/${PROVIDER.replace('/spire', '/noaud')}`;
    const aud = noaud; // that provider lists no audiences: its own name is the audience
    expect(await exchange(signJwt(issuerKey, claims({ aud, sub: 42 as never })), noaud)).toEqual(denial('unauthorized_client', "The mapped attribute 'google.subject' must be of type STRING."));
    expect(await exchange(signJwt(issuerKey, claims({ aud, sub: `spiffe://td/${'é'.repeat(58)}` })), noaud)).toEqual(denial('invalid_request', /exceeds the 127 bytes limit/));
    expect((await exchange(signJwt(issuerKey, claims({ aud, sub: `spiffe://td/${'a'.repeat(115)}` })), noaud)).status).toBe(200);
  });
});
