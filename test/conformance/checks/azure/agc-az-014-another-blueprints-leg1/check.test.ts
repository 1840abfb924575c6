import { runAzureConformance } from '../../../../../conformance/azure/run-azure-conformance';
import { azureStatuses, probeAzureLocally } from '../../../../fixtures/azure-conformance';
import { twoBlueprintSources } from '../../../../fixtures/entra-agent-id';

describe('AGC-AZ-014: another blueprint’s leg-1 token', () => {
  test('Entra’s behaviour: refused at leg 1 (fmi_path of another blueprint’s agent) and at leg 2 (another blueprint’s token) — PASS', async () => {
    const results = await probeAzureLocally(twoBlueprintSources());
    const checks = results.filter((r) => r.checkId === 'AGC-AZ-014');
    expect(checks.map((r) => r.status)).toEqual(['PASS', 'PASS']);
    expect(checks[0].reason).toMatch(/fmi_path = this agent: denied with 400 unauthorized_client AADSTS700016.*presented as this agent: denied with 401 invalid_client AADSTS7002137/);
  }, 30_000);

  test('leg 1 deferred to leg 2 (fmiPathAtLeg1: any): the refusal at leg 2 still counts — PASS', async () => {
    const results = await probeAzureLocally(twoBlueprintSources(), { emulator: { behaviour: { fmiPathAtLeg1: 'any' } } });
    const checks = results.filter((r) => r.checkId === 'AGC-AZ-014');
    expect(checks.map((r) => r.status)).toEqual(['PASS', 'PASS']);
    expect(checks[0].reason).toMatch(/fmi_path = this agent: denied with 401 invalid_client AADSTS7002137/);
  }, 30_000);

  test('a lax tenant whose agents accept any blueprint’s leg-1 token: FAIL', async () => {
    const results = await probeAzureLocally(twoBlueprintSources(), { emulator: { behaviour: { fmiPathAtLeg1: 'any', agentAssertionBlueprint: 'any-blueprint' } } });
    const checks = results.filter((r) => r.checkId === 'AGC-AZ-014');
    expect(checks.map((r) => r.status)).toEqual(['FAIL', 'FAIL']);
    expect(checks[0].reason).toMatch(/attested token with fmi_path = this agent: an access token was issued/);
    expect(azureStatuses(results, 'agents/')['AGC-AZ-001']).toBe('PASS');
  }, 30_000);

  test('plan: Entra’s behaviour sends exactly the plan; a tenant that defers the fmi_path refusal to leg 2 sends one leg 2 more per agent than planned (the plan is then a lower bound)', async () => {
    const run = (behaviour = {}) => runAzureConformance({ sources: twoBlueprintSources(), target: 'local', ratePerSecond: Infinity, emulator: { tokenRequestsPerMinute: Infinity, behaviour } });
    const entra = await run();
    expect(entra.requests).toBe(entra.plan.planned);
    const deferred = await run({ fmiPathAtLeg1: 'any' });
    expect(deferred.plan.planned).toBe(entra.plan.planned);
    expect(deferred.requests).toBe(entra.plan.planned + 2);
  }, 60_000);
});
