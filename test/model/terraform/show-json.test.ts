import { isShowJson, linkIdentifiers, readShowJson } from '../../../lib/model/terraform/show-json';
import { AZURE_IDENTIFIER_ATTRIBUTES } from '../../../lib/model/azure/azure-provider';
import { TerraformModel } from '../../../lib/model/terraform/configuration';
import { describeValue } from '../../../lib/model/terraform/expressions';
import { planJson, stateJson } from '../../fixtures/terraform-show';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The hand-written Azure plans of issue 21's own example (test/fixtures/terraform-azure). */
const azurePlan = (name: string) => JSON.parse(fs.readFileSync(path.join(__dirname, '../../fixtures/terraform-azure', `${name}.json`), 'utf8'));

const pool = { type: 'google_iam_workload_identity_pool', name: 'pool', values: { workload_identity_pool_id: 'agents', project: 'agents-prod' }, unknown: { name: true, id: true } };

describe('terraform show -json', () => {
  test('a plan: instances under modules with count and for_each keep their addresses; what apply computes is unknown, with why', () => {
    const plan = planJson(
      [
        pool,
        { type: 'google_service_account', name: 'agent', module: 'module.agents', index: 'deployer', values: { account_id: 'deployer', project: 'agents-prod' }, unknown: { email: true, member: true } },
        { type: 'google_service_account_key', name: 'ci', index: 0, values: { service_account_id: 'projects/agents-prod/serviceAccounts/deployer@agents-prod.iam.gserviceaccount.com' }, unknown: { private_key: true }, sensitive: { private_key: true } },
        { type: 'google_client_config', name: 'current', mode: 'data', values: { project: 'agents-prod' } },
      ],
      { google: { project: 'agents-prod', region: 'europe-west1' } },
    );
    expect(isShowJson(plan)).toBe(true);
    const read = readShowJson(plan, 'plan.json');
    expect(read).toMatchObject({ kind: 'plan', formatVersion: '1.2', toolVersion: '1.9.8', providers: { google: { project: 'agents-prod', region: 'europe-west1' } } });
    expect(read.resources.map((r) => `${r.mode} ${r.address}`)).toEqual([
      'managed google_iam_workload_identity_pool.pool',
      'managed google_service_account_key.ci[0]',
      'managed module.agents.google_service_account.agent["deployer"]',
      'data data.google_client_config.current',
    ]);
    const model = TerraformModel.ofResources(read.resources, 'plan.json', { provider: read.providers }, 'plan');
    expect(model.resource('google_iam_workload_identity_pool.pool')!.attributes.workload_identity_pool_id).toBe('agents');
    expect(describeValue(model.resource('google_iam_workload_identity_pool.pool')!.attributes.name)).toBe("${google_iam_workload_identity_pool.pool.name, known only after apply}");
    expect(model.resourcesOfType('google_service_account').map((r) => r.address)).toEqual(['module.agents.google_service_account.agent["deployer"]']);
    // The key's private key is both unknown and sensitive: never read.
    expect(describeValue(model.resource('google_service_account_key.ci[0]')!.attributes.private_key)).toBe("${google_service_account_key.ci[0].private_key, a sensitive value (not read)}");
  });

  test('a state: every value as recorded; nested sensitive values are dropped, the rest kept', () => {
    const state = stateJson([
      { type: 'azuread_application_password', name: 'ci', values: { application_id: '/applications/0001', value: 's3cr3t', key_id: 'k' }, sensitive: { value: true } },
      { type: 'google_iam_workload_identity_pool_provider', name: 'spire', values: { oidc: [{ issuer_uri: 'https://oidc.prod.example', jwks_json: '{}' }] }, sensitive: { oidc: [{ jwks_json: true }] } },
    ]);
    const read = readShowJson(state, 'state.json');
    expect(read.kind).toBe('state');
    const [password, provider] = read.resources;
    expect(password.attributes.key_id).toBe('k');
    expect(JSON.stringify(read.resources)).not.toContain('s3cr3t');
    expect((provider.attributes.oidc as Array<Record<string, unknown>>)[0].issuer_uri).toBe('https://oidc.prod.example');
  });

  test('an unsupported major format version, or no version, is refused with the field, the value and the fix', () => {
    expect(() => readShowJson(planJson([], {}, '2.0'), 'plan.json')).toThrow(
      /plan\.json: format_version "2\.0" is of major version 2; attestgate reads the JSON output format 1\.x \(Terraform 0\.12 and later, OpenTofu\).*Fix: use a Terraform or OpenTofu release/s,
    );
    expect(() => readShowJson({ format_version: 1, values: {} }, 'state.json')).toThrow(/state\.json: format_version 1 is not a version such as "1\.2"/);
    expect(() => readShowJson({ format_version: '1.0', values: { root_module: { resources: [{ address: 'x' }] } } }, 'state.json')).toThrow(/values\.root_module\.resources\[0\].*is not a resource/);
  });

  test('literal identifiers become the references they were written as: one owner only, never the resource itself, shared values never', () => {
    const id = '/subscriptions/0000/resourceGroups/agents/providers/Microsoft.ManagedIdentity/userAssignedIdentities/deployer';
    const resource = (address: string, attributes: Record<string, unknown>) => ({ address, mode: 'managed' as const, type: address.split('.')[0], name: address.split('.')[1], attributes: attributes as never, comment: {}, dependsOn: [] });
    const [identity, credential, assignment, twin, other] = linkIdentifiers([
      resource('azurerm_user_assigned_identity.deployer', { id, principal_id: '11111111-1111-4111-8111-111111111111', name: 'deployer' }),
      resource('azurerm_federated_identity_credential.spire', { parent_id: id, name: 'deployer', nested: [{ ids: [id] }] }),
      resource('azurerm_role_assignment.owner', { principal_id: '11111111-1111-4111-8111-111111111111' }),
      resource('azurerm_user_assigned_identity.twin', { client_id: 'shared-client-id' }),
      resource('azurerm_user_assigned_identity.other', { client_id: 'shared-client-id', parent: 'shared-client-id' }),
    ]);
    expect(identity.attributes.id).toBe(id);
    expect(credential.attributes.parent_id).toEqual({ symbolic: 'ref', address: 'azurerm_user_assigned_identity.deployer', attribute: 'id' });
    expect(credential.attributes.nested).toEqual([{ ids: [{ symbolic: 'ref', address: 'azurerm_user_assigned_identity.deployer', attribute: 'id' }] }]);
    expect(credential.attributes.name).toBe('deployer');
    expect(assignment.attributes.principal_id).toEqual({ symbolic: 'ref', address: 'azurerm_user_assigned_identity.deployer', attribute: 'principal_id' });
    // A value two resources share names neither.
    expect(other.attributes.parent).toBe('shared-client-id');
    expect(twin.attributes.client_id).toBe('shared-client-id');
  });

  test('a new identity’s IDs are unknown in a plan: its credential’s parent_id and its role assignment’s principal_id are read as the references the configuration records', () => {
    const read = readShowJson(azurePlan('open-default-sa-plan'), 'plan.json', AZURE_IDENTIFIER_ATTRIBUTES);
    const credential = read.resources.find((r) => r.address === 'azurerm_federated_identity_credential.k8s')!;
    const owner = read.resources.find((r) => r.address === 'azurerm_role_assignment.owner')!;
    expect(credential.attributes.parent_id).toEqual({ symbolic: 'ref', address: 'azurerm_user_assigned_identity.deployer', attribute: 'id' });
    expect(owner.attributes.principal_id).toEqual({ symbolic: 'ref', address: 'azurerm_user_assigned_identity.deployer', attribute: 'principal_id' });
    // What no expression sets is the provider's alone; the identity's own IDs stay unknown, with why.
    expect(owner.providerComputed).toEqual(expect.arrayContaining(['principal_type', 'role_definition_id']));
    expect(owner.providerComputed).not.toContain('principal_id');
    expect(describeValue(read.resources.find((r) => r.address === 'azurerm_user_assigned_identity.deployer')!.attributes.principal_id)).toBe('${azurerm_user_assigned_identity.deployer.principal_id, known only after apply}');
  });

  test('in a module instance of a for_each, a counted credential refers to the identity of its own module instance; a root resource reaches it through the module’s output', () => {
    const read = readShowJson(azurePlan('open-default-sa-module-plan'), 'plan.json', AZURE_IDENTIFIER_ATTRIBUTES);
    const attribute = (address: string, name: string) => read.resources.find((r) => r.address === address)!.attributes[name];
    const identity = 'module.agent["deployer"].azurerm_user_assigned_identity.this';
    expect(attribute('module.agent["deployer"].azurerm_federated_identity_credential.k8s[0]', 'parent_id')).toEqual({ symbolic: 'ref', address: identity, attribute: 'id' });
    expect(attribute('module.agent["deployer"].azurerm_role_assignment.owner', 'principal_id')).toEqual({ symbolic: 'ref', address: identity, attribute: 'principal_id' });
    expect(attribute('azurerm_role_assignment.reader', 'principal_id')).toEqual({ symbolic: 'ref', address: identity, attribute: 'principal_id' });
  });

  test('an unknown the configuration cannot single out stays unknown: two references, a variable beside one, a repeated module without its key, a dynamic index', () => {
    const unlinked = (expression: unknown, calledOnce = false) => {
      const plan = azurePlan('open-default-sa-module-plan');
      const root = plan.configuration.root_module;
      if (calledOnce) delete root.module_calls.agent.for_each_expression;
      root.resources[0].expressions.principal_id = expression;
      const reader = readShowJson(plan, 'plan.json', AZURE_IDENTIFIER_ATTRIBUTES).resources.find((r) => r.address === 'azurerm_role_assignment.reader')!;
      return describeValue(reader.attributes.principal_id);
    };
    const unknown = '${azurerm_role_assignment.reader.principal_id, known only after apply}';
    // The module output, with its key: linked (the control for the cases below).
    expect(unlinked({ references: ['module.agent["deployer"].principal_id', 'module.agent["deployer"]', 'module.agent'] })).not.toBe(unknown);
    expect(unlinked({ references: ['module.agent["deployer"].principal_id', 'module.agent["builder"].principal_id'] })).toBe(unknown);
    expect(unlinked({ references: ['module.agent["deployer"].principal_id', 'var.override'] })).toBe(unknown);
    expect(unlinked({ references: ['module.agent.principal_id', 'module.agent'] })).toBe(unknown);
    // `module.agent[each.key].principal_id` is recorded without the attribute it reads.
    expect(unlinked({ references: ['module.agent', 'each.key'] })).toBe(unknown);
    // A module called once has no key: one written with a key is not it.
    expect(unlinked({ references: ['module.agent["deployer"].principal_id'] }, true)).toBe(unknown);
  });

  test('only an attribute its provider declares an identifier is followed: the plan records what an expression reads, not whether it is a template around it', () => {
    const plan = azurePlan('open-default-sa-plan');
    // Without the declaration, nothing is followed: the credential's identity stays unknown.
    const undeclared = readShowJson(plan, 'plan.json').resources.find((r) => r.address === 'azurerm_federated_identity_credential.k8s')!;
    expect(describeValue(undeclared.attributes.parent_id)).toBe('${azurerm_federated_identity_credential.k8s.parent_id, known only after apply}');
    // A subject reading one attribute may be `"spiffe://${…}/agent"` around it: never followed.
    plan.resource_changes.find((c: { address: string }) => c.address === 'azurerm_federated_identity_credential.k8s').change.after_unknown.subject = true;
    plan.configuration.root_module.resources.find((r: { address: string }) => r.address === 'azurerm_federated_identity_credential.k8s').expressions.subject = { references: ['azurerm_user_assigned_identity.deployer.name', 'azurerm_user_assigned_identity.deployer'] };
    const declared = readShowJson(plan, 'plan.json', AZURE_IDENTIFIER_ATTRIBUTES).resources.find((r) => r.address === 'azurerm_federated_identity_credential.k8s')!;
    expect(describeValue(declared.attributes.subject)).toBe('${azurerm_federated_identity_credential.k8s.subject, known only after apply}');
    expect(declared.attributes.parent_id).toEqual({ symbolic: 'ref', address: 'azurerm_user_assigned_identity.deployer', attribute: 'id' });
  });

  test('what is not show -json: a configuration, a template', () => {
    expect(isShowJson({ resource: {} })).toBe(false);
    expect(isShowJson({ Resources: {} })).toBe(false);
    expect(isShowJson({ format_version: '1.0' })).toBe(false);
  });
});
