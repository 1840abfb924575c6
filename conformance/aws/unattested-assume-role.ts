import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { NodeSha256 } from '../../lib/credentials/node-sha256';
import { uriEncode } from '../../lib/credentials/roles-anywhere/canonical-request';

/** The session name of every unattested AssumeRole probe: it shows in CloudTrail as what it is. */
export const UNATTESTED_SESSION_NAME = 'attestgate-unattested-probe';
/** STS's shortest session: a probe that is (wrongly) issued credentials holds them as briefly as STS allows. */
export const UNATTESTED_DURATION_SECONDS = 900;

/** A signed STS request, ready to send as it is (the signature covers its headers). */
export interface SignedStsRequest {
  readonly url: string;
  readonly method: 'POST';
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * Signs `sts:AssumeRole` of a role as @aws-sdk/client-sts sends it: the Query API form body with
 * the parameters in the SDK's order, `POST /`, SigV4 by the SDK's own signer
 * (@smithy/signature-v4) for service `sts` with the caller's credentials, the payload hash
 * header. Left out are only the SDK's telemetry headers (user agent, invocation ID, attempt
 * count), which say nothing STS authorizes by. The test compares the two on the wire.
 *
 * Why not the SDK client itself: measured alone against a local server, a call through it cost
 * 0.9–1.5 ms of CPU at 8 calls at once and 3–5 ms one at a time, against ~0.1 ms signed here
 * (docs/benchmarks.md) — the CPU of several CreateSession probes, once per gate.
 */
export class UnattestedAssumeRoleSigner {
  private readonly signer: SignatureV4;
  private readonly url: URL;

  constructor(options: { readonly endpoint: string; readonly region: string; readonly credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider }) {
    this.url = new URL('/', options.endpoint);
    this.signer = new SignatureV4({ credentials: options.credentials, region: options.region, service: 'sts', sha256: NodeSha256 });
  }

  public async sign(roleArn: string): Promise<SignedStsRequest> {
    const body = `Action=AssumeRole&Version=2011-06-15&RoleArn=${uriEncode(roleArn)}&RoleSessionName=${uriEncode(UNATTESTED_SESSION_NAME)}&DurationSeconds=${UNATTESTED_DURATION_SECONDS}`;
    const signed = await this.signer.sign({
      method: 'POST',
      protocol: this.url.protocol,
      hostname: this.url.hostname,
      port: this.url.port ? Number(this.url.port) : undefined,
      path: '/',
      query: {},
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)), host: this.url.host },
      body,
    });
    return { url: this.url.toString(), method: 'POST', headers: signed.headers as Record<string, string>, body };
  }
}
