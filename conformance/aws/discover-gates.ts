import { AwsRolesAnywhereGateManifest, GATE_MANIFEST_METADATA_KEY, parseGateManifest } from '../../lib/core/gate-manifest';
import { CaCertificateInfo, caInfoOf, parseCertificateBundle } from '../../lib/core/pki/ca-bundle';
import { PrivilegeTier } from '../../lib/core/privilege-tier';
import { certificateTagDrift, declaredCertificateTags, exactUriSan } from '../../lib/model/aws/declared-certificate';
import { ConditionEntry, parseConditionOperator } from '../../lib/model/aws/iam-policy';
import { AwsIssuancePath, issuancePathsOf } from '../../lib/model/aws/issuance-paths';
import { Value, describeValue, isSymbol } from '../../lib/model/aws/intrinsics';
import { highPrivilegeReasons } from '../../lib/model/aws/role-privilege';
import {
  TRUST_ANCHOR_TYPE,
  crlsOfTrustAnchor,
  maxRolesAnywhereSession,
  otherCredentialPrincipals,
  profilesListingRole,
  requiredForIssuance,
  rolesAnywhereTrusts,
  sourceArnPin,
} from '../../lib/model/aws/roles-anywhere';
import { TemplateModel, TemplateResource } from '../../lib/model/aws/template';
import { TemplateSource } from '../discovery/sources';

/** A trust anchor a gate accepts certificates through. */
export interface DiscoveredTrustAnchor {
  /** Its logical ID when in the template; its ARN otherwise. */
  readonly ref: string;
  readonly inTemplate: boolean;
  readonly name?: string;
  readonly sourceType?: string;
  /** The CA certificates of a PEM bundle; empty for ACM PCA, external or unparseable anchors. */
  readonly caCertificates: readonly CaCertificateInfo[];
  /** The PEM bundle, when literal in the template. */
  readonly caBundlePem?: string;
  readonly enabled: boolean;
  /** CRLs of the template attached to it. */
  readonly crls: ReadonlyArray<{ readonly logicalId: string; readonly enabled: boolean | undefined; readonly crlPem?: string }>;
}

/** An IAM Roles Anywhere gate found in a template, with what it actually accepts. */
export interface AwsGate {
  /** `<stack>/<role logical ID>`: stable across runs of the same template. */
  readonly id: string;
  readonly cloud: 'aws';
  readonly stackName: string;
  readonly file: string;
  readonly role: TemplateResource;
  /** The intent written by attestgate constructs; absent for brownfield roles. */
  readonly manifest?: AwsRolesAnywhereGateManifest;
  /**
   * The trust anchors the role is pinned to; when the trust policy does not pin `aws:SourceArn`,
   * every trust anchor of the template (and of the account) can issue it.
   */
  readonly trustAnchors: readonly DiscoveredTrustAnchor[];
  /** Whether `aws:SourceArn` pins the role to those anchors (false: any anchor of the account). */
  readonly anchorsPinned: boolean | undefined;
  /** Conditions on certificate attributes (x509 tags, source identity) of the Roles Anywhere statements. */
  readonly attributeConditions: readonly ConditionEntry[];
  /** Each Roles Anywhere statement's conditions: ANDed within one, ORed across them. */
  readonly attestationStatements: ReadonlyArray<readonly ConditionEntry[]>;
  /** Whether issuance requires one exact URI SAN (the SPIFFE ID), as the rules read split statements. */
  readonly sanUriPinned: boolean;
  /**
   * Conditions of the trust policy's Deny statements on certificate attributes: a gate may require
   * an attribute by denying every other value (an anchored Allow plus one Deny per attribute).
   */
  readonly denyConditions: readonly ConditionEntry[];
  /** Profiles of the template listing the role. */
  readonly profiles: readonly TemplateResource[];
  /** The longest session issuable, or why it cannot be known. */
  readonly maxSession: { seconds: number } | { unknown: string };
  /** Declared (manifest) or inferred privilege. */
  readonly privilege: PrivilegeTier | 'unknown';
  readonly privilegeReasons: readonly string[];
  /** Principals other than Roles Anywhere that can assume the role. */
  readonly otherPrincipals: readonly string[];
  /**
   * Where the trust policy no longer matches the identity its gate manifest declares (a condition
   * edited by hand after synth); empty without a manifest.
   */
  readonly drift: readonly string[];
  /** Every way the role's credentials can be obtained: each (anchor × profile) pair and every other principal. */
  readonly paths: readonly AwsIssuancePath[];
  /** Acknowledgements in the role's metadata that do not count, and why. */
  readonly ignoredAcknowledgements: readonly string[];
}

/** Finds every role of every template that IAM Roles Anywhere can issue sessions for. */
export function discoverAwsGates(sources: readonly TemplateSource[]): AwsGate[] {
  return sources.flatMap((source) => gatesOfTemplate(source));
}

function gatesOfTemplate(source: TemplateSource): AwsGate[] {
  const { model } = source;
  return rolesAnywhereTrusts(model).map((trust) => {
    const role = trust.role;
    const rawManifest = role.metadata[GATE_MANIFEST_METADATA_KEY];
    const manifest = rawManifest === undefined ? undefined : parseGateManifest(rawManifest, `${source.file}: ${role.logicalId}`);

    // Pinned when, for one of the three actions CreateSession needs, every statement allowing it
    // pins aws:SourceArn (the rules read it the same way); the anchors are those pins name.
    const pinned = requiredForIssuance(trust, (s) => sourceArnPin(model, s));
    const pinnedAnchors = pinned.holds === true ? [...new Set(trust.statements.flatMap((s) => sourceArnPin(model, s).anchors ?? []))] : undefined;
    const anchorRefs = pinnedAnchors ?? model.resourcesOfType(TRUST_ANCHOR_TYPE).map((a) => a.logicalId);

    const reasons = highPrivilegeReasons(model, role);
    const declared = manifest?.identity.privilege;
    const otherPrincipals = trust.trustPolicy.statements.flatMap((s) => {
      const verdict = otherCredentialPrincipals(s);
      return verdict.holds === true ? verdict.principals! : [];
    });

    const { paths, ignoredAcknowledgements } = issuancePathsOf(model, trust, pinnedAnchors);
    return {
      id: `${source.stackName}/${role.logicalId}`,
      cloud: 'aws' as const,
      stackName: source.stackName,
      file: source.file,
      role,
      manifest,
      trustAnchors: anchorRefs.map((ref) => describeAnchor(model, ref)),
      anchorsPinned: pinned.holds,
      attributeConditions: trust.statements.flatMap((s) =>
        s.conditions.filter((c) => /^aws:principaltag\/x509/i.test(c.key) || c.key.toLowerCase() === 'sts:sourceidentity'),
      ),
      attestationStatements: trust.statements.map((s) => s.conditions),
      sanUriPinned: requiredForIssuance(trust, (s) => exactUriSan(s.conditions)).holds === true,
      denyConditions: trust.trustPolicy.statements
        .filter((s) => s.effect === 'Deny')
        .flatMap((s) => s.conditions.filter((c) => /^aws:principaltag\/x509/i.test(c.key) || c.key.toLowerCase() === 'sts:sourceidentity')),
      profiles: profilesListingRole(model, role.logicalId),
      maxSession: maxRolesAnywhereSession(model, role),
      privilege: declared ?? (reasons.length > 0 ? PrivilegeTier.HIGH : 'unknown'),
      privilegeReasons: declared ? [`declared ${declared} in its gate manifest`] : reasons,
      otherPrincipals,
      paths,
      ignoredAcknowledgements,
      drift: manifest ? trust.statements.flatMap((s) => certificateTagDrift(declaredCertificateTags(manifest.identity), s.conditions, `trust policy statement ${s.index}`)) : [],
    };
  });
}

function describeAnchor(model: TemplateModel, ref: string): DiscoveredTrustAnchor {
  const resource = model.resource(ref);
  if (!resource || resource.type !== TRUST_ANCHOR_TYPE) {
    return { ref, inTemplate: false, caCertificates: [], enabled: true, crls: [] };
  }
  const source = resource.properties.Source as Record<string, Value> | undefined;
  const sourceData = source?.SourceData as Record<string, Value> | undefined;
  const pem = typeof sourceData?.X509CertificateData === 'string' ? sourceData.X509CertificateData : undefined;
  let caCertificates: CaCertificateInfo[] = [];
  if (pem !== undefined) {
    try {
      // No checks here: discovery describes what is deployed; the probes judge it.
      caCertificates = parseCertificateBundle(pem).map(caInfoOf);
    } catch {
      caCertificates = [];
    }
  }
  const enabled = resource.properties.Enabled;
  return {
    ref,
    inTemplate: true,
    name: typeof resource.properties.Name === 'string' ? resource.properties.Name : undefined,
    sourceType: typeof source?.SourceType === 'string' ? source.SourceType : undefined,
    caCertificates,
    caBundlePem: pem,
    enabled: !(enabled === false || enabled === 'false'),
    crls: crlsOfTrustAnchor(model, ref).map((c) => ({
      logicalId: c.crl.logicalId,
      enabled: c.enabled,
      crlPem: typeof c.crl.properties.CrlData === 'string' ? c.crl.properties.CrlData : undefined,
    })),
  };
}

/** Renders a condition for people: `x509Subject/CN = deployer`. */
export function describeCondition(condition: ConditionEntry): string {
  const key = condition.key.replace(/^aws:PrincipalTag\//i, '');
  const { base, ifExists, qualifier } = parseConditionOperator(condition.operator);
  const op =
    base === 'StringEquals' ? '=' : base === 'StringLike' ? '~' : base === 'StringNotEquals' ? '≠' : base === 'Null' ? 'is' : base;
  const values = condition.values.map((v: Value) => (typeof v === 'string' ? v : isSymbol(v) ? describeValue(v) : JSON.stringify(v)));
  const rendered = base === 'Null' ? (values.includes('false') ? 'present' : 'absent') : values.join(' | ');
  return `${qualifier ? `${qualifier}:` : ''}${key} ${op} ${rendered}${ifExists ? ' (if present)' : ''}`;
}
