import { TerraformModel, block, blocks } from '../../../lib/model/terraform/configuration';

const configuration = {
  '//': { metadata: { stackName: 's' } },
  variable: { project: { type: 'string' } },
  locals: { pool: 'agents', roles: ['roles/viewer'] },
  data: { google_project: { this: {} } },
  resource: {
    google_iam_workload_identity_pool: {
      pool: { workload_identity_pool_id: '${local.pool}', project: '${var.project}', '//': { metadata: { path: 'stack/Pool', uniqueId: 'pool' } } },
    },
    google_service_account: [{ sa: { account_id: 'deployer', project: '${data.google_project.this.project_id}' } }],
    google_project_iam_member: {
      grant: { project: 'p', role: '${local.roles[0]}', member: 'serviceAccount:${google_service_account.sa.email}', depends_on: ['google_iam_workload_identity_pool.pool'], count: 2 },
      other: { project: 'p', role: '${local.missing}', member: '${module.m.out}', for_each: '${var.set}' },
      looped: { role: '${local.loop}', member: '${google_nope.x.y}', depends_on: ['${google_project_iam_member.grant}'] },
    },
  },
};

describe('TerraformModel', () => {
  const model = TerraformModel.parse(JSON.stringify(configuration), 'cdk.tf.json');

  test('lists managed resources and data sources with addresses', () => {
    expect(model.resources.map((r) => r.address)).toEqual([
      'google_iam_workload_identity_pool.pool',
      'google_service_account.sa',
      'google_project_iam_member.grant',
      'google_project_iam_member.other',
      'google_project_iam_member.looped',
      'data.google_project.this',
    ]);
    expect(model.resourcesOfType('google_project_iam_member')).toHaveLength(3);
    expect(model.dataSourcesOfType('google_project').map((d) => d.name)).toEqual(['this']);
  });

  test('resolves locals, keeps resources and variables symbolic, reads the comment', () => {
    const pool = model.resource('google_iam_workload_identity_pool.pool')!;
    expect(pool.attributes).toEqual({ workload_identity_pool_id: 'agents', project: { symbolic: 'variable', name: 'project' } });
    expect(pool.constructPath).toBe('stack/Pool');
    expect(pool.comment).toEqual({ metadata: { path: 'stack/Pool', uniqueId: 'pool' } });
    expect(model.resource('google_service_account.sa')!.attributes.project).toEqual({ symbolic: 'ref', address: 'data.google_project.this', attribute: 'project_id' });
  });

  test('separates meta-arguments from attributes', () => {
    const grant = model.resource('google_project_iam_member.grant')!;
    expect(grant.attributes).toEqual({
      project: 'p',
      role: 'roles/viewer',
      member: expect.objectContaining({ parts: ['serviceAccount:', { symbolic: 'ref', address: 'google_service_account.sa', attribute: 'email' }] }),
    });
    expect(grant.dependsOn).toEqual(['google_iam_workload_identity_pool.pool']);
    expect(grant.repetition).toEqual({ kind: 'count', value: 2 });
    expect(model.resource('google_project_iam_member.other')!.repetition).toEqual({ kind: 'for_each', value: { symbolic: 'variable', name: 'set' } });
  });

  test('says why a value is unknown: missing local, module output, self-reference, missing resource', () => {
    const other = model.resource('google_project_iam_member.other')!.attributes;
    expect(other.role).toEqual({ symbolic: 'unknown', reason: 'local.missing, which is not defined' });
    expect(other.member).toEqual({ symbolic: 'unknown', reason: 'an output of module m' });
    const looped = model.resource('google_project_iam_member.looped')!.attributes;
    // A local that refers to itself is refused when parsing (test/terraform/references.test.ts).
    expect(looped.role).toEqual({ symbolic: 'unknown', reason: 'local.loop, which is not defined' });
    expect(looped.member).toEqual({ symbolic: 'unknown', reason: 'a reference to google_nope.x.y, which is not in the configuration' });
  });

  test('dependsOn follows depends_on and references, transitively', () => {
    expect(model.dependsOn('google_project_iam_member.grant', 'google_service_account.sa')).toBe(true);
    expect(model.dependsOn('google_project_iam_member.looped', 'google_iam_workload_identity_pool.pool')).toBe(true);
    expect(model.dependsOn('google_iam_workload_identity_pool.pool', 'google_project_iam_member.grant')).toBe(false);
  });

  test('rejects what is not a configuration', () => {
    expect(() => TerraformModel.parse('[1]', 'x.tf.json')).toThrow('x.tf.json is not a Terraform JSON configuration (not a JSON object)');
    expect(() => TerraformModel.parse({ resource: 'x' }, 'y.tf.json')).toThrow('(resource is not an object)');
  });
});

describe('block and blocks', () => {
  test('read a nested block written as an object or a list', () => {
    expect(block({ issuer_uri: 'x' })).toEqual({ issuer_uri: 'x' });
    expect(block([{ issuer_uri: 'y' }])).toEqual({ issuer_uri: 'y' });
    expect(block({ symbolic: 'variable', name: 'v' })).toBeUndefined();
    expect(block(undefined)).toBeUndefined();
    expect(blocks([{ a: 1 }, { a: 2 }, 'x'])).toEqual([{ a: 1 }, { a: 2 }]);
    expect(blocks({ a: 1 })).toEqual([{ a: 1 }]);
    expect(blocks(null)).toEqual([]);
  });
});
