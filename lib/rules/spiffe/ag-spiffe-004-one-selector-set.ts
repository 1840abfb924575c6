import { JudgedEntry, SpiffeRegistrationModel } from '../../spiffe/registration-model';
import { Rule, RuleFinding, Severity } from '../rule';
import { issues, issuingEntries } from './issuing';

/** What picks the workloads an entry issues to: its parent, pod scope and selectors. */
function selectorSet(entry: JudgedEntry): string {
  const parent = entry.parent.scope === 'kubernetes-nodes' ? 'every node of the cluster' : `parent ${entry.parent.id}`;
  const scope = entry.podScope && entry.podScope !== '{"namespaceSelector":null,"podSelector":null}' ? `, pods ${entry.podScope}` : '';
  const selectors = [...entry.selectors.map((s) => `${s.type}:${s.value}`), ...entry.selectorTemplates].sort();
  return `${parent}${scope}, selectors [${selectors.join(', ')}]`;
}

/**
 * AG-SPIFFE-004. A second entry for the same high-privilege SPIFFE ID is a second way to get it,
 * attested by whatever that entry asks for — often only a namespace and service account, from a
 * catch-all ClusterSPIFFEID.
 */
export const oneSelectorSet: Rule<SpiffeRegistrationModel> = {
  id: 'AG-SPIFFE-004',
  cloud: 'spiffe',
  severity: Severity.HIGH,
  title: 'No two entries hand the same high-privilege SPIFFE ID to different selector sets',
  rationale:
    'SPIRE issues an SVID for every entry whose selectors a workload presents, so a high-privilege SPIFFE ID registered twice is as strong as the weaker entry: a catch-all ClusterSPIFFEID (spiffe://{{ .TrustDomain }}/ns/{{ .PodMeta.Namespace }}/sa/{{ .PodSpec.ServiceAccountName }}, the Helm charts’ default) hands it to any image run under the service account, past the image digest the declared entry requires.',
  fix: 'Keep one registration per high-privilege SPIFFE ID: narrow the other entry (namespaceSelector or podSelector excluding the agent, a className of its own) or give the identity an ID the catch-all template cannot render; acknowledge with a reason where two sets are meant (two clusters, say).',
  evaluate(model) {
    const findings: RuleFinding[] = [];
    const byIdentity = new Map<string, ReturnType<typeof issuingEntries>>();
    for (const issuing of issuingEntries(model, { highPrivilegeOnly: true })) byIdentity.set(issuing.spiffeId, [...(byIdentity.get(issuing.spiffeId) ?? []), issuing]);
    for (const [spiffeId, issuingList] of byIdentity) {
      const sets = new Map<string, string[]>();
      for (const { entry } of issuingList) sets.set(selectorSet(entry), [...(sets.get(selectorSet(entry)) ?? []), entry.resource]);
      if (sets.size < 2) continue;
      // Entries that carry the identity's declaration are the intended ones and the others the second
      // ways in — unless the declared ones disagree among themselves, or none is declared.
      const declared = issuingList.filter(({ entry }) => entry.intent?.identity.spiffeId === spiffeId);
      const declaredSets = new Set(declared.map(({ entry }) => selectorSet(entry)));
      const flagged = declared.length > 0 && declaredSets.size === 1 ? issuingList.filter((i) => !declared.includes(i)) : issuingList;
      const described = [...sets].map(([set, resources]) => `${resources.join(', ')} (${set})`).join('; ');
      for (const issuing of flagged) {
        findings.push({
          resource: issuing.entry.resource,
          outcome: 'violation',
          message: `${issues(issuing)}, a high-privilege identity issued to ${sets.size} different selector sets: ${described}.`,
          location: issuing.entry.locations.selectors,
        });
      }
    }
    return findings;
  },
};
