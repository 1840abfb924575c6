import { AwsGate, describeCondition } from './discover-gates';
import { renderTable } from '../report/text-table';

/** The trust anchors (and their CAs), the certificate attributes required, the longest session. */
export function renderAwsGateTable(gates: readonly AwsGate[], width = Infinity): string {
  const rows = gates.map((gate) => {
    const anchors = gate.anchorsPinned === false
      ? ['ANY trust anchor of the account (aws:SourceArn not pinned)']
      : gate.trustAnchors.map((a) => {
          const cas = a.caCertificates.map((c) => `  CA ${c.subjectText}`);
          const crl = a.crls.some((c) => c.enabled === true) ? 'CRL enabled' : 'no enabled CRL';
          return [`${a.name ?? a.ref}${a.inTemplate ? ` (${crl})` : ''}`, ...cas].join('\n');
        });
    const attributes = gate.attributeConditions.length > 0 ? gate.attributeConditions.map(describeCondition) : ['NONE: any certificate of the anchor'];
    const session = 'seconds' in gate.maxSession ? `${gate.maxSession.seconds} s` : `unknown (${gate.maxSession.unknown})`;
    const others = gate.otherPrincipals.length > 0 ? `\nALSO: ${gate.otherPrincipals.join(', ')}` : '';
    return [gate.id, gate.privilege, anchors.join('\n'), attributes.join('\n') + others, session];
  });
  return renderTable(['Gate', 'Privilege', 'Trust anchor', 'Required certificate attributes', 'Max session'], rows, width);
}
