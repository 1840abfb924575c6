import { validatePath } from '../../../../conformance/emulator/x509/path-validation';
import { IssuedCertificate, createCa, issueLeaf } from '../../../../conformance/pki/throwaway-pki';

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

const validate = (subject: IssuedCertificate, intermediates: IssuedCertificate[], anchors: IssuedCertificate[], at = NOW) =>
  validatePath({ leaf: subject.der, intermediates: intermediates.map((c) => c.der), trustAnchors: anchors.map((c) => c.der), at });

describe('validatePath', () => {
  test('a leaf through an intermediate to the anchor is valid; so is a leaf directly under an anchor', async () => {
    expect(await validate(leaf, [issuing], [root])).toEqual({ valid: true });
    expect(await validate(leaf, [], [issuing])).toEqual({ valid: true });
    // The anchor list may hold other CAs.
    const unrelated = await createCa({ subject: { CN: 'Unrelated', O: 'elsewhere' } });
    expect(await validate(leaf, [issuing], [unrelated, root])).toEqual({ valid: true });
  });

  test('the leaf is the end entity however the intermediates are given: a rogue leaf next to a genuine intermediate fails', async () => {
    // GIVEN a CA with the genuine issuing CA's DN but its own key, and a leaf from it
    const rogueIssuing = await createCa({ subject: ISSUING });
    const rogueLeaf = await issueLeaf({ issuer: rogueIssuing, subject: AGENT });

    // WHEN the genuine intermediate is sent alongside it (pkijs takes the last certificate as the end entity)
    const result = await validate(rogueLeaf, [issuing], [root]);

    // THEN the rogue leaf has no path
    expect(result).toMatchObject({ valid: false, failure: 'no-path' });
  });

  test('a rogue CA with the anchor DN does not satisfy the anchor, even when sent along as an intermediate', async () => {
    const rogueRoot = await createCa({ subject: ROOT });
    const rogueLeaf = await issueLeaf({ issuer: rogueRoot, subject: AGENT });
    expect(await validate(rogueLeaf, [], [root])).toMatchObject({ valid: false, failure: 'no-path' });
    expect(await validate(rogueLeaf, [rogueRoot], [root])).toMatchObject({ valid: false, failure: 'no-path' });
  });

  test('an expired intermediate, an expired leaf and a leaf not yet valid fail on validity', async () => {
    const expiredIssuing = await createCa({ subject: ISSUING, issuer: root, notBefore: new Date(NOW.getTime() - 30 * DAY), notAfter: new Date(NOW.getTime() - DAY) });
    const underExpired = await issueLeaf({ issuer: expiredIssuing, subject: AGENT, notBefore: new Date(NOW.getTime() - 2 * DAY) });
    expect(await validate(underExpired, [expiredIssuing], [root])).toMatchObject({ valid: false, failure: 'validity' });

    const expired = await issueLeaf({ issuer: issuing, subject: AGENT, notBefore: new Date(NOW.getTime() - 2 * DAY), notAfter: new Date(NOW.getTime() - DAY) });
    expect(await validate(expired, [issuing], [root])).toMatchObject({ valid: false, failure: 'validity' });

    const notYetValid = await issueLeaf({ issuer: issuing, subject: AGENT, notBefore: new Date(NOW.getTime() + DAY), notAfter: new Date(NOW.getTime() + 2 * DAY) });
    expect(await validate(notYetValid, [issuing], [root])).toMatchObject({ valid: false, failure: 'validity' });

    // Validity is judged at `at`, not at the wall clock.
    expect(await validate(leaf, [issuing], [root], new Date(NOW.getTime() + 2 * DAY))).toMatchObject({ valid: false, failure: 'validity' });
  });

  test('an intermediate that is not a CA breaks the path', async () => {
    const notCa = await issueLeaf({ issuer: root, subject: { CN: 'Not A CA', O: 'attestgate tests' } });
    const underNotCa = await issueLeaf({ issuer: notCa, subject: AGENT });
    expect(await validate(underNotCa, [notCa], [root])).toMatchObject({ valid: false, failure: 'not-a-ca' });
  });

  test('an empty anchor list has no path; bytes that are not a certificate are reported', async () => {
    expect(await validate(leaf, [issuing], [])).toEqual({ valid: false, failure: 'no-path', detail: 'the trust anchor has no CA certificate' });
    const garbage = await validatePath({ leaf: Buffer.from('not a certificate'), intermediates: [], trustAnchors: [root.der], at: NOW });
    expect(garbage).toEqual({ valid: false, failure: 'other', detail: expect.stringMatching(/^a certificate does not parse: /) });
  });
});
