import { runAwsConformance } from '../../../conformance/aws/run-aws-conformance';
import { loadPkiDirectory } from '../../../conformance/pki/pki-directory';
import { PkiOnDisk, exampleTemplate, probeLocally, sourceOf, statusesOf, writeTestPki } from '../../fixtures/conformance';

let pki: PkiOnDisk;
let template: Record<string, any>;
beforeAll(async () => {
  pki = await writeTestPki();
  template = exampleTemplate(pki);
});

const roleId = (t: Record<string, any>, name: string) => Object.keys(t.Resources).find((k) => k.startsWith(name) && t.Resources[k].Type === 'AWS::IAM::Role')!;
/** The profile listing a role: AttestedRole shares one among roles of the same gate settings. */
const profileOf = (t: Record<string, any>, name: string) =>
  Object.keys(t.Resources).find((k) => t.Resources[k].Type === 'AWS::RolesAnywhere::Profile' && JSON.stringify(t.Resources[k].Properties.RoleArns).includes(`"${roleId(t, name)}"`))!;
const clone = () => JSON.parse(JSON.stringify(template));
const deployerStatement = (t: Record<string, any>) => t.Resources[roleId(t, 'Deployer')].Properties.AssumeRolePolicyDocument.Statement[0];

describe('AWS conformance on the local emulator', () => {
  test('the example: every positive control passes and every mutation is denied', async () => {
    const results = await probeLocally(sourceOf(template), pki);
    expect(results).toHaveLength(38);
    expect(results.filter((r) => r.status !== 'PASS').map((r) => `${r.gate} ${r.checkId} ${r.status}: ${r.reason}`)).toEqual([]);
  });

  test('weakened: no aws:SourceArn pin — the foreign trust anchor gets the role (FAIL)', async () => {
    const weak = clone();
    delete deployerStatement(weak).Condition.ArnEquals;
    const statuses = statusesOf(await probeLocally(sourceOf(weak), pki, { tags: ['AGC-AWS-001', 'AGC-AWS-015'] }), 'Deployer');
    expect(statuses).toEqual({ 'AGC-AWS-001': 'PASS', 'AGC-AWS-015': 'FAIL' });
  });

  test('weakened: no subject condition — another CN from the same CA gets the role (FAIL)', async () => {
    const weak = clone();
    const conditions = deployerStatement(weak).Condition.StringEquals;
    for (const key of Object.keys(conditions)) if (/x509Subject|x509SAN/.test(key)) delete conditions[key];
    const statuses = statusesOf(await probeLocally(sourceOf(weak), pki, { tags: ['kind:negative', 'threat:wrong-common-name'] }), 'Deployer');
    // The positive control runs too: the filter selected a check that needs it.
    expect(statuses).toEqual({ 'AGC-AWS-001': 'PASS', 'AGC-AWS-003': 'FAIL' });
  });

  test('weakened: CRL disabled, or missing — a high-privilege gate fails the revocation check', async () => {
    const disabled = clone();
    const crlId = Object.keys(disabled.Resources).find((k) => disabled.Resources[k].Type === 'AWS::RolesAnywhere::CRL')!;
    disabled.Resources[crlId].Properties.Enabled = false;
    expect(statusesOf(await probeLocally(sourceOf(disabled), pki, { tags: ['AGC-AWS-006'] }), 'Deployer')).toEqual({ 'AGC-AWS-001': 'PASS', 'AGC-AWS-006': 'FAIL' });
    const missing = clone();
    delete missing.Resources[crlId];
    const results = await probeLocally(sourceOf(missing), pki, { tags: ['AGC-AWS-006'] });
    expect(statusesOf(results, 'Deployer')).toEqual({ 'AGC-AWS-001': 'PASS', 'AGC-AWS-006': 'FAIL' });
    // The read-only reader is not high privilege: missing revocation is reported, not failed.
    expect(statusesOf(results, 'Reader')).toEqual({ 'AGC-AWS-001': 'PASS', 'AGC-AWS-006': 'SKIPPED' });
  });

  test('a condition admitting more than the declared identity (StringLike on the CN with the SAN unpinned; a trust-domain SAN prefix): the probes send what it admits besides, and FAIL', async () => {
    const likeCn = clone();
    const cn = deployerStatement(likeCn).Condition.StringEquals;
    delete cn['aws:PrincipalTag/x509Subject/CN'];
    delete cn['aws:PrincipalTag/x509SAN/URI'];
    deployerStatement(likeCn).Condition.StringLike = { 'aws:PrincipalTag/x509Subject/CN': 'deploy*' };
    const prefixSan = clone();
    delete deployerStatement(prefixSan).Condition.StringEquals['aws:PrincipalTag/x509SAN/URI'];
    deployerStatement(prefixSan).Condition.StringLike = { 'aws:PrincipalTag/x509SAN/URI': 'spiffe://prod.example/*' };
    const results = await probeLocally([...sourceOf(likeCn, 'LikeCn.template.json'), ...sourceOf(prefixSan, 'PrefixSan.template.json')], pki, { tags: ['AGC-AWS-003', 'AGC-AWS-004'] });
    const of = (stack: string) => statusesOf(results.filter((r) => r.gate.startsWith(`${stack}/Deployer`)));
    expect(of('LikeCn')).toEqual({ 'AGC-AWS-001': 'PASS', 'AGC-AWS-003': 'FAIL', 'AGC-AWS-004': 'FAIL' });
    expect(of('PrefixSan')).toEqual({ 'AGC-AWS-001': 'PASS', 'AGC-AWS-003': 'PASS', 'AGC-AWS-004': 'FAIL' });
    expect(results.find((r) => r.gate.startsWith('LikeCn/Deployer') && r.checkId === 'AGC-AWS-003')!.reason).toMatch(/^a certificate with another CN the condition admits \("deployx"\)/);
    expect(results.find((r) => r.gate.startsWith('PrefixSan/Deployer') && r.checkId === 'AGC-AWS-004')!.reason).toMatch(/another URI SAN the condition admits \("spiffe:\/\/prod\.example\/x"\)/);
  });

  test('controls built from the whole trust policy, for brownfield roles: a Deny carve-out per attribute, and lowercase condition keys — clean, not a false FAIL', async () => {
    const brownfield = () => {
      const t = clone();
      delete t.Resources[roleId(t, 'Deployer')].Metadata;
      return t;
    };
    // An anchored Allow without attribute conditions, and one Deny per required attribute.
    const carveOut = brownfield();
    const allow = deployerStatement(carveOut);
    const required = allow.Condition.StringEquals;
    allow.Condition = { ArnEquals: allow.Condition.ArnEquals };
    carveOut.Resources[roleId(carveOut, 'Deployer')].Properties.AssumeRolePolicyDocument.Statement.push(
      ...Object.entries(required).map(([key, value]) => ({ Effect: 'Deny', Principal: { Service: 'rolesanywhere.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'], Condition: { StringNotEquals: { [key]: value } } })),
    );
    // The same keys spelled in lower case (IAM condition keys are case-insensitive).
    const lower = brownfield();
    const conditions = deployerStatement(lower).Condition.StringEquals;
    for (const key of Object.keys(conditions)) {
      const value = conditions[key];
      delete conditions[key];
      conditions[key.replace(/\/(CN|O)$/, (m) => m.toLowerCase())] = value;
    }
    const results = await probeLocally([...sourceOf(carveOut, 'CarveOut.template.json'), ...sourceOf(lower, 'Lower.template.json')], pki, { tags: ['AGC-AWS-001', 'AGC-AWS-003', 'AGC-AWS-004'] });
    for (const stack of ['CarveOut', 'Lower']) {
      expect(statusesOf(results.filter((r) => r.gate.startsWith(`${stack}/Deployer`)))).toEqual({ 'AGC-AWS-001': 'PASS', 'AGC-AWS-003': 'PASS', 'AGC-AWS-004': 'PASS' });
    }
  });

  test('weakened: an extra account principal — sts:AssumeRole without a certificate succeeds (FAIL)', async () => {
    const weak = clone();
    weak.Resources[roleId(weak, 'Deployer')].Properties.AssumeRolePolicyDocument.Statement.push({
      Effect: 'Allow',
      Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } },
      Action: 'sts:AssumeRole',
    });
    expect(statusesOf(await probeLocally(sourceOf(weak), pki, { tags: ['AGC-AWS-016', 'AGC-AWS-019'] }), 'Deployer')).toEqual({ 'AGC-AWS-001': 'PASS', 'AGC-AWS-016': 'FAIL', 'AGC-AWS-019': 'FAIL' });
  });

  test('weakened: a named CI role and a GitHub workflow may assume the role — the account’s probe principal is refused (AGC-AWS-016 PASS), but every path is judged: AGC-AWS-019 FAIL names both', async () => {
    const weak = clone();
    weak.Resources[roleId(weak, 'Deployer')].Properties.AssumeRolePolicyDocument.Statement.push(
      { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:role/ci-deployer' }, Action: 'sts:AssumeRole' },
      {
        Effect: 'Allow',
        Principal: { Federated: 'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com' },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:acme/*' } },
      },
    );
    const results = await probeLocally(sourceOf(weak), pki, { tags: ['AGC-AWS-016', 'AGC-AWS-019'] });
    expect(statusesOf(results, 'Deployer')).toEqual({ 'AGC-AWS-001': 'PASS', 'AGC-AWS-016': 'PASS', 'AGC-AWS-019': 'FAIL' });
    const reason = results.find((r) => r.gate.includes('Deployer') && r.checkId === 'AGC-AWS-019')!.reason;
    expect(reason).toMatch(/^2 unattested paths to the role’s credentials: AWS arn:aws:iam::111122223333:role\/ci-deployer via sts:AssumeRole: .*; Federated .*token\.actions\.githubusercontent\.com via sts:AssumeRoleWithWebIdentity/);
  });

  test('a profile accepting caller-chosen session names fails AGC-AWS-017', async () => {
    const weak = clone();
    const profileId = profileOf(weak, 'Deployer');
    weak.Resources[profileId].Properties.AcceptRoleSessionName = true;
    expect(statusesOf(await probeLocally(sourceOf(weak), pki, { tags: ['AGC-AWS-017'] }), 'Deployer')).toEqual({ 'AGC-AWS-001': 'PASS', 'AGC-AWS-017': 'FAIL' });
  });

  test('a profile issuing 12-hour sessions for a 1-hour identity fails AGC-AWS-018', async () => {
    const weak = clone();
    const profileId = profileOf(weak, 'Deployer');
    weak.Resources[profileId].Properties.DurationSeconds = 43200;
    weak.Resources[roleId(weak, 'Deployer')].Properties.MaxSessionDuration = 43200;
    expect(statusesOf(await probeLocally(sourceOf(weak), pki, { tags: ['AGC-AWS-018'] }), 'Deployer')).toEqual({ 'AGC-AWS-001': 'PASS', 'AGC-AWS-018': 'FAIL' });
  });

  test('without --pki, certificate probes are SKIPPED, and the unattested-principal denial proves nothing without its control', async () => {
    const results = await probeLocally(sourceOf(template), undefined);
    const statuses = statusesOf(results, 'Deployer');
    expect(statuses['AGC-AWS-001']).toBe('SKIPPED');
    expect(statuses['AGC-AWS-016']).toBe('INCONCLUSIVE');
    const reason = results.find((r) => r.gate.includes('Deployer') && r.checkId === 'AGC-AWS-016')!.reason;
    expect(reason).toMatch(/^sts:AssumeRole by an unattested principal of the account: denied with 403 AccessDenied.*; but this proves nothing: its positive control AGC-AWS-001 did not pass in this run \(SKIPPED:/);
  });

  test('a role that a CloudFormation Condition leaves undeployed: AssumeRole is denied, but AGC-AWS-016 is INCONCLUSIVE, never PASS', async () => {
    // GIVEN the deployer role guarded by a Condition on a parameter without a default
    const guarded = clone();
    guarded.Parameters = { ...guarded.Parameters, DeployRoles: { Type: 'String', AllowedValues: ['yes', 'no'] } };
    guarded.Conditions = { ...guarded.Conditions, RolesDeployed: { 'Fn::Equals': [{ Ref: 'DeployRoles' }, 'yes'] } };
    guarded.Resources[roleId(guarded, 'Deployer')].Condition = 'RolesDeployed';
    // WHEN only the unattested-principal check is asked for
    const results = await probeLocally(sourceOf(guarded), pki, { tags: ['AGC-AWS-016'] });
    // THEN its control ran first and could not pass, so the denial proves nothing
    const statuses = statusesOf(results, 'Deployer');
    expect(statuses['AGC-AWS-001']).not.toBe('PASS');
    expect(statuses['AGC-AWS-016']).toBe('INCONCLUSIVE');
  });

  test('a positive control that fails makes every mutation INCONCLUSIVE, never PASS', async () => {
    const broken = clone();
    deployerStatement(broken).Condition.StringEquals['aws:PrincipalTag/x509Subject/CN'] = 'someone-else';
    const results = await probeLocally(sourceOf(broken), pki, { tags: ['requires:ca-key'] });
    const statuses = statusesOf(results, 'Deployer');
    expect(statuses['AGC-AWS-001']).toBe('FAIL');
    for (const [id, status] of Object.entries(statuses)) if (id !== 'AGC-AWS-001') expect([id, status]).toEqual([id, 'INCONCLUSIVE']);
  });

  test('throttling that outlasts the retries is INCONCLUSIVE, not PASS', async () => {
    const run = await runAwsConformance({
      sources: sourceOf(template),
      pki: loadPkiDirectory(pki.dir),
      target: 'local',
      tags: ['AGC-AWS-001', 'AGC-AWS-003'],
      ratePerSecond: Infinity,
      retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
      emulator: { createSessionRatePerSecond: 1 },
      concurrency: 1,
    });
    const reasons = run.results.filter((r) => r.status === 'INCONCLUSIVE').map((r) => r.reason);
    expect(reasons.some((r) => /429 ThrottlingException/.test(r))).toBe(true);
    expect(run.results.some((r) => r.checkId === 'AGC-AWS-003' && r.status === 'PASS')).toBe(false);
  });

  test('STS throttling that outlasts the retries (400 Throttling, as STS throttles) leaves the unattested-principal probe INCONCLUSIVE, named as throttling, not PASS', async () => {
    const run = await runAwsConformance({
      sources: sourceOf(template),
      pki: loadPkiDirectory(pki.dir),
      target: 'local',
      tags: ['AGC-AWS-001', 'AGC-AWS-016'],
      ratePerSecond: Infinity,
      retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
      emulator: { createSessionRatePerSecond: Infinity, stsRatePerSecond: 0 },
      concurrency: 1,
    });
    const unattested = run.results.filter((r) => r.checkId === 'AGC-AWS-016');
    expect(unattested.length).toBeGreaterThan(0);
    expect(run.results.filter((r) => r.checkId === 'AGC-AWS-001').map((r) => r.status)).toContain('PASS');
    for (const result of unattested) expect(result).toMatchObject({ status: 'INCONCLUSIVE', reason: expect.stringContaining('400 Throttling: Rate exceeded — throttled') });
  });
});
