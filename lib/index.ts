// The cloud-neutral entry point: the identity model, gate manifests and the rule catalog.
// Cloud constructs live under attestgate/aws, attestgate/gcp and attestgate/azure.
export * from './core';
export { ALL_RULES, findRule } from './rules/catalog';
export * from './rules/rule';
