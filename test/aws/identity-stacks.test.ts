import { App, Stack } from 'aws-cdk-lib';
import { AgentTrustAnchor, TrustAnchorSource } from '../../lib/aws/agent-trust-anchor';
import { AttestedRole } from '../../lib/aws/attested-role';
import { IdentityStacks } from '../../lib/aws/identity-stacks';
import { SignalMonitoring } from '../../lib/core/signal-monitoring';
import { deployerIdentity } from '../fixtures/identities';
import { TestPki, makeTestPki } from '../fixtures/pki';

let pki: TestPki;
beforeAll(async () => {
  pki = await makeTestPki();
});

const names = (n: number) => Array.from({ length: n }, (_, i) => `agent-${i}`);
const env = { account: '111122223333', region: 'eu-west-1' };

/** An app declaring the named identities through IdentityStacks: `{ name: 'stack id/role logical ID' }`. */
function declare(identityNames: readonly string[], stackCount: number): Map<string, string> {
  const app = new App();
  const anchor = AgentTrustAnchor.fromTrustAnchorArn(new Stack(app, 'Base', { env }), 'Anchor', 'arn:aws:rolesanywhere:eu-west-1:111122223333:trust-anchor/agents');
  const stacks = new IdentityStacks(app, 'Agents', { stackCount, stackProps: { env } });
  const placed = new Map<string, string>();
  for (const name of identityNames) {
    const identity = deployerIdentity({ name, spiffeId: `spiffe://prod.example/agent/${name}`, subject: { CN: name, O: 'attestgate examples' } });
    const stack = stacks.stackFor(identity);
    const role = new AttestedRole(stack, name, { identity, trustAnchors: [anchor], issuanceMonitoring: SignalMonitoring.disabled('placement tests look at stacks only') });
    placed.set(name, `${stack.node.id}/${stack.getLogicalId(role.cfnRole)}`);
  }
  return placed;
}

describe('IdentityStacks', () => {
  test('adding identity 1,001 — first, last or in between — moves none of the first 1,000: same stack, same logical ID', () => {
    const before = declare(names(1000), 8);
    for (const order of [[...names(1000), 'newcomer'], ['newcomer', ...names(1000)], [...names(500), 'newcomer', ...names(1000).slice(500)]]) {
      const after = declare(order, 8);
      after.delete('newcomer');
      expect(after).toEqual(before);
    }
  });

  test('removing identities moves none of the others', () => {
    const before = declare(names(300), 4);
    const after = declare(names(300).filter((_, i) => i % 3 !== 0), 4);
    for (const [name, where] of after) expect(where).toBe(before.get(name));
  });

  test('spreads 1,000 identities over every stack, none with more than 1.5× its share', () => {
    const counts = new Map<number, number>();
    for (const name of names(1000)) counts.set(IdentityStacks.shardOf(name, 8), (counts.get(IdentityStacks.shardOf(name, 8)) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(Math.max(...counts.values())).toBeLessThanOrEqual(1.5 * (1000 / 8));
  });

  test('growing stackCount from 8 to 9 moves only identities into the new stack, about a ninth of them', () => {
    const moved = names(1000).filter((name) => IdentityStacks.shardOf(name, 8) !== IdentityStacks.shardOf(name, 9));
    expect(moved.every((name) => IdentityStacks.shardOf(name, 9) === 8)).toBe(true);
    expect(moved.length).toBeGreaterThan(1000 / 9 / 2);
    expect(moved.length).toBeLessThan((1000 / 9) * 2);
  });

  test('creates stacks on first use, named by shard, with the given props', () => {
    const app = new App();
    const stacks = new IdentityStacks(app, 'Agents', { stackCount: 3, stackProps: { env } });
    const stack = stacks.stackFor('agent-7');
    expect(stack.node.id).toBe(`Agents${IdentityStacks.shardOf('agent-7', 3)}`);
    expect(stacks.stackFor(deployerIdentity({ name: 'agent-7' }))).toBe(stack);
    expect(stack.region).toBe('eu-west-1');
    expect([...stacks.createdStacks.values()]).toEqual([stack]);
  });

  test.each([0, 1.5, -1, 1001])('refuses stackCount %p, naming the field and the fix', (stackCount) => {
    expect(() => new IdentityStacks(new App(), 'Agents', { stackCount })).toThrow(/IdentityStacks 'Agents': stackCount .* is not a whole number from 1 to 1000\. Fix: .*keep it fixed afterwards/);
  });

  test('a real synth: the identities of one anchor in 3 stacks, each under the limit', () => {
    const app = new App();
    const anchor = new AgentTrustAnchor(new Stack(app, 'Base', { env }), 'Anchor', { source: TrustAnchorSource.fromCertificateBundle(pki.ca.pem) });
    const stacks = new IdentityStacks(app, 'Agents', { stackCount: 3, stackProps: { env } });
    for (const name of names(30)) {
      const identity = deployerIdentity({ name, spiffeId: `spiffe://prod.example/agent/${name}`, subject: { CN: name, O: 'attestgate examples' } });
      new AttestedRole(stacks.stackFor(identity), name, { identity, trustAnchors: [anchor] });
    }
    const assembly = app.synth();
    const roles = assembly.stacks.filter((s) => s.stackName.startsWith('Agents')).map((s) => Object.values(s.template.Resources as Record<string, { Type: string }>).filter((r) => r.Type === 'AWS::IAM::Role').length);
    expect(roles.reduce((a, b) => a + b, 0)).toBe(30);
    expect(roles).toHaveLength(3);
  });
});
