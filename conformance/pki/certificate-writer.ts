import * as crypto from 'node:crypto';
import { DistinguishedName } from '../../lib/core/distinguished-name';
import { KEY_USAGE, KeyUsage } from '../../lib/core/pki/certificate';
import { TAG, childrenOf, contentOf, decodeOid, readRoot } from '../../lib/core/pki/der';
import {
  bitStringOfBytes,
  boolean,
  explicit,
  implicitPrimitive,
  integer,
  integerFromHex,
  namedBitString,
  nullValue,
  octetString,
  oid,
  printableString,
  sequence,
  set,
  time,
  utf8String,
} from './der-writer';
import { spkiOf } from './spki';

/**
 * Writes X.509 v3 certificates synchronously with node:crypto: DER built here, signed with
 * crypto.sign. This is the probes' certificate factory: a conformance run mints a dozen
 * certificates per gate, and @peculiar/x509 (asn1js, WebCrypto, a re-parse of its own output)
 * cost ~5 ms each — at 100 gates more CPU than the probes themselves (docs/benchmarks.md).
 * Writing one here costs a key generation and a signature. throwaway-pki keeps @peculiar/x509
 * for the rest (CRLs, TLS, tests), where a certificate is made once.
 */

/** Who signs: the issuer's subject Name (DER, copied as is) and private key; or the subject itself. */
export interface CertificateIssuer {
  /** The issuer's subject Name, DER: copied byte for byte, so name chaining is exact. */
  readonly name: Buffer;
  readonly privateKey: crypto.KeyObject;
  /** The issuer's subjectKeyIdentifier, written as the authorityKeyIdentifier. */
  readonly keyIdentifier: Buffer;
}

export interface CertificateSpec {
  /** The issuer; absent for a self-signed certificate (signed with `selfSigningKey`). */
  readonly issuer?: CertificateIssuer;
  /** The subject's private key, for a self-signed certificate. */
  readonly selfSigningKey?: crypto.KeyObject;
  readonly subject: DistinguishedName;
  readonly publicKey: crypto.KeyObject;
  /** Hex; random 16 bytes when absent. */
  readonly serialNumber?: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** basicConstraints cA (critical); with a path length for CAs that constrain it. */
  readonly ca: boolean;
  readonly pathLength?: number;
  /** keyUsage (critical). */
  readonly keyUsage: readonly KeyUsage[];
  /** extendedKeyUsage clientAuth, as Roles Anywhere clients' certificates carry. */
  readonly clientAuth?: boolean;
  readonly sanUris?: readonly string[];
  readonly sanDns?: readonly string[];
  /** @default 'SHA-256'; SHA-1 exists only to build rejected mutations */
  readonly signingHash?: 'SHA-256' | 'SHA-384' | 'SHA-1';
}

const NAME_ORDER = ['C', 'ST', 'L', 'O', 'OU', 'CN'] as const;
const NAME_OIDS: Record<(typeof NAME_ORDER)[number], string> = { C: '2.5.4.6', ST: '2.5.4.8', L: '2.5.4.7', O: '2.5.4.10', OU: '2.5.4.11', CN: '2.5.4.3' };

/** A Name in the order CAs conventionally write it; the country as PrintableString (RFC 5280 Appendix A). */
export function encodeName(dn: DistinguishedName): Buffer {
  return sequence(
    ...NAME_ORDER.filter((k) => dn[k] !== undefined).map((k) => set(sequence(oid(NAME_OIDS[k]), k === 'C' ? printableString(dn[k]!) : utf8String(dn[k]!)))),
  );
}

/** The AlgorithmIdentifier for a signing key and hash: RSA PKCS#1 v1.5 (NULL parameters) or ECDSA (none). */
function signatureAlgorithmOf(key: crypto.KeyObject, hash: 'SHA-256' | 'SHA-384' | 'SHA-1'): { identifier: Buffer; digest: string } {
  const digest = hash.replace('-', '').toLowerCase();
  if (key.asymmetricKeyType === 'rsa') {
    const oids = { 'SHA-256': '1.2.840.113549.1.1.11', 'SHA-384': '1.2.840.113549.1.1.12', 'SHA-1': '1.2.840.113549.1.1.5' };
    return { identifier: sequence(oid(oids[hash]), nullValue()), digest };
  }
  if (key.asymmetricKeyType === 'ec') {
    const oids = { 'SHA-256': '1.2.840.10045.4.3.2', 'SHA-384': '1.2.840.10045.4.3.3', 'SHA-1': '1.2.840.10045.4.1' };
    return { identifier: sequence(oid(oids[hash])), digest };
  }
  throw new Error(`cannot sign certificates with a ${key.asymmetricKeyType} key: use RSA or EC`);
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING's value. */
export function keyIdentifierOf(spki: Uint8Array): Buffer {
  const [, subjectPublicKey] = childrenOf(spki, readRoot(spki, TAG.SEQUENCE));
  return crypto.createHash('sha1').update(contentOf(spki, subjectPublicKey).subarray(1)).digest();
}

/** A certificate's subjectKeyIdentifier, read from its DER; method 1 over its key when it has none. */
export function subjectKeyIdentifierOf(certificateDer: Uint8Array, spki: Uint8Array): Buffer {
  const [tbsNode] = childrenOf(certificateDer, readRoot(certificateDer, TAG.SEQUENCE));
  const extensionsNode = childrenOf(certificateDer, tbsNode).find((n) => n.tag === 0xa3);
  if (extensionsNode) {
    for (const extension of childrenOf(certificateDer, childrenOf(certificateDer, extensionsNode)[0])) {
      const parts = childrenOf(certificateDer, extension);
      if (decodeOid(certificateDer, parts[0]) !== '2.5.29.14') continue;
      const value = contentOf(certificateDer, parts[parts.length - 1]);
      return Buffer.from(contentOf(value, readRoot(value, TAG.OCTET_STRING)));
    }
  }
  return keyIdentifierOf(spki);
}

const extension = (id: string, critical: boolean, value: Buffer): Buffer => sequence(oid(id), ...(critical ? [boolean(true)] : []), octetString(value));

/** A random positive serial number of 16 bytes, hex. */
function randomSerial(): string {
  const bytes = crypto.randomBytes(16);
  bytes[0] = (bytes[0] & 0x7f) | 0x01;
  return bytes.toString('hex');
}

/** Writes and signs a certificate; returns its DER. */
export function writeCertificate(spec: CertificateSpec): Buffer {
  const { tbs, algorithm, signingKey } = toBeSigned(spec);
  return certificateOf(tbs, algorithm, crypto.sign(algorithm.digest, tbs, { key: signingKey, dsaEncoding: 'der' }));
}

/**
 * Writes a certificate and signs it on libuv's thread pool (`crypto.sign` with a callback): a
 * conformance run mints thousands, and signing off the event loop lets them use a core the
 * prober's thread does not.
 */
export function writeCertificateAsync(spec: CertificateSpec): Promise<Buffer> {
  const { tbs, algorithm, signingKey } = toBeSigned(spec);
  return new Promise((resolve, reject) =>
    crypto.sign(algorithm.digest, tbs, { key: signingKey, dsaEncoding: 'der' }, (error, signature) => (error ? reject(error) : resolve(certificateOf(tbs, algorithm, signature)))),
  );
}

const certificateOf = (tbs: Buffer, algorithm: { identifier: Buffer }, signature: Buffer): Buffer => sequence(tbs, algorithm.identifier, bitStringOfBytes(signature));

/** The TBSCertificate of a spec, with the algorithm and key that sign it. */
function toBeSigned(spec: CertificateSpec) {
  const signingKey = spec.issuer?.privateKey ?? spec.selfSigningKey;
  if (!signingKey) throw new Error('a certificate needs an issuer or, self-signed, its own private key');
  const algorithm = signatureAlgorithmOf(signingKey, spec.signingHash ?? 'SHA-256');
  const spki = spkiOf(spec.publicKey);
  const subject = encodeName(spec.subject);
  const ownKeyIdentifier = keyIdentifierOf(spki);
  const issuerName = spec.issuer?.name ?? subject;
  const authorityKeyIdentifier = spec.issuer?.keyIdentifier ?? ownKeyIdentifier;
  const names = [...(spec.sanUris ?? []).map((u) => implicitPrimitive(6, Buffer.from(u, 'latin1'))), ...(spec.sanDns ?? []).map((d) => implicitPrimitive(2, Buffer.from(d, 'latin1')))];
  const extensions = [
    extension('2.5.29.19', true, sequence(...(spec.ca ? [boolean(true)] : []), ...(spec.ca && spec.pathLength !== undefined ? [integer(spec.pathLength)] : []))),
    extension('2.5.29.15', true, namedBitString(spec.keyUsage.map((u) => KEY_USAGE.indexOf(u)))),
    ...(spec.clientAuth ? [extension('2.5.29.37', false, sequence(oid('1.3.6.1.5.5.7.3.2')))] : []),
    ...(spec.ca ? [extension('2.5.29.14', false, octetString(ownKeyIdentifier))] : []),
    extension('2.5.29.35', false, sequence(implicitPrimitive(0, authorityKeyIdentifier))),
    ...(names.length > 0 ? [extension('2.5.29.17', false, sequence(...names))] : []),
  ];
  const tbs = sequence(
    explicit(0, integer(2)),
    integerFromHex(spec.serialNumber ?? randomSerial()),
    algorithm.identifier,
    issuerName,
    sequence(time(spec.notBefore), time(spec.notAfter)),
    subject,
    spki,
    explicit(3, sequence(...extensions)),
  );
  return { tbs, algorithm, signingKey };
}
