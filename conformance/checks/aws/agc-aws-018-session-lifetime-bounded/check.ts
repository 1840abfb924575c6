import { Check, Verdict, fail, inconclusive, pass, skipped } from '../../../engine/check';
import { describeOutcome, errorCodeOf, issuedCredentials, isTransient } from '../../../aws/http-outcome';
import { AwsProbeContext, ResolvedAwsGate, ResolvedRolesAnywherePath, pathProbeBlocker, plannedDenial, combineGatePaths } from '../../../aws/probe-context';
import { MUTATION } from '../../../aws/probe-certificates';

/** The longest session any client can ask for. */
const TWELVE_HOURS = 43_200;
/** Clock difference tolerated between the endpoint and this machine. */
const SLACK_SECONDS = 120;

export const check: Check<ResolvedAwsGate, AwsProbeContext> = {
  meta: {
    id: 'AGC-AWS-018',
    cloud: 'aws',
    title: 'Sessions never outlive the identity\'s credential lifetime',
    statement: 'Verify that a correctly attested request for a 12-hour session gets no session longer than the identity\'s maximum credential lifetime, through every profile that reaches the role.',
    threat: 'Revocation stops new sessions only; a long session obtained before revocation stays valid until it expires.',
    remediation: 'Set the profile\'s DurationSeconds to the identity\'s lifetime (AttestedRole derives it).',
    severity: 'high',
    tags: ['cloud:aws', 'kind:negative', 'threat:session-lifetime-bounded', 'requires:ca-key'],
  },
  async run(gate, context) {
    if (gate.maxSessionSeconds === undefined) return skipped('the gate declares no credential lifetime (no gate manifest, not high privilege)');
    // Every profile that reaches the role issues its own sessions: each is probed after its own control.
    const perProfile = [...new Map(gate.paths.map((p) => [p.profile, p])).values()];
    const verdicts = await Promise.all(perProfile.map(async (path) => ({ path: `profile ${path.profile}`, verdict: await judgeProfile(gate, context, path, gate.maxSessionSeconds!) })));
    return combineGatePaths(gate, verdicts);
  },
  plan(gate, context) {
    if (gate.maxSessionSeconds === undefined) return [];
    // Per profile: its control, then the 12-hour request (sent like a denial probe's mutation).
    return [...new Map(gate.paths.map((p) => [p.profile, p])).values()].flatMap((path) =>
      plannedDenial(gate, context, MUTATION.control, 'a request for a 12-hour session', { durationSeconds: TWELVE_HOURS }, path),
    );
  },
};

/** The role's MaxSessionDuration caps what any profile issues. */
function roleMaxSeconds(gate: ResolvedAwsGate): number {
  const value = gate.gate.role.properties.MaxSessionDuration;
  const n = typeof value === 'number' ? value : Number(value ?? 3600);
  return Number.isFinite(n) ? n : 3600;
}

async function judgeProfile(gate: ResolvedAwsGate, context: AwsProbeContext, path: ResolvedRolesAnywherePath, maxSeconds: number): Promise<Verdict> {
  const blocker = pathProbeBlocker(gate, path);
  if (blocker) {
    // Not probeable here; the template still says how long the profile's sessions are.
    const templated = path.durationSeconds === undefined ? undefined : Math.min(path.durationSeconds, roleMaxSeconds(gate));
    return templated !== undefined && templated > maxSeconds
      ? fail(`profile ${path.profile} issues ${templated} s sessions, longer than the identity's ${maxSeconds} s (from the template; not probed: ${blocker.reason})`)
      : blocker;
  }
  const control = await context.positiveControl(gate, path);
  if (!issuedCredentials(control.outcome)) {
    return inconclusive(`the positive control through ${path.id} did not get credentials in this run (${describeOutcome(control.outcome)}), so a refusal would prove nothing`);
  }
  const asked = Date.now();
  const { outcome } = await context.createSession(gate, await context.certificatesFor(gate, path)!.control(), { durationSeconds: TWELVE_HOURS, trustAnchorArn: path.trustAnchorArn, profileArn: path.profileArn });
  if (isTransient(outcome)) return inconclusive(`no verdict after retries (${describeOutcome(outcome)})`);
  if (!issuedCredentials(outcome) || outcome.kind !== 'response') {
    // Refusing the long session outright also keeps sessions bounded.
    return outcome.kind === 'response' && outcome.status === 403 && errorCodeOf(outcome) === 'AccessDeniedException'
      ? pass(`a 12-hour session was refused (${describeOutcome(outcome)})`)
      : inconclusive(`unexpected answer (${describeOutcome(outcome)})`);
  }
  const body = JSON.parse(outcome.body) as { credentialSet: Array<{ credentials: { expiration?: unknown } }> };
  const expiration = Date.parse(String(body.credentialSet[0].credentials.expiration));
  if (Number.isNaN(expiration)) return inconclusive(`asked for 12 h and got credentials without a readable expiration (${String(body.credentialSet[0].credentials.expiration)}): not CreateSession's answer shape, so the lifetime is unknown`);
  const lifetime = Math.round((expiration - asked) / 1000);
  const evidence = { issuedLifetimeSeconds: lifetime, maxSessionSeconds: maxSeconds };
  return lifetime <= maxSeconds + SLACK_SECONDS
    ? pass(`asked for 12 h, got ${lifetime} s (at most ${maxSeconds} s)`, evidence)
    : fail(`asked for 12 h and got a ${lifetime} s session, longer than the identity's ${maxSeconds} s`, evidence);
}
