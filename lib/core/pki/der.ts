/**
 * Just enough DER to cut a signed structure (certificate, CRL) into its to-be-signed bytes,
 * which must be verified exactly as encoded; re-serialising a parsed structure is not safe.
 */

interface Tlv {
  /** Offset of the tag byte. */
  readonly start: number;
  /** Offset of the first content byte. */
  readonly contentStart: number;
  /** Offset just past the content. */
  readonly end: number;
}

function readTlv(der: Uint8Array, offset: number): Tlv {
  if (offset + 2 > der.length) throw new Error('truncated DER');
  let pos = offset + 1;
  const first = der[pos++];
  let length = first;
  if (first & 0x80) {
    const octets = first & 0x7f;
    if (octets === 0 || octets > 4 || pos + octets > der.length) throw new Error('unsupported DER length');
    length = 0;
    for (let i = 0; i < octets; i++) length = length * 256 + der[pos++];
  }
  const end = pos + length;
  if (end > der.length) throw new Error('truncated DER');
  return { start: offset, contentStart: pos, end };
}

/**
 * Splits a `SEQUENCE { tbs, signatureAlgorithm, signature BIT STRING }` into the exact
 * to-be-signed bytes and the signature value.
 */
export function splitSigned(der: Uint8Array): { tbs: Uint8Array; signature: Uint8Array } {
  const outer = readTlv(der, 0);
  if (der[0] !== 0x30) throw new Error('not a DER SEQUENCE');
  const tbs = readTlv(der, outer.contentStart);
  const algorithm = readTlv(der, tbs.end);
  const bitString = readTlv(der, algorithm.end);
  if (der[bitString.start] !== 0x03) throw new Error('signature is not a BIT STRING');
  // The first content octet of a BIT STRING counts unused bits; signatures use whole octets.
  return {
    tbs: der.subarray(tbs.start, tbs.end),
    signature: der.subarray(bitString.contentStart + 1, bitString.end),
  };
}
