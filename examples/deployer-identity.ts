import { AgentIdentity } from '../lib/core/agent-identity';
import { PrivilegeTier } from '../lib/core/privilege-tier';

/** The subject of the CA that issues the examples' agent certificates (and, in the SPIFFE example, SVIDs). */
export const EXAMPLE_ISSUING_CA = { CN: 'attestgate Example Agents CA', O: 'attestgate examples' } as const;

/**
 * The deployer agent, declared once: the AWS, GCP and Azure gates and its SPIRE registration are
 * all built from this identity.
 */
export function deployerIdentity(): AgentIdentity {
  return new AgentIdentity({
    name: 'deployer',
    spiffeId: 'spiffe://prod.example/agent/deployer',
    subject: { CN: 'deployer', O: 'attestgate examples' },
    issuingCa: EXAMPLE_ISSUING_CA,
    privilege: PrivilegeTier.HIGH,
    maxCredentialLifetime: { toSeconds: () => 3600 },
  });
}
