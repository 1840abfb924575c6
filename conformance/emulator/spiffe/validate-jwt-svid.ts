import * as crypto from 'node:crypto';
import { SpiffeId } from '../../../lib/core/spiffe-id';
import { jsonToStruct, StructMessage } from '../../../lib/spiffe/workload-api/proto';
import { IssuerKey } from '../../oidc/issuer-key';

/** go-jose's default leeway on exp, which go-spiffe's validation uses. */
export const VALIDATION_LEEWAY_SECONDS = 60;

/**
 * ValidateJWTSVID's judgement, in go-spiffe's order and words (`jwtsvid: …`): a compact JWS, `typ`
 * JWT or JOSE if present, `sub` and `exp` present, `sub` a SPIFFE ID of a trust domain whose JWT
 * authorities we hold, a `kid` among them, the signature, then `exp` (60 s leeway) and the
 * audience. Claims are returned with `aud` as a list, as SPIRE returns them.
 */
export function validateJwtSvid(
  token: string,
  audience: string,
  authorities: { readonly trustDomain: string; readonly keys: readonly IssuerKey[]; readonly now: Date },
): { spiffeId: string; claims: StructMessage } | { problem: string } {
  const fail = (problem: string) => ({ problem: `jwtsvid: ${problem}` });
  const parts = token.split('.');
  if (parts.length !== 3) return fail('unable to parse JWT token');
  let header: Record<string, unknown>;
  let claims: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    return fail('unable to parse JWT token');
  }
  if (header.typ !== undefined && header.typ !== 'JWT' && header.typ !== 'JOSE') return fail('token header type not equal to either JWT or JOSE');
  if (typeof claims.sub !== 'string' || claims.sub === '') return fail('token missing subject claim');
  if (typeof claims.exp !== 'number') return fail('token missing exp claim');
  let id: SpiffeId;
  try {
    id = SpiffeId.parse(claims.sub);
  } catch (error) {
    return fail(`token has an invalid subject claim: ${(error as Error).message}`);
  }
  if (typeof header.kid !== 'string' || header.kid === '') return fail('token header missing key id');
  if (id.trustDomain !== authorities.trustDomain) return fail(`no bundle found for trust domain "${id.trustDomain}"`);
  const key = authorities.keys.find((k) => k.kid === header.kid);
  if (!key) return fail(`no JWT authority "${header.kid}" found for trust domain "${id.trustDomain}"`);
  const signature = Buffer.from(parts[2], 'base64url');
  const input = Buffer.from(`${parts[0]}.${parts[1]}`);
  const publicKey = crypto.createPublicKey(key.privateKey);
  const verified =
    header.alg === key.alg &&
    (key.alg === 'RS256' ? crypto.verify('sha256', input, publicKey, signature) : crypto.verify('sha256', input, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature));
  if (!verified) return fail('unable to get claims from token: the signature does not verify with the JWT authority');
  if (claims.exp + VALIDATION_LEEWAY_SECONDS < authorities.now.getTime() / 1000) return fail('token has expired');
  const tokenAudience = typeof claims.aud === 'string' ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : [];
  if (!tokenAudience.includes(audience)) return fail(`expected audience in ["${audience}"] (audience=${JSON.stringify(tokenAudience)})`);
  return { spiffeId: id.toString(), claims: jsonToStruct({ ...claims, aud: tokenAudience }) };
}
