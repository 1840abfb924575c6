import { PrivilegeTier } from '../../lib/core/privilege-tier';
import { SignalMonitoring, signalMonitoringOf } from '../../lib/core/signal-monitoring';
import { deployerIdentity } from '../fixtures/identities';

describe('SignalMonitoring', () => {
  const high = deployerIdentity();
  const readOnly = deployerIdentity({ privilege: PrivilegeTier.READ_ONLY });

  test('by default high-privilege identities are watched; enabled() watches any; disabled() none, keeping why', () => {
    expect(signalMonitoringOf(undefined, 'here', 'monitoring').appliesTo(high)).toBe(true);
    expect(SignalMonitoring.forHighPrivilege().appliesTo(readOnly)).toBe(false);
    expect(SignalMonitoring.enabled().appliesTo(readOnly)).toBe(true);
    const off = SignalMonitoring.disabled('  central SIEM rule SEC-88  ');
    expect([off.appliesTo(high), off.disabledReason]).toEqual([false, 'central SIEM rule SEC-88']);
  });

  test('a short reason, or something that is not a SignalMonitoring, is refused with the fix', () => {
    expect(() => SignalMonitoring.disabled('later')).toThrow('SignalMonitoring.disabled: reason "later" is shorter than 10 characters. Fix: say who watches the gate instead');
    expect(() => signalMonitoringOf(false, "Gate 'a/b'", 'signInMonitoring')).toThrow("Gate 'a/b': signInMonitoring false is not a SignalMonitoring");
  });
});
