import 'reflect-metadata';
import * as crypto from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { splitSigned } from './der';

// @peculiar/x509 needs a WebCrypto provider for its async operations (key export, thumbprints).
x509.cryptoProvider.set(crypto.webcrypto as unknown as Crypto);

export { x509 };

/** Short names of distinguished-name attributes, by OID. */
const RDN_SHORT_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.6': 'C',
  '2.5.4.8': 'ST',
  '2.5.4.7': 'L',
  '2.5.4.5': 'serialNumber',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
};

/**
 * A name's attributes as Roles Anywhere maps them into session tags: one entry per attribute
 * type, multiple values joined with `/` in certificate order.
 */
export function attributesOfName(name: x509.Name): Record<string, string> {
  const result: Record<string, string[]> = {};
  for (const rdn of name.toJSON()) {
    for (const [type, values] of Object.entries(rdn)) {
      const key = RDN_SHORT_NAMES[type] ?? type;
      (result[key] ??= []).push(...values);
    }
  }
  return Object.fromEntries(Object.entries(result).map(([k, v]) => [k, v.join('/')]));
}

/** The hash of a signature algorithm as node:crypto names it (`sha256`), or undefined if unknown. */
export function hashOfSignatureAlgorithm(algorithm: x509.HashedAlgorithm): string | undefined {
  const hash = (algorithm as { hash?: { name?: string } }).hash?.name;
  if (hash === undefined) {
    // Ed25519 and Ed448 sign without a separate hash.
    return algorithm.name === 'Ed25519' || algorithm.name === 'EdDSA' ? 'none' : undefined;
  }
  return hash.toLowerCase().replace('-', '');
}

/** Whether a signature algorithm uses a hash Roles Anywhere (and any CA/B-compliant PKI) rejects. */
export function isWeakSignatureHash(hash: string | undefined): boolean {
  return hash === 'sha1' || hash === 'md5' || hash === 'md2';
}

/**
 * Verifies a signed DER structure (certificate or CRL) synchronously with node:crypto, so that
 * synth-time checks need no event loop. Supports RSA PKCS#1 v1.5, ECDSA and Ed25519.
 */
export function verifySignedDer(signedDer: Uint8Array, algorithm: x509.HashedAlgorithm, issuerPublicKeySpki: Uint8Array): boolean {
  const { tbs, signature } = splitSigned(signedDer);
  const key = crypto.createPublicKey({ key: Buffer.from(issuerPublicKeySpki), format: 'der', type: 'spki' });
  const hash = hashOfSignatureAlgorithm(algorithm);
  if (hash === undefined || algorithm.name === 'RSA-PSS') return false;
  try {
    return crypto.verify(hash === 'none' ? null : hash, tbs, { key, dsaEncoding: 'der' }, signature);
  } catch {
    // A key of the wrong type for the algorithm is simply not the signer.
    return false;
  }
}

/** SHA-256 fingerprint of DER bytes, lowercase hex. */
export function sha256Hex(der: Uint8Array): string {
  return crypto.createHash('sha256').update(der).digest('hex');
}
