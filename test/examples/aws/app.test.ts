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
    // The other two roles are the CRL import function's and EventBridge Scheduler's.
    const gated = Object.values(template.findResources('AWS::IAM::Role')).filter((r) => JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('rolesanywhere.amazonaws.com'));
    expect(gated).toHaveLength(2);
    template.hasResourceProperties('AWS::RolesAnywhere::CRL', { Enabled: true });
  });

  test('keeps the CRL fresh: an hourly schedule, the function, a least-privilege policy, three alarms', () => {
    const crlId = stack.getLogicalId(stack.node.findChild('AgentsAnchor').node.findChild('AgentsCrlCrl').node.defaultChild as never);
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(1 hour)' });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      ReservedConcurrentExecutions: 1,
      Environment: { Variables: Match.objectLike({ ATTESTGATE_CRL_ID: { 'Fn::GetAtt': [crlId, 'CrlId'] }, ATTESTGATE_CRL_SOURCE: JSON.stringify({ type: 'https', url: 'https://pki.prod.example/agents-ca.crl' }) }) },
    });
    const policy = Object.values(template.findResources('AWS::IAM::Policy')).find((p) => JSON.stringify(p).includes('rolesanywhere:UpdateCrl'))!;
    const statements = policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>;
    expect(statements.flatMap((st) => [st.Action].flat()).sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents', 'rolesanywhere:GetCrl', 'rolesanywhere:GetTrustAnchor', 'rolesanywhere:UpdateCrl']);
    expect(JSON.stringify(statements)).not.toContain('"*"');
    for (const metric of ['ImportSucceeded', 'SecondsToNextUpdate', 'ImportRejected']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'attestgate/CrlImport', MetricName: metric });
    }
  });

  test('watches the high-privilege deployer, not the read-only reader', () => {
    const deployerId = stack.getLogicalId(stack.deployer.cfnRole);
    const readerId = stack.getLogicalId(stack.reader.cfnRole);
    const rules = Object.values(template.findResources('AWS::Events::Rule'));
    const patterns = rules.map((r) => JSON.stringify(r.Properties.EventPattern));
    expect(patterns.filter((p) => p.includes('sts.amazonaws.com'))).toHaveLength(2);
    expect(patterns.filter((p) => p.includes('UpdateAssumeRolePolicy'))).toHaveLength(1);
    expect(patterns.filter((p) => p.includes('PutAttributeMapping'))).toHaveLength(1);
    expect(patterns.some((p) => p.includes(deployerId))).toBe(true);
    expect(patterns.some((p) => p.includes(readerId))).toBe(false);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'attestgate/IssuanceMonitor', Dimensions: [{ Name: 'RoleArn', Value: { 'Fn::GetAtt': [deployerId, 'Arn'] } }] });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Metrics: [Match.objectLike({ Expression: Match.stringLikeRegexp('AWS/RolesAnywhere') })] });
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
