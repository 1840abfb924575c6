/**
 * Deployed-gate templates for conformance at scale: `count` high-privilege AttestedRoles behind a
 * trust anchor of one CA with an enabled CRL, synthesized with the constructs and read as the
 * emulator and discovery read them. Shared by bench/conformance (probes per second),
 * bench/conformance-scale (the request plan at 100 and 1,000 gates) and the tests that run a
 * moderate scale end to end.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { AgentTrustAnchor, AttestedRole, IdentityStacks, TrustAnchorSource } from '../lib/aws';
import { AgentIdentity, PrivilegeTier } from '../lib/core';
import { TemplateSource } from '../conformance/discovery/sources';
import { TemplateModel } from '../lib/model/aws/template';
import { PkiMaterial, loadPkiDirectory } from '../conformance/pki/pki-directory';
import { createCa, createCrl, privateKeyPem, randomSerial } from '../conformance/pki/throwaway-pki';

/** The bench CA's subject: the issuer every bench gate pins. */
export const BENCH_ISSUER = { CN: 'attestgate Bench CA', O: 'attestgate bench' } as const;

/**
 * A throwaway CA with one revoked serial on its CRL, written where discovery reads a PKI from:
 * what the conformance benches probe their gates with.
 */
export async function benchPki(): Promise<{ pki: PkiMaterial; caPem: string; crlPem: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-bench-pki-'));
  const ca = await createCa({ subject: BENCH_ISSUER });
  const crl = await createCrl({ issuer: ca, revokedSerials: [randomSerial()] });
  fs.writeFileSync(path.join(dir, 'ca.crt'), ca.pem);
  fs.writeFileSync(path.join(dir, 'ca.key'), await privateKeyPem(ca.keys));
  return { pki: loadPkiDirectory(dir), caPem: ca.pem, crlPem: crl.pem };
}

export interface AwsGateTemplatesOptions {
  /** How many gates (roles), each with its own identity `agent-<i>`. */
  readonly count: number;
  /** The trust anchor's CA certificate (PEM); its subject is `issuer`. */
  readonly caPem: string;
  /** The CA's CRL (PEM), imported enabled into every anchor: AGC-AWS-006 probes it. */
  readonly crlPem: string;
  readonly issuer: { readonly CN: string; readonly O?: string };
  /**
   * Stacks the gates are spread over with IdentityStacks (each with its own anchor of the same
   * CA). One stack named `Bench` when 1, as bench/conformance has always built it. A stack holds
   * at most 500 resources (CloudFormation's quota, which the constructs enforce), so 1,000
   * gates need several.
   * @default 1
   */
  readonly stacks?: number;
}

/** The gates' templates, synthesized (CloudFormation validation off: it is not what is measured). */
export function synthAwsGateTemplates(options: AwsGateTemplatesOptions): TemplateSource[] {
  process.env.CDK_VALIDATION = 'false';
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-gates-out-')) });
  const stackCount = options.stacks ?? 1;
  const single = stackCount === 1 ? new Stack(app, 'Bench') : undefined;
  const sharded = single ? undefined : new IdentityStacks(app, 'Bench', { stackCount });
  const anchors = new Map<Stack, AgentTrustAnchor>();
  const anchorOf = (stack: Stack): AgentTrustAnchor => {
    let anchor = anchors.get(stack);
    if (!anchor) {
      anchor = new AgentTrustAnchor(stack, 'Anchor', { source: TrustAnchorSource.fromCertificateBundle(options.caPem) });
      anchor.addCrl('Crl', options.crlPem);
      anchors.set(stack, anchor);
    }
    return anchor;
  };
  for (let i = 0; i < options.count; i++) {
    const identity = new AgentIdentity({
      name: `agent-${i}`,
      spiffeId: `spiffe://bench.example/agent/agent-${i}`,
      subject: { CN: `agent-${i}` },
      issuingCa: options.issuer,
      privilege: PrivilegeTier.HIGH,
    });
    const stack = single ?? sharded!.stackFor(identity);
    new AttestedRole(stack, `Agent${i}`, { identity, trustAnchors: [anchorOf(stack)] });
  }
  const assembly = app.synth();
  return [...anchors.keys()].map((stack) => ({
    stackName: stack.stackName,
    file: `${stack.stackName}.template.json`,
    model: TemplateModel.parse(assembly.getStackByName(stack.stackName).template, stack.stackName),
  }));
}
