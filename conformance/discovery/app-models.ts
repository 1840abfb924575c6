import { AppTemplates } from '../../lib/model/aws/app-templates';
import { AppTemplateFile, TEMPLATE_FILES_ON_DISK, TemplateFiles, withNestedTemplates } from '../../lib/model/aws/nested-stacks';
import { TemplateModel } from '../../lib/model/aws/template';
import { TemplateSource } from './sources';

/** A nested stack's template, read through its parent's `AWS::CloudFormation::Stack` resource. */
export interface NestedTemplate {
  readonly model: TemplateModel;
  readonly file: string;
  /** `<parent stack>/<logical ID of its nested stack resource>`: CloudFormation generates its stack name. */
  readonly stackName: string;
  /** The construct metadata of the cloud assembly stack it is nested in (at any depth), which holds its resources'. */
  readonly constructMetadata?: TemplateSource['constructMetadata'];
}

/**
 * The templates' models read together, as one app's (lib/model/aws/app-templates.ts): an
 * Fn::ImportValue resolves to the export of another template given (of the same account and
 * Region, when a cloud assembly says where each deploys; template files alone are taken as
 * deployed together), so a role pinned to a trust anchor of a base stack is read against that
 * anchor. Over a single template an import stays unknown, naming the export. The nested stacks
 * their resources name are read too (lib/model/aws/nested-stacks.ts): what a parent passes in
 * through Parameters and reads back through Outputs resolves as the plugin and the Aspect resolve
 * it. The rules (`attestgate rules`) and conformance discovery read the same view.
 *
 * @returns one model per source, in the order given, and the models of the nested stacks
 */
export function readAppModels(templates: readonly TemplateSource[], files: TemplateFiles = TEMPLATE_FILES_ON_DISK): { models: TemplateModel[]; nested: NestedTemplate[] } {
  const names = new Set<string>();
  const unique = (name: string) => {
    let candidate = name;
    for (let n = 2; names.has(candidate); n++) candidate = `${name} (${n})`;
    names.add(candidate);
    return candidate;
  };
  const entries = templates.map((t) => ({
    name: unique(t.model.name),
    file: t.file,
    template: t.model.template,
    // A template file's name is not its stack's name: only a cloud assembly says which it is.
    ...(t.deployment ? { stackName: t.stackName, ...t.deployment } : {}),
  }));
  const all: AppTemplateFile[] = withNestedTemplates(entries, files);
  const app = new AppTemplates(all);
  const byName = new Map(all.map((t) => [t.name, t]));
  const stackNames = new Map(entries.map((e, i) => [e.name, templates[i].stackName]));
  const stackNameOf = (name: string): string => {
    const known = stackNames.get(name);
    if (known !== undefined && !byName.get(name)?.nestedIn) return known;
    const { nestedIn } = byName.get(name)!;
    const nested = `${stackNameOf(nestedIn!.template)}/${nestedIn!.logicalId}`;
    stackNames.set(name, nested);
    return nested;
  };
  const given = new Set(entries.map((e) => e.name));
  const sourceOf = (name: string): TemplateSource | undefined => {
    const nestedIn = byName.get(name)?.nestedIn;
    if (nestedIn) return sourceOf(nestedIn.template);
    const i = entries.findIndex((e) => e.name === name);
    return i === -1 ? undefined : templates[i];
  };
  return {
    models: entries.map((e) => app.model(e.name)),
    nested: all
      .filter((t) => !given.has(t.name))
      .map((t) => {
        const constructMetadata = sourceOf(t.name)?.constructMetadata;
        return { model: app.model(t.name), file: t.file ?? t.name, stackName: stackNameOf(t.name), ...(constructMetadata ? { constructMetadata } : {}) };
      }),
  };
}

/** The models of the templates given, read as one app's (see readAppModels), one per source in order. */
export function appModelsOf(templates: readonly TemplateSource[]): TemplateModel[] {
  return readAppModels(templates).models;
}
