import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AppTemplate } from './app-templates';
import { CloudFormationTemplate, NESTED_STACK_TYPE } from './template';

/**
 * Where the template of a nested stack is, as the files of an app show it. CloudFormation reads a
 * nested template from the S3 URL of its parent's `AWS::CloudFormation::Stack` (`TemplateURL`);
 * before deployment the file is on disk, named in one of three ways:
 *
 * - a CDK cloud assembly: `TemplateURL` ends in the object key (`<hash>.json`) an asset manifest
 *   next to the template (`<stack>.assets.json`) maps to the file (`<…>.nested.template.json`);
 * - `cdk synth` with asset metadata: the resource's `Metadata["aws:asset:path"]` names the file;
 * - a hand-written template: `TemplateURL` is a local path, relative to the parent template's
 *   file, as `aws cloudformation package` takes it.
 *
 * A nested stack resource whose file is not found that way is reported (`nestedTemplateProblems`):
 * what it passes and reads back stays unknown, never guessed.
 */

/** How the files are read: the functions here read files only through it (tests give files that are not on disk). */
export interface TemplateFiles {
  /** A file's text; undefined when there is none. */
  read(file: string): string | undefined;
  /** The names of the files of a directory; empty when there is none. */
  list(directory: string): readonly string[];
}

/** The files of the disk, for the plugin and `attestgate rules`, which read a synthesized app from it. */
export const TEMPLATE_FILES_ON_DISK: TemplateFiles = {
  read: (file) => (fs.existsSync(file) && fs.statSync(file).isFile() ? fs.readFileSync(file, 'utf8') : undefined),
  list: (directory) => (fs.existsSync(directory) && fs.statSync(directory).isDirectory() ? fs.readdirSync(directory) : []),
};

/** A file of the app: its template, and the path it was read from (what nested templates are found relative to). */
export type AppTemplateFile = AppTemplate & { readonly file?: string };

const ASSET_PATH_METADATA = 'aws:asset:path';
/** A chain of nested stacks deeper than this is a file that includes itself (CloudFormation allows far less). */
const MAX_NESTING = 20;

/**
 * The templates given and every nested template their stack resources name, recursively, each
 * nested one `nestedIn` its parent; a parent lists in `nestedTemplateProblems` the nested stacks
 * whose template it could not find, and why.
 */
export function withNestedTemplates(given: readonly AppTemplateFile[], filesRead: TemplateFiles): AppTemplateFile[] {
  // Each file read and each directory listed once: the templates are expanded twice (to find which
  // given ones are nested, then for real), a nested template is tested for and then read, and the
  // asset manifests of a directory are read for each of its nested stack resources.
  const files = memoizedFiles(filesRead);
  // Parsed once: AppTemplates takes the objects as they are.
  const templates = given.map((t) => (typeof t.template === 'string' ? { ...t, template: JSON.parse(t.template) } : t));
  // A template given as well as nested in another given one is that nested stack (its parameters
  // are what its parent passes), under the name it was given by: read alone, they would not be known.
  const givenByFile = new Map(templates.filter((t) => t.file !== undefined).map((t) => [t.file!, t]));
  const names = new Set(templates.map((t) => t.name));
  const unique = (name: string) => {
    let candidate = name;
    for (let n = 2; names.has(candidate); n++) candidate = `${name} (${n})`;
    names.add(candidate);
    return candidate;
  };
  const claimed = new Set<string>();
  /** The template with its nested ones, depth first; `chain` holds the files it is nested in. */
  const expand = (template: AppTemplateFile, chain: readonly string[]): AppTemplateFile[] => {
    if (template.file === undefined) return [template];
    const parsed = template.template;
    const problems: Record<string, string> = {};
    const nested: AppTemplateFile[] = [];
    for (const [logicalId, resource] of Object.entries((parsed as CloudFormationTemplate)?.Resources ?? {})) {
      if (resource?.Type !== NESTED_STACK_TYPE) continue;
      const found = nestedTemplateFile(template.file, resource as NestedStackResource, files);
      if ('problem' in found) {
        problems[logicalId] = found.problem;
        continue;
      }
      if (chain.includes(found.file) || chain.length >= MAX_NESTING) {
        problems[logicalId] = `its template ${found.file} is one it is nested in`;
        continue;
      }
      let json: unknown;
      try {
        json = JSON.parse(files.read(found.file) ?? '');
      } catch (e) {
        problems[logicalId] = `its template ${found.file} is not JSON (${(e as Error).message})`;
        continue;
      }
      const given = givenByFile.get(found.file);
      const name = given && !claimed.has(given.name) ? given.name : unique(found.file);
      claimed.add(name);
      nested.push(...expand({ name, file: found.file, template: json, nestedIn: { template: template.name, logicalId } }, [...chain, found.file]));
    }
    const self = Object.keys(problems).length > 0 ? { ...template, nestedTemplateProblems: { ...template.nestedTemplateProblems, ...problems } } : template;
    return [self, ...nested];
  };
  // Nested first in a dry run, to know which given templates are nested in another.
  const nestedFiles = new Set(templates.flatMap((t) => expand(t, t.file ? [t.file] : []).slice(1).map((n) => n.file)));
  names.clear();
  templates.forEach((t) => names.add(t.name));
  claimed.clear();
  return templates.filter((t) => t.file === undefined || !nestedFiles.has(t.file)).flatMap((t) => expand(t, t.file ? [t.file] : []));
}

function memoizedFiles(files: TemplateFiles): TemplateFiles {
  const texts = new Map<string, string | undefined>();
  const listings = new Map<string, readonly string[]>();
  return {
    read: (file) => {
      if (!texts.has(file)) texts.set(file, files.read(file));
      return texts.get(file);
    },
    list: (directory) => {
      let listing = listings.get(directory);
      if (!listing) listings.set(directory, (listing = files.list(directory)));
      return listing;
    },
  };
}

interface NestedStackResource {
  readonly Properties?: { readonly TemplateURL?: unknown };
  readonly Metadata?: Record<string, unknown>;
}

/** The file of the template a nested stack resource of `parentFile` deploys, or why it is not found. */
function nestedTemplateFile(parentFile: string, resource: NestedStackResource, files: TemplateFiles): { file: string } | { problem: string } {
  const directory = path.dirname(parentFile);
  const exists = (file: string) => files.read(file) !== undefined;
  const assetPath = resource.Metadata?.[ASSET_PATH_METADATA];
  if (typeof assetPath === 'string') {
    const file = path.resolve(directory, assetPath);
    return exists(file) ? { file } : { problem: `its Metadata "${ASSET_PATH_METADATA}" names ${file}, which does not exist` };
  }
  const url = resource.Properties?.TemplateURL;
  if (typeof url === 'string' && !/^(https?|s3):\/\//i.test(url)) {
    const file = path.resolve(directory, url);
    return exists(file) ? { file } : { problem: `its TemplateURL names the local file ${file}, which does not exist` };
  }
  const key = objectKeyOf(url);
  if (key === undefined) return { problem: `its TemplateURL ${JSON.stringify(url)} names no file (give a local path, as aws cloudformation package takes it)` };
  for (const manifest of files.list(directory).filter((f) => f.endsWith('.assets.json'))) {
    const source = assetSourceOf(files.read(path.join(directory, manifest)), key);
    if (source !== undefined) {
      const file = path.resolve(directory, source);
      return exists(file) ? { file } : { problem: `asset manifest ${manifest} maps its object key ${key} to ${file}, which does not exist` };
    }
  }
  return { problem: `no asset manifest (*.assets.json) next to ${parentFile} maps its object key ${key} to a file; synthesize again, or give a TemplateURL that is a local path` };
}

/** The object key a TemplateURL ends in: of a literal URL, or of the last literal of an `Fn::Join` (CDK writes `…/<hash>.json`). */
function objectKeyOf(url: unknown): string | undefined {
  let last: unknown = url;
  const join = url !== null && typeof url === 'object' && !Array.isArray(url) ? (url as Record<string, unknown>)['Fn::Join'] : undefined;
  if (Array.isArray(join) && Array.isArray(join[1])) last = join[1][join[1].length - 1];
  if (typeof last !== 'string') return undefined;
  const key = last.split('/').pop();
  return key ? key : undefined;
}

/** The source path an asset manifest gives the file asset published under `key`. */
function assetSourceOf(text: string | undefined, key: string): string | undefined {
  let manifest: { files?: Record<string, { source?: { path?: unknown }; destinations?: Record<string, { objectKey?: unknown }> }> };
  try {
    manifest = JSON.parse(text ?? '');
  } catch {
    return undefined;
  }
  for (const asset of Object.values(manifest?.files ?? {})) {
    const keys = Object.values(asset?.destinations ?? {}).map((d) => d?.objectKey);
    if (keys.includes(key) && typeof asset?.source?.path === 'string') return asset.source.path;
  }
  return undefined;
}
