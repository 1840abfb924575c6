// The fresh consumer apps of one run, built once in Jest's globalSetup and shared by every test
// file: the package packed as users get it, a throwaway PKI and OIDC issuer key, each app of
// apps/ copied into the run directory and installed from the registry with the packed tarball,
// compiled by the app's own TypeScript, and the Node binaries to run them on.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { writeTestMaterial } from '../conformance/pki/test-material';
import { NodeBinary, nodeBinaries } from './node-binaries';

const run = promisify(execFile);

/** The environment variable naming the run's context file, set by globalSetup for the workers. */
export const CONTEXT_VARIABLE = 'ATTESTGATE_CONSUMERS_CONTEXT';

export const APP_NAMES = ['cdk-app', 'cdktf-app', 'cdk8s-app'] as const;
export type AppName = (typeof APP_NAMES)[number];

export interface ConsumerContext {
  readonly runDir: string;
  readonly tarball: string;
  /** --pki for conformance: the CA (and its key and CRL) and the OIDC issuer key. */
  readonly pkiDir: string;
  /** The environment the apps read their trust material from. */
  readonly appEnv: Record<string, string>;
  readonly apps: Record<AppName, string>;
  readonly nodes: readonly NodeBinary[];
}

const repoRoot = path.join(__dirname, '..');

export function consumerContext(): ConsumerContext {
  const file = process.env[CONTEXT_VARIABLE];
  if (!file) throw new Error(`${CONTEXT_VARIABLE} is not set: run the consumer tests with npm run test:consumers`);
  return JSON.parse(fs.readFileSync(file, 'utf8')) as ConsumerContext;
}

/** Builds everything the consumer tests share; returns the context file's path. */
export async function buildFreshApps(): Promise<string> {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-consumers-'));
  // dist/ is built by the npm script before Jest starts; prepack's clean build is not repeated.
  const { stdout } = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', runDir], { cwd: repoRoot });
  const tarball = path.join(runDir, (JSON.parse(stdout) as Array<{ filename: string }>)[0]!.filename);

  const { pkiDir, caBundleFile, crlFile, jwksFile } = await writeTestMaterial(runDir, { CN: 'Consumer Agents CA', O: 'attestgate consumer' });

  const apps = Object.fromEntries(await Promise.all(APP_NAMES.map(async (name) => [name, await freshApp(name, runDir, tarball)] as const))) as Record<AppName, string>;
  const context: ConsumerContext = {
    runDir,
    tarball,
    pkiDir,
    appEnv: { CONSUMER_CA_BUNDLE: caBundleFile, CONSUMER_CRL: crlFile, CONSUMER_JWKS: jwksFile },
    apps,
    nodes: nodeBinaries(),
  };
  const file = path.join(runDir, 'context.json');
  fs.writeFileSync(file, JSON.stringify(context, null, 2));
  return file;
}

/** Copies one app, installs its dependencies and the tarball as a user would, and compiles it. */
async function freshApp(name: AppName, runDir: string, tarball: string): Promise<string> {
  const dir = path.join(runDir, name);
  fs.cpSync(path.join(__dirname, 'apps', name), dir, { recursive: true });
  for (const file of fs.readdirSync(path.join(__dirname, 'apps', 'shared'))) {
    if (!fs.existsSync(path.join(dir, file))) fs.copyFileSync(path.join(__dirname, 'apps', 'shared', file), path.join(dir, file));
  }
  // --prefer-offline: this repository's own install has put most packages in npm's cache.
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], { cwd: dir, maxBuffer: 16 * 1024 * 1024 });
  const tsc = path.join(dir, 'node_modules', '.bin', 'tsc');
  await compile(tsc, ['-p', '.'], dir);
  // An app whose own tsconfig compiles CommonJS only gets its ESM consumer compiled under NodeNext.
  if (!fs.readFileSync(path.join(dir, 'tsconfig.json'), 'utf8').includes('imports.mts')) await compile(tsc, ['-p', 'tsconfig.esm.json'], dir);
  return dir;
}

async function compile(tsc: string, args: string[], dir: string): Promise<void> {
  try {
    await run(tsc, args, { cwd: dir });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`TypeScript rejected the consumer code of ${path.basename(dir)} (${args.join(' ')}):\n${stdout ?? ''}${stderr ?? ''}`);
  }
}
