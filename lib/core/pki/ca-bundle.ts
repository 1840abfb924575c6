import { AttestGateError } from '../errors';
import { Certificate, parseCertificate } from './certificate';
import { pemBlocks, pemLabels } from './pem';
import { isWeakHash } from './signature';

/** What attestgate needs to know of a CA certificate in a trust bundle. */
export interface CaCertificateInfo {
  /** Subject attributes, multi-valued ones joined with `/`. */
  readonly subject: Record<string, string>;
  /** The subject as one line, e.g. `O=Example, CN=Agents CA`. */
  readonly subjectText: string;
  /** Lowercase hex. */
  readonly serialNumber: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** SHA-256 of the DER certificate, lowercase hex. */
  readonly fingerprintSha256: string;
  /** The SubjectPublicKeyInfo, DER; CA keys are matched by this, never by name. */
  readonly publicKeySpki: Buffer;
  readonly der: Buffer;
}

export interface CaBundleLimits {
  /** How many CA certificates the bundle may hold. */
  readonly maxCertificates: number;
  /** How many characters the PEM text may have. */
  readonly maxPemLength: number;
}

/** The CaCertificateInfo view of a parsed certificate. */
export function caInfoOf(cert: Certificate): CaCertificateInfo {
  return {
    subject: cert.subject.attributes,
    subjectText: cert.subject.text,
    serialNumber: cert.serialNumber,
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    fingerprintSha256: cert.fingerprintSha256,
    publicKeySpki: cert.publicKeySpki,
    der: cert.der,
  };
}

/**
 * Parses every certificate of a PEM text without judging them (discovery describes what is
 * deployed; the probes judge it). Throws a plain Error for a block that is not a certificate.
 */
export function parseCertificateBundle(pem: string): Certificate[] {
  return pemBlocks(pem, 'CERTIFICATE').map((der, index) => {
    try {
      return parseCertificate(der);
    } catch (e) {
      throw new Error(`certificate #${index + 1} does not parse (${(e as Error).message})`);
    }
  });
}

/**
 * Parses a PEM bundle of CA certificates and checks each one is usable as a trust anchor:
 * a certificate (never a key), basicConstraints CA:TRUE, keyUsage keyCertSign, valid now,
 * and signed with SHA-256 or stronger.
 *
 * @throws AttestGateError naming the certificate and the failed check
 */
export function inspectCaBundle(
  pem: string,
  options: { where: string; field: string; limits: CaBundleLimits; now?: Date },
): CaCertificateInfo[] {
  const { where, field, limits } = options;
  const now = options.now ?? new Date();
  const fail = (value: unknown, problem: string, fix: string): never => {
    throw new AttestGateError({ where, field, value, problem, fix });
  };
  if (typeof pem !== 'string' || pem.trim().length === 0) {
    fail(pem, 'is empty', 'give the PEM text of the CA certificate(s)');
  }
  const foreign = pemLabels(pem).filter((label) => label !== 'CERTIFICATE');
  if (foreign.length > 0) {
    fail(
      foreign.join(', '),
      `holds PEM blocks other than CERTIFICATE${foreign.some((l) => l.includes('PRIVATE')) ? ' — a private key must never be part of a trust anchor' : ''}`,
      'keep only the CA certificates (-----BEGIN CERTIFICATE-----) in the bundle',
    );
  }
  if (pem.length > limits.maxPemLength) {
    fail(`${pem.length} characters`, `is longer than the ${limits.maxPemLength} characters allowed`, 'remove certificates the anchor does not need, or use shorter (EC) CA certificates');
  }
  let certificates: Certificate[] = [];
  try {
    certificates = parseCertificateBundle(pem);
  } catch (e) {
    fail('(bundle)', (e as Error).message, 'check the PEM was copied whole');
  }
  if (certificates.length === 0) {
    fail(pem.slice(0, 60), 'holds no PEM certificate', 'give the CA certificate as -----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----');
  }
  if (certificates.length > limits.maxCertificates) {
    fail(`${certificates.length} certificates`, `holds more than the ${limits.maxCertificates} CA certificates allowed`, `split it: at most ${limits.maxCertificates} CAs per trust anchor (use a second one for rotation)`);
  }
  return certificates.map((cert, index) => {
    const label = `certificate #${index + 1} (${cert.subject.text})`;
    if (!cert.basicConstraints?.ca) {
      fail(label, 'is not a CA certificate (basicConstraints CA:TRUE is missing)', 'use the certificate of the issuing or root CA, not a leaf');
    }
    if (!cert.keyUsage?.has('keyCertSign')) {
      fail(label, 'lacks keyUsage keyCertSign', 'reissue the CA certificate with keyUsage keyCertSign (and cRLSign)');
    }
    if (cert.signatureHash === undefined || isWeakHash(cert.signatureHash)) {
      fail(label, `is signed with ${cert.signatureHash ?? `an unsupported algorithm (${cert.signatureAlgorithmOid})`}, which is rejected`, 'reissue it with SHA-256 or stronger');
    }
    if (cert.notAfter.getTime() <= now.getTime()) {
      fail(label, `expired on ${cert.notAfter.toISOString()}`, 'renew the CA certificate');
    }
    if (cert.notBefore.getTime() > now.getTime()) {
      fail(label, `is not valid before ${cert.notBefore.toISOString()}`, 'check the CA clock, or wait until it is valid');
    }
    return caInfoOf(cert);
  });
}
