import * as crypto from 'node:crypto';
import { KeyUsage } from '../../lib/core/pki/certificate';
import { normalizeSerial } from '../../lib/core/pki/crl';
import { CertificateIssuer, CertificateSpec, subjectKeyIdentifierOf, writeCertificateAsync } from '../pki/certificate-writer';
import { SigningCa } from '../pki/signing-ca';
import { ExpectedIdentity, valueOutside } from './expected-identity';
import { ProbeKeys, RogueCa, newRogueCa } from './probe-keys';

/** A certificate to present, with the key that signs the request and the chain to send. */
export interface ProbeCredential {
  /**
   * What the credential is, for request keys: the material it was minted from (`materialIdOf`)
   * and the mutation. Two credentials with the same ID carry the same attestation properties.
   */
  readonly id: string;
  readonly certificateDer: Buffer;
  readonly privateKey: crypto.KeyObject;
  readonly intermediates: readonly Buffer[];
}

/**
 * The name of each certificate a ProbeCertificates mints: the last part of its credential ID, so
 * a check's plan names the credential its run sends without minting it.
 */
export const MUTATION = {
  control: 'control',
  rogueCaSameSubject: 'rogue-ca',
  wrongCommonName: 'wrong-cn',
  wrongSanUri: 'wrong-san',
  noSan: 'no-san',
  expired: 'expired',
  notYetValid: 'not-yet-valid',
  caAsLeaf: 'ca-leaf',
  noDigitalSignature: 'no-digital-signature',
  sha1Signed: 'sha1',
  mismatchedKey: 'mismatched-key',
} as const;

/** The name of the certificate with a revoked serial (serials normalized, as CRLs list them). */
export function revokedMutation(serialHex: string): string {
  return `revoked-${normalizeSerial(serialHex)}`;
}

/** The name of the identity's certificate from an attacker CA. */
export function attackerMutation(attackerId: string): string {
  return `attacker-ca-${attackerId}`;
}

const MINUTE = 60_000;
const DAY = 86_400_000;

/** What a probe certificate may change; everything else is the gate's expected identity. */
type LeafOverrides = Partial<Pick<CertificateSpec, 'subject' | 'sanUris' | 'sanDns' | 'notBefore' | 'notAfter' | 'serialNumber' | 'ca' | 'keyUsage' | 'signingHash'>>;

/**
 * The identity of what a gate's probe certificates are minted from: the signing CA (its key and
 * chain) and every attestation property the gate expects or admits. Gates with the same material
 * get the same certificates; anything that differs — a subject, a SAN, a value the trust
 * condition admits besides the identity's, another CA — gives another ID.
 */
export function materialIdOf(ca: SigningCa, expected: ExpectedIdentity): string {
  const canonical = JSON.stringify([
    ca.certificate.publicKeySpki.toString('base64'),
    ca.intermediates.map((c) => c.publicKeySpki.toString('base64')),
    ca.anchor.publicKeySpki.toString('base64'),
    Object.entries(expected.subject).sort(),
    expected.sanUris,
    expected.sanDns,
    Object.entries(expected.issuer).sort(),
    [...expected.admitted.entries()].sort(([a], [b]) => a.localeCompare(b)),
    expected.admittedBesides,
  ]);
  return crypto.createHash('sha256').update(canonical).digest('hex').slice(0, 32);
}

/**
 * Mints the positive-control certificate of a gate and each certificate mutation, each changing
 * one attestation property and nothing else. Certificates are minted once per run and material,
 * with the certificate writer (DER and node:crypto): they are most of a run's certificates, and
 * @peculiar/x509 made them cost more than the probes that send them. Certificates are signed on
 * libuv's thread pool, so minting uses a core the prober's thread does not. Each mutation's key
 * comes from the run's `ProbeKeys` (one key per mutation, shared by the gates: see there why no
 * check's meaning changes); without one, every certificate gets a key of its own.
 */
export class ProbeCertificates {
  private readonly issuer: CertificateIssuer;
  private readonly cache = new Map<string, Promise<ProbeCredential>>();

  /** `materialIdOf(ca, expected)`: the prefix of every credential ID it mints. */
  public readonly materialId: string;

  constructor(
    private readonly ca: SigningCa,
    private readonly expected: ExpectedIdentity,
    private readonly keys: ProbeKeys = new ProbeKeys(),
  ) {
    this.issuer = { name: ca.certificate.subject.der, privateKey: ca.privateKey, keyIdentifier: subjectKeyIdentifierOf(ca.certificate.der, ca.certificate.publicKeySpki) };
    this.materialId = materialIdOf(ca, expected);
  }

  /** The ID of the credential a mutation mints (`control`, `wrong-cn`, `revoked-<serial>`…), without minting it. */
  public static credentialId(materialId: string, mutation: string): string {
    return `${materialId}/${mutation}`;
  }

  private intermediates(): Buffer[] {
    return this.ca.intermediates.map((c) => c.der);
  }

  /** Mints a mutation once; `mint` is given its name, which also names the key it signs with (`ProbeKeys`). */
  private memo(name: string, mint: (mutation: string) => Omit<ProbeCredential, 'id'> | Promise<Omit<ProbeCredential, 'id'>>): Promise<ProbeCredential> {
    if (!this.cache.has(name)) this.cache.set(name, Promise.resolve(name).then(mint).then((credential) => ({ ...credential, id: ProbeCertificates.credentialId(this.materialId, name) })));
    return this.cache.get(name)!;
  }

  /** A leaf with the expected identity from `issuer`, changed by `overrides`, with the key of `mutation`. */
  private async leafFrom(mutation: string, issuer: CertificateIssuer, overrides: LeafOverrides = {}): Promise<{ der: Buffer; privateKey: crypto.KeyObject }> {
    const now = Date.now();
    const keys = await this.keys.leafKey(mutation);
    const der = await writeCertificateAsync({
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

  private async leaf(mutation: string, overrides: LeafOverrides = {}): Promise<Omit<ProbeCredential, 'id'>> {
    const { der, privateKey } = await this.leafFrom(mutation, this.issuer, overrides);
    return { certificateDer: der, privateKey, intermediates: this.intermediates() };
  }

  /** Correctly attested: the expected subject and SANs, from a CA the anchor trusts. */
  public control(): Promise<ProbeCredential> {
    return this.memo(MUTATION.control, (mutation) => this.leaf(mutation));
  }

  /** The same subject and SANs from a rogue CA whose subject DN is identical to the real one. */
  public rogueCaSameSubject(): Promise<ProbeCredential> {
    return this.memo(MUTATION.rogueCaSameSubject, async (mutation) => {
      const { der, privateKey } = await this.leafFrom(mutation, (await this.keys.rogueCaNamedLike(this.ca)).issuer);
      return { certificateDer: der, privateKey, intermediates: [] };
    });
  }

  /**
   * The agent's identity from an attacker's CA (`AttackerCa`), for a trust anchor the attacker
   * creates. The attacker names the CA like the real issuing CA, so issuer conditions alone do
   * not stop it.
   */
  public attackerCredential(attacker: AttackerCa): Promise<ProbeCredential> {
    return this.memo(attackerMutation(attacker.id), async (mutation) => {
      const { der, privateKey } = await this.leafFrom(mutation, (await attacker.ca).issuer);
      return { certificateDer: der, privateKey, intermediates: [] };
    });
  }

  /**
   * Right CA, another CN: one the gate admits besides the identity's when there is one (a
   * pattern or a second value lets it in — the gate is not pinned to one identity), else one
   * outside its exact value or StringLike pattern.
   */
  public wrongCommonName(): Promise<ProbeCredential> {
    const cn = this.expected.subject.CN ?? 'agent';
    const other = this.expected.admittedBesides.cn[0] ?? valueOutside(this.expected, 'x509Subject/CN', [`${cn}-impostor`, `impostor-${cn}`, 'impostor']);
    return this.memo(MUTATION.wrongCommonName, (mutation) => this.leaf(mutation, { subject: { ...this.expected.subject, CN: other } }));
  }

  /** Right CA and subject, another SPIFFE ID (URI SAN): one the gate admits besides the identity's when there is one. */
  public wrongSanUri(): Promise<ProbeCredential> {
    const original = this.expected.sanUris[0] ?? 'spiffe://attestgate.invalid/agent';
    const domain = /^spiffe:\/\/[^/]+/.exec(original)?.[0] ?? 'spiffe://attestgate.invalid';
    const other = this.expected.admittedBesides.sanUri[0] ?? valueOutside(this.expected, 'x509SAN/URI', [`${original.replace(/\/[^/]*$/, '')}/impostor`, `${domain}/impostor`, 'spiffe://impostor.invalid/agent']);
    return this.memo(MUTATION.wrongSanUri, (mutation) => this.leaf(mutation, { sanUris: [other] }));
  }

  /** Right CA and subject, no SAN at all. */
  public noSan(): Promise<ProbeCredential> {
    return this.memo(MUTATION.noSan, (mutation) => this.leaf(mutation, { sanUris: [], sanDns: [] }));
  }

  /** Correct in every attribute but carrying a serial the deployed CRL revokes. */
  public revoked(serialHex: string): Promise<ProbeCredential> {
    const serial = normalizeSerial(serialHex);
    return this.memo(revokedMutation(serialHex), (mutation) => this.leaf(mutation, { serialNumber: serial }));
  }

  public expired(): Promise<ProbeCredential> {
    const now = Date.now();
    return this.memo(MUTATION.expired, (mutation) => this.leaf(mutation, { notBefore: new Date(now - 2 * DAY), notAfter: new Date(now - DAY) }));
  }

  public notYetValid(): Promise<ProbeCredential> {
    const now = Date.now();
    return this.memo(MUTATION.notYetValid, (mutation) => this.leaf(mutation, { notBefore: new Date(now + DAY), notAfter: new Date(now + 2 * DAY) }));
  }

  /** A leaf that claims to be a CA (basicConstraints CA:TRUE). */
  public caAsLeaf(): Promise<ProbeCredential> {
    return this.memo(MUTATION.caAsLeaf, (mutation) => this.leaf(mutation, { ca: true, keyUsage: ['digitalSignature', 'keyCertSign'] satisfies KeyUsage[] }));
  }

  /** A leaf whose key usage lacks digitalSignature. */
  public noDigitalSignature(): Promise<ProbeCredential> {
    return this.memo(MUTATION.noDigitalSignature, (mutation) => this.leaf(mutation, { keyUsage: ['keyAgreement'] }));
  }

  /** A leaf signed with SHA-1. */
  public sha1Signed(): Promise<ProbeCredential> {
    return this.memo(MUTATION.sha1Signed, (mutation) => this.leaf(mutation, { signingHash: 'SHA-1' }));
  }

  /** The control certificate, presented with a private key that does not belong to it. */
  public mismatchedKey(): Promise<ProbeCredential> {
    return this.memo(MUTATION.mismatchedKey, async (mutation) => {
      const control = await this.control();
            // The mutation's own key: never the control's (the certificate's), so the signature cannot verify.
      return { certificateDer: control.certificateDer, intermediates: control.intermediates, privateKey: (await this.keys.leafKey(mutation)).privateKey };
    });
  }
}

/**
 * An attacker's CA named like a real signing CA, one per run and real CA: the CA of the trust
 * anchor AGC-AWS-015 creates. One anchor serves every gate of that CA (see AwsProbeContext).
 */
export class AttackerCa {
  public readonly ca: Promise<RogueCa>;

  /** `id`: the real CA's material, so the planned request keys name the attacker CA before it exists. */
  constructor(
    public readonly id: string,
    real: SigningCa,
  ) {
    this.ca = newRogueCa(real);
  }
}
