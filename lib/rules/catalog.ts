import { AWS_RULES } from './aws';
import { AZURE_RULES } from './azure';
import { GCP_RULES } from './gcp';
import { Rule } from './rule';
import { SPIFFE_RULES } from './spiffe';

/** Every rule attestgate has, all clouds and SPIRE, in ID order. Rules import no CDK, cdktf or cdk8s. */
export const ALL_RULES: ReadonlyArray<Rule<unknown>> = [
  ...(AWS_RULES as ReadonlyArray<Rule<unknown>>),
  ...(AZURE_RULES as ReadonlyArray<Rule<unknown>>),
  ...(GCP_RULES as ReadonlyArray<Rule<unknown>>),
  ...(SPIFFE_RULES as ReadonlyArray<Rule<unknown>>),
];

/** The rule with an ID, or undefined. */
export function findRule(id: string): Rule<unknown> | undefined {
  return ALL_RULES.find((r) => r.id === id);
}
