import * as crypto from 'node:crypto';
import { IssuerKey, JwsAlgorithm } from './issuer-key';

/** The claims of a token an agent presents: a JWT-SVID or any OIDC ID token. */
export interface TokenClaims {
  readonly iss: string;
  readonly sub: string;
  readonly aud: string | readonly string[];
  /** Seconds since the epoch; default now. */
  readonly iat?: number;
  readonly nbf?: number;
  /** Seconds since the epoch; default iat + 5 minutes (SPIRE's default SVID TTL). */
  readonly exp?: number;
  readonly [claim: string]: unknown;
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Signs a compact JWS by hand (synchronously): RS256 is RSASSA-PKCS1-v1_5 with SHA-256, ES256
 * ECDSA P-256 with the raw r||s signature JOSE requires (RFC 7518 §3.4), not DER.
 */
export function signJwt(key: IssuerKey, claims: TokenClaims, header: { alg?: JwsAlgorithm; kid?: string; typ?: string } = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const payload = { iat: now, exp: (claims.iat ?? now) + 300, ...claims };
  const protectedHeader = { alg: header.alg ?? key.alg, kid: header.kid ?? key.kid, typ: header.typ ?? 'JWT' };
  const input = `${b64(protectedHeader)}.${b64(payload)}`;
  const signature =
    (header.alg ?? key.alg) === 'RS256'
      ? crypto.sign('sha256', Buffer.from(input), key.privateKey)
      : crypto.sign('sha256', Buffer.from(input), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

/** An unsigned token (`alg: none`): accepting it means accepting anything. */
export function unsignedJwt(claims: TokenClaims): string {
  const now = Math.floor(Date.now() / 1000);
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ iat: now, exp: now + 300, ...claims })}.`;
}

/** The same token with one bit of its signature flipped. */
export function tamperedJwt(token: string): string {
  const [header, payload, signature] = token.split('.');
  const bytes = Buffer.from(signature, 'base64url');
  bytes[bytes.length >> 1] ^= 0x01;
  return `${header}.${payload}.${bytes.toString('base64url')}`;
}

/** Decodes a compact JWT's header and claims without verifying anything. */
export function decodeJwt(token: string): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const [header, payload] = token.split('.');
  return { header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')), claims: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) };
}
