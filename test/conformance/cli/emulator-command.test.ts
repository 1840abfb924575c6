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
});
