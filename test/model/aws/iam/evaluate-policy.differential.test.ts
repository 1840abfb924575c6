import { isIP } from 'node:net';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { ContextValue, Decision, evaluateResourcePolicy, parseConditionOperator } from '../../../../lib/model/aws/iam';
import { splitArn } from '../../../../lib/model/aws/iam/arn-pattern';
import { parseDate } from '../../../../lib/model/aws/iam/condition-operators';
import { ACCOUNT, DifferentialCase, ROLE_ARN, generateCases } from './differential-cases';

// Differential test: our evaluator against @cloud-copilot/iam-simulate (AGPL, dev dependency only)
// on generated Roles Anywhere / STS trust policies. iam-simulate evaluates ~600 such cases per
// second on this machine, so 3,000 cases keep the test at about five seconds.
const SEED = 20260115;
const CASES = 3000;

const DECISIONS: Readonly<Record<string, Decision>> = { Allowed: 'Allow', ExplicitlyDenied: 'ExplicitDeny', ImplicitlyDenied: 'ImplicitDeny' };

// iam-simulate decides the whole authorization. An identity policy that allows everything
// makes its answer the trust policy's answer for AWS and Federated principals too (a same-account
// principal trusted through its account, or any cross-account principal, also needs its own
// identity policy to allow the call). Services have no identity policies.
const ALLOW_EVERYTHING = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

/**
 * Classes of cases where iam-simulate 0.1.173 contradicts the IAM documentation. A case with any
 * condition in one of these classes is left out of the comparison (and counted); our evaluator
 * follows the documentation, which the unit tests pin down.
 */
const DIVERGENCES = {
  /**
   * "You can add IfExists to the end of any condition operator name except the Null condition ...
   * If the key is not present, evaluate the condition element as true." (IAM User Guide, Condition
   * operators, "...IfExists condition operators"). iam-simulate returns false for
   * `ForAnyValue:...IfExists` on an absent key.
   */
  forAnyValueIfExistsOnAbsentKey: 'ForAnyValue:...IfExists on an absent key',
  /**
   * "Special characters ... ${*}, ${?}, ${$} ... can be used in any string where you can use
   * regular policy variables" (IAM User Guide, Variables and tags). iam-simulate substitutes them
   * only for operators with wildcards (StringLike, ArnLike); StringEquals compares the literal
   * text `${*}`.
   */
  escapeWithoutWildcards: '${*}/${?}/${$} in an operator without wildcards',
  /**
   * "You must specify date/time values with one of the W3C implementations of the ISO 8601 date
   * formats or in epoch (UNIX) time" (Condition operators, Date). Epoch time is in seconds;
   * iam-simulate compares epoch seconds with ISO dates in milliseconds.
   */
  mixedDateFormats: 'date compared across epoch and ISO 8601 formats',
  /**
   * "The value must be in the standard CIDR format" (Condition operators, IP address):
   * 0.0.0.0/0 is every IPv4 address. iam-simulate builds the mask as `-1 << 32`, which JavaScript
   * evaluates as `-1 << 0`, so a /0 IPv4 block contains only 0.0.0.0.
   */
  ipv4SlashZero: 'IPv4 /0 block',
  /**
   * "If you specify an IP address without the associated routing prefix, IAM uses the default
   * prefix value of /32" (Condition operators, IP address): a bare address is a one-address block.
   * iam-simulate compares bare addresses as text, so `2001:DB8::9` differs from `2001:db8::9`, and
   * NotIpAddress with a bare address of the other IP version fails where the block form holds.
   */
  bareAddressAsText: 'bare IP address compared as text',
  /**
   * "You can use a policy variable with the ARN condition operator" (Condition operators, ARN).
   * iam-simulate splits the policy ARN at every colon before substituting, which cuts
   * `${aws:SourceAccount}` in two when it stands for the account component.
   */
  arnVariableOutsideResource: 'policy variable in an ARN component before the resource',
} as const;
type Divergence = keyof typeof DIVERGENCES;

/** An IP address in its canonical spelling (the URL parser compresses and lower-cases IPv6). */
const canonicalIp = (address: string): string => (isIP(address) === 6 ? new URL(`http://[${address}]`).hostname : address);
const isEpoch = (value: string): boolean => /^-?\d+$/.test(value);
const isIsoDate = (value: string): boolean => !isEpoch(value) && parseDate(value) !== undefined;

/** The documented divergence a case falls into, if any; `context` is the one iam-simulate kept. */
function divergenceOf(testCase: DifferentialCase, context: Record<string, ContextValue>): Divergence | undefined {
  const values = new Map(Object.entries(context).map(([key, value]) => [key.toLowerCase(), ([] as string[]).concat(value)]));
  for (const statement of testCase.policy.Statement) {
    for (const [raw, block] of Object.entries((statement.Condition ?? {}) as Record<string, Record<string, unknown>>)) {
      const operator = parseConditionOperator(raw);
      if (operator === undefined) continue;
      for (const [key, policyRaw] of Object.entries(block)) {
        const policyValues = ([] as unknown[]).concat(policyRaw).map(String);
        const requestValues = values.get(key.toLowerCase());
        const base = operator.base;
        if (requestValues === undefined) {
          if (operator.qualifier === 'ForAnyValue' && operator.ifExists) return 'forAnyValueIfExistsOnAbsentKey';
          continue;
        }
        const pairs = policyValues.flatMap((p) => requestValues.map((r) => [p, r] as const));
        if ((base.family === 'String' && !base.name.includes('Like')) || base.family === 'Bool') {
          if (policyValues.some((p) => /\$\{[*?$]\}/.test(p))) return 'escapeWithoutWildcards';
        }
        if (base.family === 'Date' && pairs.some(([p, r]) => (isEpoch(p) && isIsoDate(r)) || (isIsoDate(p) && isEpoch(r)))) return 'mixedDateFormats';
        if (base.family === 'IpAddress') {
          if (pairs.some(([p, r]) => /^[\d.]+\/0$/.test(p) && isIP(r) === 4)) return 'ipv4SlashZero';
          // Same address in other spelling, or NotIpAddress across IP versions.
          const bareAsText = ([p, r]: readonly [string, string]): boolean =>
            !p.includes('/') && isIP(p) !== 0 && isIP(r) !== 0 && p !== r && (isIP(p) === isIP(r) ? canonicalIp(p) === canonicalIp(r) : base.negated);
          if (pairs.some(bareAsText)) return 'bareAddressAsText';
        }
        if (base.family === 'Arn' && policyValues.some((p) => splitArn(p, true)?.slice(0, 5).some((c) => c.includes('${')))) {
          return 'arnVariableOutsideResource';
        }
      }
    }
  }
  return undefined;
}

interface Outcome {
  readonly testCase: DifferentialCase;
  readonly context: Record<string, ContextValue>;
  readonly theirs?: Decision;
  readonly ours?: Decision;
  readonly explanation?: string[];
  readonly divergence?: Divergence;
  readonly error?: unknown;
}

async function runCase(testCase: DifferentialCase): Promise<Outcome> {
  const simulation = await runSimulation(
    {
      request: {
        principal: testCase.principal.id,
        action: testCase.action,
        resource: { resource: ROLE_ARN, accountId: ACCOUNT },
        contextVariables: testCase.context as Record<string, string | string[]>,
      },
      identityPolicies: testCase.principal.type === 'Service' ? [] : [{ name: 'allow-everything', policy: ALLOW_EVERYTHING }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: testCase.policy,
    },
    {},
  );
  if (simulation.resultType !== 'single') return { testCase, context: testCase.context, error: simulation };
  // iam-simulate drops keys that the action cannot carry (sts:SourceIdentity on sts:TagSession);
  // the emulator builds its context per action too, so ours sees the same keys.
  const ignored = new Set((simulation.result.ignoredContextKeys ?? []).map((key) => key.toLowerCase()));
  const context = Object.fromEntries(Object.entries(testCase.context).filter(([key]) => !ignored.has(key.toLowerCase())));
  const theirs = DECISIONS[simulation.overallResult];
  const divergence = divergenceOf(testCase, context);
  if (divergence !== undefined) return { testCase, context, theirs, divergence };
  const ours = evaluateResourcePolicy(testCase.policy, { principal: testCase.principal, action: testCase.action, resource: ROLE_ARN, context });
  return { testCase, context, theirs, ours: ours.decision, explanation: ours.explanation };
}

describe('evaluateResourcePolicy against @cloud-copilot/iam-simulate', () => {
  let outcomes: Outcome[];

  beforeAll(async () => {
    outcomes = [];
    for (const testCase of generateCases(SEED, CASES)) outcomes.push(await runCase(testCase));
  });

  test(`agrees on every one of ${CASES} generated trust-policy cases outside the documented divergences`, () => {
    const errors = outcomes.filter((o) => o.error !== undefined);
    expect(errors.map((o) => ({ case: o.testCase, error: o.error }))).toEqual([]);
    const mismatches = outcomes.filter((o) => o.ours !== undefined && o.ours !== o.theirs);
    const report = mismatches.slice(0, 5).map((o) => ({
      id: o.testCase.id,
      iamSimulate: o.theirs,
      ours: o.ours,
      principal: o.testCase.principal,
      action: o.testCase.action,
      context: o.context,
      policy: o.testCase.policy,
      explanation: o.explanation,
    }));
    expect({ mismatches: mismatches.length, firstMismatches: report }).toEqual({ mismatches: 0, firstMismatches: [] });
  });

  test('compares nearly all cases and reaches every decision', () => {
    const compared = outcomes.filter((o) => o.ours !== undefined);
    expect(compared.length).toBeGreaterThanOrEqual(CASES * 0.9);
    const decisions = new Map<Decision, number>();
    for (const o of compared) decisions.set(o.ours as Decision, (decisions.get(o.ours as Decision) ?? 0) + 1);
    expect(decisions.get('Allow')).toBeGreaterThanOrEqual(CASES * 0.1);
    expect(decisions.get('ExplicitDeny')).toBeGreaterThanOrEqual(CASES * 0.05);
    expect(decisions.get('ImplicitDeny')).toBeGreaterThanOrEqual(CASES * 0.3);
    // Every documented divergence actually occurs, so each exclusion above is exercised, not dead code.
    const divergences = new Set(outcomes.map((o) => o.divergence).filter((d) => d !== undefined));
    expect([...divergences].sort()).toEqual(Object.keys(DIVERGENCES).sort());
  });

  test('exercises every operator with and without IfExists and set qualifiers, on present and absent keys', () => {
    const seen = new Set<string>();
    for (const o of outcomes.filter((outcome) => outcome.ours !== undefined)) {
      const keys = new Set(Object.keys(o.context).map((key) => key.toLowerCase()));
      for (const statement of o.testCase.policy.Statement) {
        for (const [raw, block] of Object.entries((statement.Condition ?? {}) as Record<string, Record<string, unknown>>)) {
          const operator = parseConditionOperator(raw);
          for (const key of Object.keys(block)) {
            const presence = keys.has(key.toLowerCase()) ? 'present' : 'absent';
            if (operator === undefined) {
              seen.add(`unknown ${presence}`);
              continue;
            }
            seen.add(`${operator.base.name} ${presence}`);
            if (operator.ifExists) seen.add(`${operator.base.family} IfExists ${presence}`);
            if (operator.qualifier !== undefined) seen.add(`${operator.qualifier} ${presence}`);
          }
        }
      }
    }
    const families = ['String', 'Numeric', 'Date', 'Bool', 'Binary', 'IpAddress', 'Arn'];
    const operators = ['StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'StringLike', 'StringNotLike']
      .concat(['Equals', 'NotEquals', 'LessThan', 'LessThanEquals', 'GreaterThan', 'GreaterThanEquals'].flatMap((r) => [`Numeric${r}`, `Date${r}`]))
      .concat(['Bool', 'BinaryEquals', 'IpAddress', 'NotIpAddress', 'ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike', 'Null']);
    const expected = [
      ...operators.flatMap((name) => [`${name} present`, `${name} absent`]),
      ...families.flatMap((family) => [`${family} IfExists present`, `${family} IfExists absent`]),
      ...['ForAnyValue', 'ForAllValues'].flatMap((qualifier) => [`${qualifier} present`, `${qualifier} absent`]),
      'unknown present',
      'unknown absent',
    ];
    expect(expected.filter((label) => !seen.has(label))).toEqual([]);
  });
});
