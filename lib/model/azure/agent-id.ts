import { TerraformModel, TerraformResource } from '../terraform/configuration';
import { TerraformSymbol, Value, describeValue, isSymbol, isSymbolicString } from '../terraform/expressions';
import { APPLICATION_FEDERATED_CREDENTIAL_TYPE } from './azure-federated-identity';

/**
 * What Microsoft Entra Agent ID means in a Terraform configuration: agent identity blueprints (an
 * application subtype), their principals, the agent identities created from them, and every
 * credential of a blueprint — read from the microsoft/msgraph provider's generic resources
 * (`msgraph_resource`, `msgraph_update_resource`, `msgraph_resource_action`: a Graph `url` and a
 * JSON `body`) and from azuread's application credential resources pointing at a blueprint.
 *
 * Why the credentials are the blueprint's: an agent identity cannot hold credentials itself (Graph
 * refuses with PropertyNotCompatibleWithAgentIdentity); its tokens come by the two-leg flow, where
 * the blueprint authenticates with any of its credentials and names the agent in `fmi_path`. A
 * blueprint can do that for any of its agent identities, so every credential of the blueprint is a
 * way to every agent under it (agent-issuance-paths.ts judges them).
 *
 * Graph paths are read case-insensitively, with or without a leading `/`, an API version or the
 * `https://graph.microsoft.com/` host, and objects are addressed by ID or by `(appId='…')`: a
 * blueprint written in an unusual but valid way is still a blueprint. Pure: no cdktf.
 */

export const MSGRAPH_RESOURCE_TYPE = 'msgraph_resource';
export const MSGRAPH_UPDATE_RESOURCE_TYPE = 'msgraph_update_resource';
export const MSGRAPH_RESOURCE_ACTION_TYPE = 'msgraph_resource_action';
/** azuread ≥ 3.7: a federated credential with `claims_matching_expression` instead of `subject`. */
export const FLEXIBLE_FEDERATED_CREDENTIAL_TYPE = 'azuread_application_flexible_federated_identity_credential';
export const APPLICATION_PASSWORD_TYPE = 'azuread_application_password';
export const APPLICATION_CERTIFICATE_TYPE = 'azuread_application_certificate';

/** The Graph type casts of Agent ID, lowercase. */
const BLUEPRINT_CAST = 'microsoft.graph.agentidentityblueprint';
const BLUEPRINT_PRINCIPAL_CAST = 'microsoft.graph.agentidentityblueprintprincipal';
const AGENT_IDENTITY_CAST = 'microsoft.graph.agentidentity';

/** A Graph object as another resource names it: a resource of the configuration, a literal ID, or not known before apply. */
export type GraphRef = { readonly address: string } | { readonly id: string } | { readonly unknown: string };

export interface BlueprintModel {
  readonly resource: TerraformResource;
  readonly displayName: Value | undefined;
}

export interface BlueprintPrincipalModel {
  readonly resource: TerraformResource;
  /** The blueprint whose `appId` it was created for. */
  readonly blueprint: GraphRef;
}

export interface AgentIdentityModel {
  readonly resource: TerraformResource;
  readonly displayName: Value | undefined;
  /** The blueprint (its `appId`) it was created from. */
  readonly blueprint: GraphRef;
}

interface CredentialBase {
  readonly resource: TerraformResource;
  /** The application it belongs to. */
  readonly parent: GraphRef;
  /** Where in the resource: `body`, `body.passwordCredentials[0]`, `action`. */
  readonly location: string;
}

export interface FederatedBlueprintCredential extends CredentialBase {
  readonly kind: 'federated';
  readonly issuer: Value | undefined;
  readonly subject: Value | undefined;
  readonly audiences: Value | undefined;
}

export interface FlexibleBlueprintCredential extends CredentialBase {
  readonly kind: 'flexible-federated';
  readonly issuer: Value | undefined;
  /** The expression's text (`claimsMatchingExpression.value`, `claims_matching_expression`). */
  readonly expression: Value | undefined;
  readonly audiences: Value | undefined;
}

export interface SecretBlueprintCredential extends CredentialBase {
  readonly kind: 'password' | 'certificate';
}

/** A credential of a blueprint: what lets a workload (or whoever holds a secret) act as it. */
export type BlueprintCredentialModel = FederatedBlueprintCredential | FlexibleBlueprintCredential | SecretBlueprintCredential;

/** A sponsor or owner, as written (`https://graph.microsoft.com/v1.0/users/<id>`, or a reference). */
export interface DirectoryReference {
  readonly value: Value;
  /** The resource that adds it (the object's own, or a `…/sponsors/$ref` resource). */
  readonly resource: string;
}

/** Everything Agent ID in one configuration. */
export interface AgentIdModel {
  readonly blueprints: readonly BlueprintModel[];
  readonly principals: readonly BlueprintPrincipalModel[];
  readonly agents: readonly AgentIdentityModel[];
  /** The credentials of blueprints (of the configuration, or named as one by a cast or an agent). */
  readonly credentials: readonly BlueprintCredentialModel[];
  /** The blueprint a credential or agent names, as a key shared by both; undefined when not known before apply. */
  readonly keyOf: (ref: GraphRef) => string | undefined;
  readonly sponsorsOf: (address: string) => readonly DirectoryReference[];
  readonly ownersOf: (address: string) => readonly DirectoryReference[];
}

type Part = string | TerraformSymbol;
/** A path segment: its literal text and symbols (`applications(appId='${…}')` has both). */
type Segment = readonly Part[];

const lower = (s: string | undefined) => s?.toLowerCase();

/** A Graph URL as segments, without host, API version or empty segments. */
export function segmentsOf(value: Value | undefined): Segment[] | undefined {
  const parts: Part[] = typeof value === 'string' ? [value] : isSymbolicString(value) ? [...value.parts] : isSymbol(value) ? [value] : [];
  if (parts.length === 0) return undefined;
  const segments: Part[][] = [[]];
  for (const part of parts) {
    if (typeof part !== 'string') {
      segments[segments.length - 1].push(part);
      continue;
    }
    part.split('/').forEach((piece, i) => {
      if (i > 0) segments.push([]);
      if (piece !== '') segments[segments.length - 1].push(piece);
    });
  }
  let list = segments.filter((s) => s.length > 0);
  const text = (s: Segment | undefined) => (s && s.every((p) => typeof p === 'string') ? (s as string[]).join('').toLowerCase() : undefined);
  if (text(list[0]) === 'https:' || text(list[0]) === 'http:') list = list.slice(1);
  if (text(list[0]) === 'graph.microsoft.com') list = list.slice(1);
  if (text(list[0]) === 'v1.0' || text(list[0]) === 'beta') list = list.slice(1);
  return list;
}

/** The literal text of a segment, lowercase, or undefined when it holds a symbol. */
export function literal(segment: Segment | undefined): string | undefined {
  return segment && segment.every((p) => typeof p === 'string') ? (segment as string[]).join('').toLowerCase() : undefined;
}

/** A value naming a Graph object: a reference to a resource (any attribute), a literal ID, or unknown. */
export function graphRefOf(value: Value | undefined): GraphRef {
  if (typeof value === 'string') return { id: value.replace(/^\/?(applications|servicePrincipals)\//i, '') };
  if (isSymbol(value)) return value.symbolic === 'ref' ? { address: value.address } : { unknown: describeValue(value) };
  if (isSymbolicString(value)) {
    // `/applications/${msgraph_resource.bp.id}`: one reference, with only a collection prefix around it.
    const symbols = value.parts.filter((p): p is TerraformSymbol => typeof p !== 'string');
    const text = value.parts.filter((p): p is string => typeof p === 'string').join('');
    if (symbols.length === 1 && symbols[0].symbolic === 'ref' && /^\/?((applications|servicePrincipals)\/)?$/i.test(text)) return { address: symbols[0].address };
  }
  return { unknown: describeValue(value) };
}

/** The object a segment names: `<id>`, `${ref}`, or `applications(appId='…')`. */
function segmentRef(segment: Segment): GraphRef {
  const parts = segment.filter((p) => p !== '');
  if (parts.length === 1) return graphRefOf(parts[0]);
  return { unknown: parts.map((p) => (typeof p === 'string' ? p : `\${${describeValue(p)}}`)).join('') };
}

/** `applications/<x>/…` or `applications(appId='<x>')/…`: the collection, the object, and the rest (lowercase, casts kept). */
function objectPath(segments: readonly Segment[]): { collection: string; object: GraphRef; rest: string[] } | undefined {
  const first = segments[0];
  if (!first) return undefined;
  const head = typeof first[0] === 'string' ? /^(applications|serviceprincipals)\((?:appid|id)='(.*)$/i.exec(first[0]) : null;
  const restOf = (from: number) => segments.slice(from).map((s) => literal(s) ?? '\u0000');
  if (head) {
    // `applications(appId='` + value + `')`: the value is what lies between the quotes.
    const inner: Part[] = [head[2], ...first.slice(1)];
    const last = inner[inner.length - 1];
    if (typeof last !== 'string' || !last.endsWith("')")) return undefined;
    inner[inner.length - 1] = last.slice(0, -2);
    return { collection: head[1].toLowerCase(), object: segmentRef(inner), rest: restOf(1) };
  }
  const collection = literal(first);
  if ((collection !== 'applications' && collection !== 'serviceprincipals') || segments.length < 2) return undefined;
  return { collection, object: segmentRef(segments[1]), rest: restOf(2) };
}

const textOf = (v: Value | undefined) => (typeof v === 'string' ? v : undefined);
/** A Terraform value that is a literal object (not a reference or a string known only at apply). */
export const objectOf = (v: Value | undefined): Record<string, Value> | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && !isSymbol(v) && !isSymbolicString(v) ? (v as Record<string, Value>) : undefined;
const listOf = (v: Value | undefined): Value[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);
/** The body of an msgraph resource: an object, or JSON text (`jsonencode` written out). */
export function bodyOf(resource: TerraformResource): Record<string, Value> | undefined {
  const body = resource.attributes.body;
  if (typeof body === 'string') {
    try {
      return objectOf(JSON.parse(body) as Value);
    } catch {
      return undefined;
    }
  }
  return objectOf(body);
}
/** The `@odata.type` a body creates, lowercase, without `#`. */
const odataType = (body: Record<string, Value> | undefined) => lower(textOf(body?.['@odata.type']))?.replace(/^#/, '');

/** Reads a configuration's Agent ID objects and blueprint credentials. */
export function agentIdModel(model: TerraformModel): AgentIdModel {
  const blueprints: BlueprintModel[] = [];
  const principals: BlueprintPrincipalModel[] = [];
  const agents: AgentIdentityModel[] = [];
  /** Credentials of any application; those of blueprints are kept at the end. */
  const credentials: Array<BlueprintCredentialModel & { readonly cast: boolean }> = [];
  const references: Array<{ kind: 'sponsors' | 'owners'; target: GraphRef; ref: DirectoryReference }> = [];
  const bound = (body: Record<string, Value> | undefined, key: string, resource: string) => listOf(body?.[`${key}@odata.bind`]).map((value) => ({ value, resource }));
  const own = new Map<string, { sponsors: DirectoryReference[]; owners: DirectoryReference[] }>();

  for (const resource of model.resources.filter((r) => r.mode === 'managed')) {
    const isGraph = resource.type === MSGRAPH_RESOURCE_TYPE || resource.type === MSGRAPH_UPDATE_RESOURCE_TYPE || resource.type === MSGRAPH_RESOURCE_ACTION_TYPE;
    if (!isGraph) continue;
    const body = bodyOf(resource);
    const url =
      resource.type === MSGRAPH_RESOURCE_ACTION_TYPE
        ? segmentsOf(resource.attributes.resource_url)?.concat(segmentsOf(resource.attributes.action) ?? [])
        : segmentsOf(resource.attributes.url);
    if (!url) continue;
    const path = url.map((s) => literal(s));
    const type = odataType(body);
    if (resource.type === MSGRAPH_RESOURCE_TYPE && path.length <= 2) {
      const [collection, cast = type] = path;
      if (collection === 'applications' && cast === BLUEPRINT_CAST) {
        blueprints.push({ resource, displayName: body?.displayName });
        own.set(resource.address, { sponsors: bound(body, 'sponsors', resource.address), owners: bound(body, 'owners', resource.address) });
        // Secrets written into the blueprint's own body.
        secretsInBody(body, 'body').forEach((c) => credentials.push({ ...c, resource, parent: { address: resource.address }, cast: true }));
        continue;
      }
      if (collection === 'serviceprincipals' && cast === BLUEPRINT_PRINCIPAL_CAST) {
        principals.push({ resource, blueprint: graphRefOf(body?.appId) });
        continue;
      }
      if (collection === 'serviceprincipals' && cast === AGENT_IDENTITY_CAST) {
        agents.push({ resource, displayName: body?.displayName, blueprint: graphRefOf(body?.agentIdentityBlueprintId ?? body?.agentIdentityBlueprintAppId) });
        own.set(resource.address, { sponsors: bound(body, 'sponsors', resource.address), owners: bound(body, 'owners', resource.address) });
        continue;
      }
    }
    const object = objectPath(url);
    if (!object) continue;
    const rest = object.rest.filter((s) => s !== BLUEPRINT_CAST && s !== AGENT_IDENTITY_CAST);
    const cast = object.rest.includes(BLUEPRINT_CAST);
    const last = rest[rest.length - 1];
    if (rest.length === 2 && (rest[0] === 'sponsors' || rest[0] === 'owners') && last === '$ref') {
      references.push({ kind: rest[0], target: object.object, ref: { value: body?.['@odata.id'] ?? null, resource: resource.address } });
      continue;
    }
    if (object.collection !== 'applications') continue;
    const base = { resource, parent: object.object, cast };
    if (rest.length === 1 && rest[0] === 'federatedidentitycredentials' && resource.type !== MSGRAPH_RESOURCE_ACTION_TYPE) {
      const expression = objectOf(body?.claimsMatchingExpression);
      if (body?.claimsMatchingExpression !== undefined && body.claimsMatchingExpression !== null) {
        credentials.push({ ...base, kind: 'flexible-federated', location: 'body.claimsMatchingExpression', issuer: body.issuer, expression: expression ? expression.value : body.claimsMatchingExpression, audiences: body.audiences });
      } else {
        credentials.push({ ...base, kind: 'federated', location: 'body', issuer: body?.issuer, subject: body?.subject, audiences: body?.audiences });
      }
    } else if (rest.length === 1 && (rest[0] === 'addpassword' || rest[0] === 'addkey')) {
      credentials.push({ ...base, kind: rest[0] === 'addpassword' ? 'password' : 'certificate', location: resource.type === MSGRAPH_RESOURCE_ACTION_TYPE ? 'action' : 'url' });
    } else if (rest.length === 0) {
      // A PATCH of the application (msgraph_update_resource) that writes secrets or keys.
      secretsInBody(body, 'body').forEach((c) => credentials.push({ ...c, ...base }));
    }
  }

  for (const resource of model.resourcesOfType(APPLICATION_FEDERATED_CREDENTIAL_TYPE)) {
    const a = resource.attributes;
    credentials.push({ resource, parent: graphRefOf(a.application_id ?? a.application_object_id), cast: false, kind: 'federated', location: '', issuer: a.issuer, subject: a.subject, audiences: a.audiences });
  }
  for (const resource of model.resourcesOfType(FLEXIBLE_FEDERATED_CREDENTIAL_TYPE)) {
    const a = resource.attributes;
    credentials.push({ resource, parent: graphRefOf(a.application_id), cast: false, kind: 'flexible-federated', location: 'claims_matching_expression', issuer: a.issuer, expression: a.claims_matching_expression, audiences: a.audience });
  }
  for (const [type, kind] of [[APPLICATION_PASSWORD_TYPE, 'password'], [APPLICATION_CERTIFICATE_TYPE, 'certificate']] as const) {
    for (const resource of model.resourcesOfType(type)) {
      credentials.push({ resource, parent: graphRefOf(resource.attributes.application_id ?? resource.attributes.application_object_id), cast: false, kind, location: 'application_id' });
    }
  }

  const blueprintAddresses = new Set(blueprints.map((b) => b.resource.address));
  // A literal ID is a blueprint's when a cast says so or an agent identity names it as its blueprint.
  const literalBlueprints = new Set([...credentials.filter((c) => c.cast && 'id' in c.parent).map((c) => (c.parent as { id: string }).id.toLowerCase()), ...agents.flatMap((a) => ('id' in a.blueprint ? [a.blueprint.id.toLowerCase()] : []))]);
  const keyOf = (ref: GraphRef): string | undefined => ('address' in ref ? ref.address : 'id' in ref ? ref.id.toLowerCase() : undefined);
  const isBlueprint = (ref: GraphRef) => ('address' in ref ? blueprintAddresses.has(ref.address) : 'id' in ref && literalBlueprints.has(ref.id.toLowerCase()));
  const blueprintCredentials = credentials.filter((c) => c.cast || isBlueprint(c.parent)).map(({ cast: _cast, ...c }) => c as BlueprintCredentialModel);

  const referencesOf = (kind: 'sponsors' | 'owners') => (address: string) => [
    ...(own.get(address)?.[kind] ?? []),
    ...references.filter((r) => r.kind === kind && 'address' in r.target && r.target.address === address).map((r) => r.ref),
  ];
  return { blueprints, principals, agents, credentials: blueprintCredentials, keyOf, sponsorsOf: referencesOf('sponsors'), ownersOf: referencesOf('owners') };
}

/** Passwords and keys a Graph body writes (`passwordCredentials`, `keyCredentials`). */
function secretsInBody(body: Record<string, Value> | undefined, at: string): Array<{ kind: 'password' | 'certificate'; location: string }> {
  const found: Array<{ kind: 'password' | 'certificate'; location: string }> = [];
  for (const [key, kind] of [['passwordCredentials', 'password'], ['keyCredentials', 'certificate']] as const) {
    const value = body?.[key];
    if (value === undefined || value === null) continue;
    // A list known only at apply may hold secrets; an empty literal list holds none.
    if (Array.isArray(value)) value.forEach((_v, i) => found.push({ kind, location: `${at}.${key}[${i}]` }));
    else found.push({ kind, location: `${at}.${key}` });
  }
  return found;
}

/** The agent identities created from a blueprint (by its key), in configuration order. */
export function agentsOfBlueprint(agentId: AgentIdModel, blueprintKey: string): AgentIdentityModel[] {
  return agentId.agents.filter((a) => agentId.keyOf(a.blueprint) === blueprintKey);
}

/** The credentials of a blueprint (by its key). */
export function credentialsOfBlueprint(agentId: AgentIdModel, blueprintKey: string): BlueprintCredentialModel[] {
  return agentId.credentials.filter((c) => agentId.keyOf(c.parent) === blueprintKey);
}

/**
 * The attribute that holds a blueprint credential's Graph ID once applied — what a sign-in
 * record's FederatedCredentialId names (the column is documented as the federated credential's
 * identifier; that it is the Graph `id` is not confirmed on a live tenant): an msgraph
 * resource's `id`, azuread's `credential_id`. Undefined for a password or certificate, which a
 * sign-in names by ServicePrincipalCredentialKeyId instead.
 */
export function credentialIdAttribute(credential: BlueprintCredentialModel): string | undefined {
  if (credential.kind !== 'federated' && credential.kind !== 'flexible-federated') return undefined;
  return credential.resource.type.startsWith('azuread_') ? 'credential_id' : 'id';
}

/** The `response_export_values` key an msgraph resource exports `appId` under (`output.<key>`), if it does. */
export function exportedAppIdAttribute(resource: TerraformResource): string | undefined {
  const exports = resource.attributes.response_export_values;
  if (exports === null || typeof exports !== 'object' || Array.isArray(exports)) return undefined;
  const key = Object.entries(exports as Record<string, Value>).find(([, v]) => v === 'appId')?.[0];
  return key === undefined ? undefined : `output.${key}`;
}
