import { AttestGateError } from './errors';

/** STS limits a session tag value to 256 characters. */
export const SESSION_TAG_VALUE_MAX_LENGTH = 256;

/**
 * Characters STS accepts in a session tag value: letters, digits, whitespace and `_ . : / = + - @`.
 * Roles Anywhere copies certificate attributes into session tags; a value outside this set makes
 * CreateSession fail with "Some attributes failed to be mapped into session tags"
 * (aws/rolesanywhere-credential-helper#77, #188), so a gate that expects one can never be met.
 */
const SESSION_TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** Whether a value can travel as an STS session tag value. */
export function isSessionTagValue(value: string): boolean {
  return value.length <= SESSION_TAG_VALUE_MAX_LENGTH && SESSION_TAG_VALUE.test(value);
}

/** Throws an AttestGateError unless `value` can be mapped into a session tag. */
export function assertSessionTagValue(value: string, where: string, field: string): void {
  if (value.length > SESSION_TAG_VALUE_MAX_LENGTH) {
    throw new AttestGateError({
      where,
      field,
      value,
      problem: `is ${value.length} characters; Roles Anywhere maps certificate attributes into STS session tags, which hold at most ${SESSION_TAG_VALUE_MAX_LENGTH}`,
      fix: 'issue certificates with a shorter attribute and expect that one',
    });
  }
  if (!SESSION_TAG_VALUE.test(value)) {
    const bad = [...new Set([...value].filter((c) => !SESSION_TAG_VALUE.test(c)))].join('');
    throw new AttestGateError({
      where,
      field,
      value,
      problem: `contains ${JSON.stringify(bad)}, which STS session tags cannot carry (allowed: letters, digits, spaces and _ . : / = + - @), so Roles Anywhere would fail every CreateSession for it`,
      fix: 'issue certificates whose attribute uses only the allowed characters and expect that value',
    });
  }
}
