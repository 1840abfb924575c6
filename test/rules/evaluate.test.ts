import { Acknowledgement } from '../../lib/rules/acknowledgements';
import { applyAcknowledgements, cdkSeverity, evaluateRules, formatVerdict, isOpen } from '../../lib/rules/evaluate';
import { Rule, Severity } from '../../lib/rules/rule';

const critical: Rule<string[]> = {
  id: 'AG-AWS-001',
  cloud: 'aws',
  severity: Severity.CRITICAL,
  title: 't',
  rationale: 'r',
  fix: 'do the fix',
  evaluate: (resources) => resources.map((resource) => ({ resource, outcome: resource.startsWith('?') ? 'unjudgeable' : 'violation', message: `${resource} is bad.`, location: 'L' })),
};
const high: Rule<string[]> = { ...critical, id: 'AG-AWS-004', severity: Severity.HIGH };
const broken: Rule<string[]> = { ...critical, id: 'AG-AWS-005', evaluate: () => { throw new Error('boom'); } };
const ack = (ruleId: string, reason: string): Acknowledgement => ({ ruleId, reason, at: 'App/S/R', via: 'attestgate' });

describe('evaluateRules and applyAcknowledgements', () => {
  test('a rule that throws becomes an unjudgeable finding, never a pass', () => {
    const [result] = evaluateRules([broken], ['x']);
    expect(result.finding).toMatchObject({ outcome: 'unjudgeable', message: 'AG-AWS-005 failed to evaluate: boom' });
  });

  test('acknowledgements accept high findings, not critical violations; unjudgeable critical ones may be vouched for', () => {
    const results = evaluateRules([critical, high], ['R', '?P']);
    const verdicts = applyAcknowledgements(results, () => [ack('AG-AWS-001', 'a reason long enough'), ack('AG-AWS-004', 'a reason long enough')]);
    const summary = verdicts.map((v) => [v.rule.id, v.finding.resource, isOpen(v), v.rejected?.why ?? null, cdkSeverity(v)]);
    expect(summary).toEqual([
      ['AG-AWS-001', 'R', true, 'AG-AWS-001 is critical: its violations cannot be acknowledged, only fixed', 'fatal'],
      ['AG-AWS-001', '?P', false, null, 'error'],
      ['AG-AWS-004', 'R', false, null, 'error'],
      ['AG-AWS-004', '?P', false, null, 'error'],
    ]);
  });

  test('a short reason is rejected and the finding stays open, unsuppressibly', () => {
    const [verdict] = applyAcknowledgements(evaluateRules([high], ['R']), () => [ack('AG-AWS-004', 'ok')]);
    expect(isOpen(verdict)).toBe(true);
    expect(cdkSeverity(verdict)).toBe('fatal');
    expect(formatVerdict(verdict)).toBe('[AG-AWS-004] R is bad. (Acknowledgement at App/S/R rejected: its reason "ok" is shorter than 10 characters.) Fix: do the fix');
  });

  test('the nearest acknowledgement of the rule decides; others are ignored', () => {
    const [verdict] = applyAcknowledgements(evaluateRules([high], ['R']), () => [ack('AG-AWS-001', 'other rule reason'), ack('AG-AWS-004', 'x'), ack('AG-AWS-004', 'a reason long enough')]);
    expect(verdict.rejected?.why).toContain('shorter than 10');
  });

  test('unjudgeable findings say how to resolve them', () => {
    const [verdict] = applyAcknowledgements(evaluateRules([critical], ['?P']), () => []);
    expect(formatVerdict(verdict)).toBe('[AG-AWS-001] cannot be judged: ?P is bad. Fix: Make the value known at synth, or acknowledge AG-AWS-001 with a reason that vouches for it.');
  });
});
