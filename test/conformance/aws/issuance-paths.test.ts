import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EXAMPLE_ISSUING_CA } from '../../../examples/aws/app';
import { IssuedCertificate, createCa, createCrl, privateKeyPem, randomSerial } from '../../../conformance/pki/throwaway-pki';
import { PkiOnDisk, exampleTemplate, probeLocally, sourceOf, statusesOf, writeTestPki } from '../../fixtures/conformance';

/**
 * Every (trust anchor × profile) path of a gate is judged on the emulator, each after its own
 * positive control: a second anchor without its own CRL (or with another CA's), a second profile
 * with long caller-named sessions, and CA rotation (the control signed by the CA of the anchor it
 * is sent to). All cases are stacks of one emulator run.
 */

let pki: PkiOnDisk;
let caB: IssuedCertificate;
let crlB: string;
let revokedB: string;
let onlyB: string;
let base: Record<string, any>;
beforeAll(async () => {
  pki = await writeTestPki();
  // A rotated CA: the same name, a new key — as a CA rotation issues.
  caB = await createCa({ subject: EXAMPLE_ISSUING_CA });
  revokedB = randomSerial();
  crlB = (await createCrl({ issuer: caB, revokedSerials: [revokedB] })).pem;
  fs.writeFileSync(path.join(pki.dir, 'ca-b.crt'), caB.pem);
  fs.writeFileSync(path.join(pki.dir, 'ca-b.key'), await privateKeyPem(caB.keys));
  onlyB = fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-pki-b-'));
  fs.writeFileSync(path.join(onlyB, 'ca-b.crt'), caB.pem);
  fs.writeFileSync(path.join(onlyB, 'ca-b.key'), await privateKeyPem(caB.keys));
  base = exampleTemplate(pki);
});

const idOf = (t: Record<string, any>, type: string, prefix = '') => Object.keys(t.Resources).find((k) => k.startsWith(prefix) && t.Resources[k].Type === type)!;

/** The example with a second trust anchor (CA B) the deployer role is pinned to as well. */
function withSecondAnchor(options: { crl?: 'own' | 'other-ca' | 'none' } = {}): Record<string, any> {
  const t = JSON.parse(JSON.stringify(base));
  t.Resources.AnchorB = { Type: 'AWS::RolesAnywhere::TrustAnchor', Properties: { Name: 'agents-b', Enabled: true, Source: { SourceType: 'CERTIFICATE_BUNDLE', SourceData: { X509CertificateData: caB.pem } } } };
  if (options.crl !== 'none') {
    const crlPem = options.crl === 'other-ca' ? fs.readFileSync(path.join(pki.dir, 'ca.crl'), 'utf8') : crlB;
    t.Resources.CrlB = { Type: 'AWS::RolesAnywhere::CRL', Properties: { Name: 'crl-b', CrlData: crlPem, TrustAnchorArn: { 'Fn::GetAtt': ['AnchorB', 'TrustAnchorArn'] }, Enabled: true } };
  }
  const statement = t.Resources[idOf(t, 'AWS::IAM::Role', 'Deployer')].Properties.AssumeRolePolicyDocument.Statement[0];
  const pinned = statement.Condition.ArnEquals['aws:SourceArn'];
  statement.Condition.ArnEquals['aws:SourceArn'] = [pinned, { 'Fn::GetAtt': ['AnchorB', 'TrustAnchorArn'] }];
  return t;
}

/** The example with a second profile for the deployer role: 12-hour, caller-named sessions. */
function withLongProfile(): Record<string, any> {
  const t = JSON.parse(JSON.stringify(base));
  const role = idOf(t, 'AWS::IAM::Role', 'Deployer');
  t.Resources[role].Properties.MaxSessionDuration = 43200;
  t.Resources.LongProfile = { Type: 'AWS::RolesAnywhere::Profile', Properties: { Name: 'long', Enabled: true, RoleArns: [{ 'Fn::GetAtt': [role, 'Arn'] }], DurationSeconds: 43200, AcceptRoleSessionName: true } };
  return t;
}

const TAGS = ['AGC-AWS-001', 'AGC-AWS-006', 'AGC-AWS-017', 'AGC-AWS-018'];

describe('every attested path of an AWS gate is judged', () => {
  let results: Awaited<ReturnType<typeof probeLocally>>;
  beforeAll(async () => {
    const sources = [
      ...sourceOf(withSecondAnchor({ crl: 'none' }), 'NoCrlB.template.json'),
      ...sourceOf(withSecondAnchor({ crl: 'other-ca' }), 'ForeignCrlB.template.json'),
      ...sourceOf(withSecondAnchor({ crl: 'own' }), 'TwoAnchors.template.json'),
      ...sourceOf(withLongProfile(), 'LongProfile.template.json'),
    ];
    results = await probeLocally(sources, pki, { tags: TAGS });
  }, 60_000);
  const of = (stack: string) => statusesOf(results.filter((r) => r.gate.startsWith(`${stack}/Deployer`)));
  const reason = (stack: string, check: string) => results.find((r) => r.gate.startsWith(`${stack}/Deployer`) && r.checkId === check)!.reason;

  test('a second anchor without a CRL: AGC-AWS-006 FAILs naming it, though the first anchor revokes', () => {
    expect(of('NoCrlB')['AGC-AWS-006']).toBe('FAIL');
    expect(reason('NoCrlB', 'AGC-AWS-006')).toMatch(/^trust anchor agents-b: revocation is not enforced through trust anchor agents-b: it has no enabled CRL of its CA/);
  });

  test('a second anchor whose CRL another CA signed: it revokes nothing, AGC-AWS-006 FAILs', () => {
    expect(of('ForeignCrlB')['AGC-AWS-006']).toBe('FAIL');
    expect(reason('ForeignCrlB', 'AGC-AWS-006')).toMatch(/CrlB is enabled but no CA of the anchor signed it, so it revokes nothing/);
  });

  test('two anchors, each with its own CA and CRL: a revoked certificate is refused through each, each after its own control', () => {
    expect(of('TwoAnchors')).toEqual({ 'AGC-AWS-001': 'PASS', 'AGC-AWS-006': 'PASS', 'AGC-AWS-017': 'PASS', 'AGC-AWS-018': 'PASS' });
    expect(reason('TwoAnchors', 'AGC-AWS-006')).toMatch(/^trust anchor \S+: a certificate with revoked serial \S+: denied .*; trust anchor agents-b: a certificate with revoked serial/);
  });

  test('a second profile with 12-hour, caller-named sessions: AGC-AWS-017 and AGC-AWS-018 FAIL naming it; the first profile still passes', () => {
    expect(of('LongProfile')).toMatchObject({ 'AGC-AWS-001': 'PASS', 'AGC-AWS-017': 'FAIL', 'AGC-AWS-018': 'FAIL' });
    expect(reason('LongProfile', 'AGC-AWS-017')).toMatch(/^profile LongProfile: a request naming its own role session: /);
    expect(reason('LongProfile', 'AGC-AWS-018')).toMatch(/^profile LongProfile: asked for 12 h and got a 4320\d s session, longer than the identity's 3600 s/);
  });

  test('CA rotation: with only the second anchor’s CA key, the control goes through that anchor and passes', async () => {
    const rotated = await probeLocally(sourceOf(withSecondAnchor({ crl: 'own' }), 'Rotated.template.json'), { ...pki, dir: onlyB }, { tags: ['AGC-AWS-001', 'AGC-AWS-006'] });
    expect(statusesOf(rotated, 'Deployer')).toEqual({ 'AGC-AWS-001': 'PASS', 'AGC-AWS-006': 'INCONCLUSIVE' });
    // The first anchor's CA key is not at hand: its revocation is not proven, and the check says so.
    expect(rotated.find((r) => r.gate.includes('Deployer') && r.checkId === 'AGC-AWS-006')!.reason).toMatch(/^not every path was judged: trust anchor \S+: --pki holds no private key of a CA that/);
  });
});
