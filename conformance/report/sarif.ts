import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Location, Log, Region, ReportingDescriptor, Result, Run } from 'sarif';
import { endpointOf } from '../engine/report';
import { KeyIndex, indexJsonKeys, positionOf } from './json-key-positions';

/**
 * What the SARIF of `attestgate conformance` (and step-up, spiffe) and of `attestgate rules` share,
 * shaped by what GitHub code scanning reads: a stable ruleId with help, a repository-relative
 * file as the location, with the line that declares the resource when it can be found (and the
 * construct path or Terraform address as the logical location), and partialFingerprints, so a
 * finding stays one alert from run to run instead of being closed and reopened.
 */

/** A check's severity, or a rule's (`warning`: a default quota that can be raised, AG-AWS-010/011). */
export type SarifSeverity = 'critical' | 'high' | 'medium' | 'low' | 'warning';

const LEVEL: Record<SarifSeverity, Result.level> = { critical: 'error', high: 'error', medium: 'warning', low: 'note', warning: 'note' };
/** GitHub ranks security alerts by this CVSS-like score (properties['security-severity']). */
const SECURITY_SEVERITY: Record<SarifSeverity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', warning: '1.0' };

/** Where attestgate is described; there is no per-check page outside the package's docs/ yet. */
export const INFORMATION_URI = 'https://www.npmjs.com/package/attestgate';

/** A failing result's level from its rule's severity. */
export const levelOf = (severity: SarifSeverity): Result.level => LEVEL[severity];

/** One rule as GitHub shows it: title, description, help (plain and Markdown), severity and tags. */
export function sarifRule(rule: {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly help: ReadonlyArray<readonly [heading: string, text: string]>;
  readonly docs: string;
  readonly severity: SarifSeverity;
  readonly tags: readonly string[];
  readonly version: string;
}): ReportingDescriptor {
  const text = rule.help.map(([heading, body]) => `${heading}: ${body}`).join('\n\n');
  const markdown = [...rule.help.map(([heading, body]) => `**${heading}.** ${body}`), `See ${rule.docs} in the attestgate package.`].join('\n\n');
  return {
    id: rule.id,
    name: rule.id.replace(/-/g, ''),
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.description },
    help: { text: `${text}\n\nSee ${rule.docs} in the attestgate package.`, markdown },
    helpUri: `${INFORMATION_URI}/v/${rule.version}`,
    defaultConfiguration: { level: LEVEL[rule.severity] },
    properties: { tags: ['security', ...rule.tags], severity: rule.severity, 'security-severity': SECURITY_SEVERITY[rule.severity] },
  };
}

/**
 * A file or endpoint as a SARIF URI: a file relative to `base` (the repository root when CI runs
 * there) with forward slashes, as GitHub matches it to the repository; an endpoint's URL as it is
 * (a step-up endpoint is `METHOD URL` in reports, a SPIFFE registration its SPIFFE ID).
 */
export function artifactUri(source: string, base: string = process.cwd()): string {
  const url = endpointOf(source);
  if (url) return url;
  const relative = path.isAbsolute(source) ? path.relative(base, source) : source;
  // Outside the base a relative path would climb out of the repository: keep it absolute, as a file URL.
  if (relative.startsWith('..') || path.isAbsolute(relative)) return new URL(`file://${path.resolve(base, source).split(path.sep).join('/')}`).href;
  return relative.split(path.sep).join('/').split('/').map(encodeURIComponent).join('/');
}

/**
 * A result's location: the file that declares it — at the resource's line when `region` is
 * given — and the resource in it (construct path, Terraform address) as the logical location.
 */
export function sarifLocation(source: string, resource: string, region?: Region): Location {
  return {
    physicalLocation: { artifactLocation: { uri: artifactUri(source) }, ...(region ? { region } : {}) },
    logicalLocations: [{ fullyQualifiedName: resource, kind: 'resource' }],
  };
}

/** Terraform JSON's sections of resources, by the address prefix that names them. */
const TERRAFORM_ADDRESS = /^(data\.)?([^.[\]]+)\.([^.[\]]+)$/;

/**
 * Where resources are declared in the files that declare them, as SARIF regions: the line and
 * column of a CloudFormation logical ID's key under `Resources`, or of a Terraform resource's
 * name under `resource` → its type (`data` for `data.` addresses). Each file is read and indexed
 * once, however many results it has.
 *
 * No region, rather than a guess, when the source is an endpoint, the file cannot be read or is
 * not JSON, or the resource is not among its keys: a plan or state (whose addresses are not keys
 * of a configuration), a module's resource, an instance `x.y[0]`, a finding about the whole
 * template. The fingerprint does not depend on the region: a line moved is the same alert.
 */
export class ResourceRegions {
  private readonly indexes = new Map<string, KeyIndex | undefined>();

  constructor(private readonly readText: (file: string) => string = (file) => fs.readFileSync(file, 'utf8')) {}

  /** The region of `resource` (a logical ID or a Terraform address) in `source`, or undefined. */
  public regionOf(source: string, resource: string): Region | undefined {
    if (endpointOf(source)) return undefined;
    const index = this.indexOf(source);
    if (!index) return undefined;
    const terraform = TERRAFORM_ADDRESS.exec(resource);
    const position =
      positionOf(index, ['Resources', resource]) ?? (terraform ? positionOf(index, [terraform[1] ? 'data' : 'resource', terraform[2], terraform[3]]) : undefined);
    return position ? { startLine: position.line, startColumn: position.column } : undefined;
  }

  private indexOf(file: string): KeyIndex | undefined {
    if (!this.indexes.has(file)) {
      let text: string | undefined;
      try {
        text = this.readText(file);
      } catch (e) {
        // Missing, a directory, unreadable: the result keeps its file, without a line.
        if (!(e as NodeJS.ErrnoException).code) throw e;
      }
      this.indexes.set(file, text === undefined ? undefined : indexJsonKeys(text, 3));
    }
    return this.indexes.get(file);
  }
}

/**
 * What makes a result the same alert across runs: its rule and the resource it is about — never
 * its message, which carries request IDs, durations and other run-to-run detail.
 */
export function partialFingerprints(ruleId: string, resource: string): Record<string, string> {
  return { 'attestgateFinding/v1': crypto.createHash('sha256').update(`${ruleId}\0${resource}`).digest('hex') };
}

/** The SARIF log of one run of attestgate, as text. */
export function renderSarifLog(version: string, rules: ReportingDescriptor[], results: Result[], extra: Partial<Run> = {}): string {
  const log: Log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    // Regions' columns count UTF-16 code units, as JavaScript strings do; said, not left to a default.
    runs: [{ tool: { driver: { name: 'attestgate', version, informationUri: INFORMATION_URI, rules } }, columnKind: 'utf16CodeUnits', ...extra, results }],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
