import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { exampleTemplate, writeTestPki } from '../../fixtures/conformance';
import { writeIssuerKey } from '../../fixtures/gcp-conformance';
import { writeTerraformExamples } from '../../fixtures/terraform-examples';
import { runCli } from '../../fixtures/cli';
import { agentIdConfiguration } from '../../fixtures/entra-agent-id';
import { sourceOf } from '../../fixtures/conformance';
import { exampleGcpSources } from '../../fixtures/gcp-conformance';
import { azureExampleConfiguration, tfSourceOf } from '../../fixtures/azure-conformance';
import { AWS_CLI } from '../../../conformance/aws/cli';
import { GCP_CLI } from '../../../conformance/gcp/cli';
import { AZURE_CLI } from '../../../conformance/azure/cli';
import { SharedValues } from '../../../conformance/cli/cloud-cli';
import { EMULATOR_OPTIONS } from '../../../conformance/cli/emulator-command';
import { startAwsEmulator } from '../../../conformance/emulator/aws-emulator';
import { startGcpEmulator } from '../../../conformance/emulator/gcp-emulator';
import { startAzureEmulator } from '../../../conformance/emulator/azure-emulator';

// The real emulators, recorded: what each cloud's command-line part starts them with is the point
// of the --no-throttle tests (the quotas themselves, Infinity included, are the emulators' tests).
jest.mock('../../../conformance/emulator/aws-emulator', () => {
  const real = jest.requireActual('../../../conformance/emulator/aws-emulator');
  return { ...real, startAwsEmulator: jest.fn(real.startAwsEmulator) };
});
jest.mock('../../../conformance/emulator/gcp-emulator', () => {
  const real = jest.requireActual('../../../conformance/emulator/gcp-emulator');
  return { ...real, startGcpEmulator: jest.fn(real.startGcpEmulator) };
});
jest.mock('../../../conformance/emulator/azure-emulator', () => {
  const real = jest.requireActual('../../../conformance/emulator/azure-emulator');
  return { ...real, startAzureEmulator: jest.fn(real.startAzureEmulator) };
});

describe('attestgate emulator', () => {
  test('serves every cloud with gates, prints their endpoints as one JSON line, and cleans up on SIGTERM', async () => {
    const pki = await writeTestPki();
    const templateFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-emu-')), 'Example.template.json');
    fs.writeFileSync(templateFile, JSON.stringify(exampleTemplate(pki)));
    const cdktfOut = writeTerraformExamples(writeIssuerKey().jwksFile);
    const bin = path.join(__dirname, '../../../bin/attestgate');
    const child = spawn(bin, ['emulator', '--app', templateFile, '--app', cdktfOut]);
    try {
      const line = await new Promise<string>((resolve, reject) => {
        readline.createInterface({ input: child.stdout }).once('line', resolve);
        child.once('exit', (code) => reject(new Error(`exited with ${code}`)));
      });
      const endpoints = JSON.parse(line);
      expect(endpoints.aws.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(endpoints.aws.roles.length).toBeGreaterThan(0);
      expect(endpoints.gcp.stsTokenUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\/token$/);
      expect(endpoints.gcp.providers[0].stsAudience).toMatch(/^\/\/iam\.googleapis\.com\/projects\/\d+\/locations\/global\/workloadIdentityPools\//);
      expect(endpoints.azure.authorityHost).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(endpoints.azure.identities[0].clientId).toMatch(/^[0-9a-f-]{36}$/);
      expect(fs.readFileSync(endpoints.azure.caFile, 'utf8')).toContain('BEGIN CERTIFICATE');
      for (const cloud of ['aws', 'gcp', 'azure']) expect(endpoints[cloud].problems).toEqual([]);

      // The STS answers as Google's does: a token exchange without a subject token is refused.
      const sts = await fetch(endpoints.gcp.stsTokenUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ grantType: 'urn:ietf:params:oauth:grant-type:token-exchange' }) });
      expect(sts.status).toBe(400);

      child.kill('SIGTERM');
      expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(0);
      expect(fs.existsSync(endpoints.azure.caFile)).toBe(false);
    } finally {
      child.kill('SIGKILL');
    }
  });

  test('an Entra agent identity alone is a gate to emulate: the blueprint and the agent identity with the blueprint’s client ID, for the two legs', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-emu-')), 'agents.tf.json');
    const configuration = agentIdConfiguration('spire-blueprint');
    // Nothing but Agent ID: no managed identity, no app registration.
    expect(Object.keys(configuration.resource).sort()).toEqual(['azurerm_role_assignment', 'msgraph_resource']);
    fs.writeFileSync(file, JSON.stringify(configuration));
    const child = spawn(path.join(__dirname, '../../../bin/attestgate'), ['emulator', '--app', file]);
    try {
      const line = await new Promise<string>((resolve, reject) => {
        readline.createInterface({ input: child.stdout }).once('line', resolve);
        child.once('exit', (code) => reject(new Error(`exited with ${code}`)));
      });
      const { azure } = JSON.parse(line);
      const blueprint = azure.identities.find((i: { kind: string }) => i.kind === 'agent-blueprint');
      expect(blueprint.federatedCredentials).toEqual([{ issuer: 'https://oidc.prod.example', subject: 'spiffe://prod.example/agent/deployer', audiences: ['api://AzureADTokenExchange'] }]);
      expect(azure.identities.find((i: { kind: string }) => i.kind === 'agent-identity')).toMatchObject({ name: 'deployer', blueprintClientId: blueprint.clientId, federatedCredentials: [] });
      expect(azure.identities.map((i: { kind: string }) => i.kind).sort()).toEqual(['agent-blueprint', 'agent-identity']);
      expect(azure.problems).toEqual([]);
    } finally {
      child.kill('SIGKILL');
    }
  });

  test('a port in use is a usage error naming the option', async () => {
    const pki = await writeTestPki();
    const templateFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-emu-')), 'Example.template.json');
    fs.writeFileSync(templateFile, JSON.stringify(exampleTemplate(pki)));
    const taken = net.createServer();
    const port = await new Promise<number>((resolve) => taken.listen(0, '127.0.0.1', () => resolve((taken.address() as net.AddressInfo).port)));
    try {
      const { code, err } = await runCli(['emulator', '--app', templateFile, '--port', String(port)]);
      expect(code).toBe(64);
      expect(err).toContain(`--port ${port}: the port is in use; pick another, or 0 for any free one`);
    } finally {
      taken.close();
    }
  });

  test('apps without any gate are a usage error', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-emu-')), 'Empty.template.json');
    fs.writeFileSync(file, JSON.stringify({ Resources: { Bucket: { Type: 'AWS::S3::Bucket' } } }));
    const { code, err } = await runCli(['emulator', '--app', file]);
    expect(code).toBe(64);
    expect(err).toContain(`no gate found in ${file}: nothing to emulate`);
  });

  describe('--no-throttle', () => {
    /** Serves each cloud's example through its command-line part, and returns what its emulator was started with. */
    async function startedWith(shared: SharedValues): Promise<{ aws: unknown; gcp: unknown; azure: unknown }> {
      const pki = await writeTestPki();
      jest.mocked(startAwsEmulator).mockClear();
      jest.mocked(startGcpEmulator).mockClear();
      jest.mocked(startAzureEmulator).mockClear();
      const served = [
        await AWS_CLI.emulator.serve(sourceOf(exampleTemplate(pki)), 0, { privateCas: new Map() }, shared),
        await GCP_CLI.emulator.serve(exampleGcpSources(writeIssuerKey().jwksFile), 0, null, shared),
        await AZURE_CLI.emulator.serve(tfSourceOf(azureExampleConfiguration(), 'cdk.tf.json'), 0, { issuerJwks: {} }, shared),
      ];
      await Promise.all(served.map((s) => s.close()));
      return { aws: jest.mocked(startAwsEmulator).mock.calls[0][0], gcp: jest.mocked(startGcpEmulator).mock.calls[0][0], azure: jest.mocked(startAzureEmulator).mock.calls[0][0] };
    }

    test('is an option of the emulator command, off unless given', () => {
      expect(EMULATOR_OPTIONS['no-throttle']).toEqual({ type: 'boolean', default: false });
    });

    test('switches off every emulator’s quotas: AWS CreateSession and STS, GCP STS and IAM credentials, the Entra token endpoint', async () => {
      const started = await startedWith({ variables: {}, noThrottle: true });
      expect(started.aws).toMatchObject({ createSessionRatePerSecond: Infinity, stsRatePerSecond: Infinity });
      expect(started.gcp).toMatchObject({ requestsPerMinute: { sts: Infinity, iamCredentials: Infinity } });
      expect(started.azure).toMatchObject({ tokenRequestsPerMinute: Infinity });
    });

    test('without it, each emulator keeps its cloud’s quotas (its defaults)', async () => {
      const started = await startedWith({ variables: {} });
      expect(started.aws).not.toHaveProperty('createSessionRatePerSecond');
      expect(started.aws).not.toHaveProperty('stsRatePerSecond');
      expect(started.gcp).not.toHaveProperty('requestsPerMinute');
      expect(started.azure).not.toHaveProperty('tokenRequestsPerMinute');
    });
  });
});
