import { SpiffeSelector, formatSelector } from './registration-entry';
import { readSelector } from './selectors';

/**
 * Multi-attestation, the code-integrity plus runtime-context pattern: a high-privilege identity is
 * issued only to a workload that proves both *where and as whom it runs* and *which code it is*,
 * so that neither a rogue image deployed under the right service account nor the right image run
 * by someone else gets it. The registration declaration and rule AG-SPIFFE-005 both judge with this.
 */

/**
 * Which agents an entry is issued under: every node of a Kubernetes cluster (a ClusterSPIFFEID:
 * the controller names each node's agent), a node alias (a set of nodes picked by node
 * selectors), one attested agent, the SPIRE server (the entry is itself a node entry), or an ID
 * this input cannot place.
 */
export type ParentScope = 'kubernetes-nodes' | 'node-alias' | 'agent' | 'server' | 'unknown';

export interface EntryParent {
  readonly scope: ParentScope;
  /** The parent SPIFFE ID, when the entry names one. */
  readonly id?: string;
}

export interface AttestationEvidence {
  /** Where and as whom the workload runs, described with the selectors that prove it. */
  readonly runtime: readonly string[];
  /** Which code it is. */
  readonly code: readonly string[];
  /** Image selectors that name a tag (or nothing) instead of a digest: they prove no code. */
  readonly imageTags: readonly string[];
}

export interface NamespacePin {
  /** The one namespace a ClusterSPIFFEID's namespaceSelector admits by its immutable name label. */
  readonly namespace: string;
}

/**
 * The runtime and code evidence of an entry's selectors and parent.
 *
 * Runtime: a Kubernetes namespace *and* service account (a service account name alone exists in
 * every namespace; a namespace alone is every pod in it), a Unix or Windows user, or a node — a
 * node alias or one attested agent as parent. Every node of a cluster is not a node.
 * Code: an image digest (`k8s:container-image` / `k8s:pod-image` / `docker:image_id` with
 * `@sha256:…`, `docker:image_config_digest`) or a binary hash (`unix:sha256`, `windows:sha256`).
 */
export function attestationEvidence(selectors: readonly SpiffeSelector[], parent: EntryParent, pin?: NamespacePin): AttestationEvidence {
  const runtime: string[] = [];
  const code: string[] = [];
  const imageTags: string[] = [];
  const namespaces: string[] = [];
  const serviceAccounts: string[] = [];
  for (const selector of selectors) {
    const reading = readSelector(selector);
    const text = formatSelector(selector);
    if (reading.imageTag) imageTags.push(text);
    switch (reading.evidence) {
      case 'namespace':
        namespaces.push(text);
        break;
      case 'service-account':
        serviceAccounts.push(text);
        break;
      case 'user':
        runtime.push(`the user (${text})`);
        break;
      case 'image-digest':
        code.push(`the image digest (${text})`);
        break;
      case 'binary-hash':
        code.push(`the binary hash (${text})`);
        break;
      default:
        break;
    }
  }
  if (pin) namespaces.push(`namespaceSelector kubernetes.io/metadata.name=${pin.namespace}`);
  if (namespaces.length > 0 && serviceAccounts.length > 0) runtime.push(`the namespace and service account (${[...namespaces, ...serviceAccounts].join(', ')})`);
  if (parent.scope === 'node-alias') runtime.push(`the node alias ${parent.id}`);
  if (parent.scope === 'agent') runtime.push(`the agent ${parent.id}`);
  return { runtime, code, imageTags };
}

/** The kinds of evidence missing: none, or what a high-privilege entry still needs. */
export function missingEvidence(evidence: AttestationEvidence): Array<'runtime' | 'code'> {
  return [...(evidence.runtime.length === 0 ? (['runtime'] as const) : []), ...(evidence.code.length === 0 ? (['code'] as const) : [])];
}

/** One sentence on what is missing, naming tags that were meant as digests. */
export function describeMissingEvidence(evidence: AttestationEvidence): string {
  const parts: string[] = [];
  const missing = missingEvidence(evidence);
  if (missing.includes('runtime')) parts.push('no runtime selector (k8s:ns with k8s:sa, unix:uid, or a node alias / agent as parent)');
  if (missing.includes('code')) {
    const tags = evidence.imageTags.length > 0 ? `; ${evidence.imageTags.join(', ')} names a tag, not a digest — a tag can be pushed again` : '';
    parts.push(`no code selector (an image digest @sha256:… or unix:sha256)${tags}`);
  }
  const have = [...evidence.runtime, ...evidence.code];
  return `${parts.join(' and ')}${have.length > 0 ? `; it is attested only by ${have.join(' and ')}` : ''}`;
}
