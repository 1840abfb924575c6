import { ConditionEntry, StatementModel } from './iam-policy';
import { Evaluation, evaluatePolicyDocument } from './iam/evaluate-policy';
import { evaluateCondition } from './iam/evaluate-condition';
import { parsePolicyDocument } from './iam/policy-document';
import { ContextKeys, ContextValue, RequestContext, RequestPrincipal } from './iam/request-context';
import { TemplateSymbol, Value, describeValue, isSymbol, isSymbolicString } from './intrinsics';
import { AwsIssuancePath, describePath } from './issuance-paths';

/**
 * The caller an unattested path admits: a principal it names (or anyone, for `*` and
 * NotPrincipal) holding no certificate, with request context keys chosen so that the path's
 * conditions hold — they narrow who the caller is (an organization, a repository, a tag), never
 * whether it is attested. The trust policy then decides, with the model's IAM evaluator, whether
 * that caller gets the role's credentials.
 */

/** An account that is not the role's: `*` and NotPrincipal admit callers from anywhere. */
export const FOREIGN_ACCOUNT = '999988887777';

export interface UnattestedCaller {
  readonly principal: RequestPrincipal;
  readonly action: string;
  readonly context: Readonly<Record<string, ContextValue>>;
  /** Keys the conditions require that no value found satisfies; the caller may not exist. */
  readonly unsatisfied: readonly string[];
}

type PrincipalPath = Extract<AwsIssuancePath, { kind: 'principal' }>;

/** Where the role is deployed: what `AWS::AccountId`, `AWS::Partition` and `AWS::Region` stand for. */
export interface Deployment {
  readonly account: string;
  readonly partition: string;
  readonly region: string;
}

/** A value as text, with the deployment's pseudo parameters put in; other unknowns as their description. */
function concrete(v: Value, where: Deployment): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const values: Record<string, string> = { 'AWS::AccountId': where.account, 'AWS::Partition': where.partition, 'AWS::Region': where.region };
  const pseudo = (s: TemplateSymbol): string | undefined => (s.symbolic === 'pseudo' ? values[s.name] : undefined);
  if (isSymbolicString(v)) return v.parts.map((p) => (typeof p === 'string' ? p : (pseudo(p) ?? describeValue(p)))).join('');
  return (isSymbol(v) ? pseudo(v) : undefined) ?? describeValue(v);
}

/** Candidate request values for a key, from what its conditions compare with. */
function candidates(conditions: readonly ConditionEntry[], plainValue: (v: Value) => string): string[] {
  const out: string[] = [];
  for (const c of conditions) {
    for (const raw of c.values) {
      const v = plainValue(raw);
      const filled = v.replace(/\$\{[^}]*\}/g, 'x').replace(/[*?]/g, 'x');
      out.push(filled, `${filled}-attestgate-other`);
      const n = Number(v);
      if (v.trim() !== '' && Number.isFinite(n)) out.push(String(n + 1), String(n - 1));
      const t = Date.parse(v);
      if (!Number.isNaN(t) && /\d{4}-\d{2}-\d{2}/.test(v)) out.push(new Date(t + 86_400_000).toISOString(), new Date(t - 86_400_000).toISOString());
      const cidr = /^([\d.]+)\/\d+$/.exec(v);
      if (cidr) out.push(cidr[1]);
    }
  }
  return [...new Set([...out, 'true', 'false', 'attestgate-probe'])];
}

/** Request context keys under which every condition of the path holds, where values can be found. */
function satisfyingContext(conditions: readonly ConditionEntry[], base: Readonly<Record<string, ContextValue>>, plainValue: (v: Value) => string): { context: Record<string, ContextValue>; unsatisfied: string[] } {
  const context: Record<string, ContextValue> = { ...base };
  const unsatisfied: string[] = [];
  const byKey = new Map<string, ConditionEntry[]>();
  for (const c of conditions) byKey.set(c.key.toLowerCase(), [...(byKey.get(c.key.toLowerCase()) ?? []), c]);
  for (const [, onKey] of byKey) {
    const key = onKey[0].key;
    const given = Object.keys(context).find((k) => k.toLowerCase() === key.toLowerCase());
    const holds = (value: ContextValue | undefined) =>
      onKey.every((c) => evaluateCondition({ operator: c.operator, key: c.key, values: c.values.map(plainValue) }, new ContextKeys(value === undefined ? {} : { [key]: value }, 'caller'), undefined).holds);
    if (given !== undefined && holds(context[given])) continue;
    if (given !== undefined) delete context[given];
    if (holds(undefined)) continue;
    const all = candidates(onKey, plainValue);
    // One value that meets every condition; else the whole set (ForAnyValue/ForAllValues keys).
    const found = all.find((v) => holds(v)) ?? (holds(all) ? all : undefined);
    if (found === undefined) unsatisfied.push(key);
    else context[key] = found;
  }
  return { context, unsatisfied };
}

/** The caller a principal path admits, in the deployment of the role. */
export function callerFor(path: PrincipalPath, where: Deployment): UnattestedCaller {
  const { account, partition } = where;
  const named = path.value === undefined ? path.principal : concrete(path.value, where);
  let principal: RequestPrincipal;
  if (path.principalType === 'Service') principal = { type: 'Service', id: named };
  else if (path.principalType === 'Federated') principal = { type: 'Federated', id: named };
  else if (path.principalType === 'CanonicalUser') principal = { type: 'CanonicalUser', id: named };
  else if (path.principalType === '*' || named === '*' || path.principalType === 'NotPrincipal') principal = { type: 'AWS', id: `arn:${partition}:iam::${FOREIGN_ACCOUNT}:user/attestgate-unattested-caller` };
  else {
    const role = /^arn:([^:]+):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(named);
    const root = /^(?:arn:[^:]+:iam::)?(\d{12})(?::root)?$/.exec(named);
    // A role's callers are its sessions; an account's, any of its principals.
    principal = role
      ? { type: 'AWS', id: `arn:${role[1]}:sts::${role[2]}:assumed-role/${role[3]}/attestgate-unattested-caller` }
      : root
        ? { type: 'AWS', id: `arn:${partition}:iam::${root[1]}:user/attestgate-unattested-caller` }
        : { type: 'AWS', id: named };
  }
  const callerAccount = /:(\d{12}):/.exec(principal.id)?.[1] ?? account;
  const base: Record<string, ContextValue> = principal.type === 'AWS' ? { 'aws:PrincipalArn': principal.id, 'aws:PrincipalAccount': callerAccount, 'aws:PrincipalType': principal.id.includes(':assumed-role/') ? 'AssumedRole' : 'User' } : {};
  const { context, unsatisfied } = satisfyingContext(path.conditions, base, (v) => concrete(v, where));
  return { principal, action: path.exchange, context, unsatisfied };
}

/** A statement as plain JSON for the evaluator: pseudo parameters put in, other unknowns as their description. */
function plain(value: Value, where: Deployment): unknown {
  if (isSymbol(value) || isSymbolicString(value)) return concrete(value, where);
  if (Array.isArray(value)) return value.map((v) => plain(v, where));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v as Value, where)]));
  return value;
}

/**
 * Whether the trust policy gives the caller the role's credentials, as IAM evaluates it: the
 * statements as written (values unknown at synth stand as text, so they match nothing), every
 * Deny included. `error` when the policy cannot be evaluated.
 */
export function trustPolicyDecision(statements: readonly StatementModel[], roleArn: string, caller: UnattestedCaller, where: Deployment): Evaluation | { readonly error: string } {
  try {
    const document = parsePolicyDocument({ Version: '2012-10-17', Statement: statements.map((s) => plain(s.raw, where)) }, 'trust policy');
    const request: RequestContext = { principal: caller.principal, action: caller.action, resource: roleArn, context: caller.context };
    return evaluatePolicyDocument(document, request, { where: 'trust policy' });
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** What one unattested path of a role comes to, judged with the trust policy. */
export interface PathJudgement {
  readonly path: PrincipalPath | Extract<AwsIssuancePath, { kind: 'unknown' }>;
  /** true: a caller gets the credentials without a certificate; false: refused; undefined: cannot be judged. */
  readonly open: boolean | undefined;
  readonly why: string;
  readonly caller?: UnattestedCaller;
}

/**
 * Judges every path of a role that is not Roles Anywhere: the caller its conditions admit, then
 * the whole trust policy (every Deny included) with the IAM evaluator. The synth-time rule
 * (AG-AWS-004) and the conformance check (AGC-AWS-019) both read this one judgement.
 */
export function judgeUnattestedPaths(paths: readonly AwsIssuancePath[], statements: readonly StatementModel[], roleArn: string, where: Deployment): PathJudgement[] {
  return paths.flatMap((path): PathJudgement[] => {
    if (path.kind === 'roles-anywhere') return [];
    if (path.kind === 'unknown') return [{ path, open: undefined, why: path.why }];
    // A principal not known until apply (a Terraform variable, another resource's attribute) is
    // nobody yet: the policy parser would call its description a malformed principal.
    if (isSymbol(path.value) && path.value.symbolic === 'unknown') {
      return [{ path, open: undefined, why: `${describePath(path)}: who this principal is cannot be judged, its value (${path.value.reason}) is not known until apply; plan with the value known (set the variable, or plan again once the resource it comes from exists), or give attestgate the state after apply (terraform show -json)` }];
    }
    const caller = callerFor(path, where);
    const decision = trustPolicyDecision(statements, roleArn, caller, where);
    const described = describePath(path);
    if ('error' in decision) return [{ path, open: undefined, why: `${described}: the trust policy cannot be evaluated (${decision.error})`, caller }];
    if (decision.decision !== 'Allow') {
      const why = caller.unsatisfied.length > 0 ? `no caller found that meets ${caller.unsatisfied.join(', ')}` : decision.explanation[decision.explanation.length - 1];
      return [{ path, open: caller.unsatisfied.length > 0 ? undefined : false, why: `${described}: refused (${why})`, caller }];
    }
    // The keys its conditions asked for; the caller's own (aws:PrincipalArn, …) stay in `caller`.
    const asked = new Set(path.conditions.map((c) => c.key.toLowerCase()));
    const met = Object.entries(caller.context).filter(([k]) => asked.has(k.toLowerCase()));
    const who = `${caller.principal.type} ${caller.principal.id}${met.length > 0 ? ` with ${met.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}` : ''}`;
    return [{ path, open: true, why: `${described}: ${who} gets the credentials without a certificate`, caller }];
  });
}
