import { Check, Verdict, combinePathVerdicts, fail, inconclusive, pass, skipped } from '../../../engine/check';
import { decodeJwt } from '../../../oidc/jwt';
import { DEFAULT_PROBE_AUDIENCE, SVID_LIFETIME_LEEWAY_SECONDS, SpiffeProbeContext, SpiffeTarget, declaredTtls, describeAnswer, describeWorkload } from '../../../spiffe/probe-context';

export const check: Check<SpiffeTarget, SpiffeProbeContext> = {
  meta: {
    id: 'AGC-SPIFFE-005',
    cloud: 'spiffe',
    title: "The SVIDs handed out live no longer than the entry's TTLs",
    statement:
      "Verify that the registered workload's X.509-SVID and JWT-SVID are unexpired when handed out and expire within the entry's X.509-SVID and JWT-SVID TTLs (the server's default for a TTL of 0) of being fetched and of being issued, give or take 60 s of clock skew.",
    threat: 'A stolen SVID outlives the lifetime the registration declares and the cloud sessions were sized for; or an agent hands out an SVID already past its expiry, which the gates must then be trusted to refuse.',
    remediation:
      'Set `x509SVIDTTL` / `jwtSVIDTTL` on the entry (`ttl` / `jwtTtl` on a ClusterSPIFFEID) as declared, check the server\'s `default_x509_svid_ttl` / `default_jwt_svid_ttl` for a TTL of 0, and that the agent rotates its cache (its clock, and `availability_target`).',
    severity: 'high',
    tags: ['area:spiffe', 'kind:negative', 'threat:svid-lifetime'],
  },
  async run(target, context) {
    const registered = target.workloads.filter((w) => w.role === 'registered');
    if (registered.length === 0) return skipped('the target has no registered probe workload');
    const id = target.entry.spiffeId;
    const ttl = declaredTtls(target);
    const seconds = (ms: number) => Math.round(ms / 1000);
    const verdicts: Array<{ path: string; verdict: Verdict }> = [];
    for (const workload of registered) {
      const path = describeWorkload(workload);
      const x509 = await context.fetchX509(workload);
      const jwt = await context.fetchJwt(workload, target.jwtAudience ?? DEFAULT_PROBE_AUDIENCE, id);
      // The client refuses an expired JWT-SVID as unusable; for this check that refusal is the finding.
      if (jwt.kind === 'unusable' && /expired/.test(jwt.described)) {
        verdicts.push({ path, verdict: fail(`the agent handed out a JWT-SVID of ${id} already past its expiry (${jwt.described})`) });
        continue;
      }
      const svid = x509.kind === 'issued' ? x509.value.find((s) => s.spiffeId === id) : undefined;
      if (!svid || x509.kind !== 'issued' || jwt.kind !== 'issued') {
        verdicts.push({ path, verdict: inconclusive(`the registered workload was not issued both SVIDs (X.509: ${svid ? 'issued' : describeAnswer(x509)}; JWT: ${describeAnswer(jwt)}): their lifetimes cannot be judged`) });
        continue;
      }
      const fetched = x509.fetchedAt.getTime();
      const notBefore = svid.leaf.notBefore.getTime();
      const notAfter = svid.leaf.notAfter.getTime();
      const claims = decodeJwt(jwt.value.token).claims;
      const exp = jwt.value.expiresAt.getTime();
      const iat = typeof claims.iat === 'number' ? claims.iat * 1000 : undefined;
      const evidence = {
        workload: workload.name,
        declared: { x509SvidTtlSeconds: ttl.x509, jwtSvidTtlSeconds: ttl.jwt },
        x509: { notBefore: svid.leaf.notBefore.toISOString(), notAfter: svid.leaf.notAfter.toISOString(), fetchedAt: x509.fetchedAt.toISOString() },
        jwt: { iat: iat === undefined ? undefined : new Date(iat).toISOString(), exp: new Date(exp).toISOString(), fetchedAt: jwt.fetchedAt.toISOString() },
      };
      const leeway = SVID_LIFETIME_LEEWAY_SECONDS * 1000;
      const findings: string[] = [];
      if (notAfter <= fetched) findings.push(`the X.509-SVID was handed out ${seconds(fetched - notAfter)} s past its expiry`);
      if (notAfter - fetched > ttl.x509 * 1000 + leeway) findings.push(`the X.509-SVID expires ${seconds(notAfter - fetched)} s after it was fetched, beyond the entry's ${ttl.x509} s`);
      if (notAfter - notBefore > ttl.x509 * 1000 + leeway) findings.push(`the X.509-SVID is valid for ${seconds(notAfter - notBefore)} s, beyond the entry's ${ttl.x509} s`);
      if (exp - jwt.fetchedAt.getTime() > ttl.jwt * 1000 + leeway) findings.push(`the JWT-SVID expires ${seconds(exp - jwt.fetchedAt.getTime())} s after it was fetched, beyond the entry's ${ttl.jwt} s`);
      if (iat !== undefined && exp - iat > ttl.jwt * 1000 + leeway) findings.push(`the JWT-SVID lives ${seconds(exp - iat)} s from iat to exp, beyond the entry's ${ttl.jwt} s`);
      verdicts.push({
        path,
        verdict:
          findings.length > 0
            ? fail(findings.join('; '), evidence)
            : pass(`the X.509-SVID (valid ${seconds(notAfter - notBefore)} s) and the JWT-SVID (${seconds(exp - (iat ?? jwt.fetchedAt.getTime()))} s) are within the entry's ${ttl.x509} s and ${ttl.jwt} s`, evidence),
      });
    }
    return combinePathVerdicts(verdicts);
  },
};
