/**
 * Cycle finding over references between named things (CloudFormation resources, Terraform
 * resources and locals), shared by the template and configuration parsers: both refuse a cycle,
 * as CloudFormation and Terraform do, because their readers follow references recursively.
 */

/** A reference from one named thing to another. */
export interface Reference {
  readonly from: string;
  readonly to: string;
}

/**
 * The first reference cycle (depth first, in `order`), as the references that form it, starting
 * at its thing that comes first in `order`; `undefined` when there is none.
 */
export function findReferenceCycle<R extends Reference>(references: readonly R[], order: readonly string[]): R[] | undefined {
  const outgoing = new Map<string, R[]>();
  for (const reference of references) {
    const list = outgoing.get(reference.from);
    if (list) list.push(reference);
    else outgoing.set(reference.from, [reference]);
  }
  const done = new Set<string>();
  const onPath = new Map<string, number>();
  const path: R[] = [];
  // Iterative, so that a long chain of references cannot overflow the stack either.
  for (const start of order) {
    if (done.has(start)) continue;
    const frames: Array<{ id: string; next: number }> = [{ id: start, next: 0 }];
    onPath.set(start, 0);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1];
      const edges = outgoing.get(frame.id) ?? [];
      if (frame.next === edges.length) {
        frames.pop();
        onPath.delete(frame.id);
        done.add(frame.id);
        path.pop();
        continue;
      }
      const edge = edges[frame.next++];
      const depth = onPath.get(edge.to);
      if (depth !== undefined) return startingAtFirst([...path.slice(depth), edge], order);
      if (done.has(edge.to)) continue;
      path.push(edge);
      onPath.set(edge.to, frames.length);
      frames.push({ id: edge.to, next: 0 });
    }
  }
  return undefined;
}

/** The cycle rotated to start at its thing that comes first in `order`, as a reader looks for it. */
function startingAtFirst<R extends Reference>(cycle: R[], order: readonly string[]): R[] {
  const positions = new Map(order.map((id, i) => [id, i]));
  const position = (r: R) => positions.get(r.from) ?? order.length;
  const first = cycle.reduce((best, r, i) => (position(r) < position(cycle[best]) ? i : best), 0);
  return [...cycle.slice(first), ...cycle.slice(0, first)];
}
