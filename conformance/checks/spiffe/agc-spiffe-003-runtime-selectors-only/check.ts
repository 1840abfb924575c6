import { Check } from '../../../engine/check';
import { SpiffeProbeContext, SpiffeTarget, judgeNotIssued } from '../../../spiffe/probe-context';

export const check: Check<SpiffeTarget, SpiffeProbeContext> = {
  meta: {
    id: 'AGC-SPIFFE-003',
    cloud: 'spiffe',
    title: 'The runtime selectors alone do not obtain the identity',
    statement:
      "Verify that a workload presenting the entry's runtime selectors (namespace and service account, user) but another image digest or binary hash — and one presenting no code selector at all — is refused the entry's SPIFFE ID.",
    threat: 'A rogue or tampered image deployed under the right namespace and service account (a compromised CI pipeline, a mutable tag re-pushed) obtains the high-privilege identity: the code half of multi-attestation is not enforced.',
    remediation:
      'Pin the code in the entry the agent serves: a `k8s:container-image` / `k8s:pod-image` selector with the image digest (`@sha256:…`, never a tag) or `unix:sha256`; remove other entries of the ID without it; check that the workload attestor reports image digests (the Kubernetes attestor needs the container status image ID).',
    severity: 'critical',
    tags: ['area:spiffe', 'kind:negative', 'threat:single-attestation'],
  },
  run: (target, context) => judgeNotIssued(target, context, 'runtime-only', 'a workload with the right runtime context but not the registered code'),
};
