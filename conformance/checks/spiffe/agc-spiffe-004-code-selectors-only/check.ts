import { Check } from '../../../engine/check';
import { SpiffeProbeContext, SpiffeTarget, judgeNotIssued } from '../../../spiffe/probe-context';

export const check: Check<SpiffeTarget, SpiffeProbeContext> = {
  meta: {
    id: 'AGC-SPIFFE-004',
    cloud: 'spiffe',
    title: 'The code selectors alone do not obtain the identity',
    statement:
      "Verify that a workload presenting the entry's image digest or binary hash but another namespace, another service account or another user — each changed alone — is refused the entry's SPIFFE ID.",
    threat: 'Anyone who can run the public, signed image in their own namespace or as another service account obtains the high-privilege identity: the runtime half of multi-attestation is not enforced.',
    remediation:
      'Give the entry both runtime selectors — `k8s:ns` and `k8s:sa` (a service account name exists in every namespace) — or `unix:uid`; remove other entries of the ID that lack them.',
    severity: 'critical',
    tags: ['area:spiffe', 'kind:negative', 'threat:single-attestation'],
  },
  run: (target, context) => judgeNotIssued(target, context, 'code-only', 'a workload running the registered code in another runtime context'),
};
