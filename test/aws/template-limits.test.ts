import * as fs from 'node:fs';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { AgentTrustAnchor } from '../../lib/aws/agent-trust-anchor';
import { AttestedRole } from '../../lib/aws/attested-role';
import { TEMPLATE_RESOURCE_LIMIT, TEMPLATE_SIZE_LIMIT_BYTES } from '../../lib/aws/template-limits';
import { SignalMonitoring } from '../../lib/core/signal-monitoring';
import { deployerIdentity } from '../fixtures/identities';

/** A stack with one AttestedRole and `filler` other resources, each carrying `bytes` characters. */
function stackWith(filler: number, { bytes = 0, context = {} }: { bytes?: number; context?: Record<string, unknown> } = {}) {
  const app = new App({ context });
  const stack = new Stack(app, 'Agents', { env: { account: '111122223333', region: 'eu-west-1' } });
  const anchor = AgentTrustAnchor.fromTrustAnchorArn(stack, 'Anchor', 'arn:aws:rolesanywhere:eu-west-1:111122223333:trust-anchor/agents');
  new AttestedRole(stack, 'Deployer', { identity: deployerIdentity(), trustAnchors: [anchor], issuanceMonitoring: SignalMonitoring.disabled('limit tests count resources') });
  for (let i = 0; i < filler; i++) new CfnResource(stack, `Filler${i}`, { type: 'AWS::CloudFormation::WaitConditionHandle', properties: bytes ? { Padding: 'x'.repeat(bytes) } : undefined });
  return app;
}

function synthError(app: App): string {
  try {
    app.synth();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('synth did not fail');
}

describe('template limits of a stack holding AttestedRoles', () => {
  // The role and its shared profile are 2 resources.
  test(`${TEMPLATE_RESOURCE_LIMIT} resources synthesize; ${TEMPLATE_RESOURCE_LIMIT + 1} fail with attestgate's error naming the limit and the fix, not aws-cdk-lib's`, () => {
    expect(() => stackWith(TEMPLATE_RESOURCE_LIMIT - 2).synth()).not.toThrow();
    const message = synthError(stackWith(TEMPLATE_RESOURCE_LIMIT - 1));
    expect(message).toContain(`Stack 'Agents' has 501 resources (1 IAM roles); a CloudFormation template may have at most 500 (and be at most 1 MB). Fix: spread the identities over stacks`);
    expect(message).toContain(`new IdentityStacks(app, '<name>', { stackCount: 2 }).stackFor(identity)`);
    expect(message).not.toContain('greater than allowed maximum');
  });

  test('follows aws-cdk-lib’s @aws-cdk/core:stackResourceLimit: a raised limit is the one named; 0 turns the check off', () => {
    expect(synthError(stackWith(600, { context: { '@aws-cdk/core:stackResourceLimit': 550 } }))).toContain('has 602 resources (1 IAM roles); a CloudFormation template may have at most 550');
    expect(() => stackWith(600, { context: { '@aws-cdk/core:stackResourceLimit': 0 } }).synth()).not.toThrow();
  });

  test('a template over 1 MB fails synth with its size and the fix; just under passes', () => {
    const message = synthError(stackWith(11, { bytes: 100_000 }));
    expect(message).toMatch(new RegExp(`Stack 'Agents' synthesized a template of \\d{7} bytes; CloudFormation accepts at most 1 MB \\(${TEMPLATE_SIZE_LIMIT_BYTES} bytes\\)`));
    expect(message).toContain('IdentityStacks');
    const app = stackWith(9, { bytes: 100_000 });
    const assembly = app.synth();
    expect(fs.statSync(assembly.getStackByName('Agents').templateFullPath).size).toBeLessThan(TEMPLATE_SIZE_LIMIT_BYTES);
  });

  test('stacks without AttestedRoles are left to aws-cdk-lib', () => {
    const app = new App();
    const stack = new Stack(app, 'Other');
    for (let i = 0; i < TEMPLATE_RESOURCE_LIMIT + 1; i++) new CfnResource(stack, `Filler${i}`, { type: 'AWS::CloudFormation::WaitConditionHandle' });
    expect(synthError(app)).toContain('greater than allowed maximum of 500');
  });
});
