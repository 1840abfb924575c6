import * as fs from 'node:fs';
import * as path from 'node:path';
import { TemplateModel } from '../../lib/cloudformation/template';

/** A deployable unit read from `--app`: one CloudFormation template. */
export interface TemplateSource {
  /** The stack name (from the cloud assembly) or the file name without extension. */
  readonly stackName: string;
  /** The file the template was read from. */
  readonly file: string;
  readonly model: TemplateModel;
}

/** Thrown for an `--app` path that cannot be read; the CLI turns it into exit code 64. */
export class SourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SourceError';
  }
}

interface AssemblyManifest {
  artifacts?: Record<string, { type?: string; properties?: { templateFile?: string; directoryName?: string; stackName?: string }; displayName?: string }>;
}

/**
 * Reads templates from a path: a CDK cloud assembly directory (`cdk.out`, nested assemblies
 * followed) or a single CloudFormation template file (JSON).
 */
export function loadTemplateSources(appPath: string): TemplateSource[] {
  if (!fs.existsSync(appPath)) throw new SourceError(`--app ${appPath}: no such file or directory`);
  const stat = fs.statSync(appPath);
  if (stat.isDirectory()) {
    const manifestFile = path.join(appPath, 'manifest.json');
    if (!fs.existsSync(manifestFile)) {
      throw new SourceError(`--app ${appPath}: a directory without manifest.json is not a cloud assembly (run cdk synth first)`);
    }
    return loadAssembly(appPath);
  }
  return [loadTemplateFile(appPath, path.basename(appPath).replace(/(\.template)?\.json$/, ''))];
}

function loadAssembly(directory: string): TemplateSource[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(directory, 'manifest.json'), 'utf8')) as AssemblyManifest;
  const sources: TemplateSource[] = [];
  for (const [artifactId, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type === 'aws:cloudformation:stack' && artifact.properties?.templateFile) {
      // The deployed CloudFormation stack name, which the live target looks resources up by.
      sources.push(loadTemplateFile(path.join(directory, artifact.properties.templateFile), artifact.properties.stackName ?? artifact.displayName ?? artifactId));
    } else if (artifact.type === 'cdk:cloud-assembly' && artifact.properties?.directoryName) {
      sources.push(...loadAssembly(path.join(directory, artifact.properties.directoryName)));
    }
  }
  return sources;
}

/** Reads a JSON file named by `--app`; `notJsonHint` says what else the file may be and what to do. */
export function readAppJson(file: string, notJsonHint: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new SourceError(`--app ${file}: cannot be read (${(e as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new SourceError(`--app ${file}: not JSON (${(e as Error).message}); ${notJsonHint}`);
  }
}

function loadTemplateFile(file: string, stackName: string): TemplateSource {
  const json = readAppJson(file, 'YAML templates must be converted first (cfn-flip)');
  if (json === null || typeof json !== 'object' || !('Resources' in (json as object))) {
    throw new SourceError(`--app ${file}: not a CloudFormation template (no Resources section); Terraform JSON files must be named *.tf.json`);
  }
  return { stackName, file, model: TemplateModel.parse(json, file) };
}
