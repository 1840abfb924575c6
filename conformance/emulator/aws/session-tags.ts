import { Certificate } from '../../../lib/core/pki/certificate';
import { isSessionTagValue } from '../../../lib/core/session-tag';

/**
 * The session tags, source identity and session name IAM Roles Anywhere derives from a
 * certificate (reference §1.3–§1.6), under a profile's attribute mapping.
 */

/** The default mapping of a new profile: every RDN of subject and issuer; first DNS, URI and directory name SAN. */
export const DEFAULT_ATTRIBUTE_MAPPINGS: ReadonlyMap<string, readonly string[]> = new Map([
  ['x509Subject', ['*']],
  ['x509Issuer', ['*']],
  ['x509SAN', ['DNS', 'URI', 'Name/*']],
]);

/** RDNs Roles Anywhere maps; others ("supported RDNs" are not enumerated by AWS) are ignored. */
const MAPPED_RDNS = new Set(['CN', 'O', 'OU', 'C', 'ST', 'L', 'DC', 'UID', 'serialNumber']);

export interface TagMapping {
  /** Tag key (e.g. `x509Subject/CN`) → value. */
  readonly tags: Record<string, string>;
  /** Attributes that cannot travel as session tags; any makes CreateSession fail. */
  readonly unmappable: { readonly Issuer: string[]; readonly Subject: string[]; readonly SAN: string[] };
}

function rulesFor(field: string, mappings: ReadonlyMap<string, readonly string[]>): readonly string[] {
  // A profile's mappings replace the defaults field by field; unlisted fields keep the default.
  return mappings.get(field) ?? DEFAULT_ATTRIBUTE_MAPPINGS.get(field) ?? [];
}

function selectRdns(attributes: Record<string, string>, rules: readonly string[]): Array<[string, string]> {
  const wanted = rules.includes('*') ? [...MAPPED_RDNS] : rules;
  return Object.entries(attributes).filter(([key]) => MAPPED_RDNS.has(key) && wanted.includes(key));
}

/** Maps a certificate's attributes into session tags under the given mapping rules. */
export function sessionTags(cert: Certificate, mappings: ReadonlyMap<string, readonly string[]>): TagMapping {
  const tags: Record<string, string> = {};
  const unmappable = { Issuer: [] as string[], Subject: [] as string[], SAN: [] as string[] };
  const put = (key: string, value: string, bucket: keyof typeof unmappable) => {
    if (isSessionTagValue(value)) tags[key] = value;
    else unmappable[bucket].push(key.slice(key.indexOf('/') + 1));
  };
  for (const [rdn, value] of selectRdns(cert.subject.attributes, rulesFor('x509Subject', mappings))) put(`x509Subject/${rdn}`, value, 'Subject');
  for (const [rdn, value] of selectRdns(cert.issuer.attributes, rulesFor('x509Issuer', mappings))) put(`x509Issuer/${rdn}`, value, 'Issuer');
  const san = rulesFor('x509SAN', mappings).map((r) => (r === 'Name' || r === 'Name/' ? 'Name/*' : r));
  // Only the first value of each SAN type is mapped.
  if (san.includes('DNS') && cert.subjectAltNames.dnsNames[0] !== undefined) put('x509SAN/DNS', cert.subjectAltNames.dnsNames[0], 'SAN');
  if (san.includes('URI') && cert.subjectAltNames.uris[0] !== undefined) put('x509SAN/URI', cert.subjectAltNames.uris[0], 'SAN');
  const dirName = cert.subjectAltNames.directoryNames[0];
  if (dirName) {
    const nameRules = san.filter((r) => r.startsWith('Name/')).map((r) => r.slice('Name/'.length));
    for (const [rdn, value] of selectRdns(dirName.attributes, nameRules)) put(`x509SAN/Name/${rdn}`, value, 'SAN');
  }
  return { tags, unmappable };
}

/** `sts:SourceIdentity` from the subject CN (≤61 chars: `CN=<cn>`; 62–64: `<cn>`), else `ID=<hex serial>`. */
export function sourceIdentity(cert: Certificate): string {
  const cn = cert.subject.attributes.CN;
  if (cn !== undefined && cn.length <= 61) return `CN=${cn}`;
  if (cn !== undefined && cn.length <= 64) return cn;
  const serial = cert.serialNumber.length % 2 ? `0${cert.serialNumber}` : cert.serialNumber;
  return `ID=${serial}`;
}

/** The role session name: the certificate serial in hex (even length). */
export function sessionName(cert: Certificate): string {
  return cert.serialNumber.length % 2 ? `0${cert.serialNumber}` : cert.serialNumber;
}
