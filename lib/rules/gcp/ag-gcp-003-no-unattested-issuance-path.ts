import { TerraformModel } from '../../model/terraform/configuration';
import { gateDeclarationOf, workloadIdentityProviders } from '../../model/gcp/google-workload-identity';
import { describeGcpPath, gcpIssuancePaths, judgeGcpPath } from '../../model/gcp/issuance-paths';
import { Rule, RuleFinding, Severity } from '../rule';

/** The resource a path is about: the grant, key or workload; the account for anything else. */
function resourceOf(path: ReturnType<typeof gcpIssuancePaths>['paths'][number]): string {
  if (path.kind === 'grant' || path.kind === 'federation') return path.grant.split('/')[0];
  if (path.kind === 'key' || path.kind === 'attachment') return path.resource;
  return path.account;
}

/**
 * AG-GCP-003. The same paths AGC-GCP-012 judges, refused at synth: the model lists them
 * (lib/model/gcp/issuance-paths.ts) and judges each one (judgeGcpPath), so rule and check agree.
 * Only high-privilege accounts are judged here; the check also reports the others as unjudged.
 */
export const noUnattestedIssuancePath: Rule<TerraformModel> = {
  id: 'AG-GCP-003',
  cloud: 'gcp',
  severity: Severity.CRITICAL,
  title: 'Nothing but its gate’s federation gets a token acting as a high-privilege service account',
  rationale:
    'A member with an impersonation role (workloadIdentityUser, serviceAccountTokenCreator, serviceAccountOpenIdTokenCreator, serviceAccountUser, serviceAccountKeyAdmin, owner, editor) on the account or its project, folder or organization, a principal of another provider or pool, a service account key or a workload running as the account gets the same token without the attestation the gate asks for.',
  fix: 'Remove the grant, key or attachment (give that workload its own service account) and bind the account only to the gate’s principal; a path that is intended (break-glass) is named by ID in the service account’s "//" object under "attestgate:acknowledged-paths" with a reason.',
  evaluate(model) {
    const findings = new Map<string, RuleFinding>();
    for (const provider of workloadIdentityProviders(model)) {
      const declared = gateDeclarationOf(provider);
      const { accounts, paths } = gcpIssuancePaths(model, provider, declared);
      const byAddress = new Map(accounts.map((a) => [a.address, a]));
      for (const path of paths) {
        const account = byAddress.get(path.account);
        if (account?.privilege !== 'high') continue;
        const judgement = judgeGcpPath(path, account);
        if (judgement.verdict !== 'open' && judgement.verdict !== 'unjudged') continue;
        const resource = resourceOf(path);
        const message =
          judgement.verdict === 'open'
            ? `Unattested path to high-privilege ${path.account} (path ID ${path.id}): ${describeGcpPath(path)}.`
            : `Cannot judge a path to high-privilege ${path.account} (path ID ${path.id}): ${describeGcpPath(path)}${path.kind === 'unknown' ? '' : `: ${judgement.why}`}.`;
        findings.set(`${resource} ${path.account} ${path.id}`, { resource, outcome: judgement.verdict === 'open' ? 'violation' : 'unjudgeable', message, location: path.kind === 'grant' || path.kind === 'federation' ? path.grant.split('/').slice(1).join('/') || 'member' : path.kind === 'attachment' ? path.attribute.replace(/\./g, '/') : '' });
      }
    }
    return [...findings.values()];
  },
};
