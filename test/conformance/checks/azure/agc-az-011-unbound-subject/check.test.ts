import { runAzureConformance } from '../../../../../conformance/azure/run-azure-conformance';
import { FOREIGN_SAMPLE_SIZE } from '../../../../../conformance/azure/foreign-subjects';
import { AzureHttpProbeTarget } from '../../../../../conformance/azure/azure-probe-target';
import { startAzureEmulator } from '../../../../../conformance/emulator/azure-emulator';
import { createServerTls } from '../../../../../conformance/emulator/azure/server-tls';
import { JWT_BEARER_ASSERTION_TYPE } from '../../../../../conformance/emulator/azure/token-endpoint';
import { generateIssuerKey } from '../../../../../conformance/oidc/issuer-key';
import { signJwt } from '../../../../../conformance/oidc/jwt';
import { probeAzureLocally, tfSourceOf } from '../../../../fixtures/azure-conformance';
import { DEPLOYER_SPIFFE_ID, ISSUER, azureConfiguration, credential } from '../../../../fixtures/terraform';
import { startFaultProxy } from '../../../../fixtures/fault-proxy';

/** Other user-assigned identities, each trusting one subject of ISSUER. */
function otherIdentities(subjects: readonly string[]): Record<string, Record<string, unknown>> {
  const names = subjects.map((_, i) => `other${i}`);
  return {
    azurerm_user_assigned_identity: { deployer: { name: 'deployer', resource_group_name: 'agents' }, ...Object.fromEntries(names.map((n) => [n, { name: n, resource_group_name: 'agents' }])) },
    azurerm_federated_identity_credential: {
      spire: credential(DEPLOYER_SPIFFE_ID),
      ...Object.fromEntries(subjects.map((s, i) => [names[i], credential(s, { name: names[i], parent_id: `\${azurerm_user_assigned_identity.${names[i]}.id}` })])),
    },
  };
}

/** Ten subjects closer to the deployer's than any case variant (35 characters in common): they fill the sample, and no lax matcher takes them for it. */
const CLOSER = Array.from({ length: 10 }, (_, i) => `spiffe://prod.example/agent/deployeX${i}`);
const FAR = Array.from({ length: 6 }, (_, i) => `spiffe://batch.example/job-${i}`);
const deployerResult = (results: Awaited<ReturnType<typeof probeAzureLocally>>) => results.find((r) => r.checkId === 'AGC-AZ-011' && r.gate.endsWith('.deployer'))!;

describe('AGC-AZ-011: subjects other identities trust', () => {
  test('every credential exact: probed with the closest subjects, not all of them; PASS saying how many were left out and why; the run sends its plan', async () => {
    const sources = tfSourceOf(azureConfiguration({ extra: otherIdentities([...CLOSER, ...FAR]) }));
    const run = await runAzureConformance({ sources, target: 'local', ratePerSecond: Infinity, tags: ['AGC-AZ-011'], emulator: { tokenRequestsPerMinute: Infinity } });
    const deployer = deployerResult([...run.results]);
    expect(deployer.status).toBe('PASS');
    expect(deployer.evidence?.foreignSubjects).toEqual({ distinct: 16, probed: FOREIGN_SAMPLE_SIZE, notProbed: 16 - FOREIGN_SAMPLE_SIZE, notProbedWhy: expect.stringContaining('a subject it does not name cannot match') });
    expect(deployer.reason).toContain(`${16 - FOREIGN_SAMPLE_SIZE} of 16 subjects other identities trust not probed: each credential of this identity matches its subject exactly`);
    // The closest are in; the batch subjects (nothing in common past the scheme) are not.
    expect(deployer.reason).toContain("subject 'spiffe://prod.example/agent/deployeX0'");
    expect(deployer.reason).not.toContain('spiffe://batch.example/');
    expect(run.requests).toBe(run.plan.planned);
  }, 30_000);

  test('a tenant matching subjects ignoring case: another identity’s case variant of the subject, outside the closest, is probed because a lax matcher admits it — FAIL', async () => {
    const sources = tfSourceOf(azureConfiguration({ extra: otherIdentities([...CLOSER, 'spiffe://prod.example/agent/Deployer']) }));
    const strict = deployerResult(await probeAzureLocally(sources, { tags: ['AGC-AZ-011'] }));
    expect(`${strict.status}: ${strict.reason}`).toMatch(/^PASS/);
    expect(strict.reason).toContain("subject 'spiffe://prod.example/agent/Deployer', which identity");
    const lax = deployerResult(await probeAzureLocally(sources, { tags: ['AGC-AZ-011'], emulator: { behaviour: { subjectMatching: 'case-insensitive' } } }));
    expect(lax.status).toBe('FAIL');
    expect(lax.reason).toMatch(/subject 'spiffe:\/\/prod\.example\/agent\/Deployer', which identity .*other10 trusts: an access token was issued/);
  }, 30_000);

  test('a flexible credential admitting another identity’s subject: that subject is planned and sent, and a tenant applying the expression issues a token — FAIL', async () => {
    const userKey = generateIssuerKey('RS256');
    const configuration = azureConfiguration({ extra: otherIdentities([...CLOSER, ...FAR]) }) as { resource: Record<string, Record<string, unknown>> };
    // The deployer as an app registration: the only identity Entra gives flexible credentials.
    delete configuration.resource.azurerm_user_assigned_identity.deployer;
    delete (configuration.resource.azurerm_federated_identity_credential as Record<string, unknown>).spire;
    configuration.resource.azurerm_role_assignment = {};
    configuration.resource.azuread_application = { deployer: { display_name: 'deployer' } };
    configuration.resource.azuread_service_principal = { deployer: { client_id: '${azuread_application.deployer.client_id}' } };
    configuration.resource.azuread_application_federated_identity_credential = {
      spire: { application_id: '${azuread_application.deployer.id}', display_name: 'spire', issuer: ISSUER, subject: DEPLOYER_SPIFFE_ID, audiences: ['api://AzureADTokenExchange'] },
    };
    configuration.resource.azuread_application_flexible_federated_identity_credential = {
      batch: { application_id: '${azuread_application.deployer.id}', display_name: 'batch', issuer: ISSUER, audience: 'api://AzureADTokenExchange', claims_matching_expression: "claims['sub'] matches 'spiffe://batch.example/job-3*'" },
    };
    const sources = tfSourceOf(configuration);
    const emulator = await startAzureEmulator({ sources, issuerKeys: [userKey] });
    try {
      const identities = [...emulator.world.identities.values()];
      const deployer = identities.find((i) => i.origins.some((o) => o.endsWith('azuread_application.deployer')))!;
      // The emulator does not emulate flexible credentials: in front of it, a tenant that applies this one — a real token of the deployer for what the expression admits.
      const issued = await new AzureHttpProbeTarget({ name: 'emulator', authorityHost: emulator.authorityHost, caPem: emulator.caPem }).requestToken(emulator.tenantId, {
        grant_type: 'client_credentials',
        client_id: deployer.clientId,
        scope: 'https://management.azure.com/.default',
        client_assertion_type: JWT_BEARER_ASSERTION_TYPE,
        client_assertion: signJwt(userKey, { iss: ISSUER, sub: DEPLOYER_SPIFFE_ID, aud: 'api://AzureADTokenExchange' }),
      });
      expect(issued).toMatchObject({ kind: 'response', status: 200 });
      const admitted = (body: string) => {
        const form = new URLSearchParams(body);
        const assertion = form.get('client_assertion')?.split('.')[1];
        const claims = assertion ? (JSON.parse(Buffer.from(assertion, 'base64url').toString('utf8')) as { sub?: string }) : {};
        return form.get('client_id') === deployer.clientId && /^spiffe:\/\/batch\.example\/job-3/.test(claims.sub ?? '');
      };
      const tls = await createServerTls();
      const proxy = await startFaultProxy({
        upstream: emulator.authorityHost,
        upstreamCa: emulator.caPem,
        tls: { key: tls.privateKeyPem, cert: tls.certificatePem },
        rules: [{ match: (r) => r.method === 'POST' && admitted(r.body), mode: { kind: 'status', status: 200, body: (issued as { body: string }).body, headers: { 'content-type': 'application/json; charset=utf-8' } } }],
      });
      try {
        const run = await runAzureConformance({
          sources,
          target: 'azure',
          endpoints: { authorityHost: proxy.url, caPem: tls.caPem },
          tenantId: emulator.tenantId,
          clientIds: Object.fromEntries(identities.flatMap((i) => i.origins.map((o) => [o, i.clientId]))),
          issuerKeys: [userKey],
          issuerJwks: Object.fromEntries([...emulator.playedIssuers].map(([iss, played]) => [iss, played.jwks])),
          ratePerSecond: Infinity,
          tags: ['AGC-AZ-011'],
        });
        const result = run.results.find((r) => r.checkId === 'AGC-AZ-011' && r.gate.endsWith('azuread_application.deployer'))!;
        // Sent — the one request the tenant answered by the expression — and planned: the run sends exactly its plan.
        expect(proxy.requests.filter((r) => r.mode.kind === 'status')).toHaveLength(1);
        expect(run.requests).toBe(run.plan.planned);
        // The other batch subjects, which the expression does not admit, are left out with the count.
        expect(result.evidence?.foreignSubjects).toMatchObject({ distinct: 16, probed: FOREIGN_SAMPLE_SIZE + 1, notProbed: 16 - FOREIGN_SAMPLE_SIZE - 1 });
        expect(result.status).toBe('FAIL');
        expect(result.reason).toMatch(/subject 'spiffe:\/\/batch\.example\/job-3', which identity .* trusts: an access token was issued/);
      } finally {
        await proxy.close();
      }
    } finally {
      await emulator.close();
    }
  }, 60_000);
});
