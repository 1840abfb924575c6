// attestgate/gcp: CDK for Terraform constructs for GCP workload identity federation.
// Provider classes are imported by deep path only: the @cdktf/provider-google barrel costs ~2.5 s and ~450 MB.
import { requirePeerDependencies } from '../peer-dependencies';

requirePeerDependencies('attestgate/gcp', ['cdktf', '@cdktf/provider-google', 'constructs']);

export * from './workload-identity-source';
export * from './federation-policy';
export * from './attested-workload-identity-provider';
export * from './attested-service-account';
export * from './federation-monitor';
export * from './step-up-monitor';
export { TerraformAttestationAspect, TERRAFORM_RULES } from '../packs/terraform-attestation-aspect';
export { RuleAcknowledgements } from '../rules/acknowledgements';
export { GCP_RULES } from '../rules/gcp';
// The cloud-neutral model, re-exported so GCP users need one import.
export { AgentIdentity, PrivilegeTier, SignalMonitoring } from '../core';
