import { GcpIssuancePath, describeGcpPath, judgeGcpPath } from '../../../../lib/model/gcp/issuance-paths';
import { Check, fail, inconclusive, pass, skipped } from '../../../engine/check';
import { GcpProbeContext } from '../../../gcp/probe-context';
import { ResolvedGcpGate } from '../../../gcp/resolve-gates';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Judged from the configuration, not by probing: the emulator and a live run cannot sign in as a
 * CI user, hold a downloaded key or run on a VM. The model lists the paths
 * (lib/model/gcp/issuance-paths.ts); AG-GCP-003 refuses the same ones at synth.
 */
export const check: Check<ResolvedGcpGate, GcpProbeContext> = {
  meta: {
    id: 'AGC-GCP-012',
    cloud: 'gcp',
    title: 'No unattested path to the gate’s service accounts',
    statement:
      'Verify that nothing but the gate’s own federation obtains a token acting as its high-privilege service accounts: no other member holding an impersonation role (workloadIdentityUser, serviceAccountTokenCreator, serviceAccountOpenIdTokenCreator, serviceAccountUser, serviceAccountKeyAdmin, owner, editor) on the account, its project, folder or organization, no principal of another provider or pool, no service account key and no workload the account is attached to — or that each is acknowledged by path ID with a reason.',
    threat:
      'A second, unattested way to the same token: a CI user with Token Creator, a downloaded key, a VM or Cloud Run service running as the account, or a GitHub provider in the same pool — stealing that credential or that workload is enough, and the attestation gate is never asked.',
    remediation:
      'Remove the other grants, keys and attachments (give those workloads their own service accounts), and bind the account only to the gate’s principal; if a path is intended (break-glass), name its ID in the service account’s "//" object under "attestgate:acknowledged-paths" with a reason.',
    severity: 'critical',
    tags: ['cloud:gcp', 'kind:negative', 'threat:unattested-issuance-path'],
  },
  async run(resolved) {
    const gate = resolved.gate;
    const privilegeOf = new Map(gate.serviceAccounts.map((a) => [a.address, a]));
    const evidence = {
      serviceAccounts: gate.serviceAccounts,
      paths: gate.paths.map((p) => ({ id: p.id, account: p.account, attested: p.attested, path: describeGcpPath(p), ...(p.acknowledged ? { acknowledged: p.acknowledged } : {}) })),
      ignoredAcknowledgements: gate.ignoredAcknowledgements,
      judgedBy: 'the configuration (lib/model/gcp/issuance-paths.ts); not probed',
    };
    if (gate.serviceAccounts.length === 0) return skipped('the gate’s principals act as no service account of the configuration');
    const attested = gate.paths.filter((p) => p.attested === true);
    const others = gate.paths.filter((p) => p.attested !== true);
    const open: GcpIssuancePath[] = [];
    const unjudged: string[] = [];
    const acknowledged: GcpIssuancePath[] = [];
    for (const path of others) {
      const judgement = judgeGcpPath(path, privilegeOf.get(path.account));
      if (judgement.verdict === 'open') open.push(path);
      else if (judgement.verdict === 'acknowledged') acknowledged.push(path);
      else if (judgement.verdict === 'unjudged') unjudged.push(path.kind === 'unknown' ? describeGcpPath(path) : `${describeGcpPath(path)}: ${judgement.why}`);
    }
    // An acknowledgement that does not count is named, so a FAIL explains why it was not taken.
    const ignored = gate.ignoredAcknowledgements.length > 0 ? ` (acknowledgements that do not count: ${gate.ignoredAcknowledgements.join('; ')})` : '';
    if (open.length > 0) return fail(`${plural(open.length, 'unattested path')} to the gate’s service accounts: ${open.map(describeGcpPath).join('; ')}${ignored}`, evidence);
    if (unjudged.length > 0) return inconclusive(`cannot judge ${plural(unjudged.length, 'path')}: ${unjudged.join('; ')}${ignored}`, evidence);
    if (acknowledged.length > 0) {
      const reasons = acknowledged.map((p) => `${p.account} ${p.id} (${p.acknowledged})`).join('; ');
      return { ...inconclusive(`unattested ${acknowledged.length === 1 ? 'path' : 'paths'} accepted on purpose: ${reasons}`, evidence), acknowledged: reasons };
    }
    if (attested.length === 0) return skipped('no path to the gate’s service accounts was found in the configuration');
    return pass(`only the gate’s federation acts as ${gate.serviceAccounts.map((a) => a.email ?? a.address).join(', ')} (${plural(attested.length, 'binding')})`, evidence);
  },
  // Judged from the configuration: it sends nothing.
  plan: () => [],
};
