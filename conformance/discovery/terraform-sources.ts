import * as fs from 'node:fs';
import * as path from 'node:path';
import { TerraformModel, TerraformSource } from '../../lib/model/terraform/configuration';
import { statInput } from './input-files';
import { SourceError, readAppJson } from './sources';
import { ShowJson, isShowJson, readShowJson } from '../../lib/model/terraform/show-json';
import { AZURE_IDENTIFIER_ATTRIBUTES } from '../../lib/model/azure/azure-provider';
import { GOOGLE_IDENTIFIER_ATTRIBUTES } from '../../lib/model/gcp/google-provider';

interface CdktfManifest {
  stacks?: Record<string, { name?: string; synthesizedStackPath?: string }>;
}

/** Reads a manifest.json, or undefined when the directory has none. */
function manifestOf(directory: string): Record<string, unknown> | undefined {
  const file = path.join(directory, 'manifest.json');
  if (!fs.existsSync(file)) return undefined;
  const manifest = readAppJson(file, 'a cdktf manifest.json is written by cdktf synth: synthesize again');
  // Not an object: not a cdktf manifest; the cloud assembly reader says what is wrong with it.
  return manifest !== null && typeof manifest === 'object' && !Array.isArray(manifest) ? (manifest as Record<string, unknown>) : undefined;
}

/**
 * Whether `--app` names Terraform JSON: a cdktf output directory (its manifest.json lists
 * `stacks`; a CDK cloud assembly's lists `artifacts`) or a `*.tf.json` file.
 */
export function isTerraformApp(appPath: string): boolean {
  const stat = statInput(appPath, (problem) => new SourceError(`--app ${appPath}: ${problem}`));
  if (!stat) return false;
  if (stat.isDirectory()) {
    const manifest = manifestOf(appPath);
    return manifest !== undefined && typeof manifest.stacks === 'object' && manifest.stacks !== null && !('artifacts' in manifest);
  }
  return appPath.endsWith('.tf.json');
}

/** Reads the configurations of a cdktf output directory (every stack of its manifest) or of one `*.tf.json` file. */
export function loadTerraformSources(appPath: string): TerraformSource[] {
  const stat = statInput(appPath, (problem) => new SourceError(`--app ${appPath}: ${problem}`));
  if (!stat) throw new SourceError(`--app ${appPath}: no such file or directory`);
  if (!stat.isDirectory()) return [loadConfiguration(appPath, path.basename(appPath).replace(/\.tf\.json$/, ''))];
  const manifest = manifestOf(appPath) as CdktfManifest | undefined;
  if (!manifest?.stacks) throw new SourceError(`--app ${appPath}: a directory without a cdktf manifest.json listing stacks (run the cdktf app first)`);
  return Object.entries(manifest.stacks).map(([name, stack]) => {
    if (!stack.synthesizedStackPath) throw new SourceError(`--app ${appPath}: stack ${name} has no synthesizedStackPath in manifest.json`);
    return loadConfiguration(path.join(appPath, stack.synthesizedStackPath), stack.name ?? name);
  });
}

function loadConfiguration(file: string, stackName: string): TerraformSource {
  const json = readAppJson(file, 'HCL (.tf) must be converted first (cdktf synth, or terraform show -json for a plan)');
  // A plan or state printed by terraform show -json, whatever the file is named.
  if (isShowJson(json)) return showJsonSource(json, file, stackName);
  try {
    return { stackName, file, model: TerraformModel.parse(json, file) };
  } catch (e) {
    throw new SourceError(`--app ${(e as Error).message}`);
  }
}

/** A source from `terraform show -json` output (a plan or a state), already parsed. */
export function showJsonSource(json: unknown, file: string, stackName: string): TerraformSource {
  let read: ShowJson;
  try {
    read = readShowJson(json, file, { ...GOOGLE_IDENTIFIER_ATTRIBUTES, ...AZURE_IDENTIFIER_ATTRIBUTES });
  } catch (e) {
    throw new SourceError(`--app ${(e as Error).message}`);
  }
  const model = TerraformModel.ofResources(read.resources, file, { provider: read.providers }, read.kind);
  return { stackName, file, model, readAs: `Terraform ${read.kind} JSON (format ${read.formatVersion}${read.toolVersion ? `, written by ${read.toolVersion}` : ''})` };
}
