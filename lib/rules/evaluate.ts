import { MIN_REASON_LENGTH } from '../core/agent-identity';
import { Acknowledgement } from './acknowledgements';
import { Rule, RuleFinding, Severity, isAcknowledgeable } from './rule';

/** A finding with what became of the acknowledgements that apply to it. */
export interface RuleVerdict {
  readonly rule: Rule<unknown>;
  readonly finding: RuleFinding;
  /** The acknowledgement that accepted the finding, if one did. */
  readonly acknowledgement?: Acknowledgement;
  /** An acknowledgement that applied but could not accept the finding, and why. */
  readonly rejected?: { readonly acknowledgement: Acknowledgement; readonly why: string };
}

/** Runs every rule over a model. Rules are pure; an exception is a bug reported as unjudgeable. */
export function evaluateRules<M>(rules: ReadonlyArray<Rule<M>>, model: M): Array<{ rule: Rule<M>; finding: RuleFinding }> {
  const results: Array<{ rule: Rule<M>; finding: RuleFinding }> = [];
  for (const rule of rules) {
    let findings: RuleFinding[];
    try {
      findings = rule.evaluate(model);
    } catch (e) {
      findings = [{ resource: '(template)', outcome: 'unjudgeable', message: `${rule.id} failed to evaluate: ${(e as Error).message}`, location: '' }];
    }
    for (const finding of findings) results.push({ rule, finding });
  }
  return results;
}

/**
 * Applies acknowledgements. The nearest acknowledgement of the rule decides: it accepts the
 * finding when its reason is long enough and the finding is acknowledgeable; otherwise the
 * finding stays open and says why the acknowledgement was rejected.
 */
export function applyAcknowledgements<M>(
  results: ReadonlyArray<{ rule: Rule<M>; finding: RuleFinding }>,
  acknowledgementsFor: (resource: string) => Acknowledgement[],
): RuleVerdict[] {
  return results.map(({ rule, finding }) => {
    const acknowledgement = acknowledgementsFor(finding.resource).find((a) => a.ruleId === rule.id);
    const base = { rule: rule as Rule<unknown>, finding };
    if (!acknowledgement) return base;
    if (acknowledgement.reason.trim().length < MIN_REASON_LENGTH) {
      return { ...base, rejected: { acknowledgement, why: `its reason ${JSON.stringify(acknowledgement.reason)} is shorter than ${MIN_REASON_LENGTH} characters` } };
    }
    if (!isAcknowledgeable(rule, finding.outcome)) {
      return { ...base, rejected: { acknowledgement, why: `${rule.id} is critical: its violations cannot be acknowledged, only fixed` } };
    }
    return { ...base, acknowledgement };
  });
}

/** Whether a verdict still needs fixing. */
export function isOpen(verdict: RuleVerdict): boolean {
  return verdict.acknowledgement === undefined;
}

/** One line for logs and annotations: `[AG-AWS-001] message Fix: …`. */
export function formatVerdict(verdict: RuleVerdict): string {
  const { rule, finding } = verdict;
  const prefix = finding.outcome === 'unjudgeable' ? 'cannot be judged: ' : '';
  const rejected = verdict.rejected ? ` (Acknowledgement at ${verdict.rejected.acknowledgement.at} rejected: ${verdict.rejected.why}.)` : '';
  const accepted = verdict.acknowledgement ? ` Acknowledged at ${verdict.acknowledgement.at}: ${verdict.acknowledgement.reason}` : '';
  const fix = finding.outcome === 'unjudgeable' ? `Make the value known at synth, or acknowledge ${rule.id} with a reason that vouches for it.` : rule.fix;
  return `[${rule.id}] ${prefix}${finding.message}${rejected} Fix: ${fix}${accepted}`;
}

/** Whether an open verdict fails synth: all but those of warning rules (a quota that can be raised). */
export function failsSynth(verdict: RuleVerdict): boolean {
  return isOpen(verdict) && verdict.rule.severity !== Severity.WARNING;
}

/** Severity CDK's validation report uses: critical violations and rejected acknowledgements cannot be suppressed. */
export function cdkSeverity(verdict: RuleVerdict): 'fatal' | 'error' | 'warning' {
  if (verdict.rejected) return 'fatal';
  if (verdict.rule.severity === Severity.WARNING) return 'warning';
  return verdict.rule.severity === Severity.CRITICAL && verdict.finding.outcome === 'violation' ? 'fatal' : 'error';
}
