import * as crypto from 'node:crypto';
import { compactVerify, importJWK } from 'jose';
import { IssuerKey } from '../../oidc/issuer-key';
import { signJwt } from '../../oidc/jwt';
import { EmulatorHttpResponse } from '../http/loopback-server';
import { AADSTS, AadErrorSpec, JSON_HEADERS, aadError } from './aad-errors';
import { fmiSubject } from '../../../lib/model/azure/fmi-subject';
import { PlayedIssuer } from './played-issuers';
import { AzureWorld, EntraFederatedCredential, EntraIdentity } from './world';

/**
 * Entra's v2 token endpoint for the client-credentials grant with a federated client assertion
 * (reference/gcp-azure.md §5.1–5.2): `POST /{tenant}/oauth2/v2.0/token`, form-encoded.
 *
 * The checks run in this order — request shape, client, assertion format and algorithm, issuer,
 * signing key, signature, audience, subject, validity period — and each refusal carries the
 * AADSTS code Entra uses for it. Entra documents the codes, not the order; the order chosen puts
 * everything that needs the issuer's keys after the issuer match, as it must be.
 */

export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** RFC 8693's grant: Entra refuses it (AADSTS82001); agent flows use client credentials. */
export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
/** The audience of federated assertions, and the resource of the agent flow's first leg. */
export const TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';

/** The algorithms Entra accepts for federated client assertions: RSA only (microsoft-identity-web#3467). */
export const ENTRA_ASSERTION_ALGORITHMS: readonly string[] = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];

/** Where Entra's documentation is silent, what the emulator does; each knob is in the divergence table of docs/emulator.md. */
export interface EntraBehaviour {
  /** Clock skew allowed on `exp` and `nbf`, seconds. @default 300 (Microsoft.IdentityModel's default) */
  readonly clockSkewSeconds: number;
  /** `expires_in` of issued access tokens. @default 3599 */
  readonly accessTokenLifetimeSeconds: number;
  /** Assertion algorithms accepted. @default RS256/384/512, PS256/384/512 */
  readonly acceptedAlgorithms: readonly string[];
  /**
   * Subject matching: `exact` (Entra since the 2024–25 rollout) or `case-insensitive` (before it),
   * to reproduce the old behaviour. @default 'exact'
   */
  readonly subjectMatching: 'exact' | 'case-insensitive';
  /**
   * The agent flow's first leg with an `fmi_path` that names no agent identity of the blueprint:
   * `agents-of-blueprint` refuses it there (AADSTS700016, chosen); `any` issues the token for any
   * path, as Federated Managed Identity paths are otherwise free-form, and leaves the refusal to
   * the second leg (AADSTS7002137). @default 'agents-of-blueprint'
   */
  readonly fmiPathAtLeg1: 'agents-of-blueprint' | 'any';
  /**
   * Which first-leg tokens an agent identity accepts in the second leg: `own-blueprint` (its
   * blueprint's, for its own path: the documented trust), or `any-blueprint` — a lax tenant for
   * the conformance checks to FAIL on, never Entra's behaviour. @default 'own-blueprint'
   */
  readonly agentAssertionBlueprint: 'own-blueprint' | 'any-blueprint';
}

export const DEFAULT_ENTRA_BEHAVIOUR: EntraBehaviour = {
  clockSkewSeconds: 300,
  accessTokenLifetimeSeconds: 3599,
  acceptedAlgorithms: ENTRA_ASSERTION_ALGORITHMS,
  subjectMatching: 'exact',
  fmiPathAtLeg1: 'agents-of-blueprint',
  agentAssertionBlueprint: 'own-blueprint',
};

export interface TokenEndpointContext {
  readonly world: AzureWorld;
  readonly issuers: ReadonlyMap<string, PlayedIssuer>;
  readonly behaviour: EntraBehaviour;
  /** `https://127.0.0.1:<port>`: the authority host clients use. */
  readonly origin: string;
  /** The tenant's own signing key, for the access tokens it issues. */
  readonly tenantKey: IssuerKey;
}

const WIF_DOC = 'https://learn.microsoft.com/entra/workload-id/workload-identity-federation';
const MISMATCH_HINT = `Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. ${WIF_DOC}`;

/** `2024-10-02T22:05:03.0000000Z`: Entra's format in AADSTS700024. */
const entraInstant = (seconds: number) => `${new Date(seconds * 1000).toISOString().slice(0, 19)}.0000000Z`;

function decodePart(part: string | undefined): Record<string, unknown> | undefined {
  if (part === undefined || !/^[A-Za-z0-9_-]+$/.test(part)) return undefined;
  try {
    const value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export async function tokenRequest(ctx: TokenEndpointContext, tenant: string, body: string, now: Date): Promise<EmulatorHttpResponse> {
  const refuse = (spec: AadErrorSpec, message: string) => aadError(spec, message, now, ctx.origin);
  const { env } = ctx.world;
  if (tenant !== env.tenantId) {
    return refuse(AADSTS.tenantNotFound, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);
  }
  const form = new URLSearchParams(body);
  const missing = ['grant_type', 'client_id', 'scope'].find((p) => !form.get(p));
  if (missing === 'grant_type') return refuse(AADSTS.missingParameter, "The request body must contain the following parameter: 'grant_type'.");
  const grantType = form.get('grant_type')!;
  if (grantType === TOKEN_EXCHANGE_GRANT) {
    return refuse(AADSTS.tokenExchangeUnsupported, 'The OAuth 2.0 token exchange grant (RFC 8693) is not supported. Use the client credentials grant with a client assertion.');
  }
  if (grantType !== 'client_credentials') return refuse(AADSTS.unsupportedGrantType, `The app requested an unsupported grant type '${grantType}'.`);
  if (missing) return refuse(AADSTS.missingParameter, `The request body must contain the following parameter: '${missing}'.`);
  const scope = form.get('scope')!.trim();
  if (scope.split(/\s+/).length !== 1 || !scope.endsWith('/.default')) {
    return refuse(
      AADSTS.invalidScope,
      `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
    );
  }
  const assertion = form.get('client_assertion');
  if (form.get('client_assertion_type') !== JWT_BEARER_ASSERTION_TYPE || !assertion) {
    return refuse(AADSTS.missingClientCredential, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
  }

  const clientId = form.get('client_id')!;
  const identity = ctx.world.identities.get(clientId);
  if (!identity) {
    return refuse(
      AADSTS.applicationNotFound,
      `Application with identifier '${clientId}' was not found in the directory '${env.tenantId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    );
  }
  if (!identity.hasServicePrincipal) return refuse(AADSTS.missingServicePrincipal, `The client application ${clientId} is missing service principal in the tenant ${env.tenantId}.`);
  const credentials = credentialsOf(ctx, identity);
  if (credentials.length === 0) {
    return refuse(AADSTS.noFederatedCredentials, `The client '${clientId}'(${identity.name}) has no configured federated identity credentials.`);
  }

  const parts = assertion.split('.');
  const header = decodePart(parts[0]);
  const claims = decodePart(parts[1]);
  if (parts.length !== 3 || !header || !claims) return refuse(AADSTS.invalidJwt, 'Invalid JWT token. The token is not in JWS compact serialization format.');
  const alg = header.alg;
  if (typeof alg !== 'string') return refuse(AADSTS.invalidJwt, "Invalid JWT token. The token header has no 'alg'.");
  if (!ctx.behaviour.acceptedAlgorithms.includes(alg)) return refuse(AADSTS.unsupportedAlgorithm, `Invalid JWT token. '${alg}' is not a supported signature algorithm.`);
  for (const claim of ['iss', 'sub', 'aud', 'exp'] as const) {
    if (claims[claim] === undefined) return refuse(AADSTS.invalidJwt, `Invalid JWT token. The token does not contain the '${claim}' claim.`);
  }
  const { iss, sub, aud, exp, nbf } = claims;
  const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) && aud.every((a) => typeof a === 'string') ? (aud as string[]) : undefined;
  if (typeof iss !== 'string' || typeof sub !== 'string' || !audiences || typeof exp !== 'number' || (nbf !== undefined && typeof nbf !== 'number')) {
    return refuse(AADSTS.invalidJwt, 'Invalid JWT token. The iss, sub, aud, exp or nbf claim has the wrong type.');
  }

  // Exact and case-sensitive; a trailing slash is a different issuer.
  const byIssuer = credentials.filter((c) => c.issuer === iss);
  if (byIssuer.length === 0) return refuse(AADSTS.issuerNotMatched, `No matching federated identity record found for presented assertion issuer '${iss}'. ${MISMATCH_HINT}`);

  // The tenant's own tokens (an agent's first leg) verify with the tenant's key; other issuers are played.
  const jwks = iss === tenantIssuer(ctx) ? { keys: [ctx.tenantKey.publicJwk as unknown as Record<string, unknown>] } : ctx.issuers.get(iss)?.jwks;
  if (!jwks) return refuse(AADSTS.issuerMetadataUnavailable, `Request to External OIDC endpoint failed. Issuer: '${iss}'.`);
  const kid = typeof header.kid === 'string' ? header.kid : typeof header.x5t === 'string' ? header.x5t : undefined;
  const jwk = kid === undefined ? undefined : jwks.keys.find((k) => k.kid === kid || k.x5t === kid);
  if (!jwk) {
    return refuse(
      AADSTS.signingKeyNotFound,
      `The certificate with identifier ${kid ?? '(none)'} used to sign the federated credential could not be found in the metadata of identity provider ${iss}. Please validate that your Identity Provider's metadata exposes the key used to sign the incoming token.`,
    );
  }
  let key: Awaited<ReturnType<typeof importJWK>>;
  try {
    if (jwk.kty !== 'RSA' && /^(RS|PS)/.test(alg)) throw new Error('not an RSA key');
    key = await importJWK({ ...jwk, alg: undefined } as Parameters<typeof importJWK>[0], alg);
  } catch {
    return refuse(AADSTS.keyAlgorithmMismatch, 'Invalid JWT token. Unsupported key for the signing algorithm.');
  }
  try {
    await compactVerify(assertion, key, { algorithms: [alg] });
  } catch {
    return refuse(AADSTS.invalidSignature, 'Client assertion contains an invalid signature.');
  }

  const byAudience = byIssuer.filter((c) => c.audiences.some((a) => audiences.includes(a)));
  if (byAudience.length === 0) {
    return refuse(AADSTS.audienceNotMatched, `No matching federated identity record found for presented assertion audience '${audiences.join(', ')}'. ${MISMATCH_HINT}`);
  }
  const match = matchSubject(byAudience, sub, ctx.behaviour.subjectMatching);
  if (match === 'case-only') {
    return refuse(
      AADSTS.subjectCaseMismatch,
      `No matching federated identity record found for presented assertion subject '${sub}'. The subject matches with case-insensitive comparison, but not with case-sensitive comparison.`,
    );
  }
  if (!match && identity.kind === 'agent-identity') {
    return refuse(
      AADSTS.fmiSubjectNotMatched,
      `No matching federated identity record found for presented assertion subject '${sub}'. Please make sure the federated identity credential Subject is '${byAudience[0].subject}'.`,
    );
  }
  if (!match) return refuse(AADSTS.subjectNotMatched, `No matching federated identity record found for presented assertion subject '${sub}'. ${MISMATCH_HINT}`);

  const t = Math.floor(now.getTime() / 1000);
  const skew = ctx.behaviour.clockSkewSeconds;
  if (t > exp + skew || (typeof nbf === 'number' && t < nbf - skew)) {
    return refuse(
      AADSTS.assertionOutsideValidity,
      `Client assertion is not within its valid time range. Current time: ${entraInstant(t)}, assertion valid from ${entraInstant(typeof nbf === 'number' ? nbf : 0)}, expiry time of assertion ${entraInstant(exp)}.`,
    );
  }
  const fmiPath = form.get('fmi_path');
  if (fmiPath !== null) {
    const refused = fmiPathRefusal(ctx, identity, fmiPath);
    if (refused) return refuse(AADSTS.fmiPathNotAgentOfBlueprint, refused);
  }
  return issueAccessToken(ctx, identity, scope, now, fmiPath ?? undefined);
}

/** The issuer of the tenant's own tokens: what a first-leg token carries as `iss`. */
export const tenantIssuer = (ctx: Pick<TokenEndpointContext, 'origin' | 'world'>): string => `${ctx.origin}/${ctx.world.env.tenantId}/v2.0`;

/**
 * The credentials an identity accepts assertions under. An agent identity holds none of its own
 * (Graph refuses them: PropertyNotCompatibleWithAgentIdentity); it accepts its blueprint's
 * first-leg token for its own path — the tenant's issuer, the FMI subject naming the blueprint
 * and the agent, audience api://AzureADTokenExchange.
 */
function credentialsOf(ctx: TokenEndpointContext, identity: EntraIdentity): readonly EntraFederatedCredential[] {
  if (identity.kind !== 'agent-identity') return identity.federatedCredentials;
  const blueprints =
    ctx.behaviour.agentAssertionBlueprint === 'any-blueprint'
      ? [...ctx.world.identities.values()].filter((i) => i.kind === 'agent-blueprint').map((i) => i.clientId)
      : [identity.blueprintClientId!];
  return blueprints.map((blueprint) => ({
    id: `fmi:${blueprint}/${identity.clientId}`,
    name: 'agent identity blueprint',
    issuer: tenantIssuer(ctx),
    subject: fmiSubject(ctx.world.env.tenantId, blueprint, identity.clientId),
    audiences: [TOKEN_EXCHANGE_AUDIENCE],
    origin: identity.origins[0],
  }));
}

/** Why a first leg may not name this `fmi_path`, or undefined when it may. */
function fmiPathRefusal(ctx: TokenEndpointContext, client: EntraIdentity, fmiPath: string): string | undefined {
  if (ctx.behaviour.fmiPathAtLeg1 === 'any') return undefined;
  const agent = ctx.world.identities.get(fmiPath);
  if (agent?.kind === 'agent-identity' && agent.blueprintClientId === client.clientId) return undefined;
  return agent?.kind === 'agent-identity'
    ? `The fmi_path '${fmiPath}' names an agent identity of another blueprint than the client '${client.clientId}'.`
    : `Application with identifier '${fmiPath}' (fmi_path) was not found among the agent identities of the blueprint '${client.clientId}' in the directory '${ctx.world.env.tenantId}'.`;
}

/**
 * The credential whose subject matches: exactly, or — only when configured to reproduce Entra
 * before 2024–25 — ignoring case. `case-only` when a subject matches ignoring case alone.
 */
export function matchSubject(credentials: readonly EntraFederatedCredential[], subject: string, mode: EntraBehaviour['subjectMatching']): EntraFederatedCredential | 'case-only' | undefined {
  const exact = credentials.find((c) => c.subject === subject);
  if (exact) return exact;
  const folded = credentials.find((c) => c.subject.toLowerCase() === subject.toLowerCase());
  if (!folded) return undefined;
  return mode === 'case-insensitive' ? folded : 'case-only';
}

/**
 * A v2 access token signed with the tenant's key (published at its jwks_uri). With `fmi_path`, the
 * first leg of the agent flow: its subject is the FMI path (blueprint and agent). For an agent
 * identity, the second leg: subject and `oid` are the agent's, `xms_par_app_azp` its blueprint
 * (Agent ID's token claims reference).
 */
function issueAccessToken(ctx: TokenEndpointContext, identity: EntraIdentity, scope: string, now: Date, fmiPath?: string): EmulatorHttpResponse {
  const t = Math.floor(now.getTime() / 1000);
  const lifetime = ctx.behaviour.accessTokenLifetimeSeconds;
  const tenantId = ctx.world.env.tenantId;
  const accessToken = signJwt(ctx.tenantKey, {
    iss: tenantIssuer(ctx),
    sub: fmiPath === undefined ? identity.principalId : fmiSubject(tenantId, identity.clientId, fmiPath),
    aud: scope.slice(0, -'/.default'.length),
    iat: t,
    nbf: t,
    exp: t + lifetime,
    azp: identity.clientId,
    azpacr: '2',
    idtyp: 'app',
    oid: identity.principalId,
    tid: tenantId,
    uti: crypto.randomBytes(16).toString('base64url'),
    ver: '2.0',
    ...(identity.kind === 'user-assigned-identity' ? { xms_mirid: identity.resourceId } : {}),
    ...(identity.kind === 'agent-identity' ? { xms_par_app_azp: identity.blueprintClientId } : {}),
  });
  const body = { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: accessToken };
  return { status: 200, headers: JSON_HEADERS, body: JSON.stringify(body) };
}
