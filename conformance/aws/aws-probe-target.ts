import * as crypto from 'node:crypto';
import type * as http from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { NodeSha256 } from '../../lib/credentials/node-sha256';
import { proxyAgentFor } from '../../lib/http/send-request';
import { SignedCreateSessionRequest } from '../../lib/credentials/roles-anywhere/sign-request';
import { HttpOutcome } from '../engine/http-outcome';
import { AwsProbeTarget } from './probe-context';
import { REQUEST_DEADLINE_MS, sendHttp } from '../engine/send-http';
import { issuedCredentials } from './http-outcome';
import { SignedStsRequest, UnattestedAssumeRoleSigner } from './unattested-assume-role';

/** Endpoints of the three services probes talk to: scheme, host and port. */
export interface AwsEndpoints {
  readonly rolesAnywhere: string;
  readonly sts: string;
  readonly cloudFormation: string;
}

/** The public endpoints of a region. */
export function publicAwsEndpoints(region: string): AwsEndpoints {
  return {
    rolesAnywhere: `https://rolesanywhere.${region}.amazonaws.com`,
    sts: `https://sts.${region}.amazonaws.com`,
    cloudFormation: `https://cloudformation.${region}.amazonaws.com`,
  };
}


/**
 * The AWS SDK's HTTP handler settings for an endpoint: the proxy the environment names
 * (HTTPS_PROXY, NO_PROXY), as for every other request attestgate sends — the SDK reads none.
 */
export function sdkAgentFor(endpoint: string): { httpAgent?: http.Agent; httpsAgent?: http.Agent } {
  const url = new URL(endpoint);
  const agent = proxyAgentFor(url);
  if (!agent) return {};
  return url.protocol === 'https:' ? { httpsAgent: agent } : { httpAgent: agent };
}

export interface AwsHttpProbeTargetOptions {
  readonly name: string;
  readonly region: string;
  readonly endpoints: AwsEndpoints;
  /**
   * Credentials of the unattested principal (and of the attacker who may create a trust anchor).
   * Live AWS: the default credential chain. Local: the emulator's persona.
   */
  readonly unattestedCredentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** The deadline of one exchange, connection to last byte. @default 15000 */
  readonly requestDeadlineMs?: number;
}

/**
 * Probes over HTTP, to the local emulator or to AWS. CreateSession requests go out exactly as
 * signed; STS AssumeRole as @aws-sdk/client-sts sends it (UnattestedAssumeRoleSigner), and the
 * control-plane calls, are signed with @smithy/signature-v4, the SDK's own signer.
 */
export class AwsHttpProbeTarget implements AwsProbeTarget {
  public readonly name: string;
  public readonly region: string;
  public readonly rolesAnywhereEndpoint: string;
  /** The signer of every unattested probe, built once (its signing key is derived once a day). */
  private sts: UnattestedAssumeRoleSigner | undefined;

  constructor(private readonly options: AwsHttpProbeTargetOptions) {
    this.name = options.name;
    this.region = options.region;
    this.rolesAnywhereEndpoint = options.endpoints.rolesAnywhere;
  }

  private get deadlineMs(): number {
    return this.options.requestDeadlineMs ?? REQUEST_DEADLINE_MS;
  }

  public send(request: SignedCreateSessionRequest): Promise<HttpOutcome> {
    return sendHttp(request.url, request.method, request.headers, request.body, this.deadlineMs);
  }

  public async assumeRoleUnattested(roleArn: string): Promise<HttpOutcome | { unavailable: string }> {
    if (!this.options.unattestedCredentials) return { unavailable: 'no credentials for an unattested principal (configure the default AWS credential chain)' };
    this.sts ??= new UnattestedAssumeRoleSigner({ endpoint: this.options.endpoints.sts, region: this.region, credentials: this.options.unattestedCredentials });
    let request: SignedStsRequest;
    try {
      request = await this.sts.sign(roleArn);
    } catch (e) {
      // The credential chain's provider failed: nothing was sent, no verdict (as the SDK client's
      // failure before it sent anything was).
      return { kind: 'network-error', error: `the unattested principal's credentials could not be resolved: ${(e as Error).message}` };
    }
    // One attempt: the probe context retries, as it does every probe, within the run's rate limit.
    const outcome = await sendHttp(request.url, request.method, request.headers, request.body, this.deadlineMs);
    // Issued credentials are judged, never kept: the answer's keys would be in memory for nothing.
    return issuedCredentials(outcome) && outcome.kind === 'response' ? { ...outcome, body: '<Credentials>issued</Credentials>' } : outcome;
  }

  /** Nothing to close: STS probes go through the one HTTP client, whose connections the process owns. */
  public close(): void {
    this.sts = undefined;
  }

  public async createTrustAnchor(caPem: string): Promise<{ arn: string; remove(): Promise<void> } | { unavailable: string }> {
    if (!this.options.unattestedCredentials) return { unavailable: 'no credentials allowed to create a trust anchor' };
    const name = `attestgate-probe-${crypto.randomBytes(4).toString('hex')}`;
    const body = JSON.stringify({ name, enabled: true, source: { sourceType: 'CERTIFICATE_BUNDLE', sourceData: { x509CertificateData: caPem } } });
    const created = await this.signedJson('POST', '/trustanchors', body);
    if (created.kind !== 'response' || created.status !== 201) {
      return { unavailable: created.kind === 'response' ? `CreateTrustAnchor answered ${created.status}: ${created.body.slice(0, 200)}` : created.error };
    }
    const { trustAnchor } = JSON.parse(created.body) as { trustAnchor: { trustAnchorArn: string; trustAnchorId: string } };
    return {
      arn: trustAnchor.trustAnchorArn,
      remove: async () => {
        const deleted = await this.signedJson('DELETE', `/trustanchor/${trustAnchor.trustAnchorId}`, '');
        if (deleted.kind !== 'response' || deleted.status !== 200) {
          throw new Error(`the probe's trust anchor ${trustAnchor.trustAnchorArn} could not be deleted: delete it by hand`);
        }
      },
    };
  }

  private async signedJson(method: string, path: string, body: string): Promise<HttpOutcome> {
    const url = new URL(path, this.options.endpoints.rolesAnywhere);
    const signer = new SignatureV4({ credentials: this.options.unattestedCredentials!, region: this.region, service: 'rolesanywhere', sha256: NodeSha256 });
    const signed = await signer.sign({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      query: {},
      headers: { host: url.host, 'content-type': 'application/json' },
      body,
    });
    return sendHttp(url.toString(), method, signed.headers as Record<string, string>, body, this.deadlineMs);
  }
}
