import * as crypto from 'node:crypto';
import { playIssuers } from '../../../../conformance/emulator/azure/played-issuers';
import { DEFAULT_ENTRA_BEHAVIOUR, EntraBehaviour, JWT_BEARER_ASSERTION_TYPE, TokenEndpointContext, matchSubject, tokenRequest } from '../../../../conformance/emulator/azure/token-endpoint';
import { AzureWorld, EntraFederatedCredential, EntraIdentity } from '../../../../conformance/emulator/azure/world';
import { IssuerKey, generateIssuerKey } from '../../../../conformance/oidc/issuer-key';
import { TokenClaims, decodeJwt, signJwt, tamperedJwt, unsignedJwt } from '../../../../conformance/oidc/jwt';
import { fmiSubject } from '../../../../lib/model/azure/fmi-subject';

const ISSUER = 'https://oidc.prod.example';
const EU_ISSUER = 'https://oidc.eu.prod.example';
const SUBJECT = 'spiffe://prod.example/agent/deployer';
const AUDIENCE = 'api://AzureADTokenExchange';
const CLIENT_ID = '11111111-2222-4333-a444-555555555555';

const fic = (issuer: string, subject: string, audience = AUDIENCE): EntraFederatedCredential => ({ id: `fic-${issuer}-${subject}`, name: 'c', issuer, subject, audiences: [audience], origin: 'test/fic' });

function identity(overrides: Partial<EntraIdentity> = {}): EntraIdentity {
  return {
    kind: 'user-assigned-identity',
    resourceId: '/subscriptions/s/resourceGroups/agents/providers/Microsoft.ManagedIdentity/userAssignedIdentities/deployer',
    name: 'deployer',
    clientId: CLIENT_ID,
    principalId: '99999999-8888-4777-a666-555555555555',
    tenantId: 't',
    hasServicePrincipal: true,
    federatedCredentials: [fic(ISSUER, SUBJECT), fic(EU_ISSUER, SUBJECT)],
    origins: ['test/identity'],
    ...overrides,
  };
}

function setup(options: { identities?: EntraIdentity[]; behaviour?: Partial<EntraBehaviour>; playOnly?: string[] } = {}) {
  const world = new AzureWorld();
  for (const i of options.identities ?? [identity()]) world.add(i);
  const issuers = playIssuers(options.playOnly ?? world.issuers());
  const ctx: TokenEndpointContext = { world, issuers, behaviour: { ...DEFAULT_ENTRA_BEHAVIOUR, ...options.behaviour }, origin: 'https://127.0.0.1:1', tenantKey: generateIssuerKey('RS256') };
  const rsa = (issuer = ISSUER) => issuers.get(issuer)!.signingKeys.find((k) => k.alg === 'RS256')!;
  const ec = (issuer = ISSUER) => issuers.get(issuer)!.signingKeys.find((k) => k.alg === 'ES256')!;
  return { world, issuers, ctx, rsa, ec };
}

const now = new Date();
const t = Math.floor(now.getTime() / 1000);
const claims = (overrides: Partial<TokenClaims> = {}): TokenClaims => ({ iss: ISSUER, sub: SUBJECT, aud: AUDIENCE, iat: t, exp: t + 300, ...overrides });

async function exchange(ctx: TokenEndpointContext, assertion: string | undefined, form: Record<string, string | undefined> = {}, tenant = ctx.world.env.tenantId) {
  const fields: Record<string, string | undefined> = {
    grant_type: 'client_credentials',
    client_id: CLIENT_ID,
    scope: 'https://management.azure.com/.default',
    client_assertion_type: JWT_BEARER_ASSERTION_TYPE,
    client_assertion: assertion,
    ...form,
  };
  const body = new URLSearchParams(Object.entries(fields).filter((e): e is [string, string] => e[1] !== undefined)).toString();
  const response = await tokenRequest(ctx, tenant, body, now);
  const json = JSON.parse(response.body) as Record<string, any>;
  return { status: response.status, json, error: json.error as string | undefined, code: (json.error_codes as number[] | undefined)?.[0], description: json.error_description as string | undefined };
}

/** An RSA-PSS (PS256) JWS, which signJwt does not make. */
function signPs256(key: IssuerKey, payload: TokenClaims): string {
  const input = `${Buffer.from(JSON.stringify({ alg: 'PS256', kid: key.kid, typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  const signature = crypto.sign('sha256', Buffer.from(input), { key: key.privateKey, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
  return `${input}.${signature.toString('base64url')}`;
}

describe('Entra token endpoint: success', () => {
  const { ctx, rsa } = setup();

  test('an exact match gets {token_type, expires_in, ext_expires_in, access_token} for the identity', async () => {
    const { status, json } = await exchange(ctx, signJwt(rsa(), claims()));
    expect(status).toBe(200);
    expect(Object.keys(json).sort()).toEqual(['access_token', 'expires_in', 'ext_expires_in', 'token_type']);
    expect(json).toMatchObject({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599 });
    const token = decodeJwt(json.access_token).claims;
    expect(token).toMatchObject({ azp: CLIENT_ID, oid: '99999999-8888-4777-a666-555555555555', aud: 'https://management.azure.com', tid: ctx.world.env.tenantId, idtyp: 'app' });
    expect(token.xms_mirid).toContain('/userAssignedIdentities/deployer');
  });

  test('the second credential (another issuer) works too; so does an audience list containing the credential audience', async () => {
    expect((await exchange(ctx, signJwt(rsa(EU_ISSUER), claims({ iss: EU_ISSUER })))).status).toBe(200);
    expect((await exchange(ctx, signJwt(rsa(), claims({ aud: ['other', AUDIENCE] })))).status).toBe(200);
  });

  test('RSA-PSS (PS256) is an algorithm Entra accepts', async () => {
    expect((await exchange(ctx, signPs256(rsa(), claims()))).status).toBe(200);
  });

  test('the access token is signed by the tenant key, with exp = now + expires_in', async () => {
    const { json } = await exchange(ctx, signJwt(rsa(), claims()));
    const [header, payload, signature] = (json.access_token as string).split('.');
    expect(crypto.verify('sha256', Buffer.from(`${header}.${payload}`), ctx.tenantKey.privateKey, Buffer.from(signature, 'base64url'))).toBe(true);
    expect(decodeJwt(json.access_token).claims.exp).toBe(t + 3599);
  });
});

describe('Entra token endpoint: every AADSTS refusal', () => {
  const { ctx, rsa, ec } = setup();
  const valid = () => signJwt(rsa(), claims());

  test.each([
    ['an unknown tenant', { tenant: 'not-my-tenant' }, 400, 'invalid_request', 90002],
    ['no grant_type', { form: { grant_type: undefined } }, 400, 'invalid_request', 900144],
    ['another grant type', { form: { grant_type: 'password' } }, 400, 'unsupported_grant_type', 70003],
    ['no client_id', { form: { client_id: undefined } }, 400, 'invalid_request', 900144],
    ['no scope', { form: { scope: undefined } }, 400, 'invalid_request', 900144],
    ['a scope without /.default', { form: { scope: 'https://management.azure.com/user_impersonation' } }, 400, 'invalid_scope', 1002012],
    ['two scopes', { form: { scope: 'https://a/.default https://b/.default' } }, 400, 'invalid_scope', 1002012],
    ['no client_assertion_type', { form: { client_assertion_type: undefined } }, 401, 'invalid_client', 7000218],
    ['a SAML assertion type', { form: { client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:saml2-bearer' } }, 401, 'invalid_client', 7000218],
    ['an unknown client_id', { form: { client_id: '00000000-0000-4000-a000-000000000000' } }, 400, 'unauthorized_client', 700016],
  ] as const)('%s', async (_what, request, status, error, code) => {
    const result = await exchange(ctx, valid(), 'form' in request ? request.form : {}, 'tenant' in request ? request.tenant : undefined);
    expect([result.status, result.error, result.code]).toEqual([status, error, code]);
    expect(result.description).toMatch(new RegExp(`^AADSTS${code}: `));
  });

  test('no client_assertion: AADSTS7000218', async () => {
    expect((await exchange(ctx, undefined)).code).toBe(7000218);
  });

  test('the error shape: error_codes, trace and correlation IDs, error_uri on the authority', async () => {
    const { json } = await exchange(ctx, valid(), { client_id: 'nobody' });
    expect(json).toEqual({
      error: 'unauthorized_client',
      error_description: expect.stringMatching(/^AADSTS700016: Application with identifier 'nobody' was not found in the directory '.+'\..* Trace ID: [0-9a-f-]{36} Correlation ID: [0-9a-f-]{36} Timestamp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/),
      error_codes: [700016],
      timestamp: expect.stringMatching(/Z$/),
      trace_id: expect.any(String),
      correlation_id: expect.any(String),
      error_uri: 'https://127.0.0.1:1/error?code=700016',
    });
  });

  test('not a JWT, a header that is not JSON, a missing claim: AADSTS50027', async () => {
    for (const assertion of ['not-a-jwt', 'a.b.c', `${Buffer.from('[]').toString('base64url')}.e30.x`]) {
      expect(await exchange(ctx, assertion)).toMatchObject({ status: 400, error: 'invalid_request', code: 50027 });
    }
    const noExp = signJwt(rsa(), { ...claims(), exp: undefined } as unknown as TokenClaims);
    expect((await exchange(ctx, noExp)).description).toContain("does not contain the 'exp' claim");
  });

  test("alg none and ES256 — even from a key the issuer publishes — AADSTS5002738 'not a supported signature algorithm'", async () => {
    const none = await exchange(ctx, unsignedJwt(claims()));
    expect([none.status, none.error, none.code]).toEqual([400, 'invalid_request', 5002738]);
    expect(none.description).toContain("'none' is not a supported signature algorithm");
    const es256 = await exchange(ctx, signJwt(ec(), claims()));
    expect([es256.status, es256.code]).toEqual([400, 5002738]);
    expect(es256.description).toContain("'ES256' is not a supported signature algorithm");
  });

  test('an RS256 header naming the issuer’s EC key: AADSTS5002730 (unsupported key for the algorithm)', async () => {
    const forged = signJwt(rsa(), claims(), { kid: ec().kid });
    expect((await exchange(ctx, forged)).code).toBe(5002730);
  });

  test('issuer: exact — trailing slash, case and a foreign issuer are AADSTS700211', async () => {
    for (const iss of [`${ISSUER}/`, 'HTTPS://OIDC.PROD.EXAMPLE', 'https://attacker.example', ` ${ISSUER}`]) {
      const result = await exchange(ctx, signJwt(rsa(), claims({ iss })));
      expect([iss, result.status, result.error, result.code]).toEqual([iss, 401, 'invalid_client', 700211]);
      expect(result.description).toContain(`presented assertion issuer '${iss}'`);
    }
  });

  test('a key the issuer does not publish, or no kid: AADSTS7000272 naming the identifier and issuer', async () => {
    const stranger = generateIssuerKey('RS256');
    const result = await exchange(ctx, signJwt(stranger, claims()));
    expect([result.status, result.error, result.code]).toEqual([401, 'invalid_client', 7000272]);
    expect(result.description).toContain(`identifier ${stranger.kid} used to sign the federated credential could not be found in the metadata of identity provider ${ISSUER}`);
    const [, payload, signature] = valid().split('.');
    const noKid = `${Buffer.from(JSON.stringify({ alg: 'RS256' })).toString('base64url')}.${payload}.${signature}`;
    expect((await exchange(ctx, noKid)).code).toBe(7000272);
  });

  test("another issuer's key for this issuer's token: AADSTS7000272 (keys are per issuer)", async () => {
    expect((await exchange(ctx, signJwt(rsa(EU_ISSUER), claims()))).code).toBe(7000272);
  });

  test('a flipped signature bit, or a known kid with the attacker’s key: AADSTS700027', async () => {
    expect(await exchange(ctx, tamperedJwt(valid()))).toMatchObject({ status: 401, error: 'invalid_client', code: 700027 });
    expect((await exchange(ctx, signJwt(generateIssuerKey('RS256'), claims(), { kid: rsa().kid }))).code).toBe(700027);
  });

  test('audience: AADSTS700212, also for a case change', async () => {
    for (const aud of ['api://AzureADMyOrg', 'API://AzureADTokenExchange']) {
      const result = await exchange(ctx, signJwt(rsa(), claims({ aud })));
      expect([result.status, result.error, result.code]).toEqual([401, 'invalid_client', 700212]);
    }
  });

  test('subject: AADSTS700213; a case-only difference AADSTS7002138', async () => {
    const other = await exchange(ctx, signJwt(rsa(), claims({ sub: `${SUBJECT}/x` })));
    expect([other.status, other.error, other.code]).toEqual([401, 'invalid_client', 700213]);
    const cased = await exchange(ctx, signJwt(rsa(), claims({ sub: SUBJECT.replace('deployer', 'Deployer') })));
    expect([cased.status, cased.error, cased.code]).toEqual([401, 'invalid_client', 7002138]);
    expect(cased.description).toContain('matches with case-insensitive comparison, but not with case-sensitive comparison');
  });

  test('validity: expired or not yet valid beyond the 300 s skew is AADSTS700024; within the skew it is accepted', async () => {
    const expired = await exchange(ctx, signJwt(rsa(), claims({ iat: t - 3600, exp: t - 301 })));
    expect([expired.status, expired.error, expired.code]).toEqual([401, 'invalid_client', 700024]);
    expect(expired.description).toMatch(/assertion valid from 1970-01-01T00:00:00\.0000000Z, expiry time of assertion \d{4}-.*\.0000000Z/);
    expect((await exchange(ctx, signJwt(rsa(), claims({ nbf: t + 301, exp: t + 900 })))).code).toBe(700024);
    expect((await exchange(ctx, signJwt(rsa(), claims({ exp: t - 299 })))).status).toBe(200);
    expect((await exchange(ctx, signJwt(rsa(), claims({ nbf: t + 299 })))).status).toBe(200);
  });
});

describe('Entra token endpoint: identity states and behaviour knobs', () => {
  test('no federated credentials: AADSTS70025; an app without a service principal: AADSTS7000229', async () => {
    const bare = setup({ identities: [identity({ federatedCredentials: [] })], playOnly: [ISSUER] });
    expect(await exchange(bare.ctx, signJwt(bare.rsa(), claims()))).toMatchObject({ status: 401, error: 'invalid_client', code: 70025 });
    const app = setup({ identities: [identity({ kind: 'application', hasServicePrincipal: false })] });
    expect(await exchange(app.ctx, signJwt(app.rsa(), claims()))).toMatchObject({ status: 401, error: 'invalid_client', code: 7000229 });
  });

  test('an issuer the emulator does not play: AADSTS90061', async () => {
    const { ctx } = setup({ playOnly: [EU_ISSUER] });
    expect((await exchange(ctx, signJwt(generateIssuerKey('RS256'), claims()))).code).toBe(90061);
  });

  test('subjectMatching case-insensitive reproduces Entra before 2024–25: the case-only subject gets a token', async () => {
    const { ctx, rsa } = setup({ behaviour: { subjectMatching: 'case-insensitive' } });
    expect((await exchange(ctx, signJwt(rsa(), claims({ sub: SUBJECT.toUpperCase() })))).status).toBe(200);
  });

  test('acceptedAlgorithms widened to ES256 lets an ES256 token through; clockSkewSeconds 0 refuses one second late', async () => {
    const es = setup({ behaviour: { acceptedAlgorithms: ['RS256', 'ES256'] } });
    expect((await exchange(es.ctx, signJwt(es.ec(), claims()))).status).toBe(200);
    const strict = setup({ behaviour: { clockSkewSeconds: 0 } });
    expect((await exchange(strict.ctx, signJwt(strict.rsa(), claims({ exp: t - 1 })))).code).toBe(700024);
  });
});

describe('matchSubject', () => {
  const credentials = [fic(ISSUER, 'repo:Org/Repo:environment:prod')];
  test('exact, case-only, none, and case-insensitive mode', () => {
    expect(matchSubject(credentials, 'repo:Org/Repo:environment:prod', 'exact')).toBe(credentials[0]);
    expect(matchSubject(credentials, 'repo:org/repo:environment:prod', 'exact')).toBe('case-only');
    expect(matchSubject(credentials, 'repo:Org/Repo:environment:dev', 'exact')).toBeUndefined();
    expect(matchSubject(credentials, 'repo:org/repo:environment:prod', 'case-insensitive')).toBe(credentials[0]);
  });
});

describe('Entra token endpoint: the agent flow (fmi_path, two legs)', () => {
  const BLUEPRINT = 'b1b1b1b1-0000-4000-a000-000000000001';
  const OTHER_BLUEPRINT = 'b2b2b2b2-0000-4000-a000-000000000002';
  const AGENT = 'a1a1a1a1-0000-4000-a000-000000000001';
  const SIBLING = 'a1a1a1a1-0000-4000-a000-000000000002';
  const STRANGER = 'a2a2a2a2-0000-4000-a000-000000000003';
  const OTHER_SUBJECT = 'spiffe://prod.example/agent/reporter';
  const blueprint = (clientId: string, subject: string) =>
    identity({ kind: 'agent-blueprint', clientId, principalId: `${clientId.slice(0, 8)}-1111-4111-a111-111111111111`, resourceId: `/applications/${clientId}`, federatedCredentials: [fic(ISSUER, subject)], origins: [`test/${clientId}`] });
  const agent = (clientId: string, blueprintClientId: string) =>
    identity({ kind: 'agent-identity', clientId, principalId: `${clientId.slice(0, 8)}-9999-4999-a999-999999999999`, resourceId: `/servicePrincipals/${clientId}`, federatedCredentials: [], origins: [`test/${clientId}`], blueprintClientId });
  const identities = () => [blueprint(BLUEPRINT, SUBJECT), blueprint(OTHER_BLUEPRINT, OTHER_SUBJECT), agent(AGENT, BLUEPRINT), agent(SIBLING, BLUEPRINT), agent(STRANGER, OTHER_BLUEPRINT)];
  const leg1Form = (fmiPath: string | undefined, clientId = BLUEPRINT) => ({ client_id: clientId, scope: 'api://AzureADTokenExchange/.default', fmi_path: fmiPath });
  const leg2Form = (clientId = AGENT) => ({ client_id: clientId, scope: 'https://management.azure.com/.default' });

  async function leg1(ctx: TokenEndpointContext, rsa: () => IssuerKey, fmiPath: string | undefined = AGENT, subject = SUBJECT, clientId = BLUEPRINT) {
    const result = await exchange(ctx, signJwt(rsa(), claims({ sub: subject })), leg1Form(fmiPath, clientId));
    return { ...result, token: result.json.access_token as string | undefined };
  }

  test('leg 1 → a token for api://AzureADTokenExchange whose subject is the FMI path; leg 2 → a token whose subject and oid are the agent', async () => {
    const { ctx, rsa } = setup({ identities: identities() });
    const first = await leg1(ctx, rsa);
    expect(first.status).toBe(200);
    const t1 = decodeJwt(first.token!).claims;
    expect(t1).toMatchObject({ iss: `https://127.0.0.1:1/${ctx.world.env.tenantId}/v2.0`, aud: 'api://AzureADTokenExchange', azp: BLUEPRINT, sub: fmiSubject(ctx.world.env.tenantId, BLUEPRINT, AGENT) });
    const second = await exchange(ctx, first.token, leg2Form());
    expect(second.status).toBe(200);
    const token = decodeJwt(second.json.access_token).claims;
    expect(token).toMatchObject({ sub: 'a1a1a1a1-9999-4999-a999-999999999999', oid: 'a1a1a1a1-9999-4999-a999-999999999999', azp: AGENT, xms_par_app_azp: BLUEPRINT, aud: 'https://management.azure.com', idtyp: 'app' });
  });

  test('the attested JWT presented directly as the agent: AADSTS700211 (an agent trusts only its blueprint’s tenant tokens)', async () => {
    const { ctx, rsa } = setup({ identities: identities() });
    expect((await exchange(ctx, signJwt(rsa(), claims()), leg2Form())).code).toBe(700211);
  });

  test('RFC 8693 token exchange: AADSTS82001', async () => {
    const { ctx, rsa } = setup({ identities: identities() });
    const result = await exchange(ctx, signJwt(rsa(), claims()), { grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange' });
    expect([result.status, result.error, result.code]).toEqual([400, 'unsupported_grant_type', 82001]);
  });

  test('leg 1 with another subject, issuer or audience than the blueprint trusts: the federated credential refusals', async () => {
    const { ctx, rsa } = setup({ identities: identities() });
    expect((await leg1(ctx, rsa, AGENT, OTHER_SUBJECT)).code).toBe(700213);
    expect((await exchange(ctx, signJwt(rsa(), claims({ iss: 'https://attacker.example' })), leg1Form(AGENT))).code).toBe(700211);
    expect((await exchange(ctx, signJwt(rsa(), claims({ aud: 'api://AzureADMyOrg' })), leg1Form(AGENT))).code).toBe(700212);
  });

  test('leg 1 naming an unknown fmi_path, or another blueprint’s agent: AADSTS700016 at leg 1', async () => {
    const { ctx, rsa } = setup({ identities: identities() });
    for (const path of ['00000000-0000-4000-a000-00000000dead', STRANGER]) {
      const result = await leg1(ctx, rsa, path);
      expect([path, result.status, result.error, result.code]).toEqual([path, 400, 'unauthorized_client', 700016]);
      expect(result.token).toBeUndefined();
    }
  });

  test('a sibling’s fmi_path under the same blueprint is issued: the blueprint’s attestation reaches every agent under it', async () => {
    const { ctx, rsa } = setup({ identities: identities() });
    const first = await leg1(ctx, rsa, SIBLING);
    expect((await exchange(ctx, first.token, leg2Form(SIBLING))).status).toBe(200);
  });

  test('leg 2 with a leg-1 token of another blueprint, or for another agent: AADSTS7002137 naming the subject expected', async () => {
    const { ctx, rsa } = setup({ identities: identities() });
    const foreign = await leg1(ctx, rsa, STRANGER, OTHER_SUBJECT, OTHER_BLUEPRINT);
    expect(foreign.status).toBe(200);
    // Presented as an agent of the first blueprint: its FMI subject names the other blueprint and path.
    const result = await exchange(ctx, foreign.token, leg2Form(AGENT));
    expect([result.status, result.error, result.code]).toEqual([401, 'invalid_client', 7002137]);
    expect(result.description).toContain(`Please make sure the federated identity credential Subject is '${fmiSubject(ctx.world.env.tenantId, BLUEPRINT, AGENT)}'`);
    const sibling = await leg1(ctx, rsa, SIBLING);
    expect((await exchange(ctx, sibling.token, leg2Form(AGENT))).code).toBe(7002137);
  });

  test('leg 2 with an expired leg-1 token, one for another audience, from another tenant, or forged: 700024, 700212, 700211, 700027/7000272', async () => {
    const { ctx } = setup({ identities: identities() });
    const tenantIss = `https://127.0.0.1:1/${ctx.world.env.tenantId}/v2.0`;
    const t1 = (overrides: Partial<TokenClaims> = {}, key = ctx.tenantKey) => signJwt(key, { iss: tenantIss, sub: fmiSubject(ctx.world.env.tenantId, BLUEPRINT, AGENT), aud: AUDIENCE, iat: t - 60, exp: t + 600, ...overrides });
    expect((await exchange(ctx, t1(), leg2Form())).status).toBe(200);
    expect((await exchange(ctx, t1({ iat: t - 7200, exp: t - 3600 }), leg2Form())).code).toBe(700024);
    expect((await exchange(ctx, t1({ aud: 'https://graph.microsoft.com' }), leg2Form())).code).toBe(700212);
    expect((await exchange(ctx, t1({ iss: 'https://127.0.0.1:1/0b0b0b0b-0000-4000-a000-000000000000/v2.0' }), leg2Form())).code).toBe(700211);
    expect((await exchange(ctx, tamperedJwt(t1()), leg2Form())).code).toBe(700027);
    expect((await exchange(ctx, t1({}, generateIssuerKey('RS256')), leg2Form())).code).toBe(7000272);
  });

  test('a blueprint without its principal cannot sign in: AADSTS7000229', async () => {
    const { ctx, rsa } = setup({ identities: [{ ...blueprint(BLUEPRINT, SUBJECT), hasServicePrincipal: false }, agent(AGENT, BLUEPRINT)] });
    expect((await leg1(ctx, rsa)).code).toBe(7000229);
  });

  test('lax knobs: fmiPathAtLeg1 any defers the refusal to leg 2; agentAssertionBlueprint any-blueprint lets another blueprint’s token through', async () => {
    const any = setup({ identities: identities(), behaviour: { fmiPathAtLeg1: 'any' } });
    const unrelated = await leg1(any.ctx, any.rsa, STRANGER);
    expect(unrelated.status).toBe(200);
    expect((await exchange(any.ctx, unrelated.token, leg2Form(STRANGER))).code).toBe(7002137);
    const lax = setup({ identities: identities(), behaviour: { agentAssertionBlueprint: 'any-blueprint' } });
    const foreign = await leg1(lax.ctx, lax.rsa, STRANGER, OTHER_SUBJECT, OTHER_BLUEPRINT);
    // The other blueprint's token names STRANGER's path; with an FMI path of AGENT under it, the lax tenant issues.
    const forAgent = signJwt(lax.ctx.tenantKey, { ...decodeJwt(foreign.token!).claims, sub: fmiSubject(lax.ctx.world.env.tenantId, OTHER_BLUEPRINT, AGENT) } as TokenClaims);
    expect((await exchange(lax.ctx, forAgent, leg2Form(AGENT))).status).toBe(200);
  });
});
