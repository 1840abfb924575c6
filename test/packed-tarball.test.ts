// What `npm pack` puts in the tarball users install, judged from the tarball itself: every entry
// point present, nothing users do not need, nothing stale, no import of a package users do not
// get, and the ecosystem's own linters (publint, arethetypeswrong) clean. The consumer tests
// (consumers/) install that tarball into fresh apps; these catch the same mistakes in seconds.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { builtinModules } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.join(__dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  exports: Record<string, string | { types: string; default: string }>;
  typesVersions: Record<string, Record<string, string[]>>;
  bin: Record<string, string>;
  main: string;
  types: string;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
};

let packDir: string;
let tarball: string;
let files: string[];

beforeAll(() => {
  packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-pack-'));
  // dist/ is built by `npm test` before Jest runs; the prepack build is not needed here.
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', packDir], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as Array<{ filename: string; files: Array<{ path: string }> }>;
  tarball = path.join(packDir, packed[0]!.filename);
  files = packed[0]!.files.map((file) => file.path).sort();
});

afterAll(() => fs.rmSync(packDir, { recursive: true, force: true }));

/** Package-relative path without a leading `./`. */
const bare = (target: string): string => target.replace(/^\.\//, '');

describe('the packed tarball', () => {
  test('holds every file package.json points at: main, types, each export and its types, each typesVersions target, each bin', () => {
    const targets = [
      pkg.main,
      pkg.types,
      ...Object.values(pkg.exports).flatMap((target) => (typeof target === 'string' ? [target] : [target.types, target.default])),
      ...Object.values(pkg.typesVersions['*']!).flat(),
      ...Object.values(pkg.bin),
    ].map(bare);
    expect(targets.filter((target) => !files.includes(target))).toEqual([]);
  });

  test('holds the files the code loads by path rather than by require: the CRL import Lambda bundle, workload.proto', () => {
    expect(files).toEqual(expect.arrayContaining(['dist/lambda/crl-import/index.js', 'dist/lib/spiffe/workload-api/workload.proto']));
  });

  test('every subpath export has a typesVersions entry, so TypeScript resolves it under moduleResolution node10 too (cdktf init apps)', () => {
    const subpaths = Object.keys(pkg.exports).filter((key) => key !== '.' && key !== './package.json').map((key) => key.slice(2));
    expect(Object.keys(pkg.typesVersions['*']!).sort()).toEqual(subpaths.sort());
    for (const subpath of subpaths) {
      const target = pkg.exports[`./${subpath}`] as { types: string };
      expect(pkg.typesVersions['*']![subpath]).toEqual([target.types]);
    }
  });

  test('holds only what users need: the build, the command line, the license and the docs', () => {
    const allowed = [/^dist\/(lib|conformance)\/.+\.(js|d\.ts)$/, /^dist\/lib\/spiffe\/workload-api\/workload\.proto$/, /^dist\/lambda\/crl-import\/index\.js$/, /^bin\/attestgate(-gcp-executable)?$/, /^docs\/[a-z0-9-]+\.md$/, /^(README|RULES)\.md$/, /^LICENSE$/, /^package\.json$/];
    expect(files.filter((file) => !allowed.some((pattern) => pattern.test(file)))).toEqual([]);
    expect(files.filter((file) => /(^|\/)(test|tests|fixtures|bench|examples|scripts)\//.test(file) || file.endsWith('.map'))).toEqual([]);
  });

  test('nothing stale: each compiled module has its source and its declarations', () => {
    const modules = files.filter((file) => /^dist\/(lib|conformance)\/.+\.js$/.test(file));
    expect(modules.length).toBeGreaterThan(100);
    const stale = modules.filter((file) => !fs.existsSync(path.join(root, file.replace(/^dist\//, '').replace(/\.js$/, '.ts'))));
    // A module whose source was deleted or renamed: `rm -rf dist && npm run build` removes it.
    expect(stale).toEqual([]);
    expect(modules.filter((file) => !files.includes(file.replace(/\.js$/, '.d.ts')))).toEqual([]);
  });

  test('shipped code imports only dependencies, peer dependencies and Node built-ins', () => {
    const allowed = new Set([...Object.keys(pkg.dependencies), ...Object.keys(pkg.peerDependencies), ...builtinModules]);
    const imported = new Map<string, string>();
    for (const file of files.filter((name) => name.endsWith('.js') || name.startsWith('bin/'))) {
      const text = fs.readFileSync(path.join(root, file), 'utf8');
      for (const match of text.matchAll(/\brequire\(\s*['"]([^'"]+)['"]\s*\)|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) {
        const specifier = (match[1] ?? match[2])!;
        if (specifier.startsWith('.') || specifier.startsWith('node:')) continue;
        const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
        if (!allowed.has(name)) imported.set(name, file);
      }
    }
    // A dev dependency here works in this repository and breaks every user's install.
    expect(Object.fromEntries(imported)).toEqual({});
  });

  test('publint finds nothing, not even a suggestion', () => {
    const result = spawnSync(path.join(root, 'node_modules', '.bin', 'publint'), ['--strict'], { cwd: root, encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('All good!');
  });

  test('arethetypeswrong finds no problem in any resolution mode (node10, node16 from CJS and ESM, bundler)', () => {
    const result = spawnSync(path.join(root, 'node_modules', '.bin', 'attw'), [tarball, '--format', 'json'], { encoding: 'utf8' });
    const report = JSON.parse(result.stdout) as { analysis: { problems: unknown[]; entrypoints: Record<string, unknown> } };
    expect(report.analysis.problems).toEqual([]);
    expect(Object.keys(report.analysis.entrypoints).sort()).toEqual(Object.keys(pkg.exports).sort());
    expect(result.status).toBe(0);
  });
});
