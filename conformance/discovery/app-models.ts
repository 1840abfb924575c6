import { AppTemplates } from '../../lib/model/aws/app-templates';
import { TemplateModel } from '../../lib/model/aws/template';
import { TemplateSource } from './sources';

/**
 * The templates' models read together, as one app's (lib/model/aws/app-templates.ts): an
 * Fn::ImportValue resolves to the export of another template given (of the same account and
 * Region, when a cloud assembly says where each deploys; template files alone are taken as
 * deployed together), so a role pinned to a trust anchor of a base stack is read against that
 * anchor. Over a single template an import stays unknown, naming the export. The rules
 * (`attestgate rules`) and conformance discovery read the same view.
 *
 * @returns one model per source, in the order given
 */
export function appModelsOf(templates: readonly TemplateSource[]): TemplateModel[] {
  const names = new Set<string>();
  const unique = (name: string) => {
    let candidate = name;
    for (let n = 2; names.has(candidate); n++) candidate = `${name} (${n})`;
    names.add(candidate);
    return candidate;
  };
  const entries = templates.map((t) => ({
    name: unique(t.model.name),
    template: t.model.template,
    // A template file's name is not its stack's name: only a cloud assembly says which it is.
    ...(t.deployment ? { stackName: t.stackName, ...t.deployment } : {}),
  }));
  const app = new AppTemplates(entries);
  return entries.map((e) => app.model(e.name));
}
