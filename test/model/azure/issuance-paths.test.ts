import { ACKNOWLEDGED_PATHS_KEY, azureIssuancePathsOf, routeOfAzurePath } from '../../../lib/model/azure/issuance-paths';
import { DEPLOYER_SPIFFE_ID, ISSUER, azureConfiguration, credential, tfModel } from '../../fixtures/terraform';

const AUDIENCE = 'api://AzureADTokenExchange';
/** What the deployer's gate manifest would declare: its SPIFFE ID from both SPIRE issuers' subjects of the fixture. */
const DECLARED = [
  { issuer: ISSUER, subject: DEPLOYER_SPIFFE_ID, audience: AUDIENCE },
  { issuer: ISSUER, subject: 'spiffe://eu.prod.example/agent/deployer', audience: AUDIENCE },
];
const DEPLOYER = 'azurerm_user_assigned_identity.deployer';
const IDENTITY_ID = `\${${DEPLOYER}.id}`;

const pathsOf = (configuration: unknown, parent = DEPLOYER, declared: typeof DECLARED | undefined = DECLARED) => azureIssuancePathsOf(tfModel(configuration), parent, declared);
const summary = (configuration: unknown, parent?: string, declared?: typeof DECLARED) => pathsOf(configuration, parent, declared).paths.map((p) => [p.id, p.attested]);
const withExtra = (extra: Record<string, Record<string, unknown>>, variable?: Record<string, unknown>) => ({ ...azureConfiguration({ extra }), ...(variable ? { variable } : {}) });

describe('Azure issuance paths: every way to an identity’s tokens', () => {
  test('the declared federated credentials are the only paths, both attested', () => {
    expect(summary(azureConfiguration())).toEqual([
      ['federated:azurerm_federated_identity_credential.spire', true],
      ['federated:azurerm_federated_identity_credential.spire_eu', true],
    ]);
  });

  test('federated credentials: undeclared, shared, known only at apply, and no manifest at all', () => {
    const configuration = azureConfiguration({
      credentials: {
        spire: credential(DEPLOYER_SPIFFE_ID),
        ci: credential('repo:acme/infra:environment:prod', { issuer: 'https://token.actions.githubusercontent.com' }),
        pods: credential('system:serviceaccount:agents:default', { issuer: 'https://aks.example/oidc' }),
        repo: credential('repo:acme/infra', { issuer: 'https://token.actions.githubusercontent.com' }),
        later: credential('${var.subject}'),
      },
    });
    const { paths } = pathsOf({ ...configuration, variable: { subject: { type: 'string' } } });
    expect(paths.map((p) => [p.id, p.attested])).toEqual([
      ['federated:azurerm_federated_identity_credential.spire', true],
      ['federated:azurerm_federated_identity_credential.ci', false],
      ['federated:azurerm_federated_identity_credential.pods', false],
      ['federated:azurerm_federated_identity_credential.repo', false],
      ['federated:azurerm_federated_identity_credential.later', undefined],
    ]);
    expect(paths[1].why).toMatch(/^a trust the gate manifest does not declare/);
    expect(paths[2].why).toContain('the default service account of Kubernetes namespace "agents"');
    expect(paths[3].why).toContain('the whole repository acme/infra');
    expect(paths[4].why).toContain('known only at apply (https://oidc.prod.example, ${var.subject}, api://AzureADTokenExchange)');
    // Without a manifest the configuration's own exact trusts are the declared ones (as a brownfield
    // AWS trust policy's conditions are); a shared subject is still no attestation.
    expect(azureIssuancePathsOf(tfModel(azureConfiguration()), DEPLOYER, undefined).paths.map((p) => [p.id, p.attested])).toEqual([
      ['federated:azurerm_federated_identity_credential.spire', true],
      ['federated:azurerm_federated_identity_credential.spire_eu', true],
    ]);
    const shared = azureConfiguration({ credentials: { pods: credential('system:serviceaccount:agents:default', { issuer: 'https://aks.example/oidc' }) } });
    expect(azureIssuancePathsOf(tfModel(shared), DEPLOYER, undefined).paths.map((p) => p.attested)).toEqual([false]);
  });

  test.each([
    ['a Linux VM', 'azurerm_linux_virtual_machine', { identity: [{ type: 'UserAssigned', identity_ids: [IDENTITY_ID] }] }, 'identity.identity_ids', true],
    ['a Windows VM, next to its system-assigned identity', 'azurerm_windows_virtual_machine', { identity: { type: 'SystemAssigned, UserAssigned', identity_ids: [IDENTITY_ID] } }, 'identity.identity_ids', true],
    ['a scale set', 'azurerm_linux_virtual_machine_scale_set', { identity: [{ type: 'UserAssigned', identity_ids: [IDENTITY_ID] }] }, 'identity.identity_ids', true],
    ['a legacy VM', 'azurerm_virtual_machine', { identity: [{ type: 'UserAssigned', identity_ids: [IDENTITY_ID] }] }, 'identity.identity_ids', true],
    ['a web app', 'azurerm_linux_web_app', { identity: [{ type: 'UserAssigned', identity_ids: [IDENTITY_ID] }] }, 'identity.identity_ids', true],
    ['a function app', 'azurerm_windows_function_app', { identity: [{ type: 'UserAssigned', identity_ids: [IDENTITY_ID] }] }, 'identity.identity_ids', true],
    ['a container app', 'azurerm_container_app', { identity: [{ type: 'UserAssigned', identity_ids: [IDENTITY_ID] }] }, 'identity.identity_ids', true],
    ['a container group', 'azurerm_container_group', { identity: [{ type: 'UserAssigned', identity_ids: [IDENTITY_ID] }] }, 'identity.identity_ids', true],
    ['an AKS control plane', 'azurerm_kubernetes_cluster', { identity: [{ type: 'UserAssigned', identity_ids: [IDENTITY_ID] }] }, 'identity.identity_ids', false],
    ['a data factory (a service acting as it)', 'azurerm_data_factory', { identity: [{ type: 'UserAssigned', identity_ids: [IDENTITY_ID] }] }, 'identity.identity_ids', true],
    ['a storage account (a service acting as it)', 'azurerm_storage_account', { identity: [{ type: 'UserAssigned', identity_ids: [IDENTITY_ID] }] }, 'identity.identity_ids', false],
  ])('attached to %s: an unattested path', (_what, type, body, where, compute) => {
    const { paths } = pathsOf(withExtra({ [type]: { x: { name: 'x', ...body } } }));
    expect(paths.slice(2)).toEqual([expect.objectContaining({ id: `attached:${type}.x`, kind: 'attachment', attested: false, compute, description: `attached to ${type}.x (${where})` })]);
  });

  test('an AKS kubelet identity: every pod of the nodes', () => {
    const { paths } = pathsOf(withExtra({ azurerm_kubernetes_cluster: { aks: { name: 'aks', kubelet_identity: [{ client_id: 'c', object_id: 'o', user_assigned_identity_id: IDENTITY_ID }] } } }));
    expect(paths.slice(2)).toEqual([expect.objectContaining({ id: 'attached:azurerm_kubernetes_cluster.aks/kubelet_identity', attested: false, why: expect.stringContaining('every pod on the cluster’s nodes') })]);
  });

  test('the identity named otherwise: a literal resource ID, a data source, a template with the name at its end', () => {
    const literal = '/subscriptions/s/resourceGroups/AGENTS/providers/Microsoft.ManagedIdentity/userAssignedIdentities/Deployer';
    const configuration = withExtra(
      {
        azurerm_linux_virtual_machine: {
          by_id: { identity: [{ type: 'UserAssigned', identity_ids: [literal] }] },
          by_data: { identity: [{ type: 'UserAssigned', identity_ids: ['${data.azurerm_user_assigned_identity.existing.id}'] }] },
          by_template: { identity: [{ type: 'UserAssigned', identity_ids: ['/subscriptions/${var.sub}/resourceGroups/agents/providers/Microsoft.ManagedIdentity/userAssignedIdentities/deployer'] }] },
        },
      },
      { sub: { type: 'string' } },
    );
    (configuration as Record<string, unknown>).data = { azurerm_user_assigned_identity: { existing: { name: 'deployer', resource_group_name: 'agents' } } };
    expect(summary(configuration).slice(2)).toEqual([
      ['attached:azurerm_linux_virtual_machine.by_id', false],
      ['attached:azurerm_linux_virtual_machine.by_data', false],
      ['attached:azurerm_linux_virtual_machine.by_template', false],
    ]);
  });

  test('correct but unusual: compute attaching another, low-privilege identity (by reference, literal ID or data source) is no path', () => {
    const configuration = withExtra({
      azurerm_user_assigned_identity: { deployer: { name: 'deployer', resource_group_name: 'agents', location: 'westeurope' }, runner: { name: 'runner', resource_group_name: 'agents', location: 'westeurope' } },
      azurerm_linux_virtual_machine: {
        ci: { identity: [{ type: 'UserAssigned', identity_ids: ['${azurerm_user_assigned_identity.runner.id}'] }] },
        other: { identity: [{ type: 'UserAssigned', identity_ids: ['/subscriptions/s/resourceGroups/agents/providers/Microsoft.ManagedIdentity/userAssignedIdentities/runner'] }] },
        system: { identity: [{ type: 'SystemAssigned' }] },
        // Same name, another resource group: another identity.
        elsewhere: { identity: [{ type: 'UserAssigned', identity_ids: ['/subscriptions/s/resourceGroups/ci/providers/Microsoft.ManagedIdentity/userAssignedIdentities/deployer'] }] },
      },
      azurerm_kubernetes_cluster: { aks: { kubelet_identity: [{ user_assigned_identity_id: '${azurerm_user_assigned_identity.runner.id}' }] } },
      // A block repeated zero times attaches nothing.
      azurerm_linux_web_app: { off: { count: 0, identity: [{ type: 'UserAssigned', identity_ids: [IDENTITY_ID] }] } },
    });
    expect(summary(configuration)).toEqual([
      ['federated:azurerm_federated_identity_credential.spire', true],
      ['federated:azurerm_federated_identity_credential.spire_eu', true],
    ]);
  });

  test('an attachment known only at apply may be this identity: not judged either way', () => {
    const { paths } = pathsOf(withExtra({ azurerm_linux_virtual_machine: { ci: { identity: [{ type: 'UserAssigned', identity_ids: ['${var.identity_id}'] }] }, all: { identity: [{ type: 'UserAssigned', identity_ids: '${var.ids}' }] } } }, { identity_id: {}, ids: {} }));
    expect(paths.slice(2).map((p) => [p.id, p.attested])).toEqual([
      ['attached:azurerm_linux_virtual_machine.ci', undefined],
      ['attached:azurerm_linux_virtual_machine.all', undefined],
    ]);
    expect(paths[2].why).toMatch(/^identity\.identity_ids names \$\{var\.identity_id\}, known only at apply: if that is this identity, any process/);
  });

  test('an app registration: its passwords, certificates and password blocks, and those of its service principals (azuread 3.x and 2.x attribute names)', () => {
    const configuration = {
      resource: {
        azuread_application: { ci: { display_name: 'ci', password: [{ display_name: 'legacy' }] }, other: { display_name: 'other' } },
        azuread_application_federated_identity_credential: { gh: { application_id: '${azuread_application.ci.id}', display_name: 'gh', issuer: ISSUER, subject: DEPLOYER_SPIFFE_ID, audiences: [AUDIENCE] } },
        azuread_application_password: { v3: { application_id: '${azuread_application.ci.id}' }, v2: { application_object_id: '${azuread_application.ci.object_id}' } },
        azuread_application_certificate: { cert: { application_id: '${azuread_application.ci.id}', type: 'AsymmetricX509Cert', value: 'pem' } },
        azuread_service_principal: { ci: { client_id: '${azuread_application.ci.client_id}' }, other: { client_id: '${azuread_application.other.client_id}' } },
        azuread_service_principal_password: { sp: { service_principal_id: '${azuread_service_principal.ci.id}' }, other: { service_principal_id: '${azuread_service_principal.other.id}' } },
        azuread_service_principal_certificate: { sp: { service_principal_id: '${azuread_service_principal.ci.id}', type: 'AsymmetricX509Cert', value: 'pem' } },
      },
    };
    expect(summary(configuration, 'azuread_application.ci', [{ issuer: ISSUER, subject: DEPLOYER_SPIFFE_ID, audience: AUDIENCE }])).toEqual([
      ['federated:azuread_application_federated_identity_credential.gh', true],
      ['secret:azuread_application.ci/password', false],
      ['secret:azuread_application_password.v3', false],
      ['secret:azuread_application_password.v2', false],
      ['certificate:azuread_application_certificate.cert', false],
      ['secret:azuread_service_principal_password.sp', false],
      ['certificate:azuread_service_principal_certificate.sp', false],
    ]);
  });

  test('acknowledgements by path ID in the identity’s "//" object: a reason of 10 characters or more; others are listed as not counting', () => {
    const configuration = withExtra({ azurerm_linux_virtual_machine: { breakglass: { identity: [{ type: 'UserAssigned', identity_ids: [IDENTITY_ID] }] } } });
    const identity = (configuration.resource as Record<string, Record<string, Record<string, unknown>>>).azurerm_user_assigned_identity.deployer;
    identity['//'] = {
      [ACKNOWLEDGED_PATHS_KEY]: {
        'attached:azurerm_linux_virtual_machine.breakglass': 'break-glass VM, reviewed in SEC-123',
        'federated:azurerm_federated_identity_credential.spire': 'attested anyway, why not',
        'attached:azurerm_linux_virtual_machine.gone': 'a path that is not there',
      },
    };
    const { paths, ignoredAcknowledgements } = pathsOf(configuration);
    expect(paths.find((p) => p.id === 'attached:azurerm_linux_virtual_machine.breakglass')).toMatchObject({ attested: false, acknowledged: 'break-glass VM, reviewed in SEC-123' });
    expect(paths.find((p) => p.id === 'federated:azurerm_federated_identity_credential.spire')!.acknowledged).toBeUndefined();
    expect(ignoredAcknowledgements).toEqual([
      'federated:azurerm_federated_identity_credential.spire: the path is attested; there is nothing to acknowledge',
      'attached:azurerm_linux_virtual_machine.gone: no path to the identity’s tokens has this ID',
    ]);
    identity['//'] = { [ACKNOWLEDGED_PATHS_KEY]: { 'attached:azurerm_linux_virtual_machine.breakglass': 'ok' } };
    const short = pathsOf(configuration);
    expect(short.paths.find((p) => p.id === 'attached:azurerm_linux_virtual_machine.breakglass')!.acknowledged).toBeUndefined();
    expect(short.ignoredAcknowledgements).toEqual(['attached:azurerm_linux_virtual_machine.breakglass: the reason "ok" is shorter than 10 characters']);
  });

  test('an identity outside the configuration (a literal parent ID): its credentials, and compute attaching that ID', () => {
    const external = '/subscriptions/s/resourceGroups/agents/providers/Microsoft.ManagedIdentity/userAssignedIdentities/external';
    const configuration = azureConfiguration({
      credentials: { ext: credential(DEPLOYER_SPIFFE_ID, { parent_id: external }) },
      extra: { azurerm_linux_virtual_machine: { vm: { identity: [{ type: 'UserAssigned', identity_ids: [external.toUpperCase()] }] } } },
    });
    expect(summary(configuration, external, [DECLARED[0]])).toEqual([
      ['federated:azurerm_federated_identity_credential.ext', true],
      ['attached:azurerm_linux_virtual_machine.vm', false],
    ]);
  });
});

describe('routeOfAzurePath: a path as the report draws it', () => {
  test('a declared federated credential demands the declared issuer, subject and audience; a VM the identity is attached to demands nothing', () => {
    const configuration = withExtra({ azurerm_linux_virtual_machine: { ci: { identity: [{ type: 'UserAssigned', identity_ids: [IDENTITY_ID] }] } } });
    const routes = pathsOf(configuration).paths.map((p) => routeOfAzurePath(p, 'cdk/deployer'));
    expect(routes[0]).toEqual({ from: 'a workload presenting a token of the credential’s issuer', through: 'azurerm_federated_identity_credential.spire', factors: ['a token of the declared issuer', 'the declared subject and audience'], to: 'cdk/deployer' });
    expect(routes).toContainEqual({ from: 'any process on azurerm_linux_virtual_machine.ci', through: 'azurerm_linux_virtual_machine.ci', factors: [], to: 'cdk/deployer' });
  });
});
