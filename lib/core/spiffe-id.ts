import { AttestGateError } from './errors';

/** Maximum length of a SPIFFE ID in bytes (SPIFFE-ID specification §2.3). */
export const SPIFFE_ID_MAX_BYTES = 2048;
/** Maximum length of a trust domain name (SPIFFE-ID specification §2.1, the DNS name limit). */
export const TRUST_DOMAIN_MAX_LENGTH = 255;

const SCHEME = 'spiffe://';
const TRUST_DOMAIN_CHARS = /^[a-z0-9._-]+$/;
const PATH_SEGMENT_CHARS = /^[A-Za-z0-9._-]+$/;

/**
 * A SPIFFE ID, validated against the SPIFFE-ID specification
 * (https://github.com/spiffe/spiffe/blob/main/standards/SPIFFE-ID.md):
 * scheme `spiffe`, a trust domain of lowercase letters, digits, `.`, `-` and `_`
 * (so no port, no user info), an optional path of non-empty segments of letters, digits,
 * `.`, `-` and `_` that are neither `.` nor `..`, no trailing slash, no query or fragment,
 * and at most 2048 bytes.
 */
export class SpiffeId {
  /**
   * Parses and validates a SPIFFE ID.
   *
   * @param value the SPIFFE ID, e.g. `spiffe://prod.example/agent/deployer`
   * @param where who holds the value, for the error message
   * @throws AttestGateError naming the rule the value breaks
   */
  public static parse(value: string, where = 'SpiffeId', field = 'spiffeId'): SpiffeId {
    const fail = (problem: string, fix: string): never => {
      throw new AttestGateError({ where, field, value, problem, fix });
    };
    if (typeof value !== 'string' || value.length === 0) {
      fail('is empty', 'give a SPIFFE ID such as "spiffe://prod.example/agent/deployer"');
    }
    if (Buffer.byteLength(value, 'utf8') > SPIFFE_ID_MAX_BYTES) {
      fail(`is longer than ${SPIFFE_ID_MAX_BYTES} bytes`, 'shorten the path');
    }
    if (!value.startsWith(SCHEME)) {
      fail('does not start with the scheme "spiffe://" (lowercase)', 'write it as spiffe://<trust-domain>/<path>');
    }
    const rest = value.slice(SCHEME.length);
    const slash = rest.indexOf('/');
    const trustDomain = slash === -1 ? rest : rest.slice(0, slash);
    const path = slash === -1 ? '' : rest.slice(slash);

    if (trustDomain.length === 0) {
      fail('has no trust domain', 'put the trust domain after "spiffe://", e.g. spiffe://prod.example/agent/deployer');
    }
    if (trustDomain.length > TRUST_DOMAIN_MAX_LENGTH) {
      fail(`has a trust domain longer than ${TRUST_DOMAIN_MAX_LENGTH} characters`, 'use a shorter trust domain name');
    }
    if (!TRUST_DOMAIN_CHARS.test(trustDomain)) {
      fail(
        `has trust domain "${trustDomain}" with characters outside lowercase letters, digits, ".", "-" and "_" (ports, user info, uppercase, "?" and "#" are not allowed)`,
        'lowercase the trust domain and remove any port, user info, query or fragment',
      );
    }
    if (path.length > 0) {
      if (path.endsWith('/')) {
        fail('has a trailing slash', 'remove the trailing "/"');
      }
      const segments = path.slice(1).split('/');
      for (const segment of segments) {
        if (segment.length === 0) {
          fail('has an empty path segment ("//")', 'remove the doubled "/"');
        }
        if (segment === '.' || segment === '..') {
          fail(`has a dot segment "${segment}" in its path`, 'remove "." and ".." segments');
        }
        if (!PATH_SEGMENT_CHARS.test(segment)) {
          fail(
            `has path segment "${segment}" with characters outside letters, digits, ".", "-" and "_"`,
            'replace the other characters (percent-encoding is not allowed either)',
          );
        }
      }
    }
    return new SpiffeId(trustDomain, path);
  }

  private constructor(
    /** The trust domain name, e.g. `prod.example`. */
    public readonly trustDomain: string,
    /** The path, with its leading slash, or `''` for the trust domain's own ID. */
    public readonly path: string,
  ) {}

  /** The SPIFFE ID as a URI string. */
  public toString(): string {
    return `${SCHEME}${this.trustDomain}${this.path}`;
  }
}
