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

type JwsHeader = { alg?: JwsAlgorithm; kid?: string; typ?: string };

/** The JWS signing input (`header.payload`) and how to sign it, shared by both signers so their tokens are byte for byte the same. */
function signingInput(key: IssuerKey, claims: TokenClaims, header: JwsHeader): { input: string; alg: JwsAlgorithm } {
  const now = Math.floor(Date.now() / 1000);
  const payload = { iat: now, exp: (claims.iat ?? now) + 300, ...claims };
  const alg = header.alg ?? key.alg;
  const protectedHeader = { alg, kid: header.kid ?? key.kid, typ: header.typ ?? 'JWT' };
  return { input: `${b64(protectedHeader)}.${b64(payload)}`, alg };
}

// RS256 is RSASSA-PKCS1-v1_5 with SHA-256, ES256 ECDSA P-256 with the raw r||s signature JOSE
// requires (RFC 7518 §3.4), not DER.
const signingKey = (key: IssuerKey, alg: JwsAlgorithm) => (alg === 'RS256' ? key.privateKey : { key: key.privateKey, dsaEncoding: 'ieee-p1363' as const });

/** Signs a compact JWS by hand, synchronously: on the calling thread. */
export function signJwt(key: IssuerKey, claims: TokenClaims, header: JwsHeader = {}): string {
  const { input, alg } = signingInput(key, claims, header);
  return `${input}.${crypto.sign('sha256', Buffer.from(input), signingKey(key, alg)).toString('base64url')}`;
}

/**
 * `signJwt` with the signature computed on libuv's thread pool (crypto.sign with a callback), so
 * a prober that signs a token per request (an RSA private-key operation each, the largest linear
 * cost of a GCP run at scale) leaves its event loop free for the requests. The same token as
 * `signJwt` with the same claims and clock second (RS256 is deterministic).
 */
export function signJwtAsync(key: IssuerKey, claims: TokenClaims, header: JwsHeader = {}): Promise<string> {
  const { input, alg } = signingInput(key, claims, header);
  return new Promise((resolve, reject) =>
    crypto.sign('sha256', Buffer.from(input), signingKey(key, alg), (error, signature) => (error ? reject(error) : resolve(`${input}.${signature.toString('base64url')}`))),
  );
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
