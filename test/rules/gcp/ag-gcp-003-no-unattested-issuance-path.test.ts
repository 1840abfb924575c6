import { noUnattestedIssuancePath } from '../../../lib/rules/gcp/ag-gcp-003-no-unattested-issuance-path';
import { check } from '../../../conformance/checks/gcp/agc-gcp-012-unattested-issuance-path/check';
import { discoverGcpGates } from '../../../conformance/gcp/discover-gates';
import { GcpProbeContext } from '../../../conformance/gcp/probe-context';
import { ResolvedGcpGate } from '../../../conformance/gcp/resolve-gates';
import { CLEAN_CASES, OPEN_CASES, highPrivilegeGate } from '../../fixtures/gcp-issuance-paths';
import { tfSource } from '../../fixtures/gcp-conformance';
import { tfModel } from '../../fixtures/terraform';

const KEY = { google_service_account_key: { ci: { service_account_id: '${google_service_account.deployer.name}' } } };

async function checkStatus(configuration: unknown): Promise<string> {
  const gate = discoverGcpGates([tfSource(configuration)]).find((g) => g.provider.address.endsWith('.spire'))!;
  return (await check.run({ gate } as unknown as ResolvedGcpGate, {} as GcpProbeContext)).status;
}

describe('AG-GCP-003: nothing but its gate’s federation gets a token acting as a high-privilege service account', () => {
  test('the message names the path, its ID and the account, on the resource that opens it', () => {
    expect(noUnattestedIssuancePath.evaluate(tfModel(highPrivilegeGate(OPEN_CASES[0][1])))).toEqual([
      {
        resource: 'google_service_account_iam_member.ci',
        outcome: 'violation',
        message:
          'Unattested path to high-privilege google_service_account.deployer (path ID grant:google_service_account_iam_member.ci:roles/iam.serviceAccountTokenCreator:user:ci@example.com): google_service_account.deployer: user:ci@example.com holds roles/iam.serviceAccountTokenCreator on the service account (google_service_account_iam_member.ci): getAccessToken/signJwt/signBlob/getOpenIdToken.',
        location: 'member',
      },
    ]);
  });

  // Rule and check agree: the rule refuses exactly what the check FAILs, and accepts what it passes.
  test.each(OPEN_CASES)('refused by the rule, FAIL in the check: %s', async (_what, extra, why) => {
    const configuration = highPrivilegeGate(extra);
    const violations = noUnattestedIssuancePath.evaluate(tfModel(configuration)).filter((f) => f.outcome === 'violation');
    // One finding, except where a second provider is itself a gate (each gate's other provider is a path of it).
    expect(violations.length).toBeGreaterThan(0);
    expect(violations.map((v) => v.message)).toContainEqual(expect.stringMatching(why));
    expect(await checkStatus(configuration)).toBe('FAIL');
  });

  test.each(CLEAN_CASES)('accepted by the rule, PASS in the check: %s', async (_what, extra) => {
    const configuration = highPrivilegeGate(extra);
    expect(noUnattestedIssuancePath.evaluate(tfModel(configuration))).toEqual([]);
    expect(await checkStatus(configuration)).toBe('PASS');
  });

  test('acknowledged with a reason: accepted by the rule, INCONCLUSIVE (acknowledged) in the check; a short reason is refused by both', async () => {
    const acknowledged = highPrivilegeGate(KEY, { acknowledge: { 'key:google_service_account_key.ci': 'break-glass key in the HSM, SEC-123' } });
    expect(noUnattestedIssuancePath.evaluate(tfModel(acknowledged))).toEqual([]);
    expect(await checkStatus(acknowledged)).toBe('INCONCLUSIVE');
    const short = highPrivilegeGate(KEY, { acknowledge: { 'key:google_service_account_key.ci': 'ok' } });
    expect(noUnattestedIssuancePath.evaluate(tfModel(short))).toEqual([expect.objectContaining({ outcome: 'violation', resource: 'google_service_account_key.ci' })]);
    expect(await checkStatus(short)).toBe('FAIL');
  });

  test('a value known only at apply: unjudgeable for the rule, INCONCLUSIVE in the check', async () => {
    const configuration = highPrivilegeGate({ google_service_account_key: { k: { service_account_id: '${var.account}' } } });
    expect(noUnattestedIssuancePath.evaluate(tfModel(configuration))).toEqual([expect.objectContaining({ outcome: 'unjudgeable', resource: 'google_service_account.deployer' })]);
    expect(await checkStatus(configuration)).toBe('INCONCLUSIVE');
  });

  test('an account not shown high privilege is not the rule’s (the check reports its paths INCONCLUSIVE)', async () => {
    const configuration = highPrivilegeGate(KEY, { lowPrivilege: true });
    expect(noUnattestedIssuancePath.evaluate(tfModel(configuration))).toEqual([]);
    expect(await checkStatus(configuration)).toBe('INCONCLUSIVE');
  });

  describe('gates sharing one pool (its principals are every provider’s)', () => {
    const BUILDER = 'spiffe://prod.example/agent/builder';
    const DEPLOYER = 'spiffe://prod.example/agent/deployer';
    /** A second gate in the deployer's pool, written by hand: provider `builder` with `condition`, its own high-privilege account bound to its own subject. */
    const secondGate = (condition: string) =>
      highPrivilegeGate({
        google_iam_workload_identity_pool_provider: {
          builder: {
            workload_identity_pool_id: '${google_iam_workload_identity_pool.pool.workload_identity_pool_id}',
            workload_identity_pool_provider_id: 'builder',
            attribute_mapping: { 'google.subject': 'assertion.sub' },
            attribute_condition: condition,
            oidc: { issuer_uri: 'https://oidc.prod.example', allowed_audiences: ['gcp'] },
          },
        },
        google_service_account: { builder: { account_id: 'builder-agent' } },
        google_service_account_iam_member: {
          builder: { service_account_id: '${google_service_account.builder.name}', role: 'roles/iam.workloadIdentityUser', member: `principal://iam.googleapis.com/\${google_iam_workload_identity_pool.pool.name}/subject/${BUILDER}` },
        },
        google_project_iam_member: { builder_storage: { project: 'agents-prod', role: 'roles/storage.admin', member: '${google_service_account.builder.member}' } },
      });

    test('each provider pinned to its own subject: no path through the other; the deployer’s roles/editor still reaches the builder’s account', async () => {
      const configuration = secondGate(`assertion.sub == '${BUILDER}' && assertion.aud == 'gcp'`);
      // roles/editor on the project acts as every account of it: the one path left, and a real one.
      expect(noUnattestedIssuancePath.evaluate(tfModel(configuration))).toEqual([
        expect.objectContaining({ resource: 'google_project_iam_member.deployer_editor', outcome: 'violation', message: expect.stringMatching(/^Unattested path to high-privilege google_service_account\.builder /) }),
      ]);
      expect(await checkStatus(configuration)).toBe('PASS');
    });

    test.each([
      ['admits a prefix the deployer’s subject shares', "assertion.sub.startsWith('spiffe://prod.example/agent/')"],
      ['admits the deployer’s subject in an || branch', `assertion.sub == '${BUILDER}' || assertion.sub == '${DEPLOYER}'`],
      ['is pinned to the deployer’s own subject', `assertion.sub == '${DEPLOYER}'`],
    ])('a second provider that %s: still a path to the deployer, unjudgeable by the rule, INCONCLUSIVE in the check', async (_what, condition) => {
      const configuration = secondGate(condition);
      expect(noUnattestedIssuancePath.evaluate(tfModel(configuration))).toContainEqual(
        expect.objectContaining({
          resource: 'google_service_account_iam_member.impersonation',
          outcome: 'unjudgeable',
          message: expect.stringMatching(/google_service_account\.deployer: .* through provider google_iam_workload_identity_pool_provider\.builder \(enabled\), not the gate’s/),
        }),
      );
      expect(await checkStatus(configuration)).toBe('INCONCLUSIVE');
    });
  });
});
