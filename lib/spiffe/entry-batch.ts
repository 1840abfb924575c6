import { AttestGateError } from '../core/errors';
import { SpiffeId } from '../core/spiffe-id';
import { RegistrationEntry, SpiffeSelector } from './registration-entry';
import { SpiffeNodeAlias } from './spiffe-node-alias';
import { SpiffeRegistration } from './spiffe-registration';
import { parseTrustDomain } from './spire-server';

/**
 * The JSON `spire-server entry create -data <file>` reads: `{"entries": [...]}`, each entry a
 * `RegistrationEntry` of SPIRE's `proto/spire/common/common.proto` as Go's encoding/json decodes
 * it — snake_case names, TTLs as int32 seconds (0 or absent: the server's default).
 */
export interface EntryBatch {
  readonly entries: BatchEntry[];
}

export interface BatchEntry {
  readonly spiffe_id: string;
  readonly parent_id: string;
  readonly selectors: Array<{ readonly type: string; readonly value: string }>;
  readonly x509_svid_ttl?: number;
  readonly jwt_svid_ttl?: number;
  readonly dns_names?: string[];
  readonly federates_with?: string[];
  readonly hint?: string;
  /**
   * `common.RegistrationEntry.AdditionalAttributes` (SPIRE 1.15.2+). `entry create -data` decodes
   * the file with Go's encoding/json, whose names are the proto field names (`json:"…"` tags of
   * the generated code), not protojson's camelCase: `jwtSvidIncludeJti` would be dropped.
   */
  readonly additional_attributes?: { readonly jwt_svid_include_jti?: boolean; readonly disable_x509_svid_prefetch?: boolean };
}

/**
 * The batch for servers without spire-controller-manager: the node alias entries the
 * registrations run under (each once), then one entry per registration. Registrations under
 * Kubernetes nodes are refused: their entries exist per pod, written by the controller manager.
 *
 * @throws AttestGateError for a Kubernetes-nodes registration, or two different aliases of one SPIFFE ID
 */
export function entryBatch(items: ReadonlyArray<SpiffeRegistration | SpiffeNodeAlias>): EntryBatch {
  const aliases = new Map<string, SpiffeNodeAlias>();
  const addAlias = (alias: SpiffeNodeAlias) => {
    const id = alias.spiffeId.toString();
    const known = aliases.get(id);
    if (known && known !== alias && JSON.stringify(known.entry().selectors) !== JSON.stringify(alias.entry().selectors)) {
      throw new AttestGateError({ where: 'entryBatch', field: 'node alias', value: id, problem: 'is declared twice with different selectors', fix: 'declare each node alias once and share the SpiffeNodeAlias' });
    }
    aliases.set(id, known ?? alias);
  };
  const workloads: RegistrationEntry[] = [];
  for (const item of items) {
    if (item instanceof SpiffeNodeAlias) {
      addAlias(item);
    } else {
      if (item.parent.alias) addAlias(item.parent.alias);
      workloads.push(item.entry());
    }
  }
  return { entries: [...[...aliases.values()].map((a) => a.entry()), ...workloads].map(toBatchEntry) };
}

/** One registration entry in the batch's JSON form. */
export function toBatchEntry(entry: RegistrationEntry): BatchEntry {
  return {
    spiffe_id: entry.spiffeId,
    parent_id: entry.parentId,
    selectors: entry.selectors.map((s) => ({ type: s.type, value: s.value })),
    ...(entry.x509SvidTtlSeconds > 0 ? { x509_svid_ttl: entry.x509SvidTtlSeconds } : {}),
    ...(entry.jwtSvidTtlSeconds > 0 ? { jwt_svid_ttl: entry.jwtSvidTtlSeconds } : {}),
    ...(entry.dnsNames.length > 0 ? { dns_names: [...entry.dnsNames] } : {}),
    ...(entry.federatesWith.length > 0 ? { federates_with: [...entry.federatesWith] } : {}),
    ...(entry.hint !== undefined ? { hint: entry.hint } : {}),
    ...(entry.jwtSvidIncludeJti ? { additional_attributes: { jwt_svid_include_jti: true } } : {}),
  };
}

/** An entry read from a batch file; TTLs are undefined where the server's default applies. */
export interface ReadBatchEntry {
  readonly index: number;
  readonly spiffeId: string;
  readonly parentId: string;
  readonly selectors: readonly SpiffeSelector[];
  readonly x509SvidTtlSeconds?: number;
  readonly jwtSvidTtlSeconds?: number;
  readonly dnsNames: readonly string[];
  readonly federatesWith: readonly string[];
  readonly hint?: string;
  /** `additional_attributes.jwt_svid_include_jti`; absent when false or not given. */
  readonly jwtSvidIncludeJti?: boolean;
}

// The fields of common.RegistrationEntry.AdditionalAttributes (SPIRE 1.15.2).
const ADDITIONAL_ATTRIBUTE_FIELDS = ['disable_x509_svid_prefetch', 'jwt_svid_include_jti'];

// Every field of common.RegistrationEntry. Go's encoding/json matches them case-insensitively and
// silently drops any other key — a misspelt "x509_ttl" would leave the server's default TTL — so
// attestgate refuses unknown keys.
const ENTRY_FIELDS = [
  'selectors',
  'parent_id',
  'spiffe_id',
  'x509_svid_ttl',
  'federates_with',
  'entry_id',
  'admin',
  'downstream',
  'entryExpiry',
  'dns_names',
  'revision_number',
  'store_svid',
  'jwt_svid_ttl',
  'hint',
  'created_at',
  'additional_attributes',
];
const INT32_MAX = 2 ** 31 - 1;

/**
 * Reads an entry batch (the parsed JSON of an `entry create -data` file) as SPIRE would.
 *
 * @param source the file, for messages
 * @throws AttestGateError naming the file, the entry and the field
 */
export function readEntryBatch(json: unknown, source: string): ReadBatchEntry[] {
  const fail = (field: string, value: unknown, problem: string, fix: string): never => {
    throw new AttestGateError({ where: source, field, value, problem, fix });
  };
  if (json === null || typeof json !== 'object' || Array.isArray(json) || !Array.isArray((json as { entries?: unknown }).entries)) {
    return fail('entries', json, 'is not the {"entries": [...]} object spire-server entry create -data reads', 'wrap the entries in {"entries": [...]}');
  }
  return ((json as { entries: unknown[] }).entries ?? []).map((raw, index) => {
    const at = `entries[${index}]`;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return fail(at, raw, 'is not an object', 'write each entry as an object');
    const entry: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
      const field = ENTRY_FIELDS.find((f) => f.toLowerCase() === key.toLowerCase());
      if (!field) fail(`${at}.${key}`, value, 'is not a field of a SPIRE registration entry; SPIRE would ignore it', `use the fields of common.RegistrationEntry: ${ENTRY_FIELDS.join(', ')}`);
      entry[field as string] = value;
    }
    const id = (field: string): string => {
      const value = entry[field];
      if (typeof value !== 'string') return fail(`${at}.${field}`, value, 'is missing or not a string', 'give a SPIFFE ID');
      return SpiffeId.parse(value, source, `${at}.${field}`).toString();
    };
    const ttl = (field: string): number | undefined => {
      const value = entry[field];
      if (value === undefined || value === 0) return undefined;
      if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > INT32_MAX) return fail(`${at}.${field}`, value, 'is not a whole number of seconds from 0 to 2^31-1', 'give the TTL in seconds');
      return value as number;
    };
    const strings = (field: string): string[] => {
      const value = entry[field];
      if (value === undefined) return [];
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) return fail(`${at}.${field}`, value, 'is not a list of strings', 'give a list of strings');
      return value as string[];
    };
    if (!Array.isArray(entry.selectors) || entry.selectors.length === 0) fail(`${at}.selectors`, entry.selectors, 'is missing or empty; SPIRE requires at least one selector', 'give [{"type": "k8s", "value": "ns:agents"}, …]');
    const selectors = (entry.selectors as unknown[]).map((s, i) => {
      const selector = (s ?? {}) as Record<string, unknown>;
      if (typeof selector.type !== 'string' || selector.type.length === 0 || typeof selector.value !== 'string' || selector.value.length === 0) {
        return fail(`${at}.selectors[${i}]`, s, 'is not {"type": "…", "value": "…"} with both non-empty', 'write the selector as {"type": "k8s", "value": "ns:agents"}');
      }
      return { type: selector.type, value: selector.value };
    });
    const hint = entry.hint;
    if (hint !== undefined && typeof hint !== 'string') fail(`${at}.hint`, hint, 'is not a string', 'give the hint as a string');
    const includeJti = readAdditionalAttributes(entry.additional_attributes, `${at}.additional_attributes`, fail).jwt_svid_include_jti;
    return {
      index,
      spiffeId: id('spiffe_id'),
      parentId: id('parent_id'),
      selectors,
      ...optional('x509SvidTtlSeconds', ttl('x509_svid_ttl')),
      ...optional('jwtSvidTtlSeconds', ttl('jwt_svid_ttl')),
      dnsNames: strings('dns_names'),
      federatesWith: strings('federates_with').map((td, i) => parseTrustDomain(td, source, `${at}.federates_with[${i}]`)),
      ...(typeof hint === 'string' && hint.length > 0 ? { hint } : {}),
      ...(includeJti === true ? { jwtSvidIncludeJti: true } : {}),
    };
  });
}

/**
 * An entry's `additional_attributes` as encoding/json decodes it: field names matched without
 * regard to case, any other key (`jwtSvidIncludeJti`, protojson's spelling) dropped — so refused
 * here — and each value a boolean.
 */
function readAdditionalAttributes(raw: unknown, at: string, fail: (field: string, value: unknown, problem: string, fix: string) => never): Record<string, boolean> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) return fail(at, raw, 'is not an object', 'write it as {"jwt_svid_include_jti": true}');
  const read: Record<string, boolean> = {};
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    const field = ADDITIONAL_ATTRIBUTE_FIELDS.find((f) => f.toLowerCase() === key.toLowerCase());
    if (!field) fail(`${at}.${key}`, value, 'is not a field of a SPIRE entry\'s additional attributes; SPIRE would ignore it', `use ${ADDITIONAL_ATTRIBUTE_FIELDS.join(' or ')} (snake_case: entry create -data reads proto field names)`);
    if (typeof value !== 'boolean') fail(`${at}.${key}`, value, 'is not true or false', 'give a JSON boolean');
    read[field as string] = value as boolean;
  }
  return read;
}

function optional<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, number>);
}
