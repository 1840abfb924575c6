import { Check, CheckMeta, Cloud, Verdict, inconclusive } from './check';
import { CheckResult } from './report';

/** A gate with the checks to run on it and the context they share. */
export interface GateRun<Gate, Context> {
  readonly id: string;
  readonly cloud: Cloud;
  readonly gate: Gate;
  readonly context: Context;
  readonly checks: ReadonlyArray<Check<Gate, Context>>;
}

export interface RunOptions {
  /** How many gates are probed at once; checks of one gate run in order, the positive control first. */
  readonly concurrency: number;
  /** Stops scheduling new checks when aborted (SIGINT); results so far are kept. */
  readonly signal?: AbortSignal;
  readonly onResult?: (result: CheckResult) => void;
  /** Attempts made so far by a context, to report per-check attempts. */
  readonly attemptsOf?: (context: unknown) => number;
}

const CHECK_ID = /^AGC-[A-Z]+-\d{3}$/;

/**
 * Selects checks: check IDs given select those checks (any of them); tags must all be present;
 * `!tag` or `!ID` excludes. An empty filter selects every check.
 */
export function selectChecks<C extends { meta: CheckMeta }>(checks: readonly C[], filter: readonly string[]): C[] {
  const excluded = filter.filter((t) => t.startsWith('!')).map((t) => t.slice(1));
  const included = filter.filter((t) => !t.startsWith('!'));
  const ids = included.filter((t) => CHECK_ID.test(t));
  const tags = included.filter((t) => !CHECK_ID.test(t));
  return checks.filter(
    (c) =>
      (ids.length === 0 || ids.includes(c.meta.id)) &&
      tags.every((t) => c.meta.tags.includes(t)) &&
      !excluded.some((t) => c.meta.tags.includes(t) || c.meta.id === t),
  );
}

/** Runs every check of every gate; a check that throws is INCONCLUSIVE, never PASS. */
export async function runGates(runs: ReadonlyArray<GateRun<unknown, unknown>>, options: RunOptions): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const queue = [...runs];
  const worker = async () => {
    for (let run = queue.shift(); run; run = queue.shift()) {
      for (const check of run.checks) {
        if (options.signal?.aborted) return;
        const started = Date.now();
        const attemptsBefore = options.attemptsOf?.(run.context) ?? 0;
        let verdict: Verdict;
        try {
          verdict = await check.run(run.gate, run.context);
        } catch (e) {
          verdict = inconclusive(`the probe failed: ${(e as Error).message}`);
        }
        const result: CheckResult = {
          checkId: check.meta.id,
          title: check.meta.title,
          gate: run.id,
          cloud: run.cloud,
          status: verdict.status,
          reason: verdict.reason,
          severity: check.meta.severity,
          tags: check.meta.tags,
          durationMs: Date.now() - started,
          attempts: (options.attemptsOf?.(run.context) ?? 0) - attemptsBefore,
          ...(verdict.evidence ? { evidence: verdict.evidence } : {}),
        };
        results.push(result);
        options.onResult?.(result);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  // Report order does not depend on scheduling.
  const order = new Map(runs.map((r, i) => [r.id, i]));
  return results.sort((a, b) => order.get(a.gate)! - order.get(b.gate)! || a.checkId.localeCompare(b.checkId));
}
