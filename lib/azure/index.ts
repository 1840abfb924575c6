// attestgate/azure: CDK for Terraform constructs for Entra workload identity federation.
// Provider classes are imported by deep path only: the @cdktf/provider-azurerm barrel costs ~2.5 s and ~420 MB.
import { requirePeerDependencies } from '../peer-dependencies';

requirePeerDependencies('attestgate/azure', ['cdktf', '@cdktf/provider-azurerm', 'constructs']);

export * from './attested-managed-identity';
export * from './attested-agent-identity';
export * from './agent-conditional-access';
export * from './msgraph-provider';
export * from './msgraph-resource';
export * from './sign-in-monitor';
export * from './step-up-monitor';
export { TerraformAttestationAspect, TERRAFORM_RULES } from '../packs/terraform-attestation-aspect';
export { RuleAcknowledgements } from '../rules/acknowledgements';
export { AZURE_RULES } from '../rules/azure';
export { AZURE_TOKEN_EXCHANGE_AUDIENCE, MAX_FEDERATED_CREDENTIALS } from '../model/azure/azure-federated-identity';
// The cloud-neutral model, re-exported so Azure users need one import.
export { AgentIdentity, PrivilegeTier, SignalMonitoring } from '../core';
