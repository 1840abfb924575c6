import { sharedSubjectIdentity } from '../../lib/model/azure/shared-subjects';

/**
 * The near misses Entra's exact matching must refuse, and the subjects other workloads present:
 * what the Azure checks put in the tokens they mutate.
 */

/** The issuer with its trailing slash toggled, and with its scheme and host upper-cased: one character away, still not the issuer. */
export function issuerNearMisses(issuer: string): string[] {
  const slash = issuer.endsWith('/') ? issuer.slice(0, -1) : `${issuer}/`;
  const match = /^([a-z][a-z0-9+.-]*:\/\/)([^/]+)(.*)$/i.exec(issuer);
  const upper = match ? `${match[1].toUpperCase()}${match[2].toUpperCase()}${match[3]}` : issuer.toUpperCase();
  return [...new Set([slash, upper])].filter((v) => v !== issuer);
}

/**
 * The subject with the case of its last cased character swapped (in a SPIFFE ID or a repository
 * path, the part that names the workload), or undefined when it has none.
 */
export function caseOnlyChange(subject: string): string | undefined {
  for (let i = subject.length - 1; i >= 0; i--) {
    const c = subject[i];
    const swapped = c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase();
    if (swapped !== c) return `${subject.slice(0, i)}${swapped}${subject.slice(i + 1)}`;
  }
  return undefined;
}

/** The subject extended by a path segment: what a prefix or wildcard matcher would wrongly accept. */
export const extendedSubject = (subject: string): string => `${subject}/attestgate-probe`;

/**
 * A subject another workload of the same issuer presents: another SPIFFE ID of the trust domain,
 * the default service account of the same Kubernetes namespace, another branch of the same
 * GitHub repository — or, for a format not known here, a made-up subject.
 */
export function otherWorkloadSubject(subject: string): string {
  const spiffe = /^spiffe:\/\/([^/]+)\//.exec(subject);
  if (spiffe) return `spiffe://${spiffe[1]}/attestgate-probe/other-workload`;
  const k8s = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(subject);
  if (k8s) return `system:serviceaccount:${k8s[1]}:${k8s[2] === 'default' ? 'attestgate-probe' : 'default'}`;
  const github = /^repo:([^:]+):/.exec(subject);
  if (github) return `repo:${github[1]}:ref:refs/heads/attestgate-probe`;
  return `attestgate-probe:other-workload-of:${subject}`;
}

/**
 * Why a subject is shared by workloads other than the agent, or undefined: the model's one list
 * of shared subjects (a namespace's default service account, every pull request, a whole
 * repository), the same the synth-time rule AG-AZ-001 refuses.
 */
export function sharedSubjectReason(subject: string): string | undefined {
  const who = sharedSubjectIdentity(subject);
  return who === undefined ? undefined : `it is ${who}`;
}
