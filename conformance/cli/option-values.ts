import * as fs from 'node:fs';
import { Jwks } from '../../lib/core/jwks';
import { UsageError } from './usage-error';

// Parsing of option values the conformance and emulator commands share; every bad value is a
// UsageError naming the option, the value and the fix.

/**
 * `NAME=VALUE` pairs of a repeatable option, split at the first `=` (values may hold `=`, as
 * base64 and URLs do), with the option named in the error. `allowEmpty`: Terraform variables may
 * be empty strings.
 */
export function pairs(option: string, entries: readonly string[] | undefined, shape: string, allowEmpty = false): Record<string, string> {
  const result: Record<string, string> = {};
  for (const entry of entries ?? []) {
    const at = entry.indexOf('=');
    if (at <= 0 || (!allowEmpty && at === entry.length - 1)) throw new UsageError(`--${option} ${entry}: write it as ${shape}`);
    result[entry.slice(0, at)] = entry.slice(at + 1);
  }
  return result;
}

/** `--project-number N` (every project) or `--project-number PROJECT=N`, repeatable. */
export function projectNumbers(entries: readonly string[] | undefined): { projectNumber?: string; projectNumbers: Record<string, string> } {
  if ((entries ?? []).some((e) => e.trim() === '')) throw new UsageError('--project-number is empty: give the project number (gcloud projects describe PROJECT --format=\'value(projectNumber)\')');
  const numbered = (entries ?? []).filter((e) => e.includes('='));
  const bare = (entries ?? []).filter((e) => !e.includes('='));
  if (bare.length > 1) throw new UsageError(`--project-number given ${bare.length} times without a project: write PROJECT=NUMBER for each project`);
  const projectNumbers = pairs('project-number', numbered, 'PROJECT_ID=PROJECT_NUMBER');
  for (const [project, number] of Object.entries({ ...projectNumbers, ...(bare[0] ? { '': bare[0] } : {}) })) {
    if (!/^\d{6,20}$/.test(number)) throw new UsageError(`--project-number ${project ? `${project}=` : ''}${number}: a project number is 6 to 20 digits (gcloud projects describe PROJECT --format='value(projectNumber)')`);
  }
  return { ...(bare[0] ? { projectNumber: bare[0] } : {}), projectNumbers };
}

/** `--issuer-jwks ISSUER=FILE`: the issuer's published keys, read now so a bad file is a usage error. */
export function issuerJwks(entries: readonly string[] | undefined): Record<string, Jwks> {
  const result: Record<string, Jwks> = {};
  for (const [issuer, file] of Object.entries(pairs('issuer-jwks', entries, 'ISSUER_URL=JWKS_FILE'))) {
    let jwks: unknown;
    try {
      jwks = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (e) {
      throw new UsageError(`--issuer-jwks ${issuer}=${file}: ${(e as Error).message}`);
    }
    if (!Array.isArray((jwks as Jwks | null)?.keys)) throw new UsageError(`--issuer-jwks ${issuer}=${file}: not a JWKS (a JSON object with a "keys" array)`);
    result[issuer] = jwks as Jwks;
  }
  return result;
}

/**
 * An endpoint option: an absolute URL, https unless it is on this machine — probes send tokens
 * and signed requests there, and an http endpoint elsewhere would hand them to the network.
 */
export function endpointUrl(option: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--${option} ${value}: not an absolute URL (e.g. https://sts.example.com)`);
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new UsageError(`--${option} ${value}: use https (plain http only for 127.0.0.1 or localhost)`);
  }
  return value.replace(/\/+$/, '');
}

/** A TCP port option: 0 (any free one) to 65535. */
export function portOption(option: string, value: string): number {
  const port = value.trim() === '' ? NaN : Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--${option} ${value}: give a TCP port (0 for any free one)`);
  return port;
}
