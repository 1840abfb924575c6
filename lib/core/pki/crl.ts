import { AttestGateError } from '../errors';
import { CaCertificateInfo } from './ca-bundle';
import { TAG, childrenOf, decodeOid, decodeTime, expectTag, integerHex, integerValue, readRoot, contentOf, DerNode } from './der';
import { DecodedName, decodeName, sameName } from './name';
import { pemBlocks } from './pem';
import { isWeakHash, signatureAlgorithm, verifySignedDer } from './signature';

const CRL_NUMBER_OID = '2.5.29.20';

/** A CRL, read synchronously. */
export interface Crl {
  readonly issuer: DecodedName;
  readonly thisUpdate: Date;
  readonly nextUpdate?: Date;
  /** The cRLNumber extension, when present; it must only grow. */
  readonly crlNumber?: bigint;
  /** Serial numbers of revoked certificates, lowercase hex without leading zeros. */
  readonly revokedSerials: readonly string[];
  readonly signatureAlgorithmOid: string;
  readonly signatureHash: string | null | undefined;
  readonly der: Buffer;
}

/** A CRL checked against the CA that signed it. */
export interface CrlInfo extends Crl {
  /** The CA certificate whose key signed the CRL. */
  readonly signer: CaCertificateInfo;
}

/** Normalises a hex serial number for comparison: lowercase, no leading zeros. */
export function normalizeSerial(hex: string): string {
  const trimmed = hex.toLowerCase().replace(/^0+/, '');
  return trimmed.length === 0 ? '0' : trimmed;
}

/** Reads the DER bytes of a CRL given as PEM (`X509 CRL`) or DER. */
export function crlDer(data: string | Uint8Array): Buffer | undefined {
  if (typeof data !== 'string') return Buffer.from(data);
  return pemBlocks(data, 'X509 CRL')[0];
}

/** Parses a DER CRL. Throws an Error saying what is malformed. */
export function parseCrl(input: Uint8Array): Crl {
  const der = Buffer.from(input);
  const root = readRoot(der, TAG.SEQUENCE);
  const [tbsNode, algorithmNode] = childrenOf(der, root);
  const tbs = childrenOf(der, expectTag(tbsNode, TAG.SEQUENCE, 'TBSCertList'));
  let i = 0;
  if (tbs[i]?.tag === TAG.INTEGER) i++; // version v2
  i++; // inner signature algorithm
  const issuer = decodeName(der, tbs[i++]);
  const thisUpdate = decodeTime(der, tbs[i++]);
  let nextUpdate: Date | undefined;
  if (tbs[i] && (tbs[i].tag === TAG.UTC_TIME || tbs[i].tag === TAG.GENERALIZED_TIME)) nextUpdate = decodeTime(der, tbs[i++]);
  const revokedSerials: string[] = [];
  if (tbs[i]?.tag === TAG.SEQUENCE) {
    for (const entry of childrenOf(der, tbs[i++])) revokedSerials.push(integerHex(der, childrenOf(der, entry)[0]));
  }
  let crlNumber: bigint | undefined;
  if (tbs[i]?.tag === 0xa0) {
    const [list] = childrenOf(der, tbs[i]);
    for (const ext of childrenOf(der, list)) {
      const parts = childrenOf(der, ext);
      if (decodeOid(der, parts[0]) === CRL_NUMBER_OID) {
        const value = contentOf(der, parts[parts.length - 1]);
        crlNumber = integerValue(value, readRoot(value, TAG.INTEGER) as DerNode);
      }
    }
  }
  const algorithmOid = decodeOid(der, childrenOf(der, expectTag(algorithmNode, TAG.SEQUENCE, 'AlgorithmIdentifier'))[0]);
  return { issuer, thisUpdate, nextUpdate, crlNumber, revokedSerials, signatureAlgorithmOid: algorithmOid, signatureHash: signatureAlgorithm(algorithmOid)?.hash, der };
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
  let crl: Crl;
  try {
    crl = parseCrl(der);
  } catch (e) {
    return fail('(CRL)', `does not parse (${(e as Error).message})`, 'check the CRL was copied whole');
  }
  if (crl.signatureHash === undefined || isWeakHash(crl.signatureHash)) {
    fail(crl.issuer.text, `is signed with ${crl.signatureHash ?? `an unsupported algorithm (${crl.signatureAlgorithmOid})`}, which is too weak`, 'have the CA sign CRLs with SHA-256 or stronger');
  }
  const signer = cas.find((ca) => verifySignedDer(der, ca.publicKeySpki));
  if (signer === undefined) {
    return fail(crl.issuer.text, `is not signed by any CA of the trust anchor (${cas.map((c) => c.subjectText).join('; ')})`, "use the CRL published by the trust anchor's CA");
  }
  if (JSON.stringify(crl.issuer.attributes) !== JSON.stringify(signer.subject)) {
    fail(crl.issuer.text, `names an issuer other than its signer (${signer.subjectText})`, 'use a CRL whose issuer is the CA that signs it');
  }
  if (crl.nextUpdate !== undefined && crl.nextUpdate.getTime() <= now.getTime()) {
    fail(crl.issuer.text, `is stale: its nextUpdate ${crl.nextUpdate.toISOString()} has passed`, 'publish a fresh CRL from the CA');
  }
  return { ...crl, signer };
}

/**
 * The CA of `cas` that issued and signed a CRL — same issuer name, signature verifying with its
 * key — or undefined: a CRL of another CA revokes nothing through a trust anchor of these CAs.
 */
export function crlSigner<C extends { readonly subject: DecodedName; readonly publicKeySpki: Uint8Array }>(der: Uint8Array, crl: Crl, cas: readonly C[]): C | undefined {
  return cas.find((ca) => sameName(crl.issuer, ca.subject) && verifySignedDer(der, ca.publicKeySpki));
}
