import { AgentIdentity, AgentIdentityProps } from '../../lib/core/agent-identity';
import { PrivilegeTier } from '../../lib/core/privilege-tier';

const base: AgentIdentityProps = {
  name: 'deployer',
  spiffeId: 'spiffe://prod.example/agent/deployer',
  subject: { CN: 'deployer', O: 'Example' },
  privilege: PrivilegeTier.HIGH,
};
const seconds = (s: number) => ({ toSeconds: () => s });

describe('AgentIdentity', () => {
  test('defaults: SAN URI is the SPIFFE ID, lifetime one hour', () => {
    const identity = new AgentIdentity(base);
    expect(identity.sanUri).toBe('spiffe://prod.example/agent/deployer');
    expect(identity.maxCredentialLifetimeSeconds).toBe(3600);
    expect(identity.isHighPrivilege).toBe(true);
  });

  test('describe() round-trips through fromDescription()', () => {
    const identity = new AgentIdentity({ ...base, issuingCa: { CN: 'Agents CA' }, maxCredentialLifetime: seconds(900) });
    expect(AgentIdentity.fromDescription(identity.describe()).describe()).toEqual(identity.describe());
    expect(identity.describe()).toEqual({
      name: 'deployer',
      spiffeId: 'spiffe://prod.example/agent/deployer',
      subject: { CN: 'deployer', O: 'Example' },
      sanUri: 'spiffe://prod.example/agent/deployer',
      issuingCa: { CN: 'Agents CA' },
      privilege: 'high',
      maxCredentialLifetimeSeconds: 900,
    });
  });

  test.each([
    [{ name: 'Deployer' }, /AgentIdentity: name "Deployer" is not 2–48 lowercase letters/],
    [{ name: 'd' }, /name "d" is not 2–48/],
    [{ spiffeId: 'spiffe://prod.example/agent/' }, /AgentIdentity 'deployer': spiffeId .* trailing slash/],
    [{ subject: { O: 'Example' } }, /subject\.CN \(unset\) is missing; .* Fix: add CN/],
    [{ subject: { CN: 'John (admin)' } }, /subject\.CN "John \(admin\)" contains "\(\)"/],
    [{ sanUri: 'not a uri' }, /sanUri "not a uri" is not a URI/],
    [{ issuingCa: {} }, /issuingCa \{\} has no attributes/],
    [{ privilege: 'root' as PrivilegeTier }, /privilege "root" is not a privilege tier. Fix: use PrivilegeTier.HIGH/],
    [{ maxCredentialLifetime: seconds(600) }, /maxCredentialLifetime 600 is not a whole number of seconds between 900/],
    [{ maxCredentialLifetime: seconds(50000) }, /maxCredentialLifetime 50000 is not a whole number/],
    [{ maxCredentialLifetime: seconds(7200) }, /maxCredentialLifetime 7200 exceeds 3600 s for a high-privilege identity; .* set longLifetimeReason/],
    [{ maxCredentialLifetime: seconds(7200), longLifetimeReason: 'short' }, /exceeds 3600 s/],
  ])('rejects %j', (override, message) => {
    expect(() => new AgentIdentity({ ...base, ...override } as AgentIdentityProps)).toThrow(message);
  });

  test('a high-privilege identity may live longer only with a reason', () => {
    const identity = new AgentIdentity({ ...base, maxCredentialLifetime: seconds(7200), longLifetimeReason: 'nightly migration runs 90 minutes' });
    expect(identity.maxCredentialLifetimeSeconds).toBe(7200);
  });

  test('a read-only identity may live up to 12 hours without a reason', () => {
    const identity = new AgentIdentity({ ...base, privilege: PrivilegeTier.READ_ONLY, maxCredentialLifetime: seconds(43200) });
    expect(identity.isHighPrivilege).toBe(false);
    expect(identity.maxCredentialLifetimeSeconds).toBe(43200);
  });
});
