import { AgentIdentity, AgentIdentityDescription } from './agent-identity';
import { AttestGateError } from './errors';

/**
 * Where a gate manifest lives: the metadata of the resource that holds the gated identity
 * (the IAM role's `Metadata` in CloudFormation). Keeping it on the resource means a copied
 * or brownfield-imported resource carries its intent with it.
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

/** Every gate manifest kind. GCP and Azure kinds join this union. */
export type GateManifest = AwsRolesAnywhereGateManifest;

/**
 * Reads a gate manifest found in synthesized output, checking its shape and the identity in it.
 *
 * @param value the parsed JSON value
 * @param where where it was found, for the error message (e.g. `template.json: DeployerRole`)
 */
export function parseGateManifest(value: unknown, where: string): GateManifest {
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
  if (m.kind !== 'aws-iam-roles-anywhere') {
    fail('kind', m.kind, 'is not a gate kind this version knows', 'upgrade attestgate');
  }
  const identity = AgentIdentity.fromDescription(m.identity as AgentIdentityDescription).describe();
  const strings = (field: string): string[] => {
    const v = m[field];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
      return fail(field, v, 'is not a list of strings', 'regenerate the manifest');
    }
    return v as string[];
  };
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
