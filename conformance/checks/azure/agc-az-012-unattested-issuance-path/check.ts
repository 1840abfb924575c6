import { AzureIssuancePath, describeAzurePath } from '../../../../lib/model/azure/issuance-paths';
import { Check, fail, inconclusive, pass, skipped } from '../../../engine/check';
import { AzureProbeContext, ResolvedAzureGate } from '../../../azure/probe-context';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export const check: Check<ResolvedAzureGate, AzureProbeContext> = {
  meta: {
    id: 'AGC-AZ-012',
    cloud: 'azure',
    title: 'No unattested path to the identity’s tokens',
    statement:
      'Verify that the only ways to the identity’s tokens are the federated credentials its gate manifest declares: no credential for a shared or undeclared subject, no compute or other resource the managed identity is attached to, no client secret or certificate of its app registration or service principal — or that such a path is acknowledged by path ID with a reason.',
    threat:
      'A second, unattested way to the same tokens: a VM, App Service, container or AKS node the identity is attached to hands them to any process there through the managed-identity endpoint; a client secret hands them to whoever holds it; a credential for a namespace’s default service account or a whole repository hands them to every workload presenting that subject.',
    remediation:
      'Give the compute and the secret holders their own low-privilege identities, remove client secrets and certificates of the gated application, and trust only the agent’s declared subjects; if a path is intended (break-glass), name it under the identity’s "//" object "attestgate:acknowledged-paths" with a reason.',
    severity: 'critical',
    tags: ['cloud:azure', 'kind:negative', 'threat:unattested-issuance-path'],
  },
  async run(resolved) {
    // Judged from the configuration, as AGC-AWS-019 is: the emulator and Entra cannot play a VM's
    // metadata endpoint or a secret holder, and the path exists whether or not it is probed.
    const { paths, ignoredAcknowledgements } = resolved.gate;
    const evidence = {
      paths: paths.map((p) => ({ id: p.id, kind: p.kind, attested: p.attested ?? 'unknown', path: describeAzurePath(p), ...(p.acknowledged ? { acknowledged: p.acknowledged } : {}) })),
      ignoredAcknowledgements,
      judgedBy: 'the configuration (discovery’s issuance paths); not probed',
    };
    const open = paths.filter((p) => p.attested === false && p.acknowledged === undefined);
    const unknown = paths.filter((p) => p.attested === undefined && p.acknowledged === undefined);
    const acknowledged = paths.filter((p) => p.attested !== true && p.acknowledged !== undefined);
    const listed = (ps: readonly AzureIssuancePath[]) => ps.map((p) => `[${p.id}] ${describeAzurePath(p)}`).join('; ');
    const notCounted = ignoredAcknowledgements.length > 0 ? ` (acknowledgements that do not count: ${ignoredAcknowledgements.join('; ')})` : '';
    if (open.length > 0) return fail(`${plural(open.length, 'unattested path')} to the identity’s tokens: ${listed(open)}${notCounted}`, evidence);
    if (unknown.length > 0) return inconclusive(`cannot judge ${plural(unknown.length, 'path')} from the configuration: ${listed(unknown)}${notCounted}`, evidence);
    if (acknowledged.length > 0) {
      const reasons = acknowledged.map((p) => `${p.id} (${p.acknowledged})`).join('; ');
      return { ...inconclusive(`${plural(acknowledged.length, 'unattested path')} accepted on purpose: ${reasons}`, evidence), acknowledged: reasons };
    }
    const attested = paths.filter((p) => p.attested === true);
    if (attested.length === 0) return inconclusive('no path to the identity’s tokens was found in the configuration', evidence);
    // An open path is open whatever the target; a clean configuration proves nothing about a gate
    // this run cannot reach (no client ID): SKIPPED with what to pass, as every other check says.
    if (resolved.unresolved) return skipped(resolved.unresolved);
    return pass(`only the declared federated credentials give the identity’s tokens (${plural(attested.length, 'attested path')}: ${attested.map((p) => p.resource).join(', ')})${notCounted}`, evidence);
  },
  // Judged from the configuration: it sends nothing.
  plan: () => [],
};
