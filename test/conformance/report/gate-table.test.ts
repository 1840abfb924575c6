import { discoverAwsGates } from '../../../conformance/discovery/aws-gates';
import { discoverAzureGates } from '../../../conformance/discovery/azure-gates';
import { discoverGcpGates } from '../../../conformance/discovery/gcp-gates';
import { loadTemplateSources } from '../../../conformance/discovery/sources';
import { renderGateTable } from '../../../conformance/report/gate-table';
import { azureConfiguration, gcpConfiguration, tfModel } from '../../fixtures/terraform';
import { synthExampleAssembly } from '../../fixtures/synth';

const source = (configuration: unknown) => [{ stackName: 'bf', file: 'bf.tf.json', model: tfModel(configuration) }];

describe('renderGateTable', () => {
  test('no gates', () => {
    expect(renderGateTable([])).toBe('No attestation gates found.');
  });

  test('one section per cloud, in order, with the GCP and Azure columns', () => {
    const gates = [...discoverAwsGates(loadTemplateSources(synthExampleAssembly())), ...discoverGcpGates(source(gcpConfiguration())), ...discoverAzureGates(source(azureConfiguration()))];
    const table = renderGateTable(gates);
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
    const table = renderGateTable(
      discoverGcpGates(source(gcpConfiguration({ provider: { attribute_condition: undefined, disabled: true }, member: 'principalSet://iam.googleapis.com/${google_iam_workload_identity_pool.pool.name}/*' }))),
    );
    expect(table).toContain('SUBJECT NOT CONSTRAINED: it has no attribute_condition');
    expect(table).toContain('condition: NONE');
    expect(table).toContain('ALL OF THE POOL (principalSet://iam.googleapis.com/${google_iam_workload_identity_pool.pool.name}/*)');
    expect(table).toContain('(disabled)');
  });

  test('a GCP condition known only at apply', () => {
    const table = renderGateTable(discoverGcpGates(source(gcpConfiguration({ provider: { attribute_condition: '${var.condition}' } }))));
    expect(table).toContain('subject: cannot be judged (its attribute_condition is ${var.condition}, known only at apply)');
  });
});
