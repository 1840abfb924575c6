import * as fs from 'node:fs';
import * as path from 'node:path';
import { SourceError, TemplateSource, loadTemplateSources, readAppJson, templateSource } from './sources';
import { isShowJson } from '../../lib/model/terraform/show-json';
import { templateOfTerraformAws } from '../../lib/model/aws/terraform-resources';
import { TerraformSource } from '../../lib/model/terraform/configuration';
import { AttestGateError } from '../../lib/core/errors';
import { isTerraformApp, loadTerraformSources, showJsonSource } from './terraform-sources';

/** What `--app` paths hold: CloudFormation templates (AWS, and the AWS resources of Terraform inputs) and Terraform JSON configurations, plans and states. */
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
    else if (app.endsWith('.tf')) throw new SourceError(`--app ${app}: Terraform HCL is not read; give Terraform JSON (a cdktf.out directory, a *.tf.json file, or the output of terraform show -json for a plan or a state)`);
    else if (fs.existsSync(path.join(app, 'cdk.tf.json'))) throw new SourceError(`--app ${app}: one stack of a cdktf output; give the cdktf.out directory (its manifest.json names the stacks) or ${path.join(app, 'cdk.tf.json')}`);
    else if (fs.existsSync(app) && fs.statSync(app).isFile()) {
      // A file is read by its content: a plan saved as plan.json is a plan, not a template without Resources.
      const json = readAppJson(app, 'give a CloudFormation template (YAML must be converted first: cfn-flip) or the output of terraform show -json');
      const stackName = path.basename(app).replace(/(\.template)?\.json$/, '');
      if (isShowJson(json)) configurations.push(showJsonSource(json, app, stackName));
      else templates.push(templateSource(json, app, stackName));
    } else templates.push(...loadTemplateSources(app));
  }
  // The AWS resources of a plan, a state or a configuration are judged as the CloudFormation they are (lib/model/aws/terraform-resources.ts).
  for (const configuration of configurations) {
    let template: ReturnType<typeof templateOfTerraformAws>;
    try {
      template = templateOfTerraformAws(configuration.model);
    } catch (e) {
      // A policy document the AWS provider refuses: the message names the file and the field.
      if (e instanceof AttestGateError) throw new SourceError(`--app ${e.message}`);
      throw e;
    }
    if (template) templates.push({ ...templateSource(template, configuration.file, configuration.stackName), readAs: `AWS resources of a ${configuration.readAs ?? 'Terraform JSON configuration'}` });
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
