import { AttestGateError } from '../../lib/core/errors';
import { StepUpEvent, StepUpOutcome } from '../../lib/step-up/events';
import { stepUpFailures, stepUpScenarioSpanSeconds, stepUpSignalScenarios } from '../../lib/step-up/failure-signal';
import { NOW_MS } from './fixtures';
import { realGuardEvents } from './guard-events';

const AGENT = 'spiffe://example.test/agent/deployer';
const OTHER = 'spiffe://example.test/agent/reporter';

function event(outcome: StepUpOutcome, secondsAgo: number, fields: Partial<StepUpEvent> = {}): StepUpEvent {
  return {
    event: 'attestgate.step-up.decision',
    version: 1,
    time: new Date(NOW_MS - secondsAgo * 1000).toISOString(),
    outcome,
    status: outcome === 'allowed' ? 200 : 401,
    operation: 'destroy-stack',
    identity: AGENT,
    requiredAcr: ['urn:attestgate:acr:attested-fresh'],
    maxAge: 60,
    reason: 'test',
    ...fields,
  };
}

describe('stepUpFailures', () => {
  test('an agent that answers its challenges nets zero, however many it gets', () => {
    const events = [1, 2, 3, 4].flatMap((i) => [event('step-up', i * 10 + 1), event('allowed', i * 10)]);
    expect(stepUpFailures(events, undefined, NOW_MS)).toEqual([{ identity: AGENT, challenges: 4, completed: 4, failures: 0, alarm: false }]);
  });

  test('a rising count of unanswered challenges for one identity alarms; a single one does not', () => {
    expect(stepUpFailures([event('step-up', 5)], undefined, NOW_MS)[0]).toMatchObject({ failures: 1, alarm: false });
    const thief = [event('step-up', 50), event('replayed', 40), event('step-up', 30)];
    expect(stepUpFailures([...thief, event('step-up', 20, { identity: OTHER }), event('allowed', 19, { identity: OTHER })], undefined, NOW_MS)).toEqual([
      { identity: AGENT, challenges: 3, completed: 0, failures: 3, alarm: true },
      { identity: OTHER, challenges: 1, completed: 1, failures: 0, alarm: false },
    ]);
  });

  test('counts only the period, verified identities, and successes on the operation that was challenged', () => {
    const events = [
      event('step-up', 400),
      event('step-up', 350),
      event('step-up', 10),
      event('invalid-token', 5, { identity: undefined, claimedIdentity: AGENT }),
      // Routine calls elsewhere do not answer the challenge on destroy-stack.
      event('allowed', 4, { operation: 'list-stacks', requiredAcr: ['urn:attestgate:acr:attested'], maxAge: undefined }),
      event('allowed', 3, { operation: 'list-stacks', requiredAcr: ['urn:attestgate:acr:attested'], maxAge: undefined }),
    ];
    expect(stepUpFailures(events, undefined, NOW_MS)).toEqual([{ identity: AGENT, challenges: 1, completed: 0, failures: 1, alarm: false }]);
  });

  test('successes on the challenged operation offset challenges one for one (the documented blind spot); successes elsewhere do not', () => {
    const events = [event('allowed', 60), event('allowed', 50), event('allowed', 40), event('step-up', 30), event('step-up', 20), event('step-up', 10), event('allowed', 5)];
    expect(stepUpFailures(events, undefined, NOW_MS)[0]).toMatchObject({ challenges: 3, completed: 3, failures: 0 });
    const onlyFailing = [event('allowed', 60, { operation: 'other' }), event('step-up', 30), event('step-up', 20), event('step-up', 10)];
    expect(stepUpFailures(onlyFailing, undefined, NOW_MS)[0]).toMatchObject({ challenges: 3, completed: 0, failures: 3, alarm: true });
  });

  test('a threshold that would alarm on one failure, or a period that is not minutes, is refused', () => {
    expect(() => stepUpFailures([], { failures: 1, periodSeconds: 300 })).toThrow(AttestGateError);
    expect(() => stepUpFailures([], { failures: 3, periodSeconds: 90 })).toThrow(/whole number of minutes/);
  });
});

describe('stepUpSignalScenarios: what the monitors are judged on', () => {
  test('its events have the fields the real guard writes for the same decisions, and stepUpFailures agrees with each expectation', async () => {
    const real = await realGuardEvents();
    const scenarios = stepUpSignalScenarios(AGENT, 'destroy-stack', NOW_MS);
    const keys = (e: StepUpEvent) => Object.keys(e).sort();
    const realOf = (outcome: StepUpOutcome) => real.find((e) => e.outcome === outcome && e.identity !== undefined)!;
    for (const s of scenarios) {
      for (const e of s.events) expect(keys(e)).toEqual(keys(realOf(e.outcome)));
      expect(stepUpFailures(s.events, undefined, NOW_MS).some((f) => f.alarm)).toBe(s.alarms);
    }
  });
});

describe('stepUpScenarioSpanSeconds', () => {
  test('the longest scenario, first event to last: ten answered challenges, 100 s to 9 s ago', () => {
    expect(stepUpScenarioSpanSeconds()).toBe(91);
  });
});
