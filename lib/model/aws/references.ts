import { AttestGateError } from '../../core/errors';
import { findReferenceCycle } from '../../core/reference-cycle';

/**
 * The references between a template's resources, and the cycles CloudFormation refuses.
 *
 * Every reader of a template — the synth-time rules, conformance discovery, the emulator, which
 * resolves a `Fn::GetAtt` by resolving the referenced resource's own properties — follows these
 * references. A cycle would make such a reader recurse forever, and CloudFormation refuses the
 * template anyway ("Circular dependency between resources"), so TemplateModel.parse refuses it
 * once, for all of them. `DependsOn` is not a reference any reader follows, so it is not read.
 */

/** One reference from a resource's properties to a resource of the same template. */
export interface ResourceReference {
  /** The logical ID of the resource that refers. */
  readonly from: string;
  /** Where in it, e.g. `Properties.RoleName`. */
  readonly path: string;
  /** The logical ID referred to. */
  readonly to: string;
  /** How, e.g. `Fn::GetAtt B.Arn`, `Ref B` or `Fn::Sub ${B.Arn}`. */
  readonly via: string;
}

type Emit = (to: string, via: string, path: string) => void;

/** Calls `emit` for every `Ref`, `Fn::GetAtt` and `Fn::Sub` reference in a value, whatever the target. */
function walkReferences(value: unknown, path: string, emit: Emit): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => walkReferences(item, `${path}[${i}]`, emit));
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [fn, arg] = entries[0];
    if (fn === 'Ref' && typeof arg === 'string') {
      emit(arg, `Ref ${arg}`, path);
      return;
    }
    if (fn === 'Fn::GetAtt') {
      if (typeof arg === 'string') {
        emit(arg.split('.')[0], `Fn::GetAtt ${arg}`, path);
        return;
      }
      if (Array.isArray(arg) && typeof arg[0] === 'string') {
        emit(arg[0], `Fn::GetAtt ${arg[0]}.${typeof arg[1] === 'string' ? arg[1] : '…'}`, path);
        walkReferences(arg[1], `${path}.Fn::GetAtt[1]`, emit);
        return;
      }
    }
    if (fn === 'Fn::Sub') {
      const [text, variables] = Array.isArray(arg) ? [arg[0], arg[1]] : [arg, undefined];
      const named = variables !== null && typeof variables === 'object' && !Array.isArray(variables) ? new Set(Object.keys(variables)) : new Set<string>();
      if (typeof text === 'string') {
        for (const match of text.matchAll(/\$\{([^!}][^}]*)\}/g)) {
          const name = match[1].trim();
          if (named.has(name) || name.startsWith('AWS::')) continue;
          emit(name.split('.')[0], `Fn::Sub \${${name}}`, path);
        }
      }
      if (Array.isArray(arg)) walkReferences(variables, `${path}.Fn::Sub[1]`, emit);
      return;
    }
  }
  for (const [key, item] of entries) walkReferences(item, path === '' ? key : `${path}.${key}`, emit);
}

/** Every reference from one resource's properties to a resource of the template, in template order. */
export function resourceReferences(resources: Readonly<Record<string, { readonly Properties?: unknown } | undefined>>): ResourceReference[] {
  const references: ResourceReference[] = [];
  for (const [from, resource] of Object.entries(resources)) {
    walkReferences(resource?.Properties, 'Properties', (to, via, path) => {
      if (Object.prototype.hasOwnProperty.call(resources, to)) references.push({ from, path, to, via });
    });
  }
  return references;
}

/**
 * Refuses what would make a reader of the template recurse forever, as CloudFormation refuses it:
 * a resource that refers to itself or a cycle of references between resources, and a condition
 * that refers to a resource (conditions may use parameters and other conditions only).
 *
 * @throws AttestGateError naming the template, the resources in order, the references and the fix
 */
export function checkTemplateReferences(template: { readonly Resources?: Record<string, { readonly Properties?: unknown } | undefined>; readonly Conditions?: Record<string, unknown> }, name: string): void {
  const resources = template.Resources ?? {};
  for (const [condition, expression] of Object.entries(template.Conditions ?? {})) {
    walkReferences(expression, `Conditions.${condition}`, (to, via, path) => {
      if (!Object.prototype.hasOwnProperty.call(resources, to)) return;
      throw new AttestGateError({
        where: name,
        field: path,
        value: via,
        problem: `refers to resource ${to}; CloudFormation allows only parameters, pseudo parameters and other conditions in Conditions ("Unresolved resource dependencies [${to}] in the Conditions block of the template")`,
        fix: `compare a parameter instead of resource ${to}, or move the choice into the resource's properties`,
      });
    });
  }
  const cycle = findReferenceCycle(resourceReferences(resources), Object.keys(resources));
  if (!cycle) return;
  const ids = cycle.map((r) => r.from);
  const circular = `CloudFormation refuses such a template ("Circular dependency between resources: [${ids.join(', ')}]")`;
  throw new AttestGateError({
    where: name,
    ...(cycle.length === 1
      ? { field: `${cycle[0].from}.${cycle[0].path}`, value: cycle[0].via, problem: `refers to its own resource; ${circular}` }
      : {
          field: 'resources',
          value: [...ids, ids[0]].join(' → '),
          problem: `refer to each other in a cycle (${cycle.map((r) => `${r.from}.${r.path} → ${r.via}`).join('; ')}); ${circular}`,
        }),
    fix: `remove one of these references: a resource cannot use its own attributes, nor those of a resource that refers back to it (write the value literally, or take it from a parameter)`,
  });
}
