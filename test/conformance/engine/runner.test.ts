import { Check, Verdict, fail, pass } from '../../../conformance/engine/check';
import { CheckResult } from '../../../conformance/engine/report';
import { GateRun, runGates, selectChecks } from '../../../conformance/engine/runner';
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

function check(id: string, run: () => Promise<Verdict>, tags: string[] = []): TestCheck {
  return { meta: checkMeta(id, tags), run };
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
        tags: ['cloud:aws', 'kind:negative'],
        durationMs: expect.any(Number),
        attempts: 0,
        evidence: { sent: 'request' },
      },
      expect.objectContaining({ checkId: 'AGC-AWS-002', status: 'FAIL', reason: 'issued' }),
    ]);
    expect('evidence' in results[1]).toBe(false);
  });

  test('a check that throws is INCONCLUSIVE, never PASS, and the next check still runs', async () => {
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
      ['AGC-AWS-002', 'PASS', 'denied'],
    ]);
  });

  test('attempts per check are the growth of the context counter while it ran', async () => {
    const context = { attempts: 0 };
    const spend = (n: number) => async () => {
      context.attempts += n;
      return pass('denied');
    };
    const results = await runGates([gate('S/A', [check('AGC-AWS-001', spend(1)), check('AGC-AWS-002', spend(3))], context)], {
      concurrency: 1,
      attemptsOf: (c) => (c as { attempts: number }).attempts,
    });
    expect(results.map((r) => r.attempts)).toEqual([1, 3]);
  });

  test('results come back in gate order, then check ID order, whatever order they finished in', async () => {
    // GIVEN two gates probed at once, the first held until the second has finished
    const slowGate = deferred();
    const finished: string[] = [];
    const runs = [
      gate('S/First', [
        check('AGC-AWS-003', async () => {
          await slowGate.promise;
          return pass('late');
        }),
        check('AGC-AWS-001', async () => pass('later')),
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
    expect(finished).toEqual(['S/Second AGC-AWS-001', 'S/First AGC-AWS-003', 'S/First AGC-AWS-001']);
    expect(summary(results)).toEqual(['S/First AGC-AWS-001 PASS', 'S/First AGC-AWS-003 PASS', 'S/Second AGC-AWS-001 PASS']);
  });

  test('checks of one gate run one after another, in the order given', async () => {
    const started: string[] = [];
    const record = (id: string) => async () => {
      started.push(id);
      return pass(id);
    };
    await runGates([gate('S/A', [check('AGC-AWS-001', record('AGC-AWS-001')), check('AGC-AWS-016', record('AGC-AWS-016')), check('AGC-AWS-002', record('AGC-AWS-002'))])], {
      concurrency: 4,
    });
    expect(started).toEqual(['AGC-AWS-001', 'AGC-AWS-016', 'AGC-AWS-002']);
  });

  test('an abort stops scheduling: the running check finishes, nothing after it starts, results so far are kept', async () => {
    const controller = new AbortController();
    const ran: string[] = [];
    const probe = (id: string, abort = false) => async () => {
      ran.push(id);
      if (abort) controller.abort();
      return pass(id);
    };
    const results = await runGates(
      [
        gate('S/A', [check('AGC-AWS-001', probe('A1')), check('AGC-AWS-002', probe('A2', true)), check('AGC-AWS-003', probe('A3'))]),
        gate('S/B', [check('AGC-AWS-001', probe('B1'))]),
      ],
      { concurrency: 1, signal: controller.signal },
    );
    expect(ran).toEqual(['A1', 'A2']);
    expect(summary(results)).toEqual(['S/A AGC-AWS-001 PASS', 'S/A AGC-AWS-002 PASS']);
  });

  test('an already aborted run runs nothing; a concurrency below 1 still runs', async () => {
    const controller = new AbortController();
    controller.abort();
    const never = jest.fn(async () => pass('ran'));
    expect(await runGates([gate('S/A', [check('AGC-AWS-001', never)])], { concurrency: 2, signal: controller.signal })).toEqual([]);
    expect(never).not.toHaveBeenCalled();
    expect(summary(await runGates([gate('S/A', [check('AGC-AWS-001', async () => pass('ran'))])], { concurrency: 0 }))).toEqual(['S/A AGC-AWS-001 PASS']);
  });
});
