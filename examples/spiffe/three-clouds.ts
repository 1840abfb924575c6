/**
 * One identity, three clouds, through the SPIFFE Workload API only — what `npm start` shows after
 * the conformance run: the emulated clouds deploy the three examples, an emulated SPIRE agent
 * serves the deployer's registration, and each workload asks for AWS, GCP and Azure credentials
 * with nothing but its Workload API socket:
 *
 * - AWS: the X.509-SVID and its chain to Roles Anywhere CreateSession (`fromSpiffe`);
 * - GCP: a JWT-SVID for the provider's audience, exchanged at STS, then the service account's
 *   token (`gcpAccessTokenFromSpiffe`);
 * - Azure: a JWT-SVID for `api://AzureADTokenExchange` as the client assertion of the managed
 *   identity's token request (`azureAssertionFromSpiffe`).
 *
 * The pod that runs another image presents the same runtime selectors but not the digest: SPIRE
 * issues it nothing, so it gets no credentials and no cloud is asked.
 */
import { RunningAwsEmulator, startAwsEmulator } from '../../conformance/emulator/aws-emulator';
import { RunningAzureEmulator, startAzureEmulator } from '../../conformance/emulator/azure-emulator';
import { RunningGcpEmulator, startGcpEmulator } from '../../conformance/emulator/gcp-emulator';
import { EmulatedWorkload, RunningWorkloadApiServer, startWorkloadApiServer } from '../../conformance/emulator/spiffe/workload-api-server';
import { IssuerKey } from '../../conformance/oidc/issuer-key';
import type { IssuedCertificate } from '../../conformance/pki/throwaway-pki';
import { TemplateSource } from '../../conformance/discovery/sources';
import { TerraformSource } from '../../lib/model/terraform/configuration';
import { fromSpiffe, gcpAccessTokenFromSpiffe, azureAssertionFromSpiffe } from '../../lib/credentials';
import { sendRequest } from '../../lib/http/send-request';
import { DEPLOYER_IMAGE, deployerRegistration } from './registration';
import { DEFAULT_COLUMNS, indented, wrapText } from '../../conformance/report/terminal';

/** The node the pods run on, as the k8s_psat node attestor names its agent. */
const CLUSTER = 'prod';
const NODE_UID = 'node-1';
const POD_UID = 'c0ffee00-0000-4000-8000-000000000001';
const AGENT_ID = `spiffe://prod.example/spire/agent/k8s_psat/${CLUSTER}/${NODE_UID}`;
/** The OIDC issuer the GCP and Azure examples trust: the SPIRE server's discovery provider. */
export const ISSUER = 'https://oidc.prod.example';

export interface WorkloadOutcome {
  readonly workload: string;
  readonly selectors: readonly string[];
  /** Per cloud: what it issued (`ASIA…`, `ya29.…`, a JWT's first characters), or why nothing. */
  readonly aws: { readonly issued?: string; readonly refused?: string };
  readonly gcp: { readonly issued?: string; readonly refused?: string };
  readonly azure: { readonly issued?: string; readonly refused?: string };
}

export interface ThreeCloudsResult {
  readonly spiffeId: string;
  readonly outcomes: readonly WorkloadOutcome[];
  /** Requests each cloud answered for the workloads SPIRE refused: must be none. */
  readonly cloudRequestsOfRefused: number;
}

export interface ThreeCloudsOptions {
  readonly templates: readonly TemplateSource[];
  /** The GCP example's stack (its provider uploads the issuer key's JWKS). */
  readonly gcp: readonly TerraformSource[];
  readonly azure: readonly TerraformSource[];
  /** The CA of the AWS example's trust anchor: the SPIRE server's X.509 authority. */
  readonly ca: IssuedCertificate;
  /** The OIDC issuer's key: the SPIRE server's JWT authority. */
  readonly issuerKey: IssuerKey;
}

const shown = (token: string) => `${token.slice(0, 12)}…`;

async function attempt(run: () => Promise<string>): Promise<{ issued?: string; refused?: string }> {
  try {
    return { issued: shown(await run()) };
  } catch (e) {
    const error = e as { code?: string; details?: string; message: string };
    return { refused: error.code ? `${error.code}: ${error.details ?? error.message}` : error.message };
  }
}

export async function threeCloudsThroughWorkloadApi(options: ThreeCloudsOptions): Promise<ThreeCloudsResult> {
  const registration = deployerRegistration();
  const workloads: EmulatedWorkload[] = [
    { name: 'deployer', agentId: AGENT_ID, selectors: [{ type: 'k8s', value: `pod-uid:${POD_UID}` }, ...registration.selectors] },
    {
      name: 'other-image',
      agentId: AGENT_ID,
      selectors: [
        { type: 'k8s', value: `pod-uid:${POD_UID}` },
        ...registration.selectors.filter((s) => !s.value.startsWith('pod-image:')),
        { type: 'k8s', value: `pod-image:${DEPLOYER_IMAGE.replace(/@sha256:.*/, `@sha256:${'b2'.repeat(32)}`)}` },
      ],
    },
  ];
  let aws: RunningAwsEmulator | undefined;
  let gcp: RunningGcpEmulator | undefined;
  let azure: RunningAzureEmulator | undefined;
  let spire: RunningWorkloadApiServer | undefined;
  try {
    [aws, gcp, azure] = await Promise.all([
      startAwsEmulator({ sources: options.templates }),
      startGcpEmulator({ sources: options.gcp }),
      startAzureEmulator({ sources: options.azure, issuerKeys: [options.issuerKey] }),
    ]);
    spire = await startWorkloadApiServer({
      trustDomain: registration.identity.spiffeId.trustDomain,
      // The entry spire-controller-manager writes for the deployer pod on its node.
      entries: [registration.entryForPod({ clusterName: CLUSTER, nodeUid: NODE_UID, podUid: POD_UID })],
      workloads,
      x509Authority: options.ca,
      // SPIRE's SVIDs carry O=SPIRE; the AWS gate pins the identity's subject, which a credential
      // composer plugin on the SPIRE server writes into the SVID.
      x509SvidSubject: { ...registration.identity.subject },
      jwtAuthority: { key: options.issuerKey, issuer: ISSUER },
    });
    const role = [...aws.world.roles.values()].find((r) => r.origin.includes('Deployer'))!;
    const profile = [...aws.world.profiles.values()].find((p) => p.roleArns.includes(role.arn))!;
    const anchor = [...aws.world.trustAnchors.values()][0];
    const provider = [...gcp.world.providers.values()][0];
    const serviceAccount = [...gcp.world.serviceAccounts.values()][0];
    const [identity] = azure.world.identities.values();
    const requests = () => aws!.server.log.length + gcp!.server.log.length + azure!.server.log.length;

    const outcomes: WorkloadOutcome[] = [];
    let cloudRequestsOfRefused = 0;
    for (const workload of workloads) {
      const address = spire.addresses.get(workload.name)!;
      const before = requests();
      const awsCredentials = fromSpiffe({ trustAnchorArn: anchor.arn, profileArn: profile.arn, roleArn: role.arn, endpoint: aws.endpoint, workloadApi: { address } });
      const outcome: WorkloadOutcome = {
        workload: workload.name,
        selectors: workload.selectors.map((s) => `${s.type}:${s.value}`),
        aws: await attempt(async () => (await awsCredentials()).accessKeyId).finally(() => awsCredentials.close()),
        gcp: await attempt(async () =>
          (
            await gcpAccessTokenFromSpiffe({
              audience: `//iam.googleapis.com/${provider.name}`,
              jwtAudience: provider.oidc!.allowedAudiences[0],
              serviceAccountEmail: serviceAccount.email,
              stsEndpoint: gcp!.endpoint,
              iamCredentialsEndpoint: gcp!.endpoint,
              workloadApi: { address },
            }).getAccessToken()
          ).token,
        ),
        azure: await attempt(async () => {
          const assertion = await azureAssertionFromSpiffe({ workloadApi: { address } })();
          const answer = await sendRequest(`${azure!.authorityHost}/${azure!.tenantId}/oauth2/v2.0/token`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({
              grant_type: 'client_credentials',
              client_id: identity.clientId,
              client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
              client_assertion: assertion,
              scope: 'https://management.azure.com/.default',
            }).toString(),
            deadlineMs: 10_000,
            extraCa: azure!.caPem,
          });
          const body = JSON.parse(answer.body.toString('utf8')) as { access_token?: string; error?: string };
          if (!body.access_token) throw new Error(`Entra answered ${answer.status} ${body.error ?? ''}`);
          return body.access_token;
        }),
      };
      if (!outcome.aws.issued && !outcome.gcp.issued && !outcome.azure.issued) cloudRequestsOfRefused += requests() - before;
      outcomes.push(outcome);
    }
    return { spiffeId: registration.identity.spiffeId.toString(), outcomes, cloudRequestsOfRefused };
  } finally {
    await Promise.all([spire?.close(), aws?.close(), gcp?.close(), azure?.close()]);
  }
}

/** Whether the demonstration came out as the gates promise: the registered pod gets all three, the other image none. */
export function threeCloudsHeld(result: ThreeCloudsResult): boolean {
  const [deployer, other] = result.outcomes;
  const all = (o: WorkloadOutcome) => [o.aws, o.gcp, o.azure];
  return all(deployer).every((c) => c.issued !== undefined) && all(other).every((c) => c.issued === undefined) && result.cloudRequestsOfRefused === 0;
}

/**
 * The demonstration as text that fits `columns`: each workload's selectors (an image digest runs
 * past any terminal) and each cloud's answer wrapped under their heading rather than running on.
 */
export function renderThreeClouds(result: ThreeCloudsResult, columns: number = DEFAULT_COLUMNS): string {
  const lines = wrapText(`One identity, three clouds, through the SPIFFE Workload API (an emulated SPIRE agent; ${result.spiffeId}):`, columns);
  for (const o of result.outcomes) {
    lines.push(...indented(`${o.workload}:`, 2, columns), ...indented(o.selectors.filter((s) => !s.startsWith('k8s:pod-uid:')).join(', '), 6, columns));
    for (const [cloud, c] of [['AWS  ', o.aws], ['GCP  ', o.gcp], ['Azure', o.azure]] as const) lines.push(...indented(`${cloud} ${c.issued ? `credentials issued (${c.issued})` : `nothing issued — ${c.refused}`}`, 4, columns));
  }
  lines.push(...indented(`clouds asked on behalf of the refused workload: ${result.cloudRequestsOfRefused}`, 2, columns));
  return lines.join('\n');
}
