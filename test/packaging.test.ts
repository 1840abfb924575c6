import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.join(__dirname, '..');

/** Runs a Node script from the repository root, as a user of the built package would. */
function node(script: string): string {
  return execFileSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' });
}

describe('packaging (runs against dist/, which `npm test` builds first)', () => {
  test('attestgate/aws resolves through exports and loads no cdktf module', () => {
    const loaded = JSON.parse(
      node(`
        const aws = require('attestgate/aws');
        if (typeof aws.AttestedRole !== 'function' || typeof aws.AttestationChecks !== 'function') throw new Error('exports missing');
        console.log(JSON.stringify(Object.keys(require.cache).filter((f) => /[\\\\/](cdktf|@cdktf)[\\\\/]/.test(f))));
      `),
    );
    expect(loaded).toEqual([]);
  });

  test('attestgate and attestgate/core load no CDK at all', () => {
    const loaded = JSON.parse(
      node(`
        require('attestgate'); require('attestgate/core');
        console.log(JSON.stringify(Object.keys(require.cache).filter((f) => /[\\\\/](aws-cdk-lib|cdktf|@cdktf)[\\\\/]/.test(f))));
      `),
    );
    expect(loaded).toEqual([]);
  });

  test('bin/attestgate is executable and runs', () => {
    const bin = path.join(root, 'bin', 'attestgate');
    expect(() => fs.accessSync(bin, fs.constants.X_OK)).not.toThrow();
    expect(execFileSync(bin, ['help'], { encoding: 'utf8' })).toContain('Usage: attestgate <command>');
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    expect(pkg.bin).toEqual({ attestgate: 'bin/attestgate' });
  });
});
