import { AttestGateError } from '../core/errors';
import { SpiffeId } from '../core/spiffe-id';
import { EntryParent, NamespacePin } from './attestation-evidence';
import { readEntryBatch } from './entry-batch';
import { parseGoDurationSeconds } from './go-duration';
import { ACKNOWLEDGEMENT_ANNOTATION_PREFIX, REGISTRATION_ANNOTATION, RegistrationIntent, parseRegistrationIntent } from './registration-intent';
import { SpiffeSelector } from './registration-entry';
import { parseSelector, readSelector } from './selectors';
import { SpiffeRegistration } from './spiffe-registration';
import { SPIRE_AGENT_PATH_PREFIX, SPIRE_SERVER_PATH, SpireServer, SpireServerDescription } from './spire-server';

/**
 * What SPIRE registrations an input holds, read the way spire-controller-manager and
 * `spire-server entry create` read them, for the synth-time rules: ClusterSPIFFEID and
 * ClusterStaticEntry objects (written by attestgate's constructs or by hand) and entry batch
 * files, each with the declaration it serves when one is known. No cdk8s: the rules and the
 * emulator read it without the construct library.
 */

export const SPIRE_API_VERSION = 'spire.spiffe.io/v1alpha1';

/** The spec fields of the CRDs (spire-controller-manager v0.6.6); the API server prunes any other. */
export const CLUSTER_SPIFFE_ID_SPEC_FIELDS = [
  'admin',
  'autoPopulateDNSNames',
  'className',
  'dnsNameTemplates',
  'downstream',
  'fallback',
  'federatesWith',
  'hint',
  'jwtTtl',
  'namespaceSelector',
  'podSelector',
  'spiffeIDTemplate',
  'ttl',
  'workloadSelectorTemplates',
] as const;
export const CLUSTER_STATIC_ENTRY_SPEC_FIELDS = ['admin', 'className', 'dnsNames', 'downstream', 'federatesWith', 'hint', 'jwtSVIDTTL', 'parentID', 'selectors', 'spiffeID', 'storeSVID', 'x509SVIDTTL'] as const;

/** The label the API server sets on every namespace to its name, which no one can change. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** One registration under judgement. */
export interface JudgedEntry {
  /** `ClusterSPIFFEID/<name>`, `ClusterStaticEntry/<name>`, or `<file>#entries[<i>]`. */
  readonly resource: string;
  readonly kind: 'ClusterSPIFFEID' | 'ClusterStaticEntry' | 'entry';
  /** The SPIFFE ID, when it is literal. */
  readonly spiffeId?: string;
  /** The template, when the controller renders the ID per pod. */
  readonly spiffeIdTemplate?: string;
  readonly parent: EntryParent;
  /** Selectors known at synth. */
  readonly selectors: readonly SpiffeSelector[];
  /** Selector templates rendered per pod: unknown at synth, so they prove nothing here. */
  readonly selectorTemplates: readonly string[];
  /** The one namespace a ClusterSPIFFEID's namespaceSelector admits by name. */
  readonly namespacePin?: NamespacePin;
  /** A ClusterSPIFFEID's namespace and pod selectors, canonical JSON: part of what picks the workload. */
  readonly podScope?: string;
  /** Undefined: the server's default applies. */
  readonly x509SvidTtlSeconds?: number;
  readonly jwtSvidTtlSeconds?: number;
  /** DNS names (a ClusterSPIFFEID's `dnsNameTemplates`, which may hold template actions). */
  readonly dnsNames?: readonly string[];
  readonly federatesWith?: readonly string[];
  readonly hint?: string;
  /** SPIRE's `jwt_svid_include_jti` (an entry batch's `additional_attributes`); the CRDs have no field for it. */
  readonly jwtSvidIncludeJti?: boolean;
  /** Where each judged field is, as slash paths. */
  readonly locations: { readonly spiffeId: string; readonly selectors: string; readonly x509SvidTtl: string; readonly jwtSvidTtl: string };
  /** The declaration its own annotation carries. */
  readonly intent?: RegistrationIntent;
  /** Rule findings accepted on this entry, with the reason and where that was said. */
  readonly acknowledgements: ReadonlyArray<{ readonly ruleId: string; readonly reason: string; readonly at: string }>;
}

export interface SpiffeModelInput {
  /** Kubernetes objects (parsed YAML or JSON) by file; other kinds are skipped. */
  readonly manifests?: ReadonlyArray<{ readonly source: string; readonly objects: readonly unknown[] }>;
  /** Parsed `spire-server entry create -data` files. */
  readonly entryBatches?: ReadonlyArray<{ readonly source: string; readonly json: unknown }>;
  /**
   * The declarations entries are judged against where their manifests carry none (hand-written
   * manifests, the defaults of a SPIRE Helm chart, entry batch files). An entry that issues none
   * of the declared identities' SPIFFE IDs is not attestgate's to judge.
   */
  readonly registrations?: ReadonlyArray<SpiffeRegistration | RegistrationIntent>;
  /** SPIRE servers, to tell which trust domain an issuer belongs to and the default TTLs. */
  readonly servers?: readonly SpireServer[];
}

/** An identity the input declares, and the declaration that says how it must be registered. */
export interface DeclaredIdentity {
  readonly spiffeId: string;
  readonly intent: RegistrationIntent;
}

/** An entry as read, before its parent is placed among the node aliases of the whole input. */
type RawEntry = Omit<JudgedEntry, 'parent'> & { parentId?: string; declaredParent?: EntryParent };

export class SpiffeRegistrationModel {
  /**
   * Reads the input.
   *
   * @throws AttestGateError naming the file, object and field of anything SPIRE or the
   *   controller would refuse or silently drop
   */
  public static read(input: SpiffeModelInput): SpiffeRegistrationModel {
    const raw: RawEntry[] = [];
    for (const { source, objects } of input.manifests ?? []) {
      objects.forEach((object, index) => {
        const read = readObject(object, `${source}${objects.length > 1 ? ` (document ${index + 1})` : ''}`);
        if (read) raw.push(read);
      });
    }
    for (const { source, json } of input.entryBatches ?? []) {
      for (const e of readEntryBatch(json, source)) {
        raw.push({
          resource: `${source}#entries[${e.index}]`,
          kind: 'entry',
          spiffeId: e.spiffeId,
          parentId: e.parentId,
          selectors: e.selectors,
          selectorTemplates: [],
          ...(e.x509SvidTtlSeconds !== undefined ? { x509SvidTtlSeconds: e.x509SvidTtlSeconds } : {}),
          ...(e.jwtSvidTtlSeconds !== undefined ? { jwtSvidTtlSeconds: e.jwtSvidTtlSeconds } : {}),
          dnsNames: e.dnsNames,
          federatesWith: e.federatesWith,
          ...(e.hint !== undefined ? { hint: e.hint } : {}),
          ...(e.jwtSvidIncludeJti ? { jwtSvidIncludeJti: true } : {}),
          locations: { spiffeId: 'spiffe_id', selectors: 'selectors', x509SvidTtl: 'x509_svid_ttl', jwtSvidTtl: 'jwt_svid_ttl' },
          acknowledgements: [],
        });
      }
    }

    // Node entries (parent: the server) define node aliases; workload entries under them run on those nodes.
    const aliases = new Set(raw.filter((e) => e.parentId !== undefined && SpiffeId.parse(e.parentId).path === SPIRE_SERVER_PATH).map((e) => e.spiffeId));
    const parentOf = (e: RawEntry): EntryParent => {
      if (e.declaredParent) return e.declaredParent;
      const id = e.parentId as string;
      const path = SpiffeId.parse(id).path;
      if (path === SPIRE_SERVER_PATH) return { scope: 'server', id };
      if (path.startsWith(SPIRE_AGENT_PATH_PREFIX)) return { scope: 'agent', id };
      return { scope: aliases.has(id) ? 'node-alias' : 'unknown', id };
    };

    const declarations = (input.registrations ?? []).map((r) => (r instanceof SpiffeRegistration ? { intent: r.intent(), registration: r } : { intent: parseRegistrationIntent(r, 'registrations option'), registration: undefined }));
    const entries: JudgedEntry[] = raw.map((read) => {
      const { parentId: _parentId, declaredParent: _declaredParent, ...rest } = read;
      const entry: JudgedEntry = { ...rest, parent: parentOf(read) };
      // A declaration's acknowledgements hold for the entries it writes: same ID, parent and selectors.
      const own = declarations.filter((d) => d.registration !== undefined && writes(d.registration, entry) && d.intent.acknowledgements);
      const fromDeclarations = own.flatMap((d) => Object.entries(d.intent.acknowledgements ?? {}).map(([ruleId, reason]) => ({ ruleId, reason, at: `SpiffeRegistration '${d.intent.identity.name}'` })));
      return { ...entry, acknowledgements: [...entry.acknowledgements, ...fromDeclarations] };
    });

    const identities = new Map<string, DeclaredIdentity>();
    const declare = (intent: RegistrationIntent, where: string) => {
      const spiffeId = intent.identity.spiffeId;
      const known = identities.get(spiffeId);
      if (known && (known.intent.identity.privilege !== intent.identity.privilege || known.intent.identity.maxCredentialLifetimeSeconds !== intent.identity.maxCredentialLifetimeSeconds)) {
        throw new AttestGateError({
          where,
          field: 'identity',
          value: spiffeId,
          problem: `is declared again with another privilege tier or credential lifetime (${intent.identity.privilege}, ${intent.identity.maxCredentialLifetimeSeconds} s vs ${known.intent.identity.privilege}, ${known.intent.identity.maxCredentialLifetimeSeconds} s)`,
          fix: 'build every registration of one SPIFFE ID from the same AgentIdentity',
        });
      }
      if (!known) identities.set(spiffeId, { spiffeId, intent });
    };
    declarations.forEach((d) => declare(d.intent, 'registrations option'));
    entries.forEach((e) => e.intent && declare(e.intent, e.resource));

    const servers = new Map<string, SpireServerDescription>();
    for (const server of [...(input.servers ?? []).map((s) => s.describe()), ...[...identities.values()].flatMap((i) => (i.intent.server ? [i.intent.server] : []))]) {
      if (!servers.has(server.trustDomain)) servers.set(server.trustDomain, server);
    }
    return new SpiffeRegistrationModel(entries, [...identities.values()], [...servers.values()]);
  }

  private readonly patterns = new Map<string, RegExp>();

  private constructor(
    /** Every entry read, node entries included. */
    public readonly entries: readonly JudgedEntry[],
    /** Every identity declared, by the input's registrations or its manifests' annotations. */
    public readonly identities: readonly DeclaredIdentity[],
    /** Every SPIRE server declared. */
    public readonly servers: readonly SpireServerDescription[],
  ) {}

  /** Whether an entry issues, or (a template) may render, a SPIFFE ID. Node entries issue no workload SVIDs. */
  public mayIssue(entry: JudgedEntry, spiffeId: string): boolean {
    if (entry.parent.scope === 'server') return false;
    if (entry.spiffeId !== undefined) return entry.spiffeId === spiffeId;
    return this.patternOf(entry.spiffeIdTemplate as string).test(spiffeId);
  }

  /** The entries that may issue an identity's SVIDs. */
  public entriesIssuing(spiffeId: string): JudgedEntry[] {
    return this.entries.filter((e) => this.mayIssue(e, spiffeId));
  }

  /** The server of a trust domain, when declared. */
  public serverOf(trustDomain: string): SpireServerDescription | undefined {
    return this.servers.find((s) => s.trustDomain === trustDomain);
  }

  private patternOf(template: string): RegExp {
    let pattern = this.patterns.get(template);
    if (!pattern) {
      pattern = templatePattern(template);
      this.patterns.set(template, pattern);
    }
    return pattern;
  }
}

/**
 * The IDs a Go text/template may render, as a regular expression: its literal text, `[^/]+` for
 * `{{ .TrustDomain }}`, and anything at all for any other action — a pod's annotations, say, hold
 * whatever its author writes.
 */
export function templatePattern(template: string): RegExp {
  const parts = template.split(/(\{\{[\s\S]*?\}\})/);
  const body = parts
    .map((part) => {
      if (!part.startsWith('{{')) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      return /^\{\{-?\s*\.TrustDomain\s*-?\}\}$/.test(part) ? '[^/]+' : '.*';
    })
    .join('');
  return new RegExp(`^${body}$`);
}

/** Whether a declaration writes this entry: the same ID, parent and selectors. */
function writes(registration: SpiffeRegistration, entry: JudgedEntry): boolean {
  if (entry.spiffeId !== registration.identity.spiffeId.toString()) return false;
  const parentMatches = registration.parent.scope === 'kubernetes-nodes' ? entry.parent.scope === 'kubernetes-nodes' : entry.parent.id === registration.parent.spiffeId;
  const key = (selectors: readonly SpiffeSelector[]) => selectors.map((s) => `${s.type}:${s.value}`).sort().join('\n');
  return parentMatches && key(entry.selectors) === key(registration.selectors);
}

/** Reads one Kubernetes object: undefined for kinds other than the two registration CRDs. */
function readObject(object: unknown, source: string): RawEntry | undefined {
  if (object === null || typeof object !== 'object') return undefined;
  const o = object as Record<string, unknown>;
  if (o.kind !== 'ClusterSPIFFEID' && o.kind !== 'ClusterStaticEntry') return undefined;
  const metadata = (o.metadata ?? {}) as Record<string, unknown>;
  const name = metadata.name;
  const where = `${source}: ${String(o.kind)} '${typeof name === 'string' ? name : '?'}'`;
  const fail = (field: string, value: unknown, problem: string, fix: string): never => {
    throw new AttestGateError({ where, field, value, problem, fix });
  };
  if (o.apiVersion !== SPIRE_API_VERSION) fail('apiVersion', o.apiVersion, `is not ${SPIRE_API_VERSION}, the only version spire-controller-manager serves`, `set apiVersion: ${SPIRE_API_VERSION}`);
  if (typeof name !== 'string' || name.length === 0) fail('metadata.name', name, 'is missing', 'name the object');
  const spec = o.spec;
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) return fail('spec', spec, 'is missing', 'give the spec');
  const s = spec as Record<string, unknown>;
  const known: readonly string[] = o.kind === 'ClusterSPIFFEID' ? CLUSTER_SPIFFE_ID_SPEC_FIELDS : CLUSTER_STATIC_ENTRY_SPEC_FIELDS;
  for (const key of Object.keys(s)) {
    if (!known.includes(key)) fail(`spec.${key}`, s[key], `is not a field of ${String(o.kind)}; the API server drops it`, `use the CRD's fields (names are case-sensitive): ${known.join(', ')}`);
  }
  const annotations = (metadata.annotations ?? {}) as Record<string, unknown>;
  let intent: RegistrationIntent | undefined;
  if (annotations[REGISTRATION_ANNOTATION] !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(String(annotations[REGISTRATION_ANNOTATION]));
    } catch (e) {
      fail(`metadata.annotations["${REGISTRATION_ANNOTATION}"]`, annotations[REGISTRATION_ANNOTATION], `is not JSON (${(e as Error).message})`, 'write it again with attestgate/spiffe');
    }
    intent = parseRegistrationIntent(parsed, where);
  }
  const resource = `${String(o.kind)}/${name as string}`;
  const acknowledgements = [
    ...Object.entries(intent?.acknowledgements ?? {}).map(([ruleId, reason]) => ({ ruleId, reason, at: `${resource} (${REGISTRATION_ANNOTATION})` })),
    ...Object.entries(annotations)
      .filter(([key]) => key.startsWith(ACKNOWLEDGEMENT_ANNOTATION_PREFIX))
      .map(([key, reason]) => ({ ruleId: key.slice(ACKNOWLEDGEMENT_ANNOTATION_PREFIX.length), reason: String(reason), at: `${resource} (${key})` })),
  ];
  const ttl = (field: string): number | undefined => {
    const value = s[field];
    if (value === undefined || value === '') return undefined;
    const seconds = typeof value === 'string' ? parseGoDurationSeconds(value) : undefined;
    if (seconds === undefined || seconds < 0) return fail(`spec.${field}`, value, 'is not a Go duration the controller can decode (no days; e.g. "15m", "1h", "90s")', 'write it as a Go duration such as "15m"');
    return seconds === 0 ? undefined : seconds;
  };
  const strings = (field: string): string[] => {
    const value = s[field];
    if (value === undefined) return [];
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) return fail(`spec.${field}`, value, 'is not a list of strings', 'give a list of strings');
    return value as string[];
  };
  const selector = (text: string, field: string): SpiffeSelector => {
    const parsed = parseSelector(text) ?? fail(field, text, 'is not type:value (the controller fails to render the entry)', 'write it as "k8s:ns:agents"');
    const problem = readSelector(parsed).problem;
    if (problem) fail(field, text, problem.problem, problem.fix);
    return parsed;
  };
  const hint = s.hint;
  if (hint !== undefined && typeof hint !== 'string') fail('spec.hint', hint, 'is not a string', 'give the hint as a string');
  const issuance = (dnsField: string) => ({ dnsNames: strings(dnsField), federatesWith: strings('federatesWith'), ...(typeof hint === 'string' && hint !== '' ? { hint } : {}) });
  const ttls = (x509: string, jwt: string) => {
    const x = ttl(x509);
    const j = ttl(jwt);
    return { ...(x !== undefined ? { x509SvidTtlSeconds: x } : {}), ...(j !== undefined ? { jwtSvidTtlSeconds: j } : {}) };
  };

  if (o.kind === 'ClusterSPIFFEID') {
    const template = s.spiffeIDTemplate;
    if (typeof template !== 'string' || template.length === 0) return fail('spec.spiffeIDTemplate', template, 'is missing', 'give the SPIFFE ID (or its template)');
    const templated = template.includes('{{');
    if (!templated) SpiffeId.parse(template, where, 'spec.spiffeIDTemplate');
    const selectors: SpiffeSelector[] = [];
    const selectorTemplates: string[] = [];
    strings('workloadSelectorTemplates').forEach((t, i) => (t.includes('{{') ? selectorTemplates.push(t) : selectors.push(selector(t, `spec.workloadSelectorTemplates[${i}]`))));
    const namespacePin = namespacePinOf(s.namespaceSelector);
    return {
      resource,
      kind: 'ClusterSPIFFEID',
      ...(templated ? { spiffeIdTemplate: template } : { spiffeId: template }),
      declaredParent: { scope: 'kubernetes-nodes' },
      selectors,
      selectorTemplates,
      ...(namespacePin ? { namespacePin } : {}),
      podScope: canonicalJson({ namespaceSelector: s.namespaceSelector ?? null, podSelector: s.podSelector ?? null }),
      ...ttls('ttl', 'jwtTtl'),
      ...issuance('dnsNameTemplates'),
      locations: { spiffeId: 'spec/spiffeIDTemplate', selectors: 'spec/workloadSelectorTemplates', x509SvidTtl: 'spec/ttl', jwtSvidTtl: 'spec/jwtTtl' },
      ...(intent ? { intent } : {}),
      acknowledgements,
    };
  }

  const spiffeId = typeof s.spiffeID === 'string' ? SpiffeId.parse(s.spiffeID, where, 'spec.spiffeID').toString() : fail('spec.spiffeID', s.spiffeID, 'is missing', 'give the SPIFFE ID');
  const parentId = typeof s.parentID === 'string' ? SpiffeId.parse(s.parentID, where, 'spec.parentID').toString() : fail('spec.parentID', s.parentID, 'is missing', 'give the parent (a node alias or agent ID)');
  const selectors = strings('selectors').map((t, i) => selector(t, `spec.selectors[${i}]`));
  if (selectors.length === 0) fail('spec.selectors', s.selectors, 'is empty; SPIRE requires at least one selector', 'give the selectors');
  return {
    resource,
    kind: 'ClusterStaticEntry',
    spiffeId,
    parentId,
    selectors,
    selectorTemplates: [],
    ...ttls('x509SVIDTTL', 'jwtSVIDTTL'),
    ...issuance('dnsNames'),
    locations: { spiffeId: 'spec/spiffeID', selectors: 'spec/selectors', x509SvidTtl: 'spec/x509SVIDTTL', jwtSvidTtl: 'spec/jwtSVIDTTL' },
    ...(intent ? { intent } : {}),
    acknowledgements,
  };
}

/** The namespace a label selector pins by the immutable name label, if exactly one. */
function namespacePinOf(selector: unknown): NamespacePin | undefined {
  if (selector === null || typeof selector !== 'object') return undefined;
  const { matchLabels, matchExpressions } = selector as { matchLabels?: Record<string, unknown>; matchExpressions?: Array<Record<string, unknown>> };
  const byLabel = matchLabels?.[NAMESPACE_NAME_LABEL];
  if (typeof byLabel === 'string') return { namespace: byLabel };
  const expression = (matchExpressions ?? []).find((e) => e.key === NAMESPACE_NAME_LABEL && e.operator === 'In' && Array.isArray(e.values) && e.values.length === 1);
  return expression ? { namespace: String((expression.values as unknown[])[0]) } : undefined;
}

/** JSON with object keys sorted, so equal selectors compare equal. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}
