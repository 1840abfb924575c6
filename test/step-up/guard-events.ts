import { ACR } from '../../lib/step-up/acr';
import { StepUpEvent } from '../../lib/step-up/events';
import { StepUpGuard } from '../../lib/step-up/guard';
import { StepUpOperation } from '../../lib/step-up/policy';
import { AGENT, AUDIENCE, NOW, NOW_MS, randomJti, testIssuer } from './fixtures';

/** The operations of the policy the monitors' tests watch. */
export const DESTROY: StepUpOperation = { name: 'destroy-stack', method: 'DELETE', route: '/stacks/:id', acr: [ACR.ATTESTED_FRESH], maxAge: 60 };
export const LIST: StepUpOperation = { name: 'list-stacks', method: 'GET', route: '/stacks', acr: [ACR.ATTESTED] };
export const THIEF_VICTIM = 'spiffe://example.test/agent/migrator';

/**
 * Decisions a real guard writes, for the monitors' filters to be tested on (not hand-written
 * events): the deployer answers two challenges and lists stacks; someone holding the migrator's
 * routine token is challenged four times and replays a fresh token once; a forged token is refused.
 */
export async function realGuardEvents(): Promise<StepUpEvent[]> {
  const issuer = testIssuer();
  const forger = testIssuer(issuer.iss, { keyName: 'forger' });
  const events: StepUpEvent[] = [];
  const guard = new StepUpGuard({ audience: AUDIENCE, issuers: [issuer.trusted], operations: [DESTROY, LIST] }, { nowMs: () => NOW_MS, onDecision: (e) => events.push(e) });
  const destroy = guard.operation('destroy-stack');
  const bearer = (claims: Record<string, unknown>) => `Bearer ${issuer.mint({ acr: ACR.ATTESTED, ...claims })}`;
  for (let i = 0; i < 2; i++) {
    await guard.decide(destroy, bearer({}));
    await guard.decide(destroy, bearer({ acr: ACR.ATTESTED_FRESH, auth_time: NOW - 5, jti: randomJti() }));
  }
  await guard.decide(guard.operation('list-stacks'), bearer({}));
  for (let i = 0; i < 4; i++) await guard.decide(destroy, bearer({ sub: THIEF_VICTIM }));
  const captured = bearer({ sub: THIEF_VICTIM, acr: ACR.ATTESTED_FRESH, auth_time: NOW - 5, jti: randomJti() });
  await guard.decide(destroy, captured);
  await guard.decide(destroy, captured);
  await guard.decide(destroy, `Bearer ${forger.mint({ sub: THIEF_VICTIM, acr: ACR.ATTESTED_FRESH, auth_time: NOW - 5, jti: randomJti() })}`);
  return events;
}

export { AGENT };
