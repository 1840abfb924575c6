import { ParsedCertificates } from '../../../../conformance/emulator/x509/parsed-certificates';
import { IssuedCertificate, createCa, issueLeaf } from '../../../../conformance/pki/throwaway-pki';
import { parseCertificate } from '../../../../lib/core/pki/certificate';

let ca: IssuedCertificate;
let first: IssuedCertificate;
let twin: IssuedCertificate;

beforeAll(async () => {
  ca = await createCa({ subject: { CN: 'Parsed Certificates CA', O: 'attestgate tests' } });
  first = await issueLeaf({ issuer: ca, subject: { CN: 'agent', O: 'attestgate tests' }, sanUris: ['spiffe://tests.example/agent'] });
  twin = await issueLeaf({ issuer: ca, subject: { CN: 'agent', O: 'attestgate tests' }, sanUris: ['spiffe://tests.example/agent'] });
});

describe('ParsedCertificates', () => {
  test('the same bytes are parsed once: the same object, equal to a fresh parse', () => {
    const memo = new ParsedCertificates();
    const parsed = memo.parse(first.der);
    expect(memo.parse(Buffer.from(first.der))).toBe(parsed);
    expect(parsed).toEqual(parseCertificate(first.der));
    expect(memo.size).toBe(1);
  });

  test('a certificate with the same subject, SAN and issuer is its own entry, with its own key', () => {
    const memo = new ParsedCertificates();
    const a = memo.parse(first.der);
    const b = memo.parse(twin.der);
    expect(b.subject.text).toBe(a.subject.text);
    expect(b.publicKeySpki.equals(a.publicKeySpki)).toBe(false);
    expect(b.der.equals(twin.der)).toBe(true);
  });

  test('one changed byte (the last of the signature) misses the cache: the answer is the changed bytes’ parse', () => {
    const memo = new ParsedCertificates();
    memo.parse(first.der);
    const changed = Buffer.from(first.der);
    changed[changed.length - 1] ^= 0x01;
    const parsed = memo.parse(changed);
    expect(parsed.der.equals(changed)).toBe(true);
    expect(parsed.fingerprintSha256).not.toBe(parseCertificate(first.der).fingerprintSha256);
    expect(memo.size).toBe(2);
  });

  test('bytes that are not a certificate throw every time and are not remembered', () => {
    const memo = new ParsedCertificates();
    const garbage = Buffer.from('not a certificate');
    expect(() => memo.parse(garbage)).toThrow();
    expect(() => memo.parse(garbage)).toThrow();
    expect(memo.size).toBe(0);
  });

  test('bounded: past its limit it starts over instead of growing', () => {
    const memo = new ParsedCertificates(2);
    memo.parse(first.der);
    memo.parse(twin.der);
    memo.parse(ca.der);
    expect(memo.size).toBeLessThanOrEqual(2);
    // and still answers right for what it dropped
    expect(memo.parse(first.der).der.equals(first.der)).toBe(true);
  });
});
