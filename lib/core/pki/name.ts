import { DerNode, TAG, childrenOf, decodeOid, decodeString, encodingOf, expectTag } from './der';

/** Short names of distinguished-name attributes, by OID. */
const SHORT_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.6': 'C',
  '2.5.4.8': 'ST',
  '2.5.4.7': 'L',
  '2.5.4.5': 'serialNumber',
  '2.5.4.9': 'street',
  '2.5.4.12': 'title',
  '2.5.4.42': 'GN',
  '2.5.4.4': 'SN',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
  '1.2.840.113549.1.9.1': 'emailAddress',
};

/** A distinguished name as read from a certificate. */
export interface DecodedName {
  /** Every attribute in certificate order. */
  readonly rdns: ReadonlyArray<ReadonlyArray<{ readonly type: string; readonly value: string }>>;
  /** One entry per attribute type, multiple values joined with `/` in order, as Roles Anywhere maps them. */
  readonly attributes: Record<string, string>;
  /** `O=Example, CN=deployer`, in certificate order. */
  readonly text: string;
  /** The DER encoding, for exact issuer/subject comparison. */
  readonly der: Buffer;
}

/** Decodes a Name (SEQUENCE OF SET OF AttributeTypeAndValue). */
export function decodeName(der: Uint8Array, node: DerNode): DecodedName {
  const rdns = childrenOf(der, expectTag(node, TAG.SEQUENCE, 'Name')).map((set) =>
    childrenOf(der, expectTag(set, TAG.SET, 'RDN')).map((atv) => {
      const [type, value] = childrenOf(der, expectTag(atv, TAG.SEQUENCE, 'AttributeTypeAndValue'));
      const oid = decodeOid(der, type);
      return { type: SHORT_NAMES[oid] ?? oid, value: decodeString(der, value) };
    }),
  );
  const grouped: Record<string, string[]> = {};
  for (const rdn of rdns) for (const { type, value } of rdn) (grouped[type] ??= []).push(value);
  return {
    rdns,
    attributes: Object.fromEntries(Object.entries(grouped).map(([k, v]) => [k, v.join('/')])),
    text: rdns.map((rdn) => rdn.map((a) => `${a.type}=${a.value}`).join(' + ')).join(', '),
    der: Buffer.from(encodingOf(der, node)),
  };
}

/** An attribute value prepared for comparison (RFC 5280 §7.1): case folded, spaces collapsed. */
function prepared(value: string): string {
  return value.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

/**
 * Whether two distinguished names are the same name: the same RDNs in the same order, each
 * with the same attribute values after RFC 5280 preparation. Encodings differ between CAs
 * (PrintableString or UTF8String for the same text), so comparing DER bytes is not enough.
 */
export function sameName(a: DecodedName, b: DecodedName): boolean {
  if (a.der.equals(b.der)) return true;
  if (a.rdns.length !== b.rdns.length) return false;
  return a.rdns.every((rdn, i) => {
    const other = b.rdns[i];
    const key = (x: { type: string; value: string }) => `${x.type}=${prepared(x.value)}`;
    const left = rdn.map(key).sort();
    const right = other.map(key).sort();
    return left.length === right.length && left.every((k, j) => k === right[j]);
  });
}
