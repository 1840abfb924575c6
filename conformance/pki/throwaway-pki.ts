import * as crypto from 'node:crypto';
import { DistinguishedName, RDN_KEYS } from '../../lib/core/distinguished-name';
import { toPem } from '../../lib/core/pki/pem';
import { x509 } from './x509';

/**
 * A small certificate factory for throwaway PKIs — the probes' certificates, `npm start`'s
 * material, the emulators' TLS: CAs, leaves and CRLs with every property the conformance probes
 * mutate. Keys are WebCrypto keys from node:crypto; nothing is written to disk.
 */

/** Key types a throwaway PKI can use: the ones Roles Anywhere, GCP and Entra accept. */
export type KeyAlgorithm = 'EC-P256' | 'EC-P384' | 'RSA-2048';

/** A hash a certificate or CRL can be signed with; SHA-1 exists only to build rejected mutations. */
export type SigningHash = 'SHA-256' | 'SHA-384' | 'SHA-1';

/** A certificate with its key pair. */
export interface IssuedCertificate {
  readonly certificate: x509.X509Certificate;
  readonly keys: CryptoKeyPair;
  readonly keyAlgorithm: KeyAlgorithm;
  /** PEM of the certificate. */
  readonly pem: string;
  readonly der: Buffer;
}

const KEY_PARAMS: Record<KeyAlgorithm, RsaHashedKeyGenParams | EcKeyGenParams> = {
  'EC-P256': { name: 'ECDSA', namedCurve: 'P-256' },
  'EC-P384': { name: 'ECDSA', namedCurve: 'P-384' },
  'RSA-2048': { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
};

const webcrypto = crypto.webcrypto as unknown as Crypto;

/** Generates an extractable key pair. */
export async function generateKeys(algorithm: KeyAlgorithm = 'EC-P256'): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(KEY_PARAMS[algorithm], true, ['sign', 'verify'])) as CryptoKeyPair;
}

/** The WebCrypto signing algorithm for a key type and hash. */
export function signingAlgorithm(keyAlgorithm: KeyAlgorithm, hash: SigningHash = 'SHA-256'): Algorithm | EcdsaParams {
  return keyAlgorithm.startsWith('EC') ? { name: 'ECDSA', hash } : ({ name: 'RSASSA-PKCS1-v1_5', hash } as Algorithm);
}

/**
 * The private key to sign with for a hash. WebCrypto binds an RSA key to one hash at import, so
 * an RSA key is re-imported for another hash (the SHA-1 mutation); ECDSA takes the hash per call.
 */
async function signingKeyFor(signer: { keys: CryptoKeyPair; keyAlgorithm: KeyAlgorithm }, hash: SigningHash = 'SHA-256'): Promise<CryptoKey> {
  const key = signer.keys.privateKey;
  const bound = (key.algorithm as RsaHashedKeyAlgorithm).hash?.name;
  if (signer.keyAlgorithm.startsWith('EC') || bound === hash) return key;
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', key);
  return webcrypto.subtle.importKey('pkcs8', pkcs8, { name: 'RSASSA-PKCS1-v1_5', hash }, false, ['sign']);
}

/** A distinguished name in the order CAs conventionally write it (C, ST, L, O, OU, CN). */
export function toX509Name(dn: DistinguishedName): x509.JsonName {
  const order = ['C', 'ST', 'L', 'O', 'OU', 'CN'] as const;
  return order.filter((k) => dn[k] !== undefined && RDN_KEYS.includes(k)).map((k) => ({ [k]: [dn[k]!] }));
}

/** A random positive serial number of 16 bytes, hex. */
export function randomSerial(): string {
  const bytes = crypto.randomBytes(16);
  bytes[0] &= 0x7f;
  bytes[0] |= 0x01;
  return bytes.toString('hex');
}

const DAY = 86_400_000;

function finish(certificate: x509.X509Certificate, keys: CryptoKeyPair, keyAlgorithm: KeyAlgorithm): IssuedCertificate {
  const der = Buffer.from(certificate.rawData);
  return { certificate, keys, keyAlgorithm, der, pem: toPem(der, 'CERTIFICATE') };
}

export interface CaOptions {
  readonly subject: DistinguishedName;
  /** Sign with this CA (an intermediate); self-signed when absent. */
  readonly issuer?: IssuedCertificate;
  readonly keyAlgorithm?: KeyAlgorithm;
  readonly signingHash?: SigningHash;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  /** keyUsage; defaults to keyCertSign | cRLSign. */
  readonly keyUsages?: number;
  readonly pathLength?: number;
}

/** Creates a CA certificate (root when no issuer is given). */
export async function createCa(options: CaOptions): Promise<IssuedCertificate> {
  const keyAlgorithm = options.keyAlgorithm ?? 'EC-P256';
  const keys = await generateKeys(keyAlgorithm);
  const now = Date.now();
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(true, options.pathLength, true),
    new x509.KeyUsagesExtension(options.keyUsages ?? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ];
  const base = {
    serialNumber: randomSerial(),
    notBefore: options.notBefore ?? new Date(now - DAY),
    notAfter: options.notAfter ?? new Date(now + 3650 * DAY),
    extensions,
  };
  if (options.issuer) {
    extensions.push(await x509.AuthorityKeyIdentifierExtension.create(options.issuer.keys.publicKey));
    const certificate = await x509.X509CertificateGenerator.create({
      ...base,
      subject: toX509Name(options.subject),
      issuer: options.issuer.certificate.subjectName,
      publicKey: keys.publicKey,
      signingKey: await signingKeyFor(options.issuer, options.signingHash),
      signingAlgorithm: signingAlgorithm(options.issuer.keyAlgorithm, options.signingHash),
    });
    return finish(certificate, keys, keyAlgorithm);
  }
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    ...base,
    name: toX509Name(options.subject),
    keys: { publicKey: keys.publicKey, privateKey: await signingKeyFor({ keys, keyAlgorithm }, options.signingHash) },
    signingAlgorithm: signingAlgorithm(keyAlgorithm, options.signingHash),
  });
  return finish(certificate, keys, keyAlgorithm);
}

export interface LeafOptions {
  readonly issuer: IssuedCertificate;
  readonly subject: DistinguishedName;
  /** URI SANs, e.g. the SPIFFE ID. */
  readonly sanUris?: readonly string[];
  readonly sanDns?: readonly string[];
  readonly keyAlgorithm?: KeyAlgorithm;
  readonly signingHash?: SigningHash;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  readonly serialNumber?: string;
  /** basicConstraints CA:TRUE on a leaf (a mutation). */
  readonly markAsCa?: boolean;
  /** keyUsage; defaults to digitalSignature. */
  readonly keyUsages?: number;
  /** Use these keys instead of fresh ones (to reuse a key, or to pair a certificate with a wrong key). */
  readonly keys?: CryptoKeyPair;
}

/** Issues an end-entity certificate. */
export async function issueLeaf(options: LeafOptions): Promise<IssuedCertificate> {
  const keyAlgorithm = options.keyAlgorithm ?? 'EC-P256';
  const keys = options.keys ?? (await generateKeys(keyAlgorithm));
  const now = Date.now();
  const names: x509.JsonGeneralName[] = [
    ...(options.sanUris ?? []).map((value) => ({ type: 'url' as const, value })),
    ...(options.sanDns ?? []).map((value) => ({ type: 'dns' as const, value })),
  ];
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(options.markAsCa ?? false, undefined, true),
    new x509.KeyUsagesExtension(options.keyUsages ?? x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
    await x509.AuthorityKeyIdentifierExtension.create(options.issuer.keys.publicKey),
  ];
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names));
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: options.serialNumber ?? randomSerial(),
    subject: toX509Name(options.subject),
    issuer: options.issuer.certificate.subjectName,
    notBefore: options.notBefore ?? new Date(now - 60_000),
    notAfter: options.notAfter ?? new Date(now + DAY),
    publicKey: keys.publicKey,
    signingKey: await signingKeyFor(options.issuer, options.signingHash),
    signingAlgorithm: signingAlgorithm(options.issuer.keyAlgorithm, options.signingHash),
    extensions,
  });
  return finish(certificate, keys, keyAlgorithm);
}

export interface CrlOptions {
  readonly issuer: IssuedCertificate;
  /** Hex serial numbers to revoke. */
  readonly revokedSerials?: readonly string[];
  readonly thisUpdate?: Date;
  readonly nextUpdate?: Date;
  readonly crlNumber?: bigint;
  readonly signingHash?: SigningHash;
  /** Sign with this key instead of the issuer's (a forged CRL). */
  readonly signingKeys?: { keys: CryptoKeyPair; keyAlgorithm: KeyAlgorithm };
}

/** The DER of an INTEGER, as the cRLNumber extension holds it. */
function derInteger(value: bigint): Uint8Array<ArrayBuffer> {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  if (parseInt(hex.slice(0, 2), 16) & 0x80) hex = `00${hex}`;
  const body = Buffer.from(hex, 'hex');
  return new Uint8Array([0x02, body.length, ...body]);
}

/** Issues a CRL. Every entry carries a reason: pkijs rejects entries with empty extensions. */
export async function createCrl(options: CrlOptions): Promise<{ crl: x509.X509Crl; pem: string; der: Buffer }> {
  const now = Date.now();
  const signer = options.signingKeys ?? options.issuer;
  const crl = await x509.X509CrlGenerator.create({
    issuer: options.issuer.certificate.subjectName,
    thisUpdate: options.thisUpdate ?? new Date(now - 60_000),
    nextUpdate: options.nextUpdate ?? new Date(now + 7 * DAY),
    entries: (options.revokedSerials ?? []).map((serialNumber) => ({
      serialNumber,
      revocationDate: new Date(now - 120_000),
      reason: x509.X509CrlReason.keyCompromise,
    })),
    extensions: [
      new x509.Extension('2.5.29.20', false, derInteger(options.crlNumber ?? 1n)),
      await x509.AuthorityKeyIdentifierExtension.create(options.issuer.keys.publicKey),
    ],
    signingKey: await signingKeyFor(signer, options.signingHash),
    signingAlgorithm: signingAlgorithm(signer.keyAlgorithm, options.signingHash),
  });
  const der = Buffer.from(crl.rawData);
  return { crl, der, pem: toPem(der, 'X509 CRL') };
}

/** The private key as PKCS#8 PEM, as openssl writes it. */
export async function privateKeyPem(keys: CryptoKeyPair): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return toPem(der, 'PRIVATE KEY');
}
