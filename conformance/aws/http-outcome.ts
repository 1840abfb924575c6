import { Verdict, fail, inconclusive, pass } from '../engine/check';
import { AWS_THROTTLING_CODES } from '../../lib/model/aws/sts';
import { ExpectedDenial, HttpOutcome, notTheCloudsAnswer, throttlingNote } from '../engine/http-outcome';

/** The error code of an AWS error response: `x-amzn-ErrorType`, a JSON `__type`/`code`, or a Query-API `<Code>`. */
export function errorCodeOf(outcome: HttpOutcome): string | undefined {
  if (outcome.kind !== 'response') return undefined;
  const header = outcome.headers['x-amzn-errortype'];
  if (header) return header.split(':')[0];
  try {
    const json = JSON.parse(outcome.body) as { __type?: string; code?: string };
    const type = json.__type ?? json.code;
    if (type) return type.split('#').pop();
  } catch {
    const xml = /<Code>([^<]+)<\/Code>/.exec(outcome.body);
    if (xml) return xml[1];
  }
  return undefined;
}

export function errorMessageOf(outcome: HttpOutcome): string {
  if (outcome.kind !== 'response') return outcome.error;
  try {
    const json = JSON.parse(outcome.body) as { message?: string; Message?: string };
    return json.message ?? json.Message ?? outcome.body.slice(0, 300);
  } catch {
    return /<Message>([^<]*)<\/Message>/.exec(outcome.body)?.[1] ?? outcome.body.slice(0, 300);
  }
}

/** The service asked to slow down: a 429, or a throttling code under another status (STS: 400 `Throttling`). */
export function isThrottled(outcome: HttpOutcome): boolean {
  if (outcome.kind !== 'response') return false;
  const code = errorCodeOf(outcome);
  return outcome.status === 429 || (code !== undefined && AWS_THROTTLING_CODES.has(code));
}

/** Throttling, server errors and transport failures: worth retrying, never a verdict. */
export function isTransient(outcome: HttpOutcome): boolean {
  if (outcome.kind === 'network-error') return true;
  return isThrottled(outcome) || outcome.status >= 500;
}

/**
 * Whether a response issued credentials: any 2xx carrying them — CreateSession's `credentialSet`
 * with an access key, or STS's `Credentials` (XML or JSON). The status alone decides nothing: a lax endpoint
 * that answers 200 instead of 201 still handed them out.
 */
export function issuedCredentials(outcome: HttpOutcome): boolean {
  if (outcome.kind !== 'response' || outcome.status < 200 || outcome.status > 299) return false;
  if (/<Credentials>/.test(outcome.body)) return true;
  try {
    const json = JSON.parse(outcome.body) as { credentialSet?: Array<{ credentials?: { accessKeyId?: unknown } }>; Credentials?: { AccessKeyId?: unknown } };
    if (Array.isArray(json.credentialSet) && json.credentialSet.some((c) => typeof c?.credentials?.accessKeyId === 'string')) return true;
    return typeof json.Credentials?.AccessKeyId === 'string';
  } catch {
    return false;
  }
}

/**
 * Whether an answer is AWS's own: credentials, or an error with an AWS error code. An HTML page
 * of a proxy or firewall, an empty 400 or an unparseable 200 is not — it says nothing about the
 * gate, so it is never read as the gate's refusal.
 */
export function isAwsAnswer(outcome: HttpOutcome): boolean {
  return issuedCredentials(outcome) || errorCodeOf(outcome) !== undefined;
}

/** A short description of an outcome for reasons and evidence. */
export function describeOutcome(outcome: HttpOutcome): string {
  if (outcome.kind === 'network-error') return `network error: ${outcome.error}`;
  // Never the body: it holds the session's access key, secret and token, and this text goes into
  // reasons and the report's evidence (as GCP's and Entra's answers are described: what, not which).
  if (issuedCredentials(outcome)) return `${outcome.status}: credentials were issued`;
  return `${outcome.status}${errorCodeOf(outcome) ? ` ${errorCodeOf(outcome)}` : ''}: ${errorMessageOf(outcome).slice(0, 200)}`.trimEnd() + throttlingNote(outcome, isThrottled(outcome));
}

/**
 * Differential judgement of a negative probe: PASS only for the expected denial; FAIL when
 * credentials were issued; INCONCLUSIVE for anything else — throttling, 5xx, network errors, a
 * malformed request, a denial for another reason.
 */
export function judgeDenial(outcome: HttpOutcome, expected: ExpectedDenial, what: string): Verdict {
  const evidence = { received: describeOutcome(outcome), expected: `${expected.status} ${expected.code}${expected.message ? ` ${expected.message}` : ''}` };
  if (issuedCredentials(outcome)) return fail(`${what}: credentials were issued`, evidence);
  if (isTransient(outcome)) return inconclusive(`${what}: no verdict after retries (${describeOutcome(outcome)})`, evidence);
  if (outcome.kind === 'response' && outcome.status === expected.status && errorCodeOf(outcome) === expected.code) {
    const message = errorMessageOf(outcome);
    const note = expected.message && !expected.message.test(message) ? ` (message differs from the expected ${expected.message}: "${message.slice(0, 120)}")` : '';
    return pass(`${what}: denied with ${expected.status} ${expected.code}${note}`, evidence);
  }
  if (!isAwsAnswer(outcome)) return inconclusive(`${what}: ${notTheCloudsAnswer('AWS', describeOutcome(outcome), outcome)}`, evidence);
  return inconclusive(`${what}: denied, but not for the expected reason (${describeOutcome(outcome)})`, evidence);
}
