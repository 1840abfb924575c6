import * as fs from 'node:fs';
import * as path from 'node:path';
import { SourceError, TemplateSource, loadTemplateSources } from './sources';
import { TerraformSource } from '../../lib/model/terraform/configuration';
import { isTerraformApp, loadTerraformSources } from './terraform-sources';

/** What `--app` paths hold: CloudFormation templates (AWS) and Terraform JSON configurations (GCP, Azure). */
export interface AppSources {
  readonly templates: readonly TemplateSource[];
  readonly configurations: readonly TerraformSource[];
}

/** Reads every `--app` path, each as Terraform JSON (a cdktf.out or `*.tf.json`) or as CloudFormation. */
export function loadAppSources(apps: readonly string[]): AppSources {
  const templates: TemplateSource[] = [];
  const configurations: TerraformSource[] = [];
  for (const app of apps) {
    if (isTerraformApp(app)) configurations.push(...loadTerraformSources(app));
    else if (app.endsWith('.tf')) throw new SourceError(`--app ${app}: Terraform HCL is not read; give Terraform JSON (a cdktf.out directory, or a *.tf.json file)`);
    else if (fs.existsSync(path.join(app, 'cdk.tf.json'))) throw new SourceError(`--app ${app}: one stack of a cdktf output; give the cdktf.out directory (its manifest.json names the stacks) or ${path.join(app, 'cdk.tf.json')}`);
    else templates.push(...loadTemplateSources(app));
  }
  return { templates, configurations };
}

/**
 * The configurations that hold a gate: each cloud's emulator applies only the stacks of its own
 * gates, so the GCP emulator does not report an Azure stack's resources as undeployable, nor the
 * Entra emulator a GCP stack's.
 */
export function configurationsOf(configurations: readonly TerraformSource[], gates: ReadonlyArray<{ readonly file: string }>): TerraformSource[] {
  const files = new Set(gates.map((g) => g.file));
  return configurations.filter((c) => files.has(c.file));
}
