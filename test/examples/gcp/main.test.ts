import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Testing as TfTesting } from 'cdktf';
import { GCP_EXAMPLE_PROJECT, buildGcpExample, exampleJwksFile } from '../../../examples/gcp/main';
import { generateIssuerKey } from '../../../conformance/oidc/issuer-key';
import { checkedJwks } from '../../../lib/gcp/private/jwks';
import { annotations, gateManifestIn, onlyResource } from '../../fixtures/cdktf';
import { awsDeployerIdentity } from '../../fixtures/aws-example';

const SPIFFE = 'spiffe://prod.example/agent/deployer';

describe('examples/gcp', () => {
  const { app, stack } = buildGcpExample(TfTesting.app());
  TfTesting.synth(stack);
  const tf = stack.toTerraform() as { resource: Record<string, Record<string, Record<string, unknown>>>; terraform: { backend: { local: { path: string } } } };

  test('a provider whose condition pins the deployer’s SPIFFE ID, with the inline JWKS', () => {
    expect(onlyResource(tf, 'google_iam_workload_identity_pool_provider')).toMatchObject({
      attribute_condition: `assertion.sub == '${SPIFFE}' && (assertion.aud in ['gcp'] || assertion.aud.exists(a, a in ['gcp']))`,
      oidc: { issuer_uri: 'https://oidc.prod.example', allowed_audiences: ['gcp'], jwks_json: JSON.stringify(JSON.parse(fs.readFileSync(path.join(__dirname, '../../../examples/gcp/spire-jwks.json'), 'utf8'))) },
    });
  });

  test('a service account bound to exactly the principal://…/subject/… of the deployer, with roles/editor', () => {
    expect(onlyResource(tf, 'google_service_account_iam_member')).toMatchObject({
      role: 'roles/iam.workloadIdentityUser',
      member: expect.stringMatching(new RegExp(`^principal://iam\\.googleapis\\.com/\\$\\{google_iam_workload_identity_pool\\.\\w+\\.name\\}/subject/${SPIFFE}$`)),
    });
    expect(onlyResource(tf, 'google_project_iam_member')).toMatchObject({ project: GCP_EXAMPLE_PROJECT, role: 'roles/editor' });
  });

  test('the deployer’s gate and service account are watched in the example project, alerts to its Pub/Sub topic', () => {
    expect(stack.gate.monitor!.watchedProviders).toEqual([stack.gate.provider]);
    expect(stack.deployer.monitor).toBe(stack.gate.monitor);
    expect(Object.values(tf.resource.google_project_iam_audit_config).map((c) => c.service)).toEqual(['sts.googleapis.com', 'iam.googleapis.com']);
    expect(onlyResource(tf, 'google_pubsub_topic')).toMatchObject({ project: GCP_EXAMPLE_PROJECT, name: 'attestgate-signals-attestgate-gcp-example' });
    expect(Object.keys(tf.resource.google_monitoring_alert_policy)).toHaveLength(5);
  });

  test('the deployer’s step-up on the tool server is watched, notified to the same topic', () => {
    expect(stack.stepUp.identities).toEqual(['spiffe://prod.example/agent/deployer']);
    const alert = tf.resource.google_monitoring_alert_policy[Object.keys(tf.resource.google_monitoring_alert_policy).find((k) => k.startsWith('ToolServerStepUp'))!];
    expect(alert.notification_channels).toEqual(tf.resource.google_monitoring_alert_policy[Object.keys(tf.resource.google_monitoring_alert_policy)[0]].notification_channels);
    expect((alert.conditions as Array<{ condition_prometheus_query_language: { query: string } }>)[0].condition_prometheus_query_language.query).toContain('monitored_resource="cloud_run_revision"');
  });

  test('the committed JWKS is public only, and the backend path is relative', () => {
    expect(() => checkedJwks(fs.readFileSync(path.join(__dirname, '../../../examples/gcp/spire-jwks.json'), 'utf8'), 'spire-jwks.json')).not.toThrow();
    expect(tf.terraform.backend.local.path).toBe('terraform.attestgate-gcp-example.tfstate');
  });

  test('the same deployer identity as the AWS example', () => {
    expect(gateManifestIn(tf, 'google_iam_workload_identity_pool_provider').identity).toEqual(awsDeployerIdentity());
  });

  test('synthesizes without findings', () => {
    expect(() => app.synth()).not.toThrow();
    expect(annotations(stack, 'error')).toEqual([]);
  });

  test('another JWKS can be uploaded: the jwksFile option, else ATTESTGATE_GCP_JWKS, else the committed file', () => {
    // GIVEN a JWKS of a key the test holds
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-jwks-')), 'jwks.json');
    const jwks = { keys: [generateIssuerKey().publicJwk] };
    fs.writeFileSync(file, JSON.stringify(jwks));
    // WHEN the example is built with it
    const other = buildGcpExample(TfTesting.app(), { jwksFile: file });
    const synthesized = other.stack.toTerraform() as { resource: Record<string, Record<string, Record<string, unknown>>> };
    // THEN the provider uploads it; the file is chosen option first, then the environment
    expect(onlyResource(synthesized, 'google_iam_workload_identity_pool_provider')).toMatchObject({ oidc: { jwks_json: JSON.stringify(jwks) } });
    const previous = process.env.ATTESTGATE_GCP_JWKS;
    try {
      process.env.ATTESTGATE_GCP_JWKS = '/from/env.json';
      expect(exampleJwksFile()).toBe('/from/env.json');
      expect(exampleJwksFile('/given.json')).toBe('/given.json');
      delete process.env.ATTESTGATE_GCP_JWKS;
      expect(exampleJwksFile()).toBe(path.join(__dirname, '../../../examples/gcp/spire-jwks.json'));
    } finally {
      if (previous === undefined) delete process.env.ATTESTGATE_GCP_JWKS;
      else process.env.ATTESTGATE_GCP_JWKS = previous;
    }
  });
});
