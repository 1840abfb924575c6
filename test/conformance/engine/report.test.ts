import { GateSummary, exitCodeOf, summarize, unprovenGates } from '../../../conformance/engine/report';
import { checkResult } from '../../fixtures/reports';

const result = (status: Parameters<typeof checkResult>[2], checkId = 'AGC-AWS-002') => checkResult('Stack/Deployer', checkId, status, status);
const gates: GateSummary[] = [{ id: 'Stack/Deployer', cloud: 'aws', source: 'Stack.template.json', privilege: 'high' }];

describe('summarize', () => {
  test('counts every status, zero included', () => {
    expect(summarize([])).toEqual({ PASS: 0, FAIL: 0, INCONCLUSIVE: 0, SKIPPED: 0 });
    expect(summarize([result('PASS'), result('FAIL'), result('PASS'), result('SKIPPED')])).toEqual({ PASS: 2, FAIL: 1, INCONCLUSIVE: 0, SKIPPED: 1 });
  });
});

describe('exitCodeOf', () => {
  test('0 when every gate is proven and nothing failed or is unknown', () => {
    expect(exitCodeOf({ gates, results: [result('PASS'), result('SKIPPED')], interrupted: false })).toBe(0);
  });

  test('1 for any FAIL, whatever else happened', () => {
    expect(exitCodeOf({ gates, results: [result('PASS'), result('FAIL')], interrupted: false })).toBe(1);
    expect(exitCodeOf({ gates, results: [result('INCONCLUSIVE'), result('FAIL')], interrupted: false })).toBe(1);
    expect(exitCodeOf({ gates, results: [result('FAIL')], interrupted: true })).toBe(1);
  });

  test('2 for INCONCLUSIVE without FAIL, and for an interrupted run', () => {
    expect(exitCodeOf({ gates, results: [result('PASS'), result('INCONCLUSIVE')], interrupted: false })).toBe(2);
    expect(exitCodeOf({ gates, results: [result('PASS')], interrupted: true })).toBe(2);
    expect(exitCodeOf({ gates, results: [], interrupted: true })).toBe(2);
  });

  test('2 when the run proved nothing: no gate, every check skipped, or the positive control skipped', () => {
    expect(exitCodeOf({ gates: [], results: [], interrupted: false })).toBe(2);
    expect(exitCodeOf({ gates, results: [result('SKIPPED'), result('SKIPPED')], interrupted: false })).toBe(2);
    const controlSkipped = { gates, results: [{ ...result('SKIPPED', 'AGC-AWS-001'), tags: ['kind:positive'] }, result('PASS')], interrupted: false };
    expect(exitCodeOf(controlSkipped)).toBe(2);
    expect(unprovenGates(controlSkipped)).toEqual([{ gate: 'Stack/Deployer', why: 'its positive control AGC-AWS-001 was skipped: SKIPPED' }]);
    expect(unprovenGates({ gates, results: [result('SKIPPED')] })).toEqual([{ gate: 'Stack/Deployer', why: 'no check passed or failed' }]);
  });
});
