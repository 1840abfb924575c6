import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../../fixtures/cli';

/**
 * examples/terraform: each cloud's gate in HCL, with the plan JSON `terraform show -json` prints
 * for it (written by hand in the documented format). What a team without CDK runs in CI must hold
 * on them: every rule, every gate found with its privilege.
 */
const EXAMPLES = path.join(__dirname, '../../../examples/terraform');
const plan = (cloud: string) => path.join(EXAMPLES, cloud, 'plan.json');

describe('examples/terraform', () => {
  test.each(['aws', 'gcp', 'azure'])('%s: attestgate rules over its plan holds (exit 0)', async (cloud) => {
    const { code, out } = await runCli(['rules', '--app', plan(cloud)]);
    expect(out).toContain('every rule holds (exit 0)');
    expect(code).toBe(0);
  });

  test('attestgate gates finds the three gates, each high privilege', async () => {
    const { out } = await runCli(['gates', '--app', plan('aws'), '--app', plan('gcp'), '--app', plan('azure')]);
    expect(out).toMatch(/plan\/aws_iam_role\.deployer\n  Privilege: high\n/);
    expect(out).toMatch(/plan\/google_iam_workload_identity_pool_provider\.spire\n  Privilege: high\n/);
    expect(out).toMatch(/plan\/azurerm_user_assigned_identity\.deployer\n  Privilege: high\n/);
  });

  test('the Azure plan’s credentials are chained by the depends_on its configuration records; without it AG-AZ-003 refuses them', async () => {
    const json = JSON.parse(fs.readFileSync(plan('azure'), 'utf8'));
    for (const resource of json.configuration.root_module.resources) delete resource.depends_on;
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-az-plan-')), 'plan.json');
    fs.writeFileSync(file, JSON.stringify(json));
    const { code, out } = await runCli(['rules', '--app', file]);
    expect(out).toContain('[AG-AZ-003]');
    expect(code).toBe(1);
  });
});
