import * as crypto from 'node:crypto';
import { AttackerCa, MUTATION, ProbeCertificates, ProbeCredential } from '../../../conformance/aws/probe-certificates';
import { ExpectedIdentity } from '../../../conformance/aws/expected-identity';
import { ProbeKeys } from '../../../conformance/aws/probe-keys';
import { SigningCa } from '../../../conformance/pki/signing-ca';
import { spkiOf } from '../../../conformance/pki/spki';
import { createCa } from '../../../conformance/pki/throwaway-pki';
import { Certificate, parseCertificate } from '../../../lib/core/pki/certificate';
import { normalizeSerial } from '../../../lib/core/pki/crl';
import { sameName } from '../../../lib/core/pki/name';
import { verifySignedDer } from '../../../lib/core/pki/signature';

let ca: SigningCa;
beforeAll(async () => {
  const issued = await createCa({ subject: { CN: 'Probe Test CA', O: 'attestgate tests' } });
  const certificate = parseCertificate(issued.der);
  ca = { certificate, privateKey: crypto.KeyObject.from(issued.keys.privateKey), intermediates: [], anchor: certificate };
});

const identity = (agent: string): ExpectedIdentity => ({
  subject: { CN: agent, O: 'attestgate tests' },
  sanUris: [`spiffe://example.org/agent/${agent}`],
  sanDns: [],
  issuer: {},
  source: 'manifest',
  admitted: new Map(),
  admittedBesides: { cn: [], sanUri: [] },
});

/** Every credential a gate's checks mint, by mutation name. */
async function everyCredential(certificates: ProbeCertificates, attacker: AttackerCa): Promise<Record<string, ProbeCredential>> {
  const entries = await Promise.all([
    ['control', certificates.control()],
    ['rogue-ca', certificates.rogueCaSameSubject()],
    ['attacker', certificates.attackerCredential(attacker)],
    ['wrong-cn', certificates.wrongCommonName()],
    ['wrong-san', certificates.wrongSanUri()],
    ['no-san', certificates.noSan()],
    ['revoked-1', certificates.revoked('0a1b')],
    ['revoked-2', certificates.revoked('0c2d')],
    ['expired', certificates.expired()],
    ['not-yet-valid', certificates.notYetValid()],
    ['ca-leaf', certificates.caAsLeaf()],
    ['no-digital-signature', certificates.noDigitalSignature()],
    ['sha1', certificates.sha1Signed()],
    ['mismatched-key', certificates.mismatchedKey()],
  ].map(async ([name, credential]) => [name, await credential] as const));
  return Object.fromEntries(entries) as Record<string, ProbeCredential>;
}

const keyOf = (credential: ProbeCredential) => spkiOf(credential.privateKey).toString('hex');
const certificateOf = (credential: ProbeCredential): Certificate => parseCertificate(credential.certificateDer);

describe('ProbeCertificates with the run’s ProbeKeys', () => {
  it('signs with a key of its own for every mutation of a gate: none is the control’s, none another mutation’s', async () => {
    const keys = new ProbeKeys();
    const credentials = await everyCredential(new ProbeCertificates(ca, identity('agent-a'), keys), new AttackerCa('attacker-1', ca));
    const byKey = new Map<string, string[]>();
    for (const [name, credential] of Object.entries(credentials)) byKey.set(keyOf(credential), [...(byKey.get(keyOf(credential)) ?? []), name]);
    expect([...byKey.values()].filter((names) => names.length > 1)).toEqual([]);
  });

  it('presents, for mismatched-key, the control’s certificate with a private key that is not its own', async () => {
    const credentials = await everyCredential(new ProbeCertificates(ca, identity('agent-a'), new ProbeKeys()), new AttackerCa('attacker-1', ca));
    const mismatched = credentials['mismatched-key'];
    expect(mismatched.certificateDer.equals(credentials.control.certificateDer)).toBe(true);
    expect(spkiOf(mismatched.privateKey).equals(certificateOf(mismatched).publicKeySpki)).toBe(false);
    // Every other credential signs with the key its certificate carries.
    for (const [name, credential] of Object.entries(credentials)) {
      if (name !== 'mismatched-key') expect([name, spkiOf(credential.privateKey).equals(certificateOf(credential).publicKeySpki)]).toEqual([name, true]);
    }
  });

  it('mints per gate what a gate’s checks mean: its identity, its revoked serial, its validity, its CA', async () => {
    const credentials = await everyCredential(new ProbeCertificates(ca, identity('agent-a'), new ProbeKeys()), new AttackerCa('attacker-1', ca));
    const cert = (name: string) => certificateOf(credentials[name]);
    expect(cert('control').subject.attributes.CN).toBe('agent-a');
    expect(cert('wrong-cn').subject.attributes.CN).not.toBe('agent-a');
    expect(normalizeSerial(cert('revoked-1').serialNumber)).toBe(normalizeSerial('0a1b'));
    expect(normalizeSerial(cert('revoked-2').serialNumber)).toBe(normalizeSerial('0c2d'));
    expect(cert('expired').notAfter.getTime()).toBeLessThan(Date.now());
    expect(cert('not-yet-valid').notBefore.getTime()).toBeGreaterThan(Date.now());
    expect(verifySignedDer(cert('control').der, ca.certificate.publicKeySpki)).toBe(true);
    expect(verifySignedDer(cert('rogue-ca').der, ca.certificate.publicKeySpki)).toBe(false);
    expect(sameName(cert('rogue-ca').issuer, ca.certificate.subject)).toBe(true);
  });

  it('shares a mutation’s key between gates of one run, never a certificate of another identity', async () => {
    const keys = new ProbeKeys();
    const attacker = new AttackerCa('attacker-1', ca);
    const [a, b] = await Promise.all([everyCredential(new ProbeCertificates(ca, identity('agent-a'), keys), attacker), everyCredential(new ProbeCertificates(ca, identity('agent-b'), keys), attacker)]);
    for (const name of Object.keys(a)) {
      expect([name, keyOf(a[name]) === keyOf(b[name])]).toEqual([name, true]);
      expect([name, a[name].certificateDer.equals(b[name].certificateDer)]).toEqual([name, false]);
      expect([name, a[name].id === b[name].id]).toEqual([name, false]);
    }
    // The control's key is no mutation's on any gate.
    const mutationKeys = new Set([...Object.entries(a), ...Object.entries(b)].filter(([n]) => n !== 'control').map(([, c]) => keyOf(c)));
    expect(mutationKeys.has(keyOf(a.control))).toBe(false);
  });

  it('without the run’s keys, gives each instance keys of its own', async () => {
    const [a, b] = await Promise.all([new ProbeCertificates(ca, identity('agent-a')).control(), new ProbeCertificates(ca, identity('agent-b')).control()]);
    expect(keyOf(a)).not.toBe(keyOf(b));
  });

  it('mints each mutation once per instance', async () => {
    const certificates = new ProbeCertificates(ca, identity('agent-a'), new ProbeKeys());
    const [one, two] = await Promise.all([certificates.wrongCommonName(), certificates.wrongCommonName()]);
    expect(two).toBe(one);
    expect(one.id).toBe(ProbeCertificates.credentialId(certificates.materialId, MUTATION.wrongCommonName));
  });
});
