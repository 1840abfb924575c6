import { CelExpr, CelSyntaxError, parseCel } from './environment';

/**
 * Whether a workload identity provider's attribute condition constrains the credential's
 * subject — the one property that makes a federation gate admit one workload rather than every
 * workload its issuer vouches for. Read from the parsed CEL, never from the text.
 *
 * A condition constrains the subject when, whatever else it says, it can only be true for
 * subjects that equal a literal, are in a literal list, or start with a literal prefix that
 * closes at least its host or first segment (`https://host/`, not `https://host`, which
 * `https://host.evil/` also starts with) — for a SPIFFE ID a segment past the trust domain
 * (`spiffe://prod.example/agent/`), since the trust domain alone is every workload it attests. `&&` needs one
 * side to constrain, `||` both, `!` flips the sense (so `sub != 'x'` does not constrain: it lets
 * everybody else in). Mapped attributes count as the subject only when their mapping is the bare
 * subject claim: `extract()` finds its prefix anywhere in the input, so an extracted value does
 * not pin the whole subject.
 */

/** The kind of credential a provider accepts. */
export type CredentialKind = 'oidc' | 'x509' | 'aws' | 'saml' | 'unknown';

/** The assertion fields that identify the credential's subject, per kind. */
export const SUBJECT_CLAIMS: Readonly<Record<CredentialKind, readonly string[]>> = {
  oidc: ['assertion.sub'],
  // The first URI SAN (a SPIFFE ID), the subject CN (GCP's default google.subject), or the certificate itself.
  x509: ['assertion.san.uri', 'assertion.subject.dn.cn', 'assertion.sha256Fingerprint'],
  aws: ['assertion.arn'],
  saml: ['assertion.subject'],
  unknown: ['assertion.sub'],
};

/** The mappings GCP applies when a provider sets none (AWS and X.509 providers). */
export const DEFAULT_SUBJECT_MAPPING: Readonly<Partial<Record<CredentialKind, string>>> = {
  aws: 'assertion.arn',
  x509: 'assertion.subject.dn.cn',
};

/** A three-valued answer: yes (and how), no (and why), or cannot be judged (and why). */
export type SubjectJudgement = { readonly holds: true; readonly how: string } | { readonly holds: false; readonly why: string } | { readonly holds: undefined; readonly why: string };

export interface SubjectConstraintInput {
  /** The condition's CEL text. Parts unknown before apply are replaced by placeholder markers. */
  readonly condition: string;
  readonly kind: CredentialKind;
  /**
   * The attribute mapping: key (`google.subject`, `attribute.x`) → CEL expression, or
   * `undefined` for a mapping whose expression is not known before apply.
   */
  readonly mapping?: Readonly<Record<string, string | undefined>>;
  /** Markers standing for values not known before apply (Terraform references), by marker. */
  readonly placeholders?: ReadonlyMap<string, string>;
}

/** The paths that hold the subject: the kind's claims plus attributes mapped from one of them unchanged. */
export function subjectPaths(kind: CredentialKind, mapping: Readonly<Record<string, string | undefined>> | undefined): Set<string> {
  const claims = new Set(SUBJECT_CLAIMS[kind]);
  const paths = new Set(claims);
  const effective: Record<string, string | undefined> = { ...(mapping && Object.keys(mapping).length > 0 ? mapping : {}) };
  if (!('google.subject' in effective) && DEFAULT_SUBJECT_MAPPING[kind]) effective['google.subject'] = DEFAULT_SUBJECT_MAPPING[kind];
  for (const [key, expression] of Object.entries(effective)) {
    if (expression === undefined) continue;
    let ast: CelExpr;
    try {
      ast = parseCel(expression).expr;
    } catch {
      continue;
    }
    const path = pathOf(ast);
    if (path !== undefined && claims.has(path)) paths.add(key);
  }
  return paths;
}

/**
 * Judges whether a condition constrains the subject.
 *
 * @returns `holds: undefined` when a part the answer depends on is not known before apply, and
 *   `holds: false` with the reason (including a syntax error) otherwise
 */
export function subjectConstraint(input: SubjectConstraintInput): SubjectJudgement {
  let ast: CelExpr;
  try {
    ast = parseCel(input.condition).expr;
  } catch (e) {
    const detail = e instanceof CelSyntaxError ? e.detail : (e as Error).message;
    if (input.placeholders && [...input.placeholders.keys()].some((m) => input.condition.includes(m))) {
      return { holds: undefined, why: `the condition is built from values known only at apply (${[...input.placeholders.values()].join(', ')}) and does not parse without them` };
    }
    return { holds: false, why: `the condition is not valid CEL (${detail})` };
  }
  const unknownMapping = Object.entries(input.mapping ?? {}).filter(([, e]) => e === undefined).map(([k]) => k);
  const analyzer = new Analyzer(subjectPaths(input.kind, input.mapping), input.kind, input.placeholders ?? new Map(), unknownMapping);
  return analyzer.judge(ast, true);
}

/** The dotted path of a field selection or constant index (`assertion.san.uri`, `assertion['sub']`). */
export function pathOf(expr: CelExpr): string | undefined {
  const kind = expr.exprKind;
  if (kind.case === 'identExpr') return kind.value.name;
  if (kind.case === 'selectExpr' && kind.value.operand && !kind.value.testOnly) {
    const base = pathOf(kind.value.operand);
    return base === undefined ? undefined : `${base}.${kind.value.field}`;
  }
  if (kind.case === 'callExpr' && kind.value.function === '_[_]' && kind.value.args.length === 2) {
    const base = pathOf(kind.value.args[0]);
    const key = stringConstant(kind.value.args[1]);
    return base === undefined || key === undefined ? undefined : `${base}.${key}`;
  }
  return undefined;
}

/** The value of a string literal, else undefined. */
export function stringConstant(expr: CelExpr): string | undefined {
  const kind = expr.exprKind;
  return kind.case === 'constExpr' && kind.value.constantKind.case === 'stringValue' ? kind.value.constantKind.value : undefined;
}

const YES = (how: string): SubjectJudgement => ({ holds: true, how });
const NO = (why: string): SubjectJudgement => ({ holds: false, why });

/** Whether a literal prefix closes at least its host or first segment (see the module comment). */
export function prefixClosure(prefix: string, kind: CredentialKind): { ok: true } | { ok: false; why: string } {
  if (prefix === '') return { ok: false, why: 'the subject is not restricted to a literal prefix' };
  if (kind === 'aws') {
    return /^arn:aws[a-z-]*:sts::\d{12}:assumed-role\/[^/]+\//.test(prefix)
      ? { ok: true }
      : { ok: false, why: `prefix ${JSON.stringify(prefix)} does not name one role (arn:aws:sts::<account>:assumed-role/<role>/), so other roles or accounts match` };
  }
  const spiffe = /^spiffe:\/\/([^/]+)\/([^/]*)/i.exec(prefix);
  if (spiffe && spiffe[2] === '' ) {
    // A trust domain is every workload its SPIRE server attests, not one identity (AG-GCP-001's rationale).
    return { ok: false, why: `prefix ${JSON.stringify(prefix)} stops at the trust domain, so every workload of spiffe://${spiffe[1]} matches (${JSON.stringify(`${prefix}any-workload`)} too)` };
  }
  const uri = /^[a-z][a-z0-9+.-]*:\/\/([^/]*)(\/?)/i.exec(prefix);
  if (uri) {
    return uri[2] === '/' && uri[1].length > 0
      ? { ok: true }
      : { ok: false, why: `prefix ${JSON.stringify(prefix)} does not end its host with "/", so ${JSON.stringify(`${prefix}${uri[1] ? '.attacker.example' : 'attacker.example'}/`)} matches too` };
  }
  return /^[^:/]+[:/][^:/]+[:/]/.test(prefix)
    ? { ok: true }
    : { ok: false, why: `prefix ${JSON.stringify(prefix)} does not close a segment after its first, so unrelated subjects match` };
}

/** The literal prefix of an RE2 pattern anchored with `^`, or undefined. */
export function anchoredLiteralPrefix(pattern: string): string | undefined {
  if (!pattern.startsWith('^')) return undefined;
  let prefix = '';
  for (let i = 1; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const next = pattern[i + 1];
      if (next !== undefined && /[\\.\-/:^$|?*+()[\]{}]/.test(next)) {
        prefix += next;
        i += 1;
        continue;
      }
      break;
    }
    if (/[.^$|?*+()[\]{}]/.test(c)) {
      // A quantifier applies to the character before it, which then is not certain.
      if (/[?*{]/.test(c)) prefix = prefix.slice(0, -1);
      if (c === '|') return undefined;
      break;
    }
    prefix += c;
  }
  return prefix;
}

interface Literal {
  readonly text: string;
  /** Placeholder markers inside the literal (parts known only at apply). */
  readonly unknownParts: readonly string[];
}

class Analyzer {
  constructor(
    private readonly paths: ReadonlySet<string>,
    private readonly kind: CredentialKind,
    private readonly placeholders: ReadonlyMap<string, string>,
    private readonly unknownMapping: readonly string[],
  ) {}

  public judge(expr: CelExpr, positive: boolean): SubjectJudgement {
    const kind = expr.exprKind;
    if (kind.case === 'constExpr' && kind.value.constantKind.case === 'boolValue') {
      const value = kind.value.constantKind.value === positive;
      return value ? NO('the condition is always true') : YES('the condition is never true: it rejects every credential');
    }
    if (kind.case === 'identExpr' && this.placeholders.has(kind.value.name)) {
      return { holds: undefined, why: `part of the condition is ${this.placeholders.get(kind.value.name)}, known only at apply` };
    }
    if (kind.case !== 'callExpr') return this.notConstraining(expr);
    const { function: fn, args, target } = kind.value;
    switch (fn) {
      case '!_':
        return this.judge(args[0], !positive);
      case '_&&_':
        return positive ? anyOf(args.map((a) => this.judge(a, true))) : allOf(args.map((a) => this.judge(a, false)));
      case '_||_':
        return positive ? allOf(args.map((a) => this.judge(a, true))) : anyOf(args.map((a) => this.judge(a, false)));
      case '_?_:_': {
        const [c, a, b] = args;
        // c ? a : b ≡ (c && a) || (!c && b); its negation is c ? !a : !b.
        return allOf([anyOf([this.judge(c, true), this.judge(a, positive)]), anyOf([this.judge(c, false), this.judge(b, positive)])]);
      }
      case '_==_':
      case '_!=_':
        return (fn === '_==_') === positive ? this.equality(args[0], args[1]) : this.excludesOnly(expr);
      case '@in':
        return positive ? this.membership(args[0], args[1]) : this.excludesOnly(expr);
      case 'startsWith':
        if (!target || !this.isSubject(target)) return this.notConstraining(expr);
        return positive ? this.prefix(args[0], (text) => text) : this.excludesOnly(expr);
      case 'matches': {
        const [subject, pattern] = target ? [target, args[0]] : [args[0], args[1]];
        if (!subject || !this.isSubject(subject)) return this.notConstraining(expr);
        return positive ? this.prefix(pattern, anchoredLiteralPrefix, 'regex') : this.excludesOnly(expr);
      }
      default:
        return this.notConstraining(expr);
    }
  }

  private isSubject(expr: CelExpr): boolean {
    const path = pathOf(expr);
    return path !== undefined && this.paths.has(path);
  }

  private literal(expr: CelExpr): Literal | undefined {
    const text = stringConstant(expr);
    if (text === undefined) return undefined;
    return { text, unknownParts: [...this.placeholders.keys()].filter((m) => text.includes(m)) };
  }

  private equality(a: CelExpr, b: CelExpr): SubjectJudgement {
    const [subject, other] = this.isSubject(a) ? [a, b] : this.isSubject(b) ? [b, a] : [undefined, undefined];
    if (!subject || !other) return this.notConstraining(a, b);
    const literal = this.literal(other);
    if (!literal) return NO(`${pathOf(subject)} is compared with an expression, not a literal`);
    return YES(`${pathOf(subject)} == ${this.render(literal)}`);
  }

  private membership(element: CelExpr, collection: CelExpr): SubjectJudgement {
    if (!this.isSubject(element)) return this.notConstraining(element, collection);
    const kind = collection.exprKind;
    const items =
      kind.case === 'listExpr' ? kind.value.elements : kind.case === 'structExpr' && kind.value.messageName === '' ? kind.value.entries.map((e) => (e.keyKind.case === 'mapKey' ? e.keyKind.value : undefined)) : undefined;
    if (!items || items.length === 0) return NO(`${pathOf(element)} is tested against something other than a literal list`);
    const literals = items.map((i) => (i ? this.literal(i) : undefined));
    if (literals.some((l) => l === undefined)) return NO(`${pathOf(element)} is tested against a list with non-literal entries`);
    return YES(`${pathOf(element)} in [${literals.map((l) => this.render(l!)).join(', ')}]`);
  }

  private prefix(argument: CelExpr | undefined, prefixOf: (text: string) => string | undefined, what = 'prefix'): SubjectJudgement {
    const literal = argument ? this.literal(argument) : undefined;
    if (!literal) return NO(`the subject's ${what} is not a literal`);
    const prefix = prefixOf(literal.text);
    if (prefix === undefined) return NO(`regex ${JSON.stringify(literal.text)} is not anchored with "^" to a literal prefix`);
    const firstUnknown = Math.min(...literal.unknownParts.map((m) => prefix.indexOf(m)).filter((i) => i >= 0), Infinity);
    const known = prefix.slice(0, firstUnknown);
    const closure = prefixClosure(known, this.kind);
    if (closure.ok) return YES(`the subject starts with ${this.render({ text: prefix, unknownParts: literal.unknownParts })}`);
    if (firstUnknown !== Infinity) return { holds: undefined, why: `the subject prefix ${this.render({ text: prefix, unknownParts: literal.unknownParts })} is known only at apply` };
    return NO(closure.why);
  }

  private excludesOnly(expr: CelExpr): SubjectJudgement {
    return this.mentionsSubject(expr)
      ? NO('the condition only excludes some subjects (a deny-list): every other subject is accepted')
      : this.notConstraining(expr);
  }

  private notConstraining(expr: CelExpr, other?: CelExpr): SubjectJudgement {
    if (this.unknownMapping.length > 0) {
      return { holds: undefined, why: `the mapping of ${this.unknownMapping.join(', ')} is known only at apply` };
    }
    const mentions = this.mentionsSubject(expr) || (other !== undefined && this.mentionsSubject(other));
    return NO(mentions ? 'the subject is referenced, but not compared with a literal value, list or closed prefix' : `the condition does not test the subject (${[...this.paths].join(', ')})`);
  }

  private mentionsSubject(expr: CelExpr): boolean {
    if (this.isSubject(expr)) return true;
    return celChildren(expr).some((c) => this.mentionsSubject(c));
  }

  private render(literal: Literal): string {
    let text = JSON.stringify(literal.text);
    for (const marker of literal.unknownParts) text = text.split(marker).join(`\${${this.placeholders.get(marker)}}`);
    return text;
  }
}

/** The direct subexpressions of an expression, macros' expansions included. */
export function celChildren(expr: CelExpr): CelExpr[] {
  const kind = expr.exprKind;
  switch (kind.case) {
    case 'selectExpr':
      return kind.value.operand ? [kind.value.operand] : [];
    case 'callExpr':
      return [...(kind.value.target ? [kind.value.target] : []), ...kind.value.args];
    case 'listExpr':
      return kind.value.elements;
    case 'structExpr':
      return kind.value.entries.flatMap((e) => [...(e.keyKind.case === 'mapKey' ? [e.keyKind.value] : []), ...(e.value ? [e.value] : [])]);
    case 'comprehensionExpr':
      return [kind.value.iterRange, kind.value.accuInit, kind.value.loopCondition, kind.value.loopStep, kind.value.result].filter((e): e is CelExpr => e !== undefined);
    default:
      return [];
  }
}

/** At least one must hold; unknown wins over no. */
function anyOf(judgements: SubjectJudgement[]): SubjectJudgement {
  const yes = judgements.find((j) => j.holds === true);
  if (yes) return yes;
  const unknown = judgements.find((j) => j.holds === undefined);
  return unknown ?? judgements[0] ?? NO('empty condition');
}

/** All must hold; a no wins over unknown. */
function allOf(judgements: SubjectJudgement[]): SubjectJudgement {
  const no = judgements.find((j) => j.holds === false);
  if (no) return no;
  const unknown = judgements.find((j) => j.holds === undefined);
  if (unknown) return unknown;
  return YES(judgements.map((j) => (j as { how: string }).how).join(' and '));
}
