// attestgate/spiffe: who may be issued an agent identity's SVIDs (SPIRE registration entries),
// written as spire-controller-manager manifests with cdk8s or as a `spire-server entry create
// -data` batch, and judged by the AG-SPIFFE rules. This entry point loads cdk8s (an optional peer
// dependency: install it to use attestgate/spiffe) through the manifest constructs and the cdk8s
// checks; the model files under it (registration-entry, registration-model, …) load none.
import { requirePeerDependencies } from '../peer-dependencies';

requirePeerDependencies('attestgate/spiffe', ['cdk8s', 'constructs']);

export * from './registration-entry';
export * from './selectors';
export * from './attestation-evidence';
export * from './go-duration';
export * from './spire-server';
export * from './svid-presentation';
export * from './svid-ttl-limits';
export * from './trust-domain-match';
export * from './registration-intent';
export * from './spiffe-node-alias';
export * from './spiffe-registration';
export * from './entry-batch';
export * from './registration-model';
export * from './agent-cluster-spiffe-id';
export * from './agent-cluster-static-entry';
export * from './node-alias-static-entry';
export { checkSpiffeRegistrations } from '../packs/check-spiffe-registrations';
export { SpiffeAttestationChecks, ACKNOWLEDGED_FINDING_METADATA_TYPE } from '../packs/spiffe-attestation-checks';
export { RuleAcknowledgements } from '../rules/acknowledgements';
export { formatVerdict, isOpen } from '../rules/evaluate';
export { SPIFFE_RULES } from '../rules/spiffe';
export type { SpiffeAttestationChecksProps } from '../packs/spiffe-attestation-checks';
export type { RuleVerdict } from '../rules/evaluate';
