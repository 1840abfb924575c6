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
const control = (status: Parameters<typeof checkResult>[2]) => ({ ...result(status, 'AGC-AWS-001'), tags: ['kind:positive'] });

  test('0 when every gate is proven and nothing failed or is unknown', () => {
    expect(exitCodeOf({ gates, results: [control('PASS'), result('PASS'), result('SKIPPED')], interrupted: false })).toBe(0);
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
    const controlSkipped = { gates, results: [control('SKIPPED'), result('PASS')], interrupted: false };
    expect(exitCodeOf(controlSkipped)).toBe(2);
    expect(unprovenGates(controlSkipped)).toEqual([{ gate: 'Stack/Deployer', why: 'its positive control AGC-AWS-001 was SKIPPED: SKIPPED', acknowledged: false }]);
    expect(unprovenGates({ gates, results: [result('SKIPPED')] })).toEqual([{ gate: 'Stack/Deployer', why: 'its positive control did not run', acknowledged: false }]);
    expect(unprovenGates({ gates, results: [] })).toEqual([{ gate: 'Stack/Deployer', why: 'no check ran', acknowledged: false }]);
  });

  test('2 when a gate passed checks but no positive control ran', () => {
    const noControl = { gates, results: [result('PASS')], interrupted: false };
    expect(exitCodeOf(noControl)).toBe(2);
    expect(unprovenGates(noControl)).toEqual([{ gate: 'Stack/Deployer', why: 'its positive control did not run', acknowledged: false }]);
  });

  test('unproven results the user asked for by name (acknowledged) do not make it 2; anything else still does', () => {
    const acknowledged = { ...result('INCONCLUSIVE'), acknowledged: 'no CA key on this runner' };
    expect(exitCodeOf({ gates, results: [acknowledged, result('SKIPPED')], interrupted: false })).toBe(0);
    expect(unprovenGates({ gates, results: [acknowledged] })).toEqual([{ gate: 'Stack/Deployer', why: 'its positive control did not run', acknowledged: true }]);
    expect(exitCodeOf({ gates, results: [acknowledged, result('INCONCLUSIVE')], interrupted: false })).toBe(2);
    expect(exitCodeOf({ gates, results: [acknowledged], interrupted: true })).toBe(2);
    expect(exitCodeOf({ gates, results: [acknowledged, result('FAIL')], interrupted: false })).toBe(1);
  });
});
