import { AttestGateError } from '../../../core/errors';
import { splitArn } from './arn-pattern';
import { PRINCIPAL_TYPES, PrincipalType, RequestPrincipal } from './request-context';

/** One principal named by a `Principal` or `NotPrincipal` element. */
export type PolicyPrincipal =
  /** `"*"` or `{"AWS": "*"}`: every principal. */
  | { readonly kind: 'everyone' }
  /** `{"AWS": "111122223333"}` or `{"AWS": "arn:aws:iam::111122223333:root"}`: every principal of the account. */
  | { readonly kind: 'account'; readonly accountId: string }
  /** A user, role, assumed-role session or federated-user session ARN. */
  | { readonly kind: 'arn'; readonly arn: string }
  /** A unique ID (`AROA...`): what IAM shows once the named principal was deleted; it matches nothing. */
  | { readonly kind: 'unique-id'; readonly id: string }
  | { readonly kind: 'service'; readonly name: string }
  | { readonly kind: 'federated'; readonly id: string }
  | { readonly kind: 'canonical-user'; readonly id: string };

const ACCOUNT_ID = /^\d{12}$/;
const ACCOUNT_ROOT = /^arn:[^:]+:iam::(\d{12}):root$/;
const UNIQUE_ID = /^A[0-9A-Z]{15,}$/;

function awsPrincipal(value: string): PolicyPrincipal | undefined {
  if (value === '*') return { kind: 'everyone' };
  if (ACCOUNT_ID.test(value)) return { kind: 'account', accountId: value };
  const root = ACCOUNT_ROOT.exec(value);
  if (root !== null) return { kind: 'account', accountId: root[1] };
  if (UNIQUE_ID.test(value)) return { kind: 'unique-id', id: value };
  if (splitArn(value) !== undefined) return { kind: 'arn', arn: value };
  return undefined;
}

/** Reads a `Principal`/`NotPrincipal` element; throws {@link AttestGateError} naming `field` for a malformed one. */
export function parsePrincipalElement(element: unknown, where: string, field: string): PolicyPrincipal[] {
  if (element === '*') return [{ kind: 'everyone' }];
  const fail = (value: unknown, problem: string): never => {
    throw new AttestGateError({
      where,
      field,
      value,
      problem,
      fix: 'write "*" or an object whose keys are AWS, Service, Federated or CanonicalUser and whose values are strings or lists of strings',
    });
  };
  if (element === null || typeof element !== 'object' || Array.isArray(element)) return fail(element, 'is not "*" or a principal object');
  const entries = Object.entries(element as Record<string, unknown>);
  if (entries.length === 0) return fail(element, 'names no principal');
  const principals: PolicyPrincipal[] = [];
  for (const [type, raw] of entries) {
    if (!PRINCIPAL_TYPES.includes(type as PrincipalType)) fail(element, `has the principal type "${type}"`);
    const values = typeof raw === 'string' ? [raw] : raw;
    if (!Array.isArray(values) || values.length === 0 || !values.every((v) => typeof v === 'string' && v !== '')) fail(raw, `(${type}) is not a non-empty string or list of strings`);
    for (const value of values as string[]) {
      if (type === 'AWS') {
        const principal = awsPrincipal(value);
        if (principal === undefined) fail(value, '(AWS) is not "*", an account ID, a unique ID or an ARN');
        principals.push(principal as PolicyPrincipal);
      } else if (type === 'Service') principals.push({ kind: 'service', name: value });
      else if (type === 'Federated') principals.push({ kind: 'federated', id: value });
      else principals.push({ kind: 'canonical-user', id: value });
    }
  }
  return principals;
}

/** The account of an `AWS` request principal (an ARN, or a bare account ID). */
export function accountOf(awsPrincipalId: string): string | undefined {
  if (ACCOUNT_ID.test(awsPrincipalId)) return awsPrincipalId;
  const account = splitArn(awsPrincipalId)?.[4];
  return account !== undefined && ACCOUNT_ID.test(account) ? account : undefined;
}

/**
 * Whether `sessionArn` is a session of the role `roleArn`: a role principal also covers the
 * sessions of that role (`arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION`). Role names are
 * unique regardless of case in IAM, and the session ARN drops the role's path.
 */
export function isSessionOfRole(roleArn: string, sessionArn: string): boolean {
  const role = splitArn(roleArn);
  const session = splitArn(sessionArn);
  if (role === undefined || session === undefined || role[2] !== 'iam' || session[2] !== 'sts') return false;
  if (role[1] !== session[1] || role[4] !== session[4] || !role[5].startsWith('role/')) return false;
  const sessionParts = /^assumed-role\/([^/]+)\/[^/]+$/.exec(session[5]);
  const roleName = role[5].slice(role[5].lastIndexOf('/') + 1);
  return sessionParts !== null && roleName !== '' && sessionParts[1].toLowerCase() === roleName.toLowerCase();
}

/** Whether a principal named in a policy covers the request's principal. */
export function principalMatches(principal: PolicyPrincipal, request: RequestPrincipal): boolean {
  switch (principal.kind) {
    case 'everyone':
      return true;
    case 'account':
      return request.type === 'AWS' && accountOf(request.id) === principal.accountId;
    case 'arn':
      return request.type === 'AWS' && (request.id === principal.arn || isSessionOfRole(principal.arn, request.id));
    case 'unique-id':
      return false;
    case 'service':
      return request.type === 'Service' && request.id === principal.name;
    case 'federated':
      return request.type === 'Federated' && request.id === principal.id;
    case 'canonical-user':
      return request.type === 'CanonicalUser' && request.id === principal.id;
  }
}

/** A principal as written in a policy, for explanations. */
export function describePrincipal(principal: PolicyPrincipal): string {
  switch (principal.kind) {
    case 'everyone':
      return '*';
    case 'account':
      return `AWS account ${principal.accountId}`;
    case 'arn':
      return `AWS ${principal.arn}`;
    case 'unique-id':
      return `AWS unique ID ${principal.id}`;
    case 'service':
      return `Service ${principal.name}`;
    case 'federated':
      return `Federated ${principal.id}`;
    case 'canonical-user':
      return `CanonicalUser ${principal.id}`;
  }
}
