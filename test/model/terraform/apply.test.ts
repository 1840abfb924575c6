import { TerraformProviderModel, applyTerraform } from '../../../lib/model/terraform/apply';
import { tfSource } from '../../fixtures/gcp-conformance';

/** Models one type, `demo_identity`, whose `id` it computes; everything else is unmodeled. */
const provider: TerraformProviderModel = {
  computed: (type, _address, configured) => (type === 'demo_identity' ? { id: `identities/${String(configured.name)}` } : undefined),
};

describe('applyTerraform', () => {
  test('resolves references to computed attributes and variables', () => {
    const [applied] = applyTerraform(
      [tfSource({
        variable: { owner: { default: 'team-a' } },
        resource: {
          demo_identity: { agent: { name: 'agent' } },
          demo_grant: { g: { member: '${demo_identity.agent.id}', owner: '${var.owner}' } },
        },
      })],
      provider,
    );
    expect(applied.resources.get('demo_grant.g')!.attributes).toEqual({ member: 'identities/agent', owner: 'team-a' });
    expect(applied.problems).toEqual([]);
  });

  test('a modeled resource with an unknown value is a problem; an unmodeled one (an alert policy) is not, unless a modeled one uses it', () => {
    const [applied] = applyTerraform(
      [tfSource({
        resource: {
          demo_alert: { a: { channels: ['${demo_channel.c.id}'] } },
          demo_channel: { c: { topic: 'x' } },
          demo_identity: { agent: { name: '${demo_channel.c.id}' } },
        },
      })],
      provider,
    );
    expect(applied.problems.map((p) => p.address)).toEqual(['demo_identity.agent']);
    expect(applied.problems[0].problem).toContain('name is not known at apply time');
  });

  test('a variable value is literal, as in Terraform: a --var or default holding ${var.…} is not resolved again', () => {
    const [applied] = applyTerraform(
      [tfSource({
        variable: { owner: { default: '${var.owner}' }, team: {} },
        resource: { demo_grant: { g: { owner: '${var.owner}', team: '${var.team}' } } },
      })],
      provider,
      { team: '${var.team}-x' },
    );
    expect(applied.resources.get('demo_grant.g')!.attributes).toEqual({ owner: '${var.owner}', team: '${var.team}-x' });
  });
});
