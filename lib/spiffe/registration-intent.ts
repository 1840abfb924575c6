import { AgentIdentity, AgentIdentityDescription, MIN_REASON_LENGTH } from '../core/agent-identity';
import { AttestGateError } from '../core/errors';
import { issuerProblem } from '../model/terraform/oidc-issuer';
import { SpireServer, SpireServerDescription, parseTrustDomain } from './spire-server';
import { SvidPresentationDescription } from './svid-presentation';

/**
 * What a registration was declared for — the identity, the server, where its SVIDs are presented
 * and the findings it accepted with a reason — written with the registration itself, as gate
 * manifests are written with a gate: a ClusterSPIFFEID or ClusterStaticEntry carries it in an
 * annotation, so a copied or hand-edited manifest is still judged against the identity it serves.
 */
export const REGISTRATION_INTENT_SCHEMA = 'attestgate/spiffe-registration/v1';
/** The annotation that holds the intent, as JSON. */
export const REGISTRATION_ANNOTATION = 'attestgate/registration';
/**
 * Annotations that acknowledge one rule on the object, with the reason as value:
 * `attestgate/acknowledge.AG-SPIFFE-004: "<reason>"` — for hand-written manifests.
 */
export const ACKNOWLEDGEMENT_ANNOTATION_PREFIX = 'attestgate/acknowledge.';

export interface RegistrationIntent {
  readonly schema: typeof REGISTRATION_INTENT_SCHEMA;
  readonly identity: AgentIdentityDescription;
  readonly server?: SpireServerDescription;
  readonly presentedTo: readonly SvidPresentationDescription[];
  /** Rule ID → why its finding on this registration is accepted. */
  readonly acknowledgements?: Readonly<Record<string, string>>;
}

/**
 * Reads an intent (parsed JSON), validating the identity, server and presentations again.
 *
 * @throws AttestGateError naming where it was found and the bad field
 */
export function parseRegistrationIntent(value: unknown, where: string): RegistrationIntent {
  const at = `registration intent at ${where}`;
  const fail = (field: string, v: unknown, problem: string, fix = 'write it again with attestgate/spiffe, or correct the annotation'): never => {
    throw new AttestGateError({ where: at, field, value: v, problem, fix });
  };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return fail('(intent)', value, 'is not a JSON object');
  const m = value as Record<string, unknown>;
  if (m.schema !== REGISTRATION_INTENT_SCHEMA) fail('schema', m.schema, `is not ${REGISTRATION_INTENT_SCHEMA}`);
  const identity = AgentIdentity.fromDescription(m.identity as AgentIdentityDescription).describe();
  const server = m.server === undefined ? undefined : SpireServer.fromDescription(m.server as SpireServerDescription).describe();
  if (!Array.isArray(m.presentedTo)) fail('presentedTo', m.presentedTo, 'is not a list');
  const presentedTo = (m.presentedTo as unknown[]).map((p, i) => parsePresentation(p, `presentedTo/${i}`, fail));
  let acknowledgements: Record<string, string> | undefined;
  if (m.acknowledgements !== undefined) {
    if (m.acknowledgements === null || typeof m.acknowledgements !== 'object' || Array.isArray(m.acknowledgements)) fail('acknowledgements', m.acknowledgements, 'is not an object of rule ID → reason');
    acknowledgements = {};
    for (const [ruleId, reason] of Object.entries(m.acknowledgements as Record<string, unknown>)) {
      if (typeof reason !== 'string' || reason.trim().length < MIN_REASON_LENGTH) fail(`acknowledgements/${ruleId}`, reason, `is not a reason of at least ${MIN_REASON_LENGTH} characters`);
      acknowledgements[ruleId] = reason as string;
    }
  }
  return { schema: REGISTRATION_INTENT_SCHEMA, identity, ...(server ? { server } : {}), presentedTo, ...(acknowledgements ? { acknowledgements } : {}) };
}

function parsePresentation(value: unknown, field: string, fail: (field: string, v: unknown, problem: string) => never): SvidPresentationDescription {
  const p = (value ?? {}) as Record<string, unknown>;
  if (typeof p.name !== 'string' || p.name.length === 0) fail(`${field}/name`, p.name, 'is not a name');
  const session = p.sessionLifetimeSeconds;
  if (session !== undefined && (!Number.isInteger(session) || (session as number) <= 0)) fail(`${field}/sessionLifetimeSeconds`, session, 'is not a positive whole number of seconds');
  const sessionPart = session === undefined ? {} : { sessionLifetimeSeconds: session as number };
  if (p.kind === 'x509-trust-anchor') {
    if (!Array.isArray(p.anchorTrustDomains) || p.anchorTrustDomains.some((d) => typeof d !== 'string')) fail(`${field}/anchorTrustDomains`, p.anchorTrustDomains, 'is not a list of trust domains');
    const anchorTrustDomains = (p.anchorTrustDomains as string[]).map((d, i) => parseTrustDomain(d, 'registration intent', `${field}/anchorTrustDomains/${i}`));
    return { kind: 'x509-trust-anchor', name: p.name as string, anchorTrustDomains, ...sessionPart };
  }
  if (p.kind === 'oidc-issuer') {
    const problem = issuerProblem(p.issuer);
    if (problem) fail(`${field}/issuer`, p.issuer, problem.problem);
    return { kind: 'oidc-issuer', name: p.name as string, issuer: p.issuer as string, ...sessionPart };
  }
  return fail(`${field}/kind`, p.kind, 'is not x509-trust-anchor or oidc-issuer');
}
