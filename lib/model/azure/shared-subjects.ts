/**
 * Subjects that many workloads share. A federated credential for one hands the identity to every
 * workload presenting it, so the attestation proves membership of a crowd, not who the agent is.
 * One list, read by the synth-time rule (AG-AZ-001), the issuance-path model and the checks that
 * probe (AGC-AZ-011) or judge (the unattested-path check) such credentials, so they never disagree.
 */
const SHARED_SUBJECTS: ReadonlyArray<{ readonly pattern: RegExp; readonly who: (m: RegExpExecArray) => string }> = [
  {
    pattern: /^system:serviceaccount:([^:]+):default$/,
    who: (m) => `the default service account of Kubernetes namespace "${m[1]}", which every pod of the namespace without its own service account runs as`,
  },
  {
    pattern: /^spiffe:\/\/([^/]+)\/ns\/([^/]+)\/sa\/default$/,
    who: (m) => `the SPIFFE ID of the default service account of namespace "${m[2]}" in trust domain ${m[1]}, which every pod of the namespace without its own service account is issued`,
  },
  {
    pattern: /^repo:([^:]+):pull_request$/,
    who: (m) => `GitHub's subject for every pull_request workflow run of ${m[1]}, including runs of code nobody has reviewed yet`,
  },
  {
    // A repository whose OIDC subject template keeps only `repo` (include_claim_keys: ["repo"]):
    // every workflow of every branch, tag and pull request presents the same subject.
    pattern: /^repo:([^:/]+\/[^:/]+)$/,
    who: (m) => `GitHub's subject for the whole repository ${m[1]} (a subject template of only "repo"): every workflow run of every branch, tag and pull request presents it`,
  },
  {
    // An organization's subject template of only `repository_owner`: every repository of the owner.
    pattern: /^repository_owner:([^:/]+)$/,
    who: (m) => `GitHub's subject for every repository of ${m[1]} (a subject template of only "repository_owner"): any workflow of any of its repositories presents it`,
  },
];

/** Who shares a subject, or undefined when it is not a well-known shared subject. */
export function sharedSubjectIdentity(subject: string): string | undefined {
  for (const { pattern, who } of SHARED_SUBJECTS) {
    const match = pattern.exec(subject);
    if (match) return who(match);
  }
  return undefined;
}
