import { AttestGateError } from '../core/errors';
import { STEP_UP_EVENT, StepUpEvent, StepUpOutcome, stepUpEvent } from './events';

/**
 * The step-up failure signal, defined once for every cloud's monitor: per verified identity and
 * period, the challenges it could not answer.
 *
 * An agent that answers a challenge makes two decisions on one operation — `step-up`, then
 * `allowed` — and nets zero there. A thief holding the agent's token but not its attestation
 * makes challenges (`step-up`, or `replayed` for a captured fresh token) that no success follows.
 * So, per identity: failures = Σ over operations of max(0, challenges − allowed), and the
 * identity alarms when its failures in one period reach the threshold. One failure — a network
 * error between the challenge and the retry, an agent stopped mid-way — does not.
 *
 * What it cannot see: the real agent's successes on an operation in the same period offset a
 * thief's failures on that operation, one for one (keep the period short); refusals of forged
 * or expired tokens carry no verified identity and are not counted (the issuance monitors watch
 * those).
 */

/** Decisions that count as a challenge the identity had to answer. */
export const STEP_UP_CHALLENGE_OUTCOMES: readonly StepUpOutcome[] = ['step-up', 'replayed'];

export interface StepUpFailureThreshold {
  /** Unanswered challenges in one period that raise the alarm (≥ 2: one failure never does). */
  readonly failures: number;
  readonly periodSeconds: number;
}

/** Three unanswered challenges in five minutes. */
export const DEFAULT_STEP_UP_FAILURE_THRESHOLD: StepUpFailureThreshold = { failures: 3, periodSeconds: 300 };

/** Checks a threshold (as the monitors take it); throws AttestGateError on a value that would alarm on one failure or never. */
export function checkFailureThreshold(threshold: StepUpFailureThreshold, where: string): StepUpFailureThreshold {
  if (!Number.isSafeInteger(threshold.failures) || threshold.failures < 2) {
    throw new AttestGateError({ where, field: 'threshold.failures', value: threshold.failures, problem: 'is not a whole number of at least 2', fix: 'alarm on a rising rate: 3 unanswered challenges is the default; one failure alone is noise' });
  }
  if (!Number.isSafeInteger(threshold.periodSeconds) || threshold.periodSeconds < 60 || threshold.periodSeconds > 3600 || threshold.periodSeconds % 60 !== 0) {
    throw new AttestGateError({ where, field: 'threshold.periodSeconds', value: threshold.periodSeconds, problem: 'is not a whole number of minutes from 1 to 60', fix: 'use a short period, e.g. 300: successes in the same period offset failures' });
  }
  return threshold;
}

/** One identity's signal over the period. */
export interface IdentityStepUpFailures {
  readonly identity: string;
  readonly challenges: number;
  /** Challenges answered: allowed decisions on the operations it was challenged on, at most one per challenge. */
  readonly completed: number;
  /** Challenges not answered. */
  readonly failures: number;
  readonly alarm: boolean;
}

/**
 * The signal over a stream of decision events, as the monitors compute it: for the period that
 * ends at `nowMs`, per verified identity. Identities without a challenge are left out.
 */
export function stepUpFailures(events: readonly StepUpEvent[], threshold: StepUpFailureThreshold = DEFAULT_STEP_UP_FAILURE_THRESHOLD, nowMs: number = Date.now()): IdentityStepUpFailures[] {
  checkFailureThreshold(threshold, 'stepUpFailures');
  const since = nowMs - threshold.periodSeconds * 1000;
  // identity → operation → counts
  const counts = new Map<string, Map<string, { challenges: number; allowed: number }>>();
  for (const event of events) {
    if (event.event !== STEP_UP_EVENT || event.identity === undefined) continue;
    const at = Date.parse(event.time);
    if (!(at > since && at <= nowMs)) continue;
    const challenge = STEP_UP_CHALLENGE_OUTCOMES.includes(event.outcome);
    if (!challenge && event.outcome !== 'allowed') continue;
    const operations = counts.get(event.identity) ?? new Map<string, { challenges: number; allowed: number }>();
    const c = operations.get(event.operation) ?? { challenges: 0, allowed: 0 };
    if (challenge) c.challenges++;
    else c.allowed++;
    operations.set(event.operation, c);
    counts.set(event.identity, operations);
  }
  const out: IdentityStepUpFailures[] = [];
  for (const [identity, operations] of counts) {
    let challenges = 0;
    let completed = 0;
    for (const c of operations.values()) {
      challenges += c.challenges;
      completed += Math.min(c.challenges, c.allowed);
    }
    if (challenges === 0) continue;
    const failures = challenges - completed;
    out.push({ identity, challenges, completed, failures, alarm: failures >= threshold.failures });
  }
  return out.sort((a, b) => b.failures - a.failures || a.identity.localeCompare(b.identity));
}

/** What a monitor of the signal must do, judged on decision events (the conformance advisories). */
export interface StepUpSignalScenario {
  readonly name: string;
  readonly events: readonly StepUpEvent[];
  /** Whether a sound monitor alarms for the identity on these events. */
  readonly alarms: boolean;
}

/**
 * Unanswered challenges that a sound monitor must alarm on: as many as a thief makes in a few
 * minutes, and more than any sensible threshold (the default is 3).
 */
export const JUDGED_FAILURES = 5;

/**
 * The three cases a step-up monitor is judged on, for one identity and operation, as the guard
 * writes them (same constructor): a thief's {@link JUDGED_FAILURES} unanswered challenges in one
 * minute (must alarm), one unanswered challenge (must not: a threshold of 1 is noise), and an
 * agent answering ten challenges (must not: the signal is unanswered challenges, not challenges).
 */
export function stepUpSignalScenarios(identity: string, operation: string, nowMs: number): StepUpSignalScenario[] {
  const at = (secondsAgo: number) => nowMs - secondsAgo * 1000;
  const fields = { operation, identity, issuer: 'https://issuer.example', requiredAcr: ['urn:attestgate:acr:attested-fresh'], maxAge: 60 };
  const challenge = (secondsAgo: number) =>
    stepUpEvent('step-up', 401, { ...fields, presentedAcr: 'urn:attestgate:acr:attested' }, 'the token was issued at another authentication level', at(secondsAgo));
  const allowed = (secondsAgo: number) => stepUpEvent('allowed', 200, { ...fields, presentedAcr: 'urn:attestgate:acr:attested-fresh', tokenAgeSeconds: 1 }, 'the token meets urn:attestgate:acr:attested-fresh', at(secondsAgo));
  return [
    { name: `${JUDGED_FAILURES} unanswered challenges`, events: Array.from({ length: JUDGED_FAILURES }, (_, i) => challenge(60 - i * 10)), alarms: true },
    { name: 'one unanswered challenge', events: [challenge(30)], alarms: false },
    { name: 'ten answered challenges', events: Array.from({ length: 10 }, (_, i) => [challenge(100 - i * 10), allowed(99 - i * 10)]).flat(), alarms: false },
  ];
}

/**
 * The longest time, in seconds, any of {@link stepUpSignalScenarios} spans from its first event
 * to its last: a monitor whose window is shorter never sees a scenario whole in one evaluation.
 */
export function stepUpScenarioSpanSeconds(): number {
  return Math.max(
    ...stepUpSignalScenarios('spiffe://span.invalid/agent', 'operation', 0).map(({ events }) => {
      const times = events.map((e) => Date.parse(e.time));
      return (Math.max(...times) - Math.min(...times)) / 1000;
    }),
  );
}

/**
 * Checks an identity or operation name a monitor writes into its filters (CloudWatch patterns,
 * Logging filters, KQL): a plain string, since a quote, backslash, `*` or control character
 * would change what the filter selects instead of naming one value.
 */
export function checkMonitoredName(value: unknown, where: string, field: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 512 || /["\\*\u0000-\u001f\u007f]/.test(value)) {
    throw new AttestGateError({
      where,
      field,
      value,
      problem: 'is not a name of 1 to 512 characters without quotes, backslashes, * or control characters',
      fix: 'give the verified identity exactly as the guard logs it (the token subject, e.g. a SPIFFE ID) and the operation names of the step-up policy',
    });
  }
  return value;
}

/** How a monitor fared on the scenarios of one identity, over the operations it may watch. */
export interface StepUpMonitorVerdict {
  /** Right on every scenario for some operation. */
  readonly sound: boolean;
  /** Fires on the thief's challenges for some operation, but also where it must not. */
  readonly laxOn: readonly string[];
}

/**
 * Judges a monitor of the signal on {@link stepUpSignalScenarios} for an identity, trying each
 * operation it may watch (read from its filter or query): `fires(events)` runs the cloud's own
 * evaluators on the events. Sound when, for some operation, it fires exactly where it must.
 */
export function judgeStepUpMonitor(identity: string, operations: readonly string[], nowMs: number, fires: (events: readonly StepUpEvent[]) => boolean): StepUpMonitorVerdict {
  const laxOn = new Set<string>();
  for (const operation of operations) {
    const verdicts = stepUpSignalScenarios(identity, operation, nowMs).map((s) => ({ s, fired: fires(s.events) }));
    const wrong = verdicts.filter((v) => v.fired !== v.s.alarms);
    if (wrong.length === 0) return { sound: true, laxOn: [] };
    if (verdicts.some((v) => v.s.alarms && v.fired)) wrong.forEach((v) => laxOn.add(v.s.name));
  }
  return { sound: false, laxOn: [...laxOn] };
}
