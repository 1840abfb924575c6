import { AttestGateError } from '../../core/errors';
import { findReferenceCycle } from '../../core/reference-cycle';
import { parseTemplate } from './expressions';

/**
 * The references between a configuration's resources and locals, and the cycles Terraform
 * refuses ("Error: Cycle: …").
 *
 * The emulator applies a resource by resolving the resources and locals it refers to, so a cycle
 * would make it recurse forever (a local that refers to itself overflowed the stack); the
 * synth-time model stops at a cycle but would judge values that cannot exist. TerraformModel.parse
 * refuses it once, for every reader. `depends_on`, `lifecycle` and `provider` are not resolved by
 * any reader, so they are not read.
 */

/** One reference from a resource or local to a resource, data source or local of the same configuration. */
export interface ConfigurationReference {
  /** `type.name`, `data.type.name` or `local.name`. */
  readonly from: string;
  /** Where in it, e.g. `.display_name` (empty for a local's whole value). */
  readonly path: string;
  /** The address or `local.name` referred to. */
  readonly to: string;
  /** The expression that refers, e.g. `${local.name}`. */
  readonly via: string;
}

/** Arguments no reader resolves. */
const NOT_RESOLVED = new Set(['//', 'depends_on', 'lifecycle', 'provider']);

/** Names that start a reference but never name a resource of the configuration. */
const NOT_RESOURCES = new Set(['var', 'module', 'count', 'each', 'self', 'path', 'terraform']);

/**
 * The addresses an expression refers to: `local.x`, `data.t.n` and `t.n`. Quoted strings inside
 * the expression are skipped, so `lookup(var.m, "local.x")` refers to no local.
 */
function expressionReferences(expression: string): string[] {
  const code = expression.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const found: string[] = [];
  for (const match of code.matchAll(/(?<![\w.-])([A-Za-z_][\w-]*)\s*\.\s*([A-Za-z_][\w-]*)(?:\s*\.\s*([A-Za-z_][\w-]*))?/g)) {
    const [, head, second, third] = match;
    if (head === 'local') found.push(`local.${second}`);
    else if (head === 'data') {
      if (third) found.push(`data.${second}.${third}`);
    } else if (!NOT_RESOURCES.has(head)) found.push(`${head}.${second}`);
  }
  return found;
}

function walk(value: unknown, path: string, emit: (to: string, via: string, path: string) => void): void {
  if (typeof value === 'string') {
    if (!value.includes('{')) return;
    let parts: ReturnType<typeof parseTemplate>;
    try {
      parts = parseTemplate(value);
    } catch {
      // An unclosed interpolation resolves to an unknown, never to a reference.
      return;
    }
    for (const part of parts) {
      if ('interpolation' in part) for (const to of expressionReferences(part.interpolation)) emit(to, `\${${part.interpolation.trim()}}`, path);
      if ('directive' in part) for (const to of expressionReferences(part.directive)) emit(to, `%{${part.directive.trim()}}`, path);
    }
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => walk(item, `${path}[${i}]`, emit));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) if (key !== '//') walk(item, `${path}.${key}`, emit);
  }
}

/**
 * Every reference between the given resources and locals, in order. `things` maps an address
 * (`type.name`, `data.type.name`) or `local.name` to its body or value.
 */
export function configurationReferences(things: ReadonlyMap<string, unknown>): ConfigurationReference[] {
  const references: ConfigurationReference[] = [];
  for (const [from, body] of things) {
    const isLocal = from.startsWith('local.');
    const entries = isLocal ? [['', body] as const] : Object.entries((body ?? {}) as Record<string, unknown>).filter(([key]) => !NOT_RESOLVED.has(key));
    for (const [key, value] of entries) {
      walk(value, key === '' ? '' : `.${key}`, (to, via, path) => {
        if (things.has(to)) references.push({ from, path, to, via });
      });
    }
  }
  return references;
}

/**
 * Refuses a reference cycle among a configuration's resources and locals, as Terraform does.
 *
 * @throws AttestGateError naming the configuration, the addresses in order, the references and the fix
 */
export function checkConfigurationReferences(things: ReadonlyMap<string, unknown>, name: string): void {
  const cycle = findReferenceCycle(configurationReferences(things), [...things.keys()]);
  if (!cycle) return;
  const addresses = cycle.map((r) => r.from);
  const refused = `Terraform refuses such a configuration ("Error: Cycle: ${addresses.join(', ')}")`;
  throw new AttestGateError({
    where: name,
    ...(cycle.length === 1
      ? { field: `${cycle[0].from}${cycle[0].path}`, value: cycle[0].via, problem: `refers to ${cycle[0].from.startsWith('local.') ? 'itself' : 'its own resource'}; ${refused}` }
      : {
          field: 'references',
          value: [...addresses, addresses[0]].join(' → '),
          problem: `form a cycle (${cycle.map((r) => `${r.from}${r.path} = ${r.via}`).join('; ')}); ${refused}`,
        }),
    fix: `remove one of these references: a resource or local cannot use its own value, nor that of one that refers back to it (write the value literally, or take it from a variable)`,
  });
}
