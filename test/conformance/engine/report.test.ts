import { exitCodeOf, summarize } from '../../../conformance/engine/report';
import { checkResult } from '../../fixtures/reports';

const result = (status: Parameters<typeof checkResult>[2]) => checkResult('Stack/Deployer', 'AGC-AWS-001', status, status);

describe('summarize', () => {
  test('counts every status, zero included', () => {
    expect(summarize([])).toEqual({ PASS: 0, FAIL: 0, INCONCLUSIVE: 0, SKIPPED: 0 });
    expect(summarize([result('PASS'), result('FAIL'), result('PASS'), result('SKIPPED')])).toEqual({ PASS: 2, FAIL: 1, INCONCLUSIVE: 0, SKIPPED: 1 });
  });
});

describe('exitCodeOf', () => {
  test('0 when nothing failed and nothing is unknown: passes and skips only, or no results', () => {
    expect(exitCodeOf({ results: [], interrupted: false })).toBe(0);
    expect(exitCodeOf({ results: [result('PASS'), result('SKIPPED')], interrupted: false })).toBe(0);
  });

  test('1 for any FAIL, whatever else happened', () => {
    expect(exitCodeOf({ results: [result('PASS'), result('FAIL')], interrupted: false })).toBe(1);
    expect(exitCodeOf({ results: [result('INCONCLUSIVE'), result('FAIL')], interrupted: false })).toBe(1);
    expect(exitCodeOf({ results: [result('FAIL')], interrupted: true })).toBe(1);
  });

  test('2 for INCONCLUSIVE without FAIL, and for an interrupted run', () => {
    expect(exitCodeOf({ results: [result('PASS'), result('INCONCLUSIVE')], interrupted: false })).toBe(2);
    expect(exitCodeOf({ results: [result('PASS')], interrupted: true })).toBe(2);
    expect(exitCodeOf({ results: [], interrupted: true })).toBe(2);
  });
});
