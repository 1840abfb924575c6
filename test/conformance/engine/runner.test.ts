import { Check, Verdict, fail, inconclusive, pass, skipped } from '../../../conformance/engine/check';
import { CheckResult } from '../../../conformance/engine/report';
import { withRetries } from '../../../conformance/engine/retry';
import { GateRun, planChecks, runGates, selectChecks } from '../../../conformance/engine/runner';
import { checkMeta } from '../../fixtures/reports';

const positive = { meta: { ...checkMeta('AGC-AWS-001'), tags: ['cloud:aws', 'kind:positive'] } };
const rogueCa = { meta: checkMeta('AGC-AWS-002', ['requires:ca-key', 'threat:rogue-ca']) };
const wrongCn = { meta: checkMeta('AGC-AWS-003', ['requires:ca-key']) };
const foreignAnchor = { meta: checkMeta('AGC-AWS-015', ['mutating']) };
const CHECKS = [positive, rogueCa, wrongCn, foreignAnchor];
const ids = (checks: ReadonlyArray<{ meta: { id: string } }>) => checks.map((c) => c.meta.id);

describe('selectChecks', () => {
  test('an empty filter selects every check, in order', () => {
    expect(ids(selectChecks(CHECKS, []))).toEqual(['AGC-AWS-001', 'AGC-AWS-002', 'AGC-AWS-003', 'AGC-AWS-015']);
  });

  test('check IDs are OR-ed', () => {
    expect(ids(selectChecks(CHECKS, ['AGC-AWS-003', 'AGC-AWS-001']))).toEqual(['AGC-AWS-001', 'AGC-AWS-003']);
  });

  test('tags are AND-ed', () => {
    expect(ids(selectChecks(CHECKS, ['kind:negative']))).toEqual(['AGC-AWS-002', 'AGC-AWS-003', 'AGC-AWS-015']);
    expect(ids(selectChecks(CHECKS, ['kind:negative', 'requires:ca-key']))).toEqual(['AGC-AWS-002', 'AGC-AWS-003']);
    expect(ids(selectChecks(CHECKS, ['requires:ca-key', 'threat:rogue-ca']))).toEqual(['AGC-AWS-002']);
    expect(ids(selectChecks(CHECKS, ['no-such-tag']))).toEqual([]);
  });

  test('IDs and tags together: the IDs, narrowed by every tag', () => {
    expect(ids(selectChecks(CHECKS, ['AGC-AWS-001', 'AGC-AWS-002', 'AGC-AWS-015', 'kind:negative']))).toEqual(['AGC-AWS-002', 'AGC-AWS-015']);
  });

  test('"!" excludes by tag or by ID', () => {
    expect(ids(selectChecks(CHECKS, ['!mutating']))).toEqual(['AGC-AWS-001', 'AGC-AWS-002', 'AGC-AWS-003']);
    expect(ids(selectChecks(CHECKS, ['kind:negative', '!AGC-AWS-002']))).toEqual(['AGC-AWS-003', 'AGC-AWS-015']);
    expect(ids(selectChecks(CHECKS, ['AGC-AWS-003', '!AGC-AWS-003']))).toEqual([]);
  });
});

type TestCheck = Check<unknown, unknown>;

/** A check; AGC-…-001 is the positive control, as in every cloud's catalogue. */
function check(id: string, run: () => Promise<Verdict>, tags: string[] = []): TestCheck {
  const meta = checkMeta(id, tags.filter((t) => t !== 'kind:positive'));
  return { meta: id.endsWith('-001') ? { ...meta, tags: meta.tags.map((t) => (t === 'kind:negative' ? 'kind:positive' : t)) } : meta, run };
}

function gate(id: string, checks: TestCheck[], context: unknown = {}): GateRun<unknown, unknown> {
  return { id, cloud: 'aws', gate: { name: id }, context, checks };
}

/** A promise a test resolves when it chooses: scheduling made explicit, no timers. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const summary = (results: readonly CheckResult[]) => results.map((r) => `${r.gate} ${r.checkId} ${r.status}`);

describe('runGates', () => {
  test('runs every check of every gate; results carry the check metadata and verdict', async () => {
    const results = await runGates([gate('S/A', [check('AGC-AWS-001', async () => pass('ok', { sent: 'request' })), check('AGC-AWS-002', async () => fail('issued'))], { attempts: 0 })], {
      concurrency: 1,
    });
    expect(results).toEqual([
      {
        checkId: 'AGC-AWS-001',
        title: 'AGC-AWS-001 title',
        gate: 'S/A',
        cloud: 'aws',
        status: 'PASS',
        reason: 'ok',
        severity: 'high',
        tags: ['cloud:aws', 'kind:positive'],
        durationMs: expect.any(Number),
        attempts: 0,
        evidence: { sent: 'request' },
      },
      expect.objectContaining({ checkId: 'AGC-AWS-002', status: 'FAIL', reason: 'issued' }),
    ]);
    expect('evidence' in results[1]).toBe(false);
  });

  test('a check that throws is INCONCLUSIVE, never PASS, and the next check still runs (unproven without its control)', async () => {
    const results = await runGates(
      [
        gate('S/A', [
          check('AGC-AWS-001', async () => {
            throw new Error('socket hang up');
          }),
          check('AGC-AWS-002', async () => pass('denied')),
        ]),
      ],
      { concurrency: 1 },
    );
    expect(results.map((r) => [r.checkId, r.status, r.reason])).toEqual([
      ['AGC-AWS-001', 'INCONCLUSIVE', 'the probe failed: socket hang up'],
      ['AGC-AWS-002', 'INCONCLUSIVE', 'denied; but this proves nothing: its positive control AGC-AWS-001 did not pass in this run (INCONCLUSIVE: the probe failed: socket hang up)'],
    ]);
  });

  test('attempts are the requests each check sent, even when checks of several gates run at once', async () => {
    // GIVEN two gates probed at once, their requests interleaved through one shared context
    const firstSent = deferred();
    const send = (answer: string) => () => Promise.resolve(answer);
    const runs = [
      gate('S/A', [
        check('AGC-AWS-001', async () => {
          await withRetries(send('busy'), (r) => r === 'busy', { attempts: 3, baseDelayMs: 0, maxDelayMs: 0 });
          firstSent.resolve();
          return pass('issued');
        }, ['kind:positive']),
      ]),
      gate('S/B', [
        check('AGC-AWS-001', async () => {
          await firstSent.promise;
          await withRetries(send('issued'), () => false);
          return pass('issued');
        }, ['kind:positive']),
      ]),
    ];
    const results = await runGates(runs, { concurrency: 2 });
    expect(results.map((r) => `${r.gate} ${r.attempts}`)).toEqual(['S/A 3', 'S/B 1']);
  });

  test('results come back in gate order, then check ID order, whatever order they finished in', async () => {
    // GIVEN two gates probed at once, the first held until the second has finished
    const slowGate = deferred();
    const finished: string[] = [];
    const runs = [
      gate('S/First', [
        check('AGC-AWS-001', async () => {
          await slowGate.promise;
          return pass('late');
        }),
        check('AGC-AWS-003', async () => pass('later')),
      ]),
      gate('S/Second', [check('AGC-AWS-001', async () => pass('early'))]),
    ];

    // WHEN they run with concurrency 2
    const results = await runGates(runs, {
      concurrency: 2,
      onResult: (r) => {
        finished.push(`${r.gate} ${r.checkId}`);
        if (r.gate === 'S/Second') slowGate.resolve();
      },
    });

    // THEN onResult saw completion order, and the report is sorted
    expect(finished).toEqual(['S/Second AGC-AWS-001', 'S/First AGC-AWS-001', 'S/First AGC-AWS-003']);
    expect(summary(results)).toEqual(['S/First AGC-AWS-001 PASS', 'S/First AGC-AWS-003 PASS', 'S/Second AGC-AWS-001 PASS']);
  });

  test('checks of one gate run one after another, the positive control first, then in the order given', async () => {
    const started: string[] = [];
    const record = (id: string) => async () => {
      started.push(id);
      return pass(id);
    };
    await runGates([gate('S/A', [check('AGC-AWS-016', record('AGC-AWS-016')), check('AGC-AWS-001', record('AGC-AWS-001')), check('AGC-AWS-002', record('AGC-AWS-002'))])], {
      concurrency: 4,
    });
    expect(started).toEqual(['AGC-AWS-001', 'AGC-AWS-016', 'AGC-AWS-002']);
  });

  test('an abort stops the run at once: checks in flight and not yet run are INCONCLUSIVE "interrupted", results so far are kept', async () => {
    const controller = new AbortController();
    const ran: string[] = [];
    const never = new Promise<Verdict>(() => undefined);
    const probe = (id: string, abort = false) => async () => {
      ran.push(id);
      if (abort) {
        controller.abort();
        // A request that never answers: the run must not wait for it.
        return never;
      }
      return pass(id);
    };
    const results = await runGates(
      [
        gate('S/A', [check('AGC-AWS-001', probe('A1'), ['kind:positive']), check('AGC-AWS-002', probe('A2', true)), check('AGC-AWS-003', probe('A3'))]),
        gate('S/B', [check('AGC-AWS-001', probe('B1'), ['kind:positive'])]),
      ],
      { concurrency: 1, signal: controller.signal },
    );
    expect(ran).toEqual(['A1', 'A2']);
    expect(summary(results)).toEqual(['S/A AGC-AWS-001 PASS', 'S/A AGC-AWS-002 INCONCLUSIVE', 'S/A AGC-AWS-003 INCONCLUSIVE', 'S/B AGC-AWS-001 INCONCLUSIVE']);
    expect(results.filter((r) => r.status === 'INCONCLUSIVE').every((r) => r.reason.startsWith('interrupted'))).toBe(true);
  });

  test('a check that finishes after the abort is INCONCLUSIVE, unless it found credentials issued (FAIL)', async () => {
    const controller = new AbortController();
    const results = await runGates(
      [
        gate('S/A', [
          check('AGC-AWS-001', async () => pass('issued'), ['kind:positive']),
          check('AGC-AWS-002', async () => {
            controller.abort();
            return fail('credentials were issued');
          }),
        ]),
      ],
      { concurrency: 1, signal: controller.signal },
    );
    expect(summary(results)).toEqual(['S/A AGC-AWS-001 PASS', 'S/A AGC-AWS-002 FAIL']);
  });

  test('a retry waiting when the run is interrupted sends nothing more', async () => {
    const controller = new AbortController();
    const attempt = jest.fn(async () => {
      controller.abort();
      return 'busy';
    });
    const results = await runGates(
      [gate('S/A', [check('AGC-AWS-001', async () => ((await withRetries(attempt, () => true, { attempts: 4, baseDelayMs: 10_000, maxDelayMs: 10_000 })).result === 'busy' ? fail('x') : pass('y')), ['kind:positive'])])],
      { concurrency: 1, signal: controller.signal },
    );
    expect(attempt).toHaveBeenCalledTimes(1);
    expect(results[0]).toMatchObject({ status: 'INCONCLUSIVE', attempts: 1 });
  });

  test('an already aborted run runs nothing; a concurrency below 1 still runs', async () => {
    const controller = new AbortController();
    controller.abort();
    const never = jest.fn(async () => pass('ran'));
    expect(summary(await runGates([gate('S/A', [check('AGC-AWS-001', never, ['kind:positive'])])], { concurrency: 2, signal: controller.signal }))).toEqual(['S/A AGC-AWS-001 INCONCLUSIVE']);
    expect(never).not.toHaveBeenCalled();
    expect(summary(await runGates([gate('S/A', [check('AGC-AWS-001', async () => pass('ran'), ['kind:positive'])])], { concurrency: 0 }))).toEqual(['S/A AGC-AWS-001 PASS']);
  });
});

describe('planChecks', () => {
  test('the positive control runs first whenever a selected check needs it, selected or not', () => {
    expect(planChecks(CHECKS, ['AGC-AWS-003'])).toEqual({ checks: [positive, wrongCn], prerequisite: 'AGC-AWS-001' });
    expect(planChecks(CHECKS, ['kind:negative', 'requires:ca-key'])).toEqual({ checks: [positive, rogueCa, wrongCn], prerequisite: 'AGC-AWS-001' });
    expect(planChecks(CHECKS, [])).toEqual({ checks: CHECKS });
    expect(planChecks(CHECKS, ['AGC-AWS-001'])).toEqual({ checks: [positive] });
  });

  test('only a filter that names the control to exclude it leaves it out, and says so', () => {
    expect(planChecks(CHECKS, ['!kind:positive'])).toEqual({ checks: [rogueCa, wrongCn, foreignAnchor], excludedControl: 'AGC-AWS-001' });
    expect(planChecks(CHECKS, ['AGC-AWS-002', '!AGC-AWS-001'])).toEqual({ checks: [rogueCa], excludedControl: 'AGC-AWS-001' });
  });

  test('a filter that selects nothing plans nothing', () => {
    expect(planChecks(CHECKS, ['no-such-tag'])).toEqual({ checks: [] });
  });
});

describe('a negative check proves something only next to its own gate\'s passing positive control', () => {
  const control = (verdict: () => Promise<Verdict>) => check('AGC-AWS-001', verdict, ['kind:positive']);
  const denied = check('AGC-AWS-016', async () => pass('denied with 403 AccessDenied', { received: '403 AccessDenied' }));

  test.each([
    ['INCONCLUSIVE', async () => inconclusive('no verdict after retries (503)')],
    ['FAIL', async () => fail('the gate refuses its own correctly attested identity')],
    ['SKIPPED', async () => skipped('no CA key for this trust anchor in --pki')],
  ])('a control that is %s turns the PASS into INCONCLUSIVE, naming the control', async (status, verdict) => {
    const [, result] = await runGates([gate('S/A', [control(verdict), denied])], { concurrency: 1 });
    expect(result.status).toBe('INCONCLUSIVE');
    expect(result.reason).toContain(`denied with 403 AccessDenied; but this proves nothing: its positive control AGC-AWS-001 did not pass in this run (${status}:`);
    expect(result.evidence).toEqual({ received: '403 AccessDenied', probeVerdict: 'PASS' });
  });

  test('a control of another gate does not count', async () => {
    const results = await runGates([gate('S/A', [control(async () => pass('issued'))]), gate('S/B', [denied])], { concurrency: 1 });
    expect(summary(results)).toEqual(['S/A AGC-AWS-001 PASS', 'S/B AGC-AWS-016 INCONCLUSIVE']);
    expect(results[1].reason).toContain('no positive control ran for this gate');
  });

  test('a passing control lets the PASS stand; FAIL, SKIPPED and INCONCLUSIVE are never changed', async () => {
    const results = await runGates(
      [
        gate('S/A', [control(async () => pass('issued')), denied]),
        gate('S/B', [control(async () => inconclusive('503')), check('AGC-AWS-002', async () => fail('credentials were issued')), check('AGC-AWS-003', async () => skipped('no CRL'))]),
      ],
      { concurrency: 1 },
    );
    expect(summary(results)).toEqual(['S/A AGC-AWS-001 PASS', 'S/A AGC-AWS-016 PASS', 'S/B AGC-AWS-001 INCONCLUSIVE', 'S/B AGC-AWS-002 FAIL', 'S/B AGC-AWS-003 SKIPPED']);
  });

  test('an excluded control leaves its negatives INCONCLUSIVE; acknowledged only with the user\'s reason', async () => {
    const [plain] = await runGates([{ ...gate('S/A', [denied]), excludedControl: 'AGC-AWS-001' }], { concurrency: 1 });
    expect(plain).toMatchObject({ status: 'INCONCLUSIVE' });
    expect(plain.reason).toContain('its positive control AGC-AWS-001 was excluded by the check filter');
    expect(plain.acknowledged).toBeUndefined();
    const [acknowledged] = await runGates([{ ...gate('S/A', [denied]), excludedControl: 'AGC-AWS-001' }], { concurrency: 1, allowUnproven: 'no CA key on this runner' });
    expect(acknowledged).toMatchObject({ status: 'INCONCLUSIVE', acknowledged: 'no CA key on this runner' });
    expect(acknowledged.reason).toMatch(/excluded by the check filter \(acknowledged: no CA key on this runner\)$/);
  });
});
