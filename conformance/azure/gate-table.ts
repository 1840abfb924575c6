import { AzureGate } from './discover-gates';
import { renderTable } from '../report/text-table';

/** The exact issuer, subject and audience of each credential, and the identity's roles. */
export function renderAzureGateTable(gates: readonly AzureGate[], width = Infinity): string {
  const rows = gates.map((gate) => [
    gate.id,
    gate.privilege,
    gate.credentials.map((c) => c.issuer).join('\n'),
    gate.credentials.map((c) => `${c.subject} (aud ${c.audiences.join(', ')})`).join('\n'),
    gate.roles.length > 0 ? gate.roles.map((r) => `${r.role} on ${r.scope}`).join('\n') : 'none',
  ]);
  return renderTable(['Gate', 'Privilege', 'Issuer (exact)', 'Required subject (aud)', 'Roles'], rows, width);
}
