import { PassThrough } from 'node:stream';
import { DEPLOYER, MIGRATOR, runStepUpExample } from '../../../examples/step-up/main';

/** A stream the example writes to, as a terminal of `columns` when given one, and what it got. */
function output(columns?: number): { out: PassThrough; text: () => string } {
  const out = Object.assign(new PassThrough(), columns ? { isTTY: true, columns } : {});
  let text = '';
  out.on('data', (c) => (text += c));
  return { out, text: () => text };
}

const widest = (text: string) => Math.max(...text.split('\n').map((line) => [...line].length));

describe('examples/step-up', () => {
  test('the deployer is challenged, re-attests and destroys; the intruder cannot, and the signal alarms for its identity only', async () => {
    const { out, text: written } = output();
    const run = await runStepUpExample(out);
    // Not a terminal: 100 columns, continuation lines indented; read here as the one line each was.
    expect(widest(written())).toBeLessThanOrEqual(100);
    const text = written().replace(/\n {4,}/g, ' ');
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

  test('on a 60-column terminal every line of the narration and the table fits', async () => {
    const { out, text } = output(60);
    expect((await runStepUpExample(out)).exitCode).toBe(0);
    expect(widest(text())).toBeLessThanOrEqual(60);
    expect(text()).toContain('intruder as migrator: DELETE /stacks/prod → 401');
  });
});
