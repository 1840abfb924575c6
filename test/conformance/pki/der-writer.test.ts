import { integer, integerFromHex, namedBitString, oid, sequence, time, tlv } from '../../../conformance/pki/der-writer';
import { TAG, decodeOid, decodeTime, integerHex, readRoot } from '../../../lib/core/pki/der';

const hex = (b: Buffer) => b.toString('hex');

describe('der-writer', () => {
  test('INTEGERs are minimal and non-negative: a 00 octet before a set top bit, none otherwise', () => {
    expect(hex(integer(0))).toBe('020100');
    expect(hex(integer(2))).toBe('020102');
    expect(hex(integer(0x80))).toBe('02020080');
    expect(hex(integerFromHex('0000ff01'))).toBe('020300ff01');
    expect(hex(integerFromHex('7f'))).toBe('02017f');
    expect(hex(integerFromHex('abc'))).toBe('02020abc');
    const node = integerFromHex('00c0ffee');
    expect(integerHex(node, readRoot(node, TAG.INTEGER))).toBe('c0ffee');
  });

  test('lengths take the short form below 128 octets, the long form from 128 on', () => {
    expect(hex(tlv(0x04, Buffer.alloc(127))).slice(0, 4)).toBe('047f');
    expect(hex(tlv(0x04, Buffer.alloc(128))).slice(0, 6)).toBe('048180');
    expect(hex(tlv(0x04, Buffer.alloc(300))).slice(0, 8)).toBe('0482012c');
    expect(readRoot(sequence(tlv(0x04, Buffer.alloc(300))), TAG.SEQUENCE).end).toBe(308);
  });

  test('OBJECT IDENTIFIERs round-trip through the reader, multi-octet arcs included', () => {
    for (const dotted of ['2.5.29.19', '1.2.840.10045.4.3.2', '1.2.840.113549.1.1.11', '1.3.6.1.4.1.55555.1']) {
      const node = oid(dotted);
      expect(decodeOid(node, readRoot(node, TAG.OID))).toBe(dotted);
    }
    expect(hex(oid('1.2.840.10045.4.3.2'))).toBe('06082a8648ce3d040302');
  });

  test('named BIT STRINGs drop trailing zero bits and count the unused ones (X.690 §11.2.2)', () => {
    expect(hex(namedBitString([0]))).toBe('03020780'); // digitalSignature
    expect(hex(namedBitString([5, 6]))).toBe('03020106'); // keyCertSign, cRLSign
    expect(hex(namedBitString([4]))).toBe('03020308'); // keyAgreement
    expect(hex(namedBitString([0, 8]))).toBe('0303078080'); // digitalSignature, decipherOnly
  });

  test('times are UTCTime through 2049 and GeneralizedTime from 2050, to the second', () => {
    const utc = time(new Date('2026-12-04T21:15:00.750Z'));
    expect(utc.toString('latin1', 2)).toBe('261204211500Z');
    expect(decodeTime(utc, readRoot(utc, 0x17)).toISOString()).toBe('2026-12-04T21:15:00.000Z');
    const generalized = time(new Date('2050-01-01T00:00:00Z'));
    expect(generalized.toString('latin1', 2)).toBe('20500101000000Z');
    expect(decodeTime(generalized, readRoot(generalized, 0x18)).toISOString()).toBe('2050-01-01T00:00:00.000Z');
  });
});
