import { x509SvidTtlWithinSession } from '../../../lib/rules/spiffe/ag-spiffe-001-x509-svid-ttl-within-session';
import { SpiffeRegistrationModel } from '../../../lib/spiffe/registration-model';
import { SpireServer } from '../../../lib/spiffe/spire-server';
import { batchFixture, builder, deployer, intentFor, laxDeployer, manifestFixture } from '../../fixtures/spiffe';

describe('AG-SPIFFE-001: the X.509-SVID TTL is within the session it buys and the identity’s lifetime', () => {
  test('Noncompliance: a hand-written ClusterSPIFFEID with ttl 4h for a 1 h identity presented to a 15 min Roles Anywhere session', () => {
    const model = SpiffeRegistrationModel.read({
      manifests: [manifestFixture('lax-registrations.yaml')],
      registrations: [intentFor(laxDeployer(), [{ kind: 'x509-trust-anchor', name: 'aws:deployer', anchorTrustDomains: ['prod.example'], sessionLifetimeSeconds: 900 }])],
    });
    expect(x509SvidTtlWithinSession.evaluate(model)).toEqual([
      // The Helm chart's catch-all sets no TTL: its SVIDs live as long as the server says.
      expect.objectContaining({ resource: 'ClusterSPIFFEID/spire-default', outcome: 'unjudgeable', location: 'spec/ttl' }),
      {
        resource: 'ClusterSPIFFEID/deployer',
        outcome: 'violation',
        message: 'ClusterSPIFFEID/deployer issues spiffe://prod.example/ns/agents/sa/deployer with X.509-SVIDs that live 4 h, longer than the 15 min session it buys at aws:deployer.',
        location: 'spec/ttl',
      },
    ]);
  });

  test('Noncompliance: a batch entry living a day, and the server default when the entry sets none', () => {
    const lax = SpiffeRegistrationModel.read({ entryBatches: [batchFixture('lax-entries.json')], registrations: [intentFor(builder())] });
    expect(x509SvidTtlWithinSession.evaluate(lax)).toEqual([
      {
        resource: 'lax-entries.json#entries[0]',
        outcome: 'violation',
        message: "lax-entries.json#entries[0] issues spiffe://prod.example/agent/builder with X.509-SVIDs that live 24 h, longer than the identity's maxCredentialLifetime (1 h).",
        location: 'x509_svid_ttl',
      },
    ]);
    const unset = SpiffeRegistrationModel.read({
      entryBatches: [{ source: 'e.json', json: { entries: [{ spiffe_id: 'spiffe://prod.example/agent/builder', parent_id: 'spiffe://prod.example/spire/agent/x509pop/ab', selectors: [{ type: 'unix', value: 'uid:1' }] }] } }],
      registrations: [intentFor(builder())],
      servers: [new SpireServer({ trustDomain: 'prod.example', defaultX509SvidTtl: { toSeconds: () => 7200 } })],
    });
    expect(x509SvidTtlWithinSession.evaluate(unset)).toEqual([
      expect.objectContaining({ outcome: 'violation', message: "e.json#entries[0] issues spiffe://prod.example/agent/builder with X.509-SVIDs that live 2 h (the server's default), longer than the identity's maxCredentialLifetime (1 h)." }),
    ]);
  });

  test('Compliance: TTLs in seconds and minutes within the limits, node entries not judged', () => {
    const model = SpiffeRegistrationModel.read({
      manifests: [manifestFixture('unusual-registrations.yaml')],
      entryBatches: [batchFixture('unusual-entries.json')],
      registrations: [intentFor(deployer(), [{ kind: 'x509-trust-anchor', name: 'aws:deployer', anchorTrustDomains: ['prod.example'], sessionLifetimeSeconds: 900 }]), intentFor(builder())],
    });
    expect(x509SvidTtlWithinSession.evaluate(model)).toEqual([]);
  });
});
