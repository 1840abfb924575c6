import { checkConfigurationReferences } from './references';
import { ExpressionContext, TerraformSymbol, Value, isSymbol, isSymbolicString, referencedAddresses, resolveValue } from './expressions';

/** Meta-arguments of a resource block: not attributes of the resource itself. */
const META_ARGUMENTS = new Set(['depends_on', 'count', 'for_each', 'provider', 'lifecycle', 'provisioner', 'connection']);

/** A resource or data source of a configuration, its attributes resolved symbolically. */
export interface TerraformResource {
  /** `type.name` for a managed resource, `data.type.name` for a data source. */
  readonly address: string;
  readonly mode: 'managed' | 'data';
  readonly type: string;
  readonly name: string;
  /** Attributes and nested blocks, templates resolved; meta-arguments and `"//"` removed. */
  readonly attributes: Record<string, Value>;
  /** The raw `"//"` object: cdktf writes construct metadata there, attestgate its gate manifest. */
  readonly comment: Record<string, unknown>;
  /** Addresses in `depends_on`. */
  readonly dependsOn: readonly string[];
  /** `count` or `for_each`, when the block stands for several instances. */
  readonly repetition?: { readonly kind: 'count' | 'for_each'; readonly value: Value };
  /** The construct path cdktf recorded in `"//".metadata.path`, if any. */
  readonly constructPath?: string;
  /**
   * In a plan whose configuration is known: the attributes unknown until apply that no expression
   * of the resource block sets — what the provider alone computes (a role assignment's
   * `principal_type`). Applying without them is faithful; a configured value unknown is not.
   */
  readonly providerComputed?: readonly string[];
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Terraform JSON lets any block level be an object or an array of objects; this walks both. */
function objectsOf(value: unknown): Json[] {
  if (Array.isArray(value)) return value.filter(isObject);
  return isObject(value) ? [value] : [];
}

/** Entries of a labelled block level (`{ label: body }` or `[{ label: body }, …]`). */
function labelled(value: unknown): Array<[string, unknown]> {
  return objectsOf(value).flatMap((o) => Object.entries(o).filter(([k]) => k !== '//'));
}

/** One Terraform JSON configuration as read: a cdktf stack's output or a `*.tf.json` file. */
export interface TerraformSource {
  /** The cdktf stack name, or the file name without `.tf.json`. */
  readonly stackName: string;
  /** The file the configuration was read from. */
  readonly file: string;
  readonly model: TerraformModel;
  /** What the file was read as, when not Terraform JSON configuration: `Terraform plan JSON (format 1.2, Terraform 1.9.8)`. */
  readonly readAs?: string;
}

/**
 * A parsed Terraform JSON configuration (`*.tf.json`, or a cdktf stack's `cdk.tf.json`) whose
 * templates resolve symbolically: a reference to one of its resources stays a reference the
 * rules can follow; variables, module outputs and expressions other than plain references
 * become symbols that say why a value cannot be judged before apply.
 */
export class TerraformModel {
  /**
   * Parses configuration JSON text or an object; throws a plain Error naming `name` when it is not
   * one, and an AttestGateError for a reference cycle among its resources and locals (see references.ts).
   */
  public static parse(configuration: unknown, name: string): TerraformModel {
    const value = typeof configuration === 'string' ? JSON.parse(configuration) : configuration;
    if (!isObject(value)) throw new Error(`${name} is not a Terraform JSON configuration (not a JSON object)`);
    for (const section of ['resource', 'data', 'locals', 'variable']) {
      if (section in value && !isObject(value[section]) && !Array.isArray(value[section])) {
        throw new Error(`${name} is not a Terraform JSON configuration (${section} is not an object)`);
      }
    }
    return new TerraformModel(value, name);
  }

  /**
   * A model of resources already known by value — a plan's or a state's (show-json.ts) — with a
   * configuration holding only what is read from it besides resources (the provider blocks).
   * Nothing in them is a template: a value unknown until apply is already an unknown symbol.
   */
  public static ofResources(resources: readonly TerraformResource[], name: string, configuration: Record<string, unknown>, origin: 'plan' | 'state'): TerraformModel {
    return new TerraformModel(configuration, name, { resources, origin });
  }

  /** Where the resources came from: configuration JSON (templates resolved here), or a plan's or a state's values. */
  public readonly origin: 'configuration' | 'plan' | 'state';

  /** Managed resources and data sources, in configuration order. */
  public readonly resources: readonly TerraformResource[];
  private readonly byAddress: Map<string, TerraformResource>;
  private typeIndex?: Map<string, TerraformResource[]>;
  private readonly locals: Map<string, unknown>;
  private readonly localsResolving = new Set<string>();
  private readonly localsResolved = new Map<string, Value>();
  public readonly context: ExpressionContext;

  private constructor(
    public readonly configuration: Json,
    /** Where the configuration came from (file path or stack name), for messages. */
    public readonly name: string,
    known?: { readonly resources: readonly TerraformResource[]; readonly origin: 'plan' | 'state' },
  ) {
    if (known) {
      this.origin = known.origin;
      this.locals = new Map();
      this.context = { reference: (traversal) => ({ symbolic: 'unknown', reason: `${traversal.join('.')}, not in a ${known.origin}` }) };
      this.resources = known.resources;
      this.byAddress = new Map(known.resources.map((r) => [r.address, r]));
      return;
    }
    this.origin = 'configuration';
    this.locals = new Map(objectsOf(configuration.locals).flatMap((o) => Object.entries(o)));
    const raw: Array<{ mode: 'managed' | 'data'; type: string; name: string; body: Json }> = [];
    for (const [mode, section] of [['managed', configuration.resource], ['data', configuration.data]] as const) {
      for (const [type, named] of labelled(section)) {
        for (const [resourceName, bodies] of labelled(named)) {
          for (const body of objectsOf(bodies)) raw.push({ mode, type, name: resourceName, body });
        }
      }
    }
    const addresses = new Set(raw.map((r) => (r.mode === 'data' ? `data.${r.type}.${r.name}` : `${r.type}.${r.name}`)));
    const referable = new Map<string, unknown>();
    raw.forEach((r) => {
      const address = r.mode === 'data' ? `data.${r.type}.${r.name}` : `${r.type}.${r.name}`;
      if (!referable.has(address)) referable.set(address, r.body);
    });
    for (const [local, v] of this.locals) referable.set(`local.${local}`, v);
    checkConfigurationReferences(referable, name);
    this.context = { reference: (traversal) => this.reference(traversal, addresses) };
    this.resources = raw.map(({ mode, type, name: resourceName, body }) => {
      const attributes: Record<string, Value> = {};
      for (const [key, v] of Object.entries(body)) {
        if (key !== '//' && !META_ARGUMENTS.has(key) && v !== undefined) attributes[key] = resolveValue(v, this.context);
      }
      const comment = isObject(body['//']) ? body['//'] : {};
      const metadata = isObject(comment.metadata) ? comment.metadata : {};
      const repetition = 'count' in body ? 'count' : 'for_each' in body ? 'for_each' : undefined;
      return {
        address: mode === 'data' ? `data.${type}.${resourceName}` : `${type}.${resourceName}`,
        mode,
        type,
        name: resourceName,
        attributes,
        comment,
        dependsOn: Array.isArray(body.depends_on)
          ? body.depends_on.filter((d): d is string => typeof d === 'string').map((d) => d.replace(/^\$\{(.*)\}$/, '$1').trim())
          : [],
        ...(repetition ? { repetition: { kind: repetition, value: resolveValue(body[repetition], this.context) } } : {}),
        ...(typeof metadata.path === 'string' ? { constructPath: metadata.path } : {}),
      };
    });
    this.byAddress = new Map(this.resources.map((r) => [r.address, r]));
  }

  public resource(address: string): TerraformResource | undefined {
    return this.byAddress.get(address);
  }

  public resourcesOfType(type: string): TerraformResource[] {
    return [...(this.byType().get(`managed ${type}`) ?? [])];
  }

  public dataSourcesOfType(type: string): TerraformResource[] {
    return [...(this.byType().get(`data ${type}`) ?? [])];
  }

  /**
   * Resources by mode and type, in configuration order, built on first use: the GCP rules ask for
   * a type once per service account and gate, and filtering every resource each time made judging
   * 1,000 gates quadratic in the resources (bench/synth-tf).
   */
  private byType(): Map<string, TerraformResource[]> {
    if (this.typeIndex) return this.typeIndex;
    const index = new Map<string, TerraformResource[]>();
    for (const r of this.resources) {
      const key = `${r.mode} ${r.type}`;
      const list = index.get(key);
      if (list) list.push(r);
      else index.set(key, [r]);
    }
    this.typeIndex = index;
    return index;
  }

  /**
   * Whether resource `from` is created after resource `to`: through `depends_on` or through a
   * reference in its attributes, directly or transitively.
   */
  public dependsOn(from: string, to: string): boolean {
    const seen = new Set<string>();
    const stack = [from];
    while (stack.length > 0) {
      const address = stack.pop()!;
      if (seen.has(address)) continue;
      seen.add(address);
      for (const next of this.directDependencies(address)) {
        if (next === to) return true;
        stack.push(next);
      }
    }
    return false;
  }

  private readonly dependencyCache = new Map<string, Set<string>>();

  private directDependencies(address: string): Set<string> {
    let deps = this.dependencyCache.get(address);
    if (!deps) {
      const resource = this.byAddress.get(address);
      deps = new Set(resource ? [...resource.dependsOn, ...referencedAddresses(resource.attributes)] : []);
      deps.delete(address);
      this.dependencyCache.set(address, deps);
    }
    return deps;
  }

  private reference(traversal: readonly string[], addresses: ReadonlySet<string>): Value {
    const [head, ...rest] = traversal;
    const unknown = (reason: string): TerraformSymbol => ({ symbolic: 'unknown', reason });
    switch (head) {
      case 'var':
        return rest.length === 1 ? { symbolic: 'variable', name: rest[0] } : unknown(`var.${rest.join('.')}`);
      case 'local':
        return rest.length >= 1 ? this.local(rest[0], rest.slice(1)) : unknown('local');
      case 'data': {
        const address = `data.${rest[0]}.${rest[1]}`;
        if (rest.length < 2 || !addresses.has(address)) return unknown(`a reference to ${['data', ...rest].join('.')}, which is not in the configuration`);
        return { symbolic: 'ref', address, ...(rest.length > 2 ? { attribute: rest.slice(2).join('.') } : {}) };
      }
      case 'count':
      case 'each':
      case 'self':
      case 'path':
      case 'terraform':
        return unknown(`${traversal.join('.')}, which is known only per instance or at plan`);
      case 'module':
        return unknown(`an output of module ${rest[0] ?? '?'}`);
      default: {
        const address = `${head}.${rest[0]}`;
        if (rest.length < 1 || !addresses.has(address)) return unknown(`a reference to ${traversal.join('.')}, which is not in the configuration`);
        return { symbolic: 'ref', address, ...(rest.length > 1 ? { attribute: rest.slice(1).join('.') } : {}) };
      }
    }
  }

  private local(name: string, path: readonly string[]): Value {
    if (!this.locals.has(name)) return { symbolic: 'unknown', reason: `local.${name}, which is not defined` };
    // parse refuses a cycle of locals; this stops one written in a form its scan does not read (local["x"]).
    if (this.localsResolving.has(name)) return { symbolic: 'unknown', reason: `local.${name}, which refers to itself` };
    let value = this.localsResolved.get(name);
    if (value === undefined) {
      this.localsResolving.add(name);
      value = resolveValue(this.locals.get(name), this.context);
      this.localsResolving.delete(name);
      this.localsResolved.set(name, value);
    }
    for (const step of path) {
      if (isSymbol(value) || isSymbolicString(value) || value === null || typeof value !== 'object') {
        return { symbolic: 'unknown', reason: `local.${name}.${path.join('.')}, which is not known before apply` };
      }
      value = Array.isArray(value) ? value[Number(step)] : (value as Record<string, Value>)[step];
      if (value === undefined) return { symbolic: 'unknown', reason: `local.${name}.${path.join('.')}, which does not exist` };
    }
    return value;
  }
}

/** The nested block of a resource: Terraform JSON writes a single block as an object or a one-element list. */
export function block(value: Value | undefined): Record<string, Value> | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  if (first === null || first === undefined || typeof first !== 'object' || Array.isArray(first) || isSymbol(first) || isSymbolicString(first)) return undefined;
  return first as Record<string, Value>;
}

/** Every nested block of a kind (an object, or a list of objects). */
export function blocks(value: Value | undefined): Array<Record<string, Value>> {
  const list = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  return list.filter((v): v is Record<string, Value> => v !== null && typeof v === 'object' && !Array.isArray(v) && !isSymbol(v) && !isSymbolicString(v));
}
