import type { ContextValue, RequestPrincipal } from '../../../../lib/model/aws/iam';

/**
 * Seeded generator of role trust policies and requests for the differential test against
 * @cloud-copilot/iam-simulate. The vocabulary is that of IAM Roles Anywhere and STS trust
 * policies: trust-anchor source ARNs, x509 principal tags, source identities, session tags.
 */

/** mulberry32: a 32-bit PRNG, small and deterministic, so every run sees the same cases. */
export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** `count` distinct items (fewer when the list is shorter). */
  some<T>(items: readonly T[], count: number): T[] {
    const pool = [...items];
    const chosen: T[] = [];
    while (chosen.length < count && pool.length > 0) chosen.push(pool.splice(Math.floor(this.next() * pool.length), 1)[0]);
    return chosen;
  }
}

export const ACCOUNT = '111122223333';
const OTHER_ACCOUNT = '999988887777';
export const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/deployer`;
const TRUST_ANCHOR = `arn:aws:rolesanywhere:us-east-1:${ACCOUNT}:trust-anchor/ta-1111`;
const OTHER_ANCHOR = `arn:aws:rolesanywhere:us-east-1:${ACCOUNT}:trust-anchor/ta-2222`;
const FOREIGN_ANCHOR = `arn:aws:rolesanywhere:eu-west-1:${OTHER_ACCOUNT}:trust-anchor/ta-1111`;
const ANCHOR_ALIAS = `arn:aws:rolesanywhere:us-east-1:${ACCOUNT}:alias/trust-anchor/agents`;
const USER = `arn:aws:iam::${ACCOUNT}:user/probe`;
const FOREIGN_USER = `arn:aws:iam::${OTHER_ACCOUNT}:user/auditor`;
const SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/ci/build-42`;
// The OIDC provider lives in an account that no account principal of the pool names: iam-simulate
// takes the account of any ARN-shaped request principal, a Federated one included.
const OIDC_PROVIDER = 'arn:aws:iam::444455556666:oidc-provider/token.actions.githubusercontent.com';
const ROLES_ANYWHERE = 'rolesanywhere.amazonaws.com';

/** A request principal with the Principal element entries that cover it. */
interface PrincipalSpec {
  readonly principal: RequestPrincipal;
  readonly weight: number;
  readonly coveredBy: ReadonlyArray<readonly [type: string, id: string]>;
  readonly actions: readonly string[];
}

const STS_ACTIONS = ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'];
const PRINCIPALS: readonly PrincipalSpec[] = [
  { principal: { type: 'Service', id: ROLES_ANYWHERE }, weight: 45, coveredBy: [['Service', ROLES_ANYWHERE]], actions: STS_ACTIONS },
  { principal: { type: 'Service', id: 'ec2.amazonaws.com' }, weight: 5, coveredBy: [['Service', 'ec2.amazonaws.com']], actions: STS_ACTIONS },
  { principal: { type: 'AWS', id: USER }, weight: 12, coveredBy: [['AWS', USER], ['AWS', ACCOUNT], ['AWS', `arn:aws:iam::${ACCOUNT}:root`]], actions: STS_ACTIONS },
  { principal: { type: 'AWS', id: FOREIGN_USER }, weight: 7, coveredBy: [['AWS', FOREIGN_USER], ['AWS', OTHER_ACCOUNT]], actions: STS_ACTIONS },
  {
    principal: { type: 'AWS', id: SESSION },
    weight: 10,
    coveredBy: [['AWS', `arn:aws:iam::${ACCOUNT}:role/ci`], ['AWS', `arn:aws:iam::${ACCOUNT}:role/build/ci`], ['AWS', SESSION], ['AWS', ACCOUNT]],
    actions: STS_ACTIONS,
  },
  { principal: { type: 'AWS', id: `arn:aws:iam::${ACCOUNT}:root` }, weight: 4, coveredBy: [['AWS', ACCOUNT], ['AWS', `arn:aws:iam::${ACCOUNT}:root`]], actions: STS_ACTIONS },
  {
    principal: { type: 'Federated', id: OIDC_PROVIDER },
    weight: 9,
    coveredBy: [['Federated', OIDC_PROVIDER]],
    actions: ['sts:AssumeRoleWithWebIdentity', 'sts:AssumeRoleWithWebIdentity', 'sts:TagSession'],
  },
  { principal: { type: 'Federated', id: 'accounts.google.com' }, weight: 8, coveredBy: [['Federated', 'accounts.google.com']], actions: ['sts:AssumeRoleWithWebIdentity'] },
];
const OTHER_PRINCIPAL_ENTRIES: ReadonlyArray<readonly [string, string]> = [
  ['AWS', `arn:aws:iam::${ACCOUNT}:role/other`],
  ['AWS', `arn:aws:iam::${OTHER_ACCOUNT}:root`],
  ['AWS', 'AROAEXAMPLEUNIQUEID1'],
  ['Service', 'lambda.amazonaws.com'],
  ['Federated', 'cognito-identity.amazonaws.com'],
];
const ALL_PRINCIPAL_ENTRIES = [...PRINCIPALS.flatMap((p) => p.coveredBy), ...OTHER_PRINCIPAL_ENTRIES];

const ACTION_PATTERNS = [
  'sts:AssumeRole',
  'sts:assumerole',
  'STS:AssumeRole',
  'sts:TagSession',
  'sts:SetSourceIdentity',
  'sts:AssumeRoleWithWebIdentity',
  'sts:Assume*',
  'sts:*Session',
  'sts:AssumeRol?',
  'sts:*',
  '*',
  'sts:GetCallerIdentity',
  'iam:PassRole',
];
const RESOURCE_PATTERNS = [
  '*',
  ROLE_ARN,
  `arn:aws:iam::${ACCOUNT}:role/*`,
  'arn:aws:iam::*:role/deployer',
  `arn:aws:iam::${ACCOUNT}:role/deploy??`,
  `arn:aws:iam::${ACCOUNT}:role/other`,
  `arn:aws:iam::${ACCOUNT}:role/\${aws:PrincipalTag/x509Subject/CN}`,
];

type KeyKind = 'string' | 'arn' | 'ip' | 'iso-date' | 'epoch-date' | 'numeric' | 'bool' | 'multi';

interface KeySpec {
  readonly name: string;
  readonly kind: KeyKind;
  readonly values: readonly string[];
  /** Extra policy values for this key: wildcard patterns, variables. */
  readonly patterns?: readonly string[];
}

const KEYS: readonly KeySpec[] = [
  { name: 'aws:SourceArn', kind: 'arn', values: [TRUST_ANCHOR, OTHER_ANCHOR, FOREIGN_ANCHOR, ANCHOR_ALIAS, 'not-an-arn'] },
  { name: 'aws:SourceAccount', kind: 'string', values: [ACCOUNT, OTHER_ACCOUNT], patterns: ['1111*', '*3333', '?11122223333', '${aws:PrincipalAccount}'] },
  { name: 'aws:PrincipalAccount', kind: 'string', values: [ACCOUNT, OTHER_ACCOUNT] },
  {
    name: 'aws:PrincipalTag/x509Subject/CN',
    kind: 'string',
    values: ['deployer', 'ci-runner', 'Deployer', 'deploy-01'],
    patterns: ['deploy*', '*runner', 'deploye?', 'D*', "${aws:PrincipalTag/x509SAN/Name/CN, 'deployer'}"],
  },
  { name: 'aws:PrincipalTag/x509Subject/OU', kind: 'string', values: ['Security/Engineering', 'Engineering'], patterns: ['*/Engineering', 'Security/*'] },
  { name: 'aws:PrincipalTag/x509Issuer/CN', kind: 'string', values: ['attestgate Agents CA', 'Other CA'], patterns: ['attestgate *', '*CA'] },
  {
    name: 'aws:PrincipalTag/x509SAN/URI',
    kind: 'string',
    values: ['spiffe://prod.example/agent/deployer', 'spiffe://dev.example/agent/deployer'],
    patterns: ['spiffe://prod.example/*', 'spiffe://*/agent/deployer', 'spiffe://prod.example/agent/${aws:PrincipalTag/x509Subject/CN}'],
  },
  { name: 'aws:PrincipalTag/x509SAN/DNS', kind: 'string', values: ['deployer.prod.example', '*.prod.example'], patterns: ['*.prod.example', '${*}.prod.example'] },
  { name: 'aws:PrincipalTag/x509SAN/Name/CN', kind: 'string', values: ['deployer', 'ci-runner'] },
  {
    name: 'sts:SourceIdentity',
    kind: 'string',
    values: ['CN=deployer', 'CN=ci-runner', 'ID=0123'],
    patterns: ['CN=*', 'CN=${aws:PrincipalTag/x509Subject/CN}', 'ID=????', 'CN=${aws:PrincipalTag/missing}', '${aws:TagKeys}'],
  },
  { name: 'sts:RoleSessionName', kind: 'string', values: ['0a1b2c3d', 'deployer-session'], patterns: ['????????', '*-session'] },
  { name: 'sts:ExternalId', kind: 'string', values: ['QmluYXJ5VmFsdWU=', 'b3RoZXI='] },
  // The empty tag value is legal; this key is never used as a policy variable (iam-simulate substitutes '' as if absent).
  { name: 'aws:RequestTag/team', kind: 'string', values: ['platform', 'Platform', ''] },
  { name: 'aws:PrincipalTag/anchorId', kind: 'string', values: ['ta-1111', 'ta-2222'] },
  {
    name: 'aws:PrincipalArn',
    kind: 'arn',
    values: [USER, SESSION, `arn:aws:iam::${ACCOUNT}:role/ci`],
    patterns: [`arn:aws:iam::${ACCOUNT}:user/*`, `arn:aws:iam::${ACCOUNT}:user/\${aws:PrincipalTag/x509Subject/CN}`, `arn:aws:sts::${ACCOUNT}:assumed-role/ci/*`],
  },
  {
    name: 'aws:SourceIp',
    kind: 'ip',
    values: ['203.0.113.7', '198.51.100.20', '10.1.2.3', '2001:db8:1234:5678::9', '2001:db8:ffff::1', 'not-an-ip'],
  },
  { name: 'aws:CurrentTime', kind: 'iso-date', values: ['2026-01-15T10:00:00Z', '2025-06-01T00:00:00Z', '2026-01-15T12:00:00+02:00', '2026-01-15'] },
  { name: 'aws:TokenIssueTime', kind: 'iso-date', values: ['2026-01-15T09:00:00Z', '2026-01-14T23:30:00-01:00'] },
  { name: 'aws:EpochTime', kind: 'epoch-date', values: ['1768471200', '1748736000', '1768471199'] },
  { name: 'aws:MultiFactorAuthAge', kind: 'numeric', values: ['30', '3600', '0', '12.5', 'abc'] },
  { name: 'aws:SecureTransport', kind: 'bool', values: ['true', 'false', 'TRUE'] },
  { name: 'aws:MultiFactorAuthPresent', kind: 'bool', values: ['true', 'false'] },
  { name: 'aws:TagKeys', kind: 'multi', values: ['x509Subject/CN', 'x509Issuer/CN', 'x509SAN/URI', 'team'], patterns: ['x509*', '*/CN'] },
  { name: 'sts:TransitiveTagKeys', kind: 'multi', values: ['team', 'x509Subject/CN'], patterns: ['t*'] },
  { name: 'aws:CalledVia', kind: 'multi', values: ['cloudformation.amazonaws.com', 'athena.amazonaws.com'], patterns: ['*.amazonaws.com'] },
  { name: 'aws:PrincipalServiceNamesList', kind: 'multi', values: [ROLES_ANYWHERE, 'ec2.amazonaws.com'] },
];

const ARN_PATTERNS = [
  TRUST_ANCHOR,
  OTHER_ANCHOR,
  `arn:aws:rolesanywhere:*:${ACCOUNT}:trust-anchor/*`,
  `arn:aws:rolesanywhere:us-east-?:${ACCOUNT}:trust-anchor/*`,
  `arn:aws:rolesanywhere:us-east-1:${ACCOUNT}:*`,
  "arn:aws:rolesanywhere:us-east-1:111122223333:trust-anchor/${aws:PrincipalTag/anchorId, 'ta-1111'}",
  // A variable outside the resource component: a documented divergence of iam-simulate (see the test).
  'arn:aws:rolesanywhere:us-east-1:${aws:SourceAccount}:trust-anchor/*',
  'arn:aws:*:*:*:*',
  '*',
];
const NUMBERS = ['30', '3600', '100.5', '-1', '0', '12.50', 'abc'];
const ISO_DATES = ['2026-01-15T10:00:00Z', '2026-01-01', '2026-01-15T09:59:59.500Z', '2025-12-31T23:00:00-01:00', '2026-01-15T10:00Z', 'not-a-date'];
const EPOCH_DATES = ['1768471200', '1768471199', '1700000000', '0'];
const IP_RANGES = [
  '203.0.113.0/24',
  '198.51.100.20',
  '198.51.100.20/32',
  '10.0.0.0/8',
  '0.0.0.0/0',
  '2001:db8:1234:5678::/64',
  '2001:DB8::/32',
  '::/0',
  '2001:db8:1234:5678::9',
  '2001:DB8:1234:5678:0:0:0:9',
  '203.0.113.0/33',
  'garbage',
];
const BOOLS: readonly unknown[] = ['true', 'false', 'TRUE', 'False', true, false, 'yes', '${aws:MultiFactorAuthPresent}'];
const NULLS: readonly unknown[] = ['true', 'false', true, false, 'TRUE'];
const UNKNOWN_OPERATORS = ['StringEqualz', 'NumericEquls', 'ArnMatches', 'DateEqual', 'IpAddres'];

const FAMILY_OPERATORS: Readonly<Record<string, readonly string[]>> = {
  String: ['StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'StringLike', 'StringNotLike'],
  Numeric: ['NumericEquals', 'NumericNotEquals', 'NumericLessThan', 'NumericLessThanEquals', 'NumericGreaterThan', 'NumericGreaterThanEquals'],
  Date: ['DateEquals', 'DateNotEquals', 'DateLessThan', 'DateLessThanEquals', 'DateGreaterThan', 'DateGreaterThanEquals'],
  Bool: ['Bool'],
  Binary: ['BinaryEquals'],
  IpAddress: ['IpAddress', 'NotIpAddress'],
  Arn: ['ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike'],
  Null: ['Null'],
};
const NATURAL_FAMILY: Readonly<Record<KeyKind, readonly string[]>> = {
  string: ['String', 'String', 'String', 'Binary'],
  arn: ['Arn', 'Arn', 'String'],
  ip: ['IpAddress'],
  'iso-date': ['Date'],
  'epoch-date': ['Date'],
  numeric: ['Numeric'],
  bool: ['Bool'],
  multi: ['String'],
};
// Numeric and Date are never used on keys of another kind: iam-simulate parses with parseInt,
// parseFloat and Date.parse, which read numbers out of "10.1.2.3" or "2026-01-15", so such pairs
// would compare values that are not numbers or dates at all.
const CROSS_FAMILIES = ['String', 'Arn', 'Bool', 'Binary', 'IpAddress'];

export interface DifferentialCase {
  readonly id: number;
  readonly policy: { Version: string; Statement: Array<Record<string, unknown>> };
  readonly principal: RequestPrincipal;
  readonly action: string;
  readonly context: Record<string, ContextValue>;
}

function keySpelling(rng: Prng, key: string): string {
  if (!rng.chance(0.2)) return key;
  return rng.chance(0.5) ? key.toLowerCase() : key.replace(/^[a-z]+:/, (prefix) => prefix.toUpperCase());
}

function conditionValues(rng: Prng, family: string, key: KeySpec): unknown[] {
  const count = rng.pick([1, 1, 1, 2, 2, 3]);
  const pool = ((): readonly unknown[] => {
    switch (family) {
      case 'String':
        return [...key.values, ...key.values.map((v) => v.toUpperCase()), ...(key.patterns ?? []), ...(key.patterns ?? [])];
      case 'Binary':
        return [...key.values, 'QmluYXJ5VmFsdWU=', 'b3RoZXI='];
      case 'Arn':
        return key.kind === 'arn' ? [...key.values, ...(key.patterns ?? []), ...ARN_PATTERNS] : ARN_PATTERNS;
      case 'Numeric':
        return rng.chance(0.2) ? NUMBERS.map((n) => (Number.isNaN(Number(n)) ? n : Number(n))) : NUMBERS;
      case 'Date':
        // One in ten uses the other format on purpose: mixed ISO/epoch pairs are a documented divergence class.
        return (key.kind === 'epoch-date') !== rng.chance(0.1) ? EPOCH_DATES : ISO_DATES;
      case 'Bool':
        return BOOLS;
      case 'IpAddress':
        return IP_RANGES;
      case 'Null':
        return NULLS;
      default:
        throw new Error(`no values for ${family}`);
    }
  })();
  return Array.from({ length: count }, () => rng.pick(pool));
}

function conditionOperator(rng: Prng, key: KeySpec): { operator: string; family: string } {
  const roll = rng.next();
  if (roll < 0.03) {
    // Unknown operators never match; only spellings whose absent-key handling iam-simulate agrees on (see the test).
    return { operator: `${rng.chance(0.3) ? 'ForAnyValue:' : ''}${rng.pick(UNKNOWN_OPERATORS)}`, family: 'String' };
  }
  const family = roll < 0.12 ? 'Null' : roll < 0.2 ? rng.pick(CROSS_FAMILIES) : rng.pick(NATURAL_FAMILY[key.kind]);
  let operator = rng.pick(FAMILY_OPERATORS[family]);
  if (family !== 'Null' && rng.chance(0.25)) operator += 'IfExists';
  if (rng.chance(key.kind === 'multi' ? 0.85 : 0.1)) operator = `${rng.pick(['ForAnyValue', 'ForAllValues'])}:${operator}`;
  return { operator, family };
}

function principalElement(rng: Prng, spec: PrincipalSpec): unknown {
  if (rng.chance(0.05)) return '*';
  const entries = rng.chance(0.65) ? [rng.pick(spec.coveredBy)] : [];
  if (entries.length === 0 || rng.chance(0.35)) entries.push(rng.pick(ALL_PRINCIPAL_ENTRIES));
  if (rng.chance(0.04)) entries.push(['AWS', '*']);
  const element: Record<string, string | string[]> = {};
  for (const [type, id] of entries) {
    const existing = element[type];
    if (existing === undefined) element[type] = id;
    else if (!([] as string[]).concat(existing).includes(id)) element[type] = ([] as string[]).concat(existing, id);
  }
  return element;
}

function statement(rng: Prng, spec: PrincipalSpec, action: string, first: boolean): Record<string, unknown> {
  const result: Record<string, unknown> = { Effect: first ? (rng.chance(0.85) ? 'Allow' : 'Deny') : rng.pick(['Allow', 'Deny']) };
  result[rng.chance(0.85) ? 'Principal' : 'NotPrincipal'] = principalElement(rng, spec);
  const actions = rng.chance(0.6) ? [action] : [];
  actions.push(...rng.some(ACTION_PATTERNS, rng.int(actions.length === 0 ? 1 : 0, 2)));
  const actionElement = actions.length === 1 && rng.chance(0.5) ? actions[0] : [...new Set(actions)];
  result[rng.chance(0.85) ? 'Action' : 'NotAction'] = actionElement;
  const resourceRoll = rng.next();
  if (resourceRoll < 0.1) result.Resource = rng.some(RESOURCE_PATTERNS, rng.int(1, 2));
  else if (resourceRoll < 0.15) result.NotResource = rng.pick(RESOURCE_PATTERNS.filter((r) => r !== '*'));
  const conditionCount = rng.pick([0, 1, 1, 1, 2, 2, 2, 3, 3]);
  if (conditionCount > 0) {
    const condition: Record<string, Record<string, unknown>> = {};
    for (let i = 0; i < conditionCount; i += 1) {
      const key = rng.pick(KEYS);
      const { operator, family } = conditionOperator(rng, key);
      const values = conditionValues(rng, family, key);
      condition[operator] ??= {};
      condition[operator][keySpelling(rng, key.name)] = values.length === 1 && rng.chance(0.5) ? values[0] : values;
    }
    result.Condition = condition;
  }
  return result;
}

function requestContext(rng: Prng, policy: DifferentialCase['policy']): Record<string, ContextValue> {
  const mentioned = JSON.stringify(policy).toLowerCase();
  const context: Record<string, ContextValue> = {};
  for (const key of KEYS) {
    if (!rng.chance(mentioned.includes(key.name.toLowerCase()) ? 0.75 : 0.25)) continue;
    const spelling = keySpelling(rng, key.name);
    context[spelling] = key.kind === 'multi' ? rng.some(key.values, rng.pick([0, 1, 1, 2, 2, 3])) : rng.pick(key.values);
  }
  return context;
}

/** `count` cases from `seed`: one policy of one to three statements and one request each. */
export function generateCases(seed: number, count: number): DifferentialCase[] {
  const rng = new Prng(seed);
  const totalWeight = PRINCIPALS.reduce((sum, p) => sum + p.weight, 0);
  const cases: DifferentialCase[] = [];
  for (let id = 0; id < count; id += 1) {
    let roll = rng.next() * totalWeight;
    const spec = PRINCIPALS.find((p) => (roll -= p.weight) < 0) ?? PRINCIPALS[0];
    const action = rng.pick(spec.actions);
    const statements = Array.from({ length: rng.pick([1, 1, 2, 2, 3]) }, (_, i) => statement(rng, spec, action, i === 0));
    const policy = { Version: '2012-10-17', Statement: statements };
    cases.push({ id, policy, principal: spec.principal, action, context: requestContext(rng, policy) });
  }
  return cases;
}
