import { AttestGateError } from '../core/errors';
import { SpiffeSelector, formatSelector } from './registration-entry';

/**
 * SPIRE selectors: what each attestor produces (SPIRE v1.15 `doc/plugin_*_workloadattestor_*.md`
 * and `plugin_server_nodeattestor_*.md`; `tpm` is the spire-tpm-plugin's), how its values look,
 * and which of them attest *where and as whom* a workload runs (runtime) or *which code* it is
 * (code) — the two independent kinds a high-privilege identity needs.
 *
 * A selector an attestor never produces is not an error SPIRE reports: the entry is simply never
 * issued. So a typo (`k8s:namespace:agents`) is caught here, by name.
 */

/** Whether the agent attests workloads with it, or the server attests nodes (agents). */
export type AttestorRole = 'workload' | 'node';

/** What a selector proves about a workload, for multi-attestation. */
export type SelectorEvidence = 'namespace' | 'service-account' | 'user' | 'image-digest' | 'binary-hash';

interface KeyRule {
  /** The part after `type:` and before the value's own colon, e.g. `ns`, `image:id`, `subject:cn`. */
  readonly key: string;
  /** What is wrong with the value, or undefined. */
  readonly check?: (value: string) => string | undefined;
  readonly evidence?: (value: string) => SelectorEvidence | undefined;
}

interface Attestor {
  readonly role: AttestorRole;
  readonly keys: readonly KeyRule[];
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;
const IMAGE_DIGEST = /^[^\s@]+@sha256:[0-9a-f]{64}$/;

const nonEmpty = (value: string) => (value.length === 0 ? 'has an empty value' : undefined);
const integer = (value: string) => (/^\d+$/.test(value) ? undefined : 'is not a non-negative integer');
const sha256Hex = (value: string) => (SHA256_HEX.test(value) ? undefined : 'is not a SHA-256 digest in 64 lowercase hex digits');
const keyValue = (value: string) => (/^[^:]+:.*$/.test(value) ? undefined : 'is not key:value');
const dnsLabel = (what: string) => (value: string) => (value.length <= 63 && DNS_LABEL.test(value) ? undefined : `is not a valid ${what} (a DNS-1123 label: lowercase letters, digits and "-", at most 63 characters)`);
const imageReference = (value: string) => (value.length > 0 && !/\s/.test(value) ? undefined : 'is not an image reference');

/** Whether an image reference pins a digest (`repo@sha256:<64 hex>`); a tag such as `:latest` does not. */
export function isImageDigest(reference: string): boolean {
  return IMAGE_DIGEST.test(reference);
}

const imageDigestEvidence = (value: string): SelectorEvidence | undefined => (isImageDigest(value) ? 'image-digest' : undefined);

const ATTESTORS: Readonly<Record<string, Attestor>> = {
  k8s: {
    role: 'workload',
    keys: [
      { key: 'ns', check: dnsLabel('namespace name'), evidence: () => 'namespace' },
      {
        key: 'sa',
        check: (v) => (v.length <= 253 && DNS_SUBDOMAIN.test(v) ? undefined : 'is not a valid service account name (a DNS-1123 subdomain)'),
        evidence: () => 'service-account',
      },
      { key: 'container-image', check: imageReference, evidence: imageDigestEvidence },
      { key: 'pod-image', check: imageReference, evidence: imageDigestEvidence },
      // An init container has exited before the workload asks for an SVID: it proves nothing about the caller's code.
      { key: 'pod-init-image', check: imageReference },
      { key: 'container-name', check: nonEmpty },
      { key: 'node-name', check: nonEmpty },
      { key: 'pod-label', check: keyValue },
      { key: 'ns-label', check: keyValue },
      { key: 'pod-owner', check: nonEmpty },
      { key: 'pod-owner-uid', check: nonEmpty },
      { key: 'pod-uid', check: nonEmpty },
      { key: 'pod-name', check: nonEmpty },
      { key: 'pod-image-count', check: integer },
      { key: 'pod-init-image-count', check: integer },
      ...sigstoreKeys(),
    ],
  },
  unix: {
    role: 'workload',
    keys: [
      { key: 'uid', check: integer, evidence: () => 'user' },
      { key: 'user', check: nonEmpty, evidence: () => 'user' },
      { key: 'gid', check: integer },
      { key: 'group', check: nonEmpty },
      { key: 'supplementary_gid', check: integer },
      { key: 'supplementary_group', check: nonEmpty },
      { key: 'path', check: (v) => (v.startsWith('/') ? undefined : 'is not an absolute path') },
      { key: 'sha256', check: sha256Hex, evidence: () => 'binary-hash' },
    ],
  },
  docker: {
    role: 'workload',
    keys: [
      { key: 'label', check: keyValue },
      { key: 'env', check: (v) => (/^[^=]+=/.test(v) ? undefined : 'is not VAR=value') },
      // The image name the container was started with: a digest only when it was started by digest.
      { key: 'image_id', check: imageReference, evidence: imageDigestEvidence },
      { key: 'image_config_digest', check: (v) => (/^sha256:[0-9a-f]{64}$/.test(v) ? undefined : 'is not sha256:<64 lowercase hex digits>'), evidence: () => 'image-digest' },
      ...sigstoreKeys(),
    ],
  },
  systemd: { role: 'workload', keys: [{ key: 'id', check: nonEmpty }, { key: 'fragment_path', check: nonEmpty }] },
  windows: {
    role: 'workload',
    keys: [
      { key: 'user_sid', check: nonEmpty, evidence: () => 'user' },
      { key: 'user_name', check: nonEmpty, evidence: () => 'user' },
      { key: 'group_sid', check: nonEmpty },
      { key: 'group_name', check: nonEmpty },
      { key: 'path', check: nonEmpty },
      { key: 'sha256', check: sha256Hex, evidence: () => 'binary-hash' },
    ],
  },
  aws_iid: {
    role: 'node',
    keys: ['account_id', 'az', 'iamrole', 'image:id', 'instance:id', 'tag', 'region', 'sg:id', 'sg:name'].map((key) => ({ key, check: nonEmpty })),
  },
  gcp_iit: { role: 'node', keys: ['project-id', 'zone', 'instance-name', 'sa', 'tag', 'label', 'metadata'].map((key) => ({ key, check: nonEmpty })) },
  azure_msi: {
    role: 'node',
    keys: ['subscription-id', 'vm-name', 'network-security-group', 'virtual-network', 'virtual-network-subnet'].map((key) => ({ key, check: nonEmpty })),
  },
  azure_imds: {
    role: 'node',
    keys: ['subscription-id', 'vm-name', 'vmss-name', 'network-security-group', 'resource-group', 'vm-location', 'virtual-network', 'virtual-network-subnet', 'vm-tag'].map((key) => ({
      key,
      check: nonEmpty,
    })),
  },
  x509pop: { role: 'node', keys: ['subject:cn', 'ca:fingerprint', 'serialnumber', 'san'].map((key) => ({ key, check: nonEmpty })) },
  tpm_devid: { role: 'node', keys: ['subject:cn', 'issuer:cn', 'fingerprint'].map((key) => ({ key, check: nonEmpty })) },
  // github.com/spiffe/spire-tpm-plugin (the "tpm" node attestor): the EK public key hash.
  tpm: { role: 'node', keys: [{ key: 'pub_hash', check: sha256Hex }] },
  k8s_psat: {
    role: 'node',
    keys: ['cluster', 'agent_ns', 'agent_sa', 'agent_pod_name', 'agent_pod_uid', 'agent_pod_label', 'agent_node_ip', 'agent_node_name', 'agent_node_uid', 'agent_node_label'].map((key) => ({
      key,
      check: nonEmpty,
    })),
  },
};

function sigstoreKeys(): KeyRule[] {
  return [
    'image-signature',
    'image-attestations',
    'image-signature-value',
    'image-signature-subject',
    'image-signature-issuer',
    'image-signature-log-id',
    'image-signature-log-index',
    'image-signature-integrated-time',
    'image-signature-signed-entry-timestamp',
  ].map((key) => ({ key, check: nonEmpty }));
}

/** The attestor types attestgate knows, by role. */
export function knownAttestors(role: AttestorRole): string[] {
  return Object.entries(ATTESTORS)
    .filter(([, a]) => a.role === role)
    .map(([type]) => type);
}

/**
 * Splits `type:value` at the first colon, as SPIRE and spire-controller-manager do (the value may
 * hold more colons: `k8s:ns:agents` is type `k8s`, value `ns:agents`). Undefined when either part
 * is empty.
 */
export function parseSelector(text: string): SpiffeSelector | undefined {
  if (typeof text !== 'string') return undefined;
  const colon = text.indexOf(':');
  if (colon <= 0 || colon === text.length - 1) return undefined;
  return { type: text.slice(0, colon), value: text.slice(colon + 1) };
}

/** What attestgate makes of a selector. */
export interface SelectorReading {
  readonly selector: SpiffeSelector;
  /** `undefined` for an attestor attestgate does not know (a plugin of the user's own). */
  readonly role?: AttestorRole;
  /** The attestor's key, e.g. `ns` or `image:id`. */
  readonly key?: string;
  /** What it proves, when it is runtime or code evidence. */
  readonly evidence?: SelectorEvidence;
  /** An image selector that names a tag (or nothing), not a digest. */
  readonly imageTag?: boolean;
  /** What is wrong with it, and how to fix it. */
  readonly problem?: { readonly problem: string; readonly fix: string };
}

const IMAGE_KEYS = new Set(['container-image', 'pod-image', 'pod-init-image', 'image_id']);

/** Reads a selector: its attestor, key and evidence, or what is wrong with it. Never throws. */
export function readSelector(selector: SpiffeSelector): SelectorReading {
  const attestor = ATTESTORS[selector.type];
  if (!attestor) return { selector };
  const rule = [...attestor.keys].sort((a, b) => b.key.length - a.key.length).find((k) => selector.value.startsWith(`${k.key}:`));
  if (!rule) {
    return {
      selector,
      role: attestor.role,
      problem: {
        problem: `is not a selector the ${selector.type} attestor produces, so no ${attestor.role} would ever present it`,
        fix: `use one of ${attestor.keys.map((k) => `${selector.type}:${k.key}:…`).join(', ')}`,
      },
    };
  }
  const value = selector.value.slice(rule.key.length + 1);
  const problem = rule.check?.(value);
  if (problem) {
    return { selector, role: attestor.role, key: rule.key, problem: { problem: `has ${rule.key} value ${JSON.stringify(value)}, which ${problem}`, fix: `write it as SPIRE prints a ${selector.type}:${rule.key} selector` } };
  }
  const evidence = rule.evidence?.(value);
  const imageTag = IMAGE_KEYS.has(rule.key) && !isImageDigest(value) ? true : undefined;
  return { selector, role: attestor.role, key: rule.key, ...(evidence ? { evidence } : {}), ...(imageTag ? { imageTag } : {}) };
}

/**
 * Parses and checks one selector a declaration gives, for the role it is given in.
 *
 * @throws AttestGateError naming the field, the selector and the fix
 */
export function checkDeclaredSelector(text: string, role: AttestorRole, where: string, field: string): SelectorReading {
  const selector = parseSelector(text);
  if (!selector) {
    throw new AttestGateError({ where, field, value: text, problem: 'is not a selector of the form type:value', fix: 'write it as SPIRE does, e.g. "k8s:ns:agents" or "unix:uid:1001"' });
  }
  const reading = readSelector(selector);
  if (reading.role === undefined) {
    throw new AttestGateError({
      where,
      field,
      value: text,
      problem: `names attestor "${selector.type}", which is not one attestgate knows`,
      fix: `use a ${role} attestor: ${knownAttestors(role).join(', ')}`,
    });
  }
  if (reading.problem) throw new AttestGateError({ where, field, value: text, ...reading.problem });
  if (reading.role !== role) {
    const fix = role === 'workload' ? 'put node selectors on the parent node alias (SpiffeParent.nodeAlias)' : `use a node attestor's selectors: ${knownAttestors('node').join(', ')}`;
    throw new AttestGateError({ where, field, value: text, problem: `is a ${reading.role} selector, given where ${role} selectors are expected`, fix });
  }
  return reading;
}

export { formatSelector };
