import * as crypto from 'node:crypto';
import { splitSigned } from './der';

/** Signature algorithms by OID: the hash node:crypto uses, or `none` for pure signatures. */
const SIGNATURE_ALGORITHMS: Record<string, { name: string; hash: string | null }> = {
  '1.2.840.113549.1.1.4': { name: 'md5WithRSAEncryption', hash: 'md5' },
  '1.2.840.113549.1.1.5': { name: 'sha1WithRSAEncryption', hash: 'sha1' },
  '1.2.840.113549.1.1.14': { name: 'sha224WithRSAEncryption', hash: 'sha224' },
  '1.2.840.113549.1.1.11': { name: 'sha256WithRSAEncryption', hash: 'sha256' },
  '1.2.840.113549.1.1.12': { name: 'sha384WithRSAEncryption', hash: 'sha384' },
  '1.2.840.113549.1.1.13': { name: 'sha512WithRSAEncryption', hash: 'sha512' },
  '1.2.840.10045.4.1': { name: 'ecdsa-with-SHA1', hash: 'sha1' },
  '1.2.840.10045.4.3.2': { name: 'ecdsa-with-SHA256', hash: 'sha256' },
  '1.2.840.10045.4.3.3': { name: 'ecdsa-with-SHA384', hash: 'sha384' },
  '1.2.840.10045.4.3.4': { name: 'ecdsa-with-SHA512', hash: 'sha512' },
  '1.3.101.112': { name: 'Ed25519', hash: null },
};

/** What a signature algorithm OID means, or undefined when attestgate cannot verify it. */
export function signatureAlgorithm(oid: string): { name: string; hash: string | null } | undefined {
  return SIGNATURE_ALGORITHMS[oid];
}

/** Whether a hash is too weak for any PKI that gates credentials (Roles Anywhere rejects them). */
export function isWeakHash(hash: string | null | undefined): boolean {
  return hash === 'sha1' || hash === 'md5' || hash === 'sha224';
}

/**
 * Verifies a signed DER structure (certificate or CRL) synchronously with node:crypto:
 * RSA PKCS#1 v1.5, ECDSA and Ed25519. False for any other algorithm or a key of the wrong type.
 */
export function verifySignedDer(signedDer: Uint8Array, issuerPublicKeySpki: Uint8Array): boolean {
  const { tbs, algorithmOid, signature } = splitSigned(signedDer);
  const algorithm = signatureAlgorithm(algorithmOid);
  if (!algorithm) return false;
  try {
    const key = crypto.createPublicKey({ key: Buffer.from(issuerPublicKeySpki), format: 'der', type: 'spki' });
    return crypto.verify(algorithm.hash, tbs, { key, dsaEncoding: 'der' }, signature);
  } catch {
    return false;
  }
}

/** SHA-256 of bytes, lowercase hex. */
export function sha256Hex(bytes: Uint8Array): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}
