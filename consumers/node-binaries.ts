// The Node.js binaries the consumer tests run on. These machines reach only the npm registry, and
// the registry has the official builds as node-<platform>-<arch> packages (what npm's `node`
// package installs): `npm pack` one, take its bin/node. Cached per version outside the clone, so a
// second run fetches nothing.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface NodeBinary {
  /** What a test names it by: the version, and whether it is this machine's own. */
  readonly label: string;
  readonly version: string;
  /** Absolute path of the `node` executable. */
  readonly bin: string;
}

const VERSIONS = (JSON.parse(fs.readFileSync(path.join(__dirname, 'node-versions.json'), 'utf8')) as { versions: string[] }).versions;

function cacheDir(): string {
  const base = process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache');
  return path.join(base, 'attestgate', 'node');
}

/** Downloads (once) and returns the binary of one Node.js release for this platform. */
export function nodeBinary(version: string): NodeBinary {
  const dir = path.join(cacheDir(), `${version}-${process.platform}-${process.arch}`);
  const bin = path.join(dir, 'bin', 'node');
  if (!fs.existsSync(bin)) {
    const download = fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-node-'));
    try {
      const spec = `node-${process.platform}-${process.arch}@${version}`;
      const packed = JSON.parse(execFileSync('npm', ['pack', spec, '--json', '--pack-destination', download], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })) as Array<{ filename: string }>;
      const staging = `${dir}.partial`;
      fs.rmSync(staging, { recursive: true, force: true });
      fs.mkdirSync(staging, { recursive: true });
      execFileSync('tar', ['-xzf', path.join(download, packed[0]!.filename), '-C', staging, '--strip-components=1', 'package/bin/node']);
      // Renamed into place only once complete: an interrupted download is not mistaken for a binary.
      fs.rmSync(dir, { recursive: true, force: true });
      fs.renameSync(staging, dir);
    } finally {
      fs.rmSync(download, { recursive: true, force: true });
    }
  }
  const reported = execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim();
  if (reported !== `v${version}`) throw new Error(`${bin} reports ${reported}, expected v${version}: delete ${dir} and run again`);
  return { label: `Node ${version}`, version, bin };
}

/** This machine's Node, then each release of node-versions.json. */
export function nodeBinaries(): NodeBinary[] {
  const own = process.versions.node;
  return [{ label: `Node ${own} (this machine)`, version: own, bin: process.execPath }, ...VERSIONS.filter((version) => version !== own).map(nodeBinary)];
}
