import { SpiffeParent, SpiffeRegistration } from '../../lib/spiffe/spiffe-registration';
import { deployerIdentity } from '../deployer-identity';

/** The deployer's image, pinned by digest: the code half of its attestation. */
export const DEPLOYER_IMAGE = `registry.prod.example/deployer@sha256:${'a1'.repeat(32)}`;

/**
 * Who may be issued the deployer's SVIDs: pods of service account `deployer` in namespace
 * `agents` (the runtime context) running exactly that image (the code), on any node of the
 * cluster — the same identity the AWS, GCP and Azure examples gate on.
 */
export function deployerRegistration(): SpiffeRegistration {
  return new SpiffeRegistration({
    identity: deployerIdentity(),
    parent: SpiffeParent.kubernetesNodes(),
    selectors: ['k8s:ns:agents', 'k8s:sa:deployer', `k8s:pod-image:${DEPLOYER_IMAGE}`],
  });
}
