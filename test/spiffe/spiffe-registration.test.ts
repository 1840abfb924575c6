import { AttestGateError } from '../../lib/core/errors';
import { PrivilegeTier } from '../../lib/core/privilege-tier';
import { SpiffeNodeAlias } from '../../lib/spiffe/spiffe-node-alias';
import { SpiffeParent, SpiffeRegistration, SpiffeRegistrationProps } from '../../lib/spiffe/spiffe-registration';
import { SpireServer } from '../../lib/spiffe/spire-server';
import { SvidPresentation } from '../../lib/spiffe/svid-presentation';
import { agentIdentity, deployer, digest, pemFixture } from '../fixtures/spiffe';

const IMAGE = `k8s:container-image:ghcr.io/acme/deployer@sha256:${digest('a')}`;
const onKubernetes = (overrides: Partial<SpiffeRegistrationProps> = {}) =>
  new SpiffeRegistration({ identity: deployer(), parent: SpiffeParent.kubernetesNodes(), selectors: ['k8s:ns:agents', 'k8s:sa:deployer', IMAGE], ...overrides });
const minutes = (m: number) => ({ toSeconds: () => m * 60 });

describe('SpiffeRegistration', () => {
  test('defaults: TTLs within the identity and SPIRE’s defaults, both kinds of evidence', () => {
    const registration = onKubernetes();
    expect([registration.x509SvidTtlSeconds, registration.jwtSvidTtlSeconds]).toEqual([3600, 300]);
    expect(registration.evidence).toEqual({ runtime: ['the namespace and service account (k8s:ns:agents, k8s:sa:deployer)'], code: [`the image digest (${IMAGE})`], imageTags: [] });
    // The default X.509-SVID TTL follows the shortest session an X.509-SVID buys.
    const anchored = onKubernetes({ presentedTo: [SvidPresentation.x509TrustAnchor({ name: 'aws:deployer', trustAnchorCertificates: pemFixture('spire-ca-prod.example.pem'), sessionLifetime: minutes(15) })] });
    expect(anchored.x509SvidTtlSeconds).toBe(900);
  });

  test('the entry of one pod, as spire-controller-manager writes it', () => {
    expect(onKubernetes({ dnsNames: ['deployer.agents.svc'], federatesWith: ['spiffe://partner.example'], hint: 'k8s' }).entryForPod({ clusterName: 'prod', nodeUid: 'n-1', podUid: 'p-1' })).toEqual({
      spiffeId: 'spiffe://prod.example/agent/deployer',
      parentId: 'spiffe://prod.example/spire/agent/k8s_psat/prod/n-1',
      selectors: [{ type: 'k8s', value: 'pod-uid:p-1' }, { type: 'k8s', value: 'ns:agents' }, { type: 'k8s', value: 'sa:deployer' }, { type: 'k8s', value: IMAGE.slice(4) }],
      x509SvidTtlSeconds: 3600,
      jwtSvidTtlSeconds: 300,
      dnsNames: ['deployer.agents.svc'],
      federatesWith: ['partner.example'],
      hint: 'k8s',
    });
    expect(() => onKubernetes().entry()).toThrow('names no parent ID: spire-controller-manager writes one entry per selected pod');
  });

  test('a node alias or an agent as parent: the static entry; the alias counts as runtime evidence', () => {
    const alias = new SpiffeNodeAlias({ spiffeId: 'spiffe://prod.example/nodes/build', selectors: [`tpm:pub_hash:${digest('b')}`] });
    const registration = new SpiffeRegistration({ identity: deployer(), parent: SpiffeParent.nodeAlias(alias), selectors: [`unix:sha256:${digest('c')}`] });
    expect(registration.entry()).toEqual(expect.objectContaining({ parentId: 'spiffe://prod.example/nodes/build', selectors: [{ type: 'unix', value: `sha256:${digest('c')}` }] }));
    expect(registration.evidence.runtime).toEqual(['the node alias spiffe://prod.example/nodes/build']);
    expect(alias.entry()).toEqual(expect.objectContaining({ parentId: 'spiffe://prod.example/spire/server', x509SvidTtlSeconds: 0 }));
    expect(() => SpiffeParent.agent('spiffe://prod.example/nodes/build')).toThrow('is not an agent ID');
    expect(() => new SpiffeNodeAlias({ spiffeId: 'spiffe://prod.example/spire/agent/x', selectors: ['tpm:pub_hash:' + digest('b')] })).toThrow('which SPIRE reserves for agents and the server');
    expect(() => new SpiffeNodeAlias({ spiffeId: 'spiffe://prod.example/nodes/x', selectors: ['k8s:ns:agents'] })).toThrow('is a workload selector, given where node selectors are expected');
  });

  test('multi-attestation: a high-privilege identity on one kind of evidence is refused, with what is missing', () => {
    expect(() => onKubernetes({ selectors: ['k8s:ns:agents', 'k8s:sa:deployer', 'k8s:container-image:ghcr.io/acme/deployer:latest'] })).toThrow(
      new AttestGateError({
        where: "SpiffeRegistration 'deployer'",
        field: 'selectors',
        value: ['k8s:ns:agents', 'k8s:sa:deployer', 'k8s:container-image:ghcr.io/acme/deployer:latest'],
        problem:
          'give a high-privilege identity no code selector (an image digest @sha256:… or unix:sha256); k8s:container-image:ghcr.io/acme/deployer:latest names a tag, not a digest — a tag can be pushed again; it is attested only by the namespace and service account (k8s:ns:agents, k8s:sa:deployer)',
        fix: 'add an image digest (…@sha256:<64 hex>) or unix:sha256 selector, or set singleAttestationReason to why one kind is enough (at least 10 characters)',
      }),
    );
    expect(() => onKubernetes({ selectors: ['k8s:sa:deployer', IMAGE] })).toThrow('no runtime selector');
    expect(() => onKubernetes({ selectors: ['k8s:ns:agents', 'k8s:sa:deployer'], singleAttestationReason: 'short' })).toThrow('singleAttestationReason');
    const accepted = onKubernetes({ selectors: ['k8s:ns:agents', 'k8s:sa:deployer'], singleAttestationReason: 'images are built and admitted by policy controller, SEC-7' });
    expect(accepted.intent().acknowledgements).toEqual({ 'AG-SPIFFE-005': 'images are built and admitted by policy controller, SEC-7' });
    // Standard identities are not asked for two kinds.
    expect(new SpiffeRegistration({ identity: agentIdentity('reader', 'spiffe://prod.example/agent/reader', PrivilegeTier.READ_ONLY), parent: SpiffeParent.kubernetesNodes(), selectors: ['k8s:ns:agents'] }).singleAttestationReason).toBeUndefined();
  });

  test('TTLs: bounded by the identity, the session bought and 5 min for high-privilege JWT-SVIDs', () => {
    expect(() => onKubernetes({ x509SvidTtl: minutes(120) })).toThrow("x509SvidTtl 7200 is longer than the identity's maxCredentialLifetime (1 h). Fix: lower it to 1 h or less");
    const presentedTo = [SvidPresentation.x509TrustAnchor({ name: 'aws:deployer', trustAnchorCertificates: pemFixture('spire-ca-prod.example.pem'), sessionLifetime: minutes(15) })];
    expect(() => onKubernetes({ x509SvidTtl: minutes(30), presentedTo })).toThrow('is longer than the 15 min session it buys at aws:deployer');
    expect(() => onKubernetes({ jwtSvidTtl: minutes(10) })).toThrow("jwtSvidTtl 600 is longer than the 5 min allowed a high-privilege identity's JWT-SVIDs");
    expect(() => onKubernetes({ jwtSvidTtl: { toSeconds: () => 0 } })).toThrow('is not a positive whole number of seconds SPIRE can store');
    expect(onKubernetes({ x509SvidTtl: minutes(10), jwtSvidTtl: minutes(2) })).toEqual(expect.objectContaining({ x509SvidTtlSeconds: 600, jwtSvidTtlSeconds: 120 }));
  });

  test('trust domains: the server, the anchors and the issuers must be the identity’s', () => {
    expect(() => onKubernetes({ server: new SpireServer({ trustDomain: 'staging.example' }) })).toThrow('is registered on the SPIRE server of trust domain staging.example');
    const staging = SvidPresentation.x509TrustAnchor({ name: 'aws:deployer', trustAnchorCertificates: pemFixture('spire-ca-staging.example.pem') });
    expect(() => onKubernetes({ presentedTo: [staging] })).toThrow("SpiffeRegistration 'deployer': presentedTo[0] \"spiffe://prod.example/agent/deployer\" is presented to aws:deployer, whose trust anchor is (or includes) the CA of trust domain staging.example");
    const server = new SpireServer({ trustDomain: 'prod.example', jwtIssuer: 'https://oidc.prod.example' });
    expect(() => onKubernetes({ server, presentedTo: [SvidPresentation.oidcIssuer({ name: 'gcp:deployer', issuer: 'https://oidc.example' })] })).toThrow('not https://oidc.prod.example, the jwt_issuer of trust domain prod.example');
    expect(() => onKubernetes({ server, presentedTo: [SvidPresentation.oidcIssuer({ name: 'gcp:deployer', issuer: 'https://oidc.prod.example' })] })).not.toThrow();
    expect(() => SvidPresentation.oidcIssuer({ name: 'azure', issuer: 'https://oidc.prod.example/' })).toThrow('ends with a slash after the host');
    expect(() => SvidPresentation.x509TrustAnchor({ name: 'aws', trustAnchorCertificates: 'not a pem' })).toThrow('holds no PEM certificate');
  });

  test('bad input names the field, the value and the fix', () => {
    expect(() => onKubernetes({ selectors: [] })).toThrow("SpiffeRegistration 'deployer': selectors [] is empty; SPIRE requires at least one selector");
    expect(() => onKubernetes({ selectors: ['k8s:ns:agents', 'k8s:ns:agents'] })).toThrow('selectors[1] "k8s:ns:agents" is given twice');
    expect(() => onKubernetes({ dnsNames: ['not a name'] })).toThrow('dnsNames[0] "not a name" is not a DNS name');
    expect(() => onKubernetes({ federatesWith: ['prod.example'] })).toThrow('is the identity’s own trust domain');
    expect(() => onKubernetes({ federatesWith: ['spiffe://partner.example/path'] })).toThrow('is a SPIFFE ID with a path, not a trust domain');
    expect(() => onKubernetes({ parent: SpiffeParent.agent('spiffe://other.example/spire/agent/x509pop/ab') })).toThrow('is in another trust domain than the identity (prod.example)');
    expect(() => new SpiffeRegistration({ identity: { name: 'x' } as never, parent: SpiffeParent.kubernetesNodes(), selectors: ['k8s:ns:a'] })).toThrow('is not an AgentIdentity');
  });
});
