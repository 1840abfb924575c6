import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { arnMatches } from './arn-pattern';
import { VariableLookup, matchesPattern, resolvePolicyString } from './policy-string';

/** The operator families of the IAM documentation ("IAM JSON policy elements: Condition operators"). */
export type OperatorFamily = 'String' | 'Numeric' | 'Date' | 'Bool' | 'Binary' | 'IpAddress' | 'Arn' | 'Null';

/**
 * One base condition operator (without `IfExists` or a set qualifier).
 *
 * `compare` is the positive test of one request value against one policy value — for a negated
 * operator (`StringNotEquals`, `NotIpAddress`, ...) the test it negates. It answers `undefined`
 * when the two cannot be compared (not a number, not an ARN, a policy variable that cannot be
 * substituted, ...); an incomparable pair satisfies neither the operator nor its negation.
 */
export interface BaseOperator {
  readonly name: string;
  readonly family: OperatorFamily;
  readonly negated: boolean;
  readonly compare: (requestValue: string, policyValue: string, variables: VariableLookup | undefined) => boolean | undefined;
}

/** A condition operator as written in a policy, e.g. `ForAnyValue:StringLikeIfExists`. */
export interface ConditionOperator {
  /** The spelling in the policy. */
  readonly raw: string;
  readonly base: BaseOperator;
  readonly qualifier?: 'ForAllValues' | 'ForAnyValue';
  readonly ifExists: boolean;
}

const stringCompare =
  (options: { wildcards: boolean; ignoreCase: boolean }) =>
  (requestValue: string, policyValue: string, variables: VariableLookup | undefined): boolean | undefined => {
    const resolved = resolvePolicyString(policyValue, { variables, wildcards: options.wildcards });
    return 'unresolved' in resolved ? undefined : matchesPattern(resolved.parts, requestValue, { ignoreCase: options.ignoreCase });
  };

/** IAM numbers: integers and decimals, optionally signed (`10`, `-1`, `2.5`, `.5`). */
export function parseNumeric(value: string): number | undefined {
  return /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(value) ? Number(value) : undefined;
}

const W3C_DATETIME = /^(\d{4})-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:\d{2}))?)?$/;

/**
 * IAM dates in milliseconds since the epoch: epoch (UNIX) time in whole seconds, or a W3C
 * profile of ISO 8601 (`2026-01-15`, `2026-01-15T10:00Z`, `2026-01-15T10:00:00.250+02:00`).
 *
 * An all-digit value is always epoch seconds, so the W3C year-only form (`2026`) is not
 * accepted; a time without a zone designator is ambiguous and not accepted either.
 */
export function parseDate(value: string): number | undefined {
  if (/^-?\d+$/.test(value)) return Number(value) * 1000;
  const m = W3C_DATETIME.exec(value);
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3] ?? '01', m[4] ?? '00', m[5] ?? '00', m[6] ?? '00'].map(Number);
  const millis = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  const check = new Date(utc);
  // Date.UTC rolls 2026-02-30 over into March; a real calendar date survives the round trip.
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) return undefined;
  const zone = m[8];
  if (zone === undefined || zone === 'Z') return utc;
  const [zoneHours, zoneMinutes] = zone.slice(1).split(':').map(Number);
  if (zoneHours > 23 || zoneMinutes > 59) return undefined;
  const offset = (zoneHours * 60 + zoneMinutes) * 60_000;
  return zone.startsWith('+') ? utc - offset : utc + offset;
}

const ordered =
  (parse: (value: string) => number | undefined, relation: (request: number, policy: number) => boolean) =>
  (requestValue: string, policyValue: string): boolean | undefined => {
    const request = parse(requestValue);
    const policy = parse(policyValue);
    return request === undefined || policy === undefined ? undefined : relation(request, policy);
  };

const RELATIONS: ReadonlyArray<[suffix: string, negated: boolean, relation: (request: number, policy: number) => boolean]> = [
  ['Equals', false, (r, p) => r === p],
  ['NotEquals', true, (r, p) => r === p],
  ['LessThan', false, (r, p) => r < p],
  ['LessThanEquals', false, (r, p) => r <= p],
  ['GreaterThan', false, (r, p) => r > p],
  ['GreaterThanEquals', false, (r, p) => r >= p],
];

type IpFamily = 'ipv4' | 'ipv6';
const ipFamily = (address: string): IpFamily | undefined => (isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : undefined);

/** A policy address or CIDR block; an address without a prefix is a single address (/32, /128). */
function ipRange(policyValue: string): { family: IpFamily; list: BlockList } | undefined {
  const [address, prefix, extra] = policyValue.split('/');
  const family = ipFamily(address);
  const bits = family === 'ipv4' ? 32 : 128;
  const length = prefix === undefined ? bits : /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN;
  if (family === undefined || extra !== undefined || !(length >= 0 && length <= bits)) return undefined;
  const list = new BlockList();
  list.addSubnet(address, length, family);
  return { family, list };
}

function ipInRange(requestValue: string, policyValue: string): boolean | undefined {
  const range = ipRange(policyValue);
  const family = ipFamily(requestValue);
  if (range === undefined || family === undefined) return undefined;
  // An address is compared only with blocks of its own IP version, as the reference evaluator does;
  // node's BlockList alone would match IPv4 addresses against IPv4-mapped IPv6 blocks and ::/0.
  if (family !== range.family) return false;
  try {
    return range.list.check(requestValue, family);
  } catch {
    return undefined;
  }
}

const isBoolean = (value: string): boolean => /^(true|false)$/i.test(value);

function boolCompare(requestValue: string, policyValue: string, variables: VariableLookup | undefined): boolean | undefined {
  const resolved = resolvePolicyString(policyValue, { variables, wildcards: false });
  if ('unresolved' in resolved) return undefined;
  const policy = resolved.parts.map((part) => ('literal' in part ? part.literal : part.wildcard)).join('');
  if (!isBoolean(policy) || !isBoolean(requestValue)) return undefined;
  return policy.toLowerCase() === requestValue.toLowerCase();
}

const arnCompare = (requestValue: string, policyValue: string, variables: VariableLookup | undefined): boolean | undefined =>
  arnMatches(policyValue, requestValue, { variables });

/** Every base operator of the IAM documentation. */
export const BASE_OPERATORS: readonly BaseOperator[] = [
  { name: 'StringEquals', family: 'String', negated: false, compare: stringCompare({ wildcards: false, ignoreCase: false }) },
  { name: 'StringNotEquals', family: 'String', negated: true, compare: stringCompare({ wildcards: false, ignoreCase: false }) },
  { name: 'StringEqualsIgnoreCase', family: 'String', negated: false, compare: stringCompare({ wildcards: false, ignoreCase: true }) },
  { name: 'StringNotEqualsIgnoreCase', family: 'String', negated: true, compare: stringCompare({ wildcards: false, ignoreCase: true }) },
  { name: 'StringLike', family: 'String', negated: false, compare: stringCompare({ wildcards: true, ignoreCase: false }) },
  { name: 'StringNotLike', family: 'String', negated: true, compare: stringCompare({ wildcards: true, ignoreCase: false }) },
  ...RELATIONS.map(([suffix, negated, relation]): BaseOperator => ({ name: `Numeric${suffix}`, family: 'Numeric', negated, compare: ordered(parseNumeric, relation) })),
  ...RELATIONS.map(([suffix, negated, relation]): BaseOperator => ({ name: `Date${suffix}`, family: 'Date', negated, compare: ordered(parseDate, relation) })),
  { name: 'Bool', family: 'Bool', negated: false, compare: boolCompare },
  // Base64 text compared as written: the documentation has no variables and no normalisation for BinaryEquals.
  { name: 'BinaryEquals', family: 'Binary', negated: false, compare: (requestValue, policyValue) => requestValue === policyValue },
  { name: 'IpAddress', family: 'IpAddress', negated: false, compare: ipInRange },
  { name: 'NotIpAddress', family: 'IpAddress', negated: true, compare: ipInRange },
  // "The ArnEquals and ArnLike condition operators behave identically" (IAM documentation), wildcards included.
  { name: 'ArnEquals', family: 'Arn', negated: false, compare: arnCompare },
  { name: 'ArnLike', family: 'Arn', negated: false, compare: arnCompare },
  { name: 'ArnNotEquals', family: 'Arn', negated: true, compare: arnCompare },
  { name: 'ArnNotLike', family: 'Arn', negated: true, compare: arnCompare },
  // Null tests presence only; the evaluator handles it before any value comparison.
  { name: 'Null', family: 'Null', negated: false, compare: () => undefined },
];

const BY_NAME = new Map(BASE_OPERATORS.map((operator) => [operator.name.toLowerCase(), operator]));
const IF_EXISTS = 'ifexists';

/**
 * Reads a condition operator: an optional set qualifier (`ForAnyValue:`, `ForAllValues:`), a base
 * operator and an optional `IfExists` suffix. Spelling is case-insensitive, as for condition keys
 * (the IAM documentation does not say; @cloud-copilot/iam-simulate reads operators this way too).
 *
 * `undefined` for anything else — a misspelt operator, an unknown qualifier, or `NullIfExists`
 * (the documentation allows `IfExists` on every operator "except the Null condition").
 */
export function parseConditionOperator(raw: string): ConditionOperator | undefined {
  const pieces = raw.split(':');
  if (pieces.length > 2) return undefined;
  let qualifier: ConditionOperator['qualifier'];
  if (pieces.length === 2) {
    const prefix = pieces[0].toLowerCase();
    if (prefix === 'forallvalues') qualifier = 'ForAllValues';
    else if (prefix === 'foranyvalue') qualifier = 'ForAnyValue';
    else return undefined;
  }
  let name = pieces[pieces.length - 1].toLowerCase();
  const ifExists = name.endsWith(IF_EXISTS) && name.length > IF_EXISTS.length;
  if (ifExists) name = name.slice(0, -IF_EXISTS.length);
  const base = BY_NAME.get(name);
  if (base === undefined || (ifExists && base.family === 'Null')) return undefined;
  return { raw, base, ifExists, ...(qualifier === undefined ? {} : { qualifier }) };
}
