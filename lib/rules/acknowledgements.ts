import { IConstruct } from 'constructs';
import { MIN_REASON_LENGTH } from '../core/agent-identity';
import { AttestGateError } from '../core/errors';
import { findRule } from './catalog';

/** Metadata type attestgate records acknowledgements under. */
export const ACKNOWLEDGEMENT_METADATA_TYPE = 'attestgate:acknowledgement';
/** Metadata type of aws-cdk-lib's `Validations.of(scope).acknowledge(...)`, also honoured. */
export const CDK_ACKNOWLEDGEMENT_METADATA_TYPE = 'aws:cdk:acknowledged-rules';
/** The namespace CDK gives rules of the `attestgate` validation plugin: `attestgate::AG-AWS-004`. */
export const RULE_NAMESPACE = 'attestgate';

/** An acknowledgement of a rule, found on a construct or one of its ancestors. */
export interface Acknowledgement {
  readonly ruleId: string;
  readonly reason: string;
  /** The construct path it was recorded at. */
  readonly at: string;
  /** Which API recorded it. */
  readonly via: 'attestgate' | 'aws-cdk-lib';
}

/**
 * Acknowledges rule findings on a construct and everything below it, with a reason.
 * Works the same in AWS CDK and CDK for Terraform apps.
 *
 * @example
 * RuleAcknowledgements.of(breakGlassRole).add('AG-AWS-004', 'break-glass path for the on-call admin, reviewed in SEC-123');
 */
export class RuleAcknowledgements {
  public static of(scope: IConstruct): RuleAcknowledgements {
    return new RuleAcknowledgements(scope);
  }

  /**
   * Every acknowledgement that applies to a construct, nearest first: its own, then its
   * ancestors'. Both attestgate's and aws-cdk-lib's (`Validations.acknowledge`) are read.
   */
  public static applying(construct: IConstruct): Acknowledgement[] {
    const result: Acknowledgement[] = [];
    for (const node of [...construct.node.scopes].reverse()) {
      for (const entry of node.node.metadata) {
        if (entry.type === ACKNOWLEDGEMENT_METADATA_TYPE) {
          const data = entry.data as { ruleId: string; reason: string };
          result.push({ ruleId: data.ruleId, reason: data.reason, at: node.node.path, via: 'attestgate' });
        } else if (entry.type === CDK_ACKNOWLEDGEMENT_METADATA_TYPE && entry.data && typeof entry.data === 'object') {
          for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
            const ruleId = id.startsWith(`${RULE_NAMESPACE}::`) ? id.slice(RULE_NAMESPACE.length + 2) : id;
            if (findRule(ruleId)) result.push({ ruleId, reason: String(reason), at: node.node.path, via: 'aws-cdk-lib' });
          }
        }
      }
    }
    return result;
  }

  private constructor(private readonly scope: IConstruct) {}

  /**
   * Acknowledges a rule's findings here and below, with why.
   *
   * @param ruleId the rule, e.g. `AG-AWS-004`
   * @param reason why the finding is accepted: at least 10 characters
   * A critical rule can be acknowledged only where it cannot judge a value (a parameter, an
   * import); its violations stay open whatever the acknowledgement says.
   *
   * @throws AttestGateError for an unknown rule or a short reason
   */
  public add(ruleId: string, reason: string): void {
    const where = `RuleAcknowledgements at ${this.scope.node.path || '(root)'}`;
    const rule = findRule(ruleId);
    if (!rule) {
      throw new AttestGateError({ where, field: 'ruleId', value: ruleId, problem: 'is not a rule attestgate has', fix: 'use an ID from RULES.md, e.g. AG-AWS-004' });
    }
    if (typeof reason !== 'string' || reason.trim().length < MIN_REASON_LENGTH) {
      throw new AttestGateError({
        where,
        field: 'reason',
        value: reason,
        problem: `is shorter than ${MIN_REASON_LENGTH} characters`,
        fix: 'say why the finding is acceptable, e.g. who reviewed it and where',
      });
    }
    this.scope.node.addMetadata(ACKNOWLEDGEMENT_METADATA_TYPE, { ruleId, reason });
  }
}
