import { agentIdModel } from '../../../lib/model/azure/agent-id';
import { graphObjectIds } from '../../../lib/model/azure/azure-provider';
import { Value } from '../../../lib/model/terraform/expressions';
import { AppliedConfiguration, AppliedResource } from '../../../lib/model/terraform/apply';
import { TerraformSource } from '../../../lib/model/terraform/configuration';
import { credentialProblem } from './credential-write';
import { AzureWorld, EntraIdentity } from './world';

/**
 * Deploys the Entra Agent ID objects of a configuration into the emulator's tenant, read through
 * the Azure model (lib/model/azure/agent-id.ts, the same reading the rules use): blueprints with
 * the IDs Graph assigns, their principals (without one a blueprint cannot sign in: AADSTS7000229),
 * their federated credentials written through Graph, and agent identities bound to their
 * blueprint's app ID. Flexible credentials are not emulated (a problem of the resource, so its
 * gate is INCONCLUSIVE); passwords and certificates are never used to sign in here, and are judged
 * from the configuration (agent-issuance-paths.ts).
 */
export function deployAgentId(world: AzureWorld, source: TerraformSource, applied: AppliedConfiguration, usable: (r: AppliedResource) => boolean, problems: Array<{ address: string; problem: string }>): void {
  const model = agentIdModel(source.model);
  if (model.blueprints.length === 0 && model.agents.length === 0 && model.credentials.length === 0) return;
  const origin = (address: string) => `${source.stackName}/${address}`;
  const resourceOf = (address: string) => {
    const r = applied.resources.get(address);
    return r && usable(r) ? r : undefined;
  };
  const text = (v: Value | undefined) => (typeof v === 'string' ? v : undefined);
  /** The blueprint an object names: one of the configuration, by address; a literal app ID stays a literal. */
  const blueprintByKey = new Map<string, EntraIdentity>();

  for (const blueprint of model.blueprints) {
    const address = blueprint.resource.address;
    const r = resourceOf(address);
    if (!r) continue;
    const { objectId, appId } = graphObjectIds(world.env, source.stackName, address);
    blueprintByKey.set(
      address,
      world.add({
        kind: 'agent-blueprint',
        resourceId: `/applications/${text(r.attributes.id) ?? objectId}`,
        name: text(blueprint.displayName) ?? address,
        clientId: appId,
        principalId: objectId,
        tenantId: world.env.tenantId,
        hasServicePrincipal: false,
        federatedCredentials: [],
        origins: [origin(address)],
      }),
    );
  }
  for (const principal of model.principals) {
    if (!resourceOf(principal.resource.address)) continue;
    const key = model.keyOf(principal.blueprint);
    const blueprint = key === undefined ? undefined : blueprintByKey.get(key);
    if (blueprint) blueprint.hasServicePrincipal = true;
  }
  for (const agent of model.agents) {
    const address = agent.resource.address;
    if (!resourceOf(address)) continue;
    const key = model.keyOf(agent.blueprint);
    const blueprintClientId = key === undefined ? undefined : (blueprintByKey.get(key)?.clientId ?? ('id' in agent.blueprint ? agent.blueprint.id : undefined));
    if (!blueprintClientId) {
      problems.push({ address, problem: 'its blueprint (agentIdentityBlueprintId) is not known at apply time' });
      continue;
    }
    const { objectId, appId } = graphObjectIds(world.env, source.stackName, address);
    world.add({
      kind: 'agent-identity',
      resourceId: `/servicePrincipals/${objectId}`,
      name: text(agent.displayName) ?? address,
      clientId: appId,
      principalId: objectId,
      tenantId: world.env.tenantId,
      hasServicePrincipal: true,
      federatedCredentials: [],
      origins: [origin(address)],
      blueprintClientId,
    });
  }
  // Credentials written through Graph; azuread's credential resources are deployed with the other applications'.
  for (const credential of model.credentials) {
    const address = credential.resource.address;
    if (!credential.resource.type.startsWith('msgraph_') || (credential.kind !== 'federated' && credential.kind !== 'flexible-federated')) continue;
    const r = resourceOf(address);
    if (!r) continue;
    const key = model.keyOf(credential.parent);
    const blueprint = key === undefined ? undefined : blueprintByKey.get(key);
    if (!blueprint) {
      problems.push({ address, problem: `its application ${key ?? '(not known before apply)'} is not a blueprint of the configuration` });
      continue;
    }
    if (credential.kind === 'flexible-federated') {
      problems.push({ address, problem: 'flexible federated credentials (claimsMatchingExpression) are not emulated' });
      continue;
    }
    const body = bodyOf(r.attributes.body);
    const refused = credentialProblem(blueprint, body.issuer, body.subject, body.audiences, 'audiences');
    if (refused) {
      problems.push({ address, problem: refused });
      continue;
    }
    blueprint.federatedCredentials.push({
      id: text(r.attributes.id) ?? address,
      name: text(body.name) ?? address,
      issuer: body.issuer as string,
      subject: body.subject as string,
      audiences: [...(body.audiences as string[])],
      origin: origin(address),
    });
  }
}

/** A Graph request body: an object, or JSON text (`jsonencode` written out). */
function bodyOf(value: Value | undefined): Record<string, Value> {
  let body: unknown = value;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      return {};
    }
  }
  return body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, Value>) : {};
}
