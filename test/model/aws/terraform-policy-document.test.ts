import { templateOfTerraformAws } from '../../../lib/model/aws/terraform-resources';
import { TerraformModel } from '../../../lib/model/terraform/configuration';
import { AFTER_APPLY_INTRINSIC } from '../../../lib/model/aws/intrinsics';

/**
 * data.aws_iam_policy_document rendered from its blocks as the AWS provider renders it
 * (internal/service/iam/data_source_aws_iam_policy_document.go, iam_policy_model.go), read through
 * the role whose trust policy it is — the only way the model sees it.
 */

/** The trust policy a role gets from `data.aws_iam_policy_document.trust` with these arguments (and other data sources). */
function trustPolicy(trust: Record<string, unknown>, otherDocuments: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): any {
  const model = TerraformModel.parse(
    {
      ...extra,
      data: { aws_iam_policy_document: { trust, ...otherDocuments } },
      resource: {
        aws_rolesanywhere_trust_anchor: { a: { name: 'a', source: { source_type: 'CERTIFICATE_BUNDLE', source_data: { x509_certificate_data: 'PEM' } } } },
        aws_iam_role: { r: { name: 'r', assume_role_policy: '${data.aws_iam_policy_document.trust.json}' } },
      },
    },
    'main.tf.json',
  );
  return templateOfTerraformAws(model)!.Resources['aws_iam_role.r'].Properties.AssumeRolePolicyDocument;
}

const service = { type: 'Service', identifiers: ['rolesanywhere.amazonaws.com'] };

describe('data.aws_iam_policy_document in a configuration, rendered as the provider does', () => {
  test('effect defaults to Allow, version to 2012-10-17; a reference to a translated resource is its Fn::GetAtt', () => {
    expect(trustPolicy({ statement: { principals: service, actions: ['sts:AssumeRole'], condition: { test: 'ArnEquals', variable: 'aws:SourceArn', values: ['${aws_rolesanywhere_trust_anchor.a.arn}'] } } })).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: ['sts:AssumeRole'],
          Principal: { Service: ['rolesanywhere.amazonaws.com'] },
          Condition: { ArnEquals: { 'aws:SourceArn': [{ 'Fn::GetAtt': ['aws_rolesanywhere_trust_anchor.a', 'TrustAnchorArn'] }] } },
        },
      ],
    });
  });

  test('two condition blocks with the same test and variable become ONE condition whose values IAM ORs — they admit either subject', () => {
    const policy = trustPolicy({
      statement: {
        principals: service,
        actions: ['sts:AssumeRole'],
        condition: [
          { test: 'StringEquals', variable: 'aws:PrincipalTag/x509Subject/CN', values: ['deployer'] },
          { test: 'StringEquals', variable: 'aws:PrincipalTag/x509Subject/CN', values: ['intern'] },
          { test: 'StringLike', variable: 'aws:PrincipalTag/x509SAN/URI', values: ['spiffe://prod.example/&{aws:PrincipalTag/x509Subject/CN}'] },
        ],
      },
    });
    expect(policy.Statement[0].Condition).toEqual({
      StringEquals: { 'aws:PrincipalTag/x509Subject/CN': ['deployer', 'intern'] },
      // &{…} is how HCL writes an IAM policy variable; the provider renders it as ${…}.
      StringLike: { 'aws:PrincipalTag/x509SAN/URI': ['spiffe://prod.example/${aws:PrincipalTag/x509Subject/CN}'] },
    });
  });

  test('principals blocks of one type are merged; a lone type "*" with identifier "*" is the bare "*"', () => {
    const merged = trustPolicy({ statement: { principals: [service, { type: 'AWS', identifiers: ['arn:aws:iam::123456789012:role/ci'] }, { type: 'AWS', identifiers: ['arn:aws:iam::123456789012:root'] }], actions: ['sts:AssumeRole'] } });
    expect(merged.Statement[0].Principal).toEqual({ Service: ['rolesanywhere.amazonaws.com'], AWS: ['arn:aws:iam::123456789012:role/ci', 'arn:aws:iam::123456789012:root'] });
    expect(trustPolicy({ statement: { principals: { type: '*', identifiers: ['*'] }, actions: ['sts:AssumeRole'] } }).Statement[0].Principal).toBe('*');
    expect(trustPolicy({ statement: { not_principals: { type: 'AWS', identifiers: ['arn:aws:iam::123456789012:root'] }, actions: ['sts:AssumeRole'] } }).Statement[0].NotPrincipal).toEqual({ AWS: ['arn:aws:iam::123456789012:root'] });
  });

  test('source documents first, then the own statements, then overrides: a Sid replaces the earlier statement with that Sid, others are appended', () => {
    const policy = trustPolicy(
      {
        source_policy_documents: ['${data.aws_iam_policy_document.base.json}', JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Literal', Effect: 'Deny', Action: 'sts:AssumeRole', Principal: '*' }] })],
        override_policy_documents: ['${data.aws_iam_policy_document.override.json}'],
        statement: [{ sid: 'Issue', principals: service, actions: ['sts:AssumeRole'], condition: { test: 'StringEquals', variable: 'aws:PrincipalTag/x509Subject/CN', values: ['deployer'] } }],
      },
      {
        base: { statement: [{ sid: 'Issue', principals: service, actions: ['sts:AssumeRole'] }, { principals: service, actions: ['sts:TagSession'] }] },
        override: { statement: [{ sid: 'Literal', effect: 'Allow', principals: service, actions: ['sts:SetSourceIdentity'] }] },
      },
    );
    expect(policy.Statement.map((s: any) => [s.Sid, s.Effect, s.Action])).toEqual([
      // base's open "Issue" is replaced in place by the configuration's pinned one.
      ['Issue', 'Allow', ['sts:AssumeRole']],
      [undefined, 'Allow', ['sts:TagSession']],
      // the literal source's "Literal" Deny is replaced by the override's Allow.
      ['Literal', 'Allow', ['sts:SetSourceIdentity']],
    ]);
    expect(policy.Statement[0].Condition).toEqual({ StringEquals: { 'aws:PrincipalTag/x509Subject/CN': ['deployer'] } });
  });

  test('what cannot be evaluated stays unknown with its reason: a variable identifier, a dynamic block, a source not known before apply', () => {
    const variable = trustPolicy({ statement: { principals: { type: 'AWS', identifiers: ['${var.ci}'] }, actions: ['sts:AssumeRole'] } });
    expect(variable.Statement[0].Principal).toEqual({ AWS: [{ [AFTER_APPLY_INTRINSIC]: 'var.ci, an input variable set at plan' }] });
    expect(trustPolicy({ dynamic: { statement: { for_each: '${var.statements}', content: {} } } })).toEqual({
      [AFTER_APPLY_INTRINSIC]: 'data.aws_iam_policy_document.trust builds blocks with dynamic, which Terraform expands only at plan',
    });
    // Which statements an unknown source holds decides what the Sids replace: the whole document is unknown.
    expect(trustPolicy({ source_policy_documents: ['${var.base}'], statement: { sid: 'Issue', principals: service, actions: ['sts:AssumeRole'] } })).toEqual({
      [AFTER_APPLY_INTRINSIC]: expect.stringContaining('data.aws_iam_policy_document.trust merges data.aws_iam_policy_document.trust.source_policy_documents[0] is ${var.base}'),
    });
    expect(trustPolicy({ statement: { principals: service, actions: '${var.actions}' } }).Statement[0].Action).toEqual({
      [AFTER_APPLY_INTRINSIC]: 'data.aws_iam_policy_document.trust.statement[0].actions is ${var.actions}, a list not known before apply',
    });
  });

  test('a document the provider refuses is an error naming the file, the field and the fix', () => {
    expect(() => trustPolicy({ statement: { effect: 'allow', principals: service, actions: ['sts:AssumeRole'] } })).toThrow(
      'main.tf.json: data.aws_iam_policy_document.trust.statement[0].effect "allow" is neither Allow nor Deny, which the AWS provider refuses. Fix: write effect = "Allow" (the default) or "Deny"',
    );
    expect(() => trustPolicy({ statement: [{ sid: 'A', actions: ['s3:GetObject'] }, { sid: 'A', actions: ['s3:PutObject'] }] })).toThrow(/statement\[1\]\.sid "A" repeats the Sid of an earlier statement/);
    expect(() =>
      trustPolicy({ source_policy_documents: ['${data.aws_iam_policy_document.one.json}', '${data.aws_iam_policy_document.two.json}'] }, { one: { statement: { sid: 'S', actions: ['a:b'] } }, two: { statement: { sid: 'S', actions: ['a:c'] } } }),
    ).toThrow(/source_policy_documents\[1\]\.Statement\[0\]\.Sid "S" repeats a Sid of an earlier source document/);
  });
});
