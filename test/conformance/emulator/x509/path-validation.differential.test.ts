import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as pkijs from 'pkijs';
import { parseCertificate } from '../../../../lib/core/pki/certificate';
import { toPem } from '../../../../lib/core/pki/pem';
import { validatePath } from '../../../../conformance/emulator/x509/path-validation';
import { IssuedCertificate, KeyAlgorithm, createCa, generateKeys, issueLeaf, randomSerial, signingAlgorithm, toX509Name } from '../../../../conformance/pki/throwaway-pki';
import { x509 } from '../../../../conformance/pki/x509';

/**
 * The emulator's path validator against two independent implementations on the same generated
 * chains: pkijs (which the emulator used before) and `openssl verify`. Each case states what
 * each of the three answers; where they legitimately differ, the case says why and which answer
 * is Roles Anywhere's.
 */

pkijs.setEngine('node', new pkijs.CryptoEngine({ name: 'node', crypto: crypto.webcrypto as unknown as Crypto }));

const NOW = new Date();
const DAY = 86_400_000;
const AGENT = { CN: 'deployer', O: 'attestgate tests' };
const ca = (cn: string) => ({ CN: cn, O: 'attestgate tests' });

interface Case {
  readonly name: string;
  readonly leaf: IssuedCertificate | Buffer;
  readonly intermediates: ReadonlyArray<IssuedCertificate>;
  readonly anchors: ReadonlyArray<IssuedCertificate>;
  /** The verdicts: attestgate's validator, pkijs, openssl verify. */
  readonly valid: { readonly attestgate: boolean; readonly pkijs: boolean; readonly openssl: boolean };
  /** Why the verdicts differ, and which is Roles Anywhere's; required when they do. */
  readonly because?: string;
}

const derOf = (c: IssuedCertificate | Buffer) => (Buffer.isBuffer(c) ? c : c.der);

/** The emulator's validator, as CreateSession calls it (the leaf must assert digitalSignature). */
function attestgateAccepts(c: Case): boolean {
  return validatePath({
    leaf: parseCertificate(derOf(c.leaf)),
    intermediates: c.intermediates.map((i) => parseCertificate(i.der)),
    trustAnchors: c.anchors.map((a) => parseCertificate(a.der)),
    at: NOW,
    leafKeyUsage: 'digitalSignature',
  }).valid;
}

/** pkijs's chain engine, as the emulator called it before: leaf last, anchor matched by DER. */
async function pkijsAccepts(c: Case): Promise<boolean> {
  const parse = (der: Buffer) => pkijs.Certificate.fromBER(new Uint8Array(der));
  const engine = new pkijs.CertificateChainValidationEngine({
    trustedCerts: c.anchors.map((a) => parse(a.der)),
    certs: [...c.intermediates.map((i) => parse(i.der)), parse(derOf(c.leaf))],
    checkDate: NOW,
  });
  try {
    const result = await engine.verify({ passedWhenNotRevValues: true });
    const top = result.certificatePath?.[result.certificatePath.length - 1];
    return result.result && top !== undefined && c.anchors.some((a) => a.der.equals(Buffer.from(top.toSchema().toBER(false))));
  } catch {
    return false;
  }
}

let dir: string;
/**
 * `openssl verify` with the anchors as the only trusted certificates (-partial_chain: an anchor
 * may be an intermediate CA, as in Roles Anywhere), validity judged at NOW, and signatures of
 * less than 80-bit security (SHA-1, MD5) refused (-auth_level 1), as Roles Anywhere refuses
 * them. No -purpose: path validation only, as the other two do.
 */
function opensslAccepts(c: Case, index: number): boolean {
  const write = (name: string, certs: ReadonlyArray<IssuedCertificate | Buffer>) => {
    const file = path.join(dir, `${index}-${name}.pem`);
    fs.writeFileSync(file, certs.map((x) => toPem(derOf(x), 'CERTIFICATE')).join(''));
    return file;
  };
  const args = ['verify', '-attime', String(Math.floor(NOW.getTime() / 1000)), '-partial_chain', '-auth_level', '1', '-CAfile', write('anchors', c.anchors)];
  if (c.intermediates.length > 0) args.push('-untrusted', write('untrusted', c.intermediates));
  args.push(write('leaf', [c.leaf]));
  const run = spawnSync('openssl', args, { encoding: 'utf8' });
  return run.status === 0;
}

/** A certificate with an extension throwaway-pki does not offer, signed by `issuer`. */
async function withExtension(input: { issuer: IssuedCertificate; subject: Record<string, string>; isCa: boolean; extension: x509.Extension }): Promise<IssuedCertificate> {
  const keys = await generateKeys('EC-P256');
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: toX509Name(input.subject),
    issuer: input.issuer.certificate.subjectName,
    notBefore: new Date(NOW.getTime() - DAY),
    notAfter: new Date(NOW.getTime() + DAY),
    publicKey: keys.publicKey,
    signingKey: input.issuer.keys.privateKey,
    signingAlgorithm: signingAlgorithm(input.issuer.keyAlgorithm),
    extensions: [
      new x509.BasicConstraintsExtension(input.isCa, undefined, true),
      new x509.KeyUsagesExtension(input.isCa ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign : x509.KeyUsageFlags.digitalSignature, true),
      input.extension,
    ],
  });
  const der = Buffer.from(certificate.rawData);
  return { certificate, keys, keyAlgorithm: 'EC-P256' as KeyAlgorithm, der, pem: toPem(der, 'CERTIFICATE') };
}

/** The certificate with one bit of its signature flipped. */
function tamperedSignature(c: IssuedCertificate): Buffer {
  const der = Buffer.from(c.der);
  der[der.length - 3] ^= 0x01;
  return der;
}

const UNKNOWN_CRITICAL = () => new x509.Extension('1.3.6.1.4.1.55555.1', true, new Uint8Array([0x05, 0x00]));
/** Found by this test: the emulator accepted these paths while it validated with pkijs. */
const PKIJS_PATH_LENGTH = 'RFC 5280 §6.1.4 (l), (m) bound the intermediates below a CA by its pathLenConstraint (openssl applies the anchor\'s too); pkijs 4.0 never reads pathLenConstraint.';
const PKIJS_SHA1 = 'Roles Anywhere rejects MD5 and SHA-1 signatures (reference §2.1, §3.3), as OpenSSL 3 does at -auth_level 1 (80-bit security); pkijs verifies any algorithm WebCrypto knows.';
const ALL_ACCEPT = { attestgate: true, pkijs: true, openssl: true };
const ALL_REJECT = { attestgate: false, pkijs: false, openssl: false };

let cases: Case[];
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-path-differential-'));
  const root = await createCa({ subject: ca('Diff Root') });
  const issuing = await createCa({ subject: ca('Diff Issuing'), issuer: root });
  const second = await createCa({ subject: ca('Diff Second'), issuer: issuing });
  const rsaRoot = await createCa({ subject: ca('Diff RSA Root'), keyAlgorithm: 'RSA-2048' });
  const rsaIssuing = await createCa({ subject: ca('Diff RSA Issuing'), issuer: rsaRoot, keyAlgorithm: 'RSA-2048' });
  const ecUnderRsa = await createCa({ subject: ca('Diff EC under RSA'), issuer: rsaRoot });
  const rsaUnderEc = await createCa({ subject: ca('Diff RSA under EC'), issuer: ecUnderRsa, keyAlgorithm: 'RSA-2048' });
  const leafOf = (issuer: IssuedCertificate, extra: Partial<Parameters<typeof issueLeaf>[0]> = {}) => issueLeaf({ issuer, subject: AGENT, ...extra });

  const other = await createCa({ subject: ca('Diff Other') });
  const rogueRoot = await createCa({ subject: ca('Diff Root') });
  const rogueIssuing = await createCa({ subject: ca('Diff Issuing'), issuer: rogueRoot });
  const expiredIssuing = await createCa({ subject: ca('Diff Issuing'), issuer: root, notBefore: new Date(NOW.getTime() - 30 * DAY), notAfter: new Date(NOW.getTime() - DAY) });
  const expiredRoot = await createCa({ subject: ca('Diff Expired Root'), notBefore: new Date(NOW.getTime() - 30 * DAY), notAfter: new Date(NOW.getTime() - DAY) });
  const notCa = await issueLeaf({ issuer: root, subject: ca('Diff Not A CA'), keyUsages: x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.digitalSignature });
  const noCertSign = await createCa({ subject: ca('Diff No CertSign'), issuer: root, keyUsages: x509.KeyUsageFlags.cRLSign });
  const tightRoot = await createCa({ subject: ca('Diff Tight Root'), pathLength: 0 });
  const underTight = await createCa({ subject: ca('Diff Under Tight'), issuer: tightRoot });
  const tightIssuing = await createCa({ subject: ca('Diff Tight Issuing'), issuer: root, pathLength: 0 });
  const belowTight = await createCa({ subject: ca('Diff Below Tight'), issuer: tightIssuing });
  const criticalCa = await withExtension({ issuer: root, subject: ca('Diff Critical CA'), isCa: true, extension: UNKNOWN_CRITICAL() });
  // issueLeaf names the issuer from `issuer.certificate`: another CA's name over this CA's key.
  const misnamed = { ...issuing, certificate: other.certificate };
  const selfSigned = await createCa({ subject: AGENT });
  const pathLenOne = await createCa({ subject: ca('Diff PathLen One'), pathLength: 1 });
  const oneBelow = await createCa({ subject: ca('Diff Rolled'), issuer: pathLenOne });
  const rolledOver = await createCa({ subject: ca('Diff Rolled'), issuer: oneBelow });
  const weakIssuing = await createCa({ subject: ca('Diff Weak Issuing'), issuer: root, signingHash: 'SHA-1' });

  cases = [
    { name: 'EC leaf directly under the anchor', leaf: await leafOf(root), intermediates: [], anchors: [root], valid: ALL_ACCEPT },
    { name: 'EC leaf through one intermediate', leaf: await leafOf(issuing), intermediates: [issuing], anchors: [root], valid: ALL_ACCEPT },
    { name: 'EC leaf through two intermediates, sent in reverse order', leaf: await leafOf(second), intermediates: [issuing, second], anchors: [root], valid: ALL_ACCEPT },
    { name: 'RSA chain: RSA root, RSA intermediate, RSA leaf', leaf: await leafOf(rsaIssuing, { keyAlgorithm: 'RSA-2048' }), intermediates: [rsaIssuing], anchors: [rsaRoot], valid: ALL_ACCEPT },
    { name: 'mixed chain: RSA root, EC and RSA intermediates, EC leaf', leaf: await leafOf(rsaUnderEc), intermediates: [rsaUnderEc, ecUnderRsa], anchors: [rsaRoot], valid: ALL_ACCEPT },
    { name: 'the anchor is an intermediate CA (partial chain)', leaf: await leafOf(issuing), intermediates: [], anchors: [issuing], valid: ALL_ACCEPT },
    { name: 'the anchor list holds an unrelated CA besides the right one', leaf: await leafOf(issuing), intermediates: [issuing], anchors: [other, root], valid: ALL_ACCEPT },
    { name: 'a self-issued intermediate (key rollover) does not count against pathLen', leaf: await leafOf(rolledOver), intermediates: [rolledOver, oneBelow], anchors: [pathLenOne], valid: ALL_ACCEPT },
    { name: 'the leaf names another issuer than the CA that signed it', leaf: await leafOf(misnamed), intermediates: [issuing], anchors: [root], valid: ALL_REJECT },
    { name: 'the leaf signature is tampered', leaf: tamperedSignature(await leafOf(issuing)), intermediates: [issuing], anchors: [root], valid: ALL_REJECT },
    { name: 'a rogue leaf next to the genuine intermediate with the same DN', leaf: await leafOf(rogueIssuing), intermediates: [issuing], anchors: [root], valid: ALL_REJECT },
    { name: 'a rogue CA with the anchor DN, sent as an intermediate', leaf: await leafOf(rogueRoot), intermediates: [rogueRoot], anchors: [root], valid: ALL_REJECT },
    { name: 'a self-signed leaf that is not an anchor', leaf: await leafOf(selfSigned), intermediates: [selfSigned], anchors: [root], valid: ALL_REJECT },
    { name: 'the leaf has expired', leaf: await leafOf(issuing, { notBefore: new Date(NOW.getTime() - 2 * DAY), notAfter: new Date(NOW.getTime() - DAY) }), intermediates: [issuing], anchors: [root], valid: ALL_REJECT },
    { name: 'the leaf is not yet valid', leaf: await leafOf(issuing, { notBefore: new Date(NOW.getTime() + DAY), notAfter: new Date(NOW.getTime() + 2 * DAY) }), intermediates: [issuing], anchors: [root], valid: ALL_REJECT },
    { name: 'the intermediate has expired', leaf: await leafOf(expiredIssuing, { notBefore: new Date(NOW.getTime() - 2 * DAY) }), intermediates: [expiredIssuing], anchors: [root], valid: ALL_REJECT },
    { name: 'the anchor certificate has expired', leaf: await leafOf(expiredRoot, { notBefore: new Date(NOW.getTime() - 2 * DAY) }), intermediates: [], anchors: [expiredRoot], valid: ALL_REJECT },
    { name: 'the intermediate lacks basicConstraints cA', leaf: await leafOf(notCa), intermediates: [notCa], anchors: [root], valid: ALL_REJECT },
    { name: "the intermediate's keyUsage lacks keyCertSign", leaf: await leafOf(noCertSign), intermediates: [noCertSign], anchors: [root], valid: ALL_REJECT },
    { name: "the anchor's pathLen 0 is exceeded by an intermediate", leaf: await leafOf(underTight), intermediates: [underTight], anchors: [tightRoot], valid: { attestgate: false, pkijs: true, openssl: false }, because: PKIJS_PATH_LENGTH },
    { name: "an intermediate's pathLen 0 is exceeded by a second intermediate", leaf: await leafOf(belowTight), intermediates: [belowTight, tightIssuing], anchors: [root], valid: { attestgate: false, pkijs: true, openssl: false }, because: PKIJS_PATH_LENGTH },
    {
      name: 'the intermediate carries an unknown critical extension',
      leaf: await leafOf(criticalCa),
      intermediates: [criticalCa],
      anchors: [root],
      valid: { attestgate: false, pkijs: true, openssl: false },
      because: 'RFC 5280 §4.2: a certificate with a critical extension the relying party does not process must be rejected; pkijs 4.0 rejects only critical extensions it cannot parse, and keeps an unknown one as raw bytes.',
    },
    {
      name: 'the leaf carries an unknown critical extension',
      leaf: await withExtension({ issuer: issuing, subject: AGENT, isCa: false, extension: UNKNOWN_CRITICAL() }),
      intermediates: [issuing],
      anchors: [root],
      valid: { attestgate: false, pkijs: true, openssl: false },
      because: 'RFC 5280 §4.2: a certificate with a critical extension the relying party does not process must be rejected; pkijs checks critical extensions on CAs only.',
    },
    {
      name: 'the leaf keyUsage lacks digitalSignature (keyAgreement only)',
      leaf: await leafOf(issuing, { keyUsages: x509.KeyUsageFlags.keyAgreement }),
      intermediates: [issuing],
      anchors: [root],
      valid: { attestgate: false, pkijs: true, openssl: true },
      because: 'Roles Anywhere requires digitalSignature on the end entity (UG "Signature validation", reference §3.3); path validation alone (pkijs, openssl verify without -purpose) does not look at the leaf key usage.',
    },
    {
      name: 'the leaf is signed with SHA-1',
      leaf: await leafOf(issuing, { signingHash: 'SHA-1' }),
      intermediates: [issuing],
      anchors: [root],
      valid: { attestgate: false, pkijs: true, openssl: false },
      because: PKIJS_SHA1,
    },
    {
      name: 'an intermediate is signed with SHA-1',
      leaf: await leafOf(weakIssuing),
      intermediates: [weakIssuing],
      anchors: [root],
      valid: { attestgate: false, pkijs: true, openssl: false },
      because: PKIJS_SHA1,
    },
  ];
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('the validator, pkijs and openssl verify answer as each case states; every difference says why', async () => {
  const answers = await Promise.all(
    cases.map(async (c, index) => ({ name: c.name, valid: { attestgate: attestgateAccepts(c), pkijs: await pkijsAccepts(c), openssl: opensslAccepts(c, index) } })),
  );
  expect(answers).toEqual(cases.map((c) => ({ name: c.name, valid: c.valid })));
  for (const c of cases) {
    const agree = c.valid.attestgate === c.valid.pkijs && c.valid.pkijs === c.valid.openssl;
    expect({ name: c.name, explained: agree || (c.because ?? '').length > 20 }).toEqual({ name: c.name, explained: true });
  }
});
