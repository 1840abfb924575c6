import { FederatedIdentityCredential } from '@cdktf/provider-azurerm/lib/federated-identity-credential';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { IamWorkloadIdentityPool } from '@cdktf/provider-google/lib/iam-workload-identity-pool';
import { IamWorkloadIdentityPoolProvider } from '@cdktf/provider-google/lib/iam-workload-identity-pool-provider';
import { Aspects, TerraformStack, Testing } from 'cdktf';
import { TerraformAttestationAspect } from '../../lib/packs/terraform-attestation-aspect';
import { RuleAcknowledgements } from '../../lib/rules/acknowledgements';
import { annotations, synthesized, tfStack } from '../fixtures/cdktf';
import { runCli } from '../fixtures/cli';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** A raw provider that admits every token of its issuer. */
function openProvider(stack: TerraformStack) {
  const pool = new IamWorkloadIdentityPool(stack, 'Pool', { workloadIdentityPoolId: 'agents' });
  return new IamWorkloadIdentityPoolProvider(stack, 'Open', {
    workloadIdentityPoolId: pool.workloadIdentityPoolId,
    workloadIdentityPoolProviderId: 'open',
    attributeMapping: { 'google.subject': 'assertion.sub' },
    oidc: { issuerUri: 'https://oidc.prod.example' },
  });
}

/** Two raw credentials on one identity, written concurrently (AG-AZ-003, medium). */
function unchainedCredentials(stack: TerraformStack) {
  const identity = new UserAssignedIdentity(stack, 'Identity', { name: 'deployer', resourceGroupName: 'agents', location: 'westeurope' });
  const fic = (id: string, subject: string) =>
    new FederatedIdentityCredential(stack, id, { name: id, resourceGroupName: 'agents', parentId: identity.id, issuer: 'https://oidc.prod.example', subject, audience: ['api://AzureADTokenExchange'] });
  return [fic('First', 'spiffe://prod.example/agent/a'), fic('Second', 'spiffe://prod.example/agent/b')];
}

describe('TerraformAttestationAspect', () => {
  test('reports an open finding on a raw resource as an error annotation, and app.synth() fails on it', () => {
    // GIVEN
    const { app, stack } = tfStack();
    Aspects.of(stack).add(new TerraformAttestationAspect());
    // WHEN
    openProvider(stack);
    // THEN
    expect(() => app.synth()).toThrow(/Encountered Annotations with level "ERROR":\n\[agents\/Open\] \[AG-GCP-001\] Provider google_iam_workload_identity_pool_provider\.Open \(oidc\) does not constrain the subject: it has no attribute_condition/);
    expect(annotations(stack, 'error')).toEqual([expect.stringMatching(/^agents\/Open: \[AG-GCP-001\] .* Fix: Set attribute_condition to pin the subject/)]);
  });

  test('an acknowledged finding becomes info, and synth succeeds', () => {
    // GIVEN
    const { app, stack } = tfStack();
    Aspects.of(stack).add(new TerraformAttestationAspect());
    const [, second] = unchainedCredentials(stack);
    // WHEN
    RuleAcknowledgements.of(second).add('AG-AZ-003', 'applied with terraform -parallelism=1 by the platform pipeline');
    // THEN
    expect(() => app.synth()).not.toThrow();
    expect(annotations(stack, 'error')).toEqual([]);
    expect(annotations(stack, 'info')).toEqual([expect.stringMatching(/^agents\/Second: \[AG-AZ-003\] .*Acknowledged at agents\/Second: applied with terraform -parallelism=1/)]);
  });

  test('a critical violation stays an error whatever the acknowledgement says', () => {
    const { stack } = tfStack();
    Aspects.of(stack).add(new TerraformAttestationAspect());
    RuleAcknowledgements.of(openProvider(stack)).add('AG-GCP-001', 'the issuer is ours and issues only to this agent');
    Testing.synth(stack);
    expect(annotations(stack, 'error')).toEqual([expect.stringContaining('(Acknowledgement at agents/Open rejected: AG-GCP-001 is critical: its violations cannot be acknowledged, only fixed.)')]);
  });

  test('an acknowledgement on an ancestor scope applies to the resources below it', () => {
    const { stack } = tfStack();
    Aspects.of(stack).add(new TerraformAttestationAspect());
    unchainedCredentials(stack);
    RuleAcknowledgements.of(stack).add('AG-AZ-003', 'applied with terraform -parallelism=1 by the platform pipeline');
    Testing.synth(stack);
    expect(annotations(stack, 'error')).toEqual([]);
  });

  test('the acknowledgements are written into each resource’s "//", so attestgate rules over the synthesized JSON honours them as synth does', async () => {
    // GIVEN: one acknowledgement on the stack (an ancestor), applying to both credentials
    const { stack } = tfStack();
    Aspects.of(stack).add(new TerraformAttestationAspect());
    unchainedCredentials(stack);
    RuleAcknowledgements.of(stack).add('AG-AZ-003', 'applied with terraform -parallelism=1 by the platform pipeline');
    // WHEN
    const tf = synthesized(stack) as any;
    // THEN
    expect(tf.resource.azurerm_federated_identity_credential.Second['//']['attestgate:acknowledgements']).toEqual({ 'AG-AZ-003': 'applied with terraform -parallelism=1 by the platform pipeline' });
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-cdktf-ack-')), 'cdk.tf.json');
    fs.writeFileSync(file, JSON.stringify(tf));
    const run = await runCli(['rules', '--app', file]);
    expect(run.out).toMatch(/ACKNOWLEDGED azurerm_federated_identity_credential\.Second: \[AG-AZ-003\]/);
    expect(run.code).toBe(0);
  });

  test('without an acknowledgement nothing is written into "//", and attestgate rules keeps the finding open', async () => {
    const { stack } = tfStack();
    Aspects.of(stack).add(new TerraformAttestationAspect());
    unchainedCredentials(stack);
    const tf = synthesized(stack) as any;
    expect(tf.resource.azurerm_federated_identity_credential.Second['//']['attestgate:acknowledgements']).toBeUndefined();
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-cdktf-ack-')), 'cdk.tf.json');
    fs.writeFileSync(file, JSON.stringify(tf));
    expect((await runCli(['rules', '--app', file])).code).toBe(1);
  });

  test('cdktf never runs an Aspect added to the App; applyTo adds it to every stack, once', () => {
    // GIVEN: a stack with an open provider and the Aspect on the App only
    const { app, stack } = tfStack();
    Aspects.of(app).add(new TerraformAttestationAspect());
    openProvider(stack);
    Testing.synth(stack);
    expect(annotations(stack, 'error')).toEqual([]);
    // WHEN
    TerraformAttestationAspect.applyTo(app);
    TerraformAttestationAspect.applyTo(app);
    // THEN
    expect(Aspects.of(stack).all.filter((a) => a instanceof TerraformAttestationAspect)).toHaveLength(1);
    expect(() => app.synth()).toThrow(/\[AG-GCP-001\]/);
  });

  test('a finding on a resource not in the tree is reported on the stack', () => {
    const { stack } = tfStack();
    Aspects.of(stack).add(new TerraformAttestationAspect());
    stack.addOverride('resource.google_iam_workload_identity_pool_provider.injected', { workload_identity_pool_id: 'agents', workload_identity_pool_provider_id: 'x', oidc: { issuer_uri: 'https://x.example' } });
    Testing.synth(stack);
    expect(annotations(stack, 'error')).toEqual([expect.stringMatching(/^agents: \[AG-GCP-001\] Provider google_iam_workload_identity_pool_provider\.injected/)]);
  });
});
