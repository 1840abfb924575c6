import { runCli } from '../../fixtures/cli';
import { synthExampleAssembly, writeTemplate } from '../../fixtures/synth';
import { synthCdktfExamples } from '../../fixtures/synth-cdktf';
import { gcpConfiguration } from '../../fixtures/terraform';

const run = runCli;

describe('attestgate gates', () => {
  test('prints the gate table of a cloud assembly', async () => {
    const { code, out } = await run(['gates', '--app', synthExampleAssembly()]);
    expect(code).toBe(0);
    // Wider than 100 columns as a table (the width of a pipe): one block per gate.
    expect(out).toMatch(/^AttestgateAwsExample\/Deployer\w+\n {2}Privilege: high\n {2}Trust anchor:\n/m);
    expect(out).toContain('    CA O=attestgate examples, CN=attestgate Example Agents CA');
    expect(out).toContain('  Required certificate attributes:\n    x509Subject/CN = reader\n');
    expect(out).toContain('    x509SAN/URI = spiffe://prod.example/agent/reader');
    expect(out).toContain('  Max session: 14400 s');
    expect(Math.max(...out.split('\n').map((l) => [...l].length))).toBeLessThanOrEqual(100);
  });

  test('prints GCP and Azure gates of a cdktf output directory next to AWS ones', async () => {
    const { code, out } = await run(['gates', '--app', synthExampleAssembly(), '--app', synthCdktfExamples()]);
    expect(code).toBe(0);
    expect(out).toContain('AWS — IAM Roles Anywhere');
    expect(out).toMatch(/^attestgate-gcp-example\/google_iam_workload_identity_pool_provider\.\w+\n {2}Privilege: high\n {2}Provider \/ issuer: OIDC https:\/\/oidc\.prod\.example \(inline JWKS\)$/m);
    expect(out).toMatch(/^attestgate-azure-example\/azurerm_user_assigned_identity\.\w+\n {2}Privilege: high\n {2}Issuer \(exact\):\n {4}https:\/\/oidc\.prod\.example$/m);
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
    [['gates', '--nope'], 'unknown option --nope'],
    [['gates', '--app', '/does/not/exist.tf.json'], '--app /does/not/exist.tf.json: no such file or directory'],
  ])('usage error %j exits 64', async (argv, message) => {
    const { code, err } = await run(argv as string[]);
    expect(code).toBe(64);
    // One line naming the problem and where to find the usage, not the whole usage text.
    const help = argv[0] === 'gates' ? "Run 'attestgate gates --help' for usage." : "Run 'attestgate help' for usage.";
    const [line, hint, ...more] = err.split('\n');
    expect(line).toMatch(/^attestgate: /);
    expect(line).toContain(message);
    expect(hint).toBe(help);
    expect(more).toEqual(['']);
  });

  test.each([['gates', '--help'], ['conformance', '-h'], ['emulator', '--app', 'x', '--help']])('%s … %s prints that command\'s help and exits 0', async (...argv) => {
    const { code, out, err } = await run(argv);
    expect(code).toBe(0);
    expect(out).toMatch(new RegExp(`^Usage: attestgate ${argv[0]} --app PATH`));
    expect(out).toMatch(/70 internal error .*ATTESTGATE_DEBUG=1/s);
    expect(err).toBe('');
  });
});
