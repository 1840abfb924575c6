import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { main, printable } from '../../../conformance/cli/main';
import { runCli } from '../../fixtures/cli';
import { gateTemplate } from '../../fixtures/templates';
import { gcpConfiguration } from '../../fixtures/terraform';
import { writeTemplate } from '../../fixtures/synth';

/** A stdout that fails as a closed pipe would: an error that is no fault of the input. */
function failingOut(): Writable {
  return new Writable({
    write() {
      throw new Error('write EPIPE');
    },
  });
}

async function runWithOut(argv: string[], out: Writable): Promise<{ code: number; err: string }> {
  const err = new PassThrough();
  let text = '';
  err.on('data', (c) => (text += c));
  const code = await main(argv, out, err);
  return { code, err: text };
}

describe('main: errors', () => {
  const debug = process.env.ATTESTGATE_DEBUG;
  afterEach(() => {
    if (debug === undefined) delete process.env.ATTESTGATE_DEBUG;
    else process.env.ATTESTGATE_DEBUG = debug;
  });

  test('an unexpected error is one line "internal error" and a hint to ATTESTGATE_DEBUG=1, exit 70, no stack', async () => {
    delete process.env.ATTESTGATE_DEBUG;
    const { code, err } = await runWithOut(['gates', '--app', writeTemplate(gateTemplate())], failingOut());
    expect(code).toBe(70);
    expect(err).toBe('attestgate: internal error: write EPIPE\nThis is a bug in attestgate: rerun with ATTESTGATE_DEBUG=1 for the stack trace, and report it.\n');
  });

  test('ATTESTGATE_DEBUG=1 adds the stack trace', async () => {
    process.env.ATTESTGATE_DEBUG = '1';
    const { code, err } = await runWithOut(['gates', '--app', writeTemplate(gateTemplate())], failingOut());
    expect(code).toBe(70);
    expect(err).toMatch(/^attestgate: internal error: write EPIPE\nError: write EPIPE\n +at /);
  });
});

describe('printable', () => {
  test('escapes control characters and folds newlines, so no input byte reaches the terminal raw', () => {
    expect(printable('a\u0000b\u001b[31mc\nd\u0085e\u2028')).toBe('a\\u0000b\\u001b[31mc d\\u0085e\\u2028');
    expect(printable('plain “text” é')).toBe('plain “text” é');
  });
});

describe('main: bad --app input is one line and exit 64', () => {
  const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-bad-input-'));
  /** The gate template with a cycle: the role's description names the profile, whose RoleArns name the role. */
  const cyclicTemplate = () => gateTemplate({ role: { Description: { 'Fn::GetAtt': ['Profile', 'ProfileArn'] } } });

  test.each(['gates', 'conformance', 'emulator'])('%s refuses a reference cycle between resources, naming the file, the cycle and the fix', async (command) => {
    const file = writeTemplate(cyclicTemplate());
    const { code, err } = await runCli([command, '--app', file]);
    expect(code).toBe(64);
    expect(err).toBe(
      `attestgate: ${file}: resources "Role → Profile → Role" refer to each other in a cycle (Role.Properties.Description → Fn::GetAtt Profile.ProfileArn; Profile.Properties.RoleArns[0] → Fn::GetAtt Role.Arn); CloudFormation refuses such a template ("Circular dependency between resources: [Role, Profile]"). Fix: remove one of these references: a resource cannot use its own attributes, nor those of a resource that refers back to it (write the value literally, or take it from a parameter)\nRun 'attestgate ${command} --help' for usage.\n`,
    );
  });

  test.each(['gates', 'conformance'])('%s refuses a Terraform JSON reference cycle, naming the addresses', async (command) => {
    const configuration = { ...gcpConfiguration({ provider: { display_name: '${local.name}' } }), locals: { name: 'gate-${local.name}' } };
    const file = writeTemplate(configuration, 'agents.tf.json');
    const { code, err } = await runCli([command, '--app', file]);
    expect(code).toBe(64);
    expect(err).toBe(
      `attestgate: --app ${file}: local.name "\${local.name}" refers to itself; Terraform refuses such a configuration ("Error: Cycle: local.name"). Fix: remove one of these references: a resource or local cannot use its own value, nor that of one that refers back to it (write the value literally, or take it from a variable)\nRun 'attestgate ${command} --help' for usage.\n`,
    );
  });

  test('a cloud assembly whose nested assembly is itself', async () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ version: '36.0.0', artifacts: { Stage: { type: 'cdk:cloud-assembly', properties: { directoryName: '.' } } } }));
    const { code, err } = await runCli(['gates', '--app', dir]);
    expect(code).toBe(64);
    const real = fs.realpathSync(dir);
    expect(err.split('\n')[0]).toBe(
      `attestgate: --app ${path.join(dir, 'manifest.json')}: nested cloud assembly Stage (directoryName ".") is ${real}, an assembly it is already nested in, so reading it would never end (${real} → ${real}); Fix: point directoryName at the nested assembly's own subdirectory (cdk synth writes assembly-<stage>), or synthesize again`,
    );
  });

  test('a template whose Resources is not an object', async () => {
    const file = writeTemplate({ Resources: [] });
    const { code, err } = await runCli(['gates', '--app', file]);
    expect(code).toBe(64);
    expect(err.split('\n')[0]).toBe(`attestgate: --app ${file}: Resources [] is not an object; Fix: write Resources as an object of logical ID to resource ({ "Role": { "Type": "AWS::IAM::Role", … } })`);
  });
});
