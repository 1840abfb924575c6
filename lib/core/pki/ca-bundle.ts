import { AttestGateError } from '../errors';
import { pemBlocks, pemLabels } from './pem';
import { attributesOfName, hashOfSignatureAlgorithm, isWeakSignatureHash, sha256Hex, x509 } from './x509';

/** What attestgate needs to know of a CA certificate in a trust bundle. */
export interface CaCertificateInfo {
  /** Subject attributes, multi-valued ones joined with `/`. */
  readonly subject: Record<string, string>;
  /** The subject as one line, e.g. `CN=Agents CA, O=Example`. */
  readonly subjectText: string;
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
  const ders = pemBlocks(pem, 'CERTIFICATE');
  if (ders.length === 0) {
    fail(pem.slice(0, 60), 'holds no PEM certificate', 'give the CA certificate as -----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----');
  }
  if (ders.length > limits.maxCertificates) {
    fail(`${ders.length} certificates`, `holds more than the ${limits.maxCertificates} CA certificates allowed`, `split it: at most ${limits.maxCertificates} CAs per trust anchor (use a second one for rotation)`);
  }

  let parsed: ReturnType<typeof parseCertificates>;
  try {
    parsed = parseCertificates(ders);
  } catch (e) {
    return fail('(bundle)', (e as Error).message, 'check the PEM was copied whole');
  }
  return parsed.map((info, index) => {
    const cert = info.certificate;
    const label = `certificate #${index + 1} (${info.subjectText})`;
    const basic = cert.getExtension(x509.BasicConstraintsExtension);
    if (!basic || !basic.ca) {
      fail(label, 'is not a CA certificate (basicConstraints CA:TRUE is missing)', 'use the certificate of the issuing or root CA, not a leaf');
    }
    const usage = cert.getExtension(x509.KeyUsagesExtension);
    if (!usage || (usage.usages & x509.KeyUsageFlags.keyCertSign) === 0) {
      fail(label, 'lacks keyUsage keyCertSign', 'reissue the CA certificate with keyUsage keyCertSign (and cRLSign)');
    }
    const hash = hashOfSignatureAlgorithm(cert.signatureAlgorithm);
    if (hash === undefined || isWeakSignatureHash(hash)) {
      fail(label, `is signed with ${hash ?? 'an unsupported algorithm'}, which is rejected`, 'reissue it with SHA-256 or stronger');
    }
    if (info.notAfter.getTime() <= now.getTime()) {
      fail(label, `expired on ${info.notAfter.toISOString()}`, 'renew the CA certificate');
    }
    if (info.notBefore.getTime() > now.getTime()) {
      fail(label, `is not valid before ${info.notBefore.toISOString()}`, 'check the CA clock, or wait until it is valid');
    }
    return info;
  }).map(({ certificate: _certificate, ...info }) => info);
}

/**
 * Parses DER certificates without judging them (discovery describes what is deployed; the
 * probes judge it). Throws a plain Error for bytes that are not a certificate.
 */
export function parseCertificates(ders: readonly Buffer[]): Array<CaCertificateInfo & { certificate: x509.X509Certificate }> {
  return ders.map((der, index) => {
    let certificate: x509.X509Certificate;
    try {
      certificate = new x509.X509Certificate(new Uint8Array(der));
    } catch (e) {
      throw new Error(`certificate #${index + 1} does not parse (${(e as Error).message})`);
    }
    return {
      certificate,
      subject: attributesOfName(certificate.subjectName),
      subjectText: certificate.subject,
      serialNumber: certificate.serialNumber,
      notBefore: certificate.notBefore,
      notAfter: certificate.notAfter,
      fingerprintSha256: sha256Hex(der),
      publicKeySpki: Buffer.from(certificate.publicKey.rawData),
      der,
    };
  });
}
