import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The dependency direction, held by a test so a change that imports against it fails:
 * `lib/core` and `lib/model` (what each cloud means) sit at the bottom and import no construct
 * library or cloud SDK; constructs, rules, discovery, the emulators and the probes read the clouds
 * through `lib/model`; the conformance engine knows no cloud — the adapters depend on it, not the
 * reverse; and the shipped library never imports the conformance suite.
 */

const ROOT = path.join(__dirname, '..');
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|require\(\s*['"]([^'"]+)['"]\s*\)|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(relative);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [relative] : [];
  });
}

/** Every import of a file: packages by name, relative imports as repository paths. */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? m[3]).map((spec) => (spec.startsWith('.') ? path.normalize(path.join(path.dirname(file), spec)) : spec));
}

/** Whether a file imports, directly or through relative imports, a package `target` matches. */
function reaches(file: string, target: (imported: string) => boolean, seen = new Set<string>()): boolean {
  if (seen.has(file)) return false;
  seen.add(file);
  return importsOf(file).some((i) => {
    if (target(i)) return true;
    const next = [`${i}.ts`, path.join(i, 'index.ts')].find((f) => fs.existsSync(path.join(ROOT, f)));
    return next !== undefined && reaches(next, target, seen);
  });
}

/** `file → import` for every import of the files under `dirs` that `forbidden` matches. */
function violations(dirs: readonly string[], forbidden: (imported: string) => boolean): string[] {
  return dirs.flatMap(sourceFiles).flatMap((file) => importsOf(file).filter(forbidden).map((imported) => `${file} → ${imported}`));
}

const CONSTRUCT_LIBRARIES = /^(aws-cdk-lib|cdktf|constructs|@cdktf\/|@aws-sdk\/)/;

describe('dependency direction', () => {
  test('lib/core and lib/model import no construct library and no cloud SDK', () => {
    expect(violations(['lib/core', 'lib/model'], (i) => CONSTRUCT_LIBRARIES.test(i))).toEqual([]);
  });

  test('lib/model is the bottom: it imports nothing of the constructs, rules, packs or credentials', () => {
    expect(violations(['lib/model'], (i) => /^lib\/(aws|gcp|azure|rules|packs|credentials)\//.test(i))).toEqual([]);
  });

  test('the shipped library never imports the conformance suite', () => {
    expect(violations(['lib'], (i) => i.startsWith('conformance/'))).toEqual([]);
  });

  test('the conformance engine knows no cloud: adapters, checks, discovery and emulators depend on it, not the reverse', () => {
    expect(violations(['conformance/engine'], (i) => /^conformance\/(aws|gcp|azure|checks|discovery|emulator)\//.test(i) || /^lib\/(model|aws|gcp|azure)\//.test(i))).toEqual([]);
  });

  test("one cloud's probes never import another's: what they share is in the engine", () => {
    const clouds = ['aws', 'gcp', 'azure', 'step-up'];
    const crossing = clouds.flatMap((cloud) =>
      violations([`conformance/${cloud}`, `conformance/checks/${cloud}`], (i) => clouds.some((other) => other !== cloud && (i.startsWith(`conformance/${other}/`) || i.startsWith(`conformance/checks/${other}/`)))),
    );
    expect(crossing).toEqual([]);
  });

  test('checks, judging, probe contexts and discovery never import the emulator; outside it, only these modules do — a list that only shrinks', () => {
    // Starting an emulator is part of an adapter (for a run, and for the `emulator` command in its
    // cli.ts), and the package's conformance entry point exports them. Applying Terraform JSON and
    // the IDs a cloud assigns live in lib/model, so resolvers and probes read a deployment, never
    // the emulator.
    const allowed = [
      'conformance/aws/run-aws-conformance.ts',
      // The AWS run's local target: it starts the emulator (in a worker thread or in process) and
      // reads nothing of it but the deployment description the emulator sends at startup.
      'conformance/aws/local-target.ts',
      'conformance/gcp/run-gcp-conformance.ts',
      'conformance/azure/run-azure-conformance.ts',
      'conformance/aws/cli.ts',
      'conformance/gcp/cli.ts',
      'conformance/azure/cli.ts',
      // The spiffe area's command line serves the emulated SPIRE agent, as each cloud's cli.ts its emulator.
      'conformance/spiffe/cli.ts',
      'conformance/index.ts',
    ];
    const importers = new Set(violations(['conformance', 'lib'], (i) => i.startsWith('conformance/emulator/') || i.startsWith('conformance/emulator.')).map((v) => v.split(' → ')[0]));
    expect([...importers].filter((f) => !f.startsWith('conformance/emulator/')).sort()).toEqual([...allowed].sort());
  });

  test('clouds register once: outside their own folders only the registry and the entry point name an adapter, its checks or its emulator', () => {
    const CLOUD_FOLDERS = /^conformance\/(aws|gcp|azure|step-up|spiffe|checks|emulator)\//;
    const shared = sourceFiles('conformance').filter((f) => !CLOUD_FOLDERS.test(f));
    const naming = new Set(
      shared.flatMap((file) => importsOf(file).filter((i) => CLOUD_FOLDERS.test(i) || /^conformance\/emulator\.?/.test(i)).map(() => file)),
    );
    expect([...naming].sort()).toEqual(['conformance/clouds.ts', 'conformance/index.ts']);
  });

  test('SPIRE registrations are read without cdk8s: the rules and the shared entry shape never reach it', () => {
    // The rules and the emulator's Workload API read lib/spiffe's model; cdk8s is an optional peer,
    // loaded only by the files that write manifests and by the cdk8s checks.
    const cdk8s = (i: string) => i === 'cdk8s' || i.startsWith('cdk8s/');
    const direct = new Set(violations(['lib', 'conformance'], cdk8s).map((v) => v.split(' → ')[0]));
    // The emulator's reader of registration files loads cdk8s's YAML reader only for a YAML file, by require at that moment.
    expect([...direct].sort()).toEqual(['conformance/emulator/spiffe/registration-files.ts', 'lib/packs/spiffe-attestation-checks.ts', 'lib/spiffe/imports/spire.spiffe.io.ts']);
    const reaching = sourceFiles('lib').filter((f) => reaches(f, cdk8s));
    expect(reaching.sort()).toEqual([
      'lib/packs/spiffe-attestation-checks.ts',
      'lib/spiffe/agent-cluster-spiffe-id.ts',
      'lib/spiffe/agent-cluster-static-entry.ts',
      'lib/spiffe/imports/spire.spiffe.io.ts',
      'lib/spiffe/index.ts',
      'lib/spiffe/node-alias-static-entry.ts',
    ]);
    expect(importsOf('lib/spiffe/registration-entry.ts')).toEqual([]);
  });

  test('lib/spiffe imports no AWS CDK, cdktf or cloud SDK', () => {
    expect(violations(['lib/spiffe'], (i) => /^(aws-cdk-lib|cdktf|@cdktf\/|@aws-sdk\/)/.test(i) || /^lib\/(aws|gcp|azure)\//.test(i))).toEqual([]);
  });

  test('lib/step-up imports lib/core, lib/http, jose and Node only: no construct library, cloud SDK or web framework', () => {
    const allowed = (i: string) => i.startsWith('lib/step-up/') || i.startsWith('lib/core/') || i.startsWith('lib/http/') || i === 'jose' || i.startsWith('node:');
    expect(violations(['lib/step-up'], (i) => !allowed(i))).toEqual([]);
  });

  test('the scanner sees relative and package imports (a test of the test)', () => {
    expect(importsOf('conformance/engine/cloud-conformance.ts')).toEqual(expect.arrayContaining(['conformance/pki/pki-directory', 'conformance/engine/runner']));
    expect(importsOf('lib/model/gcp/cel/environment.ts').some((i) => i.startsWith('@bufbuild/cel'))).toBe(true);
    // The constructs do read the model, and the adapters the engine: a rule pointed the wrong way would fire.
    expect(violations(['lib/aws'], (i) => i.startsWith('lib/model/'))).not.toEqual([]);
    expect(violations(['conformance/aws'], (i) => i.startsWith('conformance/engine/'))).not.toEqual([]);
  });
});
