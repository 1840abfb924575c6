/**
 * A small DER writer: the encodings a certificate needs, the counterpart of lib/core/pki/der.ts.
 * Every function returns the complete TLV.
 */

/** A TLV with a definite length (X.690 §8.1.3: short form below 128, long form above). */
export function tlv(tag: number, content: Uint8Array): Buffer {
  const length = content.length;
  let header: number[];
  if (length < 0x80) header = [tag, length];
  else {
    const bytes: number[] = [];
    for (let n = length; n > 0; n >>= 8) bytes.unshift(n & 0xff);
    header = [tag, 0x80 | bytes.length, ...bytes];
  }
  return Buffer.concat([Buffer.from(header), content]);
}

export const sequence = (...items: Uint8Array[]): Buffer => tlv(0x30, Buffer.concat(items));
export const set = (...items: Uint8Array[]): Buffer => tlv(0x31, Buffer.concat(items));
export const boolean = (value: boolean): Buffer => tlv(0x01, Buffer.from([value ? 0xff : 0x00]));
export const nullValue = (): Buffer => tlv(0x05, Buffer.alloc(0));
export const octetString = (bytes: Uint8Array): Buffer => tlv(0x04, bytes);
export const utf8String = (text: string): Buffer => tlv(0x0c, Buffer.from(text, 'utf8'));
export const printableString = (text: string): Buffer => tlv(0x13, Buffer.from(text, 'latin1'));
/** [n] EXPLICIT: a constructed context-specific tag around one encoding. */
export const explicit = (n: number, inner: Uint8Array): Buffer => tlv(0xa0 | n, inner);
/** [n] IMPLICIT of a primitive (a GeneralName's URI or DNS name, a key identifier). */
export const implicitPrimitive = (n: number, content: Uint8Array): Buffer => tlv(0x80 | n, content);

/** An INTEGER from non-negative hex digits: minimal, with a 00 octet when the top bit is set. */
export function integerFromHex(hex: string): Buffer {
  let digits = hex.replace(/^0+/, '') || '0';
  if (digits.length % 2) digits = `0${digits}`;
  let bytes = Buffer.from(digits, 'hex');
  if (bytes[0] & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return tlv(0x02, bytes);
}

export const integer = (value: number): Buffer => integerFromHex(value.toString(16));

/** An OBJECT IDENTIFIER from dotted text. */
export function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map((a) => BigInt(a));
  const values = [arcs[0] * 40n + arcs[1], ...arcs.slice(2)];
  const bytes: number[] = [];
  for (const value of values) {
    const chunk: number[] = [Number(value & 0x7fn)];
    for (let v = value >> 7n; v > 0n; v >>= 7n) chunk.unshift(Number((v & 0x7fn) | 0x80n));
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** A BIT STRING of whole octets (keys, signatures). */
export const bitStringOfBytes = (bytes: Uint8Array): Buffer => tlv(0x03, Buffer.concat([Buffer.from([0]), bytes]));

/**
 * A named BIT STRING (keyUsage) from the indexes of its set bits: DER drops trailing zero bits
 * (X.690 §11.2.2) and counts the unused bits of the last octet.
 */
export function namedBitString(setBits: readonly number[]): Buffer {
  if (setBits.length === 0) return tlv(0x03, Buffer.from([0]));
  const highest = Math.max(...setBits);
  const octets = Buffer.alloc(Math.floor(highest / 8) + 1);
  for (const bit of setBits) octets[Math.floor(bit / 8)] |= 0x80 >> bit % 8;
  return tlv(0x03, Buffer.concat([Buffer.from([7 - (highest % 8)]), octets]));
}

/** UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5), to the second, in UTC. */
export function time(date: Date): Buffer {
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const digits = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  const year = date.getUTCFullYear();
  return year >= 1950 && year < 2050 ? tlv(0x17, Buffer.from(digits.slice(2), 'latin1')) : tlv(0x18, Buffer.from(digits, 'latin1'));
}
