import * as crypto from 'node:crypto';
import { DistinguishedName } from '../../lib/core/distinguished-name';
import { KeyUsage } from '../../lib/core/pki/certificate';
import { normalizeSerial } from '../../lib/core/pki/crl';
import { CertificateIssuer, CertificateSpec, encodeName, keyIdentifierOf, subjectKeyIdentifierOf, writeCertificate } from '../pki/certificate-writer';
import { SigningCa } from '../pki/signing-ca';
import { spkiOf } from '../pki/spki';
import { toPem } from '../../lib/core/pki/pem';
import { ExpectedIdentity, valueOutside } from './expected-identity';

/** A certificate to present, with the key that signs the request and the chain to send. */
export interface ProbeCredential {
  readonly certificateDer: Buffer;
  readonly privateKey: crypto.KeyObject;
  readonly intermediates: readonly Buffer[];
}

const MINUTE = 60_000;
const DAY = 86_400_000;

/** What a probe certificate may change; everything else is the gate's expected identity. */
type LeafOverrides = Partial<Pick<CertificateSpec, 'subject' | 'sanUris' | 'sanDns' | 'notBefore' | 'notAfter' | 'serialNumber' | 'ca' | 'keyUsage' | 'signingHash'>>;

/**
 * A fresh P-256 key pair for every certificate: a probe never presents a key another probe
 * used, so no mutation can pass or fail by a key it shares with the control.
 */
const freshKeys = () => crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });

/**
 * Mints the positive-control certificate of a gate and each certificate mutation, each changing
 * one attestation property and nothing else. Certificates are minted once per run and gate,
 * with the certificate writer (DER and node:crypto, synchronous): they are most of a run's
 * certificates, and @peculiar/x509 made them cost more than the probes that send them.
 */
export class ProbeCertificates {
  private readonly issuer: CertificateIssuer;
  private readonly cache = new Map<string, Promise<ProbeCredential>>();

  constructor(
    private readonly ca: SigningCa,
    private readonly expected: ExpectedIdentity,
  ) {
    this.issuer = { name: ca.certificate.subject.der, privateKey: ca.privateKey, keyIdentifier: subjectKeyIdentifierOf(ca.certificate.der, ca.certificate.publicKeySpki) };
  }

  private intermediates(): Buffer[] {
    return this.ca.intermediates.map((c) => c.der);
  }

  private memo(name: string, mint: () => ProbeCredential | Promise<ProbeCredential>): Promise<ProbeCredential> {
    if (!this.cache.has(name)) this.cache.set(name, Promise.resolve().then(mint));
    return this.cache.get(name)!;
  }

  /** A leaf with the expected identity from `issuer`, changed by `overrides`. */
  private leafFrom(issuer: CertificateIssuer, overrides: LeafOverrides = {}): { der: Buffer; privateKey: crypto.KeyObject } {
    const now = Date.now();
    const keys = freshKeys();
    const der = writeCertificate({
      issuer,
      publicKey: keys.publicKey,
      subject: this.expected.subject,
      sanUris: this.expected.sanUris,
      sanDns: this.expected.sanDns,
      notBefore: new Date(now - 5 * MINUTE),
      notAfter: new Date(now + DAY),
      ca: false,
      keyUsage: ['digitalSignature'],
      clientAuth: true,
      ...overrides,
    });
    return { der, privateKey: keys.privateKey };
  }

  private leaf(overrides: LeafOverrides = {}): ProbeCredential {
    const { der, privateKey } = this.leafFrom(this.issuer, overrides);
    return { certificateDer: der, privateKey, intermediates: this.intermediates() };
  }

  /** A self-signed CA named like the real signing CA, with its own key: the attacker's. */
  private rogueIssuer(): { pem: string; issuer: CertificateIssuer } {
    const keys = freshKeys();
    const now = Date.now();
    const subject = this.ca.certificate.subject.attributes as DistinguishedName;
    const der = writeCertificate({
      selfSigningKey: keys.privateKey,
      publicKey: keys.publicKey,
      subject,
      notBefore: new Date(now - DAY),
      notAfter: new Date(now + 3650 * DAY),
      ca: true,
      keyUsage: ['keyCertSign', 'cRLSign'],
    });
    const keyIdentifier = keyIdentifierOf(spkiOf(keys.publicKey));
    return { pem: toPem(der, 'CERTIFICATE'), issuer: { name: encodeName(subject), privateKey: keys.privateKey, keyIdentifier } };
  }

  /** Correctly attested: the expected subject and SANs, from a CA the anchor trusts. */
  public control(): Promise<ProbeCredential> {
    return this.memo('control', () => this.leaf());
  }

  /** The same subject and SANs from a rogue CA whose subject DN is identical to the real one. */
  public rogueCaSameSubject(): Promise<ProbeCredential> {
    return this.memo('rogue-ca', () => {
      const { der, privateKey } = this.leafFrom(this.rogueIssuer().issuer);
      return { certificateDer: der, privateKey, intermediates: [] };
    });
  }

  /**
   * An attacker's CA and the agent's identity from it, for a trust anchor the attacker creates.
   * The attacker names the CA like the real issuing CA, so issuer conditions alone do not stop it.
   */
  public async rogueCa(): Promise<{ caPem: string; credential: ProbeCredential }> {
    const rogue = this.rogueIssuer();
    const { der, privateKey } = this.leafFrom(rogue.issuer);
    return { caPem: rogue.pem, credential: { certificateDer: der, privateKey, intermediates: [] } };
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
    const serial = normalizeSerial(serialHex);
    return this.memo(`revoked-${serial}`, () => this.leaf({ serialNumber: serial }));
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
    return this.memo('ca-leaf', () => this.leaf({ ca: true, keyUsage: ['digitalSignature', 'keyCertSign'] satisfies KeyUsage[] }));
  }

  /** A leaf whose key usage lacks digitalSignature. */
  public noDigitalSignature(): Promise<ProbeCredential> {
    return this.memo('no-digital-signature', () => this.leaf({ keyUsage: ['keyAgreement'] }));
  }

  /** A leaf signed with SHA-1. */
  public sha1Signed(): Promise<ProbeCredential> {
    return this.memo('sha1', () => this.leaf({ signingHash: 'SHA-1' }));
  }

  /** The control certificate, presented with a private key that does not belong to it. */
  public mismatchedKey(): Promise<ProbeCredential> {
    return this.memo('mismatched-key', async () => {
      const control = await this.control();
      return { ...control, privateKey: freshKeys().privateKey };
    });
  }
}
