import { JUDGED_FAILURES } from '../../lib/step-up/failure-signal';
import { Advisory } from './report';

/** How one cloud names its step-up monitors in an advisory's detail. */
export interface StepUpMonitorWording {
  /** One sound monitor, e.g. `CloudWatch alarm`. */
  readonly monitor: string;
  /** Several, for the notes, e.g. `alarms`. */
  readonly monitors: string;
  /** What is missing when none is sound, e.g. `no CloudWatch alarm fires`. */
  readonly absent: string;
}

/** What an advisory found, per monitor of the input (by address or logical ID, with why). */
export interface StepUpMonitorFindings {
  readonly sound: readonly string[];
  /** Monitors that also fire on a single or an answered challenge. */
  readonly lax: readonly string[];
  /** Monitors whose schedule cannot alert as the scenarios need. */
  readonly flawed?: readonly string[];
  /** Monitors an evaluator could not read. */
  readonly unjudged: readonly string[];
}

/**
 * The advisory of ADV-AWS-005, ADV-GCP-006 and ADV-AZ-006: present when one monitor alarms on the
 * identity's JUDGED_FAILURES unanswered challenges and stays quiet on one; the others named in
 * the notes, so a lax or unreadable monitor is never silently ignored.
 */
export function stepUpMonitorAdvisory(
  advisory: { readonly id: string; readonly gate: string; readonly title: string },
  identity: string,
  wording: StepUpMonitorWording,
  findings: StepUpMonitorFindings,
): Advisory {
  const notes = [
    findings.lax.length > 0 ? `${wording.monitors} that also fire on a single or answered challenge: ${findings.lax.join(', ')}` : '',
    (findings.flawed ?? []).length > 0 ? `${wording.monitors} that cannot alert as the scenarios need: ${findings.flawed!.join('; ')}` : '',
    findings.unjudged.length > 0 ? `could not judge ${[...new Set(findings.unjudged)].join('; ')}` : '',
  ]
    .filter(Boolean)
    .join('; ');
  const found =
    findings.sound.length > 0
      ? `${wording.monitor} on ${identity}'s unanswered step-up challenges: ${findings.sound.join(', ')}`
      : `${wording.absent} on ${JUDGED_FAILURES} unanswered step-up challenges of ${identity} while staying quiet on one (add StepUpMonitor with this identity)`;
  return { ...advisory, present: findings.sound.length > 0, detail: found + (notes ? ` (${notes})` : '') };
}
