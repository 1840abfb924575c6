import { Check, CheckArea, CheckMeta, Verdict, inconclusive } from './check';
import { ProbeScope, runInProbeScope } from './probe-scope';
import { CheckResult } from './report';

/** A gate with the checks to run on it and the context they share. */
export interface GateRun<Gate, Context> {
  readonly id: string;
  readonly cloud: CheckArea;
  readonly gate: Gate;
  readonly context: Context;
  /** The checks to run, as `planChecks` orders them: the positive control first. */
  readonly checks: ReadonlyArray<Check<Gate, Context>>;
  /** The positive control the check filter excluded by name, if it did (`planChecks`). */
  readonly excludedControl?: string;
}

export interface RunOptions {
  /** How many gates are probed at once; checks of one gate run in order, the positive control first. */
  readonly concurrency: number;
  /**
   * Stops the run when aborted (SIGINT, SIGTERM): nothing new is sent, checks in flight are
   * abandoned, and every check that did not finish is INCONCLUSIVE "interrupted".
   */
  readonly signal?: AbortSignal;
  readonly onResult?: (result: CheckResult) => void;
  /**
   * The user's reason for running negative checks without their positive control (the filter
   * excluded it by name). Those checks stay INCONCLUSIVE, marked acknowledged with this reason,
   * and no longer make the run exit 2 on their own.
   */
  readonly allowUnproven?: string;
}

const CHECK_ID = /^AGC-[A-Z]+-\d{3}$/;

const isControl = (meta: CheckMeta) => meta.tags.includes('kind:positive');

interface CheckFilter {
  readonly ids: readonly string[];
  readonly tags: readonly string[];
  readonly excluded: readonly string[];
}

function parseFilter(filter: readonly string[]): CheckFilter {
  const excluded = filter.filter((t) => t.startsWith('!')).map((t) => t.slice(1));
  const included = filter.filter((t) => !t.startsWith('!'));
  return { ids: included.filter((t) => CHECK_ID.test(t)), tags: included.filter((t) => !CHECK_ID.test(t)), excluded };
}

const excludedBy = (meta: CheckMeta, filter: CheckFilter) => filter.excluded.some((t) => meta.tags.includes(t) || meta.id === t);

/**
 * Selects checks: check IDs given select those checks (any of them); tags must all be present;
 * `!tag` or `!ID` excludes. An empty filter selects every check.
 */
export function selectChecks<C extends { meta: CheckMeta }>(checks: readonly C[], filter: readonly string[]): C[] {
  const parsed = parseFilter(filter);
  return checks.filter((c) => (parsed.ids.length === 0 || parsed.ids.includes(c.meta.id)) && parsed.tags.every((t) => c.meta.tags.includes(t)) && !excludedBy(c.meta, parsed));
}

/** The checks a filter selects, completed with what proves them. */
export interface CheckPlan<C> {
  /** The checks to run: the positive control first, then the selected checks in catalogue order. */
  readonly checks: readonly C[];
  /** The positive control, when it runs only because selected checks need it. */
  readonly prerequisite?: string;
  /** The positive control, when the filter excluded it by name (`!ID`, `!kind:positive`). */
  readonly excludedControl?: string;
}

/**
 * Plans a run of a cloud's checks. A negative check proves something only next to a positive
 * control that succeeded in the same run, so the control runs whenever a selected check needs
 * it, whether or not the filter selected it (`--tags AGC-AWS-016` runs AGC-AWS-001 too). Only a
 * filter that names the control to exclude it leaves it out; its negatives then stay unproven.
 */
export function planChecks<C extends { meta: CheckMeta }>(checks: readonly C[], filter: readonly string[]): CheckPlan<C> {
  const selected = selectChecks(checks, filter);
  const control = checks.find((c) => isControl(c.meta));
  const needsControl = selected.some((c) => !isControl(c.meta));
  if (!control || selected.includes(control) || !needsControl) return { checks: selected };
  if (excludedBy(control.meta, parseFilter(filter))) return { checks: selected, excludedControl: control.meta.id };
  return { checks: [control, ...selected], prerequisite: control.meta.id };
}

/**
 * Why a negative check's PASS proves nothing, or undefined when it does: its gate's positive
 * control must have PASSed in the same run, against the same target. Anything else — skipped,
 * inconclusive, failed, excluded, absent — and a denial may have had any cause (a role that does
 * not exist, a proxy's refusal, a missing key).
 */
function unprovenBecause(control: CheckResult | undefined, excludedControl: string | undefined): string | undefined {
  if (control?.status === 'PASS') return undefined;
  if (!control) return excludedControl ? `its positive control ${excludedControl} was excluded by the check filter` : 'no positive control ran for this gate';
  return `its positive control ${control.checkId} did not pass in this run (${control.status}: ${control.reason})`;
}

/**
 * Runs every check of every gate. A check that throws is INCONCLUSIVE, never PASS; a negative
 * check's PASS stands only next to its gate's passing positive control (`unprovenBecause`).
 */
export async function runGates(runs: ReadonlyArray<GateRun<unknown, unknown>>, options: RunOptions): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  let closed = false;
  const record = (result: CheckResult) => {
    if (closed) return;
    results.push(result);
    options.onResult?.(result);
  };
  const queue = [...runs];
  // Requests of the checks in flight, for the results of an interrupted run.
  const inFlight = new Map<string, ProbeScope>();
  const worker = async () => {
    for (let run = queue.shift(); run && !options.signal?.aborted; run = queue.shift()) {
      let control: CheckResult | undefined;
      for (const check of controlFirst(run.checks).filter((c) => c.appliesTo?.(run.gate) ?? true)) {
        if (options.signal?.aborted || closed) return;
        const started = Date.now();
        const scope: ProbeScope = { requests: 0, label: `${check.meta.id} on ${run.id}`, shared: [], ...(options.signal ? { signal: options.signal } : {}) };
        inFlight.set(`${run.id}\n${check.meta.id}`, scope);
        let verdict: Verdict;
        try {
          verdict = await runInProbeScope(scope, () => check.run(run.gate, run.context));
        } catch (e) {
          verdict = inconclusive(`the probe failed: ${(e as Error).message}`);
        }
        if (options.signal?.aborted && verdict.status !== 'FAIL') verdict = inconclusive(`interrupted while this check ran (${verdict.status}: ${verdict.reason})`);
        let acknowledged: string | undefined = verdict.status === 'INCONCLUSIVE' ? verdict.acknowledged : undefined;
        if (!isControl(check.meta) && verdict.status === 'PASS') {
          const because = unprovenBecause(control, run.excludedControl);
          if (because) {
            if (!control && run.excludedControl && options.allowUnproven) acknowledged = options.allowUnproven;
            // The acknowledgement is in the reason too, so every report format shows it.
            verdict = inconclusive(`${verdict.reason}; but this proves nothing: ${because}${acknowledged ? ` (acknowledged: ${acknowledged})` : ''}`, { ...verdict.evidence, probeVerdict: 'PASS' });
          }
        }
        // A request the check reused (another check sent it: SharedRequests) is named in its
        // evidence, with who sent it and why the answer is the same.
        const evidence = scope.shared!.length > 0 ? { ...verdict.evidence, sharedRequests: scope.shared } : verdict.evidence;
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
          attempts: scope.requests,
          ...(evidence ? { evidence } : {}),
          ...(acknowledged ? { acknowledged } : {}),
        };
        if (isControl(check.meta)) control = result;
        inFlight.delete(`${run.id}\n${check.meta.id}`);
        record(result);
      }
    }
  };
  const workers = Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  // An interrupted run does not wait for checks in flight: the report must come within seconds.
  await Promise.race([workers, abortion(options.signal)]);
  closed = true;
  if (options.signal?.aborted) {
    const done = new Set(results.map((r) => `${r.gate}\n${r.checkId}`));
    for (const run of runs) {
      for (const check of run.checks) {
        const key = `${run.id}\n${check.meta.id}`;
        if (done.has(key)) continue;
        results.push({
          checkId: check.meta.id,
          title: check.meta.title,
          gate: run.id,
          cloud: run.cloud,
          status: 'INCONCLUSIVE',
          reason: 'interrupted: the run was stopped before this check finished',
          severity: check.meta.severity,
          tags: check.meta.tags,
          durationMs: 0,
          attempts: inFlight.get(key)?.requests ?? 0,
        });
      }
    }
  }
  // Report order does not depend on scheduling.
  const order = new Map(runs.map((r, i) => [r.id, i]));
  return results.sort((a, b) => order.get(a.gate)! - order.get(b.gate)! || a.checkId.localeCompare(b.checkId));
}

/** The checks in the order they run: the positive control first, whatever order they came in. */
function controlFirst<C extends { meta: CheckMeta }>(checks: readonly C[]): C[] {
  return [...checks.filter((c) => isControl(c.meta)), ...checks.filter((c) => !isControl(c.meta))];
}

/** Resolves when the signal aborts; never, without one. */
function abortion(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!signal) return;
    if (signal.aborted) return resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
