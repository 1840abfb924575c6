import { ALL_RULES } from '../../../lib/rules/catalog';
import { RuleVerdict, formatVerdict } from '../../../lib/rules/evaluate';
import { RulesReport } from '../../../conformance/rules/judge-app';
import { renderRulesConsole, renderRulesJson } from '../../../conformance/report/rules-report';
import { displayWidth } from '../../../conformance/report/terminal';
import { unwrapped } from '../../fixtures/cli';

const rule = (id: string) => ALL_RULES.find((r) => r.id === id)!;
const ARN = 'arn:aws:rolesanywhere:eu-west-1:123456789012:trust-anchor/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b-with-a-suffix-longer-than-any-line';
/** A module address longer than any line's room: the one kind of name the table shortens. */
const LONG_RESOURCE = `module.platform_agents.module.deployers.aws_iam_role.${'very_long_deployer_role_name_'.repeat(3)}end`;

const verdicts: RuleVerdict[] = [
  { rule: rule('AG-AWS-005'), finding: { resource: 'Role', outcome: 'violation', message: 'Roles Anywhere sessions of Role last 43200 seconds, longer than the 3600 its privilege allows.', location: 'Properties/MaxSessionDuration' } },
  { rule: rule('AG-AWS-004'), finding: { resource: LONG_RESOURCE, outcome: 'unjudgeable', message: `The trust anchor ${ARN} is a parameter; its CA cannot be read at synth.`, location: '' } },
  {
    rule: rule('AG-AWS-007'),
    finding: { resource: 'Profile', outcome: 'violation', message: 'The profile lets the caller name the session.', location: '' },
    acknowledgement: { ruleId: 'AG-AWS-007', reason: 'session names are audited by the broker (SEC-7)', at: 'Stack/Profile', via: 'attestgate' },
  },
  {
    rule: rule('AG-AWS-001'),
    finding: { resource: 'Anchor', outcome: 'violation', message: 'The trust anchor admits any certificate of its CA.', location: '' },
    rejected: { acknowledgement: { ruleId: 'AG-AWS-001', reason: 'not needed at all', at: 'Stack/Anchor', via: 'attestgate' }, why: 'AG-AWS-001 is critical: its violations cannot be acknowledged, only fixed' },
  },
];
const REPORT: RulesReport = {
  inputs: [
    { stackName: 'Agents', file: 'infrastructure/deployments/production/eu-west-1/cdk.out/Agents.template.json', kind: 'cloudformation', readAs: 'CloudFormation template', verdicts },
    { stackName: 'empty', file: 'empty.tf.json', kind: 'terraform', readAs: 'Terraform JSON configuration', verdicts: [] },
  ],
  unmatchedAcknowledgements: [{ rule: 'AG-AWS-005', resource: 'aws_iam_role.gone', reason: 'was a migration window', at: 'acks.json acknowledgements[0]' }],
};

/** Every non-space character in order: what the table says, whatever its wrapping. */
const letters = (text: string) => text.replace(/\s+/g, '');

describe('renderRulesConsole', () => {
  test.each([80, 100])('at %i columns no line is wider, and nothing is lost but the middle of a resource too long for its line', (columns) => {
    const table = renderRulesConsole(REPORT, { columns, color: false });
    const lines = table.split('\n');
    expect(lines.filter((l) => displayWidth(l) > columns)).toEqual([]);
    // Each finding's verdict, resource and rule ID begin its first line.
    for (const head of ['  VIOLATION Role: [AG-AWS-005] ', '  ACKNOWLEDGED Profile: [AG-AWS-007] ', '  VIOLATION Anchor: [AG-AWS-001] ']) {
      expect(lines.filter((l) => l.startsWith(head))).toHaveLength(1);
    }
    const long = lines.find((l) => l.startsWith('  UNJUDGEABLE '))!;
    const shortened = /^ {2}UNJUDGEABLE (\S+): \[AG-AWS-004\]$/.exec(long)![1];
    expect(shortened).toContain('…');
    const [head, tail] = shortened.split('…');
    expect(LONG_RESOURCE.startsWith(head) && LONG_RESOURCE.endsWith(tail)).toBe(true);
    expect(head.length + tail.length).toBeGreaterThan(columns / 2);
    // Everything else is wrapped, never cut: each finding's whole line, the long ARN in pieces.
    for (const v of verdicts) {
      const resource = v.finding.resource === LONG_RESOURCE ? shortened : v.finding.resource;
      expect(letters(table)).toContain(letters(`${v.acknowledgement ? 'ACKNOWLEDGED' : v.finding.outcome === 'violation' ? 'VIOLATION' : 'UNJUDGEABLE'} ${resource}: ${formatVerdict(v)}`));
    }
    for (const text of [
      `Agents (CloudFormation template, ${REPORT.inputs[0].file}): 4 findings`,
      'empty (Terraform JSON configuration, empty.tf.json): no findings',
      'UNMATCHED acknowledgement of AG-AWS-005 on aws_iam_role.gone (acks.json acknowledgements[0]): no finding of that rule on that resource',
      '2 violations, 1 unjudgeable, 1 acknowledged',
      'open violations (exit 1)',
    ]) {
      expect(letters(table)).toContain(letters(text));
    }
  });

  test('wrapped lines hang under the line they continue; joined again, each finding is the one line CI logs are searched for', () => {
    const table = renderRulesConsole(REPORT, { columns: 80, color: false });
    const lines = table.split('\n');
    const at = lines.findIndex((l) => l.startsWith('  VIOLATION Role: '));
    const continuation = lines.slice(at + 1, lines.findIndex((l, i) => i > at && /^ {0,3}\S/.test(l)));
    expect(continuation.length).toBeGreaterThan(0);
    expect(continuation.every((l) => /^ {4}\S/.test(l))).toBe(true);
    expect(unwrapped(table).split('\n')).toContain(`  VIOLATION Role: ${formatVerdict(verdicts[0])}`);
  });

  test('a resource that fits is never shortened; the JSON keeps a shortened one whole', () => {
    expect(unwrapped(renderRulesConsole(REPORT, { columns: 300, color: false })).split('\n')).toContain(`  UNJUDGEABLE ${LONG_RESOURCE}: ${formatVerdict(verdicts[1])}`);
    expect(JSON.parse(renderRulesJson(REPORT)).inputs[0].findings.map((f: { resource: string }) => f.resource)).toContain(LONG_RESOURCE);
  });

  test('on a colour terminal the verdict is coloured, and its codes take no columns', () => {
    const table = renderRulesConsole(REPORT, { columns: 80, color: true });
    expect(table).toContain('  \x1b[31;1mVIOLATION\x1b[0m Role: [AG-AWS-005]');
    expect(table).toContain('  \x1b[33mUNJUDGEABLE\x1b[0m module.');
    expect(table.replace(/\x1b\[[0-9;]*m/g, '')).toBe(renderRulesConsole(REPORT, { columns: 80, color: false }));
  });
});
