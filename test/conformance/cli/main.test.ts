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
      `attestgate: --app ${file}: resources "Role → Profile → Role" refer to each other in a cycle (Role.Properties.Description → Fn::GetAtt Profile.ProfileArn; Profile.Properties.RoleArns[0] → Fn::GetAtt Role.Arn); CloudFormation refuses such a template ("Circular dependency between resources: [Role, Profile]"). Fix: remove one of these references: a resource cannot use its own attributes, nor those of a resource that refers back to it (write the value literally, or take it from a parameter)\nRun 'attestgate ${command} --help' for usage.\n`,
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

  test.each([[null, 'null'], ['x', '"x"'], [{ Properties: {} }, '{"Properties":{}}']])('a resource %j without a Type is refused by name, not a crash of the emulator', async (resource, shown) => {
    const file = writeTemplate(gateTemplate({ extra: { Broken: resource } }));
    const { code, err } = await runCli(['conformance', '--app', file]);
    expect(code).toBe(64);
    expect(err.split('\n')[0]).toBe(`attestgate: --app ${file}: Resources.Broken ${shown} is not a resource (an object with a Type); Fix: give it a Type such as "AWS::IAM::Role", or remove it`);
  });

  test('a template whose Resources is not an object', async () => {
    const file = writeTemplate({ Resources: [] });
    const { code, err } = await runCli(['gates', '--app', file]);
    expect(code).toBe(64);
    expect(err.split('\n')[0]).toBe(`attestgate: --app ${file}: Resources [] is not an object; Fix: write Resources as an object of logical ID to resource ({ "Role": { "Type": "AWS::IAM::Role", … } })`);
  });

  const writeBytes = (name: string, data: Buffer) => {
    const file = path.join(tmp(), name);
    fs.writeFileSync(file, data);
    return file;
  };

  test.each([
    ['Example.template.json', (text: string) => Buffer.from(text.replace('"agents"', '"caf\xe9"'), 'latin1'), /is not valid UTF-8: byte 0xE9 at byte offset \d+ \(line 1, byte \d+ of the line\) is not part of a UTF-8 character; save the file as UTF-8/],
    ['agents.tf.json', (text: string) => Buffer.from(text.replace('"agents"', '"caf\xe9"'), 'latin1'), /is not valid UTF-8: byte 0xE9 at byte offset \d+/],
    ['Example.template.json', (text: string) => Buffer.from(text, 'utf16le'), /is UTF-16LE text, not UTF-8; save it as UTF-8 \(iconv -f UTF-16LE -t UTF-8;/],
    ['Example.template.json', (text: string) => Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]), /is UTF-16BE text \(with a byte order mark\), not UTF-8/],
    ['Example.template.json', () => Buffer.alloc(0), /is empty; give the synthesized JSON/],
  ])('%s, %#: refused with the encoding or the offset and the fix; no raw control byte printed', async (name, encode, expected) => {
    const json = JSON.stringify(name.endsWith('.tf.json') ? gcpConfiguration() : gateTemplate());
    const file = writeBytes(name, encode(json));
    const { code, err } = await runCli(['gates', '--app', file]);
    expect(code).toBe(64);
    const [line, hint, ...more] = err.split('\n');
    expect(line.startsWith(`attestgate: --app ${file}: `)).toBe(true);
    expect(line).toMatch(expected);
    expect(hint).toBe("Run 'attestgate gates --help' for usage.");
    expect(more).toEqual(['']);
    expect(err).not.toMatch(/[\u0000-\u0009\u000b-\u001f\ufffd]/);
  });

  test('a UTF-8 byte order mark is accepted, as editors write one', async () => {
    const file = writeBytes('Example.template.json', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(gateTemplate()))]));
    const { code, out } = await runCli(['gates', '--app', file]);
    expect(code).toBe(0);
    expect(out).toContain('Example/Role');
  });

  test('a symlink loop is named as one, not "no such file"', async () => {
    const dir = tmp();
    fs.symlinkSync(path.join(dir, 'b.json'), path.join(dir, 'a.json'));
    fs.symlinkSync(path.join(dir, 'a.json'), path.join(dir, 'b.json'));
    const { code, err } = await runCli(['gates', '--app', path.join(dir, 'a.json')]);
    expect(code).toBe(64);
    expect(err.split('\n')[0]).toBe(
      `attestgate: --app ${path.join(dir, 'a.json')}: a symlink loop (ELOOP): the symlink points, directly or through other symlinks, back to itself; point it at the file or directory itself`,
    );
  });

  test('a manifest whose template is a directory', async () => {
    const dir = tmp();
    fs.mkdirSync(path.join(dir, 'Stack.template.json'));
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ artifacts: { Stack: { type: 'aws:cloudformation:stack', properties: { templateFile: 'Stack.template.json' } } } }));
    const { code, err } = await runCli(['gates', '--app', dir]);
    expect(code).toBe(64);
    expect(err.split('\n')[0]).toBe(`attestgate: --app ${path.join(dir, 'Stack.template.json')}: a directory, where a file was expected (EISDIR); give the file inside it`);
  });

  test.each(['conformance', 'emulator'])('%s --pki: a .crt that holds no certificate is refused, not skipped', async (command) => {
    const pki = tmp();
    fs.writeFileSync(path.join(pki, 'ca.crt'), 'CN=agents CA\n');
    const { code, err } = await runCli([command, '--app', writeTemplate(gateTemplate()), '--pki', pki]);
    expect(code).toBe(64);
    expect(err).toBe(
      `attestgate: --pki ${path.join(pki, 'ca.crt')}: holds no PEM block; expected PEM certificates (-----BEGIN CERTIFICATE-----) or one DER certificate (a private key belongs in a .key file, a CRL in a .crl file)\nRun 'attestgate ${command} --help' for usage.\n`,
    );
  });
});
