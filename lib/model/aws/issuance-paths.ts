import { ACKNOWLEDGED_PATHS_KEY, readAcknowledgedPaths } from '../../core/acknowledged-paths';
import { ConditionEntry, StatementModel, statementCoversAction } from './iam-policy';
import { Value, describeValue, isSymbol, isSymbolicString } from './intrinsics';
import { ROLES_ANYWHERE_SERVICE, RolesAnywhereTrust, isAllow, profilesOfRole } from './roles-anywhere';
import { TemplateModel } from './template';

/**
 * Every way a role's credentials can be obtained, read from its trust policy and the template:
 * Roles Anywhere through each (trust anchor × profile) pair that reaches it — the attested
 * paths — and every other principal a statement lets assume it, with the conditions that narrow
 * who (never *how*: no condition on an unattested exchange asks for the certificate).
 */

/** The metadata key under which a role acknowledges unattested paths: `{ "<path id>": "<reason>" }`. */
export const ACKNOWLEDGED_PATHS_METADATA_KEY = ACKNOWLEDGED_PATHS_KEY;

/** The STS exchange a principal obtains the role's credentials with. */
export type CredentialExchange = 'sts:AssumeRole' | 'sts:AssumeRoleWithWebIdentity' | 'sts:AssumeRoleWithSAML';

export type AwsIssuancePath =
  | {
      readonly kind: 'roles-anywhere';
      /** `rolesanywhere:<anchor>/<profile>` */
      readonly id: string;
      /** The anchor's logical ID or ARN; `*` when the role is not pinned to anchors (any anchor of the account). */
      readonly anchor: string;
      /** The profile's logical ID (`<stack>/<logical ID>` in another stack of the app); `*` when no profile given lists the role (one elsewhere may). */
      readonly profile: string;
    }
  | {
      readonly kind: 'principal';
      /** `principal:<type>:<principal>` */
      readonly id: string;
      /** `AWS`, `Service`, `Federated`, `CanonicalUser`, `*`, or `NotPrincipal` (everyone but the listed). */
      readonly principalType: string;
      /** As written, for people and IDs (values unknown at synth as their description). */
      readonly principal: string;
      /** As written, for judging it once the deployment is known; absent for NotPrincipal. */
      readonly value?: Value;
      readonly exchange: CredentialExchange;
      readonly statement: number;
      /** The statement's conditions: they narrow which caller, not whether one is attested. */
      readonly conditions: readonly ConditionEntry[];
      /** Why the path is accepted on purpose, when the role acknowledges it. */
      readonly acknowledged?: string;
    }
  | { readonly kind: 'unknown'; readonly id: string; readonly statement: number; readonly why: string };

/** The exchange a principal type uses: SAML providers and other federations (OIDC) have their own. */
function exchangeOf(type: string, principal: string): CredentialExchange {
  if (type !== 'Federated') return 'sts:AssumeRole';
  return principal.includes(':saml-provider/') ? 'sts:AssumeRoleWithSAML' : 'sts:AssumeRoleWithWebIdentity';
}

function principalPaths(statement: StatementModel): AwsIssuancePath[] {
  if (isAllow(statement) === false) return [];
  const covers = (exchange: CredentialExchange) => statementCoversAction(statement, exchange) !== false;
  if (statement.notPrincipals !== undefined) {
    const except = statement.notPrincipals.map((p) => `${p.type}:${typeof p.value === 'string' ? p.value : describeValue(p.value)}`).join(', ');
    return covers('sts:AssumeRole')
      ? [{ kind: 'principal', id: `principal:NotPrincipal:statement-${statement.index}`, principalType: 'NotPrincipal', principal: `everyone except ${except}`, exchange: 'sts:AssumeRole', statement: statement.index, conditions: statement.conditions }]
      : [];
  }
  return (statement.principals ?? []).flatMap((p): AwsIssuancePath[] => {
    if (p.type === 'Service' && p.value === ROLES_ANYWHERE_SERVICE) return [];
    if (p.type === '?' || (typeof p.value !== 'string' && !(isSymbol(p.value) || isSymbolicString(p.value)))) {
      return [{ kind: 'unknown', id: `unknown:statement-${statement.index}`, statement: statement.index, why: `statement ${statement.index} names principal ${describeValue(p.value)}, which cannot be read` }];
    }
    const principal = p.type === '*' ? '*' : typeof p.value === 'string' ? p.value : describeValue(p.value);
    // `*` (and AWS "*") reaches every exchange its statement allows.
    const exchanges: CredentialExchange[] = p.type === '*' || principal === '*' ? ['sts:AssumeRole', 'sts:AssumeRoleWithWebIdentity', 'sts:AssumeRoleWithSAML'] : [exchangeOf(p.type, principal)];
    return exchanges
      .filter(covers)
      .map((exchange, i) => ({
        kind: 'principal' as const,
        id: `principal:${p.type}:${principal}${i > 0 ? `:${exchange.slice(4)}` : ''}`,
        principalType: p.type,
        principal,
        value: p.value,
        exchange,
        statement: statement.index,
        conditions: statement.conditions,
      }));
  });
}

/** The acknowledgements a role's metadata carries, and the ones that do not count. */
function acknowledgementsOf(metadata: Record<string, unknown>, paths: readonly AwsIssuancePath[]): { accepted: Map<string, string>; ignored: string[] } {
  return readAcknowledgedPaths(metadata[ACKNOWLEDGED_PATHS_METADATA_KEY], (id) => (paths.some((p) => p.kind === 'principal' && p.id === id) ? undefined : 'no unattested path of the role has this ID'));
}

/**
 * Every issuance path of a role that Roles Anywhere can issue for.
 *
 * @param anchors the trust anchors the role is pinned to, or undefined when it is not pinned
 */
export function issuancePathsOf(model: TemplateModel, trust: RolesAnywhereTrust, anchors: readonly string[] | undefined): { paths: AwsIssuancePath[]; ignoredAcknowledgements: string[] } {
  // A profile of another stack of the app (listing the role through an import of its ARN) is a path as one of its own.
  const profiles = profilesOfRole(model, trust.role.logicalId).map((p) => p.ref);
  const attested: AwsIssuancePath[] = (anchors ?? ['*']).flatMap((anchor) =>
    (profiles.length > 0 ? profiles : ['*']).map((profile) => ({ kind: 'roles-anywhere' as const, id: `rolesanywhere:${anchor}/${profile}`, anchor, profile })),
  );
  const { paths, ignoredAcknowledgements } = unattestedPathsOf(trust);
  return { paths: [...attested, ...paths], ignoredAcknowledgements };
}

/**
 * The paths of a role that are not Roles Anywhere — every other principal of its trust policy —
 * with its acknowledgements applied. What the synth-time rule needs, without pairing every
 * anchor with every profile of the template.
 */
export function unattestedPathsOf(trust: RolesAnywhereTrust): { paths: AwsIssuancePath[]; ignoredAcknowledgements: string[] } {
  const others = trust.trustPolicy.statements.flatMap(principalPaths);
  // One ID per path: a principal named in two statements is one path (the first statement's).
  const unique = [...new Map(others.map((p) => [p.id, p])).values()];
  const { accepted, ignored } = acknowledgementsOf(trust.role.metadata, unique);
  return { paths: unique.map((p) => (p.kind === 'principal' && accepted.has(p.id) ? { ...p, acknowledged: accepted.get(p.id)! } : p)), ignoredAcknowledgements: ignored };
}

/** A path for people: `Federated arn:…:oidc-provider/token.actions… via sts:AssumeRoleWithWebIdentity (if …)`. */
export function describePath(path: AwsIssuancePath): string {
  switch (path.kind) {
    case 'roles-anywhere':
      return `Roles Anywhere: anchor ${path.anchor === '*' ? 'ANY of the account' : path.anchor} × profile ${path.profile === '*' ? '(outside the template)' : path.profile}`;
    case 'principal':
      return `${path.principalType === '*' ? 'anyone (*)' : `${path.principalType} ${path.principal}`} via ${path.exchange}${path.conditions.length > 0 ? ` if ${path.conditions.map((c) => `${c.operator} ${c.key}`).join(' and ')}` : ''}`;
    default:
      return `unknown: ${path.why}`;
  }
}

/**
 * A path as a route, for the report's diagram: who, through what, gated by which of the gate's
 * factors, to `role`. A principal's conditions go with the exchange: they narrow which caller,
 * never ask for the certificate, so they are not factors.
 */
export function routeOfPath(path: AwsIssuancePath, role: string): { from: string; through: string; factors: string[]; to: string } {
  switch (path.kind) {
    case 'roles-anywhere':
      return {
        from: 'a workload holding an X.509 certificate and its private key',
        through: `IAM Roles Anywhere: trust anchor ${path.anchor === '*' ? 'ANY of the account' : path.anchor}, profile ${path.profile === '*' ? '(outside the template)' : path.profile}`,
        factors: ['certificate chaining to the trust anchor’s CA', 'CreateSession signed with the certificate’s key', 'the trust policy’s conditions on the certificate'],
        to: role,
      };
    case 'principal':
      return {
        from: path.principalType === '*' ? 'anyone (*)' : `${path.principalType} ${path.principal}`,
        through: `${path.exchange}${path.conditions.length > 0 ? ` if ${path.conditions.map((c) => `${c.operator} ${c.key}`).join(' and ')}` : ''}`,
        factors: [],
        to: role,
      };
    default:
      return { from: 'a principal that cannot be read', through: `trust policy statement ${path.statement}`, factors: [], to: role };
  }
}
