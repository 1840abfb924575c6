import * as fs from 'node:fs';
import { CheckResult } from '../../../../../conformance/engine/report';
import { ISSUER } from '../../../../fixtures/terraform';
import { probeGcpLocally, tfSource, writeIssuerKey } from '../../../../fixtures/gcp-conformance';

/**
 * AGC-GCP-013 in a pool of many gates (brownfield, no manifests), on the emulator. Each gate's
 * provider pins its own subject and one service account is bound to that subject alone; the
 * candidates of a pinned provider are derived from its own subject only (token-plan.ts,
 * subjectsReachingThrough). One more provider of the same pool admits every subject under the
 * agents' path: a token of a sibling's subject through it federates to the sibling's principal and
 * gets the sibling's account — it must FAIL, whatever the pool's size.
 */
const GATES = 60;
const POOL_NAME = '${google_iam_workload_identity_pool.pool.name}';
const agent = (i: number) => `spiffe://prod.example/agent/agent-${i}`;

function poolOfGates(jwks: string, laxCondition: string) {
  const provider = (id: string, condition: string) => ({
    workload_identity_pool_id: '${google_iam_workload_identity_pool.pool.workload_identity_pool_id}',
    workload_identity_pool_provider_id: id,
    attribute_mapping: { 'google.subject': 'assertion.sub' },
    attribute_condition: condition,
    oidc: { issuer_uri: ISSUER, allowed_audiences: ['gcp'], jwks_json: jwks },
  });
  const indexes = [...Array(GATES).keys()];
  return {
    resource: {
      google_iam_workload_identity_pool: { pool: { workload_identity_pool_id: 'agents' } },
      google_iam_workload_identity_pool_provider: {
        ...Object.fromEntries(indexes.map((i) => [`gate${i}`, provider(`gate${i}`, `assertion.sub == '${agent(i)}'`)])),
        lax: provider('lax', laxCondition),
      },
      google_service_account: Object.fromEntries(indexes.map((i) => [`agent${i}`, { account_id: `agent-${i}` }])),
      google_service_account_iam_member: Object.fromEntries(
        indexes.map((i) => [`impersonation${i}`, { service_account_id: `\${google_service_account.agent${i}.name}`, role: 'roles/iam.workloadIdentityUser', member: `principal://iam.googleapis.com/${POOL_NAME}/subject/${agent(i)}` }]),
      ),
    },
  };
}

const statusOf = (results: readonly CheckResult[], gate: string) => results.find((r) => r.checkId === 'AGC-GCP-013' && r.gate.endsWith(`.${gate}`));

describe(`AGC-GCP-013 in a pool of ${GATES} gates`, () => {
  test('a provider whose condition admits its siblings’ subjects FAILs, naming a sibling’s account; every pinned gate PASSes on its own subject', async () => {
    const issuer = writeIssuerKey();
    const jwks = fs.readFileSync(issuer.jwksFile, 'utf8');
    const results = await probeGcpLocally([tfSource(poolOfGates(jwks, "assertion.sub.startsWith('spiffe://prod.example/agent/')"), 'pool')], issuer.pkiDir);

    const lax = statusOf(results, 'lax');
    expect(lax?.status).toBe('FAIL');
    expect(lax?.reason).toMatch(/^\d+ of 8 subjects besides the declared one got a service account’s token: a token of spiffe:\/\/prod\.example\/agent\/agent-\d+ \(another subject bound in the pool\): generateAccessToken for agent-\d+@/);

    // Pinned gates: each PASSes with its own subject declared (not the pool's first), and the
    // candidates it derives do not grow with the pool.
    const pinned = [...Array(GATES).keys()].map((i) => statusOf(results, `gate${i}`));
    expect(pinned.map((r) => r?.status)).toEqual(Array(GATES).fill('PASS'));
    for (const [i, r] of pinned.entries()) expect((r?.evidence as { declared: string[] }).declared).toEqual([agent(i)]);
    expect(new Set(pinned.map((r) => (r?.evidence as { derived: number }).derived)).size).toBe(1);
  }, 120_000);

  test('the same pool with the lax provider pinned too: it PASSes (the FAIL above is the condition, not the pool)', async () => {
    const issuer = writeIssuerKey();
    const jwks = fs.readFileSync(issuer.jwksFile, 'utf8');
    const results = await probeGcpLocally([tfSource(poolOfGates(jwks, `assertion.sub == '${agent(0)}'`), 'pool')], issuer.pkiDir);
    expect(statusOf(results, 'lax')?.status).toBe('PASS');
  }, 120_000);
});
