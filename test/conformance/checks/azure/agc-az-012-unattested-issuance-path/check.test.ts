import { check } from '../../../../../conformance/checks/azure/agc-az-012-unattested-issuance-path/check';
import { discoverAzureGates } from '../../../../../conformance/azure/discover-gates';
import { AzureProbeContext, ResolvedAzureGate } from '../../../../../conformance/azure/probe-context';
import { ACKNOWLEDGED_PATHS_KEY } from '../../../../../lib/model/azure/issuance-paths';
import { DEPLOYER_SPIFFE_ID, ISSUER, azureConfiguration, azureGateComment, credential, tfModel } from '../../../../fixtures/terraform';

type Json = Record<string, any>;
const IDENTITY_ID = '${azurerm_user_assigned_identity.deployer.id}';
const attach = (type: string, body: Json = {}) => ({ [type]: { x: { name: 'x', ...body, identity: [{ type: 'UserAssigned', identity_ids: [IDENTITY_ID] }] } } });

/**
 * A hand-written configuration of the deployer with its gate manifest (unless `manifest` is
 * false) and `extra` resources; the check judges the discovered gate, so no probe context or
 * emulator is needed.
 */
async function judge(options: { extra?: Json; credentials?: Json; trusts?: Parameters<typeof azureGateComment>[0]; manifest?: boolean; acknowledged?: Json; unresolved?: string; variable?: Json } = {}) {
  const configuration: Json = azureConfiguration({ credentials: options.credentials, extra: options.extra });
  const identity = configuration.resource.azurerm_user_assigned_identity.deployer;
  if (options.manifest !== false) identity['//'] = azureGateComment(options.trusts, options.acknowledged ? { [ACKNOWLEDGED_PATHS_KEY]: options.acknowledged } : {});
  else if (options.acknowledged) identity['//'] = { [ACKNOWLEDGED_PATHS_KEY]: options.acknowledged };
  if (options.variable) configuration.variable = options.variable;
  const gates = discoverAzureGates([{ stackName: 'brownfield', file: 'brownfield.tf.json', model: tfModel(configuration) }]);
  const gate = gates.find((g) => g.id === 'brownfield/azurerm_user_assigned_identity.deployer')!;
  const resolved = { gate, credentials: [], problems: [], issuerKeys: new Map(), noKeyReason: '', foreignSubjects: [], scope: 's', ...(options.unresolved ? { unresolved: options.unresolved } : {}) } as unknown as ResolvedAzureGate;
  return check.run(resolved, {} as AzureProbeContext);
}

describe('AGC-AZ-012: no unattested path to the identity’s tokens', () => {
  test('PASS when the declared federated credentials are the only paths', async () => {
    expect(await judge()).toMatchObject({
      status: 'PASS',
      reason: 'only the declared federated credentials give the identity’s tokens (2 attested paths: azurerm_federated_identity_credential.spire, azurerm_federated_identity_credential.spire_eu)',
    });
  });

  test.each([
    ['a Linux VM the identity is attached to', { extra: attach('azurerm_linux_virtual_machine') }, /^1 unattested path to the identity’s tokens: \[attached:azurerm_linux_virtual_machine\.x\] attached to azurerm_linux_virtual_machine\.x \(identity\.identity_ids\): any process running there gets its tokens from the managed-identity endpoint/],
    ['a scale set', { extra: attach('azurerm_windows_virtual_machine_scale_set') }, /\[attached:azurerm_windows_virtual_machine_scale_set\.x\]/],
    ['an App Service', { extra: attach('azurerm_linux_web_app') }, /\[attached:azurerm_linux_web_app\.x\]/],
    ['a Function', { extra: attach('azurerm_linux_function_app') }, /\[attached:azurerm_linux_function_app\.x\]/],
    ['a container app', { extra: attach('azurerm_container_app') }, /\[attached:azurerm_container_app\.x\]/],
    ['a container group', { extra: attach('azurerm_container_group') }, /\[attached:azurerm_container_group\.x\]/],
    ['an AKS kubelet identity', { extra: { azurerm_kubernetes_cluster: { aks: { kubelet_identity: [{ user_assigned_identity_id: IDENTITY_ID }] } } } }, /\[attached:azurerm_kubernetes_cluster\.aks\/kubelet_identity\] kubelet identity of AKS cluster .*every pod on the cluster’s nodes/],
    [
      'a credential for the namespace’s default service account',
      { credentials: { spire: credential(DEPLOYER_SPIFFE_ID), spire_eu: credential('spiffe://eu.prod.example/agent/deployer'), pods: credential('system:serviceaccount:agents:default', { issuer: 'https://aks.example/oidc' }) } },
      /\[federated:azurerm_federated_identity_credential\.pods\] .*its subject is the default service account of Kubernetes namespace "agents"/,
    ],
    [
      'a credential for a whole GitHub repository',
      { credentials: { spire: credential(DEPLOYER_SPIFFE_ID), spire_eu: credential('spiffe://eu.prod.example/agent/deployer'), repo: credential('repo:acme/infra', { issuer: 'https://token.actions.githubusercontent.com' }) } },
      /\[federated:azurerm_federated_identity_credential\.repo\] .*the whole repository acme\/infra/,
    ],
    [
      'an undeclared credential of another issuer and subject (a CI workflow)',
      { credentials: { spire: credential(DEPLOYER_SPIFFE_ID), spire_eu: credential('spiffe://eu.prod.example/agent/deployer'), ci: credential('repo:acme/infra:environment:prod', { issuer: 'https://token.actions.githubusercontent.com' }) } },
      /\[federated:azurerm_federated_identity_credential\.ci\] federated credential .*: a trust the gate manifest does not declare/,
    ],
  ])('FAIL: %s', async (_what, options, why) => {
    const verdict = await judge(options);
    expect(verdict.status).toBe('FAIL');
    expect(verdict.reason).toMatch(why);
  });

  test('a shared subject FAILs even when the gate manifest declares it: it is never the agent’s attestation', async () => {
    const pods = { issuer: 'https://aks.example/oidc', subject: 'system:serviceaccount:agents:default' };
    const verdict = await judge({ credentials: { spire: credential(DEPLOYER_SPIFFE_ID), pods: credential(pods.subject, { issuer: pods.issuer }) }, trusts: [{ issuer: ISSUER, subject: DEPLOYER_SPIFFE_ID }, pods] });
    expect(verdict).toMatchObject({ status: 'FAIL', reason: expect.stringMatching(/^1 unattested path .*\[federated:azurerm_federated_identity_credential\.pods\]/) });
  });

  test('FAIL names every open path at once', async () => {
    const verdict = await judge({ extra: { ...attach('azurerm_linux_virtual_machine'), ...attach('azurerm_container_app') } });
    expect(verdict.reason).toMatch(/^2 unattested paths to the identity’s tokens: \[attached:azurerm_linux_virtual_machine\.x\] .*; \[attached:azurerm_container_app\.x\] /);
  });

  test('correct but unusual: a VM attaching a different, low-privilege identity stays clean', async () => {
    const verdict = await judge({
      extra: {
        azurerm_user_assigned_identity: { deployer: { name: 'deployer', resource_group_name: 'agents', location: 'westeurope' }, runner: { name: 'runner', resource_group_name: 'agents', location: 'westeurope' } },
        azurerm_linux_virtual_machine: { ci: { identity: [{ type: 'SystemAssigned, UserAssigned', identity_ids: ['${azurerm_user_assigned_identity.runner.id}'] }] } },
      },
    });
    expect(verdict.status).toBe('PASS');
  });

  test('acknowledged (a break-glass VM) with a reason: INCONCLUSIVE, acknowledged — never PASS; a short reason does not count and is said so', async () => {
    const extra = attach('azurerm_linux_virtual_machine');
    const acknowledged = await judge({ extra, acknowledged: { 'attached:azurerm_linux_virtual_machine.x': 'break-glass VM, reviewed in SEC-123' } });
    expect(acknowledged).toMatchObject({ status: 'INCONCLUSIVE', acknowledged: 'attached:azurerm_linux_virtual_machine.x (break-glass VM, reviewed in SEC-123)' });
    const short = await judge({ extra, acknowledged: { 'attached:azurerm_linux_virtual_machine.x': 'ok' } });
    expect(short.status).toBe('FAIL');
    expect(short.reason).toContain('(acknowledgements that do not count: attached:azurerm_linux_virtual_machine.x: the reason "ok" is shorter than 10 characters)');
  });

  test('an acknowledged break-glass client secret of an app registration: INCONCLUSIVE, acknowledged; without the acknowledgement, FAIL', async () => {
    const app = (comment: Json) => ({
      resource: {
        azuread_application: { ci: { display_name: 'ci', '//': comment } },
        azuread_application_federated_identity_credential: { spire: { application_id: '${azuread_application.ci.id}', display_name: 'spire', issuer: ISSUER, subject: DEPLOYER_SPIFFE_ID, audiences: ['api://AzureADTokenExchange'] } },
        azuread_application_password: { breakglass: { application_id: '${azuread_application.ci.id}', display_name: 'break-glass' } },
      },
    });
    const run = async (comment: Json) => {
      const [gate] = discoverAzureGates([{ stackName: 'brownfield', file: 'brownfield.tf.json', model: tfModel(app(comment)) }]);
      return check.run({ gate, credentials: [] } as unknown as ResolvedAzureGate, {} as AzureProbeContext);
    };
    const declared = azureGateComment([{ issuer: ISSUER, subject: DEPLOYER_SPIFFE_ID }]);
    expect(await run(declared)).toMatchObject({ status: 'FAIL', reason: expect.stringContaining('[secret:azuread_application_password.breakglass] client secret azuread_application_password.breakglass of application azuread_application.ci: whoever holds the secret signs in as the application') });
    expect(await run({ ...declared, [ACKNOWLEDGED_PATHS_KEY]: { 'secret:azuread_application_password.breakglass': 'break-glass for tenant recovery, in the vault' } })).toMatchObject({
      status: 'INCONCLUSIVE',
      acknowledged: 'secret:azuread_application_password.breakglass (break-glass for tenant recovery, in the vault)',
    });
  });

  test('INCONCLUSIVE for what the configuration cannot tell (an attachment known only at apply); without a manifest the configuration’s exact trusts are the declared ones', async () => {
    const later = await judge({ extra: { azurerm_linux_virtual_machine: { ci: { identity: [{ type: 'UserAssigned', identity_ids: ['${var.identity_id}'] }] } } }, variable: { identity_id: { type: 'string' } } });
    expect(later).toMatchObject({ status: 'INCONCLUSIVE', reason: expect.stringMatching(/^cannot judge 1 path from the configuration: \[attached:azurerm_linux_virtual_machine\.ci\] .*\$\{var\.identity_id\}, known only at apply/) });
    expect(later.acknowledged).toBeUndefined();
    expect((await judge({ manifest: false })).status).toBe('PASS');
    // An open path is open with or without a manifest.
    expect((await judge({ manifest: false, extra: attach('azurerm_linux_virtual_machine') })).status).toBe('FAIL');
  });

  test('a gate this run cannot reach (no client ID): an open path still FAILs; a clean configuration is SKIPPED with what to pass', async () => {
    const unresolved = 'no client ID for the identity: pass --client-id';
    expect((await judge({ unresolved })).status).toBe('SKIPPED');
    expect((await judge({ unresolved, extra: attach('azurerm_linux_virtual_machine') })).status).toBe('FAIL');
  });
});

describe('AGC-AZ-012 on an agent identity attested by a managed identity’s token', () => {
  const { agentIdConfiguration } = require('../../../../fixtures/entra-agent-id') as typeof import('../../../../fixtures/entra-agent-id');
  async function judgeAgent(configuration: Json) {
    const gates = discoverAzureGates([{ stackName: 'brownfield', file: 'brownfield.tf.json', model: tfModel(configuration) }]);
    const gate = gates.find((g) => g.id === 'brownfield/msgraph_resource.deployer')!;
    const resolved = { gate, credentials: [], problems: [], issuerKeys: new Map(), noKeyReason: '', foreignSubjects: [], scope: 's' } as unknown as ResolvedAzureGate;
    return check.run(resolved, {} as AzureProbeContext);
  }

  test('FAIL: the VM holding the managed identity is a path to the agent; without it, no attachment (the credential’s subject, known only at apply and declared by no manifest, stays INCONCLUSIVE)', async () => {
    expect(await judgeAgent(agentIdConfiguration('managed-identity-attested'))).toMatchObject({ status: 'FAIL', reason: expect.stringContaining('[attached:azurerm_linux_virtual_machine.build]') });
    const detached = agentIdConfiguration('managed-identity-attested');
    delete detached.resource.azurerm_linux_virtual_machine;
    const result = await judgeAgent(detached);
    expect(result.status).toBe('INCONCLUSIVE');
    expect(result.reason).not.toContain('attached:');
  });

  test('FAIL: a GitHub Actions credential on that managed identity is a path to the agent; its SPIFFE credential alone is not', async () => {
    const withCredential = (name: string, issuer: string, subject: string) => {
      const configuration = agentIdConfiguration('managed-identity-attested');
      delete configuration.resource.azurerm_linux_virtual_machine;
      configuration.resource.azurerm_federated_identity_credential = { [name]: { name, resource_group_name: 'agents', parent_id: '${azurerm_user_assigned_identity.runner.id}', issuer, subject, audience: ['api://AzureADTokenExchange'] } };
      return configuration;
    };
    const github = await judgeAgent(withCredential('pull_requests', 'https://token.actions.githubusercontent.com', 'repo:acme/infra:pull_request'));
    expect(github).toMatchObject({ status: 'FAIL', reason: expect.stringContaining('[federated:azurerm_federated_identity_credential.pull_requests]') });
    const spire = await judgeAgent(withCredential('spire', 'https://oidc.prod.example', 'spiffe://prod.example/agent/deployer'));
    // Still INCONCLUSIVE for the blueprint credential's subject known only at apply, as above — never FAIL for the SPIFFE credential.
    expect(spire.status).toBe('INCONCLUSIVE');
    expect(spire.reason).not.toContain('azurerm_federated_identity_credential.spire');
  });
});
