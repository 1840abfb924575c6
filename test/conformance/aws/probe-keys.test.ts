import * as crypto from 'node:crypto';
import { ProbeKeys, generateProbeKey } from '../../../conformance/aws/probe-keys';
import { SigningCa } from '../../../conformance/pki/signing-ca';
import { spkiOf } from '../../../conformance/pki/spki';
import { createCa } from '../../../conformance/pki/throwaway-pki';
import { parseCertificate } from '../../../lib/core/pki/certificate';
import { sameName } from '../../../lib/core/pki/name';
import { pemBlocks } from '../../../lib/core/pki/pem';
import { verifySignedDer } from '../../../lib/core/pki/signature';

async function signingCa(cn: string): Promise<SigningCa> {
  const ca = await createCa({ subject: { CN: cn, O: 'attestgate tests' } });
  const certificate = parseCertificate(ca.der);
  return { certificate, privateKey: crypto.KeyObject.from(ca.keys.privateKey), intermediates: [], anchor: certificate };
}

describe('ProbeKeys', () => {
  it('gives a mutation the same key on every call: one key generation per mutation and run', async () => {
    const keys = new ProbeKeys();
    const [first, again] = await Promise.all([keys.leafKey('wrong-cn'), keys.leafKey('wrong-cn')]);
    expect(again).toBe(first);
  });

  it('gives every mutation a key of its own, so no mutation signs with the control’s key', async () => {
    const keys = new ProbeKeys();
    const mutations = ['control', 'wrong-cn', 'expired', 'mismatched-key', 'revoked-0a', 'revoked-0b'];
    const spkis = await Promise.all(mutations.map(async (m) => (await keys.leafKey(m)).spki.toString('hex')));
    expect(new Set(spkis).size).toBe(mutations.length);
  });

  it('does not share keys between runs', async () => {
    const [one, other] = await Promise.all([new ProbeKeys().leafKey('control'), new ProbeKeys().leafKey('control')]);
    expect(one.spki.equals(other.spki)).toBe(false);
  });

  it('carries the SPKI of its own public key', async () => {
    const key = await generateProbeKey();
    expect(key.spki.equals(key.publicKey.export({ type: 'spki', format: 'der' }))).toBe(true);
    expect(crypto.createPublicKey(key.privateKey).equals(key.publicKey)).toBe(true);
  });

  it('names the rogue CA like the real one, signs it with a key of its own, and keeps one per real CA', async () => {
    const [real, other] = await Promise.all([signingCa('Real CA'), signingCa('Other CA')]);
    const keys = new ProbeKeys();
    const [rogue, again, ofOther] = await Promise.all([keys.rogueCaNamedLike(real), keys.rogueCaNamedLike(real), keys.rogueCaNamedLike(other)]);
    expect(again).toBe(rogue);
    expect(ofOther).not.toBe(rogue);
    const certificate = parseCertificate(pemBlocks(rogue.pem, 'CERTIFICATE')[0]);
    // The same name (as name chaining compares names), another key.
    expect(sameName(certificate.subject, real.certificate.subject)).toBe(true);
    expect(certificate.publicKeySpki.equals(real.certificate.publicKeySpki)).toBe(false);
    // Self-signed by the rogue key, and not by the real CA's.
    expect(verifySignedDer(certificate.der, certificate.publicKeySpki)).toBe(true);
    expect(verifySignedDer(certificate.der, real.certificate.publicKeySpki)).toBe(false);
    expect(spkiOf(rogue.issuer.privateKey).equals(certificate.publicKeySpki)).toBe(true);
  });
});
