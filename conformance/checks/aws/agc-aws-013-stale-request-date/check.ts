import { Check } from '../../../engine/check';
import { AwsProbeContext, RequestVariant, ResolvedAwsGate, plannedDenial, probeDenied } from '../../../aws/probe-context';
import { MUTATION } from '../../../aws/probe-certificates';

/** Twenty minutes: well outside SigV4's customary five-minute window. */
const STALENESS_MS = 20 * 60_000;

/** The control certificate's request, signed 20 minutes ago. */
const SIGNED_20_MIN_AGO: RequestVariant = { name: 'signed-20-min-ago', now: () => new Date(Date.now() - STALENESS_MS) };

export const check: Check<ResolvedAwsGate, AwsProbeContext> = {
  meta: {
    id: 'AGC-AWS-013',
    cloud: 'aws',
    title: 'A request signed outside the allowed clock skew is refused',
    statement: 'Verify that the gate refuses a correctly signed request whose X-Amz-Date is 20 minutes old.',
    threat: 'A captured request could be replayed later to mint fresh credentials.',
    remediation: 'Nothing to configure in the gate; a failure means the endpoint does not bound the signing time.',
    severity: 'high',
    tags: ['cloud:aws', 'kind:negative', 'threat:stale-request-date', 'requires:ca-key'],
  },
  run: (gate, context) =>
    probeDenied(gate, context, 'a request signed 20 minutes ago', { status: 403, code: 'AccessDeniedException', message: /Signature expired|Invalid signature/ }, async (certificates) =>
      context.createSession(gate, await certificates.control(), { variant: SIGNED_20_MIN_AGO }),
    ),
  plan: (gate, context) => plannedDenial(gate, context, MUTATION.control, 'a request signed 20 minutes ago', { variant: SIGNED_20_MIN_AGO }),
};
