import { STAND_IN_PROJECT_NUMBER, STAND_IN_SUBSCRIPTION, TerraformStandIns } from '../../../conformance/discovery/terraform-stand-ins';
import { tfModel } from '../../fixtures/terraform';

describe('TerraformStandIns', () => {
  const model = tfModel({
    provider: { google: [{ project: 'agents-prod' }] },
    variable: { filter: { type: 'string' } },
    resource: {
      google_iam_workload_identity_pool: { pool: { workload_identity_pool_id: 'agents' } },
      google_iam_workload_identity_pool_provider: { spire: { workload_identity_pool_id: '${google_iam_workload_identity_pool.pool.workload_identity_pool_id}', workload_identity_pool_provider_id: 'spire' } },
      google_service_account: { deployer: { account_id: 'deployer-agent' }, elsewhere: { account_id: 'other', project: 'shared' } },
      azurerm_user_assigned_identity: { deployer: { name: 'deployer', resource_group_name: '${azurerm_resource_group.agents.name}' } },
      azurerm_resource_group: { agents: { name: 'agents' } },
      // A resource that refers to itself is refused when parsing (test/terraform/references.test.ts).
      google_logging_metric: { filtered: { name: 'filtered', filter: 'x=${var.filter}' } },
    },
  });
  const standIns = new TerraformStandIns(model);

  test('computed names are derived as the cloud derives them, from stand-ins for what only apply knows', () => {
    expect(standIns.attribute('google_iam_workload_identity_pool_provider.spire', 'name')).toBe(`projects/${STAND_IN_PROJECT_NUMBER}/locations/global/workloadIdentityPools/agents/providers/spire`);
    expect(standIns.attribute('google_service_account.deployer', 'email')).toBe('deployer-agent@agents-prod.iam.gserviceaccount.com');
    expect(standIns.attribute('google_service_account.elsewhere', 'member')).toBe('serviceAccount:other@shared.iam.gserviceaccount.com');
    expect(standIns.attribute('azurerm_user_assigned_identity.deployer', 'id')).toBe(`/subscriptions/${STAND_IN_SUBSCRIPTION}/resourceGroups/agents/providers/Microsoft.ManagedIdentity/userAssignedIdentities/deployer`);
  });

  test('what nobody can derive is a unique stand-in; variables and missing resources are unknown', () => {
    expect(standIns.attribute('azurerm_user_assigned_identity.deployer', 'client_id')).toBe('«azurerm_user_assigned_identity.deployer.client_id»');
    expect(standIns.attribute('google_logging_metric.filtered', 'filter')).toBeUndefined();
    expect(standIns.attribute('google_service_account.nobody', 'email')).toBeUndefined();
    expect(standIns.plain(model.resource('google_iam_workload_identity_pool_provider.spire')!.attributes)).toEqual({ workload_identity_pool_id: 'agents', workload_identity_pool_provider_id: 'spire' });
    expect(standIns.plain(model.resource('google_logging_metric.filtered')!.attributes)).toBeUndefined();
  });
});
