import { AgentIdentity, AgentIdentityDescription } from './agent-identity';
import { AttestGateError } from './errors';

/**
 * Where a gate manifest lives: the metadata of the resource that holds the gated identity
 * (the IAM role's `Metadata` in CloudFormation; in Terraform JSON, which has no resource
 * metadata, the gated resource's `"//"` comment object). Keeping it on the resource means a
 * copied or brownfield-imported resource carries its intent with it.
 */
export const GATE_MANIFEST_METADATA_KEY = 'attestgate:gate';

/**
 * The manifest schema identifier; bumped only on an incompatible change. v2 holds intent only —
 * the declared identity and what it is meant to reach; discovery derives everything else from the
 * resources and reports a drift where they no longer match it. v1 manifests (which also listed
 * facts about the resources) are still read: their intent is kept and the rest ignored.
 */
export const GATE_MANIFEST_SCHEMA = 'attestgate/gate-manifest/v2';
export const GATE_MANIFEST_SCHEMA_V1 = 'attestgate/gate-manifest/v1';

/**
 * An IAM Roles Anywhere gate. The manifest is on the role; the anchors, profiles and conditions
 * are read from the template.
 */
export interface AwsRolesAnywhereGateManifest {
  readonly schema: typeof GATE_MANIFEST_SCHEMA;
  readonly kind: 'aws-iam-roles-anywhere';
  /** What the gate must enforce: who the agent is and how its certificate must look. */
  readonly identity: AgentIdentityDescription;
}

/**
 * A GCP workload identity federation gate. Terraform JSON has no resource metadata, so the
 * manifest lives in the pool provider's `"//"` object (Terraform ignores it).
 */
export interface GcpWorkloadIdentityGateManifest {
  readonly schema: typeof GATE_MANIFEST_SCHEMA;
  readonly kind: 'gcp-workload-identity-federation';
  readonly identity: AgentIdentityDescription;
  /** The `google.subject` the declared identity maps to (its SPIFFE ID, or its path when the ID is over 127 bytes). */
  readonly subject: string;
  /** Addresses of the service accounts the identity is meant to act as. */
  readonly serviceAccounts: readonly string[];
}

/** A trust an Azure gate declares: tokens of this issuer, subject and audience. */
export interface AzureFederatedCredentialDescription {
  readonly issuer: string;
  readonly subject: string;
  readonly audience: string;
}

/**
 * An Azure (Entra) federated identity gate: a user-assigned managed identity and the trusts it
 * declares. The manifest lives in the identity's `"//"` object; its federated credential
 * resources are read from the configuration and compared with the declared trusts.
 */
export interface AzureFederatedIdentityGateManifest {
  readonly schema: typeof GATE_MANIFEST_SCHEMA;
  readonly kind: 'azure-federated-identity-credential';
  readonly identity: AgentIdentityDescription;
  readonly credentials: readonly AzureFederatedCredentialDescription[];
}

/** Every gate manifest kind. */
export type GateManifest = AwsRolesAnywhereGateManifest | GcpWorkloadIdentityGateManifest | AzureFederatedIdentityGateManifest;

/** The kinds this version knows. */
export const GATE_MANIFEST_KINDS: ReadonlyArray<GateManifest['kind']> = ['aws-iam-roles-anywhere', 'gcp-workload-identity-federation', 'azure-federated-identity-credential'];

/**
 * Reads a gate manifest found in synthesized output, checking its shape and the identity in it.
 *
 * @param value the parsed JSON value
 * @param where where it was found, for the error message (e.g. `template.json: DeployerRole`)
 * @param expected the kind accepted: one kind, or `'any'`. Without it only the AWS kind is
 *   accepted, as before the GCP and Azure kinds existed.
 */
export function parseGateManifest(value: unknown, where: string): AwsRolesAnywhereGateManifest;
export function parseGateManifest<K extends GateManifest['kind']>(value: unknown, where: string, expected: K): Extract<GateManifest, { kind: K }>;
export function parseGateManifest(value: unknown, where: string, expected: 'any'): GateManifest;
export function parseGateManifest(value: unknown, where: string, expected: GateManifest['kind'] | 'any' = 'aws-iam-roles-anywhere'): GateManifest {
  const fail = (field: string, v: unknown, problem: string, fix: string): never => {
    throw new AttestGateError({ where: `gate manifest at ${where}`, field, value: v, problem, fix });
  };
  if (value === null || typeof value !== 'object') {
    return fail('(manifest)', value, 'is not an object', 'regenerate it with attestgate constructs');
  }
  const m = value as Record<string, unknown>;
  if (m.schema !== GATE_MANIFEST_SCHEMA && m.schema !== GATE_MANIFEST_SCHEMA_V1) {
    fail('schema', m.schema, `is not ${GATE_MANIFEST_SCHEMA} (or ${GATE_MANIFEST_SCHEMA_V1})`, 'synthesize again with this attestgate version');
  }
  if (!GATE_MANIFEST_KINDS.includes(m.kind as GateManifest['kind'])) {
    fail('kind', m.kind, 'is not a gate kind this version knows', 'upgrade attestgate');
  }
  if (expected !== 'any' && m.kind !== expected) {
    fail('kind', m.kind, `is not the kind expected here (${expected})`, 'read this resource with the reader for its cloud');
  }
  const identity = AgentIdentity.fromDescription(m.identity as AgentIdentityDescription).describe();
  const strings = (field: string, v: unknown = m[field]): string[] => {
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
      return fail(field, v, 'is not a list of strings', 'regenerate the manifest');
    }
    return v as string[];
  };
  const text = (field: string, v: unknown = m[field]): string => (typeof v === 'string' ? v : fail(field, v, 'is not a string', 'regenerate the manifest'));

  if (m.kind === 'gcp-workload-identity-federation') {
    return { schema: GATE_MANIFEST_SCHEMA, kind: 'gcp-workload-identity-federation', identity, subject: text('subject'), serviceAccounts: strings('serviceAccounts') };
  }
  if (m.kind === 'azure-federated-identity-credential') {
    if (!Array.isArray(m.credentials)) fail('credentials', m.credentials, 'is not a list', 'regenerate the manifest');
    return {
      schema: GATE_MANIFEST_SCHEMA,
      kind: 'azure-federated-identity-credential',
      identity,
      credentials: (m.credentials as unknown[]).map((c, i) => {
        const entry = (c ?? {}) as Record<string, unknown>;
        const field = (name: string) => text(`credentials/${i}/${name}`, entry[name]);
        return { issuer: field('issuer'), subject: field('subject'), audience: field('audience') };
      }),
    };
  }
  return { schema: GATE_MANIFEST_SCHEMA, kind: 'aws-iam-roles-anywhere', identity };
}
