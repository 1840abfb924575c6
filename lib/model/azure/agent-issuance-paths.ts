import { AzureFederatedIdentityGateManifest, GATE_MANIFEST_METADATA_KEY, parseGateManifest } from '../../core/gate-manifest';
import { PrivilegeTier } from '../../core/privilege-tier';
import { TerraformModel } from '../terraform/configuration';
import { Value, describeValue, resolveValue } from '../terraform/expressions';
import { AgentIdModel, AgentIdentityModel, BlueprintCredentialModel, BlueprintModel, FlexibleBlueprintCredential, SecretBlueprintCredential, agentIdModel, agentsOfBlueprint, credentialsOfBlueprint } from './agent-id';
import { SubjectCandidate } from '../gcp/admitted-subjects';
import { exactSubjects, parseFlexibleExpression, searchFlexibleExpression } from './flexible-credential-expression';
import { highPrivilegeReasons, roleGrantsOf } from './identity-privilege';
import { ACKNOWLEDGED_PATHS_KEY, AzureIssuancePath, acknowledgementsOf, attachmentPaths, federatedCredentialPathsOf } from './issuance-paths';
import { USER_ASSIGNED_IDENTITY_TYPE } from './azure-federated-identity';
import { isSymbol, isSymbolicString } from '../terraform/expressions';
import { sharedSubjectIdentity } from './shared-subjects';

/**
 * Every way to an Entra agent identity's tokens, read from a Terraform configuration. An agent
 * identity holds no credential; its blueprint does, and the blueprint obtains the first-leg token
 * for any of its agent identities (`fmi_path`). So the gate of an agent identity is every
 * credential of its blueprint, and its sibling agent identities share that gate:
 *
 * - each federated credential (issuer, subject, audience): attested when the agent's gate manifest
 *   declares it — a sibling's declared trust is another workload's way to this agent;
 * - each flexible federated credential: judged by what its expression admits beyond the declared
 *   subjects (flexible-credential-expression.ts);
 * - each password and certificate of the blueprint: whoever holds it is the blueprint, and so
 *   every agent under it — never attested;
 * - where a federated credential's attestation is a managed identity's token (issuer the tenant's
 *   `https://login.microsoftonline.com/<tenant>/v2.0`, subject the identity's principal ID):
 *   every resource that can obtain that identity's tokens — each attachment of a user-assigned
 *   identity (judged as the managed-identity gate judges its own), the resource whose
 *   system-assigned identity it is — presents the token at leg 1. Unattested unless acknowledged:
 *   the agent's workload runs there on purpose, and says so with a reason. And each federated
 *   credential of a user-assigned identity exchanges another token for the identity's: a path,
 *   judged as the identity's own gate judges it (issuance-paths.ts).
 *
 * Declared trusts are compared as resolved values, so a managed identity's principal ID declared as
 * `${azurerm_user_assigned_identity.x.principal_id}` matches the credential that refers to it.
 * Pure: the synth-time rules and the conformance checks read the same enumeration.
 */

/** A declared trust, resolved against the configuration (references stay references). */
export interface ResolvedTrust {
  readonly issuer: Value;
  readonly subject: Value;
  readonly audience: Value;
}

/** One agent identity and its gate. */
export interface AgentGate {
  readonly agent: AgentIdentityModel;
  /** Its blueprint's key (address, or literal app ID), undefined when not known before apply. */
  readonly blueprintKey: string | undefined;
  /** Its blueprint, when the configuration declares it. */
  readonly blueprint?: BlueprintModel;
  /** The other agent identities of the same blueprint: they share this gate. */
  readonly siblings: readonly AgentIdentityModel[];
  /** What the agent's gate manifest declares; undefined without one. */
  readonly manifest?: AzureFederatedIdentityGateManifest;
  /** Why the manifest could not be read, when it could not. */
  readonly manifestProblem?: string;
  /** The manifest's trusts, resolved; undefined without a manifest. */
  readonly declared?: readonly ResolvedTrust[];
  /** Why the agent is high privilege (declared, or its role assignments), or undefined. */
  readonly highPrivilege?: string;
  readonly paths: readonly AzureIssuancePath[];
  readonly ignoredAcknowledgements: readonly string[];
}

/** Whether two resolved values are the same: equal text, or the same reference or template. */
export function sameValue(a: Value | undefined, b: Value | undefined): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  if (a === undefined || b === undefined) return false;
  return describeValue(a) === describeValue(b);
}

const listOf = (v: Value | undefined): Value[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);
const show = (v: Value | undefined) => (typeof v === 'string' ? v : describeValue(v));

/** Why an agent is high privilege: declared in its manifest, or an Owner/Contributor-like role assigned to it. */
function highPrivilegeOf(model: TerraformModel, agent: AgentIdentityModel, manifest: AzureFederatedIdentityGateManifest | undefined): string | undefined {
  if (manifest?.identity.privilege === PrivilegeTier.HIGH) return 'declared high in its gate manifest';
  const reasons = highPrivilegeReasons(roleGrantsOf(model, agent.resource.address));
  return reasons.length > 0 ? reasons.join(', ') : undefined;
}

/** What a flexible credential admits: the subjects it names exactly, and those beyond the declared ones (with why), or why that cannot be told. */
export function judgeFlexibleCredential(
  credential: FlexibleBlueprintCredential,
  declared: readonly ResolvedTrust[] | undefined,
): { readonly admitted: readonly string[]; readonly beyond: readonly SubjectCandidate[]; readonly why: string } | { readonly unjudged: string } {
  if (typeof credential.expression !== 'string') return { unjudged: `its expression is ${show(credential.expression)}, known only at apply` };
  const expression = parseFlexibleExpression(credential.expression);
  if ('unreadable' in expression) return { unjudged: `its expression cannot be read (${expression.unreadable}), so what it admits cannot be told` };
  // Declared: the manifest's subjects of the credential's issuer; without a manifest, what the expression names exactly.
  const declaredSubjects = declared
    ? declared.filter((d) => sameValue(d.issuer, credential.issuer) && typeof d.subject === 'string').map((d) => d.subject as string)
    : exactSubjects(expression);
  const { beyond } = searchFlexibleExpression(expression, declaredSubjects);
  const shown = beyond.slice(0, 3).map((b) => `${b.sub} (${b.how})`).join('; ');
  return {
    admitted: exactSubjects(expression),
    beyond,
    why: `its expression ${credential.expression} admits subjects beyond ${declaredSubjects.length > 0 ? declaredSubjects.join(', ') : 'any declared subject'}: ${shown}`,
  };
}

const isSecret = (c: BlueprintCredentialModel): c is SecretBlueprintCredential => c.kind === 'password' || c.kind === 'certificate';

/** The path a credential opens, judged against the agent's declared trusts (and its siblings', to say whose a trust is). */
function credentialPath(credential: BlueprintCredentialModel, declared: readonly ResolvedTrust[] | undefined, siblingTrusts: ReadonlyArray<{ agent: string; trusts: readonly ResolvedTrust[] }>): AzureIssuancePath {
  const address = credential.resource.address;
  if (isSecret(credential)) {
    const secret = credential.kind === 'password';
    return {
      id: `${secret ? 'secret' : 'certificate'}:${address}`,
      kind: secret ? 'client-secret' : 'client-certificate',
      resource: address,
      attested: false,
      description: `${secret ? 'client secret' : 'client certificate'} ${address}${credential.location ? ` (${credential.location})` : ''} of the blueprint`,
      why: `whoever holds the ${secret ? 'secret' : 'certificate’s private key'} signs in as the blueprint and obtains the first-leg token for any of its agent identities, without attestation`,
    };
  }
  const audiences = listOf(credential.audiences);
  const flexible = credential.kind === 'flexible-federated';
  const base = {
    id: `${flexible ? 'flexible' : 'federated'}:${address}`,
    kind: 'federated-credential' as const,
    resource: address,
    description: flexible
      ? `flexible federated credential ${address}: ${show(credential.expression)} of ${show(credential.issuer)}`
      : `federated credential ${address}: subject ${show(credential.subject)} of ${show(credential.issuer)}`,
  };
  const trusted = (subject: Value | undefined) => (d: ResolvedTrust) => sameValue(d.issuer, credential.issuer) && sameValue(d.subject, subject) && audiences.length === 1 && sameValue(d.audience, audiences[0]);
  const whose = (subject: Value | undefined) => siblingTrusts.find((s) => s.trusts.some(trusted(subject)))?.agent;
  const undeclared = (subject: Value | undefined) => {
    const sibling = whose(subject);
    return sibling
      ? `the attestation of sibling agent identity ${sibling}: its workload obtains the first-leg token for this agent too (fmi_path), without this agent’s attestation`
      : 'a trust the gate manifest does not declare: whoever gets a token of that issuer and subject gets the blueprint, and every agent identity under it';
  };

  if (flexible) {
    const judged = judgeFlexibleCredential(credential, declared);
    if ('unjudged' in judged) return { ...base, attested: undefined, why: judged.unjudged };
    if (judged.beyond.length > 0) return { ...base, attested: false, why: judged.why };
    const admitted = judged.admitted;
    if (declared === undefined) return { ...base, attested: true, why: `no gate manifest: it admits only ${admitted.join(', ')}, taken as declared` };
    return admitted.length > 0 && admitted.every((s) => declared.some(trusted(s)))
      ? { ...base, attested: true, why: `it admits only ${admitted.join(', ')}, a trust the gate manifest declares` }
      : { ...base, attested: false, why: undeclared(admitted[0]) };
  }

  if (typeof credential.subject === 'string') {
    const shared = sharedSubjectIdentity(credential.subject);
    if (shared) return { ...base, attested: false, why: `its subject is ${shared}` };
  }
  if (declared !== undefined && declared.some(trusted(credential.subject))) return { ...base, attested: true, why: 'a trust the gate manifest declares' };
  const values = [credential.issuer, credential.subject, ...audiences];
  if (values.some((v) => typeof v !== 'string')) {
    return { ...base, attested: undefined, why: `its issuer, subject or audience is known only at apply (${values.map(show).join(', ')}), and no declared trust names it` };
  }
  if (declared === undefined) return { ...base, attested: true, why: 'no gate manifest: the configuration’s own trust, taken as declared (it is not a shared subject)' };
  return { ...base, attested: false, why: undeclared(credential.subject) };
}

/** A managed identity's token as an issuer: Entra's v2.0 endpoint of a tenant. */
const MANAGED_IDENTITY_ISSUER = /^https:\/\/login\.microsoftonline\.com\/[^/]+\/v2\.0$/i;

/** Whether an issuer is Entra's v2.0 endpoint (literal, or a template with only the tenant unknown). */
function isEntraIssuer(issuer: Value | undefined): boolean {
  if (typeof issuer === 'string') return MANAGED_IDENTITY_ISSUER.test(issuer);
  if (!isSymbolicString(issuer)) return false;
  const text = issuer.parts.map((p) => (typeof p === 'string' ? p : 'tenant')).join('');
  return MANAGED_IDENTITY_ISSUER.test(text);
}

/**
 * The paths through a managed identity that a federated credential trusts: the attachments of a
 * user-assigned identity (`${azurerm_user_assigned_identity.x.principal_id}`, or its data source),
 * or the resource whose system-assigned identity it is (`${azurerm_linux_virtual_machine.x.identity[0].principal_id}`).
 * A literal principal ID names an identity outside the configuration: nothing here attaches it.
 */
function managedIdentityPaths(model: TerraformModel, credential: BlueprintCredentialModel): AzureIssuancePath[] {
  if (credential.kind !== 'federated' || !isEntraIssuer(credential.issuer)) return [];
  const subject = credential.subject;
  const ref = isSymbol(subject) && subject.symbolic === 'ref' ? subject : isSymbolicString(subject) && subject.parts.length === 1 && isSymbol(subject.parts[0]) ? subject.parts[0] : undefined;
  if (!ref || ref.symbolic !== 'ref' || !ref.attribute?.endsWith('principal_id')) return [];
  const resource = model.resource(ref.address);
  if (!resource) return [];
  const via = `the managed identity whose token federated credential ${credential.resource.address} trusts`;
  if (resource.type === USER_ASSIGNED_IDENTITY_TYPE) {
    const attachments = attachmentPaths(model, { address: ref.address }).map((p) => ({
      ...p,
      description: `${p.description}, holding ${ref.address} (${via})`,
      why: `${p.why}, and presents it at leg 1 as the blueprint’s attested token: the agent identity’s tokens follow`,
      through: ref.address,
    }));
    // The identity's own federated credentials: each exchanges another token for the identity's,
    // which then opens leg 1. Judged as the identity's gate judges them, not re-judged here.
    const federated = federatedCredentialPathsOf(model, ref.address).map((p) => ({
      ...p,
      description: `${p.description}, of ${ref.address} (${via})`,
      why: p.attested === true ? `${p.why} for ${ref.address}, so its token at leg 1 is attested too` : `${p.why}; that token of ${ref.address} opens leg 1 as the blueprint’s attested token: the agent identity’s tokens follow`,
      through: ref.address,
    }));
    return [...attachments, ...federated];
  }
  // A system-assigned identity: the resource it belongs to is where its tokens are had.
  if (!/identity/.test(ref.attribute)) return [];
  return [
    {
      id: `attached:${resource.address}`,
      kind: 'attachment',
      resource: resource.address,
      attested: false,
      compute: true,
      through: resource.address,
      description: `system-assigned identity of ${resource.address} (${via})`,
      why: 'any process running there gets its tokens from the managed-identity endpoint (IMDS / IDENTITY_ENDPOINT), without attestation, and presents it at leg 1 as the blueprint’s attested token: the agent identity’s tokens follow',
    },
  ];
}

/** An agent's gate manifest, read, and its trusts resolved against the configuration. */
function manifestOf(model: TerraformModel, agent: AgentIdentityModel): { manifest?: AzureFederatedIdentityGateManifest; declared?: ResolvedTrust[]; problem?: string } {
  const raw = agent.resource.comment[GATE_MANIFEST_METADATA_KEY];
  if (raw === undefined) return {};
  try {
    const manifest = parseGateManifest(raw, `${model.name}: ${agent.resource.address}`, 'azure-federated-identity-credential');
    const resolve = (text: string) => resolveValue(text, model.context);
    return { manifest, declared: manifest.credentials.map((c) => ({ issuer: resolve(c.issuer), subject: resolve(c.subject), audience: resolve(c.audience) })) };
  } catch (e) {
    return { problem: (e as Error).message };
  }
}

/** The acknowledged paths of an agent: its blueprint's `"//"` entries, then its own (which win). */
function acknowledgementComment(agent: AgentIdentityModel, blueprint: BlueprintModel | undefined): Record<string, unknown> {
  const entries = (comment: Record<string, unknown> | undefined) => {
    const raw = comment?.[ACKNOWLEDGED_PATHS_KEY];
    return raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  };
  const own = agent.resource.comment[ACKNOWLEDGED_PATHS_KEY];
  // A malformed entry of the agent is passed on as it is, so the reader reports it.
  if (own !== undefined && (own === null || typeof own !== 'object' || Array.isArray(own))) return { [ACKNOWLEDGED_PATHS_KEY]: own };
  const merged = { ...entries(blueprint?.resource.comment), ...entries(agent.resource.comment) };
  return Object.keys(merged).length > 0 ? { [ACKNOWLEDGED_PATHS_KEY]: merged } : {};
}

/** Every agent identity of a configuration with its gate: blueprint, siblings, declared trusts and paths. */
export function agentGates(model: TerraformModel, agentId: AgentIdModel = agentIdModel(model)): AgentGate[] {
  const manifests = new Map(agentId.agents.map((a) => [a.resource.address, manifestOf(model, a)]));
  return agentId.agents.map((agent): AgentGate => {
    const blueprintKey = agentId.keyOf(agent.blueprint);
    const blueprint = agentId.blueprints.find((b) => b.resource.address === blueprintKey);
    const siblings = blueprintKey === undefined ? [] : agentsOfBlueprint(agentId, blueprintKey).filter((a) => a !== agent);
    const { manifest, declared, problem } = manifests.get(agent.resource.address)!;
    const siblingTrusts = siblings.map((s) => ({ agent: s.resource.address, trusts: manifests.get(s.resource.address)?.declared ?? [] }));
    const credentials = blueprintKey === undefined ? [] : credentialsOfBlueprint(agentId, blueprintKey);
    const all = credentials.map((c) => credentialPath(c, declared, siblingTrusts));
    // Whatever can obtain a trusted managed identity's token is a way in too (once per resource).
    for (const path of credentials.flatMap((c) => managedIdentityPaths(model, c))) if (!all.some((p) => p.id === path.id)) all.push(path);
    const { accepted, ignored } = acknowledgementsOf(acknowledgementComment(agent, blueprint), all);
    const highPrivilege = highPrivilegeOf(model, agent, manifest);
    return {
      agent,
      blueprintKey,
      ...(blueprint ? { blueprint } : {}),
      siblings,
      ...(manifest ? { manifest } : {}),
      ...(problem ? { manifestProblem: problem } : {}),
      ...(declared ? { declared } : {}),
      ...(highPrivilege ? { highPrivilege } : {}),
      paths: all.map((p) => (accepted.has(p.id) ? { ...p, acknowledged: accepted.get(p.id)! } : p)),
      ignoredAcknowledgements: ignored,
    };
  });
}
