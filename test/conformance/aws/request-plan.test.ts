import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { synthAwsGateTemplates } from '../../../bench/aws-gate-templates';
import { AWS_CHECKS } from '../../../conformance/checks/aws';
import { discoverAwsGates } from '../../../conformance/aws/discover-gates';
import { AwsProbeContext, AwsProbeTarget, ResolvedAwsGate } from '../../../conformance/aws/probe-context';
import { resolveAwsGates } from '../../../conformance/aws/resolve-gates';
import { runAwsConformance } from '../../../conformance/aws/run-aws-conformance';
import { TemplateSource } from '../../../conformance/discovery/sources';
import { HttpOutcome } from '../../../conformance/engine/http-outcome';
import { PlannedRequest } from '../../../conformance/engine/request-plan';
import { RateLimiter } from '../../../conformance/engine/retry';
import { runGates } from '../../../conformance/engine/runner';
import { PkiMaterial, loadPkiDirectory } from '../../../conformance/pki/pki-directory';
import { createCa, createCrl, privateKeyPem, randomSerial } from '../../../conformance/pki/throwaway-pki';
import { TemplateModel } from '../../../lib/model/aws/template';

const ISSUER = { CN: 'attestgate Plan Test CA', O: 'attestgate tests' };

let pki: PkiMaterial;
let caPem: string;
let crlPem: string;

beforeAll(async () => {
  const ca = await createCa({ subject: ISSUER });
  const crl = await createCrl({ issuer: ca, revokedSerials: [randomSerial()] });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-plan-pki-'));
  fs.writeFileSync(path.join(dir, 'ca.crt'), ca.pem);
  fs.writeFileSync(path.join(dir, 'ca.key'), await privateKeyPem(ca.keys));
  pki = loadPkiDirectory(dir);
  caPem = ca.pem;
  crlPem = crl.pem;
});

/**
 * One gate's template under several stack names, as if each template described the same
 * deployment (the lookup gives every stack the same ARNs): the only way two gates can send
 * identical requests. `edit` changes one thing in a copy.
 */
function gatesOf(variants: Record<string, (template: Record<string, any>) => void>, profileArnOf: (stack: string) => string = () => 'arn:aws:rolesanywhere:us-east-1:111122223333:profile/shared'): ResolvedAwsGate[] {
  const [source] = synthAwsGateTemplates({ count: 1, caPem, crlPem, issuer: ISSUER });
  const sources: TemplateSource[] = Object.entries(variants).map(([stackName, edit]) => {
    const template = JSON.parse(JSON.stringify(source.model.template)) as Record<string, any>;
    edit(template);
    return { stackName, file: `${stackName}.template.json`, model: TemplateModel.parse(template, stackName) };
  });
  const resolved = resolveAwsGates(discoverAwsGates(sources), (stack, logicalId, type) =>
    type === 'role' ? `arn:aws:iam::111122223333:role/${logicalId}` : type === 'profile' ? profileArnOf(stack) : `arn:aws:rolesanywhere:us-east-1:111122223333:trust-anchor/${logicalId}`,
  pki);
  // In the order the variants were given (discovery sorts gates by ID).
  return Object.keys(variants).map((stack) => resolved.find((g) => g.gate.stackName === stack)!);
}

const unchanged = () => {};
/** The role's trust condition admits a second CN: everything else as deployed. */
const secondCn = (template: Record<string, any>) => {
  const role = Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::IAM::Role');
  role.Properties.AssumeRolePolicyDocument.Statement[0].Condition.StringEquals['aws:PrincipalTag/x509Subject/CN'] = ['agent-0', 'agent-0-ops'];
};

/** A target that answers every CreateSession with AWS's denial, counting what it is sent. */
function denyingTarget(): AwsProbeTarget & { sent: number } {
  return {
    name: 'denying',
    region: 'us-east-1',
    rolesAnywhereEndpoint: 'http://127.0.0.1:9',
    sent: 0,
    async send(): Promise<HttpOutcome> {
      this.sent++;
      return { kind: 'response', status: 403, headers: { 'x-amzn-errortype': 'AccessDeniedException' }, body: JSON.stringify({ message: 'Unable to assume role for arn: x' }) };
    },
    async assumeRoleUnattested() {
      return { unavailable: 'not in this test' };
    },
    async createTrustAnchor() {
      return { arn: 'arn:aws:rolesanywhere:us-east-1:111122223333:trust-anchor/attacker', remove: async () => {} };
    },
  };
}

const contextOf = (target: AwsProbeTarget) => new AwsProbeContext({ target, limiter: new RateLimiter(Infinity), retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 }, allowMutations: true });
const plannedOf = (gate: ResolvedAwsGate, context: AwsProbeContext): PlannedRequest[] => AWS_CHECKS.flatMap((c) => c.plan!(gate, context));
const sessionKeys = (requests: readonly PlannedRequest[]) => new Set(requests.filter((r) => r.quota === 'aws:create-session').map((r) => r.key));
const common = (a: Set<string>, b: Set<string>) => [...a].filter((k) => b.has(k));

describe('the AWS request plan', () => {
  test('every AWS check plans its requests', () => {
    expect(AWS_CHECKS.filter((c) => !c.plan).map((c) => c.meta.id)).toEqual([]);
  });

  test('identical gates share every CreateSession; a gate differing only in its trust condition, or only in its profile, shares none', () => {
    const [original, copy, condition, profile] = gatesOf({ Original: unchanged, Copy: unchanged, Condition: secondCn, Profile: unchanged }, (stack) =>
      `arn:aws:rolesanywhere:us-east-1:111122223333:profile/${stack === 'Profile' ? 'other' : 'shared'}`,
    );
    const context = contextOf(denyingTarget());
    const keys = (gate: ResolvedAwsGate) => sessionKeys(plannedOf(gate, context));
    expect(keys(original).size).toBe(17);
    expect(keys(copy)).toEqual(keys(original));
    // The condition admits another CN (the SAN still pins the workload): the certificates are
    // minted from other material (materialIdOf takes every admitted value), so no request is the same.
    expect(condition.expected.admitted.get('x509subject/cn')).toEqual([{ value: 'agent-0', like: false }, { value: 'agent-0-ops', like: false }]);
    expect(common(keys(original), keys(condition))).toEqual([]);
    expect(common(keys(original), keys(profile))).toEqual([]);
    // What they do share, and why it is the same request: the unattested principal assuming the
    // same role ARN, and the run's one attacker trust anchor (created and deleted once).
    const others = (gate: ResolvedAwsGate) => plannedOf(gate, context).filter((r) => r.quota !== 'aws:create-session').map((r) => r.key);
    expect(others(condition)).toEqual(others(original));
    expect(others(original).map((k) => JSON.parse(k)[0])).toEqual(['rolesanywhere:CreateTrustAnchor', 'rolesanywhere:DeleteTrustAnchor', 'sts:AssumeRole']);
  });

  test('a shared positive control that fails leaves every dependent check of every gate sharing it INCONCLUSIVE, never PASS; it is sent once', async () => {
    const [original, copy] = gatesOf({ Original: unchanged, Copy: unchanged });
    const target = denyingTarget();
    const context = contextOf(target);
    const results = await runGates(
      [original, copy].map((gate) => ({ id: gate.gate.id, cloud: 'aws' as const, gate, context, checks: AWS_CHECKS })),
      { concurrency: 2 },
    );
    const controls = results.filter((r) => r.checkId === 'AGC-AWS-001');
    expect(controls.map((r) => r.status)).toEqual(['FAIL', 'FAIL']);
    // One control request for both gates; no mutation is sent without a control that passed.
    expect(target.sent).toBe(1);
    expect(controls.map((r) => r.attempts).sort()).toEqual([0, 1]);
    const reused = controls.find((r) => r.attempts === 0)!;
    expect(reused.evidence?.sharedRequests).toEqual([expect.objectContaining({ sentBy: expect.stringMatching(/^AGC-AWS-001 on /), reason: expect.stringContaining('CreateSession') })]);
    const dependents = results.filter((r) => r.checkId !== 'AGC-AWS-001');
    expect(dependents.filter((r) => r.status === 'PASS')).toEqual([]);
    for (const r of dependents.filter((d) => d.checkId !== 'AGC-AWS-016')) expect(r.status).toBe('INCONCLUSIVE');
  });

  test('20 gates on the emulator: the plan is what is sent, every check passes, and reuse is in the evidence', async () => {
    const sources = synthAwsGateTemplates({ count: 20, caPem, crlPem, issuer: ISSUER });
    const plans: unknown[] = [];
    const run = await runAwsConformance({ sources, pki, target: 'local', ratePerSecond: Infinity, emulator: { createSessionRatePerSecond: Infinity }, onPlan: (_, plan) => plans.push(plan) });
    expect(run.results.filter((r) => r.status !== 'PASS')).toEqual([]);
    expect(plans).toEqual([run.plan]);
    // Per gate: 36 requests needed (the control once for itself and once for each of 16 checks
    // that depend on it; the attacker anchor's create and delete); 17 CreateSession + 1 AssumeRole
    // sent; the attacker anchor once for the run.
    expect(run.plan).toMatchObject({ needed: 20 * 36, planned: 20 * 18 + 2, shared: 20 * 36 - (20 * 18 + 2), unplannedChecks: 0, unquoted: 20 });
    expect(run.plan.quotas.map((q) => [q.id, q.requests])).toEqual([['aws:create-session', 340], ['aws:trust-anchor-apis', 2]]);
    expect(run.plan.liveSeconds).toBe(34);
    expect(run.requests).toBe(run.plan.planned);
    const rogue = run.results.find((r) => r.checkId === 'AGC-AWS-002')!;
    expect(rogue.evidence?.sharedRequests).toEqual([expect.objectContaining({ request: 'CreateSession', sentBy: `AGC-AWS-001 on ${rogue.gate}` })]);
  });
});
