import { AWS_RULES } from './aws';
import { AZURE_RULES } from './azure';
import { GCP_RULES } from './gcp';
import { Rule } from './rule';

/** Every rule attestgate has, all clouds, in ID order. Rules import no CDK or cdktf. */
export const ALL_RULES: ReadonlyArray<Rule<unknown>> = [
  ...(AWS_RULES as ReadonlyArray<Rule<unknown>>),
  ...(AZURE_RULES as ReadonlyArray<Rule<unknown>>),
  ...(GCP_RULES as ReadonlyArray<Rule<unknown>>),
];

/** The rule with an ID, or undefined. */
export function findRule(id: string): Rule<unknown> | undefined {
  return ALL_RULES.find((r) => r.id === id);
}
