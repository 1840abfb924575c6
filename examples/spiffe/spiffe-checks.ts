/**
 * The SPIFFE checks on the deployer's registration — what `npm start` runs after the Workload API
 * demonstration: an emulated SPIRE agent serves the entry spire-controller-manager writes for the
 * deployer pod to one socket per probe workload (registered, unregistered, runtime-only,
 * code-only), and the checks probe it, then the three clouds' gates with an SVID past its expiry.
 */
import { serveSpiffeProbeTarget } from '../../conformance/emulator/spiffe/probe-target';
import { AppSources } from '../../conformance/discovery/app-sources';
import { IssuerKey } from '../../conformance/oidc/issuer-key';
import { PkiMaterial } from '../../conformance/pki/pki-directory';
import type { IssuedCertificate } from '../../conformance/pki/throwaway-pki';
import { renderTable } from '../../conformance/report/text-table';
import { terminalOf } from '../../conformance/report/terminal';
import { SpiffeConformanceRun, runSpiffeConformance } from '../../conformance/spiffe/run-spiffe-conformance';
import { deployerRegistration } from './registration';

export interface SpiffeChecksOptions {
  /** The apps whose gates the SVIDs are presented to, and the test PKI that signs their probes. */
  readonly apps: AppSources;
  readonly pki: PkiMaterial;
  /** The SPIRE server's X.509 authority (the trust anchor's CA) and JWT authority (the OIDC issuer's key). */
  readonly ca: IssuedCertificate;
  readonly issuerKey: IssuerKey;
  readonly issuer: string;
}

export async function runSpiffeChecksExample(options: SpiffeChecksOptions, out: NodeJS.WritableStream): Promise<SpiffeConformanceRun> {
  const registration = deployerRegistration();
  const entry = registration.entryForPod({ clusterName: 'prod', nodeUid: 'node-1', podUid: 'c0ffee00-0000-4000-8000-000000000001' });
  const { server, target } = await serveSpiffeProbeTarget({
    trustDomain: registration.identity.spiffeId.trustDomain,
    entry,
    id: `deployer (${entry.spiffeId})`,
    x509Authority: options.ca,
    x509SvidSubject: { ...registration.identity.subject },
    jwtAuthority: { key: options.issuerKey, issuer: options.issuer },
    gates: { sources: options.apps, target: 'local', pki: options.pki, ratePerSecond: 50 },
  });
  try {
    const run = await runSpiffeConformance({ targets: [target] });
    out.write(`SPIFFE conformance of the deployer's registration (${target.workloads.length} probe workloads on the emulated agent):\n`);
    out.write(`${renderTable(['Check', 'Status', 'Reason'], run.results.map((r) => [r.checkId, r.status, r.reason]), terminalOf(out).columns)}\n`);
    return run;
  } finally {
    await server.close();
  }
}
