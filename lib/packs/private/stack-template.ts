import { CfnElement, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * The CloudFormation template of a stack as it stands, built from its elements. Used by the
 * Aspect, which runs before synthesis writes the template to disk.
 */
export function templateOfStack(stack: Stack): Record<string, Record<string, unknown>> {
  const template: Record<string, Record<string, unknown>> = {};
  for (const element of elementsOf(stack)) {
    // CfnElement._toCloudFormation is how Stack renders its template; resolving it here gives
    // the same JSON the synthesized file will hold.
    const fragment = stack.resolve(element._toCloudFormation()) as Record<string, Record<string, unknown>>;
    for (const [section, entries] of Object.entries(fragment)) {
      template[section] = { ...(template[section] ?? {}), ...entries };
    }
  }
  return template;
}

/** The elements that belong to a stack (not to nested stacks). */
export function elementsOf(stack: Stack): CfnElement[] {
  return stack.node.findAll().filter((c): c is CfnElement => CfnElement.isCfnElement(c) && Stack.of(c) === stack);
}

/** Maps each logical ID of a stack to the element that produces it. */
export function elementsByLogicalId(stack: Stack): Map<string, IConstruct> {
  return new Map(elementsOf(stack).map((e) => [stack.resolve(e.logicalId) as string, e]));
}
