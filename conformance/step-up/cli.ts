import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { AREA_RUN_OPTIONS, AreaRunArgs, readAreaRunArgs } from '../cli/area-args';
import { pairs } from '../cli/option-values';
import { UsageError } from '../cli/usage-error';
import { IssuerKey, issuerKeyOf } from '../oidc/issuer-key';
import { StepUpEndpoint } from './probe-context';
import { runStepUpConformance } from './run-step-up-conformance';

export const STEP_UP_USAGE = [
  'step-up --url URL --acr-values V[,V] --issuer ISS --issuer-key FILE --audience AUD --subject SUB',
  '                             probe one endpoint behind RFC 9470 step-up (AGC-SU-*)',
  '    [--max-age N]            its max_age, seconds (the challenge must carry it)',
  '    [--method M]             (default POST)      [--header NAME=VALUE]...   [--body TEXT]',
  "    [--implied-acr]          the issuer implies its ACR (SPIRE): iat is the attestation time",
  '    [--id NAME]              its name in reports (default METHOD URL)',
  '    [--extra-ca FILE]        CA certificates (PEM) to trust for an https endpoint',
  '    [--tags TAG,...] [--allow-unproven REASON] [--format ...] [--out DIR] [--rate N]',
  '                             as for conformance; the positive control performs the operation',
  '                             once: point --url at a canary or dry-run route with the same policy',
];

const OPTIONS = {
  url: { type: 'string' },
  method: { type: 'string', default: 'POST' },
  header: { type: 'string', multiple: true },
  body: { type: 'string' },
  'acr-values': { type: 'string', multiple: true },
  'max-age': { type: 'string' },
  issuer: { type: 'string' },
  'issuer-key': { type: 'string' },
  audience: { type: 'string' },
  subject: { type: 'string' },
  'implied-acr': { type: 'boolean', default: false },
  id: { type: 'string' },
  'extra-ca': { type: 'string' },
  ...AREA_RUN_OPTIONS,
  rate: { type: 'string' },
} as const;

function required(values: Record<string, unknown>, name: string, what: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`step-up needs --${name} ${what}`);
  return value;
}

/** The issuer's signing key from a PEM file: RSA or EC P-256, as the OIDC probes sign. */
function readIssuerKey(file: string): IssuerKey {
  let pem: string;
  try {
    pem = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`--issuer-key ${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    return issuerKeyOf(crypto.createPrivateKey(pem));
  } catch (e) {
    throw new UsageError(`--issuer-key ${file}: not a usable issuer key (${(e as Error).message}): give the PEM private key (RSA or EC P-256) whose public key the endpoint's issuer publishes`);
  }
}

/** The endpoint the command line describes; every bad value is a UsageError. */
export function stepUpEndpointOf(values: Record<string, unknown>): StepUpEndpoint {
  const url = required(values, 'url', 'URL (the endpoint behind step-up)');
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error('not http(s)');
  } catch {
    throw new UsageError(`--url ${url}: give an absolute http(s) URL`);
  }
  const acrValues = ((values['acr-values'] as string[] | undefined) ?? []).flatMap((v) => v.split(/[ ,]/)).filter(Boolean);
  if (acrValues.length === 0) throw new UsageError('step-up needs --acr-values V[,V] (the ACR values the endpoint requires, in its order)');
  let maxAge: number | undefined;
  if (values['max-age'] !== undefined) {
    maxAge = Number(values['max-age']);
    if (!/^\d+$/.test(String(values['max-age'])) || !Number.isSafeInteger(maxAge)) throw new UsageError(`--max-age ${String(values['max-age'])}: give whole seconds`);
  }
  const method = String(values.method).toUpperCase();
  if (!/^[A-Z]+$/.test(method)) throw new UsageError(`--method ${String(values.method)}: give an HTTP method`);
  const headers = pairs('header', values.header as string[] | undefined, 'NAME=VALUE');
  if (Object.keys(headers).some((h) => h.toLowerCase() === 'authorization')) throw new UsageError('--header authorization: the probes set Authorization themselves');
  let extraCa: string | undefined;
  if (values['extra-ca'] !== undefined) {
    try {
      extraCa = fs.readFileSync(String(values['extra-ca']), 'utf8');
    } catch (e) {
      throw new UsageError(`--extra-ca ${String(values['extra-ca'])}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
  return {
    id: typeof values.id === 'string' && values.id !== '' ? values.id : `${method} ${url}`,
    url,
    method,
    headers,
    ...(typeof values.body === 'string' ? { body: values.body } : {}),
    acrValues,
    ...(maxAge !== undefined ? { maxAge } : {}),
    issuer: required(values, 'issuer', "ISS (the exact iss of the endpoint's trusted issuer)"),
    key: readIssuerKey(required(values, 'issuer-key', "FILE (the issuer's PEM private key)")),
    audience: required(values, 'audience', 'AUD (the aud the endpoint expects)'),
    subject: required(values, 'subject', 'SUB (the agent identity the probe tokens are for)'),
    ...(values['implied-acr'] === true ? { impliedAcr: true } : {}),
    ...(extraCa ? { extraCa } : {}),
  };
}

/** The command line of `attestgate step-up`, read and checked: nothing is sent yet. */
export interface StepUpCliOptions extends AreaRunArgs {
  readonly endpoint: StepUpEndpoint;
  readonly ratePerSecond?: number;
}

/** Reads `attestgate step-up`'s command line; every bad value is a UsageError. */
export function readStepUpArgs(args: readonly string[]): StepUpCliOptions {
  const { values } = parseArgs({ args: [...args], options: OPTIONS, strict: true });
  const endpoint = stepUpEndpointOf(values);
  const rate = values.rate === undefined ? undefined : Number(values.rate);
  if (rate !== undefined && !(rate > 0)) throw new UsageError(`--rate ${values.rate}: give requests per second, a positive number`);
  return { endpoint, ...readAreaRunArgs(values), ...(rate !== undefined ? { ratePerSecond: rate } : {}) };
}

/** Runs the step-up checks the command line asks for. */
export function runStepUpCli(options: StepUpCliOptions): ReturnType<typeof runStepUpConformance> {
  return runStepUpConformance({
    endpoints: [options.endpoint],
    tags: options.tags,
    ...(options.allowUnproven ? { allowUnproven: options.allowUnproven } : {}),
    ...(options.ratePerSecond !== undefined ? { ratePerSecond: options.ratePerSecond } : {}),
  });
}

/** The option table `attestgate step-up` parses: main() matches an unknown option against it. */
export { OPTIONS as STEP_UP_OPTIONS };
