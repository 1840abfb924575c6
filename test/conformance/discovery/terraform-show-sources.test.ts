import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadAppSources } from '../../../conformance/discovery/app-sources';
import { runGcpConformance } from '../../../conformance/gcp/run-gcp-conformance';
import { startGcpEmulator } from '../../../conformance/emulator/gcp-emulator';
import { loadPkiDirectory } from '../../../conformance/pki/pki-directory';
import { runCli } from '../../fixtures/cli';
import { statusesOf } from '../../fixtures/conformance';
import { azureStatuses, probeAzureLocally } from '../../fixtures/azure-conformance';
import { writeIssuerKey } from '../../fixtures/gcp-conformance';
import { ShownResource, planJson, stateJson } from '../../fixtures/terraform-show';

/**
 * A GCP gate as `terraform show -json` prints it for a team that writes HCL: the service account
 * and its binding in a module instance of a for_each, every name as the state records it. The open
 * variant's condition admits another trust domain's agent that a lossy extract() maps to the bound
 * principal; the correct one pins the subject.
 */
const issuer = writeIssuerKey();
const jwks = fs.readFileSync(issuer.jwksFile, 'utf8');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-show-'));

function gate(project: string, condition: string, options: { memberUnknown?: boolean } = {}): ShownResource[] {
  const pool = `projects/${project === 'open-prod' ? '111111111' : '222222222'}/locations/global/workloadIdentityPools/agents`;
  const sa = `deployer-agent@${project}.iam.gserviceaccount.com`;
  return [
    { type: 'google_iam_workload_identity_pool', name: 'pool', values: { workload_identity_pool_id: 'agents', project, name: pool } },
    {
      type: 'google_iam_workload_identity_pool_provider',
      name: 'spire',
      values: {
        workload_identity_pool_id: 'agents',
        workload_identity_pool_provider_id: 'spire',
        project,
        name: `${pool}/providers/spire`,
        attribute_mapping: { 'google.subject': "assertion.sub.extract('/agent/{name}')" },
        attribute_condition: condition,
        oidc: [{ issuer_uri: 'https://oidc.prod.example', allowed_audiences: ['gcp'], jwks_json: jwks }],
      },
    },
    { type: 'google_service_account', name: 'agent', module: 'module.agents', index: 'deployer', values: { account_id: 'deployer-agent', project, email: sa, member: `serviceAccount:${sa}`, name: `projects/${project}/serviceAccounts/${sa}` } },
    { type: 'google_project_iam_member', name: 'editor', values: { project, role: 'roles/editor', member: `serviceAccount:${sa}` } },
    {
      type: 'google_service_account_iam_member',
      name: 'wif',
      module: 'module.agents',
      index: 'deployer',
      values: { service_account_id: `projects/${project}/serviceAccounts/${sa}`, role: 'roles/iam.workloadIdentityUser', member: `principal://iam.googleapis.com/${pool}/subject/deployer` },
      ...(options.memberUnknown ? { unknown: { member: true } } : {}),
    },
  ];
}

const write = (name: string, json: unknown) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(json, null, 2));
  return file;
};
const OPEN = "assertion.sub.endsWith('/agent/deployer')";
const PINNED = "assertion.sub == 'spiffe://prod.example/agent/deployer'";
const openPlan = write('open-plan.json', planJson(gate('open-prod', OPEN), { google: { project: 'open-prod' } }));
const pinnedState = write('pinned-state.json', stateJson(gate('pinned-prod', PINNED)));

describe('terraform show -json as --app input', () => {
  test('recognised by content — a plan, a state, even a plan named *.tf.json — and said what it was read as', () => {
    const renamed = write('renamed.tf.json', JSON.parse(fs.readFileSync(openPlan, 'utf8')));
    const { configurations, templates } = loadAppSources([openPlan, pinnedState, renamed]);
    expect(templates).toEqual([]);
    expect(configurations.map((c) => `${c.stackName}: ${c.readAs}`)).toEqual([
      'open-plan: Terraform plan JSON (format 1.2, written by 1.9.8)',
      'pinned-state: Terraform state JSON (format 1.0, written by 1.9.8)',
      'renamed: Terraform plan JSON (format 1.2, written by 1.9.8)',
    ]);
    expect(configurations[0].model.resource('module.agents.google_service_account.agent["deployer"]')).toBeDefined();
  });

  test('rules: the open plan is refused (exit 1), the pinned state is clean; a member known only after apply is never judged clean (exit 2)', async () => {
    const open = await runCli(['rules', '--app', openPlan]);
    expect(open.out).toContain('open-plan (Terraform plan JSON (format 1.2, written by 1.9.8), ');
    expect(open.out).toMatch(/VIOLATION google_iam_workload_identity_pool_provider\.spire: \[AG-GCP-004\] .*"spiffe:\/\/attestgate-probe\.invalid\/agent\/deployer"/);
    expect(open.code).toBe(1);
    expect((await runCli(['rules', '--app', pinnedState])).code).toBe(0);
    const unknown = await runCli(['rules', '--app', write('unknown-plan.json', planJson(gate('pinned-prod', PINNED, { memberUnknown: true })))]);
    expect(unknown.out).toMatch(/UNJUDGEABLE .*\[AG-GCP-002\] cannot be judged: .*member, known only after apply/);
    expect(unknown.code).toBe(2);
  });

  test('Azure from a state: literal IDs tie the credential and the Owner assignment to the identity; the shared default service account is refused', async () => {
    const identity = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/agents/providers/Microsoft.ManagedIdentity/userAssignedIdentities/deployer';
    const principal = '11111111-1111-4111-8111-111111111111';
    const state = write(
      'azure-state.json',
      stateJson([
        { type: 'azurerm_user_assigned_identity', name: 'deployer', values: { name: 'deployer', resource_group_name: 'agents', location: 'westeurope', id: identity, principal_id: principal, client_id: '22222222-2222-4222-8222-222222222222' } },
        {
          type: 'azurerm_federated_identity_credential',
          name: 'spire',
          index: 0,
          values: { name: 'spire', resource_group_name: 'agents', parent_id: identity, issuer: 'https://oidc.prod.example', subject: 'system:serviceaccount:agents:default', audience: ['api://AzureADTokenExchange'] },
        },
        { type: 'azurerm_role_assignment', name: 'owner', values: { scope: '/subscriptions/00000000-0000-0000-0000-000000000000', role_definition_name: 'Owner', principal_id: principal } },
      ]),
    );
    const gates = await runCli(['gates', '--app', state]);
    expect(gates.out).toMatch(/azure-state\/azurerm_user_assigned_identity\.deployer\n  Privilege: high\n/);
    expect(gates.out).toContain('Owner on /subscriptions/00000000-0000-0000-0000-000000000000');
    const rules = await runCli(['rules', '--app', state]);
    expect(rules.out).toMatch(/VIOLATION azurerm_federated_identity_credential\.spire\[0\]: \[AG-AZ-001\] .*system:serviceaccount:agents:default/);
    expect(rules.code).toBe(1);
    // Conformance agrees: the identity trusts a subject every pod of the namespace has.
    const results = await probeAzureLocally(loadAppSources([state]).configurations, { tags: ['AGC-AZ-012'] });
    expect(azureStatuses(results)).toMatchObject({ 'AGC-AZ-012': 'FAIL' });
  });

  test('conformance says what each input was read as', async () => {
    const { err, code } = await runCli(['conformance', '--app', openPlan, '--list']);
    expect(err).toContain(`attestgate: read ${openPlan} as Terraform plan JSON (format 1.2, written by 1.9.8)`);
    expect(code).toBe(0);
  });

  test('conformance on the emulator: the open plan FAILs naming the admitted subject; the pinned state passes', async () => {
    const { configurations } = loadAppSources([openPlan, pinnedState]);
    const run = await runGcpConformance({ sources: configurations, pki: loadPkiDirectory(issuer.pkiDir), target: 'local', ratePerSecond: Infinity, tags: ['AGC-GCP-012', 'AGC-GCP-013'] });
    expect(statusesOf(run.results, 'open-plan/')).toEqual({ 'AGC-GCP-001': 'PASS', 'AGC-GCP-012': 'PASS', 'AGC-GCP-013': 'FAIL' });
    expect(run.results.find((r) => r.gate.startsWith('open-plan/') && r.checkId === 'AGC-GCP-013')!.reason).toContain('spiffe://attestgate-probe.invalid/agent/deployer');
    expect(statusesOf(run.results, 'pinned-state/')).toEqual({ 'AGC-GCP-001': 'PASS', 'AGC-GCP-012': 'PASS', 'AGC-GCP-013': 'PASS' });
  });

  test('a state feeds a live target with the names it records: no --gcp-project-number needed (the emulator stands in for Google)', async () => {
    const { configurations } = loadAppSources([pinnedState]);
    const google = await startGcpEmulator({ sources: configurations });
    try {
      const run = await runGcpConformance({
        sources: configurations,
        target: 'gcp',
        endpoints: { sts: google.endpoint, iamCredentials: google.endpoint },
        pki: loadPkiDirectory(issuer.pkiDir),
        ratePerSecond: Infinity,
        tags: ['AGC-GCP-005'],
      });
      expect(statusesOf(run.results)).toEqual({ 'AGC-GCP-001': 'PASS', 'AGC-GCP-005': 'PASS' });
      // The provider the control was sent to is the one the state names, project number and all.
      expect(google.server.log.filter((l) => l.path === '/v1/token').length).toBeGreaterThan(0);
      expect(run.gates[0].id).toBe('pinned-state/google_iam_workload_identity_pool_provider.spire');
    } finally {
      await google.close();
    }
  });
});
