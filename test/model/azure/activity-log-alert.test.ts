import { ActivityLogEvent, activityLogAlertMatches, inScope } from '../../../lib/model/azure/activity-log-alert';

const IDENTITY = '/subscriptions/s/resourceGroups/agents/providers/Microsoft.ManagedIdentity/userAssignedIdentities/deployer-agent';
const ficWrite: ActivityLogEvent = {
  category: 'Administrative',
  operationName: 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write',
  resourceId: `${IDENTITY}/federatedIdentityCredentials/intruder`,
  resourceType: 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials',
  resourceGroup: 'agents',
  status: 'Succeeded',
};

describe('activityLogAlertMatches', () => {
  test('an event below a scope matches when every criterion given does, regardless of case', () => {
    const rule = { scopes: [IDENTITY], criteria: { category: 'Administrative', resource_types: ['microsoft.managedidentity/userassignedidentities/federatedidentitycredentials'] } };
    expect(activityLogAlertMatches(rule, ficWrite)).toBe(true);
    expect(activityLogAlertMatches({ ...rule, enabled: false }, ficWrite)).toBe(false);
    expect(activityLogAlertMatches({ ...rule, scopes: [`${IDENTITY}-2`] }, ficWrite)).toBe(false);
    expect(activityLogAlertMatches({ ...rule, criteria: { ...rule.criteria, operation_name: 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/delete' } }, ficWrite)).toBe(false);
    expect(activityLogAlertMatches({ ...rule, criteria: { ...rule.criteria, statuses: ['Failed'] } }, ficWrite)).toBe(false);
    expect(activityLogAlertMatches({ ...rule, criteria: { category: 'Security' } }, ficWrite)).toBe(false);
    expect(activityLogAlertMatches({ ...rule, criteria: { category: 'Administrative', service_health: { events: ['Incident'] } } }, ficWrite)).toBe(false);
  });

  test('scopes contain their own resource and everything below, segment by segment', () => {
    expect(inScope('/subscriptions/s', ficWrite.resourceId)).toBe(true);
    expect(inScope('/subscriptions/s/resourceGroups/AGENTS/', ficWrite.resourceId)).toBe(true);
    expect(inScope('/subscriptions/s/resourceGroups/age', ficWrite.resourceId)).toBe(false);
  });
});
