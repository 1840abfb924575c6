import { Verdict, fail, inconclusive, pass } from '../engine/check';
import { type ExpectedDenial, type HttpOutcome, notTheCloudsAnswer, throttlingNote } from '../engine/http-outcome';

/**
 * The GCP-shaped counterpart of aws/http-outcome: error codes from the STS's OAuth bodies
 * (`{error, error_description}`) and from Google API bodies (`{error: {code, status, message}}`),
 * and the same differential judgement — PASS only for the expected denial, FAIL when a token was
 * issued, INCONCLUSIVE for everything else.
 */

export type { ExpectedDenial, HttpOutcome };

function bodyOf(outcome: HttpOutcome): Record<string, unknown> | undefined {
  if (outcome.kind !== 'response') return undefined;
  try {
    const json = JSON.parse(outcome.body) as unknown;
    return json !== null && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** `invalid_grant` (STS) or `PERMISSION_DENIED` (Google APIs); undefined when the body has neither. */
export function gcpErrorCodeOf(outcome: HttpOutcome): string | undefined {
  const error = bodyOf(outcome)?.error;
  if (typeof error === 'string') return error;
  if (error !== null && typeof error === 'object' && typeof (error as { status?: unknown }).status === 'string') return (error as { status: string }).status;
  return undefined;
}

export function gcpErrorMessageOf(outcome: HttpOutcome): string {
  if (outcome.kind !== 'response') return outcome.error;
  const body = bodyOf(outcome);
  if (typeof body?.error_description === 'string') return body.error_description;
  const error = body?.error as { message?: unknown } | undefined;
  if (error && typeof error === 'object' && typeof error.message === 'string') return error.message;
  return outcome.body.slice(0, 300);
}

/** A federated token (STS: `access_token`) or a service account token (IAM credentials: `accessToken`). */
export function issuedToken(outcome: HttpOutcome): string | undefined {
  // Any 2xx: a token handed out is handed out, whatever the status says.
  if (outcome.kind !== 'response' || outcome.status < 200 || outcome.status > 299) return undefined;
  const body = bodyOf(outcome);
  const token = body?.access_token ?? body?.accessToken;
  return typeof token === 'string' && token !== '' ? token : undefined;
}

/**
 * Whether an answer is Google's own: a token, or an error body of the STS (`{error}`) or of a
 * Google API (`{error: {status}}`). A proxy's HTML page, an empty 400 or an unparseable 200 is
 * not, and is never read as the gate's refusal.
 */
export function isGcpAnswer(outcome: HttpOutcome): boolean {
  return issuedToken(outcome) !== undefined || gcpErrorCodeOf(outcome) !== undefined;
}

const TRANSIENT_CODES = new Set(['RESOURCE_EXHAUSTED', 'UNAVAILABLE', 'INTERNAL', 'DEADLINE_EXCEEDED', 'temporarily_unavailable', 'server_error']);

/** Throttling, server errors and transport failures: worth retrying, never a verdict. */
export function isTransientGcp(outcome: HttpOutcome): boolean {
  if (outcome.kind === 'network-error') return true;
  const code = gcpErrorCodeOf(outcome);
  return outcome.status === 429 || outcome.status >= 500 || (code !== undefined && TRANSIENT_CODES.has(code));
}

/** A short description for reasons and evidence; never the token itself. */
export function describeGcpOutcome(outcome: HttpOutcome): string {
  if (outcome.kind === 'network-error') return `network error: ${outcome.error}`;
  if (issuedToken(outcome)) return `${outcome.status}: a token was issued`;
  const code = gcpErrorCodeOf(outcome);
  return `${outcome.status}${code ? ` ${code}` : ''}: ${gcpErrorMessageOf(outcome).slice(0, 200)}`.trimEnd() + throttlingNote(outcome);
}

/**
 * Differential judgement of a negative probe: PASS only for the expected status and error code
 * (the message is matched softly); FAIL when a token was issued; INCONCLUSIVE for anything else.
 */
export function judgeGcpDenial(outcome: HttpOutcome, expected: ExpectedDenial, what: string): Verdict {
  const evidence = { received: describeGcpOutcome(outcome), expected: `${expected.status} ${expected.code}${expected.message ? ` ${expected.message}` : ''}` };
  if (issuedToken(outcome)) return fail(`${what}: a token was issued`, evidence);
  if (isTransientGcp(outcome)) return inconclusive(`${what}: no verdict after retries (${describeGcpOutcome(outcome)})`, evidence);
  if (outcome.kind === 'response' && outcome.status === expected.status && gcpErrorCodeOf(outcome) === expected.code) {
    const message = gcpErrorMessageOf(outcome);
    const note = expected.message && !expected.message.test(message) ? ` (message differs from the expected ${expected.message}: "${message.slice(0, 120)}")` : '';
    return pass(`${what}: denied with ${expected.status} ${expected.code}${note}`, evidence);
  }
  if (!isGcpAnswer(outcome)) return inconclusive(`${what}: ${notTheCloudsAnswer('Google', describeGcpOutcome(outcome), outcome)}`, evidence);
  return inconclusive(`${what}: denied, but not for the expected reason (${describeGcpOutcome(outcome)})`, evidence);
}
