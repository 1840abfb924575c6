import { AttestGateError } from '../../../core/errors';

/**
 * The value of one condition key in a request.
 *
 * A string is a single-valued key. An array is a multivalued key (`aws:TagKeys`,
 * `sts:TransitiveTagKeys`, ...), even with one or zero elements: IAM requires a set qualifier
 * (`ForAnyValue:`/`ForAllValues:`) to compare a multivalued key, so the shape carries meaning.
 */
export type ContextValue = string | readonly string[];

/** The kinds of principal a request can come from, as written in a policy's `Principal` element. */
export const PRINCIPAL_TYPES = ['Service', 'AWS', 'Federated', 'CanonicalUser'] as const;
export type PrincipalType = (typeof PRINCIPAL_TYPES)[number];

/** Who makes the request, e.g. `{ type: 'Service', id: 'rolesanywhere.amazonaws.com' }`. */
export interface RequestPrincipal {
  readonly type: PrincipalType;
  /**
   * `Service`: the service principal name. `AWS`: the ARN of the user, role, assumed-role session,
   * federated-user session or account root (`arn:aws:iam::111122223333:root`). `Federated`: the
   * identity provider (an IAM OIDC/SAML provider ARN or e.g. `accounts.google.com`).
   */
  readonly id: string;
}

/** The request a resource policy (for the emulator: a role trust policy) is evaluated against. */
export interface RequestContext {
  readonly principal: RequestPrincipal;
  /** The action, e.g. `sts:AssumeRole`; matched case-insensitively. */
  readonly action: string;
  /** The resource ARN (for a trust policy: the role ARN); needed only when statements name resources. */
  readonly resource?: string;
  /**
   * Condition keys and their values. Key names are case-insensitive; values are case-sensitive.
   * A key that is missing or `undefined` is absent from the request.
   */
  readonly context: Readonly<Record<string, ContextValue | undefined>>;
}

/** Case-insensitive view of a request's condition keys. */
export class ContextKeys {
  private readonly values = new Map<string, ContextValue>();

  constructor(context: Readonly<Record<string, ContextValue | undefined>>, where: string) {
    const spelled = new Map<string, string>();
    for (const [key, value] of Object.entries(context)) {
      if (value === undefined) continue;
      if (typeof value !== 'string' && !(Array.isArray(value) && value.every((v) => typeof v === 'string'))) {
        throw new AttestGateError({
          where,
          field: `request context key ${key}`,
          value,
          problem: 'is neither a string nor an array of strings',
          fix: 'give single-valued keys as a string and multivalued keys as an array of strings',
        });
      }
      const lower = key.toLowerCase();
      const earlier = spelled.get(lower);
      if (earlier !== undefined) {
        // Keys are case-insensitive, so two spellings would be one key with two values.
        throw new AttestGateError({
          where,
          field: 'request context',
          value: [earlier, key],
          problem: 'spells the same condition key twice (keys are case-insensitive)',
          fix: 'give each condition key once',
        });
      }
      spelled.set(lower, key);
      this.values.set(lower, value);
    }
  }

  /** The key's value, or `undefined` when the request does not carry it. */
  get(key: string): ContextValue | undefined {
    return this.values.get(key.toLowerCase());
  }
}

/** Checks the parts of a request that every evaluation needs. */
export function checkRequest(request: RequestContext, where: string): void {
  const principal = request.principal as Partial<RequestPrincipal> | undefined;
  if (principal === undefined || !PRINCIPAL_TYPES.includes(principal.type as PrincipalType)) {
    throw new AttestGateError({
      where,
      field: 'request principal type',
      value: principal?.type,
      problem: 'is not a principal type',
      fix: `use one of ${PRINCIPAL_TYPES.join(', ')}`,
    });
  }
  if (typeof principal.id !== 'string' || principal.id === '') {
    throw new AttestGateError({ where, field: 'request principal id', value: principal.id, problem: 'is empty', fix: 'name the principal' });
  }
  if (typeof request.action !== 'string' || !/^[^:\s]+:[^:\s]+$/.test(request.action)) {
    throw new AttestGateError({
      where,
      field: 'request action',
      value: request.action,
      problem: 'is not of the form service:Action',
      fix: 'give the action the request performs, e.g. sts:AssumeRole',
    });
  }
}
