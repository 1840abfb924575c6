import { AgentIdentity, LifetimeLike, MIN_REASON_LENGTH } from '../core/agent-identity';
import { AttestGateError } from '../core/errors';
import { SpiffeId } from '../core/spiffe-id';
import { AttestationEvidence, EntryParent, attestationEvidence, describeMissingEvidence, missingEvidence } from './attestation-evidence';
import { describeSeconds } from './go-duration';
import { REGISTRATION_INTENT_SCHEMA, RegistrationIntent } from './registration-intent';
import { RegistrationEntry, SpiffeSelector } from './registration-entry';
import { checkDeclaredSelector } from './selectors';
import { SpiffeNodeAlias } from './spiffe-node-alias';
import { SPIRE_AGENT_PATH_PREFIX, SPIRE_DEFAULT_JWT_SVID_TTL_SECONDS, SPIRE_DEFAULT_X509_SVID_TTL_SECONDS, SpireServer, parseTrustDomain } from './spire-server';
import { SvidPresentation } from './svid-presentation';
import { jwtSvidTtlLimit, x509SvidTtlLimit } from './svid-ttl-limits';
import { trustDomainMismatches } from './trust-domain-match';

/** The rule a high-privilege registration's single-attestation reason acknowledges. */
export const MULTI_ATTESTATION_RULE_ID = 'AG-SPIFFE-005';

/**
 * The agents a registration is issued under: every node of a Kubernetes cluster (written as a
 * ClusterSPIFFEID, whose controller names each node's agent), a node alias, or one agent.
 */
export class SpiffeParent {
  /** Every node of the cluster the ClusterSPIFFEID is applied to; the pod is pinned by its UID. */
  public static kubernetesNodes(): SpiffeParent {
    return new SpiffeParent('kubernetes-nodes');
  }

  /** The nodes of a node alias. */
  public static nodeAlias(alias: SpiffeNodeAlias): SpiffeParent {
    if (!(alias instanceof SpiffeNodeAlias)) {
      throw new AttestGateError({ where: 'SpiffeParent.nodeAlias', field: 'alias', value: alias, problem: 'is not a SpiffeNodeAlias', fix: 'pass new SpiffeNodeAlias({ spiffeId, selectors })' });
    }
    return new SpiffeParent('node-alias', alias.spiffeId.toString(), alias);
  }

  /** One attested agent, by its SPIFFE ID (`spiffe://<td>/spire/agent/<attestor>/…`). */
  public static agent(spiffeId: string): SpiffeParent {
    const id = SpiffeId.parse(spiffeId, 'SpiffeParent.agent', 'spiffeId');
    if (!id.path.startsWith(SPIRE_AGENT_PATH_PREFIX)) {
      throw new AttestGateError({
        where: 'SpiffeParent.agent',
        field: 'spiffeId',
        value: spiffeId,
        problem: `is not an agent ID: SPIRE names agents spiffe://<trust-domain>${SPIRE_AGENT_PATH_PREFIX}<attestor>/…`,
        fix: 'give the agent ID `spire-server agent list` shows, or use SpiffeParent.nodeAlias for a set of nodes',
      });
    }
    return new SpiffeParent('agent', id.toString());
  }

  private constructor(
    public readonly scope: 'kubernetes-nodes' | 'node-alias' | 'agent',
    /** The parent SPIFFE ID; undefined for Kubernetes nodes, whose agents the controller names. */
    public readonly spiffeId?: string,
    public readonly alias?: SpiffeNodeAlias,
  ) {}

  /** As the evidence and the rules see it. */
  public get entryParent(): EntryParent {
    return this.spiffeId === undefined ? { scope: this.scope } : { scope: this.scope, id: this.spiffeId };
  }
}

export interface SpiffeRegistrationProps {
  /** The identity the SVIDs carry: its SPIFFE ID, privilege tier and credential lifetime drive the registration. */
  readonly identity: AgentIdentity;

  /** The agents the workload runs under. */
  readonly parent: SpiffeParent;

  /**
   * The workload selectors, every one of which the workload must present (SPIRE's subset match),
   * e.g. `k8s:ns:agents`, `k8s:sa:deployer`,
   * `k8s:container-image:ghcr.io/acme/deployer@sha256:<64 hex>`, `unix:uid:1001`, `unix:sha256:<64 hex>`.
   * A high-privilege identity needs a runtime and a code selector (see `singleAttestationReason`).
   */
  readonly selectors: string[];

  /**
   * How long its X.509-SVIDs live: at most the identity's maxCredentialLifetime and the shortest
   * session an X.509-SVID buys (`presentedTo`).
   *
   * @default - that limit, and at most SPIRE's default of 1 h
   */
  readonly x509SvidTtl?: LifetimeLike;

  /**
   * How long its JWT-SVIDs live: at most 5 min for a high-privilege identity, else its maxCredentialLifetime.
   *
   * @default - 5 min (SPIRE's default)
   */
  readonly jwtSvidTtl?: LifetimeLike;

  /** DNS names its X.509-SVIDs carry. @default - none */
  readonly dnsNames?: string[];

  /** Trust domains whose bundles the workload also receives. @default - none */
  readonly federatesWith?: string[];

  /** SPIRE's entry hint, telling apart entries of the same SPIFFE ID to the workload. @default - none */
  readonly hint?: string;

  /** The SPIRE server the entries are written for. @default - unknown: only the identity's trust domain is checked */
  readonly server?: SpireServer;

  /** Where the SVIDs are presented for cloud credentials: trust anchors and OIDC issuers. @default - nowhere declared */
  readonly presentedTo?: SvidPresentation[];

  /**
   * Why a high-privilege identity is issued on one kind of evidence only (at least 10
   * characters). Without it, such a registration is rejected; with it, rule AG-SPIFFE-005 reports
   * the finding as acknowledged with this reason.
   *
   * @default - a high-privilege identity needs a runtime and a code selector
   */
  readonly singleAttestationReason?: string;

  /**
   * SPIRE's `jwt_svid_include_jti` (SPIRE 1.15.2+, spiffe/spire#6514): every JWT-SVID carries a
   * new UUID `jti` and the agent bypasses its JWT-SVID cache, so each fetch attests the workload
   * again — what step-up's `attested-fresh` needs. Written by `entryBatch` as
   * `"additional_attributes": {"jwt_svid_include_jti": true}`; spire-controller-manager v0.6 has
   * no field for it, so the manifest constructs refuse a registration that sets it.
   *
   * @default false - JWT-SVIDs without `jti`, served from the agent's cache (SPIRE's default)
   */
  readonly jwtSvidIncludeJti?: boolean;
}

const DNS_NAME = /^(\*\.)?([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/i;
/** SPIRE stores TTLs as int32 seconds. */
const MAX_TTL_SECONDS = 2 ** 31 - 1;

/**
 * Who may be issued an identity's SVIDs, and for how long: the SPIRE side of the one declaration
 * that also drives the cloud gates. Built from the same `AgentIdentity` the gates are built from;
 * everything is checked when it is created, and the manifests and the entry batch are written
 * from it (`AgentClusterSpiffeId`, `AgentClusterStaticEntry`, `entryBatch`).
 */
export class SpiffeRegistration {
  public readonly identity: AgentIdentity;
  public readonly parent: SpiffeParent;
  public readonly selectors: readonly SpiffeSelector[];
  public readonly x509SvidTtlSeconds: number;
  public readonly jwtSvidTtlSeconds: number;
  public readonly dnsNames: readonly string[];
  public readonly federatesWith: readonly string[];
  public readonly hint?: string;
  public readonly server?: SpireServer;
  public readonly presentedTo: readonly SvidPresentation[];
  /** The runtime and code evidence the selectors and parent give. */
  public readonly evidence: AttestationEvidence;
  /** Set when the registration is issued on one kind of evidence for a reason. */
  public readonly singleAttestationReason?: string;
  /** SPIRE's `jwt_svid_include_jti`: a new `jti`, and no agent cache, for every JWT-SVID. */
  public readonly jwtSvidIncludeJti: boolean;

  constructor(props: SpiffeRegistrationProps) {
    if (!(props.identity instanceof AgentIdentity)) {
      throw new AttestGateError({ where: 'SpiffeRegistration', field: 'identity', value: props.identity, problem: 'is not an AgentIdentity', fix: 'pass the AgentIdentity the cloud gates are built from' });
    }
    this.identity = props.identity;
    const where = `SpiffeRegistration '${props.identity.name}'`;
    const trustDomain = this.identity.spiffeId.trustDomain;
    const fail = (field: string, value: unknown, problem: string, fix: string): never => {
      throw new AttestGateError({ where, field, value, problem, fix });
    };

    if (!(props.parent instanceof SpiffeParent)) fail('parent', props.parent, 'is not a SpiffeParent', 'use SpiffeParent.kubernetesNodes(), SpiffeParent.nodeAlias(alias) or SpiffeParent.agent(id)');
    this.parent = props.parent;
    if (this.parent.spiffeId !== undefined && SpiffeId.parse(this.parent.spiffeId).trustDomain !== trustDomain) {
      fail('parent', this.parent.spiffeId, `is in another trust domain than the identity (${trustDomain}); SPIRE registers entries within one trust domain`, `use a parent in ${trustDomain}`);
    }

    if (!Array.isArray(props.selectors) || props.selectors.length === 0) {
      fail('selectors', props.selectors, 'is empty; SPIRE requires at least one selector', 'give the workload selectors, e.g. ["k8s:ns:agents", "k8s:sa:deployer", "k8s:container-image:…@sha256:…"]');
    }
    const seen = new Set<string>();
    this.selectors = props.selectors.map((text, i) => {
      if (seen.has(text)) fail(`selectors[${i}]`, text, 'is given twice', 'remove the duplicate');
      seen.add(text);
      return checkDeclaredSelector(text, 'workload', where, `selectors[${i}]`).selector;
    });

    this.server = props.server;
    if (this.server !== undefined && !(this.server instanceof SpireServer)) fail('server', this.server, 'is not a SpireServer', 'pass new SpireServer({ trustDomain, jwtIssuer })');
    this.presentedTo = props.presentedTo ?? [];
    this.presentedTo.forEach((p, i) => {
      if (!(p instanceof SvidPresentation)) fail(`presentedTo[${i}]`, p, 'is not an SvidPresentation', 'use SvidPresentation.x509TrustAnchor(…) or SvidPresentation.oidcIssuer(…)');
    });
    const mismatch = trustDomainMismatches(trustDomain, this.server?.describe(), this.presentedTo.map((p) => p.describe()), []).find((m) => m.outcome === 'violation');
    if (mismatch) {
      fail(mismatch.field.replace(/\/(\d+)$/, '[$1]'), this.identity.spiffeId.toString(), mismatch.problem, `issue and present spiffe://${trustDomain}/… SVIDs with the SPIRE server, CA and issuer of trust domain ${trustDomain}`);
    }

    const descriptions = this.presentedTo.map((p) => p.describe());
    const x509Limit = x509SvidTtlLimit(this.identity.describe(), descriptions);
    this.x509SvidTtlSeconds = this.ttl('x509SvidTtl', props.x509SvidTtl, Math.min(x509Limit.seconds, SPIRE_DEFAULT_X509_SVID_TTL_SECONDS), x509Limit, fail);
    const jwtLimit = jwtSvidTtlLimit(this.identity.describe());
    this.jwtSvidTtlSeconds = this.ttl('jwtSvidTtl', props.jwtSvidTtl, Math.min(jwtLimit.seconds, SPIRE_DEFAULT_JWT_SVID_TTL_SECONDS), jwtLimit, fail);

    this.dnsNames = (props.dnsNames ?? []).map((name, i) =>
      typeof name === 'string' && name.length <= 253 && DNS_NAME.test(name) ? name : fail(`dnsNames[${i}]`, name, 'is not a DNS name', 'give a name such as deployer.agents.svc'),
    );
    this.federatesWith = (props.federatesWith ?? []).map((td, i) => {
      const name = parseTrustDomain(td, where, `federatesWith[${i}]`);
      return name === trustDomain ? fail(`federatesWith[${i}]`, td, 'is the identity’s own trust domain', 'list other trust domains only') : name;
    });
    if (props.hint !== undefined && (typeof props.hint !== 'string' || props.hint.length === 0)) fail('hint', props.hint, 'is empty', 'give a short hint or leave it out');
    this.hint = props.hint;
    if (props.jwtSvidIncludeJti !== undefined && typeof props.jwtSvidIncludeJti !== 'boolean') fail('jwtSvidIncludeJti', props.jwtSvidIncludeJti, 'is not a boolean', 'set it to true, or leave it out');
    this.jwtSvidIncludeJti = props.jwtSvidIncludeJti === true;

    this.evidence = attestationEvidence(this.selectors, this.parent.entryParent);
    if (this.identity.isHighPrivilege && missingEvidence(this.evidence).length > 0) {
      const reason = props.singleAttestationReason;
      if (reason === undefined || typeof reason !== 'string' || reason.trim().length < MIN_REASON_LENGTH) {
        fail(
          'selectors',
          props.selectors,
          `give a high-privilege identity ${describeMissingEvidence(this.evidence)}`,
          `add ${missingEvidence(this.evidence).includes('code') ? 'an image digest (…@sha256:<64 hex>) or unix:sha256 selector' : 'k8s:ns and k8s:sa, unix:uid, or a node alias parent'}, or set singleAttestationReason to why one kind is enough (at least ${MIN_REASON_LENGTH} characters)`,
        );
      }
      this.singleAttestationReason = reason;
    }
  }

  /** The entry SPIRE holds for a static parent (a node alias or an agent). */
  public entry(): RegistrationEntry {
    if (this.parent.spiffeId === undefined) {
      throw new AttestGateError({
        where: `SpiffeRegistration '${this.identity.name}'`,
        field: 'parent',
        value: 'SpiffeParent.kubernetesNodes()',
        problem: 'names no parent ID: spire-controller-manager writes one entry per selected pod, under the agent of its node',
        fix: 'use entryForPod(…) for the entry of one pod, or a node alias (e.g. k8s_psat:cluster:<name>) to write the registration as one static entry',
      });
    }
    return this.entryUnder(this.parent.spiffeId, this.selectors);
  }

  /**
   * The entry spire-controller-manager writes for one pod the ClusterSPIFFEID selects: under the
   * agent of the pod's node (its default parent ID template,
   * `spiffe://<td>/spire/agent/k8s_psat/<cluster>/<node UID>`), with the pod's UID as a selector
   * before the declared ones.
   */
  public entryForPod(pod: { clusterName: string; nodeUid: string; podUid: string }): RegistrationEntry {
    const parentId = `spiffe://${this.identity.spiffeId.trustDomain}${SPIRE_AGENT_PATH_PREFIX}k8s_psat/${pod.clusterName}/${pod.nodeUid}`;
    SpiffeId.parse(parentId, `SpiffeRegistration '${this.identity.name}'`, 'entryForPod');
    return this.entryUnder(parentId, [{ type: 'k8s', value: `pod-uid:${pod.podUid}` }, ...this.selectors]);
  }

  /** What the registration was declared for, as its manifests carry it. */
  public intent(): RegistrationIntent {
    return {
      schema: REGISTRATION_INTENT_SCHEMA,
      identity: this.identity.describe(),
      ...(this.server ? { server: this.server.describe() } : {}),
      presentedTo: this.presentedTo.map((p) => p.describe()),
      ...(this.singleAttestationReason ? { acknowledgements: { [MULTI_ATTESTATION_RULE_ID]: this.singleAttestationReason } } : {}),
    };
  }

  private entryUnder(parentId: string, selectors: readonly SpiffeSelector[]): RegistrationEntry {
    return {
      spiffeId: this.identity.spiffeId.toString(),
      parentId,
      selectors,
      x509SvidTtlSeconds: this.x509SvidTtlSeconds,
      jwtSvidTtlSeconds: this.jwtSvidTtlSeconds,
      dnsNames: this.dnsNames,
      federatesWith: this.federatesWith,
      ...(this.hint !== undefined ? { hint: this.hint } : {}),
      ...(this.jwtSvidIncludeJti ? { jwtSvidIncludeJti: true } : {}),
    };
  }

  /**
   * Refuses to write the registration as a spire-controller-manager manifest when it sets what
   * the CRDs (v0.6) cannot carry: the API server would drop the field, and SPIRE would silently
   * cache JWT-SVIDs without `jti`.
   */
  public assertManifestCanCarry(where: string): void {
    if (!this.jwtSvidIncludeJti) return;
    throw new AttestGateError({
      where,
      field: 'registration.jwtSvidIncludeJti',
      value: true,
      problem: 'has no field in spire-controller-manager v0.6 (ClusterSPIFFEID, ClusterStaticEntry): the entry would be written without jwt_svid_include_jti',
      fix: 'register it under a node alias or an agent and write it with entryBatch (spire-server entry create -data), or leave jwtSvidIncludeJti out',
    });
  }

  private ttl(
    field: string,
    given: LifetimeLike | undefined,
    fallback: number,
    limit: { seconds: number; because: string },
    fail: (field: string, value: unknown, problem: string, fix: string) => never,
  ): number {
    if (given === undefined) return fallback;
    const seconds = given.toSeconds();
    if (!Number.isInteger(seconds) || seconds <= 0 || seconds > MAX_TTL_SECONDS) fail(field, seconds, 'is not a positive whole number of seconds SPIRE can store', 'give a lifetime such as Duration.minutes(15)');
    if (seconds > limit.seconds) fail(field, seconds, `is longer than ${limit.because}`, `lower it to ${describeSeconds(limit.seconds)} or less`);
    return seconds;
  }
}
