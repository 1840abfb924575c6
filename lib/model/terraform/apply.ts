import { ExpressionContext, Value, describeValue, isConcrete, isSymbol, isSymbolicString, resolveValue } from './expressions';
import { TerraformSource } from './configuration';

/**
 * "Applies" Terraform JSON in memory: every `${…}` reference resolved concretely, with the
 * attributes a provider computes (IDs, names, emails) supplied by the cloud's provider model
 * (`lib/model/gcp/google-provider`, `lib/model/azure/azure-provider`). The emulators deploy what it
 * returns; live runs resolve their gates' issuers, subjects and grants with it. A value that stays
 * unknown is reported, never guessed.
 */

/** What a cloud's provider model contributes: the attributes its provider computes at apply time. */
export interface TerraformProviderModel {
  /**
   * Attributes Terraform computes for a managed resource (e.g. a pool's `name`), from its
   * configured attributes (already resolved). Return only what the provider computes; configured
   * attributes are available to references as they are. Undefined: the model does not cover
   * this type; it is applied for references only, and its unknowns are nobody's problem unless a
   * modeled resource uses them.
   */
  computed(type: string, address: string, configured: Readonly<Record<string, Value>>): Record<string, Value> | undefined;
  /** The attributes of a data source the emulator can answer (e.g. the current subscription), or undefined. */
  data?(type: string, address: string, configured: Readonly<Record<string, Value>>): Record<string, Value> | undefined;
}

/** A resource as applied: its address, type and concrete attributes (configured and computed). */
export interface AppliedResource {
  readonly address: string;
  readonly type: string;
  readonly attributes: Readonly<Record<string, Value>>;
}

export interface AppliedConfiguration {
  readonly stackName: string;
  readonly file: string;
  readonly resources: ReadonlyMap<string, AppliedResource>;
  /** Resources that could not be applied faithfully, and why. */
  readonly problems: ReadonlyArray<{ readonly address: string; readonly problem: string }>;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Navigates the rest of a traversal (`oidc`, `0`, `issuer_uri`) inside a resolved value. */
function navigate(value: Value | undefined, rest: readonly string[]): Value | undefined {
  let current: Value | undefined = value;
  for (const step of rest) {
    if (Array.isArray(current)) current = current[Number(step)];
    else if (isObject(current) && !isSymbol(current)) current = (current as Record<string, Value>)[step];
    else return undefined;
  }
  return current;
}

export function applyTerraform(sources: readonly TerraformSource[], provider: TerraformProviderModel, variables: Readonly<Record<string, string>> = {}): AppliedConfiguration[] {
  return sources.map((source) => applyOne(source, provider, variables));
}

/**
 * A plan's or a state's resources are values already: what the provider computes fills only what
 * is still unknown (a plan's pool `name` before the pool exists); a value the state or plan knows
 * is kept as Terraform recorded it.
 */
function applyKnown(source: TerraformSource, provider: TerraformProviderModel): AppliedConfiguration {
  const applied = new Map<string, AppliedResource>();
  const applying = new Set<string>();
  const modeled = new Set<string>();
  // A reference — an identifier linked back to its resource (show-json.ts), or a plan's unknown
  // value read as the reference its configuration wrote — is the referenced resource's value once
  // applied: a new role assignment's principal_id is the principal ID the provider model gives
  // its new identity. A cycle stays the reference it was, reported below as not known.
  const literal = (value: Value): Value => {
    if (isSymbol(value) && value.symbolic === 'ref') return navigate(apply(value.address)?.attributes as Value | undefined, value.attribute ? value.attribute.split('.') : []) ?? value;
    if (Array.isArray(value)) return value.map(literal);
    if (value !== null && typeof value === 'object' && !isSymbol(value) && !isSymbolicString(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, literal(v)]));
    return value;
  };
  function apply(address: string): AppliedResource | undefined {
    if (applied.has(address)) return applied.get(address);
    const original = source.model.resource(address);
    if (!original || applying.has(address)) return undefined;
    applying.add(address);
    const resource = { ...original, attributes: Object.fromEntries(Object.entries(original.attributes).map(([k, v]) => [k, literal(v)])) };
    applying.delete(address);
    const known = Object.fromEntries(Object.entries(resource.attributes).filter(([, v]) => isConcrete(v)));
    const computed = resource.mode === 'data' ? provider.data?.(resource.type, resource.address, known) : provider.computed(resource.type, resource.address, known);
    if (computed !== undefined) modeled.add(address);
    const result = { address, type: resource.type, attributes: { ...resource.attributes, ...Object.fromEntries(Object.entries(computed ?? {}).filter(([k]) => !(k in known))) } };
    applied.set(address, result);
    return result;
  }
  const problems: Array<{ address: string; problem: string }> = [];
  for (const resource of source.model.resources) {
    const result = apply(resource.address)!;
    if (resource.mode !== 'managed' || !modeled.has(resource.address)) continue;
    // What only the provider computes, and the provider model does not, configures nothing the emulator deploys.
    const unknown = Object.entries(result.attributes).find(([k, v]) => !isConcrete(v) && !resource.providerComputed?.includes(k));
    if (unknown) problems.push({ address: resource.address, problem: `${unknown[0]} is not known at apply time: ${describeValue(unknown[1])}` });
  }
  return { stackName: source.stackName, file: source.file, resources: new Map(source.model.resources.map((r) => [r.address, applied.get(r.address)!])), problems };
}

function applyOne(source: TerraformSource, provider: TerraformProviderModel, variables: Readonly<Record<string, string>>): AppliedConfiguration {
  if (source.model.origin !== 'configuration') return applyKnown(source, provider);
  const configuration = source.model.configuration as Json;
  const raw = new Map<string, { mode: 'managed' | 'data'; type: string; body: Json }>();
  const collect = (section: unknown, mode: 'managed' | 'data') => {
    for (const byType of Array.isArray(section) ? section : [section]) {
      if (!isObject(byType)) continue;
      for (const [type, byName] of Object.entries(byType)) {
        if (!isObject(byName)) continue;
        for (const [name, body] of Object.entries(byName)) {
          if (name === '//' || !isObject(body)) continue;
          raw.set(mode === 'data' ? `data.${type}.${name}` : `${type}.${name}`, { mode, type, body });
        }
      }
    }
  };
  collect(configuration.resource, 'managed');
  collect(configuration.data, 'data');
  const variableDefaults = new Map<string, unknown>();
  for (const block of Array.isArray(configuration.variable) ? configuration.variable : [configuration.variable]) {
    if (isObject(block)) for (const [name, v] of Object.entries(block)) if (isObject(v) && 'default' in v) variableDefaults.set(name, v.default);
  }
  const locals = new Map<string, unknown>();
  for (const block of Array.isArray(configuration.locals) ? configuration.locals : [configuration.locals]) {
    if (isObject(block)) for (const [name, v] of Object.entries(block)) locals.set(name, v);
  }

  const applied = new Map<string, AppliedResource>();
  const applying = new Set<string>();
  const modeled = new Set<string>();
  const problems: Array<{ address: string; problem: string }> = [];

  const ctx: ExpressionContext = {
    reference(traversal) {
      const [head, ...rest] = traversal;
      if (head === 'var') {
        const name = rest[0];
        // A variable's value is literal, as Terraform takes it: neither a --var value nor a
        // default (in JSON syntax) is a template, so `${var.x}` in one is not resolved again.
        const value = variables[name] ?? variableDefaults.get(name);
        return value === undefined ? { symbolic: 'variable', name } : navigate(value as Value, rest.slice(1)) ?? { symbolic: 'unknown', reason: `var.${rest.join('.')}` };
      }
      if (head === 'local') return navigate(resolveValue(locals.get(rest[0]), ctx), rest.slice(1)) ?? { symbolic: 'unknown', reason: `local.${rest.join('.')}` };
      const address = head === 'data' ? `data.${rest[0]}.${rest[1]}` : `${head}.${rest[0]}`;
      const path = head === 'data' ? rest.slice(2) : rest.slice(1);
      const resource = apply(address);
      if (!resource) return { symbolic: 'unknown', reason: `${address}, which cannot be applied` };
      return navigate(resource.attributes as Record<string, Value>, path) ?? { symbolic: 'unknown', reason: `${address}.${path.join('.')}, which the provider model does not compute` };
    },
  };

  function apply(address: string): AppliedResource | undefined {
    if (applied.has(address)) return applied.get(address);
    const entry = raw.get(address);
    if (!entry || applying.has(address)) return undefined;
    applying.add(address);
    const configured: Record<string, Value> = {};
    for (const [k, v] of Object.entries(entry.body)) {
      if (k === '//' || k === 'depends_on' || k === 'lifecycle' || k === 'provider') continue;
      configured[k] = resolveValue(v, ctx);
    }
    applying.delete(address);
    const computed = entry.mode === 'data' ? provider.data?.(entry.type, address, configured) : provider.computed(entry.type, address, configured);
    if (entry.mode === 'data' && computed === undefined) return undefined;
    if (computed !== undefined) modeled.add(address);
    const resource = { address, type: entry.type, attributes: { ...configured, ...computed } };
    applied.set(address, resource);
    return resource;
  }

  for (const [address, entry] of raw) {
    if (entry.mode !== 'managed') continue;
    const resource = apply(address);
    // An alert policy or a log sink is not emulated: what it cannot resolve changes no gate.
    if (!resource || !modeled.has(address)) continue;
    if (entry.body.count !== undefined || entry.body.for_each !== undefined) {
      problems.push({ address, problem: 'count and for_each are not expanded' });
      continue;
    }
    const unknown = Object.entries(resource.attributes).find(([, v]) => !isConcrete(v));
    if (unknown) problems.push({ address, problem: `${unknown[0]} is not known at apply time: ${describeValue(unknown[1])}` });
  }
  return { stackName: source.stackName, file: source.file, resources: applied, problems };
}
