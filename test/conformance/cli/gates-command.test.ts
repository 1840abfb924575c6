import { runCli } from '../../fixtures/cli';
import { synthExampleAssembly, writeTemplate } from '../../fixtures/synth';
import { synthCdktfExamples } from '../../fixtures/synth-cdktf';
import { gcpConfiguration } from '../../fixtures/terraform';

const run = runCli;

describe('attestgate gates', () => {
  test('prints the gate table of a cloud assembly', async () => {
    const { code, out } = await run(['gates', '--app', synthExampleAssembly()]);
    expect(code).toBe(0);
    expect(out).toMatch(/\| Gate +\| Privilege \| Trust anchor +\| Required certificate attributes +\| Max session \|/);
    expect(out).toMatch(/AttestgateAwsExample\/Deployer\w+ \| high +\|/);
    expect(out).toContain('CA O=attestgate examples, CN=attestgate Example Agents CA');
    expect(out).toContain('x509SAN/URI = spiffe://prod.example/agent/reader');
    expect(out).toMatch(/\| 14400 s +\|/);
  });

  test('prints GCP and Azure gates of a cdktf output directory next to AWS ones', async () => {
    const { code, out } = await run(['gates', '--app', synthExampleAssembly(), '--app', synthCdktfExamples()]);
    expect(code).toBe(0);
    expect(out).toContain('AWS — IAM Roles Anywhere');
    expect(out).toMatch(/attestgate-gcp-example\/google_iam_workload_identity_pool_provider\.\w+ \| high +\| OIDC https:\/\/oidc\.prod\.example \(inline JWKS\)/);
    expect(out).toMatch(/attestgate-azure-example\/azurerm_user_assigned_identity\.\w+ +\| high +\| https:\/\/oidc\.prod\.example +\|/);
  });

  test('reads a brownfield *.tf.json file', async () => {
    const { code, out } = await run(['gates', '--app', writeTemplate(gcpConfiguration(), 'legacy.tf.json')]);
    expect(code).toBe(0);
    expect(out).toContain('legacy/google_iam_workload_identity_pool_provider.spire');
  });

  test.each([
    [[], 'no command given'],
    [['frobnicate'], 'unknown command "frobnicate"'],
    [['gates'], 'gates needs at least one --app PATH'],
    [['gates', '--app', '/does/not/exist'], '--app /does/not/exist: no such file or directory'],
    [['gates', '--nope'], "Unknown option '--nope'"],
    [['gates', '--app', '/does/not/exist.tf.json'], '--app /does/not/exist.tf.json: no such file or directory'],
  ])('usage error %j exits 64', async (argv, message) => {
    const { code, err } = await run(argv as string[]);
    expect(code).toBe(64);
    expect(err).toContain(message);
    expect(err).toContain('Usage: attestgate <command>');
  });
});
