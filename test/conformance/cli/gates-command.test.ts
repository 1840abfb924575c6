import { runCli } from '../../fixtures/cli';
import { synthExampleAssembly } from '../../fixtures/synth';

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

  test.each([
    [[], 'no command given'],
    [['frobnicate'], 'unknown command "frobnicate"'],
    [['gates'], 'gates needs at least one --app PATH'],
    [['gates', '--app', '/does/not/exist'], '--app /does/not/exist: no such file or directory'],
    [['gates', '--nope'], "Unknown option '--nope'"],
  ])('usage error %j exits 64', async (argv, message) => {
    const { code, err } = await run(argv as string[]);
    expect(code).toBe(64);
    expect(err).toContain(message);
    expect(err).toContain('Usage: attestgate <command>');
  });
});
