import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadAppSources } from '../../../conformance/discovery/app-sources';
import { runGcpConformance } from '../../../conformance/gcp/run-gcp-conformance';
import { startGcpEmulator } from '../../../conformance/emulator/gcp-emulator';
import { loadPkiDirectory } from '../../../conformance/pki/pki-directory';
import { runCli, unwrapped } from '../../fixtures/cli';
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

function gate(project: string, condition: string, options: { memberUnknown?: boolean; conditionUnknown?: boolean } = {}): ShownResource[] {
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
      ...(options.conditionUnknown ? { unknown: { attribute_condition: true } } : {}),
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
    expect(unwrapped(open.out)).toContain('open-plan (Terraform plan JSON (format 1.2, written by 1.9.8), ');
    expect(unwrapped(open.out)).toMatch(/VIOLATION google_iam_workload_identity_pool_provider\.spire: \[AG-GCP-004\] .*"spiffe:\/\/attestgate-probe\.invalid\/agent\/deployer"/);
    expect(open.code).toBe(1);
    expect((await runCli(['rules', '--app', pinnedState])).code).toBe(0);
    const unknown = await runCli(['rules', '--app', write('unknown-plan.json', planJson(gate('pinned-prod', PINNED, { memberUnknown: true })))]);
    expect(unwrapped(unknown.out)).toMatch(/UNJUDGEABLE .*\[AG-GCP-002\] cannot be judged: .*member, known only after apply/);
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
    expect(unwrapped(rules.out)).toMatch(/VIOLATION azurerm_federated_identity_credential\.spire\[0\]: \[AG-AZ-001\] .*system:serviceaccount:agents:default/);
    expect(rules.code).toBe(1);
    // Conformance agrees: the identity trusts a subject every pod of the namespace has.
    const results = await probeAzureLocally(loadAppSources([state]).configurations, { tags: ['AGC-AZ-012'] });
    expect(azureStatuses(results)).toMatchObject({ 'AGC-AZ-012': 'FAIL' });
  });

  test('a plan of an unsupported major format_version: both commands stop (exit 64) naming the file, the field, the value and the fix', async () => {
    const future = write('future-plan.json', planJson(gate('open-prod', OPEN), {}, '2.0'));
    for (const command of ['rules', 'conformance']) {
      const { code, err } = await runCli([command, '--app', future]);
      expect(err).toMatch(/future-plan\.json: format_version "2\.0" is of major version 2.*Fix: use a Terraform or OpenTofu release whose terraform show -json prints format 1\.x/s);
      expect(code).toBe(64);
    }
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

  test('a GCP plan whose attribute condition or binding member is known only after apply: rules cannot judge it and conformance never PASSes the gate (exit 2)', async () => {
    const pki = loadPkiDirectory(issuer.pkiDir);
    const probe = async (file: string) => (await runGcpConformance({ sources: loadAppSources([file]).configurations, pki, target: 'local', ratePerSecond: Infinity })).results;
    // The condition: known, the open one FAILs AGC-GCP-013 (the test above); unknown, nothing is deployed on a guess.
    const condition = write('unknown-condition-plan.json', planJson(gate('pinned-prod', OPEN, { conditionUnknown: true }), { google: { project: 'pinned-prod' } }));
    const conditionRules = await runCli(['rules', '--app', condition]);
    expect(unwrapped(conditionRules.out)).toMatch(/UNJUDGEABLE google_iam_workload_identity_pool_provider\.spire: \[AG-GCP-001\] cannot be judged: .*attribute_condition, known only after apply/);
    expect(conditionRules.code).toBe(2);
    const conditionResults = await probe(condition);
    expect(conditionResults.length).toBeGreaterThanOrEqual(13);
    expect(conditionResults.filter((r) => r.status === 'PASS').map((r) => r.checkId)).toEqual([]);
    expect(conditionResults.find((r) => r.checkId === 'AGC-GCP-013')).toMatchObject({ status: 'INCONCLUSIVE', reason: expect.stringMatching(/not deployed faithfully .*attribute_condition is not known at apply time/) });
    // The member: a binding the emulator could not deploy is not an absent one. Given the member it
    // had, the same plan passes AGC-GCP-013; unknown, no check may pass on a smaller gate.
    const member = write('unknown-member-plan.json', planJson(gate('pinned-prod', PINNED, { memberUnknown: true }), { google: { project: 'pinned-prod' } }));
    const memberResults = await probe(member);
    expect(memberResults.length).toBeGreaterThanOrEqual(13);
    expect(memberResults.filter((r) => r.status === 'PASS').map((r) => r.checkId)).toEqual([]);
    expect(memberResults.find((r) => r.checkId === 'AGC-GCP-001')).toMatchObject({ status: 'INCONCLUSIVE', reason: expect.stringMatching(/google_service_account_iam_member\.wif\["deployer"\]: member is not known at apply time/) });
    const cli = await runCli(['conformance', '--app', member, '--pki', issuer.pkiDir, '--target', 'local']);
    expect(cli.err).toMatch(/nothing proven about unknown-member-plan\/google_iam_workload_identity_pool_provider\.spire/);
    expect(cli.code).toBe(2);
    const knownMember = write('known-member-plan.json', planJson(gate('pinned-prod', PINNED), { google: { project: 'pinned-prod' } }));
    expect(statusesOf(await probe(knownMember))).toMatchObject({ 'AGC-GCP-001': 'PASS', 'AGC-GCP-012': 'PASS', 'AGC-GCP-013': 'PASS' });
  });

  test('a plan whose binding member is a template around the pool\'s name — the whole pool — is never read as the bare name: rules cannot judge it, conformance proves nothing (exit 2)', async () => {
    // `member = "principalSet://iam.googleapis.com/${google_iam_workload_identity_pool.pool.name}/*"`
    // on a new pool: the plan records that the member reads the pool's name, exactly as it would
    // for `member = google_iam_workload_identity_pool.pool.name`. Followed as that reference, the
    // binding named nobody and every check passed an open gate.
    const resources = gate('pinned-prod', PINNED).map((r) => (r.type === 'google_service_account_iam_member' ? { ...r, module: undefined, index: undefined, values: { ...r.values, member: 'principalSet://iam.googleapis.com/projects/222222222/locations/global/workloadIdentityPools/agents/*' }, unknown: { member: true } } : r.module ? { ...r, module: undefined, index: undefined } : r));
    const plan = planJson(resources, { google: { project: 'pinned-prod' } });
    plan.configuration.root_module = {
      resources: [{ address: 'google_service_account_iam_member.wif', mode: 'managed', type: 'google_service_account_iam_member', name: 'wif', expressions: { member: { references: ['google_iam_workload_identity_pool.pool.name', 'google_iam_workload_identity_pool.pool'] }, role: { constant_value: 'roles/iam.workloadIdentityUser' } } }],
    } as never;
    const file = write('templated-member-plan.json', plan);
    const rules = await runCli(['rules', '--app', file]);
    expect(unwrapped(rules.out)).toMatch(/UNJUDGEABLE google_service_account_iam_member\.wif: \[AG-GCP-002\] cannot be judged/);
    expect(rules.code).toBe(2);
    const results = (await runGcpConformance({ sources: loadAppSources([file]).configurations, pki: loadPkiDirectory(issuer.pkiDir), target: 'local', ratePerSecond: Infinity })).results;
    expect(results.filter((r) => r.status === 'PASS').map((r) => r.checkId)).toEqual([]);
    const cli = await runCli(['conformance', '--app', file, '--pki', issuer.pkiDir, '--target', 'local']);
    expect(cli.code).toBe(2);
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

  /**
   * Issue 21's own example as a team with HCL plans it: a new user-assigned identity with Owner whose
   * federated credential trusts the namespace's default service account. Before apply the plan
   * knows none of the identity's IDs, so the credential and the Owner assignment are tied to it
   * only by the references the plan's configuration records. Hand-written in the documented format
   * (test/fixtures/terraform-azure): the root module; a module instance of a for_each holding a
   * counted credential, its Owner assignment, and a root Reader assignment through the module's output.
   */
  describe('Azure plan JSON: a new identity with Owner trusting the default service account', () => {
    const fixture = (name: string) => path.join(__dirname, '../../fixtures/terraform-azure', `${name}.json`);
    const ROOT = fixture('open-default-sa-plan');
    const MODULE = fixture('open-default-sa-module-plan');
    const CORRECT = fixture('correct-module-plan');

    test('found as a high-privilege gate in each plan, its Owner counted though the identity’s principal ID is not known yet', async () => {
      const { out } = await runCli(['gates', '--app', ROOT, '--app', MODULE]);
      expect(out).toMatch(/open-default-sa-plan\/azurerm_user_assigned_identity\.deployer\n\s+Privilege: high\n(?:\s+.*\n)*?\s+Roles: Owner on \/subscriptions\/0{8}-/);
      expect(out).toMatch(/open-default-sa-module-plan\/module\.agent\["deployer"\]\.azurerm_user_assigned_identity\.this\n\s+Privilege: high\n/);
    });

    test('rules: refused in the root module and in the module instance, by address (exit 1); the correct plan is clean (exit 0)', async () => {
      const root = await runCli(['rules', '--app', ROOT]);
      expect(unwrapped(root.out)).toMatch(/VIOLATION azurerm_federated_identity_credential\.k8s: \[AG-AZ-001\] .*"system:serviceaccount:agents:default"/);
      expect(root.code).toBe(1);
      const module = await runCli(['rules', '--app', MODULE]);
      expect(unwrapped(module.out)).toMatch(/VIOLATION module\.agent\["deployer"\]\.azurerm_federated_identity_credential\.k8s\[0\]: \[AG-AZ-001\]/);
      expect(module.code).toBe(1);
      const correct = await runCli(['rules', '--app', CORRECT]);
      expect(unwrapped(correct.out)).toContain('every rule holds (exit 0)');
      expect(correct.code).toBe(0);
    });

    test('conformance on the emulator: every open plan FAILs AGC-AZ-011 and AGC-AZ-012 after a PASSing control; the correct plan passes every check', async () => {
      // One emulator per plan: the three declare the same identity (agents/deployer), as three plans of one configuration would.
      const probe = (file: string) => probeAzureLocally(loadAppSources([file]).configurations);
      for (const open of [ROOT, MODULE]) expect(azureStatuses(await probe(open))).toMatchObject({ 'AGC-AZ-001': 'PASS', 'AGC-AZ-011': 'FAIL', 'AGC-AZ-012': 'FAIL' });
      expect((await probe(MODULE)).find((r) => r.checkId === 'AGC-AZ-012')!.reason).toContain('module.agent["deployer"].azurerm_federated_identity_credential.k8s[0]');
      const correct = await probe(CORRECT);
      expect(correct.length).toBeGreaterThanOrEqual(12);
      expect(correct.filter((r) => r.status !== 'PASS').map((r) => `${r.checkId} ${r.status}: ${r.reason}`)).toEqual([]);
    });

    test('a subject the plan does not know until apply: rules cannot judge it (exit 2) and conformance never PASSes the gate', async () => {
      const plan = JSON.parse(fs.readFileSync(CORRECT, 'utf8'));
      // subject = another new resource's attribute: Terraform omits it from the values and marks it unknown.
      const address = 'module.agent["deployer"].azurerm_federated_identity_credential.k8s[0]';
      delete plan.planned_values.root_module.child_modules[0].resources.find((r: { address: string }) => r.address === address).values.subject;
      const change = plan.resource_changes.find((r: { address: string }) => r.address === address).change;
      delete change.after.subject;
      change.after_unknown.subject = true;
      const file = write('unknown-subject-plan.json', plan);
      const rules = await runCli(['rules', '--app', file]);
      expect(unwrapped(rules.out)).toMatch(/UNJUDGEABLE .*\[AG-AZ-001\] .*subject, known only after apply/);
      expect(rules.code).toBe(2);
      const results = await probeAzureLocally(loadAppSources([file]).configurations);
      expect(results.length).toBeGreaterThan(0);
      expect(results.filter((r) => r.status === 'PASS').map((r) => r.checkId)).toEqual([]);
      expect(azureStatuses(results)).toMatchObject({ 'AGC-AZ-001': 'INCONCLUSIVE' });
    });
  });
});
