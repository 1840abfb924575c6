import { AttestGateError } from '../errors';
import { CaCertificateInfo } from './ca-bundle';
import { pemBlocks } from './pem';
import { attributesOfName, hashOfSignatureAlgorithm, isWeakSignatureHash, verifySignedDer, x509 } from './x509';

const CRL_NUMBER_OID = '2.5.29.20';

/** What attestgate needs to know of a certificate revocation list. */
export interface CrlInfo {
  readonly issuer: Record<string, string>;
  readonly issuerText: string;
  readonly thisUpdate: Date;
  readonly nextUpdate?: Date;
  /** The cRLNumber extension, when present; it must only grow. */
  readonly crlNumber?: bigint;
  /** Serial numbers of revoked certificates, lowercase hex without leading zeros. */
  readonly revokedSerials: readonly string[];
  /** The CA certificate whose key signed the CRL. */
  readonly signer: CaCertificateInfo;
  readonly der: Buffer;
}

/** Normalises a hex serial number for comparison: lowercase, no leading zeros. */
export function normalizeSerial(hex: string): string {
  const trimmed = hex.toLowerCase().replace(/^0+/, '');
  return trimmed.length === 0 ? '0' : trimmed;
}

/** Reads the DER bytes of a CRL given as PEM (`X509 CRL`) or DER. */
export function crlDer(data: string | Uint8Array): Buffer | undefined {
  if (typeof data !== 'string') return Buffer.from(data);
  const blocks = pemBlocks(data, 'X509 CRL');
  return blocks[0];
}

/**
 * Parses a CRL and checks it can revoke anything for the given CAs: it parses, it is signed by
 * one of them (signature verified, never matched by name alone), its issuer is that CA's subject,
 * its signature hash is SHA-256 or stronger, and it is not past its nextUpdate.
 *
 * @throws AttestGateError naming the failed check
 */
export function inspectCrl(
  data: string | Uint8Array,
  cas: readonly CaCertificateInfo[],
  options: { where: string; field: string; now?: Date },
): CrlInfo {
  const { where, field } = options;
  const now = options.now ?? new Date();
  const fail = (value: unknown, problem: string, fix: string): never => {
    throw new AttestGateError({ where, field, value, problem, fix });
  };
  const der = crlDer(data);
  if (der === undefined) {
    return fail(typeof data === 'string' ? data.slice(0, 60) : data, 'holds no PEM CRL (-----BEGIN X509 CRL-----)', 'give the CRL as PEM, as `openssl ca -gencrl` writes it');
  }
  let crl: x509.X509Crl;
  try {
    crl = new x509.X509Crl(new Uint8Array(der));
  } catch (e) {
    return fail('(CRL)', `does not parse (${(e as Error).message})`, 'check the CRL was copied whole');
  }
  const hash = hashOfSignatureAlgorithm(crl.signatureAlgorithm);
  if (hash === undefined || isWeakSignatureHash(hash)) {
    fail(crl.issuer, `is signed with ${hash ?? crl.signatureAlgorithm.name}, which is too weak`, 'have the CA sign CRLs with SHA-256 or stronger');
  }
  const signer = cas.find((ca) => verifySignedDer(der, crl.signatureAlgorithm, ca.publicKeySpki));
  if (signer === undefined) {
    return fail(
      crl.issuer,
      `is not signed by any CA of the trust anchor (${cas.map((c) => c.subjectText).join('; ')})`,
      "use the CRL published by the trust anchor's CA",
    );
  }
  const issuer = attributesOfName(crl.issuerName);
  if (JSON.stringify(issuer) !== JSON.stringify(signer.subject)) {
    fail(crl.issuer, `names an issuer other than its signer (${signer.subjectText})`, 'use a CRL whose issuer is the CA that signs it');
  }
  if (crl.nextUpdate !== undefined && crl.nextUpdate.getTime() <= now.getTime()) {
    fail(crl.issuer, `is stale: its nextUpdate ${crl.nextUpdate.toISOString()} has passed`, 'publish a fresh CRL from the CA');
  }
  const numberExtension = crl.extensions.find((e) => e.type === CRL_NUMBER_OID);
  return {
    issuer,
    issuerText: crl.issuer,
    thisUpdate: crl.thisUpdate,
    nextUpdate: crl.nextUpdate,
    crlNumber: numberExtension ? derInteger(new Uint8Array(numberExtension.value)) : undefined,
    revokedSerials: crl.entries.map((e) => normalizeSerial(e.serialNumber)),
    signer,
    der,
  };
}

/** Decodes a DER INTEGER (tag 0x02), as the cRLNumber extension holds it. */
function derInteger(bytes: Uint8Array): bigint | undefined {
  if (bytes[0] !== 0x02 || bytes.length < 3) return undefined;
  const length = bytes[1];
  let value = 0n;
  for (let i = 2; i < 2 + length && i < bytes.length; i++) value = value * 256n + BigInt(bytes[i]);
  return value;
}
