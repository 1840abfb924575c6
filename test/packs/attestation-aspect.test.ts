import { App, Aspects, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AttestationAspect } from '../../lib/packs/attestation-aspect';
import { AgentTrustAnchor, TrustAnchorSource } from '../../lib/aws/agent-trust-anchor';
import { AttestedRole } from '../../lib/aws/attested-role';
import { RuleAcknowledgements } from '../../lib/rules/acknowledgements';
import { deployerIdentity } from '../fixtures/identities';
import { TestPki, makeTestPki } from '../fixtures/pki';

let pki: TestPki;
beforeAll(async () => {
  pki = await makeTestPki();
});

function stackWithAspect() {
  const app = new App();
  const stack = new Stack(app, 'S', { env: { account: '111122223333', region: 'eu-west-1' } });
  Aspects.of(app).add(new AttestationAspect(), { priority: AttestationAspect.PRIORITY });
  return stack;
}

describe('AttestationAspect', () => {
  test('reports open findings as errors on the offending resource', () => {
    // GIVEN
    const stack = stackWithAspect();
    // WHEN
    new iam.CfnRole(stack, 'OpenRole', {
      assumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 'rolesanywhere.amazonaws.com' }, Action: 'sts:*' }] },
    });
    // THEN
    const annotations = Annotations.fromStack(stack);
    annotations.hasError('/S/OpenRole', Match.stringLikeRegexp('^\\[AG-AWS-001\\] Role OpenRole lets rolesanywhere.amazonaws.com assume it'));
    annotations.hasError('/S/OpenRole', Match.stringLikeRegexp('^\\[AG-AWS-002\\]'));
  });

  test('reports acknowledged findings as info, and nothing for a compliant gate', () => {
    const stack = stackWithAspect();
    const anchor = new AgentTrustAnchor(stack, 'Anchor', { source: TrustAnchorSource.fromCertificateBundle(pki.ca.pem) });
    new AttestedRole(stack, 'Deployer', { identity: deployerIdentity(), trustAnchors: [anchor] });
    RuleAcknowledgements.of(anchor).add('AG-AWS-006', 'CRL imported out of band by the PKI team');
    const annotations = Annotations.fromStack(stack);
    annotations.hasInfo('/S/Anchor/Resource', Match.stringLikeRegexp('\\[AG-AWS-006\\].*Acknowledged at S/Anchor: CRL imported out of band'));
    annotations.hasNoError('*', Match.anyValue());
  });
});
