import { Check } from '../../../engine/check';
import { SpiffeProbeContext, SpiffeTarget, judgeNotIssued } from '../../../spiffe/probe-context';

export const check: Check<SpiffeTarget, SpiffeProbeContext> = {
  meta: {
    id: 'AGC-SPIFFE-002',
    cloud: 'spiffe',
    title: 'An unregistered workload is issued nothing of the identity',
    statement:
      "Verify that a workload under the entry's parent whose every selector differs from the entry's (another namespace, service account, image digest …) is refused the entry's SPIFFE ID: PermissionDenied for its JWT-SVID, and no X.509-SVID of it.",
    threat: 'Any process on an attested node obtains the high-privilege identity: the agent issues SVIDs to callers it cannot tie to a registration (a catch-all entry, an agent that skips workload attestation).',
    remediation:
      'Find what issues the ID to any workload: entries of the same SPIFFE ID with fewer selectors (`spire-server entry show -spiffeID …`), a ClusterSPIFFEID template that renders it for every pod (see docs/spire.md, the catch-all ClusterSPIFFEID), or a workload attestor that reports selectors it did not verify.',
    severity: 'critical',
    tags: ['area:spiffe', 'kind:negative', 'threat:unregistered-workload'],
  },
  run: (target, context) => judgeNotIssued(target, context, 'unregistered', 'a workload no entry names'),
};
