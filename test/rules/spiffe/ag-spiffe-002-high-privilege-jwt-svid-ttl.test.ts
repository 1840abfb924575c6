import { PrivilegeTier } from '../../../lib/core/privilege-tier';
import { highPrivilegeJwtSvidTtl } from '../../../lib/rules/spiffe/ag-spiffe-002-high-privilege-jwt-svid-ttl';
import { SpiffeRegistrationModel } from '../../../lib/spiffe/registration-model';
import { SpireServer } from '../../../lib/spiffe/spire-server';
import { agentIdentity, batchFixture, builder, deployer, intentFor, laxDeployer, manifestFixture } from '../../fixtures/spiffe';

describe('AG-SPIFFE-002: a high-privilege identity’s JWT-SVIDs live at most 5 minutes', () => {
  test('Noncompliance: jwtTtl 1h on a hand-written ClusterSPIFFEID, 3600 in a batch', () => {
    const manifests = SpiffeRegistrationModel.read({ manifests: [manifestFixture('lax-registrations.yaml')], registrations: [intentFor(laxDeployer())] });
    expect(highPrivilegeJwtSvidTtl.evaluate(manifests).filter((f) => f.outcome === 'violation')).toEqual([
      {
        resource: 'ClusterSPIFFEID/deployer',
        outcome: 'violation',
        message: 'ClusterSPIFFEID/deployer issues spiffe://prod.example/ns/agents/sa/deployer, a high-privilege identity, with JWT-SVIDs that live 1 h, more than 5 min.',
        location: 'spec/jwtTtl',
      },
    ]);
    const batch = SpiffeRegistrationModel.read({ entryBatches: [batchFixture('lax-entries.json')], registrations: [intentFor(builder())] });
    expect(highPrivilegeJwtSvidTtl.evaluate(batch)).toEqual([expect.objectContaining({ resource: 'lax-entries.json#entries[0]', location: 'jwt_svid_ttl' })]);
  });

  test('Unjudgeable: no TTL and no declared server default; judged once the server is declared', () => {
    const input = { manifests: [manifestFixture('lax-registrations.yaml')], registrations: [intentFor(laxDeployer())] };
    expect(highPrivilegeJwtSvidTtl.evaluate(SpiffeRegistrationModel.read(input))).toContainEqual(
      expect.objectContaining({ resource: 'ClusterSPIFFEID/spire-default', outcome: 'unjudgeable', message: expect.stringContaining("falls back to the server's default_jwt_svid_ttl (SPIRE's own default: 5 min)") }),
    );
    const declared = SpiffeRegistrationModel.read({ ...input, servers: [new SpireServer({ trustDomain: 'prod.example', defaultJwtSvidTtl: { toSeconds: () => 300 } })] });
    expect(highPrivilegeJwtSvidTtl.evaluate(declared).map((f) => f.resource)).toEqual(['ClusterSPIFFEID/deployer']);
  });

  test('Compliance: 2m30s and 120 s; a standard identity may keep longer tokens', () => {
    const model = SpiffeRegistrationModel.read({
      manifests: [manifestFixture('unusual-registrations.yaml')],
      entryBatches: [batchFixture('unusual-entries.json')],
      registrations: [intentFor(deployer()), intentFor(builder())],
    });
    expect(highPrivilegeJwtSvidTtl.evaluate(model)).toEqual([]);
    const standard = SpiffeRegistrationModel.read({ manifests: [manifestFixture('lax-registrations.yaml')], registrations: [intentFor(agentIdentity('deployer', 'spiffe://prod.example/ns/agents/sa/deployer', PrivilegeTier.STANDARD))] });
    expect(highPrivilegeJwtSvidTtl.evaluate(standard)).toEqual([]);
  });
});
