import * as crypto from 'node:crypto';
import { AttestGateError } from '../../../lib/core/errors';
import { SpiffeId } from '../../../lib/core/spiffe-id';
import { requirePeerDependencies } from '../../../lib/peer-dependencies';
import { RegistrationEntry, SpiffeSelector } from '../../../lib/spiffe/registration-entry';
import { JudgedEntry, SpiffeRegistrationModel } from '../../../lib/spiffe/registration-model';
import { checkDeclaredSelector } from '../../../lib/spiffe/selectors';
import { SPIRE_AGENT_PATH_PREFIX } from '../../../lib/spiffe/spire-server';
import { readInput, utf8Text } from '../../discovery/input-files';
import { EmulatedWorkload } from './workload-api-server';

/**
 * What `attestgate emulator --spiffe-registrations FILE --spiffe-workload …` serves: the
 * registrations a user already has — spire-controller-manager manifests (ClusterSPIFFEID,
 * ClusterStaticEntry; YAML or JSON) or a `spire-server entry create -data` batch — read by the
 * AG-SPIFFE model (lib/spiffe/registration-model), so the emulator refuses what SPIRE or the
 * controller would refuse or silently drop, and the workload profiles that connect to it.
 */

/**
 * The Kubernetes node a ClusterSPIFFEID's pods run on in the emulator: the controller writes one
 * entry per selected pod under the agent of its node (`k8s_psat`, its default parent template).
 */
export const EMULATED_CLUSTER = 'attestgate-emulator';
export const EMULATED_NODE_UID = 'node-1';

export const emulatedNodeAgent = (trustDomain: string): string => `spiffe://${trustDomain}${SPIRE_AGENT_PATH_PREFIX}k8s_psat/${EMULATED_CLUSTER}/${EMULATED_NODE_UID}`;

/** A workload profile as the command line gives it, before the trust domain is known. */
export interface WorkloadProfileArg {
  readonly name: string;
  /** The agent (or node alias) it runs under; undefined: the emulated Kubernetes node's agent. */
  readonly parentId?: string;
  readonly selectors: readonly SpiffeSelector[];
}

/** One registration file, read. */
export interface RegistrationFile {
  readonly file: string;
  readonly entries: readonly JudgedEntry[];
}

const PROFILE_NAME = /^[A-Za-z0-9._-]{1,64}$/;
const TRUST_DOMAIN_ACTION = /\{\{-?\s*\.TrustDomain\s*-?\}\}/g;

/**
 * `NAME[@PARENT]=SELECTOR,SELECTOR…`: a workload profile. Split at the first `=` (selectors hold
 * `:` and `@`, never `=`; a SPIFFE ID holds neither `@` nor `=`). Each selector is checked as a
 * registration's would be, so a typo (`k8s:namespace:…`) is refused rather than never matching.
 */
export function parseWorkloadProfile(option: string, raw: string): WorkloadProfileArg {
  const where = `--${option} ${raw}`;
  const fix = 'write NAME=k8s:ns:agents,k8s:sa:deployer,… or NAME@spiffe://<trust-domain>/<parent>=unix:uid:1001,…';
  const at = raw.indexOf('=');
  if (at <= 0 || at === raw.length - 1) throw new AttestGateError({ where, field: 'profile', value: raw, problem: 'is not NAME[@PARENT]=SELECTOR,SELECTOR…', fix });
  const head = raw.slice(0, at);
  const [name, parent] = head.includes('@') ? [head.slice(0, head.indexOf('@')), head.slice(head.indexOf('@') + 1)] : [head, undefined];
  if (!PROFILE_NAME.test(name)) throw new AttestGateError({ where, field: 'NAME', value: name, problem: 'is not 1 to 64 letters, digits, ".", "_" or "-" (it names the socket file)', fix: 'name the profile e.g. "deployer" or "other-image"' });
  const parentId = parent === undefined ? undefined : SpiffeId.parse(parent, where, 'PARENT').toString();
  const selectors = raw
    .slice(at + 1)
    .split(',')
    .map((text, i) => checkDeclaredSelector(text.trim(), 'workload', where, `selectors[${i}]`).selector);
  return { name, ...(parentId ? { parentId } : {}), selectors };
}

/**
 * Reads a registrations file: JSON (an entry batch `{"entries": […]}`, a Kubernetes object, a
 * list of them, or a `kind: List`) or YAML (one or more documents, through cdk8s's reader).
 *
 * @throws AttestGateError naming the option, the file, and the object and field at fault
 */
export function readRegistrationFile(option: string, file: string): RegistrationFile {
  const where = `--${option} ${file}`;
  const decoded = utf8Text(readInput(file, (problem) => new AttestGateError({ where, field: 'file', value: file, problem, fix: 'give a readable manifest or entry batch file' })));
  if ('problem' in decoded) throw new AttestGateError({ where, field: 'file', value: file, problem: decoded.problem, fix: 'save it as UTF-8' });
  let json: unknown;
  let parsedAsJson = true;
  try {
    json = JSON.parse(decoded.text);
  } catch {
    parsedAsJson = false;
  }
  let model: SpiffeRegistrationModel;
  if (parsedAsJson && isEntryBatch(json)) {
    model = SpiffeRegistrationModel.read({ entryBatches: [{ source: file, json }] });
  } else {
    const objects = parsedAsJson ? kubernetesObjects(json) : loadYaml(file, where);
    model = SpiffeRegistrationModel.read({ manifests: [{ source: file, objects }] });
  }
  const registrations = model.entries.filter((e) => e.kind !== 'entry' || e.parent.scope !== 'server');
  if (model.entries.length === 0) {
    throw new AttestGateError({ where, field: 'file', value: file, problem: 'holds no ClusterSPIFFEID, ClusterStaticEntry or entry batch entry', fix: 'give the manifests cdk8s synthesized, or the JSON of spire-server entry create -data' });
  }
  return { file, entries: registrations };
}

const isEntryBatch = (json: unknown): boolean => json !== null && typeof json === 'object' && !Array.isArray(json) && 'entries' in json && !('kind' in json);

/** The objects of a JSON manifest: one object, an array of them, or a `kind: List` with `items`. */
function kubernetesObjects(json: unknown): unknown[] {
  if (Array.isArray(json)) return json;
  const list = json as { kind?: unknown; items?: unknown } | null;
  if (list && list.kind === 'List' && Array.isArray(list.items)) return list.items;
  return [json];
}

function loadYaml(file: string, where: string): unknown[] {
  requirePeerDependencies(`${where} (YAML)`, ['cdk8s']);
  // Loaded only for YAML: the rest of the CLI does not need cdk8s.
  const { Yaml } = require('cdk8s') as typeof import('cdk8s');
  try {
    return Yaml.load(file).filter((doc: unknown) => doc !== null && doc !== undefined);
  } catch (e) {
    throw new AttestGateError({ where, field: 'file', value: file, problem: `is neither JSON nor YAML (${(e as Error).message.split('\n')[0]})`, fix: 'give the manifests as YAML or JSON, or an entry batch as JSON' });
  }
}

/** The trust domain every registration is in: the one given, or the one their SPIFFE IDs share. */
export function registrationsTrustDomain(files: readonly RegistrationFile[], given: string | undefined, option: string): string {
  const found = new Map<string, string>();
  for (const { file, entries } of files) {
    for (const entry of entries) {
      if (entry.spiffeId !== undefined) found.set(SpiffeId.parse(entry.spiffeId).trustDomain, `${file}: ${entry.resource}`);
    }
  }
  if (given !== undefined) {
    const other = [...found].find(([td]) => td !== given);
    if (other) throw new AttestGateError({ where: `--${option}-trust-domain`, field: 'trust domain', value: given, problem: `differs from that of ${other[1]} (${other[0]}); a SPIRE server issues IDs of its own trust domain only`, fix: `give --${option}-trust-domain ${other[0]}, or registrations of ${given}` });
    return given;
  }
  if (found.size === 1) return [...found.keys()][0];
  if (found.size === 0) throw new AttestGateError({ where: `--${option}-registrations`, field: 'trust domain', value: [], problem: 'cannot be told: every SPIFFE ID is a template', fix: `give --${option}-trust-domain TRUST_DOMAIN` });
  throw new AttestGateError({ where: `--${option}-registrations`, field: 'trust domain', value: [...found.keys()], problem: `is not one: ${[...found].map(([td, at]) => `${td} (${at})`).join(', ')}; one SPIRE server serves one trust domain`, fix: `give the registrations of one trust domain, and --${option}-trust-domain to say which` });
}

/** A pod UID for a profile, stable across runs: the controller pins each pod's entry by its UID. */
export function profilePodUid(name: string): string {
  const hex = crypto.createHash('sha256').update(`attestgate-emulator/${name}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The workloads the emulated agent serves, and the entries SPIRE would hold for them. A profile
 * without a parent is a pod on the emulated Kubernetes node: it runs under that node's agent and
 * presents its pod UID, and each ClusterSPIFFEID gets the entry spire-controller-manager writes
 * for it (pod UID first, then the workload selector templates) — the emulator does not evaluate
 * `podSelector` or `namespaceSelector`: every pod is taken as selected, the selectors decide.
 * ClusterStaticEntry and batch entries are served as written.
 */
export function servedWorkloads(files: readonly RegistrationFile[], profiles: readonly WorkloadProfileArg[], trustDomain: string, option: string): { workloads: EmulatedWorkload[]; entries: RegistrationEntry[] } {
  const nodeAgent = emulatedNodeAgent(trustDomain);
  const workloads: EmulatedWorkload[] = profiles.map((p) =>
    p.parentId === undefined ? { name: p.name, agentId: nodeAgent, selectors: [{ type: 'k8s', value: `pod-uid:${profilePodUid(p.name)}` }, ...p.selectors] } : { name: p.name, agentId: p.parentId, selectors: p.selectors },
  );
  const entries: RegistrationEntry[] = [];
  for (const { file, entries: read } of files) {
    for (const entry of read) {
      const where = `--${option} ${file}: ${entry.resource}`;
      const literal = (value: string, field: string): string => {
        const rendered = value.replace(TRUST_DOMAIN_ACTION, trustDomain);
        if (rendered.includes('{{')) {
          throw new AttestGateError({ where, field, value, problem: 'holds a template action the emulator cannot render (it renders {{ .TrustDomain }} only: it has no pod to read)', fix: 'give the emulator a copy with the value as it renders for the pod you emulate' });
        }
        return rendered;
      };
      if (entry.selectorTemplates.length > 0) literal(entry.selectorTemplates[0], 'spec.workloadSelectorTemplates');
      const common = {
        spiffeId: SpiffeId.parse(literal(entry.spiffeId ?? entry.spiffeIdTemplate!, entry.locations.spiffeId), where, entry.locations.spiffeId).toString(),
        x509SvidTtlSeconds: entry.x509SvidTtlSeconds ?? 0,
        jwtSvidTtlSeconds: entry.jwtSvidTtlSeconds ?? 0,
        dnsNames: (entry.dnsNames ?? []).map((name) => literal(name, 'dnsNames')),
        federatesWith: entry.federatesWith ?? [],
        ...(entry.hint !== undefined ? { hint: entry.hint } : {}),
        ...(entry.jwtSvidIncludeJti ? { jwtSvidIncludeJti: true } : {}),
      };
      if (entry.parent.scope !== 'kubernetes-nodes') {
        entries.push({ ...common, parentId: entry.parent.id!, selectors: entry.selectors });
        continue;
      }
      for (const workload of workloads.filter((w) => w.agentId === nodeAgent)) {
        entries.push({ ...common, parentId: nodeAgent, selectors: [workload.selectors[0], ...entry.selectors] });
      }
    }
  }
  return { workloads, entries };
}

