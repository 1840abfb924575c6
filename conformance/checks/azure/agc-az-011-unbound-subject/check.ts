import { Check, inconclusive } from '../../../engine/check';
import { DENIED } from '../../../azure/expected-denials';
import { AzureProbeContext, DenialBuilder, DenialProbe, ProbeCredential, ResolvedAzureGate, identityOf, plannedAzureDenial, probeAzureDenied } from '../../../azure/probe-context';
import { ClientAssertion, signedAssertion } from '../../../azure/client-assertion';
import { otherWorkloadSubject, sharedSubjectReason } from '../../../azure/token-mutations';
import { ForeignSelection, selectForeignSubjects } from '../../../azure/foreign-subjects';

export const check: Check<ResolvedAzureGate, AzureProbeContext> = {
  meta: {
    id: 'AGC-AZ-011',
    cloud: 'azure',
    title: "Only the agent's own subject obtains the identity",
    statement:
      "Verify that Entra refuses, with AADSTS700213 (AADSTS7002138 for a case variant of its own subject), validly signed tokens of other workloads: subjects other identities trust (every one a prefix, case-insensitive or glob matcher would take for the identity's own, the 8 closest to it, and every one a flexible credential's expression may admit; the count left out is reported), another workload of the same issuer, a subject many workloads share (a namespace's default service account, every pull request), and — when a gate manifest declares the agent — any subject neither the agent's nor declared there.",
    threat: "A credential whose subject is not bound to the agent hands the high-privilege identity to every workload that presents that subject: a stolen or unattested workload gets it without the agent's attestation.",
    remediation: "Give the identity one credential per attested agent subject (its SPIFFE ID), never a shared subject; remove credentials added outside the construct, or declare them with a reason.",
    severity: 'critical',
    tags: ['cloud:azure', 'kind:negative', 'threat:unbound-subject', 'requires:issuer-key'],
  },
  async run(gate, context) {
    // Subjects of this identity that could not be minted for (no key for their issuer).
    const unprobed: string[] = [];
    const probed = await probeAzureDenied(gate, context, 'issuer-key', probesOf(gate, context, unprobed));
    const verdict = withForeignSelection(probed, gate);
    if (verdict.status === 'PASS' && unprobed.length > 0) return inconclusive(`${verdict.reason}; but not probed, for want of a key: ${unprobed.join(', ')}`, verdict.evidence as Record<string, unknown>);
    return verdict;
  },
  plan: (gate, context) => plannedAzureDenial(gate, context, 'issuer-key', probesOf(gate, context, [])),
};

/** The probes of a gate; subjects that cannot be minted for are added to `unprobed`. */
function probesOf(gate: ResolvedAzureGate, context: AzureProbeContext, unprobed: string[]): DenialBuilder {
  return ({ credential, key }) => {
    const trusted = new Set(gate.credentials.map((c) => c.subject));
    const probes: DenialProbe[] = [];
    // `trusted`: a subject a credential of the identity names, so an agent's leg 1 issues for it (and leg 2 is sent).
    const add = (what: string, assertion: ClientAssertion, trusted = false, expected = DENIED.subject) => {
      if (!probes.some((p) => p.what === what)) probes.push({ what, assertion, expected, ...(trusted ? { leg1Issues: true } : {}) });
    };
    // Not every foreign subject: the ones a lax matcher would admit, the closest, and all a flexible credential may admit (foreign-subjects.ts says why that is enough).
    for (const { foreign, nearest } of foreignSelectionOf(gate).probes) {
      // Carried with the issuer and audience of the credential it is closest to, when its key is at hand: what a matcher lax on the subject would compare it with.
      const signer = context.rsaKeyFor(gate, nearest);
      const [via, by] = signer ? [nearest, signer] : [credential, key!];
      // A subject equal to one of this issuer's ignoring case is refused as such (AADSTS7002138), still a refusal of the subject.
      const caseOnly = gate.credentials.some((c) => c.issuer === via.issuer && c.subject.toLowerCase() === foreign.subject.toLowerCase());
      add(`a token for subject '${foreign.subject}', which identity ${foreign.identity} trusts`, signedAssertion(by, identityOf(via, { sub: foreign.subject })), false, caseOnly ? DENIED.subjectCase : DENIED.subject);
    }
    // A sibling agent's declared trust is AGC-AZ-013's: it may be acknowledged there (one gate for the siblings).
    const siblings = new Set(gate.gate.agent?.siblingCredentials.map((s) => s.address));
    for (const c of gate.credentials) {
      if (siblings.has(c.address)) continue;
      const shared = sharedSubjectReason(c.subject);
      const undeclared = gate.agentSubject !== undefined && c.subject !== gate.agentSubject && !c.declared;
      if (!shared && !undeclared) continue;
      const signer = context.rsaKeyFor(gate, c);
      if (!signer) {
        unprobed.push(`${c.address} (subject '${c.subject}'; no key for issuer ${c.issuer})`);
        continue;
      }
      const why = shared ?? `neither the agent's ${gate.agentSubject} nor declared in the gate manifest`;
      add(`another workload's token for subject '${c.subject}' (${c.address}: ${why})`, signedAssertion(signer, identityOf(c)), true);
    }
    const other = otherWorkloadSubject(credential.subject);
    if (!trusted.has(other)) add(`a token of another workload of ${credential.issuer} (subject '${other}')`, signedAssertion(key!, identityOf(credential, { sub: other })));
    return probes;
  };
}

const selections = new WeakMap<ResolvedAzureGate, ForeignSelection<ProbeCredential>>();

/** The foreign subjects a gate is probed with: chosen once per gate, so the plan and the run build the same probes. */
function foreignSelectionOf(gate: ResolvedAzureGate): ForeignSelection<ProbeCredential> {
  let selection = selections.get(gate);
  if (!selection) selections.set(gate, (selection = selectForeignSubjects(gate.credentials, gate.gate.flexibleCredentials ?? [], gate.foreignSubjects)));
  return selection;
}

/** The verdict with what was left out of the foreign subjects, and why: never silently. */
function withForeignSelection<V extends { status: string; reason: string; evidence?: Readonly<Record<string, unknown>> }>(verdict: V, gate: ResolvedAzureGate): V {
  // Only a verdict of probes sent: a gate that could not be probed was sent none of them.
  if (verdict.status !== 'PASS' && verdict.status !== 'FAIL') return verdict;
  const selection = foreignSelectionOf(gate);
  if (selection.candidates === 0) return verdict;
  const foreignSubjects = { distinct: selection.candidates, probed: selection.probes.length, notProbed: selection.notProbed, ...(selection.notProbedWhy ? { notProbedWhy: selection.notProbedWhy } : {}) };
  const note = selection.notProbed > 0 ? `; ${selection.notProbed} of ${selection.candidates} subjects other identities trust not probed: ${selection.notProbedWhy}` : '';
  return { ...verdict, reason: `${verdict.reason}${note}`, evidence: { ...verdict.evidence, foreignSubjects } };
}
