import { unattestedPathsOf } from '../../model/aws/issuance-paths';
import { rolesAnywhereTrusts } from '../../model/aws/roles-anywhere';
import { TemplateModel } from '../../model/aws/template';
import { judgeUnattestedPaths } from '../../model/aws/unattested-caller';
import { Rule, RuleFinding, Severity } from '../rule';

/** Stand-ins for the account a template is deployed to, which synth does not know. */
const SYNTH_DEPLOYMENT = { account: '123456789012', partition: 'aws', region: 'us-east-1' };

/**
 * AG-AWS-004. The attestation gate is worth nothing if the same role can be assumed another way:
 * an IAM user's stolen access key, another service, a federated identity. Judged exactly as the
 * conformance check AGC-AWS-019 judges it: the caller each path's conditions admit, against the
 * whole trust policy, Deny statements included.
 */
export const singleIssuancePath: Rule<TemplateModel> = {
  id: 'AG-AWS-004',
  cloud: 'aws',
  severity: Severity.HIGH,
  title: 'A role trusted by IAM Roles Anywhere trusts no other principal',
  rationale:
    'Any other principal in the trust policy is a second, unattested way to the same credentials: stealing that principal’s secret bypasses the certificate check.',
  fix: 'Remove the other principals from the trust policy; give them their own role. A break-glass path needs an acknowledgement with its reason.',
  evaluate(model) {
    const findings: RuleFinding[] = [];
    for (const trust of rolesAnywhereTrusts(model)) {
      const { paths } = unattestedPathsOf(trust);
      const roleArn = `arn:aws:iam::${SYNTH_DEPLOYMENT.account}:role/${trust.role.logicalId}`;
      for (const judgement of judgeUnattestedPaths(paths, trust.trustPolicy.statements, roleArn, SYNTH_DEPLOYMENT)) {
        if (judgement.open === false) continue;
        const statement = judgement.path.kind === 'unknown' ? judgement.path.statement : judgement.path.statement;
        findings.push({
          resource: trust.role.logicalId,
          outcome: judgement.open ? 'violation' : 'unjudgeable',
          message: judgement.open
            ? `Role ${trust.role.logicalId} is also assumable, without attestation (statement ${statement}): ${judgement.why}.`
            : `Role ${trust.role.logicalId}: ${judgement.why}.`,
          location: `Properties/AssumeRolePolicyDocument/Statement/${statement}`,
        });
      }
    }
    return findings;
  },
};
