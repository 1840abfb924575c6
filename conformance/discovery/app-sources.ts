import { TemplateSource, loadTemplateSources } from './sources';
import { TerraformSource, isTerraformApp, loadTerraformSources } from './terraform-sources';

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
