import { AgentIdentity, AgentIdentityDescription } from './agent-identity';
import { AttestGateError } from './errors';

/**
 * Where a gate manifest lives: the metadata of the resource that holds the gated identity
 * (the IAM role's `Metadata` in CloudFormation; in Terraform JSON, which has no resource
 * metadata, the gated resource's `"//"` comment object). Keeping it on the resource means a
 * copied or brownfield-imported resource carries its intent with it.
 */
export const GATE_MANIFEST_METADATA_KEY = 'attestgate:gate';

/** The manifest schema identifier; bumped only on an incompatible change. */
export const GATE_MANIFEST_SCHEMA = 'attestgate/gate-manifest/v1';

/**
 * An IAM Roles Anywhere gate: the role, the trust anchors its trust policy pins and the
 * profiles that issue sessions for it. References are CloudFormation logical IDs of the same
 * template, or ARNs of resources outside it.
 */
export interface AwsRolesAnywhereGateManifest {
  readonly schema: typeof GATE_MANIFEST_SCHEMA;
  readonly kind: 'aws-iam-roles-anywhere';
  /** What the gate must enforce: who the agent is and how its certificate must look. */
  readonly identity: AgentIdentityDescription;
  /** The role's logical ID. */
  readonly role: string;
  /** Trust anchors pinned by `aws:SourceArn`: logical IDs or ARNs. */
  readonly trustAnchors: readonly string[];
  /** Profiles that list the role: logical IDs or ARNs. */
  readonly profiles: readonly string[];
  /** The longest session the gate issues, in seconds. */
  readonly maxSessionSeconds: number;
}

/**
 * A GCP workload identity federation gate: the pool provider that admits the agent's credential
 * and what it requires of it. Terraform JSON has no resource metadata, so the manifest lives in
 * the provider's `"//"` object (Terraform ignores it). References are Terraform addresses
 * (`type.name`) of the same configuration.
 */
export interface GcpWorkloadIdentityGateManifest {
  readonly schema: typeof GATE_MANIFEST_SCHEMA;
  readonly kind: 'gcp-workload-identity-federation';
  readonly identity: AgentIdentityDescription;
  /** The workload identity pool's address. */
  readonly pool: string;
  /** The pool provider's address. */
  readonly provider: string;
  /** What the provider accepts. */
  readonly credential: 'oidc' | 'x509' | 'aws';
  /** The OIDC issuer, exactly as tokens carry it (OIDC only). */
  readonly issuer?: string;
  /** The allowed audiences (OIDC only). */
  readonly audiences: readonly string[];
  /** The `google.subject` the gate admits. */
  readonly subject: string;
  /** The one principal bound: `principal://iam.googleapis.com/${pool.name}/subject/<subject>`. */
  readonly principal: string;
  /** The CEL attribute condition. */
  readonly attributeCondition: string;
  /** Service accounts the principal may impersonate (addresses). */
  readonly serviceAccounts: readonly string[];
}

/** One federated identity credential of an Azure gate. */
export interface AzureFederatedCredentialDescription {
  /** The credential's address. */
  readonly resource: string;
  readonly issuer: string;
  readonly subject: string;
  readonly audience: string;
}

/**
 * An Azure (Entra) federated identity gate: a user-assigned managed identity and the federated
 * credentials that admit the agent's token. The manifest lives in the identity's `"//"` object.
 */
export interface AzureFederatedIdentityGateManifest {
  readonly schema: typeof GATE_MANIFEST_SCHEMA;
  readonly kind: 'azure-federated-identity-credential';
  readonly identity: AgentIdentityDescription;
  /** The user-assigned identity's address. */
  readonly managedIdentity: string;
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
  if (m.schema !== GATE_MANIFEST_SCHEMA) {
    fail('schema', m.schema, `is not ${GATE_MANIFEST_SCHEMA}`, 'synthesize again with this attestgate version');
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
    const credential = m.credential;
    if (credential !== 'oidc' && credential !== 'x509' && credential !== 'aws') fail('credential', credential, 'is not oidc, x509 or aws', 'regenerate the manifest');
    return {
      schema: GATE_MANIFEST_SCHEMA,
      kind: 'gcp-workload-identity-federation',
      identity,
      pool: text('pool'),
      provider: text('provider'),
      credential: credential as 'oidc' | 'x509' | 'aws',
      ...(m.issuer !== undefined ? { issuer: text('issuer') } : {}),
      audiences: strings('audiences'),
      subject: text('subject'),
      principal: text('principal'),
      attributeCondition: text('attributeCondition'),
      serviceAccounts: strings('serviceAccounts'),
    };
  }
  if (m.kind === 'azure-federated-identity-credential') {
    if (!Array.isArray(m.credentials)) fail('credentials', m.credentials, 'is not a list', 'regenerate the manifest');
    return {
      schema: GATE_MANIFEST_SCHEMA,
      kind: 'azure-federated-identity-credential',
      identity,
      managedIdentity: text('managedIdentity'),
      credentials: (m.credentials as unknown[]).map((c, i) => {
        const entry = (c ?? {}) as Record<string, unknown>;
        const field = (name: string) => text(`credentials/${i}/${name}`, entry[name]);
        return { resource: field('resource'), issuer: field('issuer'), subject: field('subject'), audience: field('audience') };
      }),
    };
  }
  if (typeof m.role !== 'string') fail('role', m.role, 'is not a logical ID', 'regenerate the manifest');
  if (typeof m.maxSessionSeconds !== 'number') fail('maxSessionSeconds', m.maxSessionSeconds, 'is not a number', 'regenerate the manifest');
  return {
    schema: GATE_MANIFEST_SCHEMA,
    kind: 'aws-iam-roles-anywhere',
    identity,
    role: m.role as string,
    trustAnchors: strings('trustAnchors'),
    profiles: strings('profiles'),
    maxSessionSeconds: m.maxSessionSeconds as number,
  };
}
