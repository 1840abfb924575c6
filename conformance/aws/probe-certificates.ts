import * as crypto from 'node:crypto';
import { normalizeSerial } from '../../lib/core/pki/crl';
import { SigningCa, asIssuer } from '../pki/signing-ca';
import { IssuedCertificate, createCa, generateKeys, issueLeaf } from '../pki/throwaway-pki';
import { x509 } from '../pki/x509';
import { ExpectedIdentity, valueOutside } from './expected-identity';

/** A certificate to present, with the key that signs the request and the chain to send. */
export interface ProbeCredential {
  readonly certificateDer: Buffer;
  readonly privateKey: crypto.KeyObject;
  readonly intermediates: readonly Buffer[];
}

const MINUTE = 60_000;
const DAY = 86_400_000;

async function keyObjectOf(keys: CryptoKeyPair): Promise<crypto.KeyObject> {
  return crypto.KeyObject.from(keys.privateKey as unknown as crypto.webcrypto.CryptoKey);
}

/**
 * Mints the positive-control certificate of a gate and each certificate mutation, each changing
 * one attestation property and nothing else. Certificates are minted once per run and gate.
 */
export class ProbeCertificates {
  private issuer?: Promise<IssuedCertificate>;
  private readonly cache = new Map<string, Promise<ProbeCredential>>();

  constructor(
    private readonly ca: SigningCa,
    private readonly expected: ExpectedIdentity,
  ) {}

  private intermediates(): Buffer[] {
    return this.ca.intermediates.map((c) => c.der);
  }

  private async signer(): Promise<IssuedCertificate> {
    this.issuer ??= asIssuer(this.ca);
    return this.issuer;
  }

  private memo(name: string, mint: () => Promise<ProbeCredential>): Promise<ProbeCredential> {
    if (!this.cache.has(name)) this.cache.set(name, mint());
    return this.cache.get(name)!;
  }

  private async leaf(overrides: Partial<Parameters<typeof issueLeaf>[0]> = {}): Promise<ProbeCredential> {
    const now = Date.now();
    const issued = await issueLeaf({
      issuer: await this.signer(),
      subject: this.expected.subject,
      sanUris: this.expected.sanUris,
      sanDns: this.expected.sanDns,
      notBefore: new Date(now - 5 * MINUTE),
      notAfter: new Date(now + DAY),
      ...overrides,
    });
    return { certificateDer: issued.der, privateKey: await keyObjectOf(issued.keys), intermediates: this.intermediates() };
  }

  /** Correctly attested: the expected subject and SANs, from a CA the anchor trusts. */
  public control(): Promise<ProbeCredential> {
    return this.memo('control', () => this.leaf());
  }

  /** The same subject and SANs from a rogue CA whose subject DN is identical to the real one. */
  public rogueCaSameSubject(): Promise<ProbeCredential> {
    return this.memo('rogue-ca', async () => {
      const rogue = await createCa({ subject: this.ca.certificate.subject.attributes as never });
      const issued = await issueLeaf({ issuer: rogue, subject: this.expected.subject, sanUris: this.expected.sanUris, sanDns: this.expected.sanDns });
      return { certificateDer: issued.der, privateKey: await keyObjectOf(issued.keys), intermediates: [] };
    });
  }

  /**
   * An attacker's CA and the agent's identity from it, for a trust anchor the attacker creates.
   * The attacker names the CA like the real issuing CA, so issuer conditions alone do not stop it.
   */
  public async rogueCa(): Promise<{ caPem: string; credential: ProbeCredential }> {
    const rogue = await createCa({ subject: this.ca.certificate.subject.attributes as never });
    const issued = await issueLeaf({ issuer: rogue, subject: this.expected.subject, sanUris: this.expected.sanUris, sanDns: this.expected.sanDns });
    return { caPem: rogue.pem, credential: { certificateDer: issued.der, privateKey: await keyObjectOf(issued.keys), intermediates: [] } };
  }

  /**
   * Right CA, another CN: one the gate admits besides the identity's when there is one (a
   * pattern or a second value lets it in — the gate is not pinned to one identity), else one
   * outside its exact value or StringLike pattern.
   */
  public wrongCommonName(): Promise<ProbeCredential> {
    const cn = this.expected.subject.CN ?? 'agent';
    const other = this.expected.admittedBesides.cn[0] ?? valueOutside(this.expected, 'x509Subject/CN', [`${cn}-impostor`, `impostor-${cn}`, 'impostor']);
    return this.memo('wrong-cn', () => this.leaf({ subject: { ...this.expected.subject, CN: other } }));
  }

  /** Right CA and subject, another SPIFFE ID (URI SAN): one the gate admits besides the identity's when there is one. */
  public wrongSanUri(): Promise<ProbeCredential> {
    const original = this.expected.sanUris[0] ?? 'spiffe://attestgate.invalid/agent';
    const domain = /^spiffe:\/\/[^/]+/.exec(original)?.[0] ?? 'spiffe://attestgate.invalid';
    const other = this.expected.admittedBesides.sanUri[0] ?? valueOutside(this.expected, 'x509SAN/URI', [`${original.replace(/\/[^/]*$/, '')}/impostor`, `${domain}/impostor`, 'spiffe://impostor.invalid/agent']);
    return this.memo('wrong-san', () => this.leaf({ sanUris: [other] }));
  }

  /** Right CA and subject, no SAN at all. */
  public noSan(): Promise<ProbeCredential> {
    return this.memo('no-san', () => this.leaf({ sanUris: [], sanDns: [] }));
  }

  /** Correct in every attribute but carrying a serial the deployed CRL revokes. */
  public revoked(serialHex: string): Promise<ProbeCredential> {
    // An even number of hex digits: the generator reads the serial byte by byte.
    const serial = normalizeSerial(serialHex);
    return this.memo(`revoked-${serial}`, () => this.leaf({ serialNumber: serial.length % 2 ? `0${serial}` : serial }));
  }

  public expired(): Promise<ProbeCredential> {
    const now = Date.now();
    return this.memo('expired', () => this.leaf({ notBefore: new Date(now - 2 * DAY), notAfter: new Date(now - DAY) }));
  }

  public notYetValid(): Promise<ProbeCredential> {
    const now = Date.now();
    return this.memo('not-yet-valid', () => this.leaf({ notBefore: new Date(now + DAY), notAfter: new Date(now + 2 * DAY) }));
  }

  /** A leaf that claims to be a CA (basicConstraints CA:TRUE). */
  public caAsLeaf(): Promise<ProbeCredential> {
    return this.memo('ca-leaf', () => this.leaf({ markAsCa: true, keyUsages: x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyCertSign }));
  }

  /** A leaf whose key usage lacks digitalSignature. */
  public noDigitalSignature(): Promise<ProbeCredential> {
    return this.memo('no-digital-signature', () => this.leaf({ keyUsages: x509.KeyUsageFlags.keyAgreement }));
  }

  /** A leaf signed with SHA-1. */
  public sha1Signed(): Promise<ProbeCredential> {
    return this.memo('sha1', () => this.leaf({ signingHash: 'SHA-1' }));
  }

  /** The control certificate, presented with a private key that does not belong to it. */
  public mismatchedKey(): Promise<ProbeCredential> {
    return this.memo('mismatched-key', async () => {
      const control = await this.control();
      return { ...control, privateKey: await keyObjectOf(await generateKeys('EC-P256')) };
    });
  }
}
