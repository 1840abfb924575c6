/**
 * The one error type attestgate throws for bad input.
 *
 * Every message has the same four parts so that a CI log alone tells the user what to change:
 * where (the construct or model), the field, the bad value, and the fix.
 */
export class AttestGateError extends Error {
  /** The construct path or model name the bad input belongs to, e.g. `AgentIdentity 'deployer'`. */
  public readonly where: string;
  /** The field that holds the bad value, e.g. `spiffeId`. */
  public readonly field: string;
  /** The bad value, as the user gave it. */
  public readonly value: unknown;
  /** What to do instead. */
  public readonly fix: string;

  constructor(details: { where: string; field: string; value: unknown; problem: string; fix: string }) {
    super(`${details.where}: ${details.field} ${formatValue(details.value)} ${details.problem}. Fix: ${details.fix}`);
    this.name = 'AttestGateError';
    this.where = details.where;
    this.field = details.field;
    this.value = details.value;
    this.fix = details.fix;
  }
}

/** Renders a value for an error message: strings quoted, long values cut, objects as JSON. */
export function formatValue(value: unknown): string {
  let text: string;
  if (typeof value === 'string') {
    text = JSON.stringify(value);
  } else if (value === undefined) {
    text = '(unset)';
  } else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > 160 ? `${text.slice(0, 150)}…(${text.length} chars)` : text;
}
