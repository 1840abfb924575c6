import { oneSubjectAdmitted } from '../../../lib/rules/gcp/ag-gcp-004-one-subject-admitted';
import { CheckResult } from '../../../conformance/engine/report';
import { CLEAN_SUBJECT_CASES, OPEN_SUBJECT_CASES, SubjectCase, subjectCaseConfiguration } from '../../fixtures/gcp-admitted-subjects';
import { probeGcpLocally, tfSource, writeIssuerKey } from '../../fixtures/gcp-conformance';
import { tfModel } from '../../fixtures/terraform';
import * as fs from 'node:fs';

/** Every case on one emulator, each in its own project; AGC-GCP-013's result per case. */
const CASES: ReadonlyArray<readonly [SubjectCase, 'open' | 'clean']> = [...OPEN_SUBJECT_CASES.map((c) => [c, 'open'] as const), ...CLEAN_SUBJECT_CASES.map((c) => [c, 'clean'] as const)];
let results: Map<string, CheckResult>;

beforeAll(async () => {
  const issuer = writeIssuerKey();
  const jwks = fs.readFileSync(issuer.jwksFile, 'utf8');
  const sources = CASES.map(([c], i) => tfSource(subjectCaseConfiguration(c, `subjects-${i}`, jwks), `case-${i}`));
  const run = await probeGcpLocally(sources, issuer.pkiDir, { tags: ['AGC-GCP-013'] });
  results = new Map(run.filter((r) => r.checkId === 'AGC-GCP-013').map((r) => [r.gate.split('/')[0], r]));
});

const resultOf = (c: SubjectCase) => results.get(`case-${CASES.findIndex(([x]) => x === c)}`)!;

describe('AG-GCP-004 and AGC-GCP-013: only the declared subject acts as a high-privilege service account', () => {
  // Rule and check agree: the rule refuses exactly what the check FAILs on the emulator, and accepts what it passes.
  test.each(OPEN_SUBJECT_CASES.map((c) => [c.what, c] as const))('refused by the rule, FAIL in the check: %s', (_what, c) => {
    const findings = oneSubjectAdmitted.evaluate(tfModel(subjectCaseConfiguration(c, 'p')));
    expect(findings).toEqual([expect.objectContaining({ resource: 'google_iam_workload_identity_pool_provider.spire', outcome: 'violation', location: 'attribute_condition' })]);
    expect(findings[0].message).toContain(JSON.stringify(c.admits));
    const result = resultOf(c);
    expect(result.status).toBe('FAIL');
    expect(result.reason).toContain(c.admits!);
  });

  test.each(CLEAN_SUBJECT_CASES.map((c) => [c.what, c] as const))('accepted by the rule, PASS in the check: %s', (_what, c) => {
    expect(oneSubjectAdmitted.evaluate(tfModel(subjectCaseConfiguration(c, 'p')))).toEqual([]);
    expect(resultOf(c)).toMatchObject({ status: 'PASS' });
  });

  test('the message names the declared subject, how each admitted one was derived, and the account', () => {
    const [finding] = oneSubjectAdmitted.evaluate(tfModel(subjectCaseConfiguration(OPEN_SUBJECT_CASES[2], 'p')));
    expect(finding.message).toBe(
      'Provider google_iam_workload_identity_pool_provider.spire admits 1 subject besides the declared "spiffe://prod.example/agent/deployer" that can act as high-privilege google_service_account.deployer: "spiffe://prod.example/agent/reviewer" (a value the condition compares the subject with).',
    );
  });

  test('a condition known only at apply on a provider that reaches a high-privilege account: unjudgeable, never clean', () => {
    const configuration = subjectCaseConfiguration(CLEAN_SUBJECT_CASES[0], 'p') as { resource: Record<string, Record<string, Record<string, unknown>>> };
    configuration.resource.google_iam_workload_identity_pool_provider.spire.attribute_condition = 'assertion.sub == "${var.spiffe_id}" && ${var.extra}';
    expect(oneSubjectAdmitted.evaluate(tfModel(configuration))).toEqual([expect.objectContaining({ outcome: 'unjudgeable' })]);
  });

  test('a variable inside a literal is one value whatever it is at apply: judged, and shown as the variable', () => {
    const pinned = subjectCaseConfiguration({ ...CLEAN_SUBJECT_CASES[0], condition: "assertion.sub == '${var.agent}'" }, 'p');
    expect(oneSubjectAdmitted.evaluate(tfModel(pinned))).toEqual([]);
    const wholePool = 'principalSet://iam.googleapis.com/${google_iam_workload_identity_pool.pool.name}/*';
    const second = subjectCaseConfiguration({ ...OPEN_SUBJECT_CASES[2], condition: "assertion.sub in ['${var.agent}', 'spiffe://prod.example/agent/reviewer']", members: [wholePool] }, 'p');
    const [finding] = oneSubjectAdmitted.evaluate(tfModel(second));
    expect(finding.message).toContain('besides the declared "${var.agent}"');
    expect(finding.message).toContain('"spiffe://prod.example/agent/reviewer" (a value the condition compares the subject with)');
  });

  test('a provider whose principals reach no high-privilege account is not searched', () => {
    const configuration = subjectCaseConfiguration(OPEN_SUBJECT_CASES[0], 'p') as { resource: Record<string, unknown> };
    delete configuration.resource.google_project_iam_member;
    expect(oneSubjectAdmitted.evaluate(tfModel(configuration))).toEqual([]);
  });
});
