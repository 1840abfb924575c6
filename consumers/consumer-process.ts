// Runs a command of a fresh app on one Node binary: that binary first on PATH, so `npx` and the
// `#!/usr/bin/env node` of attestgate's bin run on it too.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { NodeBinary } from './node-binaries';

export interface Completed {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Exit status and output, for assertions that show the whole output when they fail. */
  readonly transcript: string;
}

export function runInApp(appDir: string, node: NodeBinary, command: readonly string[], env: Record<string, string> = {}): Completed {
  const [file, ...args] = command[0] === 'node' ? [node.bin, ...command.slice(1)] : command;
  const result = spawnSync(file!, args, {
    cwd: appDir,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, ...env, PATH: `${path.dirname(node.bin)}${path.delimiter}${process.env.PATH ?? ''}`, NO_COLOR: '1' },
  });
  if (result.error) throw result.error;
  const transcript = `exit ${result.status}\n--- stdout\n${result.stdout.slice(-4000)}\n--- stderr\n${result.stderr.slice(-4000)}`;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, transcript };
}

export interface ConformanceSummary {
  readonly PASS: number;
  readonly FAIL: number;
  readonly INCONCLUSIVE: number;
  readonly SKIPPED: number;
}

/** `npx attestgate conformance` over an app's synthesized output, on the emulators; its report's summary. */
export function conformanceOnEmulator(appDir: string, node: NodeBinary, synthesized: string, pkiDir: string): { completed: Completed; summary: ConformanceSummary; gates: unknown[] } {
  const out = `${synthesized}-report`;
  const completed = runInApp(appDir, node, ['npx', '--no-install', 'attestgate', 'conformance', '--app', synthesized, '--pki', pkiDir, '--format', 'json', '--out', out]);
  const reportFile = path.join(appDir, out, 'report.json');
  const report = fs.existsSync(reportFile) ? (JSON.parse(fs.readFileSync(reportFile, 'utf8')) as { summary: ConformanceSummary; gates: unknown[] }) : { summary: { PASS: 0, FAIL: 0, INCONCLUSIVE: 0, SKIPPED: 0 }, gates: [] };
  return { completed, summary: report.summary, gates: report.gates };
}

/** A directory name per Node binary, so that runs on different Node versions never share output. */
export function outdirFor(prefix: string, node: NodeBinary): string {
  return `${prefix}-node-${node.version}`;
}

/**
 * The process warnings Node printed (`(node:PID) …Warning: …`) that are not known and accepted: a
 * deprecation a newer Node introduces in our code or a dependency's shows up here first.
 */
export function unexpectedWarnings(completed: Completed, node: NodeBinary): string[] {
  const major = Number(node.version.split('.')[0]);
  return completed.stderr
    .split('\n')
    .filter((line) => /^\(node:\d+\) \S*Warning/.test(line))
    // The AWS SDK's notice that its releases after January 2027 need Node 22: true, and the
    // reason engines will drop 20 then (docs/install.md).
    .filter((line) => !(major === 20 && line.includes('NodeVersionSupportWarning')));
}
