import type { Cloud } from '../core/cloud';

export type { Cloud };

/** What a rule judges: a cloud's synthesized output, or SPIRE registrations (`spiffe`). */
export type RulePlatform = Cloud | 'spiffe';

/** How bad a violation is. Critical findings cannot be acknowledged. */
export enum Severity {
  /** Anyone with any credential the cloud accepts can get the identity: the gate is open. */
  CRITICAL = 'critical',
  /** The gate holds, but an attacker has a second way in or keeps access too long. */
  HIGH = 'high',
  /** A defence in depth is missing, or the deployment will fail on a limit that cannot be raised. */
  MEDIUM = 'medium',
  /** A default quota that can be raised would be exceeded: reported as a warning, never fails synth. */
  WARNING = 'warning',
}

/** What a rule found on one resource. */
export interface RuleFinding {
  /**
   * The resource the finding is about: a CloudFormation logical ID, a Terraform address, a
   * Kubernetes object as `Kind/name`, or an entry of a SPIRE entry batch as `<file>#entries[<i>]`.
   */
  readonly resource: string;
  /**
   * `violation`: the resource breaks the rule. `unjudgeable`: a value the rule needs is not
   * known at synth (a parameter, an import), so the rule cannot say it passes.
   */
  readonly outcome: 'violation' | 'unjudgeable';
  /** What is wrong, in one or two sentences naming the values involved. */
  readonly message: string;
  /** Where in the resource, as a slash path, e.g. `Properties/AssumeRolePolicyDocument/Statement/0`. */
  readonly location: string;
}

/** A synth-time rule: a pure function over resolved resources, plus what users need to know. */
export interface Rule<Model> {
  /** Stable ID `AG-<CLOUD>-NNN`; never changed, never reused. */
  readonly id: string;
  readonly cloud: RulePlatform;
  readonly severity: Severity;
  /** One line: what the rule flags. */
  readonly title: string;
  /** Why it matters: the attack the finding allows. */
  readonly rationale: string;
  /** How to fix a violation. */
  readonly fix: string;
  evaluate(model: Model): RuleFinding[];
}

/** Whether findings of a rule may be acknowledged. */
export function isAcknowledgeable(rule: { severity: Severity }, outcome: RuleFinding['outcome']): boolean {
  // An unjudgeable finding asks the user to vouch for a value attestgate cannot see; that is
  // allowed even for critical rules, with a reason. A critical violation never is.
  return rule.severity !== Severity.CRITICAL || outcome === 'unjudgeable';
}
