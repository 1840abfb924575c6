import * as crypto from 'node:crypto';
import { TAG, childrenOf, contentOf, expectTag, integerHex, readRoot } from '../../lib/core/pki/der';
import { bitStringOfBytes, integerFromHex, nullValue, oid, sequence } from './der-writer';

/**
 * SubjectPublicKeyInfo to and from node:crypto keys, the fast way. On Node 20 (OpenSSL 3) a key
 * imported from SPKI DER, or exported to it, goes through OpenSSL's generic decoders and
 * encoders: ~0.3 ms each for a P-256 key, more than verifying a signature with it. The same key
 * as a JWK takes a fraction of that. So keys travel as JWK and the SPKI bytes are written here.
 *
 * An SPKI is imported through JWK only when it is byte for byte the canonical encoding of the
 * key the JWK describes (re-encoded here and compared): a key can then be no other than the one
 * OpenSSL would read from the DER. Anything else — a compressed point, another curve or
 * algorithm, parameters written differently — goes to createPublicKey as DER.
 */

const EC_PUBLIC_KEY = '1.2.840.10045.2.1';
const RSA_ENCRYPTION = '1.2.840.113549.1.1.1';
const CURVES: Readonly<Record<string, { readonly oid: string; readonly bytes: number }>> = {
  'P-256': { oid: '1.2.840.10045.3.1.7', bytes: 32 },
  'P-384': { oid: '1.3.132.0.34', bytes: 48 },
  'P-521': { oid: '1.3.132.0.35', bytes: 66 },
};

/** The canonical SPKI DER of an EC (named curve) or RSA public key given as JWK; undefined for others. */
export function spkiOfJwk(jwk: crypto.JsonWebKey): Buffer | undefined {
  if (jwk.kty === 'EC' && typeof jwk.crv === 'string' && CURVES[jwk.crv] && jwk.x && jwk.y) {
    const x = Buffer.from(jwk.x, 'base64url');
    const y = Buffer.from(jwk.y, 'base64url');
    const { oid: curve, bytes } = CURVES[jwk.crv];
    if (x.length !== bytes || y.length !== bytes) return undefined;
    return sequence(sequence(oid(EC_PUBLIC_KEY), oid(curve)), bitStringOfBytes(Buffer.concat([Buffer.from([0x04]), x, y])));
  }
  if (jwk.kty === 'RSA' && jwk.n && jwk.e) {
    const integer = (b64: string) => integerFromHex(Buffer.from(b64, 'base64url').toString('hex'));
    return sequence(sequence(oid(RSA_ENCRYPTION), nullValue()), bitStringOfBytes(sequence(integer(jwk.n), integer(jwk.e))));
  }
  return undefined;
}

/**
 * SPKIs already written, by key object: a KeyObject is immutable, so its SPKI is a function of
 * the object. A probe key signs a certificate for every gate of a run (conformance/aws/probe-keys.ts).
 */
const writtenSpkis = new WeakMap<crypto.KeyObject, Buffer>();

/** The SPKI DER of a public (or private) key object. A copy: the caller may change it. */
export function spkiOf(key: crypto.KeyObject): Buffer {
  let spki = writtenSpkis.get(key);
  if (!spki) {
    const publicKey = key.type === 'private' ? crypto.createPublicKey(key) : key;
    spki = spkiOfJwk(publicKey.export({ format: 'jwk' })) ?? publicKey.export({ type: 'spki', format: 'der' });
    writtenSpkis.set(key, spki);
  }
  return Buffer.from(spki);
}

/**
 * Each named curve's canonical SPKI up to the point's coordinates: algorithm, curve, BIT STRING
 * header and the uncompressed-point byte 04. An SPKI of exactly `prefix || x || y` is byte for
 * byte what spkiOfJwk writes for that x and y, so it needs no re-encoding to be compared: this is
 * the per-request case (a probe leaf's key is a P-256 key the emulator meets first in a request),
 * and the comparison in publicKeyOfSpki — and the DER reader's exception for an EC key read as
 * RSA — cost about what the import itself does.
 */
const EC_SPKI_PREFIXES = Object.entries(CURVES).map(([crv, { bytes }]) => {
  const zero = Buffer.alloc(bytes).toString('base64url');
  const whole = spkiOfJwk({ kty: 'EC', crv, x: zero, y: zero })!;
  return { crv, bytes, prefix: whole.subarray(0, whole.length - 2 * bytes) };
});

/** The JWK of an SPKI that is the canonical encoding of a named-curve EC key; undefined for anything else. */
function canonicalEcJwk(der: Buffer): crypto.JsonWebKey | undefined {
  for (const { crv, bytes, prefix } of EC_SPKI_PREFIXES) {
    if (der.length !== prefix.length + 2 * bytes || der.compare(prefix, 0, prefix.length, 0, prefix.length) !== 0) continue;
    const x = der.subarray(prefix.length, prefix.length + bytes);
    const y = der.subarray(prefix.length + bytes);
    return { kty: 'EC', crv, x: x.toString('base64url'), y: y.toString('base64url') };
  }
  return undefined;
}

/**
 * The JWKs an SPKI could be the canonical encoding of: an EC point on each named curve whose
 * length fits, an RSA modulus and exponent read with the DER reader. Which one (if any) it is,
 * the comparison in publicKeyOfSpki decides.
 */
function candidateJwks(spki: Buffer): crypto.JsonWebKey[] {
  const candidates: crypto.JsonWebKey[] = [];
  for (const [crv, { bytes }] of Object.entries(CURVES)) {
    const point = 1 + 2 * bytes;
    if (spki.length <= point || spki[spki.length - point] !== 0x04) continue;
    const xy = spki.subarray(spki.length - point + 1);
    candidates.push({ kty: 'EC', crv, x: xy.subarray(0, bytes).toString('base64url'), y: xy.subarray(bytes).toString('base64url') });
  }
  try {
    const [, bits] = childrenOf(spki, readRoot(spki, TAG.SEQUENCE));
    const key = contentOf(spki, expectTag(bits, TAG.BIT_STRING, 'subjectPublicKey')).subarray(1);
    const [n, e] = childrenOf(key, readRoot(key, TAG.SEQUENCE));
    const unsigned = (node: typeof n) => {
      const hex = integerHex(key, node);
      return Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex').toString('base64url');
    };
    if (n && e) candidates.push({ kty: 'RSA', n: unsigned(n), e: unsigned(e) });
  } catch {
    // not an RSA key's shape
  }
  return candidates;
}

/**
 * The public key of SPKI DER bytes; undefined when node:crypto cannot read them. EC keys on a
 * named curve and RSA keys in the canonical encoding are imported as JWK (see above); everything
 * else as DER.
 */
export function publicKeyOfSpki(spki: Uint8Array): crypto.KeyObject | undefined {
  const der = Buffer.from(spki.buffer, spki.byteOffset, spki.byteLength);
  const ec = canonicalEcJwk(der);
  if (ec) {
    try {
      return crypto.createPublicKey({ key: ec, format: 'jwk' });
    } catch {
      return undefined; // an EC point off its curve: the DER import refuses it too
    }
  }
  for (const jwk of candidateJwks(der)) {
    if (!spkiOfJwk(jwk)?.equals(der)) continue;
    try {
      return crypto.createPublicKey({ key: jwk, format: 'jwk' });
    } catch {
      return undefined; // an EC point off its curve: the DER import refuses it too
    }
  }
  try {
    return crypto.createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' });
  } catch {
    return undefined;
  }
}
