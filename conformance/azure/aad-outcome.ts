import { HttpOutcome, notTheCloudsAnswer, throttlingNote } from '../engine/http-outcome';
import { Verdict, fail, inconclusive, pass } from '../engine/check';

/** The denial a negative probe must get from Entra: status, `error` and AADSTS code exactly; the description softly. */
export interface AadDenial {
  readonly status: number;
  readonly error: string;
  readonly code: number;
  /** Matched softly: a different description still passes, with a note. */
  readonly description?: RegExp;
}

/** The parts of an Entra error response, when the response is one. */
export interface AadError {
  readonly error?: string;
  /** `error_codes[0]`, else the number after `AADSTS` in the description. */
  readonly code?: number;
  readonly description: string;
}

export function aadErrorOf(outcome: HttpOutcome): AadError | undefined {
  if (outcome.kind !== 'response') return undefined;
  try {
    const json = JSON.parse(outcome.body) as { error?: unknown; error_description?: unknown; error_codes?: unknown };
    const description = typeof json.error_description === 'string' ? json.error_description : '';
    const listed = Array.isArray(json.error_codes) && typeof json.error_codes[0] === 'number' ? json.error_codes[0] : undefined;
    const prefixed = /^AADSTS(\d+):/.exec(description)?.[1];
    return { error: typeof json.error === 'string' ? json.error : undefined, code: listed ?? (prefixed ? Number(prefixed) : undefined), description };
  } catch {
    return { description: outcome.body.slice(0, 300) };
  }
}

/** The access token of a successful exchange, if the response carries one. */
export function accessTokenOf(outcome: HttpOutcome): string | undefined {
  // Any 2xx: a token handed out is handed out, whatever the status says.
  if (outcome.kind !== 'response' || outcome.status < 200 || outcome.status > 299) return undefined;
  try {
    const json = JSON.parse(outcome.body) as { access_token?: unknown };
    return typeof json.access_token === 'string' && json.access_token.length > 0 ? json.access_token : undefined;
  } catch {
    return undefined;
  }
}

export const issuedAccessToken = (outcome: HttpOutcome): boolean => accessTokenOf(outcome) !== undefined;

/**
 * Whether an answer is Entra's own: an access token, or an OAuth error body (`error`, and an
 * AADSTS code). A proxy's HTML page, an empty 400 or an unparseable 200 is not, and is never read
 * as the gate's refusal.
 */
export function isAadAnswer(outcome: HttpOutcome): boolean {
  const error = aadErrorOf(outcome);
  return issuedAccessToken(outcome) || (error?.error !== undefined && error.code !== undefined);
}

/** Throttling, server errors and transport failures: worth retrying, never a verdict. */
export function isTransientAad(outcome: HttpOutcome): boolean {
  if (outcome.kind === 'network-error') return true;
  return outcome.status === 429 || outcome.status >= 500 || aadErrorOf(outcome)?.error === 'temporarily_unavailable';
}

/** A short description of an outcome for reasons and evidence; never the access token. */
export function describeAadOutcome(outcome: HttpOutcome): string {
  if (outcome.kind === 'network-error') return `network error: ${outcome.error}`;
  if (issuedAccessToken(outcome)) return `${outcome.status}: an access token was issued`;
  const error = aadErrorOf(outcome);
  return `${outcome.status}${error?.error ? ` ${error.error}` : ''}${error?.code !== undefined ? ` AADSTS${error.code}` : ''}: ${(error?.description ?? '').replace(/^AADSTS\d+: /, '').slice(0, 200)}`.trimEnd() + throttlingNote(outcome);
}

const render = (d: AadDenial) => `${d.status} ${d.error} AADSTS${d.code}`;

/**
 * Differential judgement of a negative probe: PASS only for an expected denial (status, `error`
 * and AADSTS code all equal); FAIL when an access token was issued; INCONCLUSIVE for anything
 * else — throttling, 5xx, network errors, a denial for another reason.
 */
export function judgeAadDenial(outcome: HttpOutcome, expected: AadDenial | readonly AadDenial[], what: string): Verdict {
  const accepted = Array.isArray(expected) ? (expected as readonly AadDenial[]) : [expected as AadDenial];
  const evidence = { received: describeAadOutcome(outcome), expected: accepted.map(render).join(' or ') };
  if (issuedAccessToken(outcome)) return fail(`${what}: an access token was issued`, evidence);
  if (isTransientAad(outcome)) return inconclusive(`${what}: no verdict after retries (${describeAadOutcome(outcome)})`, evidence);
  const error = aadErrorOf(outcome);
  const match = outcome.kind === 'response' ? accepted.find((d) => d.status === outcome.status && d.error === error?.error && d.code === error?.code) : undefined;
  if (match && error) {
    const note = match.description && !match.description.test(error.description) ? ` (description differs from the expected ${match.description}: "${error.description.slice(0, 120)}")` : '';
    return pass(`${what}: denied with ${render(match)}${note}`, evidence);
  }
  if (!isAadAnswer(outcome)) return inconclusive(`${what}: ${notTheCloudsAnswer('Entra', describeAadOutcome(outcome), outcome)}`, evidence);
  return inconclusive(`${what}: denied, but not for the expected reason (${describeAadOutcome(outcome)})`, evidence);
}

/**
 * One verdict for several probes of a check: any FAIL fails it; else any INCONCLUSIVE; else PASS
 * (a probe that did not apply, SKIPPED, is reported but decides nothing unless all are).
 */
export function combineVerdicts(verdicts: readonly Verdict[]): Verdict {
  if (verdicts.length === 0) return inconclusive('no probe could be sent');
  const evidence = { probes: verdicts.map((v) => ({ status: v.status, reason: v.reason, ...v.evidence })) };
  const decisive = verdicts.some((v) => v.status !== 'SKIPPED') ? verdicts.filter((v) => v.status !== 'SKIPPED') : verdicts;
  for (const status of ['FAIL', 'INCONCLUSIVE', 'SKIPPED', 'PASS'] as const) {
    const found = decisive.filter((v) => v.status === status);
    if (found.length > 0) return { status, reason: found.map((v) => v.reason).join('; '), evidence };
  }
  return inconclusive('no probe could be sent');
}
