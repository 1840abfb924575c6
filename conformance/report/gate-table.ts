/** One cloud's gates in the table: its heading and its rows, rendered by its adapter. */
export interface GateTableSection {
  readonly title: string;
  readonly gateCount: number;
  readonly table: string;
}

/**
 * What each gate accepts, one table per cloud (in the order the clouds are registered) and one
 * row per gate: what credential it trusts, what it requires of it, and the privilege behind it.
 */
export function renderGateSections(sections: readonly GateTableSection[]): string {
  const found = sections.filter((s) => s.gateCount > 0);
  if (found.length === 0) return 'No attestation gates found.';
  return found.map((s) => `${s.title}\n${s.table}`).join('\n\n');
}
