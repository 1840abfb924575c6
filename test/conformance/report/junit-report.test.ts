import { renderJunitReport } from '../../../conformance/report/junit-report';
import { checkResult, sampleReport } from '../../fixtures/reports';

/** The XML of one test case, by check ID, within a gate's suite. */
function testCase(xml: string, gate: string, checkId: string): string {
  const suite = new RegExp(`<testsuite name="${gate}"[^>]*>([\\s\\S]*?)</testsuite>`).exec(xml)?.[1] ?? '';
  return new RegExp(`<testcase [^>]*name="${checkId} [^"]*"[^>]*>[\\s\\S]*?</testcase>`).exec(suite)?.[0] ?? '';
}

describe('renderJunitReport', () => {
  const xml = renderJunitReport(sampleReport());

  test('one suite per gate, with totals for the run and for each suite', () => {
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>/);
    expect(xml).toContain('<testsuites name="attestgate conformance (local)" tests="6" failures="2" errors="1" skipped="1">');
    expect(xml).toContain('<testsuite name="Stack/Deployer" tests="4" failures="1" errors="1" skipped="1">');
    expect(xml).toContain('<testsuite name="Stack/Reader" tests="2" failures="1" errors="0" skipped="0">');
  });

  test('a FAIL is a <failure>, an INCONCLUSIVE an <error>, a SKIPPED <skipped/>, a PASS neither', () => {
    expect(testCase(xml, 'Stack/Deployer', 'AGC-AWS-002')).toMatch(/<failure message="[^"]*" type="FAIL"\/>/);
    expect(testCase(xml, 'Stack/Deployer', 'AGC-AWS-003')).toMatch(/<error message="[^"]*" type="INCONCLUSIVE"\/>/);
    const skippedCase = testCase(xml, 'Stack/Deployer', 'AGC-AWS-006');
    expect(skippedCase).toContain('<skipped/>');
    expect(skippedCase).toContain('<system-out><![CDATA[no enabled CRL to revoke with]]></system-out>');
    const passed = testCase(xml, 'Stack/Reader', 'AGC-AWS-001');
    expect(passed).toContain('<system-out><![CDATA[the positive control got credentials]]></system-out>');
    expect(passed).not.toMatch(/<failure|<error|<skipped/);
  });

  test('test cases are named by check and classed by cloud and gate, with the duration in seconds', () => {
    expect(testCase(xml, 'Stack/Reader', 'AGC-AWS-018')).toMatch(/^<testcase classname="attestgate\.aws\.Stack\/Reader" name="AGC-AWS-018 AGC-AWS-018 title" time="1\.5">/);
  });

  test('XML special characters in reasons are escaped', () => {
    expect(testCase(xml, 'Stack/Deployer', 'AGC-AWS-002')).toContain('message="a rogue CA &lt;same DN> &amp; &quot;friends&quot; got credentials"');
    expect(testCase(xml, 'Stack/Deployer', 'AGC-AWS-003')).toContain("&lt;unclear>");
    // No attribute value holds a raw "<" or a bare "&".
    for (const [, value] of xml.matchAll(/="([^"]*)"/g)) expect(value).not.toMatch(/<|&(?!lt;|gt;|amp;|quot;|apos;)/);
    // A reason cannot end the CDATA section it is written in.
    const cdata = renderJunitReport(sampleReport({ results: [checkResult('Stack/Deployer', 'AGC-AWS-001', 'PASS', 'a ]]> b')] }));
    expect(cdata).toContain('<system-out><![CDATA[a ]]]]><![CDATA[> b]]></system-out>');
  });
});
