import { AgentIdentity, MIN_REASON_LENGTH } from './agent-identity';
import { AttestGateError } from './errors';
import { PrivilegeTier } from './privilege-tier';

/**
 * Whether, and why not, a gate is watched by its stack's detection signals (AWS IssuanceMonitor,
 * GCP FederationMonitor, Azure SignInMonitor): the cloud-neutral choice; each cloud's monitor
 * decides what watching means.
 */
export class SignalMonitoring {
  /** Watch high-privilege identities (the default); others are not watched. */
  public static forHighPrivilege(): SignalMonitoring {
    return new SignalMonitoring('high-privilege');
  }

  /** Watch this gate whatever its identity's privilege. */
  public static enabled(): SignalMonitoring {
    return new SignalMonitoring('always');
  }

  /**
   * Do not watch this gate. Failed and unattested issuance, and changes to the gate, then go
   * unnoticed unless something else watches them.
   *
   * @param reason who watches instead, at least 10 characters (e.g. "central SIEM rule SEC-88")
   */
  public static disabled(reason: string): SignalMonitoring {
    if (typeof reason !== 'string' || reason.trim().length < MIN_REASON_LENGTH) {
      throw new AttestGateError({
        where: 'SignalMonitoring.disabled',
        field: 'reason',
        value: reason,
        problem: `is shorter than ${MIN_REASON_LENGTH} characters`,
        fix: 'say who watches the gate instead, e.g. "central detection team, runbook SEC-88"',
      });
    }
    return new SignalMonitoring('never', reason.trim());
  }

  private constructor(
    public readonly mode: 'high-privilege' | 'always' | 'never',
    /** Why monitoring is off, when it is. */
    public readonly disabledReason?: string,
  ) {}

  /** Whether a gate of this identity is watched. */
  public appliesTo(identity: AgentIdentity): boolean {
    return this.mode === 'always' || (this.mode === 'high-privilege' && identity.privilege === PrivilegeTier.HIGH);
  }
}

/** Checks a `*Monitoring` prop and applies the default; `where` names the construct. */
export function signalMonitoringOf(value: unknown, where: string, field: string): SignalMonitoring {
  if (value === undefined) return SignalMonitoring.forHighPrivilege();
  if (!(value instanceof SignalMonitoring)) {
    throw new AttestGateError({
      where,
      field,
      value,
      problem: 'is not a SignalMonitoring',
      fix: 'use SignalMonitoring.forHighPrivilege(), SignalMonitoring.enabled() or SignalMonitoring.disabled(reason)',
    });
  }
  return value;
}
