import { highPrivilegeAttestedOnly } from '../../../lib/rules/azure/ag-az-004-high-privilege-attested-only';
import { check } from '../../../conformance/checks/azure/agc-az-012-unattested-issuance-path/check';
import { discoverAzureGates } from '../../../conformance/azure/discover-gates';
import { AzureProbeContext, ResolvedAzureGate } from '../../../conformance/azure/probe-context';
import { ACKNOWLEDGED_PATHS_KEY } from '../../../lib/model/azure/issuance-paths';
import { DEPLOYER_SPIFFE_ID, ISSUER, azureConfiguration, azureGateComment, tfModel } from '../../fixtures/terraform';

type Json = Record<string, any>;
const IDENTITY_ID = '${azurerm_user_assigned_identity.deployer.id}';
const attached = (type: string, block: Json = { identity: [{ type: 'UserAssigned', identity_ids: [IDENTITY_ID] }] }) => ({ [type]: { x: { name: 'x', ...block } } });

/** The deployer (Contributor on the subscription: high privilege), declared by its gate manifest, with `extra` resources. */
function deployer(extra: Json = {}, acknowledged?: Json): Json {
  const configuration: Json = azureConfiguration({ extra });
  const identity = configuration.resource.azurerm_user_assigned_identity.deployer;
  identity['//'] = azureGateComment(undefined, acknowledged ? { [ACKNOWLEDGED_PATHS_KEY]: acknowledged } : {});
  return configuration;
}

/** An app registration with one declared federated credential, Contributor through its service principal, and `extra` resources. */
function application(extra: Json = {}, acknowledged?: Json): Json {
  return {
    resource: {
      azuread_application: { ci: { display_name: 'ci', '//': azureGateComment([{ issuer: ISSUER, subject: DEPLOYER_SPIFFE_ID }], acknowledged ? { [ACKNOWLEDGED_PATHS_KEY]: acknowledged } : {}) } },
      azuread_application_federated_identity_credential: { spire: { application_id: '${azuread_application.ci.id}', display_name: 'spire', issuer: ISSUER, subject: DEPLOYER_SPIFFE_ID, audiences: ['api://AzureADTokenExchange'] } },
      azuread_service_principal: { ci: { client_id: '${azuread_application.ci.client_id}' } },
      azurerm_role_assignment: { contributor: { scope: '/subscriptions/00000000-0000-0000-0000-000000000000', role_definition_name: 'Contributor', principal_id: '${azuread_service_principal.ci.object_id}' } },
      ...extra,
    },
  };
}

/** What the rule says of a configuration: `violation`, `unjudgeable` or `clean`. */
function ruleSays(configuration: Json): string {
  const outcomes = highPrivilegeAttestedOnly.evaluate(tfModel(configuration)).map((f) => f.outcome);
  return outcomes.includes('violation') ? 'violation' : outcomes.includes('unjudgeable') ? 'unjudgeable' : 'clean';
}

/** What AGC-AZ-012 says of the configuration's first gate, judged without a target. */
async function checkSays(configuration: Json): Promise<string> {
  const [gate] = discoverAzureGates([{ stackName: 's', file: 's.tf.json', model: tfModel(configuration) }]);
  const verdict = await check.run({ gate, credentials: [] } as unknown as ResolvedAzureGate, {} as AzureProbeContext);
  return verdict.acknowledged ? 'INCONCLUSIVE (acknowledged)' : verdict.status;
}

/** One table, run through the synth-time rule and the conformance check: they must agree. */
const CASES: ReadonlyArray<[string, Json, string, string]> = [
  ['a Linux VM attaching the high-privilege identity', deployer(attached('azurerm_linux_virtual_machine')), 'violation', 'FAIL'],
  ['a Windows scale set', deployer(attached('azurerm_windows_virtual_machine_scale_set')), 'violation', 'FAIL'],
  ['an App Service', deployer(attached('azurerm_windows_web_app')), 'violation', 'FAIL'],
  ['a Function', deployer(attached('azurerm_linux_function_app')), 'violation', 'FAIL'],
  ['a container app', deployer(attached('azurerm_container_app')), 'violation', 'FAIL'],
  ['a container group', deployer(attached('azurerm_container_group')), 'violation', 'FAIL'],
  ['an AKS kubelet identity', deployer(attached('azurerm_kubernetes_cluster', { kubelet_identity: [{ user_assigned_identity_id: IDENTITY_ID }] })), 'violation', 'FAIL'],
  ['a client secret of the app registration', application({ azuread_application_password: { p: { application_id: '${azuread_application.ci.id}' } } }), 'violation', 'FAIL'],
  ['a password block on the application', application({ azuread_application: { ci: { display_name: 'ci', password: [{ display_name: 'legacy' }], '//': azureGateComment([{ issuer: ISSUER, subject: DEPLOYER_SPIFFE_ID }]) } } }), 'violation', 'FAIL'],
  ['a client certificate of the app registration', application({ azuread_application_certificate: { c: { application_id: '${azuread_application.ci.id}', type: 'AsymmetricX509Cert', value: 'pem' } } }), 'violation', 'FAIL'],
  ['a secret of its service principal', application({ azuread_service_principal_password: { p: { service_principal_id: '${azuread_service_principal.ci.id}' } } }), 'violation', 'FAIL'],
  ['a certificate of its service principal', application({ azuread_service_principal_certificate: { c: { service_principal_id: '${azuread_service_principal.ci.id}', type: 'AsymmetricX509Cert', value: 'pem' } } }), 'violation', 'FAIL'],
  ['a VM attaching an identity known only at apply', { ...deployer(attached('azurerm_linux_virtual_machine', { identity: [{ type: 'UserAssigned', identity_ids: ['${var.identity}'] }] })), variable: { identity: {} } }, 'unjudgeable', 'INCONCLUSIVE'],
  // Correct but unusual: clean in both.
  ['the declared credentials only', deployer(), 'clean', 'PASS'],
  [
    'a VM attaching a different, low-privilege identity',
    deployer({
      azurerm_user_assigned_identity: { deployer: { name: 'deployer', resource_group_name: 'agents', location: 'westeurope', '//': azureGateComment() }, runner: { name: 'runner', resource_group_name: 'agents', location: 'westeurope' } },
      ...attached('azurerm_linux_virtual_machine', { identity: [{ type: 'UserAssigned', identity_ids: ['${azurerm_user_assigned_identity.runner.id}'] }] }),
    }),
    'clean',
    'PASS',
  ],
  ['a secret of another application', application({ azuread_application: { ci: { display_name: 'ci', '//': azureGateComment([{ issuer: ISSUER, subject: DEPLOYER_SPIFFE_ID }]) }, tools: { display_name: 'tools' } }, azuread_application_password: { p: { application_id: '${azuread_application.tools.id}' } } }), 'clean', 'PASS'],
  ['an acknowledged break-glass VM', deployer(attached('azurerm_linux_virtual_machine'), { 'attached:azurerm_linux_virtual_machine.x': 'break-glass VM, reviewed in SEC-123' }), 'clean', 'INCONCLUSIVE (acknowledged)'],
  ['an acknowledged break-glass client secret', application({ azuread_application_password: { p: { application_id: '${azuread_application.ci.id}' } } }, { 'secret:azuread_application_password.p': 'break-glass for tenant recovery, in the vault' }), 'clean', 'INCONCLUSIVE (acknowledged)'],
];

describe('AG-AZ-004 and AGC-AZ-012 agree: a high-privilege gated identity has no unattested path', () => {
  test.each(CASES.map(([what, configuration, rule, verdict]) => [what, rule, verdict, configuration] as const))('%s: rule %s, check %s', async (_what, rule, verdict, configuration) => {
    expect([ruleSays(configuration), await checkSays(configuration)]).toEqual([rule, verdict]);
  });

  test('the finding names the identity, why it is high privilege, the path ID and how it leaks', () => {
    expect(highPrivilegeAttestedOnly.evaluate(tfModel(deployer(attached('azurerm_linux_virtual_machine'))))).toEqual([
      {
        resource: 'azurerm_linux_virtual_machine.x',
        outcome: 'violation',
        message:
          'High-privilege identity azurerm_user_assigned_identity.deployer (declared high in its gate manifest) has an unattested path [attached:azurerm_linux_virtual_machine.x]: attached to azurerm_linux_virtual_machine.x (identity.identity_ids): any process running there gets its tokens from the managed-identity endpoint (IMDS / IDENTITY_ENDPOINT), without attestation.',
        location: 'identity',
      },
    ]);
  });

  test('privilege from roles without a manifest; an identity of unknown privilege is the check’s alone (the rule refuses high privilege only)', () => {
    const brownfield = azureConfiguration({ extra: attached('azurerm_linux_virtual_machine') });
    expect(highPrivilegeAttestedOnly.evaluate(tfModel(brownfield)).map((f) => f.message)).toEqual([expect.stringContaining('(Contributor on /subscriptions/00000000-0000-0000-0000-000000000000)')]);
    const unprivileged = azureConfiguration({ extra: { azurerm_role_assignment: {}, ...attached('azurerm_linux_virtual_machine') } });
    expect(highPrivilegeAttestedOnly.evaluate(tfModel(unprivileged))).toEqual([]);
  });
});

describe('AG-AZ-004 on an agent identity whose attestation is a managed identity’s token', () => {
  const { agentIdConfiguration, agentIdModel } = require('../../fixtures/entra-agent-id') as typeof import('../../fixtures/entra-agent-id');
  const { agentGates } = require('../../../lib/model/azure/agent-issuance-paths') as typeof import('../../../lib/model/azure/agent-issuance-paths');
  const { ACKNOWLEDGED_PATHS_KEY } = require('../../../lib/model/azure/issuance-paths') as typeof import('../../../lib/model/azure/issuance-paths');

  test('Noncompliance: the VM the managed identity is attached to obtains its token, and with it the agent’s', () => {
    expect(highPrivilegeAttestedOnly.evaluate(agentIdModel('managed-identity-attested'))).toEqual([
      {
        resource: 'azurerm_linux_virtual_machine.build',
        outcome: 'violation',
        message:
          'High-privilege agent identity msgraph_resource.deployer (Contributor on /subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333) has an unattested path [attached:azurerm_linux_virtual_machine.build]: attached to azurerm_linux_virtual_machine.build (identity.identity_ids), holding azurerm_user_assigned_identity.runner (the managed identity whose token federated credential msgraph_resource.runner_token trusts): any process running there gets its tokens from the managed-identity endpoint (IMDS / IDENTITY_ENDPOINT), without attestation, and presents it at leg 1 as the blueprint’s attested token: the agent identity’s tokens follow.',
        location: 'identity',
      },
    ]);
  });

  test('Noncompliance: a system-assigned identity of a function app as the subject; a data source of the identity attached to a container app', () => {
    const configuration = agentIdConfiguration('managed-identity-attested');
    configuration.resource.azurerm_linux_function_app = { tools: { name: 'tools', resource_group_name: 'agents', location: 'westeurope', identity: [{ type: 'SystemAssigned' }] } };
    configuration.resource.msgraph_resource.runner_token.body.subject = '${azurerm_linux_function_app.tools.identity[0].principal_id}';
    expect(highPrivilegeAttestedOnly.evaluate(agentIdModel(configuration)).map((f) => [f.resource, f.message.includes('system-assigned identity of azurerm_linux_function_app.tools')])).toEqual([['azurerm_linux_function_app.tools', true]]);

    const viaData = agentIdConfiguration('managed-identity-attested');
    delete viaData.resource.azurerm_linux_virtual_machine;
    viaData.data = { azurerm_user_assigned_identity: { runner: { name: 'deployer-runner', resource_group_name: 'agents' } } };
    viaData.resource.azurerm_container_app = { worker: { name: 'worker', resource_group_name: 'agents', container_app_environment_id: 'x', revision_mode: 'Single', identity: [{ type: 'UserAssigned', identity_ids: ['${data.azurerm_user_assigned_identity.runner.id}'] }] } };
    expect(highPrivilegeAttestedOnly.evaluate(agentIdModel(viaData)).map((f) => f.resource)).toEqual(['azurerm_container_app.worker']);
  });

  test('Compliant, unusual: the managed identity attached nowhere (its token is had only where it is attached outside this configuration); an acknowledged attachment', () => {
    const detached = agentIdConfiguration('managed-identity-attested');
    delete detached.resource.azurerm_linux_virtual_machine;
    expect(highPrivilegeAttestedOnly.evaluate(agentIdModel(detached))).toEqual([]);

    const acknowledged = agentIdConfiguration('managed-identity-attested');
    acknowledged.resource.msgraph_resource.deployer['//'] = { [ACKNOWLEDGED_PATHS_KEY]: { 'attached:azurerm_linux_virtual_machine.build': 'the deployer agent runs on this VM only (SEC-311)' } };
    const model = agentIdModel(acknowledged);
    expect(highPrivilegeAttestedOnly.evaluate(model)).toEqual([]);
    expect(agentGates(model)[0].paths.find((p) => p.kind === 'attachment')).toMatchObject({ attested: false, acknowledged: 'the deployer agent runs on this VM only (SEC-311)' });
  });

  /** The runner identity with hand-written azurerm federated credentials, no VM; the SPIFFE trust declared in its gate manifest when `gated`. */
  function runnerWithCredentials(credentials: Record<string, { issuer: string; subject: string }>, gated = true) {
    const configuration = agentIdConfiguration('managed-identity-attested');
    delete configuration.resource.azurerm_linux_virtual_machine;
    configuration.resource.azurerm_federated_identity_credential = Object.fromEntries(
      Object.entries(credentials).map(([name, c]) => [name, { name, resource_group_name: 'agents', parent_id: '${azurerm_user_assigned_identity.runner.id}', audience: ['api://AzureADTokenExchange'], ...c }]),
    );
    if (gated) {
      configuration.resource.azurerm_user_assigned_identity.runner['//'] = {
        'attestgate:gate': {
          schema: 'attestgate/gate-manifest/v2',
          kind: 'azure-federated-identity-credential',
          identity: { name: 'deployer', spiffeId: 'spiffe://prod.example/agent/deployer', subject: { CN: 'deployer' }, sanUri: 'spiffe://prod.example/agent/deployer', privilege: 'high', maxCredentialLifetimeSeconds: 3600 },
          credentials: [{ issuer: 'https://oidc.prod.example', subject: 'spiffe://prod.example/agent/deployer', audience: 'api://AzureADTokenExchange' }],
        },
      };
    }
    return configuration;
  }
  const SPIFFE_TRUST = { issuer: 'https://oidc.prod.example', subject: 'spiffe://prod.example/agent/deployer' };
  const GITHUB = 'https://token.actions.githubusercontent.com';

  test('Noncompliance: a GitHub Actions federated credential on the managed identity the blueprint trusts — the workflow gets its token, and with it the agent’s', () => {
    const findings = highPrivilegeAttestedOnly.evaluate(agentIdModel(runnerWithCredentials({ spire: SPIFFE_TRUST, github_deploy: { issuer: GITHUB, subject: 'repo:acme/infra:environment:prod' } })));
    expect(findings).toEqual([
      {
        resource: 'azurerm_federated_identity_credential.github_deploy',
        outcome: 'violation',
        message:
          'High-privilege agent identity msgraph_resource.deployer (Contributor on /subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333) has an unattested path [federated:azurerm_federated_identity_credential.github_deploy]: federated credential azurerm_federated_identity_credential.github_deploy: subject repo:acme/infra:environment:prod of https://token.actions.githubusercontent.com, of azurerm_user_assigned_identity.runner (the managed identity whose token federated credential msgraph_resource.runner_token trusts): a trust the gate manifest does not declare: whoever gets a token of that issuer and subject gets the identity, without the agent’s attestation; that token of azurerm_user_assigned_identity.runner opens leg 1 as the blueprint’s attested token: the agent identity’s tokens follow.',
        location: '',
      },
    ]);
    // Without a gate manifest on the identity its credentials are judged as its own gate judges them: a shared subject is still unattested.
    const ungated = agentIdModel(runnerWithCredentials({ pull_requests: { issuer: GITHUB, subject: 'repo:acme/infra:pull_request' } }, false));
    expect(highPrivilegeAttestedOnly.evaluate(ungated).map((f) => [f.resource, f.outcome])).toEqual([['azurerm_federated_identity_credential.pull_requests', 'violation']]);
  });

  test('Compliant: the managed identity’s own SPIFFE credential, declared by its gate, is an attested path to the agent; an acknowledged credential is accepted', () => {
    const model = agentIdModel(runnerWithCredentials({ spire: SPIFFE_TRUST }));
    expect(highPrivilegeAttestedOnly.evaluate(model)).toEqual([]);
    expect(agentGates(model)[0].paths.find((p) => p.id === 'federated:azurerm_federated_identity_credential.spire')).toMatchObject({ attested: true, through: 'azurerm_user_assigned_identity.runner' });
    const acknowledged = runnerWithCredentials({ spire: SPIFFE_TRUST, github_deploy: { issuer: GITHUB, subject: 'repo:acme/infra:environment:prod' } });
    acknowledged.resource.msgraph_resource.deployer['//'] = { [ACKNOWLEDGED_PATHS_KEY]: { 'federated:azurerm_federated_identity_credential.github_deploy': 'the release workflow deploys the agent itself (SEC-412)' } };
    expect(highPrivilegeAttestedOnly.evaluate(agentIdModel(acknowledged))).toEqual([]);
  });

  test('a SPIRE issuer’s subject is not a managed identity: no attachment path, even with the same VM in the configuration', () => {
    const configuration = agentIdConfiguration('managed-identity-attested');
    Object.assign(configuration.resource.msgraph_resource.runner_token.body, { issuer: 'https://oidc.prod.example', subject: 'spiffe://prod.example/agent/deployer' });
    expect(agentGates(agentIdModel(configuration))[0].paths.map((p) => p.kind)).toEqual(['federated-credential']);
  });
});
