import { isShowJson, linkIdentifiers, readShowJson } from '../../../lib/model/terraform/show-json';
import { TerraformModel } from '../../../lib/model/terraform/configuration';
import { describeValue } from '../../../lib/model/terraform/expressions';
import { planJson, stateJson } from '../../fixtures/terraform-show';

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

  test('what is not show -json: a configuration, a template', () => {
    expect(isShowJson({ resource: {} })).toBe(false);
    expect(isShowJson({ Resources: {} })).toBe(false);
    expect(isShowJson({ format_version: '1.0' })).toBe(false);
  });
});
