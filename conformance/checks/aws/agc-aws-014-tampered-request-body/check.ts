import { Check } from '../../../engine/check';
import { AwsProbeContext, RequestVariant, ResolvedAwsGate, plannedDenial, probeDenied } from '../../../aws/probe-context';
import { MUTATION } from '../../../aws/probe-certificates';

/** The signature covers durationSeconds 900; the body asks for 3600. */
const BODY_TAMPERED: RequestVariant = { name: 'body-tampered', tamper: (request) => ({ ...request, body: request.body.replace('"durationSeconds":900', '"durationSeconds":3600') }) };

export const check: Check<ResolvedAwsGate, AwsProbeContext> = {
  meta: {
    id: 'AGC-AWS-014',
    cloud: 'aws',
    title: 'A request whose body was changed after signing is refused',
    statement: 'Verify that the gate refuses a request whose body differs from the one that was signed.',
    threat: 'An interceptor could change the duration or parameters of a captured request.',
    remediation: 'Nothing to configure in the gate; a failure means the endpoint does not verify the payload hash.',
    severity: 'high',
    tags: ['cloud:aws', 'kind:negative', 'threat:tampered-request-body', 'requires:ca-key'],
  },
  run: (gate, context) =>
    probeDenied(gate, context, 'a request whose body changed after signing', { status: 403, code: 'AccessDeniedException', message: /Invalid signature/ }, async (certificates) =>
      context.createSession(gate, await certificates.control(), { durationSeconds: 900, variant: BODY_TAMPERED }),
    ),
  plan: (gate, context) => plannedDenial(gate, context, MUTATION.control, 'a request whose body changed after signing', { durationSeconds: 900, variant: BODY_TAMPERED }),
};
