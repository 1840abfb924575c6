// A user's CDK app, as `cdk init app --language typescript` lays it out: one high-privilege agent
// behind IAM Roles Anywhere, its CRL kept fresh, the synth-time rules on. Only the package's
// public entry points are imported.
import * as fs from 'node:fs';
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AgentIdentity, PrivilegeTier } from 'attestgate';
import { AgentTrustAnchor, AttestationChecks, AttestedRole, CrlImportSchedule, CrlSource, TrustAnchorSource } from 'attestgate/aws';

function requiredFile(variable: string): string {
  const file = process.env[variable];
  if (!file) throw new Error(`${variable} is not set: the consumer test passes the CA's files`);
  return fs.readFileSync(file, 'utf8');
}

const app = new App();
Validations.of(app).addPlugins(new AttestationChecks());
const stack = new Stack(app, 'ConsumerAgents');

const anchor = new AgentTrustAnchor(stack, 'AgentsAnchor', {
  source: TrustAnchorSource.fromCertificateBundle(requiredFile('CONSUMER_CA_BUNDLE')),
});
new CrlImportSchedule(stack, 'AgentsCrl', {
  trustAnchor: anchor,
  initialCrlPem: requiredFile('CONSUMER_CRL'),
  source: CrlSource.fromHttpsUrl('https://pki.consumer.example/agents.crl'),
});
new AttestedRole(stack, 'Deployer', {
  identity: new AgentIdentity({
    name: 'deployer',
    spiffeId: 'spiffe://consumer.example/agent/deployer',
    subject: { CN: 'deployer', O: 'attestgate consumer' },
    issuingCa: { CN: 'Consumer Agents CA', O: 'attestgate consumer' },
    privilege: PrivilegeTier.HIGH,
    maxCredentialLifetime: Duration.hours(1),
  }),
  trustAnchors: [anchor],
  managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('PowerUserAccess')],
});

if (process.env.CONSUMER_OPEN_GATE === '1') {
  // A role written by hand that any certificate of any trust anchor in the account can assume:
  // the synth-time rules must refuse it.
  new iam.CfnRole(stack, 'OpenGate', {
    assumeRolePolicyDocument: {
      Version: '2012-10-17',
      Statement: [{
        Effect: 'Allow',
        Principal: { Service: 'rolesanywhere.amazonaws.com' },
        Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'],
      }],
    },
    managedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'],
  });
}

app.synth();
