import { parseCertificate } from '../../../../lib/core/pki/certificate';
import { validatePath } from '../../../../conformance/emulator/x509/path-validation';
import { IssuedCertificate, createCa, issueLeaf } from '../../../../conformance/pki/throwaway-pki';
import { x509 } from '../../../../conformance/pki/x509';

const NOW = new Date();
const DAY = 86_400_000;
const ROOT = { CN: 'Path Test Root', O: 'attestgate tests' };
const ISSUING = { CN: 'Path Test Issuing CA', O: 'attestgate tests' };
const AGENT = { CN: 'deployer', O: 'attestgate tests' };

let root: IssuedCertificate;
let issuing: IssuedCertificate;
let leaf: IssuedCertificate;
beforeAll(async () => {
  root = await createCa({ subject: ROOT });
  issuing = await createCa({ subject: ISSUING, issuer: root, pathLength: 0 });
  leaf = await issueLeaf({ issuer: issuing, subject: AGENT });
});

const parsed = (c: IssuedCertificate) => parseCertificate(c.der);
const validate = (subject: IssuedCertificate, intermediates: IssuedCertificate[], anchors: IssuedCertificate[], at = NOW) =>
  validatePath({ leaf: parsed(subject), intermediates: intermediates.map(parsed), trustAnchors: anchors.map(parsed), at });

describe('validatePath', () => {
  test('a leaf through an intermediate to the anchor is valid; so is a leaf directly under an anchor', async () => {
    expect(validate(leaf, [issuing], [root])).toEqual({ valid: true });
    expect(validate(leaf, [], [issuing])).toEqual({ valid: true });
    // The anchor list may hold other CAs.
    const unrelated = await createCa({ subject: { CN: 'Unrelated', O: 'elsewhere' } });
    expect(validate(leaf, [issuing], [unrelated, root])).toEqual({ valid: true });
  });

  test('the leaf is the end entity however the intermediates are given: a rogue leaf next to a genuine intermediate fails', async () => {
    // GIVEN a CA with the genuine issuing CA's DN but its own key, and a leaf from it
    const rogueIssuing = await createCa({ subject: ISSUING });
    const rogueLeaf = await issueLeaf({ issuer: rogueIssuing, subject: AGENT });

    // WHEN the genuine intermediate is sent alongside it (pkijs takes the last certificate as the end entity)
    const result = validate(rogueLeaf, [issuing], [root]);

    // THEN the rogue leaf has no path
    expect(result).toMatchObject({ valid: false, failure: 'no-path' });
  });

  test('a rogue CA with the anchor DN does not satisfy the anchor, even when sent along as an intermediate', async () => {
    const rogueRoot = await createCa({ subject: ROOT });
    const rogueLeaf = await issueLeaf({ issuer: rogueRoot, subject: AGENT });
    expect(validate(rogueLeaf, [], [root])).toMatchObject({ valid: false, failure: 'no-path' });
    expect(validate(rogueLeaf, [rogueRoot], [root])).toMatchObject({ valid: false, failure: 'no-path' });
  });

  test('an expired intermediate, an expired leaf and a leaf not yet valid fail on validity', async () => {
    const expiredIssuing = await createCa({ subject: ISSUING, issuer: root, notBefore: new Date(NOW.getTime() - 30 * DAY), notAfter: new Date(NOW.getTime() - DAY) });
    const underExpired = await issueLeaf({ issuer: expiredIssuing, subject: AGENT, notBefore: new Date(NOW.getTime() - 2 * DAY) });
    expect(validate(underExpired, [expiredIssuing], [root])).toMatchObject({ valid: false, failure: 'validity' });

    const expired = await issueLeaf({ issuer: issuing, subject: AGENT, notBefore: new Date(NOW.getTime() - 2 * DAY), notAfter: new Date(NOW.getTime() - DAY) });
    expect(validate(expired, [issuing], [root])).toMatchObject({ valid: false, failure: 'validity' });

    const notYetValid = await issueLeaf({ issuer: issuing, subject: AGENT, notBefore: new Date(NOW.getTime() + DAY), notAfter: new Date(NOW.getTime() + 2 * DAY) });
    expect(validate(notYetValid, [issuing], [root])).toMatchObject({ valid: false, failure: 'validity' });

    // Validity is judged at `at`, not at the wall clock.
    expect(validate(leaf, [issuing], [root], new Date(NOW.getTime() + 2 * DAY))).toMatchObject({ valid: false, failure: 'validity' });
  });

  test('an intermediate that is not a CA breaks the path', async () => {
    const notCa = await issueLeaf({ issuer: root, subject: { CN: 'Not A CA', O: 'attestgate tests' } });
    const underNotCa = await issueLeaf({ issuer: notCa, subject: AGENT });
    expect(validate(underNotCa, [notCa], [root])).toMatchObject({ valid: false, failure: 'not-a-ca' });
  });

  test('an empty anchor list has no path', () => {
    expect(validate(leaf, [issuing], [])).toEqual({ valid: false, failure: 'no-path', detail: 'the trust anchor has no CA certificate' });
  });

  test("a pathLenConstraint is enforced below every CA, the anchor's included; a self-issued intermediate does not count", async () => {
    const tight = await createCa({ subject: { CN: 'Tight Root', O: 'attestgate tests' }, pathLength: 0 });
    const under = await createCa({ subject: ISSUING, issuer: tight });
    expect(validate(await issueLeaf({ issuer: under, subject: AGENT }), [under], [tight])).toMatchObject({ valid: false, failure: 'not-a-ca' });
    expect(validate(await issueLeaf({ issuer: tight, subject: AGENT }), [], [tight])).toEqual({ valid: true });

    // issuing has pathLength 0: a second intermediate under it exceeds it
    const second = await createCa({ subject: { CN: 'Second', O: 'attestgate tests' }, issuer: issuing });
    expect(validate(await issueLeaf({ issuer: second, subject: AGENT }), [second, issuing], [root])).toMatchObject({ valid: false, failure: 'not-a-ca' });

    // A self-issued certificate (same name, the next key: a key rollover) is not counted (RFC 5280 §6.1.4 (l))
    const oneBelow = await createCa({ subject: { CN: 'One Below Root', O: 'attestgate tests' }, pathLength: 1 });
    const oldKey = await createCa({ subject: ISSUING, issuer: oneBelow });
    const newKey = await createCa({ subject: ISSUING, issuer: oldKey });
    expect(validate(await issueLeaf({ issuer: newKey, subject: AGENT }), [newKey, oldKey], [oneBelow])).toEqual({ valid: true });
  });

  test('an issuer whose keyUsage lacks keyCertSign is not a CA; a leaf must assert the key usage asked for', async () => {
    const noCertSign = await createCa({ subject: ISSUING, issuer: root, keyUsages: x509.KeyUsageFlags.cRLSign });
    expect(validate(await issueLeaf({ issuer: noCertSign, subject: AGENT }), [noCertSign], [root])).toMatchObject({ valid: false, failure: 'not-a-ca' });

    const keyAgreement = await issueLeaf({ issuer: issuing, subject: AGENT, keyUsages: x509.KeyUsageFlags.keyAgreement });
    expect(validate(keyAgreement, [issuing], [root])).toEqual({ valid: true });
    expect(validatePath({ leaf: parsed(keyAgreement), intermediates: [parsed(issuing)], trustAnchors: [parsed(root)], at: NOW, leafKeyUsage: 'digitalSignature' })).toMatchObject({ valid: false, failure: 'other' });
  });

  test('a certificate signed with SHA-1 has no path, said as such', async () => {
    const sha1 = await issueLeaf({ issuer: issuing, subject: AGENT, signingHash: 'SHA-1' });
    expect(validate(sha1, [issuing], [root])).toEqual({ valid: false, failure: 'other', detail: expect.stringContaining('1.2.840.10045.4.1') });
  });

  test('more intermediates than allowed are not searched', async () => {
    expect(validatePath({ leaf: parsed(leaf), intermediates: [parsed(issuing)], trustAnchors: [parsed(root)], at: NOW, maxIntermediates: 0 })).toMatchObject({ valid: false, failure: 'no-path' });
  });
});
