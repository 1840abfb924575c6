/**
 * bench/conformance: probes per second against the local emulator at 1, 10 and 100 gates, next
 * to the bare cryptographic work of one probe measured in the same run — sign a CreateSession
 * request, verify its signature, validate the certificate path — the physical limit of a probe
 * on this machine. Every check runs; the emulator's and the runner's rate limits are off (they
 * would measure the quota, not the suite).
 *
 *   npm run bench:conformance
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { App, Stack } from 'aws-cdk-lib';
import { AgentTrustAnchor, AttestedRole, TrustAnchorSource } from '../../lib/aws';
import { AgentIdentity, PrivilegeTier } from '../../lib/core';
import { signCreateSessionRequest, signatureMatches } from '../../lib/credentials/roles-anywhere/sign-request';
import { parseAuthorizationHeader, canonicalHeaders, canonicalRequest, payloadHash, stringToSign } from '../../lib/credentials/roles-anywhere/canonical-request';
import { runAwsConformance } from '../../conformance/aws/run-aws-conformance';
import { TemplateModel } from '../../lib/model/aws/template';
import { validatePath } from '../../conformance/emulator/x509/path-validation';
import { parseCertificate } from '../../lib/core/pki/certificate';
import { loadPkiDirectory } from '../../conformance/pki/pki-directory';
import { createCa, createCrl, issueLeaf, privateKeyPem, randomSerial } from '../../conformance/pki/throwaway-pki';

process.env.CDK_VALIDATION = 'false';
const ISSUER = { CN: 'attestgate Bench CA', O: 'attestgate bench' };

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-bench-pki-'));
  const ca = await createCa({ subject: ISSUER });
  const crl = await createCrl({ issuer: ca, revokedSerials: [randomSerial()] });
  fs.writeFileSync(path.join(dir, 'ca.crt'), ca.pem);
  fs.writeFileSync(path.join(dir, 'ca.key'), await privateKeyPem(ca.keys));
  const pki = loadPkiDirectory(dir);

  // The physical limit: the cryptographic work of one probe, nothing else.
  const leaf = await issueLeaf({ issuer: ca, subject: { CN: 'agent-0' }, sanUris: ['spiffe://bench.example/agent/agent-0'] });
  const key = crypto.KeyObject.from(leaf.keys.privateKey as unknown as crypto.webcrypto.CryptoKey);
  const publicKey = crypto.createPublicKey(key);
  const arn = (r: string) => `arn:aws:rolesanywhere:us-east-1:111122223333:${r}/00000000-0000-4000-a000-000000000000`;
  const bare = async (): Promise<void> => {
    const signed = signCreateSessionRequest({ certificate: leaf.der, privateKey: key, region: 'us-east-1', endpoint: 'http://127.0.0.1:1', trustAnchorArn: arn('trust-anchor'), profileArn: arn('profile'), roleArn: 'arn:aws:iam::111122223333:role/r' });
    const url = new URL(signed.url);
    const auth = parseAuthorizationHeader(signed.headers.Authorization);
    const headers = Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), v]));
    const canonical = canonicalRequest({ path: url.pathname, query: url.searchParams, headers: canonicalHeaders(headers, auth.signedHeaders), payloadHash: payloadHash(signed.body) });
    if (!signatureMatches(auth.algorithm, stringToSign(auth.algorithm, headers['x-amz-date'], auth.scope, canonical), auth.signature, publicKey)) throw new Error('signature');
    const path = validatePath({ leaf: parseCertificate(leaf.der), intermediates: [], trustAnchors: [parseCertificate(ca.der)], at: new Date() });
    if (!path.valid) throw new Error('path');
  };
  for (let i = 0; i < 50; i++) await bare();
  const iterations = 500;
  let start = performance.now();
  for (let i = 0; i < iterations; i++) await bare();
  const limit = iterations / ((performance.now() - start) / 1000);

  const rows: string[] = [];
  for (const n of [1, 10, 100]) {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-bench-out-')) });
    const stack = new Stack(app, 'Bench');
    const anchor = new AgentTrustAnchor(stack, 'Anchor', { source: TrustAnchorSource.fromCertificateBundle(ca.pem) });
    anchor.addCrl('Crl', crl.pem);
    for (let i = 0; i < n; i++) {
      new AttestedRole(stack, `Agent${i}`, {
        identity: new AgentIdentity({ name: `agent-${i}`, spiffeId: `spiffe://bench.example/agent/agent-${i}`, subject: { CN: `agent-${i}` }, issuingCa: ISSUER, privilege: PrivilegeTier.HIGH }),
        trustAnchors: [anchor],
      });
    }
    const template = app.synth().getStackByName('Bench').template;
    const sources = [{ stackName: 'Bench', file: 'Bench.template.json', model: TemplateModel.parse(template, 'Bench') }];
    start = performance.now();
    const run = await runAwsConformance({ sources, pki, target: 'local', ratePerSecond: Infinity, concurrency: 4, emulator: { createSessionRatePerSecond: Infinity } });
    const seconds = (performance.now() - start) / 1000;
    const notPass = run.results.filter((r) => r.status !== 'PASS');
    if (notPass.length > 0) throw new Error(`bench run not clean: ${notPass.map((r) => `${r.checkId} ${r.status} ${r.reason}`).join('; ')}`);
    const perSecond = run.requests / seconds;
    rows.push(`| ${n} | ${run.results.length} | ${run.requests} | ${seconds.toFixed(2)} | ${perSecond.toFixed(0)} | ${limit.toFixed(0)} | ${((perSecond / limit) * 100).toFixed(0)} % |`);
  }
  console.log(`bench/conformance — node ${process.version}, ${os.cpus().length} CPUs; bare probe crypto (sign + verify + path validation): ${limit.toFixed(0)}/s\n`);
  console.log('| gates | checks run | requests | wall s | probes/s | bare crypto/s | of the limit |');
  console.log('|---|---|---|---|---|---|---|');
  console.log(rows.join('\n'));
}

void main();
