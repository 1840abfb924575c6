// Every entry point of the export map, imported from a CommonJS and from an ES module consumer in
// each fresh app, on every Node binary (the consumer code itself was type-checked by each app's
// own TypeScript when the run's apps were built). An entry point loads where its optional peers
// are installed, and elsewhere fails with the error that names the packages to install.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runInApp, unexpectedWarnings } from './consumer-process';
import { APP_NAMES, consumerContext } from './fresh-apps';

const context = consumerContext();
const repoRoot = path.join(__dirname, '..');
const entryPoints = JSON.parse(fs.readFileSync(path.join(__dirname, 'apps', 'shared', 'entry-points.json'), 'utf8')) as Record<string, string>;

/** The optional peers each construct entry point is built on; the others need none. */
const PEERS: Record<string, readonly string[]> = {
  'attestgate/aws': ['aws-cdk-lib', 'constructs'],
  'attestgate/gcp': ['cdktf', '@cdktf/provider-google', 'constructs'],
  'attestgate/azure': ['cdktf', '@cdktf/provider-azurerm', 'constructs'],
  'attestgate/spiffe': ['cdk8s', 'constructs'],
};

test('the consumers import every entry point of the export map', () => {
  const exportMap = (JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { exports: Record<string, unknown> }).exports;
  const exported = Object.keys(exportMap).filter((key) => key !== './package.json').map((key) => (key === '.' ? 'attestgate' : `attestgate/${key.slice(2)}`));
  expect(Object.keys(entryPoints).sort()).toEqual(exported.sort());
});

/** What each entry point should do in an app: load, or name the missing peers. */
function expectedOutcome(appName: string): Record<string, string | RegExp> {
  const installed = Object.keys((JSON.parse(fs.readFileSync(path.join(context.apps[appName as (typeof APP_NAMES)[number]], 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies);
  return Object.fromEntries(
    Object.keys(entryPoints).map((entryPoint) => {
      const missing = (PEERS[entryPoint] ?? []).filter((peer) => !installed.includes(peer));
      return [entryPoint, missing.length === 0 ? 'ok' : `${entryPoint}: peer dependencies ${JSON.stringify(missing)} ${missing.length === 1 ? 'is' : 'are'} not installed, and ${entryPoint} is built on ${PEERS[entryPoint]!.join(', ')}. Fix: npm install ${missing.join(' ')} (the versions attestgate supports are its package.json's peerDependencies)`];
    }),
  );
}

describe.each(APP_NAMES.flatMap((appName) => context.nodes.map((node) => [appName, node.label, node] as const)))('%s on %s', (appName, _label, node) => {
  const app = context.apps[appName];

  test.each([['CommonJS', 'out/imports.cjs'], ['ES module', 'out/imports.mjs']])('a %s consumer gets every entry point or a clear error', (_kind, script) => {
    const imported = runInApp(app, node, ['node', script]);
    expect(imported.transcript).toMatch(/^exit 0\n/);
    expect(unexpectedWarnings(imported, node)).toEqual([]);
    expect(JSON.parse(imported.stdout)).toEqual(expectedOutcome(appName));
  });
});
