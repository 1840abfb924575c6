import { trustDomainMatchesRelyingParty } from '../../../lib/rules/spiffe/ag-spiffe-003-trust-domain-matches-relying-party';
import { SpiffeRegistrationModel } from '../../../lib/spiffe/registration-model';
import { SpireServer } from '../../../lib/spiffe/spire-server';
import { SvidPresentation } from '../../../lib/spiffe/svid-presentation';
import { deployer, intentFor, manifestFixture, pemFixture } from '../../fixtures/spiffe';

const prodSpire = new SpireServer({ trustDomain: 'prod.example', jwtIssuer: 'https://oidc.prod.example/spire' });
const stagingSpire = new SpireServer({ trustDomain: 'staging.example', jwtIssuer: 'https://oidc.staging.example' });
const anchor = (pem: string) => SvidPresentation.x509TrustAnchor({ name: 'aws:deployer', trustAnchorCertificates: pem }).describe();
const issuer = (url: string) => SvidPresentation.oidcIssuer({ name: 'azure:deployer', issuer: url }).describe();

describe('AG-SPIFFE-003: the trust domain is that of the anchor and issuer the SVIDs are presented to', () => {
  test('Noncompliance: anchored to the staging SPIRE CA, trusting the staging issuer, registered on the staging server', () => {
    const model = SpiffeRegistrationModel.read({
      manifests: [manifestFixture('unusual-registrations.yaml')],
      registrations: [
        intentFor(deployer(), [anchor(pemFixture('spire-ca-staging.example.pem') + pemFixture('spire-ca-prod.example.pem')), issuer('https://oidc.staging.example')], { server: stagingSpire.describe() }),
      ],
      servers: [prodSpire, stagingSpire],
    });
    expect(trustDomainMatchesRelyingParty.evaluate(model)).toEqual([
      {
        resource: 'ClusterSPIFFEID/deployer',
        outcome: 'violation',
        message: 'ClusterSPIFFEID/deployer issues spiffe://prod.example/agent/deployer, which is registered on the SPIRE server of trust domain staging.example, which issues only spiffe://staging.example/… IDs.',
        location: 'spec/spiffeIDTemplate',
      },
      expect.objectContaining({ message: expect.stringContaining('whose trust anchor is (or includes) the CA of trust domain staging.example: that SPIRE server can mint the identity') }),
      expect.objectContaining({ message: expect.stringContaining('which trusts issuer https://oidc.staging.example — the OIDC issuer of trust domain staging.example') }),
    ]);
  });

  test('Noncompliance: an issuer that is not the jwt_issuer of the identity’s server', () => {
    const model = SpiffeRegistrationModel.read({ manifests: [manifestFixture('unusual-registrations.yaml')], registrations: [intentFor(deployer(), [issuer('https://oidc.prod.example')])], servers: [prodSpire] });
    expect(trustDomainMatchesRelyingParty.evaluate(model)).toEqual([
      expect.objectContaining({ outcome: 'violation', message: expect.stringContaining('which trusts issuer https://oidc.prod.example, not https://oidc.prod.example/spire, the jwt_issuer of trust domain prod.example') }),
    ]);
  });

  test('Compliance: an upstream root bundled with the prod SPIRE CA, an issuer with a path', () => {
    const model = SpiffeRegistrationModel.read({
      manifests: [manifestFixture('unusual-registrations.yaml')],
      registrations: [intentFor(deployer(), [anchor(pemFixture('upstream-root-ca.pem') + pemFixture('spire-ca-prod.example.pem')), issuer('https://oidc.prod.example/spire')])],
      servers: [prodSpire, stagingSpire],
    });
    expect(trustDomainMatchesRelyingParty.evaluate(model)).toEqual([]);
  });

  test('Unjudgeable: an anchor that names no trust domain, an issuer with no declared server', () => {
    const model = SpiffeRegistrationModel.read({ manifests: [manifestFixture('unusual-registrations.yaml')], registrations: [intentFor(deployer(), [anchor(pemFixture('upstream-root-ca.pem')), issuer('https://oidc.prod.example')])] });
    expect(trustDomainMatchesRelyingParty.evaluate(model).map((f) => [f.outcome, f.message.replace(/^.*?, which /, '')])).toEqual([
      ['unjudgeable', 'is presented to aws:deployer, whose CA certificates name no SPIFFE trust domain (an upstream CA?), so the anchor cannot be matched to trust domain prod.example.'],
      ['unjudgeable', 'is presented to azure:deployer, which trusts issuer https://oidc.prod.example; no SPIRE server of trust domain prod.example with a jwtIssuer is declared to match it against.'],
    ]);
  });
});
