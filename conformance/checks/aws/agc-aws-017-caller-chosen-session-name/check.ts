import { Check, Verdict, fail } from '../../../engine/check';
import { AwsProbeContext, ResolvedAwsGate, ResolvedRolesAnywherePath, pathProbeBlocker, plannedDenial, probeDenied, combineGatePaths } from '../../../aws/probe-context';
import { MUTATION } from '../../../aws/probe-certificates';

const CHOSEN_NAME = 'attestgate-chosen-name';

export const check: Check<ResolvedAwsGate, AwsProbeContext> = {
  meta: {
    id: 'AGC-AWS-017',
    cloud: 'aws',
    title: 'Callers cannot choose their session name',
    statement: 'Verify that a correctly attested request naming its own role session is refused, through every profile that reaches the role.',
    threat: 'A caller-chosen session name breaks the link between CloudTrail events and the certificate serial that obtained them.',
    remediation: 'Set the profile\'s AcceptRoleSessionName to false (AttestedProfile does).',
    severity: 'medium',
    tags: ['cloud:aws', 'kind:negative', 'threat:caller-chosen-session-name', 'requires:ca-key'],
  },
  async run(gate, context) {
    // Every profile that reaches the role is its own way in: each is probed (through the first
    // anchor with a CA key at hand) after its own positive control.
    const perProfile = [...new Map(gate.paths.map((p) => [p.profile, p])).values()];
    const verdicts = await Promise.all(perProfile.map(async (path) => ({ path: `profile ${path.profile}`, verdict: await judgeProfile(gate, context, path) })));
    return combineGatePaths(gate, verdicts);
  },
  plan: (gate, context) =>
    [...new Map(gate.paths.map((p) => [p.profile, p])).values()].flatMap((path) =>
      plannedDenial(gate, context, MUTATION.control, 'a request naming its own role session', { roleSessionName: CHOSEN_NAME }, path),
    ),
};

async function judgeProfile(gate: ResolvedAwsGate, context: AwsProbeContext, path: ResolvedRolesAnywherePath): Promise<Verdict> {
  const blocker = pathProbeBlocker(gate, path);
  if (blocker) {
    // Not probeable here; the template still says whether the profile lets callers name sessions.
    return path.acceptRoleSessionName === true ? fail(`profile ${path.profile} sets AcceptRoleSessionName (from the template; not probed: ${blocker.reason})`) : blocker;
  }
  return probeDenied(
    gate,
    context,
    'a request naming its own role session',
    { status: 403, code: 'AccessDeniedException', message: /Not authorized to set roleSessionName/ },
    async (certificates) => context.createSession(gate, await certificates.control(), { roleSessionName: CHOSEN_NAME, trustAnchorArn: path.trustAnchorArn, profileArn: path.profileArn }),
    path,
  );
}
