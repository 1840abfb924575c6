import { highPrivilegeReasons, roleGrantsOf } from '../../../lib/model/azure/identity-privilege';
import { agentIdModel } from '../../fixtures/entra-agent-id';
import { azureConfiguration, tfModel } from '../../fixtures/terraform';

describe('Azure identity privilege: the roles assigned to an identity', () => {
  test('a user-assigned identity: the assignments to its principal_id', () => {
    const grants = roleGrantsOf(tfModel(azureConfiguration()), 'azurerm_user_assigned_identity.deployer');
    expect(grants).toEqual([{ role: 'Contributor', scope: '/subscriptions/00000000-0000-0000-0000-000000000000', resource: 'azurerm_role_assignment.contributor' }]);
    expect(highPrivilegeReasons(grants)).toEqual(['Contributor on /subscriptions/00000000-0000-0000-0000-000000000000']);
  });

  test('an application: the assignments to its service principals (azuread 3.x client_id and 2.x application_id), not to another app’s', () => {
    const model = tfModel({
      resource: {
        azuread_application: { ci: { display_name: 'ci' }, other: { display_name: 'other' } },
        azuread_service_principal: { v3: { client_id: '${azuread_application.ci.client_id}' }, v2: { application_id: '${azuread_application.ci.application_id}' }, other: { client_id: '${azuread_application.other.client_id}' } },
        azurerm_role_assignment: {
          owner: { scope: '/subscriptions/s', role_definition_name: 'Owner', principal_id: '${azuread_service_principal.v3.object_id}' },
          reader: { scope: '/subscriptions/s', role_definition_name: 'Reader', principal_id: '${azuread_service_principal.v2.object_id}' },
          elsewhere: { scope: '/subscriptions/s', role_definition_name: 'Owner', principal_id: '${azuread_service_principal.other.object_id}' },
        },
      },
    });
    const grants = roleGrantsOf(model, 'azuread_application.ci');
    expect(grants.map((g) => g.resource)).toEqual(['azurerm_role_assignment.owner', 'azurerm_role_assignment.reader']);
    expect(highPrivilegeReasons(grants)).toEqual(['Owner on /subscriptions/s']);
  });

  test('an Entra agent identity: the assignments to its msgraph_resource id (its object ID), not to its blueprint’s', () => {
    const model = agentIdModel('spire-blueprint');
    const grants = roleGrantsOf(model, 'msgraph_resource.deployer');
    expect(grants).toEqual([{ role: 'Contributor', scope: '/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333', resource: 'azurerm_role_assignment.deployer_contributor' }]);
    expect(roleGrantsOf(model, 'msgraph_resource.blueprint')).toEqual([]);
  });
});
