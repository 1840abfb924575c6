import { describeSeconds } from '../../spiffe/go-duration';
import { SpiffeRegistrationModel } from '../../spiffe/registration-model';
import { SPIRE_DEFAULT_X509_SVID_TTL_SECONDS } from '../../spiffe/spire-server';
import { x509SvidTtlLimit } from '../../spiffe/svid-ttl-limits';
import { Rule, RuleFinding, Severity } from '../rule';
import { issues, issuingEntries, trustDomainOf } from './issuing';

/**
 * AG-SPIFFE-001. An X.509-SVID is what buys the cloud session: while it lives, its holder mints
 * fresh sessions without attesting again. It must not outlive the session it buys, nor the
 * identity's maxCredentialLifetime.
 */
export const x509SvidTtlWithinSession: Rule<SpiffeRegistrationModel> = {
  id: 'AG-SPIFFE-001',
  cloud: 'spiffe',
  severity: Severity.HIGH,
  title: "A registration's X.509-SVID TTL is no longer than the cloud session it buys and the identity's maxCredentialLifetime",
  rationale:
    'An X.509-SVID presented to IAM Roles Anywhere (or a GCP X.509 provider) buys a session; whoever holds an SVID that outlives that session buys the next one without the workload being attested again, so a stolen SVID extends the theft past the lifetime the identity allows.',
  fix: "Set the entry's X.509-SVID TTL (ClusterSPIFFEID spec.ttl, ClusterStaticEntry spec.x509SVIDTTL, x509_svid_ttl) to at most the session duration and the identity's maxCredentialLifetime; SpiffeRegistration does so by default.",
  evaluate(model) {
    const findings: RuleFinding[] = [];
    for (const issuing of issuingEntries(model)) {
      const { entry, intent } = issuing;
      const limit = x509SvidTtlLimit(intent.identity, intent.presentedTo);
      const serverDefault = (intent.server ?? model.serverOf(trustDomainOf(issuing.spiffeId)))?.defaultX509SvidTtlSeconds;
      const ttl = entry.x509SvidTtlSeconds ?? serverDefault;
      const location = entry.locations.x509SvidTtl;
      if (ttl === undefined) {
        findings.push({
          resource: entry.resource,
          outcome: 'unjudgeable',
          message: `${issues(issuing)} with no X.509-SVID TTL: it falls back to the server's default_x509_svid_ttl (SPIRE's own default: ${describeSeconds(SPIRE_DEFAULT_X509_SVID_TTL_SECONDS)}), which this input does not declare; the limit is ${limit.because}.`,
          location,
        });
      } else if (ttl > limit.seconds) {
        const from = entry.x509SvidTtlSeconds === undefined ? " (the server's default)" : '';
        findings.push({ resource: entry.resource, outcome: 'violation', message: `${issues(issuing)} with X.509-SVIDs that live ${describeSeconds(ttl)}${from}, longer than ${limit.because}.`, location });
      }
    }
    return findings;
  },
};
