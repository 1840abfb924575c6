import { Aspects } from 'cdktf';
import { PrivilegeTier } from '../../lib/core/privilege-tier';
import { TerraformAttestationAspect } from '../../lib/packs/terraform-attestation-aspect';
import { AttestedServiceAccount, AttestedServiceAccountProps } from '../../lib/gcp/attested-service-account';
import { AttestedWorkloadIdentityProvider } from '../../lib/gcp/attested-workload-identity-provider';
import { WorkloadIdentitySource } from '../../lib/gcp/workload-identity-source';
import { RuleAcknowledgements } from '../../lib/rules/acknowledgements';
import { annotations, gateManifestIn, onlyResource, synthesized, tfStack } from '../fixtures/cdktf';
import { deployerIdentity } from '../fixtures/identities';

const SPIFFE = 'spiffe://prod.example/agent/deployer';

function gateIn(stack: ReturnType<typeof tfStack>['stack'], privilege = PrivilegeTier.HIGH) {
  return new AttestedWorkloadIdentityProvider(stack, 'Gate', {
    identity: deployerIdentity({ privilege }),
    source: WorkloadIdentitySource.oidc({ issuerUri: 'https://oidc.prod.example', allowedAudiences: ['gcp'] }),
  });
}

describe('AttestedServiceAccount', () => {
  test('binds workloadIdentityUser to exactly the gate’s principal and grants roles to the account', () => {
    // GIVEN
    const { app, stack } = tfStack();
    const gate = gateIn(stack);
    // WHEN
    const deployer = new AttestedServiceAccount(stack, 'Deployer', { provider: gate, project: 'agents-prod', projectRoles: ['roles/run.developer'] });
    deployer.grantProjectRole('roles/editor', 'shared-prod');
    // THEN
    const tf = synthesized(stack);
    const sa = `google_service_account.${deployer.serviceAccount.friendlyUniqueId}`;
    expect(onlyResource(tf, 'google_service_account')).toMatchObject({ account_id: 'deployer-agent', project: 'agents-prod', display_name: 'Attested agent deployer' });
    expect(onlyResource(tf, 'google_service_account_iam_member')).toEqual({
      service_account_id: `\${${sa}.name}`,
      role: 'roles/iam.workloadIdentityUser',
      member: `principal://iam.googleapis.com/\${google_iam_workload_identity_pool.${gate.pool.friendlyUniqueId}.name}/subject/${SPIFFE}`,
    });
    expect(Object.values(tf.resource.google_project_iam_member)).toEqual([
      expect.objectContaining({ project: 'agents-prod', role: 'roles/run.developer', member: `\${${sa}.member}` }),
      expect.objectContaining({ project: 'shared-prod', role: 'roles/editor', member: `\${${sa}.member}` }),
    ]);
    expect(gateManifestIn(tf, 'google_iam_workload_identity_pool_provider').serviceAccounts).toEqual([sa]);
    expect(() => app.synth()).not.toThrow();
    expect(annotations(stack, 'error')).toEqual([]);
  });

  test('with the rules Aspect, a whole-pool binding fails synth (AG-GCP-002), whatever an acknowledgement says', () => {
    const { app, stack } = tfStack();
    Aspects.of(stack).add(new TerraformAttestationAspect());
    const gate = gateIn(stack);
    const deployer = new AttestedServiceAccount(stack, 'Deployer', { provider: gate });
    deployer.impersonation.member = `principalSet://iam.googleapis.com/${gate.pool.name}/*`;
    RuleAcknowledgements.of(deployer).add('AG-GCP-002', 'every workload of the pool is trusted here');
    expect(() => app.synth()).toThrow(/\[AG-GCP-002\] google_service_account_iam_member\.\w+ \(service-account .*\) grants roles\/iam\.workloadIdentityUser to every identity of workload identity pool/);
  });

  test.each([
    [{ provider: 'gate' }, "AttestedServiceAccount 'agents/Deployer': provider \"gate\" is not an AttestedWorkloadIdentityProvider"],
    [{ accountId: 'dep' }, 'accountId "dep" is not 6–30 lowercase letters'],
    [{ accountId: 'Deployer-agent' }, 'accountId "Deployer-agent" is not 6–30'],
    [{ projectRoles: ['roles/viewer'] }, 'project (unset) is required when projectRoles are given'],
    [{ project: 'p', projectRoles: ['roles/owner'] }, 'is a high-privilege role, but identity deployer is declared standard'],
  ])('rejects bad props %#', (overrides, message) => {
    const { stack } = tfStack();
    const props = { provider: gateIn(stack, PrivilegeTier.STANDARD), ...overrides } as AttestedServiceAccountProps;
    expect(() => new AttestedServiceAccount(stack, 'Deployer', props)).toThrow(message);
  });

  test('the default account ID must fit', () => {
    const { stack } = tfStack();
    const provider = new AttestedWorkloadIdentityProvider(stack, 'Gate', {
      identity: deployerIdentity({ name: 'a-really-rather-long-agent-name' }),
      source: WorkloadIdentitySource.oidc({ issuerUri: 'https://oidc.prod.example', allowedAudiences: ['gcp'] }),
      poolId: 'agents',
      providerId: 'long',
    });
    expect(() => new AttestedServiceAccount(stack, 'Deployer', { provider })).toThrow('accountId (default: <identity name>-agent) "a-really-rather-long-agent-name-agent" is not 6–30');
  });

  test('grantProjectRole needs a project', () => {
    const { stack } = tfStack();
    const deployer = new AttestedServiceAccount(stack, 'Deployer', { provider: gateIn(stack) });
    expect(() => deployer.grantProjectRole('roles/viewer')).toThrow("AttestedServiceAccount 'agents/Deployer': project (unset) is not set. Fix: pass the project, or set the project prop");
  });
});
