import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.join(__dirname, '..');

/** Runs a Node script from the repository root, as a user of the built package would. */
function node(script: string): string {
  return execFileSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' });
}

describe('packaging (runs against dist/, which `npm test` builds first)', () => {
  test('attestgate/aws resolves through exports and loads no cdktf module', () => {
    const loaded = JSON.parse(
      node(`
        const aws = require('attestgate/aws');
        if (typeof aws.AttestedRole !== 'function' || typeof aws.AttestationChecks !== 'function') throw new Error('exports missing');
        console.log(JSON.stringify(Object.keys(require.cache).filter((f) => /[\\\\/](cdktf|@cdktf)[\\\\/]/.test(f))));
      `),
    );
    expect(loaded).toEqual([]);
  });

  test('attestgate/aws loads @bufbuild/cel lazily: not at import', () => {
    const loaded = JSON.parse(node(`require('attestgate/aws'); console.log(JSON.stringify(Object.keys(require.cache).filter((f) => f.includes('@bufbuild'))));`));
    expect(loaded).toEqual([]);
  });

  /** The @cdktf/provider-* modules an entry point loads, as `package/lib/module`. */
  function providerModules(entry: string, check: string): string[] {
    return JSON.parse(
      node(`
        const m = require('${entry}');
        if (${check}) throw new Error('exports missing');
        const files = Object.keys(require.cache).filter((f) => /[\\\\/]@cdktf[\\\\/]provider-/.test(f));
        console.log(JSON.stringify([...new Set(files.map((f) => f.replace(/\\\\/g, '/').replace(/.*@cdktf\\/(provider-[^/]+)\\/lib\\/([^/]+).*/, '$1/lib/$2')))].sort()));
      `),
    );
  }

  test('attestgate/gcp deep-imports provider-google only: no provider barrel, nothing of azurerm', () => {
    const modules = providerModules('attestgate/gcp', "typeof m.AttestedServiceAccount !== 'function' || typeof m.TerraformAttestationAspect !== 'function'");
    expect(modules).toEqual([
      'provider-google/lib/data-google-project',
      'provider-google/lib/iam-workload-identity-pool',
      'provider-google/lib/iam-workload-identity-pool-provider',
      'provider-google/lib/logging-metric',
      'provider-google/lib/monitoring-alert-policy',
      'provider-google/lib/monitoring-notification-channel',
      'provider-google/lib/project-iam-audit-config',
      'provider-google/lib/project-iam-member',
      'provider-google/lib/pubsub-topic',
      'provider-google/lib/pubsub-topic-iam-member',
      'provider-google/lib/service-account',
      'provider-google/lib/service-account-iam-member',
    ]);
  });

  test('attestgate/azure deep-imports provider-azurerm only: no provider barrel, nothing of google', () => {
    const modules = providerModules('attestgate/azure', "typeof m.AttestedManagedIdentity !== 'function'");
    expect(modules).toEqual([
      'provider-azurerm/lib/federated-identity-credential',
      'provider-azurerm/lib/log-analytics-workspace',
      'provider-azurerm/lib/monitor-aad-diagnostic-setting',
      'provider-azurerm/lib/monitor-action-group',
      'provider-azurerm/lib/monitor-activity-log-alert',
      'provider-azurerm/lib/monitor-scheduled-query-rules-alert-v2',
      'provider-azurerm/lib/role-assignment',
      'provider-azurerm/lib/user-assigned-identity',
    ]);
  });

  test('attestgate and attestgate/core load no CDK at all', () => {
    const loaded = JSON.parse(
      node(`
        require('attestgate'); require('attestgate/core');
        console.log(JSON.stringify(Object.keys(require.cache).filter((f) => /[\\\\/](aws-cdk-lib|cdktf|@cdktf)[\\\\/]/.test(f))));
      `),
    );
    expect(loaded).toEqual([]);
  });

  test('attestgate/spiffe resolves through exports and loads no AWS CDK or cdktf', () => {
    const loaded = JSON.parse(
      node(`
        const spiffe = require('attestgate/spiffe');
        for (const name of ['SpiffeRegistration', 'AgentClusterSpiffeId', 'AgentClusterStaticEntry', 'SpiffeAttestationChecks', 'checkSpiffeRegistrations', 'entryBatch']) {
          if (typeof spiffe[name] !== 'function') throw new Error(name + ' missing');
        }
        console.log(JSON.stringify(Object.keys(require.cache).filter((f) => /[\\/](aws-cdk-lib|cdktf|@cdktf)[\\/]/.test(f))));
      `),
    );
    expect(loaded).toEqual([]);
  });

  test('attestgate/step-up resolves through exports and loads no CDK, cdktf, cloud SDK, web framework or HTTP client library (axios is hooked, not imported)', () => {
    const loaded = JSON.parse(
      node(`
        const s = require('attestgate/step-up');
        if (typeof s.stepUpGuard !== 'function' || typeof s.stepUpFetch !== 'function' || typeof s.stepUpAxios !== 'function' || s.ACR.ATTESTED_FRESH !== 'urn:attestgate:acr:attested-fresh') throw new Error('exports missing');
        console.log(JSON.stringify(Object.keys(require.cache).filter((f) => /[\\\\/](aws-cdk-lib|cdktf|@cdktf|@aws-sdk|express|fastify|constructs|axios)[\\\\/]/.test(f))));
      `),
    );
    expect(loaded).toEqual([]);
  });

  test('bin/attestgate is executable and runs', () => {
    const bin = path.join(root, 'bin', 'attestgate');
    expect(() => fs.accessSync(bin, fs.constants.X_OK)).not.toThrow();
    expect(execFileSync(bin, ['help'], { encoding: 'utf8' })).toContain('Usage: attestgate <command>');
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    expect(pkg.bin).toEqual({ attestgate: 'bin/attestgate', 'attestgate-gcp-executable': 'bin/attestgate-gcp-executable' });
  });

  test('bin/attestgate-gcp-executable is executable and answers in the executable-response format only', () => {
    const bin = path.join(root, 'bin', 'attestgate-gcp-executable');
    expect(() => fs.accessSync(bin, fs.constants.X_OK)).not.toThrow();
    const result = spawnSync(bin, [], { encoding: 'utf8', env: { ...process.env, GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE: '//iam.googleapis.com/x', SPIFFE_ENDPOINT_SOCKET: 'unix:///nonexistent/agent.sock' } });
    // google-auth-library reads stdout and stderr together: nothing but the JSON may appear.
    expect([result.status, result.stderr]).toEqual([1, '']);
    expect(JSON.parse(result.stdout)).toMatchObject({ version: 1, success: false, code: 'Unavailable' });
  });

  test('the Workload API client finds the vendored workload.proto in dist/', () => {
    const loaded = node(`
      const { WorkloadApiClient, WORKLOAD_PROTO_PATH } = require('attestgate/credentials');
      new WorkloadApiClient({ address: 'unix:///nonexistent/agent.sock' }).close();
      console.log(JSON.stringify(WORKLOAD_PROTO_PATH.replace(/\\\\/g, '/').split('/').slice(-5)));
    `);
    expect(JSON.parse(loaded)).toEqual(['dist', 'lib', 'spiffe', 'workload-api', 'workload.proto']);
  });
});
