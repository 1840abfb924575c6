import { DistinguishedName, formatDistinguishedName, validateDistinguishedName } from './distinguished-name';
import { AttestGateError } from './errors';
import { PrivilegeTier, parsePrivilegeTier } from './privilege-tier';
import { assertSessionTagValue } from './session-tag';
import { SpiffeId } from './spiffe-id';

/** Anything that can say how many seconds it lasts, such as aws-cdk-lib's `Duration`. */
export interface LifetimeLike {
  toSeconds(): number;
}

/** The shortest credential any of the clouds issues through a federation gate (Roles Anywhere: 900 s). */
export const MIN_CREDENTIAL_LIFETIME_SECONDS = 900;
/** The longest credential Roles Anywhere or STS can issue (12 h). */
export const MAX_CREDENTIAL_LIFETIME_SECONDS = 43200;
/** A high-privilege identity's credentials last at most one hour unless a reason is given. */
export const HIGH_PRIVILEGE_MAX_LIFETIME_SECONDS = 3600;
/** An acknowledgement or opt-in must say why in at least this many characters. */
export const MIN_REASON_LENGTH = 10;

const NAME = /^[a-z][a-z0-9-]{0,46}[a-z0-9]$/;

export interface AgentIdentityProps {
  /**
   * A short name for the agent, used in resource names: 2–48 lowercase letters, digits and hyphens,
   * starting with a letter, e.g. `deployer`.
   */
  readonly name: string;

  /** The agent's SPIFFE ID, e.g. `spiffe://prod.example/agent/deployer`. */
  readonly spiffeId: string;

  /**
   * The subject its certificate must carry. Every attribute given is required by the gate.
   * At least CN; its value also becomes the session's source identity on AWS.
   */
  readonly subject: DistinguishedName;

  /**
   * The URI SAN its certificate must carry.
   *
   * @default - the SPIFFE ID, as in an X.509-SVID
   */
  readonly sanUri?: string;

  /**
   * The subject of the CA that issues the agent's certificate (the leaf's issuer). When set,
   * the gate also requires these issuer attributes, as the Roles Anywhere guide recommends.
   *
   * @default - the issuer is constrained only by the trust anchor the gate pins
   */
  readonly issuingCa?: DistinguishedName;

  /** How much the identity may change; decides defaults and limits. */
  readonly privilege: PrivilegeTier;

  /**
   * The longest a credential issued to the agent may live, between 900 s and 12 h.
   *
   * @default - one hour
   */
  readonly maxCredentialLifetime?: LifetimeLike;

  /**
   * Why a high-privilege identity needs credentials that live longer than one hour
   * (at least 10 characters). Without it, such a lifetime is rejected.
   *
   * @default - no long-lived credentials for high-privilege identities
   */
  readonly longLifetimeReason?: string;
}

/** The serialisable form of an identity, as written into a gate manifest. */
export interface AgentIdentityDescription {
  readonly name: string;
  readonly spiffeId: string;
  readonly subject: DistinguishedName;
  readonly sanUri: string;
  readonly issuingCa?: DistinguishedName;
  readonly privilege: PrivilegeTier;
  readonly maxCredentialLifetimeSeconds: number;
  readonly longLifetimeReason?: string;
}

/**
 * Who an agent is and how its credentials must be attested: the cloud-neutral half of a gate.
 * Each cloud construct turns an AgentIdentity into the configuration that decides whether a
 * presented credential is attested. All values are validated when the identity is created.
 */
export class AgentIdentity {
  /** Rebuilds an identity from its manifest description, validating it again. */
  public static fromDescription(description: AgentIdentityDescription): AgentIdentity {
    const privilege = parsePrivilegeTier(description.privilege);
    if (privilege === undefined) {
      throw new AttestGateError({
        where: `AgentIdentity '${description.name}'`,
        field: 'privilege',
        value: description.privilege,
        problem: 'is not a privilege tier',
        fix: `use one of ${Object.values(PrivilegeTier).join(', ')}`,
      });
    }
    return new AgentIdentity({
      name: description.name,
      spiffeId: description.spiffeId,
      subject: description.subject,
      sanUri: description.sanUri,
      issuingCa: description.issuingCa,
      privilege,
      maxCredentialLifetime: { toSeconds: () => description.maxCredentialLifetimeSeconds },
      longLifetimeReason: description.longLifetimeReason,
    });
  }

  public readonly name: string;
  public readonly spiffeId: SpiffeId;
  public readonly subject: DistinguishedName;
  public readonly sanUri: string;
  public readonly issuingCa?: DistinguishedName;
  public readonly privilege: PrivilegeTier;
  public readonly maxCredentialLifetimeSeconds: number;
  public readonly longLifetimeReason?: string;

  constructor(props: AgentIdentityProps) {
    if (typeof props.name !== 'string' || !NAME.test(props.name)) {
      throw new AttestGateError({
        where: 'AgentIdentity',
        field: 'name',
        value: props.name,
        problem: 'is not 2–48 lowercase letters, digits and hyphens starting with a letter',
        fix: 'use a short kebab-case name such as "deployer"',
      });
    }
    const where = `AgentIdentity '${props.name}'`;
    this.name = props.name;
    this.spiffeId = SpiffeId.parse(props.spiffeId, where, 'spiffeId');
    // The SPIFFE ID travels as the x509SAN/URI session tag, so it must fit one too.
    assertSessionTagValue(props.spiffeId, where, 'spiffeId');

    this.subject = validateDistinguishedName(props.subject, where, 'subject');
    if (this.subject.CN === undefined) {
      throw new AttestGateError({
        where,
        field: 'subject.CN',
        value: undefined,
        problem: 'is missing; the CN names the agent in audit logs (it becomes the AWS source identity)',
        fix: "add CN, e.g. subject: { CN: 'deployer' }",
      });
    }

    this.sanUri = props.sanUri ?? this.spiffeId.toString();
    if (props.sanUri !== undefined) {
      if (!/^[a-z][a-z0-9+.-]*:/i.test(props.sanUri)) {
        throw new AttestGateError({ where, field: 'sanUri', value: props.sanUri, problem: 'is not a URI', fix: 'give an absolute URI, usually the SPIFFE ID' });
      }
      assertSessionTagValue(props.sanUri, where, 'sanUri');
    }

    this.issuingCa = props.issuingCa === undefined ? undefined : validateDistinguishedName(props.issuingCa, where, 'issuingCa');

    const privilege = parsePrivilegeTier(props.privilege);
    if (privilege === undefined) {
      throw new AttestGateError({
        where,
        field: 'privilege',
        value: props.privilege,
        problem: 'is not a privilege tier',
        fix: 'use PrivilegeTier.HIGH, PrivilegeTier.STANDARD or PrivilegeTier.READ_ONLY',
      });
    }
    this.privilege = privilege;

    this.maxCredentialLifetimeSeconds = props.maxCredentialLifetime?.toSeconds() ?? HIGH_PRIVILEGE_MAX_LIFETIME_SECONDS;
    const lifetime = this.maxCredentialLifetimeSeconds;
    if (!Number.isInteger(lifetime) || lifetime < MIN_CREDENTIAL_LIFETIME_SECONDS || lifetime > MAX_CREDENTIAL_LIFETIME_SECONDS) {
      throw new AttestGateError({
        where,
        field: 'maxCredentialLifetime',
        value: lifetime,
        problem: `is not a whole number of seconds between ${MIN_CREDENTIAL_LIFETIME_SECONDS} (15 min) and ${MAX_CREDENTIAL_LIFETIME_SECONDS} (12 h)`,
        fix: 'use a lifetime such as Duration.hours(1)',
      });
    }
    this.longLifetimeReason = props.longLifetimeReason;
    if (this.privilege === PrivilegeTier.HIGH && lifetime > HIGH_PRIVILEGE_MAX_LIFETIME_SECONDS) {
      if (props.longLifetimeReason === undefined || props.longLifetimeReason.trim().length < MIN_REASON_LENGTH) {
        throw new AttestGateError({
          where,
          field: 'maxCredentialLifetime',
          value: lifetime,
          problem: `exceeds ${HIGH_PRIVILEGE_MAX_LIFETIME_SECONDS} s for a high-privilege identity; a stolen credential would stay valid that long`,
          fix: `lower it to ${HIGH_PRIVILEGE_MAX_LIFETIME_SECONDS} s or less, or set longLifetimeReason to why (at least ${MIN_REASON_LENGTH} characters)`,
        });
      }
    }
  }

  /** Whether the identity holds broad write authority. */
  public get isHighPrivilege(): boolean {
    return this.privilege === PrivilegeTier.HIGH;
  }

  /** The serialisable form written into gate manifests. */
  public describe(): AgentIdentityDescription {
    return {
      name: this.name,
      spiffeId: this.spiffeId.toString(),
      subject: this.subject,
      sanUri: this.sanUri,
      ...(this.issuingCa ? { issuingCa: this.issuingCa } : {}),
      privilege: this.privilege,
      maxCredentialLifetimeSeconds: this.maxCredentialLifetimeSeconds,
      ...(this.longLifetimeReason ? { longLifetimeReason: this.longLifetimeReason } : {}),
    };
  }

  public toString(): string {
    return `${this.name} (${this.spiffeId}, subject ${formatDistinguishedName(this.subject)})`;
  }
}
