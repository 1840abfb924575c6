import { ACKNOWLEDGED_PATHS_KEY, readAcknowledgedPaths } from '../../core/acknowledged-paths';
import { GATE_MANIFEST_METADATA_KEY, parseGateManifest } from '../../core/gate-manifest';
import { TerraformModel, TerraformResource } from '../terraform/configuration';
import { SymbolicString, Value, describeValue, isSymbol, isSymbolicString } from '../terraform/expressions';
import { FederatedCredentialModel, USER_ASSIGNED_IDENTITY_TYPE, credentialsOfParent, instanceCount } from './azure-federated-identity';
import { DeclaredTrust } from './declared-credentials';
import { sharedSubjectIdentity } from './shared-subjects';

/**
 * Every way to obtain an Entra identity's tokens, read from a Terraform configuration:
 *
 * - each federated identity credential: a token of its issuer and subject is exchanged for the
 *   identity's. It is the attested path when the gate manifest declares it (the agent's SPIFFE ID
 *   from its SPIRE issuers); any other trust — a subject many workloads share, another issuer's
 *   subject — hands the identity to whoever presents that token;
 * - each place a user-assigned identity is attached (`identity_ids` of a VM, scale set, App
 *   Service, Function, container app or group, AKS cluster, or any other resource; an AKS
 *   `kubelet_identity`): code running there asks the local managed-identity endpoint (IMDS,
 *   IDENTITY_ENDPOINT) for its tokens, and nothing asks for an attestation;
 * - for an app registration, each client secret and certificate of the application or of its
 *   service principals (`azuread_application_password`, `…_certificate`, `password {}` blocks,
 *   `azuread_service_principal_password`, `…_certificate`): whoever holds it signs in as the app.
 *
 * Pure: no cdktf. The synth-time rules and the conformance check read the same enumeration.
 */

export { ACKNOWLEDGED_PATHS_KEY } from '../../core/acknowledged-paths';

export const APPLICATION_TYPE = 'azuread_application';
export const SERVICE_PRINCIPAL_TYPE = 'azuread_service_principal';
/** Secrets and certificates of an application, and the attribute naming it (azuread 3.x, then 2.x). */
const APPLICATION_SECRETS: ReadonlyArray<{ readonly type: string; readonly kind: 'client-secret' | 'client-certificate' }> = [
  { type: 'azuread_application_password', kind: 'client-secret' },
  { type: 'azuread_application_certificate', kind: 'client-certificate' },
];
const SERVICE_PRINCIPAL_SECRETS: ReadonlyArray<{ readonly type: string; readonly kind: 'client-secret' | 'client-certificate' }> = [
  { type: 'azuread_service_principal_password', kind: 'client-secret' },
  { type: 'azuread_service_principal_certificate', kind: 'client-certificate' },
];

export interface AzureIssuancePath {
  /** Stable: `federated:<address>`, `attached:<address>[/kubelet_identity]`, `secret:<address>[/password[i]]`, `certificate:<address>`. */
  readonly id: string;
  readonly kind: 'federated-credential' | 'attachment' | 'client-secret' | 'client-certificate';
  /** The Terraform address of the resource that opens the path. */
  readonly resource: string;
  /**
   * True only for a federated credential the gate manifest declares; false for a path without
   * attestation; undefined when that cannot be told before apply (a value known only at apply,
   * or no manifest declaring the identity's trusts).
   */
  readonly attested: boolean | undefined;
  /** The path, for people. */
  readonly description: string;
  /** Why it is (not) attested, or why that cannot be told. */
  readonly why: string;
  /** For an attachment: whether the resource runs code of its own (compute), where any process gets the tokens. */
  readonly compute?: boolean;
  /** Why the path is accepted on purpose, when the identity acknowledges it. */
  readonly acknowledged?: string;
  /**
   * For a path to an agent identity through the managed identity its blueprint trusts (an
   * attachment, or a federated credential of that identity): the managed identity's address.
   */
  readonly through?: string;
}

/** Where the identity is, for matching what refers to it. */
export interface IdentityRef {
  /** The identity's address in the configuration (user-assigned identity or application), when it is there. */
  readonly address?: string;
  /** The literal ID a credential's parent names, when the identity is outside the configuration. */
  readonly id?: string;
}

/**
 * Resource types that run code of their own: any process there reaches the managed-identity
 * endpoint. Every other resource that attaches the identity is still a path (its service acts as
 * the identity on behalf of whatever it is configured to run), described as such — among them an
 * AKS cluster's `identity`, which its control plane uses (its nodes use the `kubelet_identity`).
 */
const COMPUTE = /^azurerm_((linux|windows|orchestrated)_)?virtual_machine(_scale_set)?$|^azurerm_(linux|windows)_(web_app|function_app)(_slot)?$|^azurerm_(function_app_flex_consumption|app_service|function_app|logic_app_standard)$|^azurerm_container_(app|app_job|group)$|^azurerm_batch_pool$|^azurerm_spring_cloud_|^azurerm_machine_learning_compute_|^azurerm_automation_account$|^azurerm_(api_management|data_factory|synapse_workspace)$/;

type Match = 'yes' | 'no' | 'maybe';

const text = (v: Value | undefined) => (typeof v === 'string' ? v : undefined);

/** The literal name (and resource group) of an identity-like resource, for matching literal resource IDs. */
function nameOf(resource: TerraformResource | undefined): { name?: string; group?: string; known: boolean } {
  if (!resource) return { known: false };
  const name = text(resource.attributes.name);
  const group = text(resource.attributes.resource_group_name);
  return { name, group, known: name !== undefined };
}

/** Whether a literal resource ID names the identity: `/…/resourceGroups/<rg>/providers/Microsoft.ManagedIdentity/userAssignedIdentities/<name>`. */
function literalIdMatches(id: string, model: TerraformModel, identity: IdentityRef): Match {
  if (identity.id !== undefined) return id.toLowerCase() === identity.id.toLowerCase() ? 'yes' : 'no';
  const m = /\/resourceGroups\/([^/]+)\/providers\/Microsoft\.ManagedIdentity\/userAssignedIdentities\/([^/]+)$/i.exec(id);
  if (!m) return 'no';
  const { name, group, known } = nameOf(identity.address ? model.resource(identity.address) : undefined);
  if (!known) return 'maybe';
  if (name!.toLowerCase() !== m[2].toLowerCase()) return 'no';
  // Same name: the same identity unless a known resource group says otherwise (IDs compare case-insensitively).
  return group === undefined || group.toLowerCase() === m[1].toLowerCase() ? 'yes' : 'no';
}

/** Whether a value in `identity_ids` (or a kubelet identity ID) is the identity. */
function refersTo(value: Value, model: TerraformModel, identity: IdentityRef): Match {
  if (typeof value === 'string') return literalIdMatches(value, model, identity);
  if (isSymbol(value)) {
    if (value.symbolic !== 'ref') return 'maybe';
    if (value.address === identity.address) return 'yes';
    // The identity read back by a data source: the same one when name and group match.
    if (value.address.startsWith(`data.${USER_ASSIGNED_IDENTITY_TYPE}.`) && identity.address) {
      const data = nameOf(model.resource(value.address));
      const own = nameOf(model.resource(identity.address));
      if (!data.known || !own.known) return 'maybe';
      if (data.name!.toLowerCase() !== own.name!.toLowerCase()) return 'no';
      return data.group === undefined || own.group === undefined || data.group.toLowerCase() === own.group.toLowerCase() ? 'yes' : 'no';
    }
    // Another resource of the configuration is another identity; a module output may be any.
    return model.resource(value.address) ? 'no' : 'maybe';
  }
  if (isSymbolicString(value)) return symbolicIdMatches(value, model, identity);
  return 'no';
}

/** A template such as `/subscriptions/${var.sub}/…/userAssignedIdentities/deployer`: judged by the literal tail when it names the identity. */
function symbolicIdMatches(value: SymbolicString, model: TerraformModel, identity: IdentityRef): Match {
  if (value.parts.some((p) => typeof p !== 'string' && p.symbolic === 'ref' && p.address === identity.address)) return 'yes';
  const last = value.parts[value.parts.length - 1];
  const tail = typeof last === 'string' ? /\/userAssignedIdentities\/([^/]+)$/i.exec(last) : null;
  if (!tail || identity.id !== undefined) return 'maybe';
  const own = nameOf(identity.address ? model.resource(identity.address) : undefined);
  if (!own.known) return 'maybe';
  return own.name!.toLowerCase() === tail[1].toLowerCase() ? 'yes' : 'no';
}

const listOf = (v: Value | undefined): Value[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);
const blocksOf = (v: Value | undefined): Array<Record<string, Value>> =>
  listOf(v).filter((b): b is Record<string, Value> => b !== null && typeof b === 'object' && !Array.isArray(b) && !isSymbol(b) && !isSymbolicString(b));

/**
 * Every `identity_ids` of a resource, at any depth (most resources have a top-level `identity`
 * block; some nest it), and an AKS `kubelet_identity`'s `user_assigned_identity_id`.
 */
function identityReferences(attributes: Record<string, Value>, at = ''): Array<{ where: string; values: Value }> {
  const found: Array<{ where: string; values: Value }> = [];
  for (const [key, value] of Object.entries(attributes)) {
    const where = at ? `${at}.${key}` : key;
    if (key === 'identity_ids') found.push({ where, values: value });
    else if (key === 'kubelet_identity') blocksOf(value).forEach((b) => b.user_assigned_identity_id !== undefined && found.push({ where: `${where}.user_assigned_identity_id`, values: [b.user_assigned_identity_id] }));
    else blocksOf(value).forEach((b, i) => found.push(...identityReferences(b, Array.isArray(value) && value.length > 1 ? `${where}[${i}]` : where)));
  }
  return found;
}

/** Every resource that attaches a user-assigned identity, and whether each attachment is provably it (agent-issuance-paths.ts reads them too). */
/**
 * The resources that name identities (`identity_ids`, a kubelet identity), with where: read once per
 * configuration. Walking every resource's attributes for every identity made 1,000 identities
 * quadratic in the resources (bench/synth-tf); the model is immutable, so this is too.
 */
const referencing = new WeakMap<TerraformModel, ReadonlyArray<{ readonly r: TerraformResource; readonly references: Array<{ where: string; values: Value }> }>>();

function resourcesNamingIdentities(model: TerraformModel): ReadonlyArray<{ readonly r: TerraformResource; readonly references: Array<{ where: string; values: Value }> }> {
  let found = referencing.get(model);
  if (!found) {
    found = model.resources
      // A block repeated zero times (`count = 0`) attaches nothing.
      .filter((r) => r.mode === 'managed' && instanceCount(r) !== 0)
      .map((r) => ({ r, references: identityReferences(r.attributes) }))
      .filter(({ references }) => references.length > 0);
    referencing.set(model, found);
  }
  return found;
}

export function attachmentPaths(model: TerraformModel, identity: IdentityRef): AzureIssuancePath[] {
  if (identity.address !== undefined && model.resource(identity.address)?.type !== USER_ASSIGNED_IDENTITY_TYPE) return [];
  return resourcesNamingIdentities(model)
    .filter(({ r }) => r.address !== identity.address)
    .flatMap(({ r, references }) =>
      references.flatMap(({ where, values }): AzureIssuancePath[] => {
        const entries = Array.isArray(values) ? values : [values];
        // A whole list known only at apply (`identity_ids = var.ids`) may hold the identity.
        const matches = Array.isArray(values) || !(isSymbol(values) && values.symbolic !== 'ref') ? entries.map((v) => refersTo(v, model, identity)) : ['maybe' as const];
        const match: Match = matches.includes('yes') ? 'yes' : matches.includes('maybe') ? 'maybe' : 'no';
        if (match === 'no') return [];
        const kubelet = where.startsWith('kubelet_identity');
        const compute = kubelet || COMPUTE.test(r.type);
        const id = `attached:${r.address}${kubelet ? '/kubelet_identity' : ''}`;
        const description = kubelet ? `kubelet identity of AKS cluster ${r.address}` : `attached to ${r.address} (${where})`;
        const who = kubelet
          ? 'every pod on the cluster’s nodes can get its tokens from the instance metadata endpoint, without attestation'
          : compute
            ? 'any process running there gets its tokens from the managed-identity endpoint (IMDS / IDENTITY_ENDPOINT), without attestation'
            : 'the service acts as the identity for whatever it is configured to run, without attestation';
        if (match === 'maybe') {
          const unknown = entries.filter((v) => refersTo(v, model, identity) === 'maybe').map(describeValue);
          return [{ id, kind: 'attachment', resource: r.address, attested: undefined, compute, description, why: `${where} names ${unknown.join(', ') || describeValue(values)}, known only at apply: if that is this identity, ${who}` }];
        }
        return [{ id, kind: 'attachment', resource: r.address, attested: false, compute, description, why: who }];
      }),
    );
}

/** Whether a reference value points at `address` (any attribute of it). */
const pointsAt = (v: Value | undefined, address: string) => isSymbol(v) && v.symbolic === 'ref' && v.address === address;

/** The application's client secrets and certificates, and those of its service principals. */
function secretPaths(model: TerraformModel, identity: IdentityRef): AzureIssuancePath[] {
  const app = identity.address ? model.resource(identity.address) : undefined;
  if (!app || app.type !== APPLICATION_TYPE) return [];
  const paths: AzureIssuancePath[] = [];
  const secret = (r: TerraformResource, kind: 'client-secret' | 'client-certificate', of: string): AzureIssuancePath => ({
    id: `${kind === 'client-secret' ? 'secret' : 'certificate'}:${r.address}`,
    kind,
    resource: r.address,
    attested: false,
    description: `${kind === 'client-secret' ? 'client secret' : 'client certificate'} ${r.address} of ${of}`,
    why: `whoever holds the ${kind === 'client-secret' ? 'secret' : 'certificate’s private key'} signs in as the application, without attestation`,
  });
  blocksOf(app.attributes.password).forEach((_b, i, all) => {
    const at = `${app.address}/password${all.length > 1 ? `[${i}]` : ''}`;
    paths.push({ id: `secret:${at}`, kind: 'client-secret', resource: app.address, attested: false, description: `client secret (password block${all.length > 1 ? ` ${i}` : ''}) of application ${app.address}`, why: 'whoever holds the secret signs in as the application, without attestation' });
  });
  for (const { type, kind } of APPLICATION_SECRETS) {
    for (const r of model.resourcesOfType(type)) {
      if (pointsAt(r.attributes.application_id, app.address) || pointsAt(r.attributes.application_object_id, app.address)) paths.push(secret(r, kind, `application ${app.address}`));
    }
  }
  const principals = model.resourcesOfType(SERVICE_PRINCIPAL_TYPE).filter((sp) => pointsAt(sp.attributes.client_id, app.address) || pointsAt(sp.attributes.application_id, app.address));
  for (const sp of principals) {
    for (const { type, kind } of SERVICE_PRINCIPAL_SECRETS) {
      for (const r of model.resourcesOfType(type)) if (pointsAt(r.attributes.service_principal_id, sp.address)) paths.push(secret(r, kind, `service principal ${sp.address}`));
    }
  }
  return paths;
}

/** Each federated credential, judged against the trusts the gate manifest declares. */
function federatedPath(credential: FederatedCredentialModel, declared: readonly DeclaredTrust[] | undefined): AzureIssuancePath {
  const address = credential.resource.address;
  const audiences = listOf(credential.audiences);
  const values = [credential.issuer, credential.subject, ...audiences];
  const describe = (v: Value | undefined) => (typeof v === 'string' ? v : describeValue(v));
  const description = `federated credential ${address}: subject ${describe(credential.subject)} of ${describe(credential.issuer)}`;
  const base = { id: `federated:${address}`, kind: 'federated-credential' as const, resource: address, description };
  // A shared subject is never the agent's attestation, declared or not.
  if (typeof credential.subject === 'string') {
    const shared = sharedSubjectIdentity(credential.subject);
    if (shared) return { ...base, attested: false, why: `its subject is ${shared}` };
  }
  if (values.some((v) => typeof v !== 'string')) {
    return { ...base, attested: undefined, why: `its issuer, subject or audience is known only at apply (${values.map(describe).join(', ')}), so it cannot be compared with the declared trusts` };
  }
  if (declared === undefined) {
    // A brownfield identity declares nothing else: its configuration is its declaration, as an AWS
    // trust policy's conditions are for a brownfield role. Its credentials are probed as the agent's
    // (AGC-AZ-001…011); a shared subject above is still a FAIL.
    return { ...base, attested: true, why: 'no gate manifest: the configuration’s own trust, taken as declared (it is not a shared subject)' };
  }
  const match = declared.some((d) => d.issuer === credential.issuer && d.subject === credential.subject && audiences.length === 1 && audiences[0] === d.audience);
  return match
    ? { ...base, attested: true, why: 'a trust the gate manifest declares' }
    : { ...base, attested: false, why: 'a trust the gate manifest does not declare: whoever gets a token of that issuer and subject gets the identity, without the agent’s attestation' };
}

/**
 * A managed identity's own federated credentials, judged as its gate judges them: against the
 * trusts its gate manifest declares, or — without a manifest — its configuration taken as declared
 * (a shared subject still unattested). An unreadable manifest declares nothing. Agent gates read
 * them too: a managed identity a blueprint trusts is reached through each of its credentials.
 */
export function federatedCredentialPathsOf(model: TerraformModel, parent: string): AzureIssuancePath[] {
  const raw = model.resource(parent)?.comment[GATE_MANIFEST_METADATA_KEY];
  let declared: readonly DeclaredTrust[] | undefined;
  if (raw !== undefined) {
    try {
      declared = parseGateManifest(raw, `${model.name}: ${parent}`, 'azure-federated-identity-credential').credentials;
    } catch {
      declared = [];
    }
  }
  return credentialsOfParent(model, parent).map((c) => federatedPath(c, declared));
}

/** The acknowledgements an identity's `"//"` object carries, and the ones that do not count (agent identities read them the same way). */
export function acknowledgementsOf(comment: Record<string, unknown>, paths: readonly AzureIssuancePath[]): { accepted: Map<string, string>; ignored: string[] } {
  return readAcknowledgedPaths(comment[ACKNOWLEDGED_PATHS_KEY], (id) => {
    const path = paths.find((p) => p.id === id);
    if (!path) return 'no path to the identity’s tokens has this ID';
    return path.attested === true ? 'the path is attested; there is nothing to acknowledge' : undefined;
  });
}

/**
 * Every issuance path of an identity: its federated credentials, where it is attached, and (an
 * application's) secrets and certificates, with the acknowledgements in its `"//"` object.
 *
 * @param parent the identity's address, or the literal ID its credentials' parent names
 * @param declared the trusts its gate manifest declares; undefined without a manifest
 */
export function azureIssuancePathsOf(model: TerraformModel, parent: string, declared: readonly DeclaredTrust[] | undefined): { paths: AzureIssuancePath[]; ignoredAcknowledgements: string[] } {
  const resource = model.resource(parent);
  const identity: IdentityRef = resource ? { address: parent } : { id: parent };
  const federated = credentialsOfParent(model, parent).map((c) => federatedPath(c, declared));
  const all = [...federated, ...attachmentPaths(model, identity), ...secretPaths(model, identity)];
  const { accepted, ignored } = acknowledgementsOf(resource?.comment ?? {}, all);
  return { paths: all.map((p) => (accepted.has(p.id) ? { ...p, acknowledged: accepted.get(p.id)! } : p)), ignoredAcknowledgements: ignored };
}

/** A path for people, with its judgement: `attached to azurerm_linux_virtual_machine.ci (identity.identity_ids): any process …`. */
export function describeAzurePath(path: AzureIssuancePath): string {
  return `${path.description}: ${path.why}`;
}

/**
 * A path as a route, for the report's diagram: who, through which resource, gated by which of the
 * gate's factors, to `identity`. Only a federated credential the gate manifest declares demands
 * them; a secret, a certificate or an attachment demands nothing of the caller but to be there.
 */
export function routeOfAzurePath(path: AzureIssuancePath, identity: string): { from: string; through: string; factors: string[]; to: string } {
  const from: Record<AzureIssuancePath['kind'], string> = {
    'federated-credential': 'a workload presenting a token of the credential’s issuer',
    attachment: path.compute ? `any process on ${path.resource}` : `the service of ${path.resource}`,
    'client-secret': 'whoever holds the client secret',
    'client-certificate': 'whoever holds the certificate’s private key',
  };
  return {
    from: from[path.kind],
    through: path.resource,
    factors: path.attested === true ? ['a token of the declared issuer', 'the declared subject and audience'] : [],
    to: identity,
  };
}
