import { GATE_MANIFEST_METADATA_KEY, GcpWorkloadIdentityGateManifest, parseGateManifest } from '../../lib/core/gate-manifest';
import { PrivilegeTier } from '../../lib/core/privilege-tier';
import type { SubjectJudgement } from '../../lib/model/gcp/cel/condition-analysis';
import { TerraformResource, block, blocks } from '../../lib/model/terraform/configuration';
import { Value, describeValue } from '../../lib/model/terraform/expressions';
import {
  GrantTarget,
  PoolPrincipal,
  WORKLOAD_IDENTITY_USER,
  WorkloadIdentityProviderModel,
  iamGrants,
  isHighPrivilegeRole,
  principalInPool,
  providerSubjectConstraint,
  readMember,
  serviceAccountAddress,
  workloadIdentityProviders,
} from '../../lib/model/gcp/google-workload-identity';
import { TerraformSource } from '../../lib/model/terraform/configuration';
import { subjectDrift } from '../../lib/model/gcp/declared-subject';
import { GateServiceAccount, GcpIssuancePath, gcpIssuancePaths } from '../../lib/model/gcp/issuance-paths';

/** Roles that let a principal act as a service account. */
const IMPERSONATION_ROLES = new Set([WORKLOAD_IDENTITY_USER, 'roles/iam.serviceAccountTokenCreator']);

/** A role granted, and where. */
export interface DiscoveredGrant {
  readonly role: string;
  /** e.g. `project "attestgate-example"`. */
  readonly on: string;
  /** The IAM resource's address. */
  readonly resource: string;
}

/** A principal of the provider's pool that holds something. */
export interface BoundPrincipal {
  readonly principal: PoolPrincipal;
  /** The member as written. */
  readonly member: string;
  /** Service accounts it can impersonate, with their roles. */
  readonly serviceAccounts: ReadonlyArray<{ readonly address: string; readonly accountId?: string; readonly via: string; readonly grants: readonly DiscoveredGrant[] }>;
  /** Roles granted to the principal itself. */
  readonly grants: readonly DiscoveredGrant[];
}

/** A GCP workload identity federation gate found in a configuration. */
export interface GcpGate {
  /** `<stack>/<provider address>`: stable across runs of the same configuration. */
  readonly id: string;
  readonly cloud: 'gcp';
  readonly stackName: string;
  readonly file: string;
  readonly provider: TerraformResource;
  /** The intent written by attestgate constructs; absent for brownfield providers. */
  readonly manifest?: GcpWorkloadIdentityGateManifest;
  readonly kind: WorkloadIdentityProviderModel['kind'];
  readonly disabled: boolean;
  /** What the provider trusts: the OIDC issuer, the X.509 trust store size or the AWS account. */
  readonly trusts: string;
  readonly audiences: readonly string[];
  readonly attributeCondition?: string;
  /** Whether the condition pins the subject. */
  readonly subjectConstraint: SubjectJudgement;
  readonly boundPrincipals: readonly BoundPrincipal[];
  /** Declared (manifest) or inferred privilege. */
  readonly privilege: PrivilegeTier | 'unknown';
  readonly privilegeReasons: readonly string[];
  /** Where the provider and its bindings no longer match the identity its gate manifest declares; empty without a manifest. */
  readonly drift: readonly string[];
  /** The service accounts the gate's principals can act as (or its manifest names), with their privilege. */
  readonly serviceAccounts: readonly GateServiceAccount[];
  /** Every way to a token acting as those accounts: the gate's federation and every other member, key and attachment. */
  readonly paths: readonly GcpIssuancePath[];
  /** Acknowledgements in the accounts' `"//"` objects that do not count, and why. */
  readonly ignoredAcknowledgements: readonly string[];
}

function describeTarget(target: GrantTarget): string {
  return target.kind === 'resource' ? target.type.replace(/^google_|_iam_(member|binding|policy)$/g, '') : `${target.kind} ${describeValue(target.value)}`;
}

function trustsOf(provider: WorkloadIdentityProviderModel): string {
  const a = provider.resource.attributes;
  switch (provider.kind) {
    case 'oidc': {
      const jwks = block(a.oidc)?.jwks_json;
      return `OIDC ${describeText(provider.issuerUri)}${jwks !== undefined && jwks !== null ? ' (inline JWKS)' : ''}`;
    }
    case 'x509': {
      const store = block(block(a.x509)?.trust_store);
      return `X.509: ${blocks(store?.trust_anchors).length} trust anchor(s), ${blocks(store?.intermediate_cas).length} intermediate(s)`;
    }
    case 'aws':
      return `AWS account ${describeText(block(a.aws)?.account_id)}`;
    case 'saml':
      return 'SAML';
    default:
      return 'unknown credential';
  }
}

const describeText = (value: Value | undefined): string => (typeof value === 'string' ? value : describeValue(value));

/** Finds every workload identity pool provider of every configuration, with what it admits and what its pool's principals hold. */
export function discoverGcpGates(sources: readonly TerraformSource[]): GcpGate[] {
  return sources.flatMap((source) => {
    const { model } = source;
    const grants = iamGrants(model);
    // Read once per configuration, not per provider: the providers of one pool share its
    // principals, so every provider meets every binding of the pool — and each bound account's
    // own grants were filtered out of all grants again for each (cubic in gates per pool).
    const members = grants.map((grant) => readMember(grant.member));
    const memberTexts = grants.map((grant) => describeText(grant.member));
    const roleTexts = grants.map((grant) => describeText(grant.role));
    const grantsOfAccount = new Map<string, DiscoveredGrant[]>();
    for (const g of grants) {
      const account = serviceAccountAddress(model, g.member);
      if (!account) continue;
      let ofAccount = grantsOfAccount.get(account);
      if (!ofAccount) grantsOfAccount.set(account, (ofAccount = []));
      ofAccount.push({ role: describeText(g.role), on: describeTarget(g.target), resource: g.resource.address });
    }
    const boundOfPool = new Map<string, BoundPrincipal[]>();
    const principalsBoundInPool = (provider: WorkloadIdentityProviderModel): BoundPrincipal[] => {
      const bound = new Map<string, { principal: PoolPrincipal; member: string; serviceAccounts: BoundPrincipal['serviceAccounts'][number][]; grants: DiscoveredGrant[] }>();
      for (const [index, grant] of grants.entries()) {
        const reading = members[index];
        if (!('principal' in reading) || !principalInPool(model, reading.principal, provider)) continue;
        const member = memberTexts[index];
        const entry = bound.get(member) ?? { principal: reading.principal, member, serviceAccounts: [], grants: [] };
        bound.set(member, entry);
        const role = roleTexts[index];
        const account = grant.target.kind === 'service-account' ? serviceAccountAddress(model, grant.target.value) : undefined;
        if (account && IMPERSONATION_ROLES.has(role)) {
          const accountGrants = [...(grantsOfAccount.get(account) ?? [])];
          const accountId = model.resource(account)?.attributes.account_id;
          entry.serviceAccounts.push({ address: account, ...(typeof accountId === 'string' ? { accountId } : {}), via: role, grants: accountGrants });
        } else {
          entry.grants.push({ role, on: describeTarget(grant.target), resource: grant.resource.address });
        }
      }
      return [...bound.values()];
    };
    // What the pool's principals hold that is high privilege: the same for every provider of the pool.
    const reasonsOfPool = new Map<readonly BoundPrincipal[], string[]>();
    const privilegeReasonsOf = (boundPrincipals: readonly BoundPrincipal[]): string[] => {
      let reasons = reasonsOfPool.get(boundPrincipals);
      if (!reasons) {
        reasons = boundPrincipals.flatMap((p) => [
          ...p.grants.filter((g) => isHighPrivilegeRole(g.role)).map((g) => `${p.member} holds ${g.role} on ${g.on}`),
          ...p.serviceAccounts.flatMap((sa) => sa.grants.filter((g) => isHighPrivilegeRole(g.role)).map((g) => `service account ${sa.accountId ?? sa.address} holds ${g.role} on ${g.on}`)),
        ]);
        reasonsOfPool.set(boundPrincipals, reasons);
      }
      return reasons;
    };
    return workloadIdentityProviders(model).map((provider) => {
      const address = provider.resource.address;
      const raw = provider.resource.comment[GATE_MANIFEST_METADATA_KEY];
      const manifest = raw === undefined ? undefined : parseGateManifest(raw, `${source.file}: ${address}`, 'gcp-workload-identity-federation');

      // The same for every provider of a pool (principalInPool reads only the provider's pool):
      // walked once per pool, not once per provider — every grant for each of N providers was N².
      const poolKey = JSON.stringify([provider.poolAddress ?? null, provider.poolId ?? null]);
      let boundPrincipals = boundOfPool.get(poolKey);
      if (!boundPrincipals) {
        boundPrincipals = principalsBoundInPool(provider);
        boundOfPool.set(poolKey, boundPrincipals);
      }
      const reasons = privilegeReasonsOf(boundPrincipals);
      const declared = manifest?.identity.privilege;
      const { accounts, paths, ignoredAcknowledgements } = gcpIssuancePaths(model, provider, { accounts: manifest?.serviceAccounts ?? [], high: declared === PrivilegeTier.HIGH });
      const audiences = Array.isArray(provider.allowedAudiences) ? provider.allowedAudiences.map(describeText) : [];
      return {
        id: `${source.stackName}/${address}`,
        cloud: 'gcp' as const,
        stackName: source.stackName,
        file: source.file,
        provider: provider.resource,
        ...(manifest ? { manifest } : {}),
        kind: provider.kind,
        disabled: provider.disabled,
        trusts: trustsOf(provider),
        audiences,
        ...(provider.condition !== undefined ? { attributeCondition: describeText(provider.condition) } : {}),
        subjectConstraint: providerSubjectConstraint(provider),
        boundPrincipals,
        privilege: declared ?? (reasons.length > 0 ? PrivilegeTier.HIGH : 'unknown'),
        privilegeReasons: declared ? [`declared ${declared} in its gate manifest`] : reasons,
        drift: manifest
          ? subjectDrift(
              { spiffeId: manifest.identity.spiffeId, subject: manifest.subject, serviceAccounts: manifest.serviceAccounts },
              provider.condition === undefined ? undefined : typeof provider.condition === 'string' ? provider.condition : null,
              boundPrincipals.flatMap((p) => p.serviceAccounts.filter((sa) => manifest.serviceAccounts.includes(sa.address)).map((sa) => ({ principal: p.principal, member: p.member, serviceAccount: sa.address }))),
            )
          : [],
        serviceAccounts: accounts,
        paths,
        ignoredAcknowledgements,
      };
    });
  });
}
