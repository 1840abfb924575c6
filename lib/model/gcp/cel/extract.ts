/**
 * GCP's `string.extract(template)`, which workload identity federation offers in attribute
 * mappings and conditions but CEL does not define. Google documents it by example only — the
 * default AWS mapping `assertion.arn.extract('assumed-role/{role_name}/')` yields the role name
 * of `arn:aws:sts::123456789012:assumed-role/deployer/session`, and
 * `assertion.arn.extract('{account_arn}assumed-role/')` yields `arn:aws:sts::123456789012:`.
 * The semantics below reproduce those examples:
 *
 * - the template holds exactly one `{name}` placeholder;
 * - the text before it (the prefix) is looked for from the start of the input, first occurrence;
 * - the value runs from the end of the prefix to the first occurrence of the text after the
 *   placeholder (the suffix), or to the end of the input when the suffix is empty.
 *
 * When the prefix or the suffix does not occur, the result is the empty string: Google does not
 * document that case, and an empty value can never equal a pinned subject, so it fails closed.
 */

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** A template split around its placeholder. */
export interface ExtractTemplate {
  readonly prefix: string;
  readonly variable: string;
  readonly suffix: string;
}

/**
 * Parses an extract template.
 *
 * @throws Error when the template does not hold exactly one `{name}` placeholder
 */
export function parseExtractTemplate(template: string): ExtractTemplate {
  const matches = [...template.matchAll(PLACEHOLDER)];
  if (matches.length !== 1) {
    throw new Error(`extract template ${JSON.stringify(template)} must hold exactly one {name} placeholder, found ${matches.length}`);
  }
  const [match] = matches;
  const start = match.index ?? 0;
  const prefix = template.slice(0, start);
  const suffix = template.slice(start + match[0].length);
  if (/[{}]/.test(prefix) || /[{}]/.test(suffix)) {
    throw new Error(`extract template ${JSON.stringify(template)} has a stray "{" or "}" outside its placeholder`);
  }
  return { prefix, variable: match[1], suffix };
}

/** Applies an extract template to a string; see the module comment for the semantics. */
export function extract(input: string, template: string): string {
  const { prefix, suffix } = parseExtractTemplate(template);
  const at = input.indexOf(prefix);
  if (at === -1) return '';
  const start = at + prefix.length;
  if (suffix === '') return input.slice(start);
  const end = input.indexOf(suffix, start);
  return end === -1 ? '' : input.slice(start, end);
}
