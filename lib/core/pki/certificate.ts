import { DerNode, TAG, bitStringBits, childrenOf, contentOf, decodeOid, decodeTime, encodingOf, expectTag, integerHex, readRoot } from './der';
import { DecodedName, decodeName } from './name';
import { sha256Hex, signatureAlgorithm } from './signature';

/** Key usage bits, in ASN.1 order (RFC 5280 §4.2.1.3). */
export const KEY_USAGE = ['digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement', 'keyCertSign', 'cRLSign', 'encipherOnly', 'decipherOnly'] as const;
export type KeyUsage = (typeof KEY_USAGE)[number];

/** The first value of each SAN type Roles Anywhere and GCP map, plus every URI and DNS name. */
export interface SubjectAltNames {
  readonly uris: readonly string[];
  readonly dnsNames: readonly string[];
  readonly directoryNames: readonly DecodedName[];
  /** SAN types present that are never mapped (email, IP, otherName, …). */
  readonly otherTypes: readonly number[];
}

/** An X.509 certificate, read synchronously. */
export interface Certificate {
  /** 1, 2 or 3. */
  readonly version: number;
  /** Lowercase hex, no leading zeros. */
  readonly serialNumber: string;
  readonly issuer: DecodedName;
  readonly subject: DecodedName;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** SubjectPublicKeyInfo, DER: keys are compared by this, never by name. */
  readonly publicKeySpki: Buffer;
  /** The signature algorithm OID and what it means. */
  readonly signatureAlgorithmOid: string;
  readonly signatureHash: string | null | undefined;
  /** basicConstraints; undefined when the extension is absent. */
  readonly basicConstraints?: { readonly ca: boolean; readonly pathLength?: number };
  /** keyUsage bits; undefined when the extension is absent. */
  readonly keyUsage?: ReadonlySet<KeyUsage>;
  readonly subjectAltNames: SubjectAltNames;
  /** OIDs of every extension, with criticality. */
  readonly extensions: ReadonlyArray<{ readonly oid: string; readonly critical: boolean }>;
  readonly fingerprintSha256: string;
  readonly der: Buffer;
}

const EXT_BASIC_CONSTRAINTS = '2.5.29.19';
const EXT_KEY_USAGE = '2.5.29.15';
const EXT_SUBJECT_ALT_NAME = '2.5.29.17';

/** Parses a DER certificate. Throws an Error saying what is malformed. */
export function parseCertificate(input: Uint8Array): Certificate {
  const der = Buffer.from(input);
  const root = readRoot(der, TAG.SEQUENCE);
  const [tbsNode, algorithmNode] = childrenOf(der, root);
  const tbs = childrenOf(der, expectTag(tbsNode, TAG.SEQUENCE, 'TBSCertificate'));
  let i = 0;
  let version = 1;
  if (tbs[i]?.tag === 0xa0) {
    const [v] = childrenOf(der, tbs[i++]);
    version = Number(BigInt(`0x${integerHex(der, v)}`)) + 1;
  }
  const serialNumber = integerHex(der, tbs[i++]);
  i++; // the inner signature algorithm; the outer one is authoritative
  const issuer = decodeName(der, tbs[i++]);
  const [notBefore, notAfter] = childrenOf(der, expectTag(tbs[i++], TAG.SEQUENCE, 'Validity')).map((n) => decodeTime(der, n));
  const subject = decodeName(der, tbs[i++]);
  const spki = expectTag(tbs[i++], TAG.SEQUENCE, 'SubjectPublicKeyInfo');
  const extensions: Array<{ oid: string; critical: boolean; value: Uint8Array }> = [];
  for (; i < tbs.length; i++) {
    if (tbs[i].tag !== 0xa3) continue;
    const [list] = childrenOf(der, tbs[i]);
    for (const ext of childrenOf(der, expectTag(list, TAG.SEQUENCE, 'Extensions'))) {
      const parts = childrenOf(der, ext);
      const critical = parts.length === 3 && parts[1].tag === TAG.BOOLEAN && der[parts[1].contentStart] !== 0;
      extensions.push({ oid: decodeOid(der, parts[0]), critical, value: contentOf(der, expectTag(parts[parts.length - 1], TAG.OCTET_STRING, 'extnValue')) });
    }
  }
  const algorithmOid = decodeOid(der, childrenOf(der, expectTag(algorithmNode, TAG.SEQUENCE, 'AlgorithmIdentifier'))[0]);
  const find = (oid: string) => extensions.find((e) => e.oid === oid)?.value;
  const basic = find(EXT_BASIC_CONSTRAINTS);
  const usage = find(EXT_KEY_USAGE);
  const san = find(EXT_SUBJECT_ALT_NAME);
  return {
    version,
    serialNumber,
    issuer,
    subject,
    notBefore,
    notAfter,
    publicKeySpki: Buffer.from(encodingOf(der, spki)),
    signatureAlgorithmOid: algorithmOid,
    signatureHash: signatureAlgorithm(algorithmOid)?.hash,
    basicConstraints: basic ? parseBasicConstraints(basic) : undefined,
    keyUsage: usage ? parseKeyUsage(usage) : undefined,
    subjectAltNames: san ? parseSubjectAltNames(san) : { uris: [], dnsNames: [], directoryNames: [], otherTypes: [] },
    extensions: extensions.map(({ oid, critical }) => ({ oid, critical })),
    fingerprintSha256: sha256Hex(der),
    der,
  };
}

function parseBasicConstraints(value: Uint8Array): { ca: boolean; pathLength?: number } {
  const seq = readRoot(value, TAG.SEQUENCE);
  let ca = false;
  let pathLength: number | undefined;
  for (const child of childrenOf(value, seq)) {
    if (child.tag === TAG.BOOLEAN) ca = value[child.contentStart] !== 0;
    if (child.tag === TAG.INTEGER) pathLength = Number(BigInt(`0x${integerHex(value, child)}`));
  }
  return { ca, pathLength };
}

function parseKeyUsage(value: Uint8Array): Set<KeyUsage> {
  const bits = bitStringBits(value, readRoot(value, TAG.BIT_STRING));
  return new Set(KEY_USAGE.filter((_, index) => bits[index]));
}

function parseSubjectAltNames(value: Uint8Array): SubjectAltNames {
  const uris: string[] = [];
  const dnsNames: string[] = [];
  const directoryNames: DecodedName[] = [];
  const otherTypes: number[] = [];
  for (const name of childrenOf(value, readRoot(value, TAG.SEQUENCE))) {
    const text = () => Buffer.from(contentOf(value, name)).toString('latin1');
    if (name.tag === 0x86) uris.push(text());
    else if (name.tag === 0x82) dnsNames.push(text());
    else if (name.tag === 0xa4) directoryNames.push(decodeName(value, childrenOf(value, name)[0] as DerNode));
    else otherTypes.push(name.tag & 0x1f);
  }
  return { uris, dnsNames, directoryNames, otherTypes };
}

