import * as crypto from 'node:crypto';
import { PkiEntry, PkiMaterial } from '../../../conformance/pki/pki-directory';
import { asIssuer, findSigningCa, keyAlgorithmOf } from '../../../conformance/pki/signing-ca';
import { IssuedCertificate, createCa, issueLeaf } from '../../../conformance/pki/throwaway-pki';
import { Certificate, parseCertificate } from '../../../lib/core/pki/certificate';
import { verifySignedDer } from '../../../lib/core/pki/signature';

const ROOT = { CN: 'Signing Test Root', O: 'attestgate tests' };
let root: IssuedCertificate;
let issuing: IssuedCertificate;
let team: IssuedCertificate;
let rogueRoot: IssuedCertificate;
let leaf: IssuedCertificate;
beforeAll(async () => {
  root = await createCa({ subject: ROOT });
  issuing = await createCa({ subject: { CN: 'Signing Test Issuing CA', O: 'attestgate tests' }, issuer: root });
  team = await createCa({ subject: { CN: 'Team CA', O: 'attestgate tests', OU: 'platform' }, issuer: issuing });
  rogueRoot = await createCa({ subject: ROOT });
  leaf = await issueLeaf({ issuer: issuing, subject: { CN: 'deployer' } });
});

const cert = (issued: IssuedCertificate): Certificate => parseCertificate(issued.der);

/** `--pki` material in memory: each certificate with its key unless `withoutKey`. */
function material(entries: Array<IssuedCertificate | { withoutKey: IssuedCertificate }>): PkiMaterial {
  return {
    entries: entries.map((e, i): PkiEntry => ('withoutKey' in e ? { certificate: cert(e.withoutKey), file: `cert-${i}.crt` } : { certificate: cert(e), privateKey: crypto.KeyObject.from(e.keys.privateKey), file: `cert-${i}.crt` })),
    crls: [],
    keys: [],
    unmatchedKeys: [],
    ignoredFiles: [],
  };
}

const subjectsOf = (found: ReturnType<typeof findSigningCa>) =>
  found && { signer: found.certificate.subject.attributes.CN, intermediates: found.intermediates.map((c) => c.subject.attributes.CN), anchor: found.anchor.subject.attributes.CN };

describe('findSigningCa', () => {
  test('an anchor CA whose key we hold signs directly', () => {
    expect(subjectsOf(findSigningCa([cert(root)], material([root])))).toEqual({ signer: 'Signing Test Root', intermediates: [], anchor: 'Signing Test Root' });
  });

  test('an intermediate chaining to the anchor, link by link, through certificates we hold without keys', () => {
    expect(subjectsOf(findSigningCa([cert(root)], material([issuing])))).toEqual({ signer: 'Signing Test Issuing CA', intermediates: ['Signing Test Issuing CA'], anchor: 'Signing Test Root' });
    expect(subjectsOf(findSigningCa([cert(root)], material([team, { withoutKey: issuing }])))).toEqual({
      signer: 'Team CA',
      intermediates: ['Team CA', 'Signing Test Issuing CA'],
      anchor: 'Signing Test Root',
    });
  });

  test('prefers a CA whose subject has the issuer attributes the gate pins; otherwise the first found', () => {
    const both = material([issuing, team]);
    expect(findSigningCa([cert(root)], both)?.certificate.subject.attributes.CN).toBe('Signing Test Issuing CA');
    expect(findSigningCa([cert(root)], both, { OU: 'platform' })?.certificate.subject.attributes.CN).toBe('Team CA');
    // A pin nobody meets still finds a CA: the probe will show the gate refuses it.
    expect(findSigningCa([cert(root)], both, { OU: 'nobody' })?.certificate.subject.attributes.CN).toBe('Signing Test Issuing CA');
  });

  test('none: a CA of the anchor DN with another key, a missing link, a leaf, a CA without its key', () => {
    expect(findSigningCa([cert(root)], material([rogueRoot]))).toBeUndefined();
    expect(findSigningCa([cert(root)], material([team]))).toBeUndefined();
    expect(findSigningCa([cert(root)], material([leaf]))).toBeUndefined();
    expect(findSigningCa([cert(root)], material([{ withoutKey: root }, { withoutKey: issuing }]))).toBeUndefined();
    expect(findSigningCa([], material([root, issuing]))).toBeUndefined();
  });
});

describe('keyAlgorithmOf and asIssuer', () => {
  test('names RSA and the two EC curves the test PKI signs with; refuses others', () => {
    expect(keyAlgorithmOf(crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey)).toBe('EC-P256');
    expect(keyAlgorithmOf(crypto.generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey)).toBe('EC-P384');
    expect(keyAlgorithmOf(crypto.generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey)).toBe('RSA-2048');
    expect(() => keyAlgorithmOf(crypto.generateKeyPairSync('ed25519').privateKey)).toThrow('unsupported CA key type ed25519: use RSA, EC P-256 or EC P-384');
    expect(() => keyAlgorithmOf(crypto.generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey)).toThrow('unsupported CA key type ec (secp256k1)');
  });

  test('a CA found on disk issues certificates that chain to it', async () => {
    const found = findSigningCa([cert(root)], material([issuing]))!;
    const issuer = await asIssuer(found);
    expect(issuer.der.equals(issuing.der)).toBe(true);
    const issued = await issueLeaf({ issuer, subject: { CN: 'probe' } });
    expect(verifySignedDer(issued.der, cert(issuing).publicKeySpki)).toBe(true);
    expect(cert(issued).issuer.text).toBe(cert(issuing).subject.text);
  });
});
