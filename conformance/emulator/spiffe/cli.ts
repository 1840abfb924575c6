import * as fs from 'node:fs';
import { AttestGateError } from '../../../lib/core/errors';
import { parseTrustDomain } from '../../../lib/spiffe/spire-server';
import { entryMatches, formatSelector } from '../../../lib/spiffe/registration-entry';
import { OptionSpecs, OptionValues, ServedEmulator, stringValue, stringValues } from '../../cli/cloud-cli';
import { UsageError } from '../../cli/usage-error';
import { IssuerKey, pkiIssuerKeys } from '../../oidc/issuer-key';
import { PkiEntry, PkiMaterial } from '../../pki/pki-directory';
import { asIssuer } from '../../pki/signing-ca';
import { RegistrationFile, parseWorkloadProfile, readRegistrationFile, registrationsTrustDomain, servedWorkloads } from './registration-files';
import { startWorkloadApiServer } from './workload-api-server';

/**
 * The Workload API part of `attestgate emulator`: an emulated SPIRE agent for the registrations a
 * user has, one Unix socket per workload profile, so any SPIFFE client
 * (`SPIFFE_ENDPOINT_SOCKET=unix:///…`) can be pointed at it. Its X.509 authority is the `--pki`
 * CA (the trust anchor's, so SVIDs chain to the anchor the AWS emulator deployed) and its JWT
 * authority the `--pki` issuer key (the one the GCP and Azure emulators play the issuer with).
 */

export const SPIFFE_EMULATOR_OPTIONS: OptionSpecs = {
  'spiffe-registrations': { type: 'string', multiple: true },
  'spiffe-workload': { type: 'string', multiple: true },
  'spiffe-trust-domain': { type: 'string' },
  'spiffe-jwt-issuer': { type: 'string' },
  'spiffe-ca': { type: 'string' },
  'spiffe-jwt-key': { type: 'string' },
  'spiffe-socket-dir': { type: 'string' },
};

export const SPIFFE_EMULATOR_USAGE = [
  'spiffe: [--spiffe-registrations FILE]...  ClusterSPIFFEID / ClusterStaticEntry manifests (YAML,',
  '                             JSON) or an entry create -data batch: serve the SPIFFE Workload API',
  '        --spiffe-workload NAME[@PARENT]=SELECTOR,...   one socket per workload profile (repeatable);',
  '                             no PARENT: a pod on the emulated Kubernetes node',
  '        [--spiffe-trust-domain TD] [--spiffe-jwt-issuer URL (SPIRE\'s jwt_issuer)]',
  '        [--spiffe-ca FILE] [--spiffe-jwt-key FILE]   which --pki CA and key sign, when several',
  '        [--spiffe-socket-dir DIR]   (default a new directory, mode 0700)',
];

/** The Workload API emulator as the command line asks for it, read and checked: nothing runs yet. */
export interface SpiffeEmulatorOptions {
  readonly files: readonly RegistrationFile[];
  readonly trustDomain: string;
  readonly workloads: ReturnType<typeof servedWorkloads>['workloads'];
  readonly entries: ReturnType<typeof servedWorkloads>['entries'];
  readonly ca: PkiEntry;
  readonly jwtKey: IssuerKey & { readonly file: string };
  readonly jwtIssuer?: string;
  readonly socketDirectory?: string;
}

/** Bad input as the command line's error: the option, the value and the fix (main exits 64). */
function usage(option: string, value: string, problem: string, fix: string): UsageError {
  return new UsageError(`--${option} ${value}: ${problem}; ${fix}`);
}

/** One of several candidates, picked by file when the user names one. */
function pickByFile<T extends { readonly file: string }>(candidates: readonly T[], option: string, given: string | undefined, what: string): T {
  if (given !== undefined) {
    const chosen = candidates.find((c) => c.file === given || fs.existsSync(given) && fs.realpathSync(c.file) === fs.realpathSync(given));
    if (!chosen) throw usage(option, given, `is not one of the --pki files that can be ${what}`, `give one of: ${candidates.map((c) => c.file).join(', ') || '(none: add it to the --pki directory)'}`);
    return chosen;
  }
  if (candidates.length === 1) return candidates[0];
  if (candidates.length === 0) throw new UsageError(`--spiffe-registrations needs --pki DIR with ${what}`);
  throw usage(option, '(not given)', `--pki holds ${candidates.length} files that can be ${what} (${candidates.map((c) => c.file).join(', ')})`, `pick one with --${option} FILE`);
}

/**
 * Reads the Workload API options: undefined when no `--spiffe-registrations` is given. Every file
 * is read and every profile checked before anything starts.
 */
export function readSpiffeEmulatorOptions(values: OptionValues, pki: PkiMaterial | undefined): SpiffeEmulatorOptions | undefined {
  const files = stringValues(values, 'spiffe-registrations') ?? [];
  const profileArgs = stringValues(values, 'spiffe-workload') ?? [];
  const others = Object.keys(SPIFFE_EMULATOR_OPTIONS).filter((o) => o !== 'spiffe-registrations' && values[o] !== undefined);
  if (files.length === 0) {
    if (others.length > 0) throw new UsageError(`--${others[0]} needs --spiffe-registrations FILE: the registration entries the Workload API serves`);
    return undefined;
  }
  if (profileArgs.length === 0) throw new UsageError('--spiffe-registrations needs at least one --spiffe-workload NAME=SELECTOR,... (the workload a socket presents, e.g. deployer=k8s:ns:agents,k8s:sa:deployer)');
  const profiles = profileArgs.map((raw) => parseWorkloadProfile('spiffe-workload', raw));
  const seen = new Set<string>();
  for (const p of profiles) {
    if (seen.has(p.name)) throw usage('spiffe-workload', p.name, 'names two profiles', 'give each profile its own NAME: it names the socket');
    seen.add(p.name);
  }
  const givenTrustDomain = stringValue(values, 'spiffe-trust-domain');
  const read = files.map((file) => readRegistrationFile('spiffe-registrations', file));
  const trustDomain = registrationsTrustDomain(read, givenTrustDomain === undefined ? undefined : parseTrustDomain(givenTrustDomain, '--spiffe-trust-domain', 'trust domain'), 'spiffe');
  const { workloads, entries } = servedWorkloads(read, profiles, trustDomain, 'spiffe-registrations');

  if (!pki) throw new UsageError('--spiffe-registrations needs --pki DIR: the CA that signs X.509-SVIDs (the trust anchor\'s, its *.crt and *.key) and the OIDC issuer key that signs JWT-SVIDs');
  const cas = pki.entries.filter((e) => e.privateKey && e.certificate.basicConstraints?.ca);
  const ca = pickByFile(cas, 'spiffe-ca', stringValue(values, 'spiffe-ca'), 'the X.509-SVID CA (a CA certificate whose key is there too)');
  const keyFiles = new Map(pki.keys.map((k) => [k.key, k.file]));
  const jwtKeys = pkiIssuerKeys(pki).map((key) => ({ ...key, file: keyFiles.get(key.privateKey) ?? '' }));
  const jwtKey = pickByFile(jwtKeys, 'spiffe-jwt-key', stringValue(values, 'spiffe-jwt-key'), 'the JWT-SVID key (an RSA or EC P-256 key that pairs with no certificate: the OIDC issuer\'s)');

  const jwtIssuer = stringValue(values, 'spiffe-jwt-issuer');
  if (jwtIssuer !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(jwtIssuer);
    } catch {
      url = undefined;
    }
    if (!url || url.protocol !== 'https:') throw usage('spiffe-jwt-issuer', jwtIssuer, 'is not an https URL', 'give the issuer the GCP provider and the Azure federated credential trust, e.g. https://oidc.prod.example');
  }
  const socketDirectory = stringValue(values, 'spiffe-socket-dir');
  if (socketDirectory !== undefined) {
    const stat = fs.statSync(socketDirectory, { throwIfNoEntry: false });
    if (!stat?.isDirectory()) throw usage('spiffe-socket-dir', socketDirectory, 'is not a directory', 'create it (mode 0700: whoever can open a socket is that workload), or leave the option out for a new one');
    if ((stat.mode & 0o022) !== 0) throw usage('spiffe-socket-dir', socketDirectory, `is writable by others (mode ${(stat.mode & 0o777).toString(8)}): anyone could replace a socket`, 'chmod 700 it, or leave the option out for a new one');
  }
  return { files: read, trustDomain, workloads, entries, ca, jwtKey, ...(jwtIssuer ? { jwtIssuer } : {}), ...(socketDirectory ? { socketDirectory } : {}) };
}

/** Starts the emulated agent; its description says, per socket, what it presents and what it is issued. */
export async function serveSpiffeEmulator(options: SpiffeEmulatorOptions): Promise<ServedEmulator> {
  let server;
  try {
    server = await startWorkloadApiServer({
      trustDomain: options.trustDomain,
      entries: options.entries,
      workloads: options.workloads,
      x509Authority: await asIssuer({ certificate: options.ca.certificate, privateKey: options.ca.privateKey! }),
      jwtAuthority: { key: options.jwtKey, ...(options.jwtIssuer ? { issuer: options.jwtIssuer } : {}) },
      ...(options.socketDirectory ? { socketDirectory: options.socketDirectory } : {}),
    });
  } catch (e) {
    // A socket path too long, or a socket that cannot be bound, is the user's to fix.
    if (e instanceof AttestGateError) throw e;
    const code = (e as { code?: string }).code;
    if (options.socketDirectory && (code === 'EADDRINUSE' || code === 'EACCES' || /bind|address/i.test((e as Error).message))) {
      throw usage('spiffe-socket-dir', options.socketDirectory, `cannot hold the sockets (${(e as Error).message})`, 'give an empty directory you own, or leave the option out');
    }
    throw e;
  }
  const description = {
    trustDomain: options.trustDomain,
    socketDirectory: server.socketDirectory,
    x509Authority: { subject: options.ca.certificate.subject.text, file: options.ca.file },
    jwtAuthority: { kid: options.jwtKey.kid, file: options.jwtKey.file, ...(options.jwtIssuer ? { issuer: options.jwtIssuer } : {}) },
    workloads: options.workloads.map((w) => ({
      name: w.name,
      socket: server.addresses.get(w.name),
      agentId: w.agentId,
      selectors: w.selectors.map(formatSelector),
      issued: options.entries.filter((e) => entryMatches(e, w.agentId, w.selectors)).map((e) => e.spiffeId),
    })),
  };
  return { description, close: () => server.close() };
}
