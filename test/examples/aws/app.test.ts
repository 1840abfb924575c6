import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildExampleApp } from '../../../examples/aws/app';

describe('examples/aws', () => {
  const { app, stack } = buildExampleApp(new App());
  const template = Template.fromStack(stack);

  test('two roles share one trust anchor with an enabled CRL', () => {
    template.resourceCountIs('AWS::RolesAnywhere::TrustAnchor', 1);
    template.resourceCountIs('AWS::RolesAnywhere::CRL', 1);
    template.resourceCountIs('AWS::RolesAnywhere::Profile', 2);
    template.resourceCountIs('AWS::IAM::Role', 2);
    template.hasResourceProperties('AWS::RolesAnywhere::CRL', { Enabled: true });
  });

  test.each([
    ['deployer', 3600],
    ['reader', 14400],
  ])('the %s trust policy has exactly the attested shape', (name, maxSession) => {
    const anchorId = stack.getLogicalId(stack.node.findChild('AgentsAnchor').node.defaultChild as never);
    template.hasResourceProperties('AWS::IAM::Role', {
      MaxSessionDuration: maxSession,
      AssumeRolePolicyDocument: Match.exact({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'rolesanywhere.amazonaws.com' },
            Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'],
            Condition: {
              ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [anchorId, 'TrustAnchorArn'] } },
              StringEquals: {
                'aws:PrincipalTag/x509Subject/CN': name,
                'aws:PrincipalTag/x509Subject/O': 'attestgate examples',
                'aws:PrincipalTag/x509SAN/URI': `spiffe://prod.example/agent/${name}`,
                'aws:PrincipalTag/x509Issuer/CN': 'attestgate Example Agents CA',
                'aws:PrincipalTag/x509Issuer/O': 'attestgate examples',
              },
            },
          },
        ],
      }),
    });
  });

  test('passes the attestgate checks it registers', () => {
    expect(() => app.synth()).not.toThrow();
  });
});
