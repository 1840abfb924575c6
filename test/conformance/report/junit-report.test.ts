import { parse as parseJunit } from 'junit2json';
import { renderJunitReport } from '../../../conformance/report/junit-report';
import { checkResult, sampleReport } from '../../fixtures/reports';
import { XmlElement, parseXml } from '../../fixtures/xml';

/** The report as a CI system reads it: parsed strictly (parseXml throws on anything malformed). */
const parsed = (report = sampleReport()) => parseXml(renderJunitReport(report));
const suites = (root: XmlElement) => root.children.filter((c) => c.name === 'testsuite');
/** One test case, by check ID, within a gate's suite. */
function testCase(root: XmlElement, gate: string, checkId: string): XmlElement {
  const suite = suites(root).find((s) => s.attributes.name === gate);
  const found = suite?.children.find((c) => c.name === 'testcase' && c.attributes.name.startsWith(`${checkId} `));
  if (!found) throw new Error(`no test case ${checkId} in ${gate}`);
  return found;
}
/** What a test case holds besides its output: failure, error or skipped, with its attributes. */
const outcome = (c: XmlElement) => c.children.filter((e) => e.name !== 'system-out').map((e) => ({ [e.name]: e.attributes }));
const output = (c: XmlElement) => c.children.find((e) => e.name === 'system-out')?.text;

describe('renderJunitReport', () => {
  test('one suite per gate with one case per check, and totals for the run and each suite', () => {
    const xml = renderJunitReport(sampleReport());
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>/);
    const root = parseXml(xml);
    expect(root).toMatchObject({ name: 'testsuites', attributes: { name: 'attestgate conformance (local)', tests: '6', failures: '2', errors: '1', skipped: '1' } });
    expect(suites(root).map((s) => [s.attributes.name, s.attributes.tests, s.attributes.failures, s.attributes.errors, s.attributes.skipped, s.children.length])).toEqual([
      ['Stack/Deployer', '4', '1', '1', '1', 4],
      ['Stack/Reader', '2', '1', '0', '0', 2],
    ]);
  });

  test('a FAIL is a <failure>, an INCONCLUSIVE an <error>, a SKIPPED <skipped/>, a PASS none, each with its reason', () => {
    const root = parsed();
    expect(outcome(testCase(root, 'Stack/Deployer', 'AGC-AWS-002'))).toEqual([{ failure: { message: 'a rogue CA <same DN> & "friends" got credentials', type: 'FAIL' } }]);
    expect(outcome(testCase(root, 'Stack/Deployer', 'AGC-AWS-003'))).toEqual([{ error: { message: "no verdict after retries (429 ThrottlingException: Rate exceeded) — it's <unclear>", type: 'INCONCLUSIVE' } }]);
    const skipped = testCase(root, 'Stack/Deployer', 'AGC-AWS-006');
    expect(outcome(skipped)).toEqual([{ skipped: {} }]);
    expect(output(skipped)).toBe('no enabled CRL to revoke with');
    const passed = testCase(root, 'Stack/Reader', 'AGC-AWS-001');
    expect(outcome(passed)).toEqual([]);
    expect(output(passed)).toBe('the positive control got credentials');
  });

  test('test cases are named by check, classed by cloud and gate, timed in seconds, and name the file that declares the gate', () => {
    expect(testCase(parsed(), 'Stack/Reader', 'AGC-AWS-018').attributes).toEqual({
      classname: 'attestgate.aws.Stack/Reader',
      name: 'AGC-AWS-018 AGC-AWS-018 title',
      time: '1.5',
      file: 'cdk.out/Stack.template.json',
    });
    const endpoint = sampleReport({ gates: [{ id: 'DELETE /stacks', cloud: 'step-up', source: 'DELETE http://127.0.0.1:8080/stacks', privilege: 'high' }], results: [checkResult('DELETE /stacks', 'AGC-AWS-001', 'PASS', 'ok')] });
    expect(testCase(parsed(endpoint), 'DELETE /stacks', 'AGC-AWS-001').attributes.file).toBeUndefined();
  });

  test('a reason survives any characters: escaped in attributes, and unable to end the CDATA it is written in', () => {
    const reason = 'a ]]> b & <c> "d"';
    const root = parsed(sampleReport({ results: [checkResult('Stack/Deployer', 'AGC-AWS-001', 'PASS', reason), checkResult('Stack/Deployer', 'AGC-AWS-002', 'FAIL', reason)] }));
    expect(output(testCase(root, 'Stack/Deployer', 'AGC-AWS-001'))).toBe(reason);
    expect(outcome(testCase(root, 'Stack/Deployer', 'AGC-AWS-002'))).toEqual([{ failure: { message: reason, type: 'FAIL' } }]);
  });

  // The parse the tests above rely on must reject what a JUnit consumer would.
  test.each([
    ['<a><b></a></b>', /closes <b>/],
    ['<a x=1/>', /not quoted/],
    ['<a x="1" x="2"/>', /repeated/],
    ['<a x="<"/>', /raw </],
    ['<a>&nbsp;</a>', /unknown entity/],
    ['<a>b & c</a>', /bare &/],
    ['<a/><b/>', /after the root/],
    ['<a>', /not closed/],
  ])('the test parse rejects %s', (xml, error) => {
    expect(() => parseXml(xml)).toThrow(error);
  });
});

// What a JUnit consumer library makes of the report (junit2json over xml2js, as CI dashboards and
// test-report actions read JUnit): the counts, the outcome of each case and its reason.
describe('renderJunitReport read by junit2json', () => {
  test('the totals, one suite per gate, and each check with its outcome and reason', async () => {
    const read = await parseJunit(renderJunitReport(sampleReport()));
    expect(read).toMatchObject({ name: 'attestgate conformance (local)', tests: 6, failures: 2, errors: 1 });
    const suites = (read as { testsuite: { name: string; tests: number; failures: number; errors: number; skipped: number; testcase: Record<string, unknown>[] }[] }).testsuite;
    expect(suites.map((s) => [s.name, s.tests, s.failures, s.errors, s.skipped])).toEqual([
      ['Stack/Deployer', 4, 1, 1, 1],
      ['Stack/Reader', 2, 1, 0, 0],
    ]);
    const byCheck = Object.fromEntries(suites.flatMap((s) => s.testcase.map((c) => [`${s.name} ${String(c.name).split(' ')[0]}`, c])));
    expect(byCheck['Stack/Deployer AGC-AWS-002']).toMatchObject({ failure: [{ message: 'a rogue CA <same DN> & "friends" got credentials', type: 'FAIL' }] });
    expect(byCheck['Stack/Deployer AGC-AWS-003']).toMatchObject({ error: [{ message: "no verdict after retries (429 ThrottlingException: Rate exceeded) — it's <unclear>", type: 'INCONCLUSIVE' }] });
    // The builder writes <skipped/> without a message: the reason is the case's output.
    expect(byCheck['Stack/Deployer AGC-AWS-006']).toMatchObject({ skipped: [{}], 'system-out': ['no enabled CRL to revoke with'] });
    expect(byCheck['Stack/Reader AGC-AWS-001']).toMatchObject({ 'system-out': ['the positive control got credentials'] });
    expect(byCheck['Stack/Reader AGC-AWS-001']).not.toHaveProperty('failure');
    expect(byCheck['Stack/Reader AGC-AWS-001']).not.toHaveProperty('skipped');
  });
});
