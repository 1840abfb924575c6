/**
 * A small DER reader: enough ASN.1 to read certificates and CRLs synchronously.
 *
 * Why not a library: @peculiar/x509 costs ~130 ms to load and asn1js ~50 ms, paid by every
 * `cdk synth`; node:crypto parses certificates but exposes neither key usage bits nor CRLs. The
 * subset read here (TLV walking, OIDs, integers, times, strings) is small and tested against
 * openssl- and @peculiar-made certificates.
 */

/** One DER element: its tag and where its content lies in the buffer. */
export interface DerNode {
  readonly tag: number;
  /** Offset of the tag byte. */
  readonly start: number;
  /** Offset of the first content byte. */
  readonly contentStart: number;
  /** Offset just past the content. */
  readonly end: number;
}

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  SEQUENCE: 0x30,
  SET: 0x31,
  PRINTABLE_STRING: 0x13,
  T61_STRING: 0x14,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  UNIVERSAL_STRING: 0x1c,
  BMP_STRING: 0x1e,
} as const;

/** Reads the element at `offset`. Throws on truncated or indefinite-length input (not DER). */
export function readNode(der: Uint8Array, offset: number): DerNode {
  if (offset + 2 > der.length) throw new Error('truncated DER');
  const tag = der[offset];
  if ((tag & 0x1f) === 0x1f) throw new Error('multi-byte DER tags are not supported');
  let pos = offset + 1;
  const first = der[pos++];
  let length = first;
  if (first & 0x80) {
    const octets = first & 0x7f;
    if (octets === 0) throw new Error('indefinite length is not DER');
    if (octets > 4) throw new Error('unsupported DER length');
    if (pos + octets > der.length) throw new Error('truncated DER');
    length = 0;
    for (let i = 0; i < octets; i++) length = length * 256 + der[pos++];
  }
  const end = pos + length;
  if (end > der.length) throw new Error('truncated DER');
  return { tag, start: offset, contentStart: pos, end };
}

/** The elements inside a constructed element (SEQUENCE, SET, explicit tag). */
export function childrenOf(der: Uint8Array, node: DerNode): DerNode[] {
  const result: DerNode[] = [];
  for (let offset = node.contentStart; offset < node.end; ) {
    const child = readNode(der, offset);
    result.push(child);
    offset = child.end;
  }
  return result;
}

/** The content bytes of an element. */
export function contentOf(der: Uint8Array, node: DerNode): Uint8Array {
  return der.subarray(node.contentStart, node.end);
}

/** The whole encoding of an element (tag, length and content). */
export function encodingOf(der: Uint8Array, node: DerNode): Uint8Array {
  return der.subarray(node.start, node.end);
}

/** Reads the single top-level element of a DER buffer and checks nothing trails it. */
export function readRoot(der: Uint8Array, expectedTag: number): DerNode {
  const root = readNode(der, 0);
  if (root.tag !== expectedTag) throw new Error(`expected tag 0x${expectedTag.toString(16)}, found 0x${root.tag.toString(16)}`);
  if (root.end !== der.length) throw new Error('trailing bytes after the DER structure');
  return root;
}

export function expectTag(node: DerNode, tag: number, what: string): DerNode {
  if (node.tag !== tag) throw new Error(`${what}: expected tag 0x${tag.toString(16)}, found 0x${node.tag.toString(16)}`);
  return node;
}

/** Decodes an OBJECT IDENTIFIER to dotted form. */
export function decodeOid(der: Uint8Array, node: DerNode): string {
  const bytes = contentOf(der, expectTag(node, TAG.OID, 'OID'));
  const parts: number[] = [];
  let value = 0;
  for (const byte of bytes) {
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      if (parts.length === 0) parts.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
      else parts.push(value);
      value = 0;
    }
  }
  return parts.join('.');
}

/** An INTEGER as unsigned lowercase hex without leading zeros (how serial numbers are compared). */
export function integerHex(der: Uint8Array, node: DerNode): string {
  const hex = Buffer.from(contentOf(der, expectTag(node, TAG.INTEGER, 'INTEGER'))).toString('hex').replace(/^0+/, '');
  return hex.length === 0 ? '0' : hex;
}

/** An INTEGER as a bigint (non-negative values only, as serials and CRL numbers are). */
export function integerValue(der: Uint8Array, node: DerNode): bigint {
  return BigInt(`0x${integerHex(der, node)}`);
}

/** A UTCTime or GeneralizedTime. */
export function decodeTime(der: Uint8Array, node: DerNode): Date {
  const text = Buffer.from(contentOf(der, node)).toString('latin1');
  let match: RegExpMatchArray | null;
  if (node.tag === TAG.UTC_TIME && (match = text.match(/^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/))) {
    const year = Number(match[1]);
    return new Date(Date.UTC(year < 50 ? 2000 + year : 1900 + year, Number(match[2]) - 1, Number(match[3]), Number(match[4]), Number(match[5]), Number(match[6])));
  }
  if (node.tag === TAG.GENERALIZED_TIME && (match = text.match(/^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d+))?Z$/))) {
    const ms = match[7] ? Math.round(Number(`0.${match[7]}`) * 1000) : 0;
    return new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]), Number(match[4]), Number(match[5]), Number(match[6]), ms));
  }
  throw new Error(`unsupported time ${JSON.stringify(text)}`);
}

/** Decodes the directory string types names use. */
export function decodeString(der: Uint8Array, node: DerNode): string {
  const bytes = Buffer.from(contentOf(der, node));
  switch (node.tag) {
    case TAG.UTF8_STRING:
      return bytes.toString('utf8');
    case TAG.BMP_STRING: {
      let text = '';
      for (let i = 0; i + 1 < bytes.length; i += 2) text += String.fromCharCode(bytes.readUInt16BE(i));
      return text;
    }
    case TAG.UNIVERSAL_STRING: {
      let text = '';
      for (let i = 0; i + 3 < bytes.length; i += 4) text += String.fromCodePoint(bytes.readUInt32BE(i));
      return text;
    }
    default:
      // PrintableString, IA5String, NumericString, VisibleString, T61String (treated as Latin-1).
      return bytes.toString('latin1');
  }
}

/** The bits of a BIT STRING, most significant first (bit 0 is the first named bit in ASN.1). */
export function bitStringBits(der: Uint8Array, node: DerNode): boolean[] {
  const bytes = contentOf(der, expectTag(node, TAG.BIT_STRING, 'BIT STRING'));
  const unused = bytes[0] ?? 0;
  const bits: boolean[] = [];
  for (let i = 1; i < bytes.length; i++) {
    for (let b = 7; b >= 0; b--) bits.push(((bytes[i] >> b) & 1) === 1);
  }
  return bits.slice(0, Math.max(0, bits.length - unused));
}

/**
 * Splits a `SEQUENCE { tbs, signatureAlgorithm, signature BIT STRING }` into the exact
 * to-be-signed bytes, the signature algorithm OID and the signature value.
 */
export function splitSigned(der: Uint8Array): { tbs: Uint8Array; algorithmOid: string; signature: Uint8Array } {
  const root = readRoot(der, TAG.SEQUENCE);
  const [tbs, algorithm, signature] = childrenOf(der, root);
  if (!tbs || !algorithm || !signature) throw new Error('not a signed structure');
  const algorithmOid = decodeOid(der, childrenOf(der, expectTag(algorithm, TAG.SEQUENCE, 'signature algorithm'))[0]);
  // The first content octet of a BIT STRING counts unused bits; signatures use whole octets.
  return { tbs: encodingOf(der, tbs), algorithmOid, signature: contentOf(der, expectTag(signature, TAG.BIT_STRING, 'signature')).subarray(1) };
}
