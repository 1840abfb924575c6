/**
 * Secrets out of what a report shows people: evidence, reasons and details may quote what a cloud
 * answered, and an answer to a probe that got through carries credentials. What looks like a
 * token, a session credential, a private key or an assertion is replaced by `[redacted]`.
 *
 * Narrower than the CreateSession error's body excerpt (lib/credentials), which redacts every run
 * of 40 base64 characters: a report's text is mostly the configuration's own names — Terraform
 * addresses, logical IDs, ARNs — that such a rule would blank out. Here a run of 32 or more is
 * a secret only when it looks random (looksRandom); everything with a known shape (JWTs, PEM keys, AWS key IDs, Google access tokens,
 * secret-named fields and parameters, Authorization headers) is redacted whatever its length.
 */

export const REDACTED = '[redacted]';

/** Field names whose values are secrets: JSON keys, XML elements, evidence keys. */
const SECRET_NAME = /secret|token|password|passphrase|credential|private|assertion|signature|authorization|cookie|session|accesskey|apikey/i;
const SECRET_NAME_SOURCE = String.raw`[\w-]*(?:secret|token|password|passphrase|credential|private|assertion|signature|authorization|cookie|session|accesskey|apikey)[\w-]*`;

const TEXT_REDACTIONS: ReadonlyArray<readonly [RegExp, string]> = [
  // A PEM private key, whole (an unterminated one to the end).
  [/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g, REDACTED],
  // A JWS or JWE in compact form: a JWT, an OIDC assertion, an Entra access token.
  [/\beyJ[A-Za-z0-9_-]{2,}(?:\.[A-Za-z0-9_-]*){2,4}/g, REDACTED],
  // JSON fields named like secrets: `"sessionToken": "…"`; an object or a number as its value too.
  [new RegExp(String.raw`("${SECRET_NAME_SOURCE}"\s*:\s*)(?:"(?:[^"\\]|\\.)*"?|\{[^}]*\}?|[^\s,}\]]+)`, 'gi'), `$1"${REDACTED}"`],
  // XML elements named like secrets: `<SessionToken>…</SessionToken>`.
  [new RegExp(String.raw`(<(${SECRET_NAME_SOURCE})>)[^<]*`, 'gi'), `$1${REDACTED}`],
  // Form and query parameters, and `name: value` / `name=value` in prose, of secret names.
  [new RegExp(String.raw`(\b(?:${SECRET_NAME_SOURCE}|sig|code)=)[^&\s"'<]+`, 'gi'), `$1${REDACTED}`],
  [/(\b(?:secret[_ -]?access[_ -]?key|session[_ -]?token|client[_ -]?secret|private[_ -]?key|password|access[_ -]?token|refresh[_ -]?token|id[_ -]?token)\s*:\s*)[^\s,;&"'<]+/gi, `$1${REDACTED}`],
  // Authorization header values.
  [/\b(Bearer|Basic|Negotiate)\s+[A-Za-z0-9._~+/=-]{8,}/g, `$1 ${REDACTED}`],
  // AWS access key IDs (long-term and session), Google OAuth access and refresh tokens.
  [/\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{12,}\b/g, REDACTED],
  [/\bya29\.[A-Za-z0-9._-]+/g, REDACTED],
  [/\b1\/\/[A-Za-z0-9._-]{20,}/g, REDACTED],
];

/** A character's class, for telling random text from names: lowercase, uppercase, digit, other. */
const classOf = (c: string): number => (c >= 'a' && c <= 'z' ? 0 : c >= 'A' && c <= 'Z' ? 1 : c >= '0' && c <= '9' ? 2 : 3);

/**
 * Whether a run of token characters looks random rather than like a name: it mixes both cases
 * and digits, changes class at 30 % of its characters or more, and less than 45 % of its letters
 * are in lowercase words (runs of four or more). Measured: the names of the examples' real runs —
 * CDK logical IDs with their hash suffix, role ARNs' names, Terraform addresses — have 52–81 % of
 * their letters in words; random base64 about 10 %. Random values missed: 1.1 % of 24-byte
 * base64 values, 0.4 % of 30-byte, 0.1 % of 40-byte (100,000 each); lowercase hex never counts
 * (digests and fingerprints look the same) — those are what the shapes above are for.
 */
function looksRandom(run: string): boolean {
  if (!(/[a-z]/.test(run) && /[A-Z]/.test(run) && /[0-9]/.test(run))) return false;
  let changes = 0;
  for (let i = 1; i < run.length; i++) if (classOf(run[i]) !== classOf(run[i - 1])) changes++;
  const letters = run.replace(/[^A-Za-z]/g, '').length;
  const inWords = (run.match(/[a-z]{4,}/g) ?? []).join('').length;
  return changes / (run.length - 1) >= 0.3 && inWords / letters < 0.45;
}

/** Text with every secret-looking value replaced by `[redacted]`. */
export function redactText(text: string): string {
  let result = text;
  for (const [pattern, replacement] of TEXT_REDACTIONS) result = result.replace(pattern, replacement);
  return result.replace(/[A-Za-z0-9+/=_~.-]{32,}/g, (run) => (looksRandom(run) ? REDACTED : run));
}

/** Whether a field's name says its value is a secret (`sessionToken`, `client_assertion`, `privateKey`). */
export const isSecretName = (name: string): boolean => SECRET_NAME.test(name.replace(/[_-]/g, ''));

/**
 * A JSON value with secrets redacted: the values of secret-named fields (unless a boolean or a
 * number, which say whether, not what) and secret-looking text anywhere.
 */
export function redactValue(value: unknown): unknown {
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return value.map(redactValue);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, isSecretName(k) && typeof v !== 'boolean' && typeof v !== 'number' && v !== null ? REDACTED : redactValue(v)]));
  }
  return value;
}
