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
  profilesOfRole,
  requiredForIssuance,
  rolesAnywhereTrusts,
  RolesAnywhereTrust,
  sourceArnPin,
  trustAnchorReference,
} from '../../lib/model/aws/roles-anywhere';
import { TemplateModel, TemplateResource } from '../../lib/model/aws/template';
import { TemplateSource } from '../discovery/sources';
import { readAppModels } from '../discovery/app-models';

/** A trust anchor a gate accepts certificates through. */
export interface DiscoveredTrustAnchor {
  /**
   * Its logical ID when in the gate's template; `<stack>/<logical ID>` when in another template of
   * the app (through an import); its ARN otherwise. The key of the gate's paths.
   */
  readonly ref: string;
  /** Whether it is a resource of a template given (the gate's own or, through an import, another's). */
  readonly inTemplate: boolean;
  /** Where it is, when in a template given: the stack it is deployed with (looked up there) and its logical ID. */
  readonly location?: { readonly stackName: string; readonly logicalId: string };
  readonly name?: string;
  readonly sourceType?: string;
  /** The CA certificates of a PEM bundle; empty for ACM PCA, external or unparseable anchors. */
  readonly caCertificates: readonly CaCertificateInfo[];
  /** The PEM bundle, when literal in the template. */
  readonly caBundlePem?: string;
  readonly enabled: boolean;
  /** CRLs attached to it: of its own template, and of other templates of the app through an import of its ARN. */
  readonly crls: ReadonlyArray<{ readonly logicalId: string; readonly stackName: string; readonly enabled: boolean | undefined; readonly crlPem?: string }>;
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
  /** Why the anchors the role is pinned to are not known (an import of an export no template given defines…); set when `anchorsPinned` is undefined. */
  readonly anchorsUnknown?: string;
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
  /**
   * Profiles listing the role: of its template, and of the app's other templates through an
   * import of its ARN. Each with the stack it is deployed with (looked up there) and how its
   * paths name it (`ref`: its logical ID in the role's template, `<stack>/<logical ID>` elsewhere).
   */
  readonly profiles: ReadonlyArray<TemplateResource & { readonly stackName: string; readonly ref: string }>;
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

/**
 * Finds every role of every template that IAM Roles Anywhere can issue sessions for. The templates
 * are read as one app's (conformance/discovery/app-models.ts): a role pinned, through an import,
 * to a trust anchor of another stack has that anchor — its CA, its CRLs wherever they are, the
 * stack it is deployed with — as a same-stack gate has its own.
 */
export function discoverAwsGates(sources: readonly TemplateSource[]): AwsGate[] {
  const { models, nested } = readAppModels(sources);
  // A resource of a nested stack (an anchor its parent reads back through an output) is named
  // `<parent>/<nested stack resource>`: no target deploys nested stacks, so it is looked up and not
  // found there, and the gate is not probed as if it were — never proven.
  const stackOf = (model: TemplateModel): string => (models.includes(model) ? sources[models.indexOf(model)].stackName : nested.find((n) => n.model === model)?.stackName ?? model.name);
  // The roles of nested stacks are gates too: no target deploys them, so they are reported (INCONCLUSIVE), never left out.
  return [...sources.flatMap((source, i) => gatesOfTemplate(source, models[i], stackOf)), ...nested.flatMap((n) => gatesOfTemplate({ stackName: n.stackName, file: n.file, model: n.model }, n.model, stackOf))];
}

function gatesOfTemplate(source: TemplateSource, model: TemplateModel, stackOf: (model: TemplateModel) => string): AwsGate[] {
  return rolesAnywhereTrusts(model).map((trust) => {
    const role = trust.role;
    const rawManifest = role.metadata[GATE_MANIFEST_METADATA_KEY];
    const manifest = rawManifest === undefined ? undefined : parseGateManifest(rawManifest, `${source.file}: ${role.logicalId}`);

    // Pinned when, for one of the three actions CreateSession needs, every statement allowing it
    // pins aws:SourceArn (the rules read it the same way); the anchors are those pins name.
    const pinned = requiredForIssuance(trust, (s) => sourceArnPin(model, s));
    const pinnedAnchors = pinned.holds === true ? [...new Set(trust.statements.flatMap((s) => sourceArnPin(model, s).anchors ?? []))] : undefined;
    // Not pinned: any anchor of the account issues it — those of every template given that deploys there.
    const locations = pinnedAnchors ? anchorLocations(model, trust) : accountAnchors(model);
    const anchorRefs = pinnedAnchors ?? [...locations.keys()];

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
      trustAnchors: anchorRefs.map((ref) => describeAnchor(ref, locations.get(ref) ?? { model, logicalId: ref }, stackOf)),
      anchorsPinned: pinned.holds,
      ...(pinned.holds === undefined ? { anchorsUnknown: pinned.why } : {}),
      attributeConditions: trust.statements.flatMap((s) =>
        s.conditions.filter((c) => /^aws:principaltag\/x509/i.test(c.key) || c.key.toLowerCase() === 'sts:sourceidentity'),
      ),
      attestationStatements: trust.statements.map((s) => s.conditions),
      sanUriPinned: requiredForIssuance(trust, (s) => exactUriSan(s.conditions)).holds === true,
      denyConditions: trust.trustPolicy.statements
        .filter((s) => s.effect === 'Deny')
        .flatMap((s) => s.conditions.filter((c) => /^aws:principaltag\/x509/i.test(c.key) || c.key.toLowerCase() === 'sts:sourceidentity')),
      profiles: profilesOfRole(model, role.logicalId).map((p) => ({ ...p.profile, stackName: stackOf(p.model), ref: p.ref })),
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

/**
 * Where each anchor a trust policy pins by reference is: the key `sourceArnPin` names it by
 * (trustAnchorReference) → the model it is a resource of and its logical ID there. An anchor of
 * another stack is reached through an import (a `stack-ref`), resolved by the app's model.
 */
function anchorLocations(model: TemplateModel, trust: RolesAnywhereTrust): Map<string, { model: TemplateModel; logicalId: string }> {
  const locations = new Map<string, { model: TemplateModel; logicalId: string }>();
  for (const statement of trust.statements) {
    for (const condition of statement.conditions.filter((c) => c.key.toLowerCase() === 'aws:sourcearn')) {
      for (const value of condition.values) {
        if (!isSymbol(value) || (value.symbolic !== 'ref' && value.symbolic !== 'stack-ref')) continue;
        const reference = trustAnchorReference(model, value);
        if (!('anchor' in reference)) continue;
        const where = value.symbolic === 'ref' ? model : model.app?.model(value.template);
        if (where) locations.set(reference.anchor, { model: where, logicalId: value.logicalId });
      }
    }
  }
  return locations;
}

/**
 * Every trust anchor of the account the role's template deploys to, as far as the templates given
 * show: its own (by logical ID) and those of the app's templates of the same account and Region
 * (by `<stack>/<logical ID>`, as a pin through an import names them).
 */
function accountAnchors(model: TemplateModel): Map<string, { model: TemplateModel; logicalId: string }> {
  const locations = new Map<string, { model: TemplateModel; logicalId: string }>();
  for (const anchor of model.resourcesOfType(TRUST_ANCHOR_TYPE)) locations.set(anchor.logicalId, { model, logicalId: anchor.logicalId });
  for (const other of model.app?.sameEnvironment(model.name) ?? []) {
    for (const anchor of other.resourcesOfType(TRUST_ANCHOR_TYPE)) locations.set(`${model.app!.stackLabel(other.name)}/${anchor.logicalId}`, { model: other, logicalId: anchor.logicalId });
  }
  return locations;
}

/** The model, among the app's, a resource is of: its own, or another template's (a CRL attached through an import). */
function modelOf(resource: TemplateResource, model: TemplateModel): TemplateModel {
  if (model.resource(resource.logicalId) === resource) return model;
  return model.app?.others(model.name).find((other) => other.resource(resource.logicalId) === resource) ?? model;
}

function describeAnchor(ref: string, where: { model: TemplateModel; logicalId: string }, stackOf: (model: TemplateModel) => string): DiscoveredTrustAnchor {
  const { model, logicalId } = where;
  const resource = model.resource(logicalId);
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
    location: { stackName: stackOf(model), logicalId },
    name: typeof resource.properties.Name === 'string' ? resource.properties.Name : undefined,
    sourceType: typeof source?.SourceType === 'string' ? source.SourceType : undefined,
    caCertificates,
    caBundlePem: pem,
    enabled: !(enabled === false || enabled === 'false'),
    crls: crlsOfTrustAnchor(model, logicalId).map((c) => ({
      logicalId: c.crl.logicalId,
      stackName: stackOf(modelOf(c.crl, model)),
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
