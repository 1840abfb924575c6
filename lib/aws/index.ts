import { requirePeerDependencies } from '../peer-dependencies';

requirePeerDependencies('attestgate/aws', ['aws-cdk-lib', 'constructs']);

export * from './agent-trust-anchor';
export * from './trust-anchor-crl';
export * from './attested-profile';
export * from './attested-profile-pool';
export * from './attested-role';
export * from './crl-import-schedule';
export * from './identity-stacks';
export * from './template-limits';
export * from './issuance-monitor';
export * from './signal-topic';
export * from './step-up-monitor';
export { AttestationChecks } from '../packs/attestation-checks';
export { AttestationAspect } from '../packs/attestation-aspect';
export { RuleAcknowledgements } from '../rules/acknowledgements';
export { AWS_RULES } from '../rules/aws';
// The cloud-neutral model, re-exported so AWS-only users need one import.
export { AgentIdentity, PrivilegeTier, SignalMonitoring } from '../core';
