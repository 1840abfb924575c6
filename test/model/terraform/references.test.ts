import { TerraformModel } from '../../../lib/model/terraform/configuration';
import { configurationReferences } from '../../../lib/model/terraform/references';
import { gcpConfiguration } from '../../fixtures/terraform';

const parse = (configuration: unknown) => TerraformModel.parse(configuration, 'agents.tf.json');

describe('configurationReferences', () => {
  test('finds plain references, references inside function calls and directives, to resources, data sources and locals; not variables, quoted text, depends_on or comments', () => {
    const things = new Map<string, unknown>([
      ['demo_a.a', {
        name: '${local.prefix}-${data.demo_d.d.id}',
        tags: ['${join(",", [demo_b.b.id, "local.quoted"])}', '%{ if demo_b.b.enabled }on%{ endif }'],
        owner: '${var.owner}',
        depends_on: ['demo_c.c'],
        '//': { note: '${demo_c.c.id}' },
      }],
      ['demo_b.b', {}],
      ['demo_c.c', {}],
      ['data.demo_d.d', {}],
      ['local.prefix', '${demo_c.c.name}'],
      ['local.quoted', 'x'],
    ]);
    expect(configurationReferences(things).map((r) => `${r.from}${r.path} -> ${r.to}`)).toEqual([
      'demo_a.a.name -> local.prefix',
      'demo_a.a.name -> data.demo_d.d',
      'demo_a.a.tags[0] -> demo_b.b',
      'demo_a.a.tags[1] -> demo_b.b',
      'local.prefix -> demo_c.c',
    ]);
  });
});

describe('TerraformModel.parse refuses a reference cycle, as Terraform does', () => {
  test('a local that refers to itself', () => {
    expect(() => parse({ locals: { name: 'x-${local.name}' } })).toThrow(
      'agents.tf.json: local.name "${local.name}" refers to itself; Terraform refuses such a configuration ("Error: Cycle: local.name"). Fix: remove one of these references',
    );
  });

  test('a cycle through a resource and a local, addresses in order', () => {
    const configuration = gcpConfiguration({ extra: { google_service_account: { deployer: { account_id: 'deployer-agent', description: '${local.pool}' } } } });
    (configuration as Record<string, unknown>).locals = { pool: '${google_iam_workload_identity_pool.pool.name}' };
    configuration.resource.google_iam_workload_identity_pool.pool = { workload_identity_pool_id: '${google_service_account.deployer.unique_id}' } as never;
    expect(() => parse(configuration)).toThrow(
      'agents.tf.json: references "google_iam_workload_identity_pool.pool → google_service_account.deployer → local.pool → google_iam_workload_identity_pool.pool" form a cycle (google_iam_workload_identity_pool.pool.workload_identity_pool_id = ${google_service_account.deployer.unique_id}; google_service_account.deployer.description = ${local.pool}; local.pool = ${google_iam_workload_identity_pool.pool.name}); Terraform refuses such a configuration',
    );
  });

  test('a resource attribute that refers to its own resource', () => {
    expect(() => parse({ resource: { demo: { a: { name: '${demo.a.id}' } } } })).toThrow(
      'agents.tf.json: demo.a.name "${demo.a.id}" refers to its own resource; Terraform refuses such a configuration ("Error: Cycle: demo.a")',
    );
  });

  test('references both ways through depends_on only are not a cycle any reader follows', () => {
    expect(() => parse({ resource: { demo: { a: { depends_on: ['demo.b'] }, b: { depends_on: ['demo.a'] } } } })).not.toThrow();
  });
});
