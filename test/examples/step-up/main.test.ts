import { PassThrough } from 'node:stream';
import { DEPLOYER, MIGRATOR, runStepUpExample } from '../../../examples/step-up/main';

describe('examples/step-up', () => {
  test('the deployer is challenged, re-attests and destroys; the intruder cannot, and the signal alarms for its identity only', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (c) => (text += c));
    const run = await runStepUpExample(out);
    expect(text).toContain('deployer: DELETE /stacks/staging challenged (insufficient_user_authentication, acr_values="urn:attestgate:acr:attested-fresh", max_age=60); re-attested: retried');
    expect(text).toMatch(/deployer: DELETE \/stacks\/staging → 200 .*"existed":true/);
    expect(text.match(/intruder as migrator: DELETE \/stacks\/prod → 401 reattestation-failed/g)).toHaveLength(4);
    // prod survived the intruder; staging fell to the deployer, canary to the conformance control.
    expect(run.stacksLeft).toEqual(['prod']);
    expect(run.signal).toEqual([
      { identity: MIGRATOR, challenges: 4, completed: 0, failures: 4, alarm: true },
      { identity: DEPLOYER, challenges: 1, completed: 1, failures: 0, alarm: false },
    ]);
    expect(run.conformance.results.map((r) => `${r.checkId} ${r.status}`)).toEqual(['AGC-SU-001 PASS', 'AGC-SU-002 PASS', 'AGC-SU-003 PASS', 'AGC-SU-004 PASS', 'AGC-SU-005 PASS', 'AGC-SU-006 PASS', 'AGC-SU-007 PASS']);
    expect(run.exitCode).toBe(0);
  });
});
