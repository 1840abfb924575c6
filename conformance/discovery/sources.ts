import * as fs from 'node:fs';
import * as path from 'node:path';
import { TemplateModel } from '../../lib/model/aws/template';
import { AttestGateError, formatValue } from '../../lib/core/errors';
import { readInput, statInput, utf8Text } from './input-files';
import type { ConstructMetadata } from '../../lib/rules/written-acknowledgements';

/** A deployable unit read from `--app`: one CloudFormation template. */
export interface TemplateSource {
  /** The stack name (from the cloud assembly) or the file name without extension. */
  readonly stackName: string;
  /** The file the template was read from. */
  readonly file: string;
  readonly model: TemplateModel;
  /** The stack's construct metadata, when it came from a cloud assembly (where CDK records acknowledgements). */
  readonly constructMetadata?: ConstructMetadata;
  /** What the file was read as, when not a CloudFormation template: `AWS resources of a Terraform plan JSON (…)`. */
  readonly readAs?: string;
  /**
   * Where the stack deploys, when a cloud assembly says so: `stackName` is then the deployed stack
   * name, and account and Region are known unless the stack is environment-agnostic. A template
   * file alone says neither.
   */
  readonly deployment?: { readonly account?: string; readonly region?: string };
}

/** Thrown for an `--app` path that cannot be read; the CLI turns it into exit code 64. */
export class SourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SourceError';
  }
}

interface AssemblyManifest {
  artifacts?: Record<
    string,
    { type?: string; environment?: string; properties?: { templateFile?: string; directoryName?: string; stackName?: string }; displayName?: string; metadata?: ConstructMetadata; additionalMetadataFile?: string }
  >;
}

/**
 * Reads templates from a path: a CDK cloud assembly directory (`cdk.out`, nested assemblies
 * followed) or a single CloudFormation template file (JSON).
 */
export function loadTemplateSources(appPath: string): TemplateSource[] {
  const stat = statInput(appPath, (problem) => new SourceError(`--app ${appPath}: ${problem}`));
  if (!stat) throw new SourceError(`--app ${appPath}: no such file or directory`);
  if (stat.isDirectory()) {
    const manifestFile = path.join(appPath, 'manifest.json');
    if (!fs.existsSync(manifestFile)) {
      throw new SourceError(`--app ${appPath}: a directory without manifest.json is not a cloud assembly (run cdk synth first)`);
    }
    return loadAssembly(appPath);
  }
  return [loadTemplateFile(appPath, path.basename(appPath).replace(/(\.template)?\.json$/, ''))];
}

/**
 * Reads the templates of a cloud assembly and of the assemblies nested in it. `within` holds the
 * real paths of the assemblies it is nested in: a nested assembly that is one of them (a
 * `directoryName` of `.` or `..`, or a symlink back) would be read forever.
 */
function loadAssembly(directory: string, within: readonly string[] = []): TemplateSource[] {
  const manifestFile = path.join(directory, 'manifest.json');
  const manifest = readAppJson(manifestFile, 'a cloud assembly\'s manifest.json is written by cdk synth: synthesize again') as AssemblyManifest | null;
  if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest)) {
    throw new SourceError(`--app ${manifestFile}: not a cloud assembly manifest (not a JSON object); synthesize again (cdk synth)`);
  }
  const real = fs.realpathSync(directory);
  const chain = [...within, real];
  const sources: TemplateSource[] = [];
  for (const [artifactId, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type === 'aws:cloudformation:stack' && artifact.properties?.templateFile) {
      // The deployed CloudFormation stack name, which the live target looks resources up by.
      const source = loadTemplateFile(path.join(directory, artifact.properties.templateFile), artifact.properties.stackName ?? artifact.displayName ?? artifactId);
      // CDK writes a stack's construct metadata inline or, since 2.1xx, to its own file.
      const extra = artifact.additionalMetadataFile ? readAppJson(path.join(directory, artifact.additionalMetadataFile), 'synthesize again (cdk synth)') : undefined;
      const metadata = { ...(artifact.metadata ?? {}), ...(extra !== null && typeof extra === 'object' && !Array.isArray(extra) ? (extra as ConstructMetadata) : {}) };
      const deployed = { ...source, deployment: deploymentOf(artifact.environment) };
      sources.push(Object.keys(metadata).length > 0 ? { ...deployed, constructMetadata: metadata } : deployed);
    } else if (artifact.type === 'cdk:cloud-assembly' && artifact.properties?.directoryName) {
      const nested = path.join(directory, artifact.properties.directoryName);
      const nestedReal = fs.existsSync(nested) ? fs.realpathSync(nested) : nested;
      const loop = chain.indexOf(nestedReal);
      if (loop !== -1) {
        throw new SourceError(
          `--app ${manifestFile}: nested cloud assembly ${artifactId} (directoryName ${JSON.stringify(artifact.properties.directoryName)}) is ${nestedReal}, an assembly it is already nested in, so reading it would never end (${[...chain.slice(loop), nestedReal].join(' → ')}); Fix: point directoryName at the nested assembly's own subdirectory (cdk synth writes assembly-<stage>), or synthesize again`,
        );
      }
      sources.push(...loadAssembly(nested, chain));
    }
  }
  return sources;
}

/** The account and Region of a stack artifact's `aws://account/region`; `unknown-account`/`unknown-region` (environment-agnostic) are not known. */
function deploymentOf(environment: string | undefined): { account?: string; region?: string } {
  const match = /^aws:\/\/([^/]*)\/([^/]*)$/.exec(environment ?? '');
  const account = match && match[1] !== 'unknown-account' ? match[1] : undefined;
  const region = match && match[2] !== 'unknown-region' ? match[2] : undefined;
  return { ...(account ? { account } : {}), ...(region ? { region } : {}) };
}

/** Reads a JSON file named by `--app`; `notJsonHint` says what else the file may be and what to do. */
export function readAppJson(file: string, notJsonHint: string): unknown {
  const decoded = utf8Text(readInput(file, (problem) => new SourceError(`--app ${file}: ${problem}`)));
  if ('problem' in decoded) throw new SourceError(`--app ${file}: ${decoded.problem}`);
  if (decoded.text.trim() === '') throw new SourceError(`--app ${file}: is empty; give the synthesized JSON (run the synth again, it may have been interrupted)`);
  try {
    return JSON.parse(decoded.text);
  } catch (e) {
    throw new SourceError(`--app ${file}: not JSON (${(e as Error).message}); ${notJsonHint}`);
  }
}

function loadTemplateFile(file: string, stackName: string): TemplateSource {
  return templateSource(readAppJson(file, 'YAML templates must be converted first (cfn-flip)'), file, stackName);
}

/** A template source from a file's parsed JSON, with the checks on what CloudFormation would refuse. */
export function templateSource(json: unknown, file: string, stackName: string): TemplateSource {
  if (json === null || typeof json !== 'object' || !('Resources' in (json as object))) {
    throw new SourceError(`--app ${file}: not a CloudFormation template (no Resources section); Terraform JSON files must be named *.tf.json`);
  }
  const resources = (json as { Resources: unknown }).Resources;
  if (resources === null || typeof resources !== 'object' || Array.isArray(resources)) {
    throw new SourceError(`--app ${file}: Resources ${formatValue(resources)} is not an object; Fix: write Resources as an object of logical ID to resource ({ "Role": { "Type": "AWS::IAM::Role", … } })`);
  }
  // CloudFormation refuses a resource without a Type; readers (the emulator) rely on one being there.
  for (const [logicalId, resource] of Object.entries(resources as Record<string, unknown>)) {
    const type = (resource as { Type?: unknown } | null)?.Type;
    if (resource === null || typeof resource !== 'object' || Array.isArray(resource) || typeof type !== 'string' || type === '') {
      throw new SourceError(`--app ${file}: Resources.${logicalId} ${formatValue(resource)} is not a resource (an object with a Type); Fix: give it a Type such as "AWS::IAM::Role", or remove it`);
    }
  }
  try {
    return { stackName, file, model: TemplateModel.parse(json, file) };
  } catch (e) {
    // A reference cycle: the message names the file; say it came from --app, as every other message here does.
    if (e instanceof AttestGateError) throw new SourceError(`--app ${e.message}`);
    throw e;
  }
}
