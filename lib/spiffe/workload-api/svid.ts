import * as crypto from 'node:crypto';
import { Certificate, parseCertificate } from '../../core/pki/certificate';
import { TAG, readNode } from '../../core/pki/der';
import { SpiffeId } from '../../core/spiffe-id';
import type { JwtSvidMessage, X509SvidMessage, X509SvidResponseMessage } from './proto';

/** An X.509-SVID with its private key, as the Workload API hands it to the workload. */
export interface X509Svid {
  readonly spiffeId: string;
  /** The leaf certificate, parsed. */
  readonly leaf: Certificate;
  /** DER certificates: the leaf first, then intermediates towards the trust domain's authorities. */
  readonly certificates: readonly Buffer[];
  readonly privateKey: crypto.KeyObject;
  /** DER certificates of the trust domain's X.509 authorities (its bundle). */
  readonly bundle: readonly Buffer[];
  /** The entry's hint (`internal`, `external`, …), or `''`. */
  readonly hint: string;
  /** The leaf's notAfter. */
  readonly expiresAt: Date;
}

/** One message of the X.509-SVID stream: every SVID the workload is entitled to, and its trust material. */
export interface X509Context {
  readonly svids: readonly X509Svid[];
  /** Foreign trust domains' X.509 authorities (DER), by trust domain ID (`spiffe://other.example`). */
  readonly federatedBundles: ReadonlyMap<string, readonly Buffer[]>;
  /** DER CRLs. */
  readonly crls: readonly Buffer[];
}

/** A JWT-SVID as the Workload API returns it, with the claims a workload needs read (not verified: the agent is trusted). */
export interface JwtSvid {
  readonly spiffeId: string;
  /** The compact JWS. */
  readonly token: string;
  readonly audience: readonly string[];
  readonly expiresAt: Date;
  readonly hint: string;
}

/** Why a Workload API answer cannot be used. */
export class InvalidSvidError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidSvidError';
  }
}

/** Splits concatenated DER certificates (the Workload API's `x509_svid` and `bundle` fields). */
export function splitDerCertificates(bytes: Uint8Array, field: string): Buffer[] {
  const certificates: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; ) {
    let end: number;
    try {
      const node = readNode(bytes, offset);
      if (node.tag !== TAG.SEQUENCE) throw new Error(`expected a SEQUENCE, found tag 0x${node.tag.toString(16)}`);
      end = node.end;
    } catch (error) {
      throw new InvalidSvidError(`${field} is not a sequence of DER certificates (at byte ${offset}: ${(error as Error).message})`);
    }
    certificates.push(Buffer.from(bytes.subarray(offset, end)));
    offset = end;
  }
  return certificates;
}

/**
 * Reads one X509SVID message and checks what go-spiffe's parser checks: a chain whose leaf
 * carries exactly the SPIFFE ID named, as its only URI SAN; a leaf that is no CA and may sign
 * (digitalSignature); and a private key that belongs to the leaf.
 */
export function parseX509Svid(message: X509SvidMessage): X509Svid {
  const spiffeId = message.spiffe_id;
  const what = `the X.509-SVID for ${JSON.stringify(spiffeId)}`;
  try {
    SpiffeId.parse(spiffeId);
  } catch (error) {
    throw new InvalidSvidError(`${what}: spiffe_id is not a SPIFFE ID (${(error as Error).message})`);
  }
  const certificates = splitDerCertificates(message.x509_svid, `${what}: x509_svid`);
  if (certificates.length === 0) throw new InvalidSvidError(`${what}: x509_svid holds no certificate`);
  let leaf: Certificate;
  try {
    leaf = parseCertificate(certificates[0]);
  } catch (error) {
    throw new InvalidSvidError(`${what}: the leaf certificate cannot be read (${(error as Error).message})`);
  }
  const uris = leaf.subjectAltNames.uris;
  if (uris.length !== 1 || uris[0] !== spiffeId) {
    throw new InvalidSvidError(`${what}: the leaf's URI SANs are ${JSON.stringify(uris)}, not exactly the SPIFFE ID`);
  }
  if (leaf.basicConstraints?.ca) throw new InvalidSvidError(`${what}: the leaf is a CA certificate`);
  if (leaf.keyUsage && !leaf.keyUsage.has('digitalSignature')) throw new InvalidSvidError(`${what}: the leaf's key usage lacks digitalSignature`);
  let privateKey: crypto.KeyObject;
  try {
    privateKey = crypto.createPrivateKey({ key: Buffer.from(message.x509_svid_key), format: 'der', type: 'pkcs8' });
  } catch (error) {
    throw new InvalidSvidError(`${what}: x509_svid_key is not an unencrypted PKCS#8 private key (${(error as Error).message})`);
  }
  const certificateKey = crypto.createPublicKey({ key: leaf.publicKeySpki, format: 'der', type: 'spki' });
  const derivedKey = crypto.createPublicKey(privateKey);
  // Compared as SPKI bytes, not with KeyObject.equals: on Node 20 comparing keys of different
  // types leaves an OpenSSL error queued that breaks the next key operation.
  if (!certificateKey.export({ format: 'der', type: 'spki' }).equals(derivedKey.export({ format: 'der', type: 'spki' }))) {
    throw new InvalidSvidError(`${what}: x509_svid_key does not belong to the leaf certificate`);
  }
  return {
    spiffeId,
    leaf,
    certificates,
    privateKey,
    bundle: splitDerCertificates(message.bundle, `${what}: bundle`),
    hint: message.hint,
    expiresAt: leaf.notAfter,
  };
}

/** Reads one message of the X.509-SVID stream. An empty `svids` is refused, as go-spiffe refuses it. */
export function parseX509Context(message: X509SvidResponseMessage): X509Context {
  if (message.svids.length === 0) throw new InvalidSvidError('the X.509-SVID response holds no SVID');
  return {
    svids: message.svids.map(parseX509Svid),
    federatedBundles: new Map(Object.entries(message.federated_bundles).map(([trustDomain, der]) => [trustDomain, splitDerCertificates(der, `federated_bundles[${trustDomain}]`)])),
    crls: [...message.crl],
  };
}

/**
 * Reads one JWT-SVID without verifying its signature (the workload trusts its agent; verifiers
 * use ValidateJWTSVID or the JWT bundles): the `sub` must be the SPIFFE ID named, and `aud` and a
 * numeric `exp` must be present, as go-spiffe's parser requires.
 */
export function parseJwtSvid(message: JwtSvidMessage): JwtSvid {
  const what = `the JWT-SVID for ${JSON.stringify(message.spiffe_id)}`;
  const parts = message.svid.split('.');
  if (parts.length !== 3) throw new InvalidSvidError(`${what} is not a compact JWS`);
  let claims: Record<string, unknown>;
  try {
    claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    throw new InvalidSvidError(`${what} has a payload that is not JSON`);
  }
  if (claims === null || typeof claims !== 'object') throw new InvalidSvidError(`${what} has a payload that is not a JSON object`);
  if (claims.sub !== message.spiffe_id) throw new InvalidSvidError(`${what} has sub ${JSON.stringify(claims.sub)}, not the SPIFFE ID`);
  const audience = typeof claims.aud === 'string' ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud.filter((a): a is string => typeof a === 'string') : [];
  if (audience.length === 0) throw new InvalidSvidError(`${what} has no aud claim`);
  if (typeof claims.exp !== 'number') throw new InvalidSvidError(`${what} has no numeric exp claim`);
  return { spiffeId: message.spiffe_id, token: message.svid, audience, expiresAt: new Date(claims.exp * 1000), hint: message.hint };
}
