import * as crypto from 'node:crypto';
import type { Checksum, SourceData } from '@smithy/types';

// One copy for the CRL import function's SigV4 clients and the conformance probes' signer.

/** node:crypto SHA-256 (and HMAC-SHA-256 with a secret) in the shape @smithy/signature-v4 wants. */
export class NodeSha256 implements Checksum {
  private hash: crypto.Hash | crypto.Hmac;

  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }

  private fresh(): crypto.Hash | crypto.Hmac {
    if (this.secret === undefined) return crypto.createHash('sha256');
    const key = typeof this.secret === 'string' ? this.secret : Buffer.from(this.secret as ArrayBuffer);
    return crypto.createHmac('sha256', key as crypto.BinaryLike);
  }

  public update(data: Uint8Array): void {
    this.hash.update(data);
  }

  public async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }

  public reset(): void {
    this.hash = this.fresh();
  }
}
