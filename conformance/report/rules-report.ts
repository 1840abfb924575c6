import junit from 'junit-report-builder';
import type { Result } from 'sarif';
import { ALL_RULES } from '../../lib/rules/catalog';
import { RuleVerdict, formatVerdict } from '../../lib/rules/evaluate';
import { PACKAGE_VERSION } from '../../lib/packs/private/version';
import { RULES_OF, RulesReport, rulesExitCode } from '../rules/judge-app';
import { ResourceRegions, levelOf, partialFingerprints, renderSarifLog, sarifLocation, sarifRule } from './sarif';
import { COLOURS, DEFAULT_COLUMNS, TerminalOptions, displayWidth, hangingIndent, label, shortenMiddle, terminalOf } from './terminal';
import { RulesReportFormat, writeFormats } from './write-reports';
import type { FileAcknowledgement } from '../../lib/rules/acknowledgements-file';

/**
 * What `attestgate rules` writes: the same formats as conformance (table, JSON, JUnit, SARIF), so
 * a CI step over CloudFormation or Terraform without CDK gets the synth-time findings where its
 * conformance results go. An acknowledged finding is reported as such — in SARIF a suppressed
 * result with its justification — never dropped.
 */

const state = (v: RuleVerdict): 'open' | 'acknowledged' => (v.acknowledgement ? 'acknowledged' : 'open');

const unmatchedLine = (e: FileAcknowledgement): string => `UNMATCHED acknowledgement of ${e.rule} on ${e.resource} (${e.at}): no finding of that rule on that resource; remove it, or correct the rule ID or the resource address`;

/** The verdict words of the table, with the colour each takes on a terminal. */
const VERDICTS = { VIOLATION: COLOURS.open, UNJUDGEABLE: COLOURS.unproven, ACKNOWLEDGED: COLOURS.dim } as const;
/** Where a wrapped line of the table goes on: under its finding's text (findings are indented 2). */
const CONTINUATION = 4;
const HANG = CONTINUATION - 2;
const verdictWord = (v: RuleVerdict): keyof typeof VERDICTS => (v.acknowledgement ? 'ACKNOWLEDGED' : v.finding.outcome === 'violation' ? 'VIOLATION' : 'UNJUDGEABLE');

/**
 * A finding as one line of the table, `VIOLATION Role: [AG-AWS-005] message Fix: …`, wrapped to
 * `width` with its continuation lines hanging under it, so that joining them gives the line back
 * (CI logs are searched for it). The verdict, resource and rule ID always fit the first line: a
 * resource too long for it is shortened in the middle, both ends saying which one it is.
 */
function findingLines(verdict: RuleVerdict, options: TerminalOptions): string[] {
  const word = verdictWord(verdict);
  const rule = `: [${verdict.rule.id}]`;
  // The first line is as wide as the continuation lines' text (hangingIndent): the width less the hang.
  const resource = shortenMiddle(verdict.finding.resource, options.columns - HANG - displayWidth(`  ${word} ${rule}`));
  const [first, ...rest] = hangingIndent(`  ${word} ${resource}: ${formatVerdict(verdict)}`, options.columns, HANG);
  // Coloured after wrapping: the colour codes take no columns.
  return [first.replace(word, label(word, word.length, VERDICTS[word], options)), ...rest];
}

/**
 * The table for a person at a terminal or a CI log, within `columns` (as the conformance report):
 * per input a line, then a line per finding; a line too long goes on 4 columns in (`unwrapped` in
 * the tests joins them again). Only a resource too long for its line is
 * shortened, in the middle; JSON and SARIF keep it whole. Any other word longer than a line is cut
 * into pieces, never shortened.
 */
export function renderRulesConsole(report: RulesReport, options: TerminalOptions = { columns: DEFAULT_COLUMNS, color: false }): string {
  const width = options.columns;
  const lines: string[] = [];
  for (const input of report.inputs) {
    lines.push(...hangingIndent(`${input.stackName} (${input.readAs}, ${input.file}): ${input.verdicts.length === 0 ? 'no findings' : `${input.verdicts.length} finding${input.verdicts.length === 1 ? '' : 's'}`}`, width, CONTINUATION));
    for (const verdict of input.verdicts) lines.push(...findingLines(verdict, options));
  }
  const all = report.inputs.flatMap((i) => i.verdicts);
  const open = all.filter((v) => !v.acknowledgement);
  const violations = open.filter((v) => v.finding.outcome === 'violation').length;
  lines.push('');
  const code = rulesExitCode(report);
  for (const line of [
    `${report.inputs.length} input${report.inputs.length === 1 ? '' : 's'}, ${new Set(report.inputs.flatMap((i) => RULES_OF[i.kind])).size} rules: ${violations} violation${violations === 1 ? '' : 's'}, ${open.length - violations} unjudgeable, ${all.length - open.length} acknowledged`,
    ...(report.unmatchedAcknowledgements ?? []).map(unmatchedLine),
    code === 0 ? 'every rule holds (exit 0)' : code === 1 ? 'open violations (exit 1)' : 'no violation, but findings that cannot be judged before apply (exit 2)',
  ]) {
    lines.push(...hangingIndent(line, width, CONTINUATION));
  }
  return lines.join('\n');
}

export function renderRulesJson(report: RulesReport): string {
  const json = {
    tool: { name: 'attestgate', version: PACKAGE_VERSION },
    exitCode: rulesExitCode(report),
    inputs: report.inputs.map((input) => ({
      stackName: input.stackName,
      file: input.file,
      kind: input.kind,
      readAs: input.readAs,
      findings: input.verdicts.map((v) => ({
        ruleId: v.rule.id,
        severity: v.rule.severity,
        title: v.rule.title,
        resource: v.finding.resource,
        location: v.finding.location,
        outcome: v.finding.outcome,
        state: state(v),
        message: v.finding.message,
        fix: v.rule.fix,
        ...(v.acknowledgement ? { acknowledged: { reason: v.acknowledgement.reason, at: v.acknowledgement.at } } : {}),
        ...(v.rejected ? { acknowledgementRejected: { at: v.rejected.acknowledgement.at, why: v.rejected.why } } : {}),
      })),
    })),
    unmatchedAcknowledgements: (report.unmatchedAcknowledgements ?? []).map(({ rule, resource, reason, at }) => ({ rule, resource, reason, at })),
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}

/** JUnit: one suite per input, one case per rule — failed by its open violations, errored by open unjudgeable findings. */
export function renderRulesJunit(report: RulesReport): string {
  const builder = junit.newBuilder().name('attestgate rules');
  for (const input of report.inputs) {
    const suite = builder.testSuite().name(`${input.stackName} (${input.file})`);
    for (const rule of RULES_OF[input.kind]) {
      const verdicts = input.verdicts.filter((v) => v.rule.id === rule.id);
      const testCase = suite.testCase().className(`attestgate.rules.${rule.cloud}`).name(`${rule.id} ${rule.title}`);
      const open = verdicts.filter((v) => !v.acknowledgement);
      if (open.some((v) => v.finding.outcome === 'violation')) testCase.failure(open.map(formatVerdict).join('\n'), 'VIOLATION');
      else if (open.length > 0) testCase.error(open.map(formatVerdict).join('\n'), 'UNJUDGEABLE');
      else if (verdicts.length > 0) testCase.standardOutput(verdicts.map(formatVerdict).join('\n'));
    }
  }
  return builder.build();
}

export function renderRulesSarif(report: RulesReport): string {
  const rules = ALL_RULES.map((rule) =>
    sarifRule({ id: rule.id, title: rule.title, description: rule.rationale, help: [['Fix', rule.fix]], docs: 'RULES.md', severity: rule.severity, tags: [`cloud:${rule.cloud}`], version: PACKAGE_VERSION }),
  );
  const regions = new ResourceRegions();
  const results: Result[] = report.inputs.flatMap((input) =>
    input.verdicts.map((v) => {
      const resource = `${input.stackName}/${v.finding.resource}${v.finding.location ? `/${v.finding.location}` : ''}`;
      return {
        ruleId: v.rule.id,
        ruleIndex: ALL_RULES.findIndex((r) => r.id === v.rule.id),
        level: v.finding.outcome === 'violation' ? levelOf(v.rule.severity) : 'warning',
        kind: v.finding.outcome === 'violation' ? 'fail' : 'review',
        message: { text: `${v.finding.resource}: ${v.finding.message}` },
        locations: [sarifLocation(input.file, resource, regions.regionOf(input.file, v.finding.resource))],
        partialFingerprints: partialFingerprints(v.rule.id, resource),
        ...(v.acknowledgement ? { suppressions: [{ kind: 'external' as const, status: 'accepted' as const, justification: `${v.acknowledgement.reason} (at ${v.acknowledgement.at})` }] } : {}),
      };
    }),
  );
  // An acknowledgement that matches nothing is a configuration problem of the run, not a result.
  const invocations = [
    {
      executionSuccessful: true,
      toolConfigurationNotifications: (report.unmatchedAcknowledgements ?? []).map((e) => ({ level: 'warning' as const, message: { text: unmatchedLine(e) }, associatedRule: { id: e.rule } })),
    },
  ];
  return renderSarifLog(PACKAGE_VERSION, rules, results, { invocations });
}

const FILE_NAMES: Record<Exclude<RulesReportFormat, 'table'>, string> = { json: 'rules.json', junit: 'rules-junit.xml', sarif: 'rules.sarif' };

/**
 * Writes the rules report in the requested formats: the table to `out`, laid out for it (its
 * width and colour) unless `terminal` says otherwise, the others as files in `directory`; returns
 * the files written.
 */
export function writeRulesReports(report: RulesReport, formats: readonly RulesReportFormat[], directory: string, out: NodeJS.WritableStream, terminal: TerminalOptions = terminalOf(out)): string[] {
  const render = (format: RulesReportFormat): string =>
    format === 'table' ? renderRulesConsole(report, terminal) : format === 'json' ? renderRulesJson(report) : format === 'junit' ? renderRulesJunit(report) : renderRulesSarif(report);
  return writeFormats({ fileNames: FILE_NAMES, render }, formats, directory, out);
}
