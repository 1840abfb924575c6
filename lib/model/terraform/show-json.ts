import { AttestGateError } from '../../core/errors';
import { TerraformResource } from './configuration';
import { Value } from './expressions';

/**
 * What `terraform show -json PLANFILE` (a plan) and `terraform show -json` (a state) print, read
 * into the resources the Terraform model holds — Terraform's and OpenTofu's "JSON Output Format"
 * (https://developer.hashicorp.com/terraform/internals/json-format):
 *
 * - a plan's `planned_values` and a state's `values`, each a `root_module` with `resources` and
 *   nested `child_modules`; every resource instance comes with its full address
 *   (`module.gate.google_service_account.sa["deployer"]`), so `count` and `for_each` arrive expanded;
 * - in a plan, the attributes `resource_changes[].change.after_unknown` marks are not known until
 *   apply: they become unknown values that no rule can judge (and say so), never guessed;
 * - values `sensitive_values` / `after_sensitive` mark are not read at all (they are never printed,
 *   and no rule needs a secret's value);
 * - data sources come from the plan's prior state when the plan itself does not list them;
 * - the provider blocks' literal arguments (`configuration.provider_config`) become the
 *   configuration's `provider` section, where the google provider's project is read;
 * - what a plan's resource blocks are created after (`configuration`: `depends_on` and the
 *   references of their expressions) becomes each instance's dependencies.
 *
 * Only the format's major version 1 (Terraform 0.12 onwards, every OpenTofu) is read; another
 * major version is refused with what to do.
 */

/** The major version of the JSON output format this reads. */
export const SUPPORTED_FORMAT_MAJOR = 1;

export type ShowJsonKind = 'plan' | 'state';

export interface ShowJson {
  readonly kind: ShowJsonKind;
  readonly formatVersion: string;
  /** `terraform_version` as printed (OpenTofu prints its own version there). */
  readonly toolVersion?: string;
  readonly resources: readonly TerraformResource[];
  /** `{ <provider>: { <argument>: <literal> } }` of the default provider configurations. */
  readonly providers: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Whether parsed JSON is `terraform show -json` output: a `format_version` and a plan's or a state's sections. */
export function isShowJson(json: unknown): boolean {
  return isObject(json) && typeof json.format_version === 'string' && ('planned_values' in json || 'values' in json || 'resource_changes' in json || 'prior_state' in json);
}

function fail(file: string, field: string, value: unknown, problem: string, fix: string): never {
  throw new AttestGateError({ where: file, field, value, problem, fix });
}

/** The unknown value of an attribute Terraform computes at apply. */
const afterApply = (address: string, path: readonly string[]): Value => ({ symbolic: 'unknown', reason: `${address}.${path.join('.')}, known only after apply` });
const sensitive = (address: string, path: readonly string[]): Value => ({ symbolic: 'unknown', reason: `${address}.${path.join('.')}, a sensitive value (not read)` });

/**
 * A value with the parts a marker tree flags (`true` at a leaf or a whole subtree, the shape of
 * `after_unknown` and `sensitive_values`) replaced.
 */
function overlay(value: unknown, marks: unknown, replace: (path: readonly string[]) => Value, path: readonly string[] = []): Value {
  if (marks === true) return replace(path);
  // A tree with no mark in it (`{}`, `[false]`) changes nothing, and adds no empty blocks.
  if (!marksAny(marks)) return value as Value;
  if (Array.isArray(marks)) {
    const list = Array.isArray(value) ? value : [];
    const length = Math.max(list.length, marks.length);
    return Array.from({ length }, (_, i) => overlay(list[i], marks[i], replace, [...path, String(i)]));
  }
  if (isObject(marks)) {
    const object = isObject(value) ? value : {};
    const result: Record<string, Value> = {};
    for (const key of new Set([...Object.keys(object), ...Object.keys(marks)])) {
      const next = overlay(object[key], marks[key], replace, [...path, key]);
      if (next !== undefined) result[key] = next;
    }
    return result;
  }
  return value as Value;
}

function marksAny(marks: unknown): boolean {
  if (marks === true) return true;
  if (Array.isArray(marks)) return marks.some(marksAny);
  return isObject(marks) && Object.values(marks).some(marksAny);
}

interface ModuleResource {
  readonly address: string;
  readonly mode: 'managed' | 'data';
  readonly type: string;
  readonly name: string;
  readonly values: Json;
  readonly sensitive?: unknown;
}

/** Every resource of a module and its child modules. */
function moduleResources(module: unknown, file: string, where: string): ModuleResource[] {
  if (module === undefined || module === null) return [];
  if (!isObject(module)) fail(file, where, module, 'is not an object', 'give the unmodified output of terraform show -json');
  const own = (Array.isArray(module.resources) ? module.resources : []).map((r, i): ModuleResource => {
    const at = `${where}.resources[${i}]`;
    if (!isObject(r) || typeof r.address !== 'string' || typeof r.type !== 'string' || typeof r.name !== 'string') {
      fail(file, at, r, 'is not a resource (an object with address, type and name)', 'give the unmodified output of terraform show -json');
    }
    return { address: r.address, mode: r.mode === 'data' ? 'data' : 'managed', type: r.type, name: r.name, values: isObject(r.values) ? r.values : {}, sensitive: r.sensitive_values };
  });
  const children = Array.isArray(module.child_modules) ? module.child_modules : [];
  return [...own, ...children.flatMap((child, i) => moduleResources(child, file, `${where}.child_modules[${i}]`))];
}

/** The literal arguments of each default (unaliased) provider configuration. */
function providerLiterals(configuration: unknown): Record<string, Record<string, unknown>> {
  const providers: Record<string, Record<string, unknown>> = {};
  const config = isObject(configuration) && isObject(configuration.provider_config) ? configuration.provider_config : {};
  for (const [key, provider] of Object.entries(config)) {
    // Aliased configurations are keyed `<name>.<alias>`; the default one is the bare name.
    if (!isObject(provider) || key.includes('.') || typeof provider.name !== 'string') continue;
    const expressions = isObject(provider.expressions) ? provider.expressions : {};
    const literals: Record<string, unknown> = {};
    for (const [argument, expression] of Object.entries(expressions)) if (isObject(expression) && 'constant_value' in expression) literals[argument] = expression.constant_value;
    providers[provider.name] = literals;
  }
  return providers;
}

function toResource(r: ModuleResource, unknown: unknown): TerraformResource {
  let attributes = overlay(r.values, unknown, (path) => afterApply(r.address, path)) as Record<string, Value>;
  attributes = overlay(attributes, r.sensitive, (path) => sensitive(r.address, path)) as Record<string, Value>;
  return { address: r.address, mode: r.mode, type: r.type, name: r.name, attributes, comment: {}, dependsOn: [] };
}

/**
 * Attributes whose values name the resource itself — every resource's `id`, and per type the
 * others it is known by — so that another resource's equal literal refers to it. (A role
 * assignment's `principal_id` names someone else: it is not listed.)
 */
const IDENTIFYING_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  azurerm_user_assigned_identity: ['principal_id', 'client_id'],
  azuread_application: ['client_id', 'object_id'],
  azuread_service_principal: ['object_id', 'client_id'],
  google_service_account: ['email', 'name', 'unique_id', 'member'],
  google_iam_workload_identity_pool: ['name'],
  google_iam_workload_identity_pool_provider: ['name'],
};

/**
 * Turns literal identifiers back into the references they were written as: in a state, a
 * federated credential's `parent_id` is the identity's ARM ID and a role assignment's
 * `principal_id` its principal's GUID — the models follow references, as they do in a
 * configuration, to tie a credential or grant to its resource. A value linked is one exactly equal
 * to one other resource's identifying attribute (an ARM ID, an identity's GUIDs, a service
 * account's email or resource name); a value several resources share stays literal.
 */
export function linkIdentifiers(resources: readonly TerraformResource[]): TerraformResource[] {
  const owners = new Map<string, Array<{ address: string; attribute: string }>>();
  for (const r of resources) {
    for (const attribute of ['id', ...(IDENTIFYING_ATTRIBUTES[r.type] ?? [])]) {
      const value = r.attributes[attribute];
      if (typeof value !== 'string' || value.length < 8) continue;
      owners.set(value, [...(owners.get(value) ?? []), { address: r.address, attribute }]);
    }
  }
  const link = (value: Value, self: string): Value => {
    if (typeof value === 'string') {
      const found = [...new Set((owners.get(value) ?? []).map((o) => o.address))];
      if (found.length !== 1 || found[0] === self) return value;
      const owner = owners.get(value)!.find((o) => o.address === found[0])!;
      return { symbolic: 'ref', address: owner.address, attribute: owner.attribute };
    }
    if (Array.isArray(value)) return value.map((v) => link(v, self));
    if (value !== null && typeof value === 'object' && !('symbolic' in value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, link(v as Value, self)]));
    return value;
  };
  // A resource's own identifiers stay as they are: `link` never points a value at its own resource.
  return resources.map((r) => ({ ...r, attributes: Object.fromEntries(Object.entries(r.attributes).map(([k, v]) => [k, link(v, r.address)])) }));
}

/** An instance's address without its `count`/`for_each` keys: the address of its block in the configuration. */
export const blockAddressOf = (instance: string): string => instance.replace(/\[(?:\d+|"(?:[^"\\]|\\.)*")\]/g, '');

/**
 * Per resource type, the attributes that hold another resource's identifier, written as a bare
 * reference to it (`parent_id = azurerm_user_assigned_identity.x.id`): each cloud's provider model
 * declares its own. A plan value unknown until apply is followed to what it refers to only there.
 */
export type IdentifierAttributes = Readonly<Record<string, readonly string[]>>;

/** A resource block of a plan's `configuration`, with the module call it is declared in. */
interface ConfiguredBlock {
  /** Its address in the configuration (`azurerm_user_assigned_identity.this`), without module path. */
  readonly address: string;
  readonly resource: Json;
  /** The module (`root_module`, or a call's `module`) it is declared in. */
  readonly module: Json;
}

/** Every resource block of a plan's `configuration`, by block address with its module path (`module.agents.google_service_account.this`). */
function configuredBlocks(configuration: unknown): Map<string, ConfiguredBlock> {
  const found = new Map<string, ConfiguredBlock>();
  const visit = (module: unknown, prefix: string) => {
    if (!isObject(module)) return;
    for (const resource of Array.isArray(module.resources) ? module.resources : []) {
      if (isObject(resource) && typeof resource.address === 'string') found.set(`${prefix}${resource.address}`, { address: resource.address, resource, module });
    }
    const calls = isObject(module.module_calls) ? module.module_calls : {};
    for (const [name, call] of Object.entries(calls)) if (isObject(call)) visit(call.module, `${prefix}module.${name}.`);
  };
  visit(isObject(configuration) ? configuration.root_module : undefined, '');
  return found;
}

/** The references an expression (or a block of them) records, nested blocks included. */
function referencesOf(expression: unknown): Set<string> {
  const references = new Set<string>();
  const collect = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(collect);
    else if (isObject(node)) {
      for (const reference of Array.isArray(node.references) ? node.references : []) if (typeof reference === 'string') references.add(reference);
      for (const [key, value] of Object.entries(node)) if (key !== 'references' && key !== 'constant_value') collect(value);
    }
  };
  collect(expression);
  return references;
}

/** References to something other than a resource or module (`var.x`, `each.key`, `count.index`, `local.y`). */
const NOT_A_BLOCK = new Set(['var', 'local', 'each', 'count', 'path', 'self', 'terraform']);

/**
 * What each resource block of a plan's `configuration` comes after: its `depends_on` and the
 * resources its expressions refer to, as block addresses with their module path
 * (`module.agents.google_service_account.this`). Values in a plan are literal, so this is where
 * the order Terraform creates them in is written (federated credentials chained one after another).
 */
function configurationDependencies(blocks: ReadonlyMap<string, ConfiguredBlock>): Map<string, Set<string>> {
  const dependencies = new Map<string, Set<string>>();
  for (const [address, { resource }] of blocks) {
    const prefix = address.slice(0, address.length - String(resource.address).length);
    const references = referencesOf(resource.expressions);
    for (const explicit of Array.isArray(resource.depends_on) ? resource.depends_on : []) if (typeof explicit === 'string') references.add(explicit);
    // A reference `type.name.attribute` or `data.type.name…` names the block `type.name` / `data.type.name`.
    const named = [...references].flatMap((r) => {
      const parts = blockAddressOf(r).split('.');
      if (NOT_A_BLOCK.has(parts[0]) || parts[0] === 'module') return [];
      return [`${prefix}${parts.slice(0, parts[0] === 'data' ? 3 : 2).join('.')}`];
    });
    dependencies.set(address, new Set(named));
  }
  return dependencies;
}

/** An instance address split into its module instance path (`module.agent["deployer"].`) and the rest. */
function splitModulePath(instance: string): { readonly modulePath: string; readonly rest: string } {
  const match = /^((?:module\.[A-Za-z0-9_-]+(?:\[(?:\d+|"(?:[^"\\]|\\.)*")\])?\.)*)(.*)$/.exec(instance)!;
  return { modulePath: match[1], rest: match[2] };
}

/** `type.name[key].attribute…` / `data.type.name.attribute`, or `module.name[key].output`, parsed; undefined for anything else. */
const RESOURCE_REFERENCE = /^((?:data\.)?[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)((?:\[(?:\d+|"(?:[^"\\]|\\.)*")\])?)\.([A-Za-z0-9_.-]+)$/;
const MODULE_REFERENCE = /^module\.([A-Za-z0-9_-]+)((?:\[(?:\d+|"(?:[^"\\]|\\.)*")\])?)\.([A-Za-z0-9_-]+)$/;

/**
 * The one resource attribute an expression of a plan's configuration refers to, as the reference
 * it was written as — `parent_id = azurerm_user_assigned_identity.deployer.id`, in the module
 * instance the referring resource is in, or through a module's output to the resource inside it —
 * or undefined when it refers to none, to several, to a variable as well, or to an instance the
 * plan cannot single out (`x[each.key]` records no attribute; a repeated block without a key).
 */
function referenceOfExpression(expression: unknown, modulePath: string, module: Json, instances: ReadonlySet<string>, depth = 0): { address: string; attribute: string } | undefined {
  if (depth > 16) return undefined;
  const references = [...referencesOf(expression)];
  // Terraform lists each reference with its shorter prefixes (`x.id`, `x`): only the longest say what is read.
  const longest = references.filter((r) => !references.some((other) => other !== r && (other.startsWith(`${r}.`) || other.startsWith(`${r}[`))));
  if (longest.length !== 1 || NOT_A_BLOCK.has(longest[0].split('.')[0])) return undefined;
  const [reference] = longest;
  const output = MODULE_REFERENCE.exec(reference);
  if (output) {
    const call = isObject(module.module_calls) ? module.module_calls[output[1]] : undefined;
    if (!isObject(call) || !isObject(call.module)) return undefined;
    // A repeated module needs its key in the reference; a single one has none.
    const repeated = 'count_expression' in call || 'for_each_expression' in call;
    if (repeated !== (output[2] !== '')) return undefined;
    const outputs = isObject(call.module.outputs) ? call.module.outputs : {};
    const declared = outputs[output[3]];
    return isObject(declared) ? referenceOfExpression(declared.expression, `${modulePath}module.${output[1]}${output[2]}.`, call.module, instances, depth + 1) : undefined;
  }
  const target = RESOURCE_REFERENCE.exec(reference);
  if (!target) return undefined;
  const address = `${modulePath}${target[1]}${target[2]}`;
  if (instances.has(address)) return { address, attribute: target[3] };
  return undefined;
}

/**
 * A plan's values that are unknown until apply, read as the references they were written as:
 * a new federated credential's `parent_id` is its identity's `id` and a new role assignment's
 * `principal_id` its identity's `principal_id` — neither has a value before apply, but the plan's
 * `configuration` records which resource attribute each expression reads. The models follow those
 * references as they do a configuration's, so the credential and the grant stay tied to their
 * identity; the value itself stays what the referenced attribute is (unknown until apply).
 *
 * Only the attributes a provider model declares as identifiers are followed: the plan records
 * which attributes an expression reads, not the expression, so `member =
 * "principalSet://iam.googleapis.com/${google_iam_workload_identity_pool.p.name}/*"` — the whole
 * pool — reads exactly what `member = google_iam_workload_identity_pool.p.name` would. Read as
 * the pool's name, that binding would name nobody and an open gate would be judged closed. An
 * identifier (a `parent_id`, a `principal_id`) is written as the bare reference; anything else
 * stays unknown, for the rules and the checks to say they cannot judge it.
 */
function withConfigurationReferences(resources: readonly TerraformResource[], unknowns: ReadonlyMap<string, unknown>, blocks: ReadonlyMap<string, ConfiguredBlock>, identifierAttributes: IdentifierAttributes): TerraformResource[] {
  const instances = new Set(resources.map((r) => r.address));
  return resources.map((r) => {
    const marks = unknowns.get(r.address);
    const block = blocks.get(blockAddressOf(r.address));
    if (!isObject(marks) || !block || !isObject(block.resource.expressions)) return r;
    const expressions = block.resource.expressions;
    const { modulePath } = splitModulePath(r.address);
    const linked: Record<string, Value> = {};
    const providerComputed: string[] = [];
    for (const [attribute, mark] of Object.entries(marks)) {
      if (mark !== true) continue;
      if (!(attribute in expressions)) {
        providerComputed.push(attribute);
        continue;
      }
      if (!(identifierAttributes[r.type] ?? []).includes(attribute)) continue;
      const reference = referenceOfExpression(expressions[attribute], modulePath, block.module, instances);
      if (reference && reference.address !== r.address) linked[attribute] = { symbolic: 'ref', ...reference };
    }
    return { ...r, attributes: { ...r.attributes, ...linked }, providerComputed };
  });
}

/** Each resource with the instances it is created after, read from the plan's configuration. */
function withDependencies(resources: TerraformResource[], blocks: ReadonlyMap<string, ConfiguredBlock>): TerraformResource[] {
  const dependencies = configurationDependencies(blocks);
  if (dependencies.size === 0) return resources;
  const instancesOf = new Map<string, string[]>();
  for (const r of resources) instancesOf.set(blockAddressOf(r.address), [...(instancesOf.get(blockAddressOf(r.address)) ?? []), r.address]);
  return resources.map((r) => {
    const after = [...(dependencies.get(blockAddressOf(r.address)) ?? [])].flatMap((block) => instancesOf.get(block) ?? []).filter((a) => a !== r.address);
    return after.length > 0 ? { ...r, dependsOn: after } : r;
  });
}

/**
 * Reads `terraform show -json` output.
 *
 * @param file where it came from, for messages
 * @param identifierAttributes the attributes a plan's unknown values are followed through (each
 *   cloud's provider model declares them); none by default
 * @throws AttestGateError naming the file, the field and the fix for an unsupported format version
 *   or a malformed document
 */
export function readShowJson(json: unknown, file: string, identifierAttributes: IdentifierAttributes = {}): ShowJson {
  if (!isObject(json)) fail(file, '(document)', json, 'is not a JSON object', 'give the output of terraform show -json');
  const version = json.format_version;
  if (typeof version !== 'string' || !/^\d+\.\d+/.test(version)) fail(file, 'format_version', version, 'is not a version such as "1.2"', 'give the unmodified output of terraform show -json');
  const major = Number(version.split('.')[0]);
  if (major !== SUPPORTED_FORMAT_MAJOR) {
    fail(file, 'format_version', version, `is of major version ${major}; attestgate reads the JSON output format ${SUPPORTED_FORMAT_MAJOR}.x (Terraform 0.12 and later, OpenTofu)`, 'use a Terraform or OpenTofu release whose terraform show -json prints format 1.x, or a newer attestgate');
  }
  const toolVersion = typeof json.terraform_version === 'string' ? json.terraform_version : undefined;
  const kind: ShowJsonKind = 'planned_values' in json || 'resource_changes' in json ? 'plan' : 'state';
  const providers = providerLiterals(json.configuration);
  if (kind === 'state') {
    const values = isObject(json.values) ? json.values : {};
    const resources = linkIdentifiers(moduleResources(values.root_module, file, 'values.root_module').map((r) => toResource(r, undefined)));
    return { kind, formatVersion: version, ...(toolVersion ? { toolVersion } : {}), resources, providers };
  }
  const planned = isObject(json.planned_values) ? json.planned_values : {};
  const changes = new Map<string, Json>();
  for (const change of Array.isArray(json.resource_changes) ? json.resource_changes : []) {
    if (isObject(change) && typeof change.address === 'string' && isObject(change.change)) changes.set(change.address, change.change);
  }
  const resources = moduleResources(planned.root_module, file, 'planned_values.root_module').map((r) => {
    const change = changes.get(r.address);
    // after_sensitive covers what the planned values' own sensitive_values may not (new resources).
    return toResource({ ...r, sensitive: r.sensitive ?? change?.after_sensitive }, change?.after_unknown);
  });
  // Data sources read at plan time are in the prior state; the plan's values may not repeat them.
  const planned_addresses = new Set(resources.map((r) => r.address));
  const prior = isObject(json.prior_state) && isObject(json.prior_state.values) ? json.prior_state.values.root_module : undefined;
  const data = moduleResources(prior, file, 'prior_state.values.root_module').filter((r) => r.mode === 'data' && !planned_addresses.has(r.address));
  const blocks = configuredBlocks(json.configuration);
  const unknowns = new Map([...changes].map(([address, change]) => [address, change.after_unknown]));
  const all = withDependencies(withConfigurationReferences([...resources, ...data.map((r) => toResource(r, undefined))], unknowns, blocks, identifierAttributes), blocks);
  return { kind, formatVersion: version, ...(toolVersion ? { toolVersion } : {}), resources: linkIdentifiers(all), providers };
}
