import { AttestGateError } from './errors';
import { assertSessionTagValue } from './session-tag';

/**
 * The relative distinguished names a gate can require. These are the attributes IAM Roles Anywhere
 * documents mapping into `x509Subject/<RDN>` and `x509Issuer/<RDN>` session tags, GCP X.509
 * federation exposes as `subject.dn.*`, and every CA can write.
 */
export const RDN_KEYS = ['CN', 'O', 'OU', 'C', 'ST', 'L'] as const;

/** One of the supported relative distinguished names. */
export type RdnKey = (typeof RDN_KEYS)[number];

/**
 * Expected attributes of a distinguished name (a certificate's subject or issuer).
 * A multi-valued RDN is written as Roles Anywhere reports it: the values joined with `/` in
 * certificate order, e.g. `OU: 'Security/Engineering'`.
 */
export type DistinguishedName = { readonly [K in RdnKey]?: string };

/**
 * Checks that a distinguished name has at least one attribute, only supported keys,
 * and values that can travel as session tags. Returns a copy with keys in a fixed order.
 */
export function validateDistinguishedName(dn: DistinguishedName, where: string, field: string): DistinguishedName {
  if (dn === null || typeof dn !== 'object') {
    throw new AttestGateError({ where, field, value: dn, problem: 'is not an object of RDN attributes', fix: "write it as { CN: 'deployer', O: 'Example' }" });
  }
  const keys = Object.keys(dn);
  if (keys.length === 0) {
    throw new AttestGateError({
      where,
      field,
      value: dn,
      problem: 'has no attributes; an empty distinguished name pins nothing (and Roles Anywhere rejects empty subjects)',
      fix: 'give at least CN',
    });
  }
  const result: { [K in RdnKey]?: string } = {};
  for (const key of keys) {
    if (!(RDN_KEYS as readonly string[]).includes(key)) {
      throw new AttestGateError({
        where,
        field: `${field}.${key}`,
        value: (dn as Record<string, unknown>)[key],
        problem: `uses an attribute that is not one of ${RDN_KEYS.join(', ')}`,
        fix: `use ${RDN_KEYS.join(', ')} (uppercase short names)`,
      });
    }
  }
  for (const key of RDN_KEYS) {
    const value = dn[key];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value.length === 0) {
      throw new AttestGateError({ where, field: `${field}.${key}`, value, problem: 'is empty', fix: 'give the exact attribute value, or leave the key out' });
    }
    assertSessionTagValue(value, where, `${field}.${key}`);
    result[key] = value;
  }
  return result;
}

/** Renders a distinguished name the way OpenSSL prints one, e.g. `CN=deployer, O=Example`. */
export function formatDistinguishedName(dn: DistinguishedName): string {
  return RDN_KEYS.filter((k) => dn[k] !== undefined)
    .map((k) => `${k}=${dn[k]}`)
    .join(', ');
}
