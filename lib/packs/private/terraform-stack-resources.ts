import { TerraformDataSource, TerraformResource, TerraformStack } from 'cdktf';
import { IConstruct } from 'constructs';

/**
 * Maps each Terraform address of a stack (`type.name`, `data.type.name`) to the construct that
 * writes it, so findings about synthesized JSON land on the construct — where acknowledgements
 * are recorded and where cdktf reports annotations.
 */
export function constructsByAddress(stack: TerraformStack): Map<string, IConstruct> {
  const result = new Map<string, IConstruct>();
  for (const construct of stack.node.findAll()) {
    if (TerraformResource.isTerraformResource(construct) && TerraformStack.of(construct) === stack) {
      result.set(`${construct.terraformResourceType}.${construct.friendlyUniqueId}`, construct);
    } else if (construct instanceof TerraformDataSource && TerraformStack.of(construct) === stack) {
      result.set(`data.${construct.terraformResourceType}.${construct.friendlyUniqueId}`, construct);
    }
  }
  return result;
}
