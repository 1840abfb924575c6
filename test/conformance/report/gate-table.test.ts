import { discoverClouds, renderGateTable } from '../../../conformance/clouds';
import { discoverGcpGates } from '../../../conformance/gcp/discover-gates';
import { AppSources } from '../../../conformance/discovery/app-sources';
import { loadTemplateSources } from '../../../conformance/discovery/sources';
import { renderGateSections } from '../../../conformance/report/gate-table';
import { azureConfiguration, gcpConfiguration, tfModel } from '../../fixtures/terraform';
import { synthExampleAssembly } from '../../fixtures/synth';

const source = (configuration: unknown) => [{ stackName: 'bf', file: 'bf.tf.json', model: tfModel(configuration) }];
/** The table `attestgate gates` prints: each registered cloud's section of the apps' gates. */
const tableOf = (app: Partial<AppSources>) => renderGateSections(discoverClouds({ templates: [], configurations: [], ...app }).map((c) => c.tableSection()));

describe('renderGateTable', () => {
  test('no gates', () => {
    expect(renderGateSections([])).toBe('No attestation gates found.');
    expect(renderGateTable([])).toBe('No attestation gates found.');
    expect(tableOf({})).toBe('No attestation gates found.');
  });

  test('one section per cloud, in order, with the GCP and Azure columns', () => {
    const table = tableOf({ templates: loadTemplateSources(synthExampleAssembly()), configurations: [...source(gcpConfiguration()), ...source(azureConfiguration()).map((s) => ({ ...s, file: 'az.tf.json' }))] });
    expect(table.indexOf('AWS — IAM Roles Anywhere')).toBe(0);
    expect(table.indexOf('GCP — workload identity federation')).toBeGreaterThan(0);
    expect(table.indexOf('Azure — federated identity credentials')).toBeGreaterThan(table.indexOf('GCP'));
    expect(table).toMatch(/\| Gate +\| Privilege \| Provider \/ issuer +\| Required subject \/ audience \/ condition +\| Bound principal +\| Roles +\|/);
    expect(table).toContain('subject: assertion.sub == "spiffe://prod.example/agent/deployer"');
    expect(table).toContain('principal subject/spiffe://prod.example/agent/deployer');
    expect(table).toContain('as deployer-agent (roles/iam.workloadIdentityUser):');
    expect(table).toMatch(/\| Gate +\| Privilege \| Issuer \(exact\) +\| Required subject \(aud\) +\| Roles +\|/);
    expect(table).toContain('spiffe://eu.prod.example/agent/deployer (aud api://AzureADTokenExchange)');
    expect(table).toContain('Contributor on /subscriptions/00000000-0000-0000-0000-000000000000');
  });

  test('an open GCP gate says so', () => {
    const table = tableOf({
      configurations: source(gcpConfiguration({ provider: { attribute_condition: undefined, disabled: true }, member: 'principalSet://iam.googleapis.com/${google_iam_workload_identity_pool.pool.name}/*' })),
    });
    expect(table).toContain('SUBJECT NOT CONSTRAINED: it has no attribute_condition');
    expect(table).toContain('condition: NONE');
    expect(table).toContain('ALL OF THE POOL (principalSet://iam.googleapis.com/${google_iam_workload_identity_pool.pool.name}/*)');
    expect(table).toContain('(disabled)');
  });

  test('renderGateTable(gates), the package API, renders discovered gates with the same sections', () => {
    const gates = discoverGcpGates(source(gcpConfiguration()));
    expect(renderGateTable(gates)).toBe(tableOf({ configurations: source(gcpConfiguration()) }));
  });

  test('a GCP condition known only at apply', () => {
    const table = tableOf({ configurations: source(gcpConfiguration({ provider: { attribute_condition: '${var.condition}' } })) });
    expect(table).toContain('subject: cannot be judged (its attribute_condition is ${var.condition}, known only at apply)');
  });
});
