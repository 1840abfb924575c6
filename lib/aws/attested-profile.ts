import { Duration, Names, Resource, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CfnProfile } from 'aws-cdk-lib/aws-rolesanywhere';
import { Construct } from 'constructs';
import { AgentIdentity, MIN_CREDENTIAL_LIFETIME_SECONDS } from '../core/agent-identity';
import { RDN_KEYS } from '../core/distinguished-name';
import { AttestGateError } from '../core/errors';
import { ROLES_PER_PROFILE_QUOTA } from '../rules/aws/ag-aws-009-roles-per-profile';

/**
 * Roles one Roles Anywhere profile may list: a service quota that cannot be raised. A profile
 * shared by more identities is split (AttestedProfilePool); one given more roles fails synth.
 */
export const ROLES_PER_PROFILE = ROLES_PER_PROFILE_QUOTA;

/** Session-shaping options of an attested profile. */
export interface AttestedProfileOptions {
  /**
   * How long issued sessions last, at most the identity's maxCredentialLifetime.
   *
   * @default - the identity's maxCredentialLifetime
   */
  readonly sessionDuration?: Duration;

  /**
   * An inline session policy: sessions get the intersection of it and the role's permissions.
   *
   * @default - no session policy
   */
  readonly sessionPolicy?: iam.PolicyDocument;

  /**
   * Managed policies applied as session policies (an intersection, not a grant), at most 50.
   *
   * @default - none
   */
  readonly sessionManagedPolicies?: iam.IManagedPolicy[];

  /**
   * The profile's name (1–255 letters, digits, spaces, `-` and `_`).
   *
   * @default - a name derived from the construct path
   */
  readonly profileName?: string;
}

export interface AttestedProfileProps extends AttestedProfileOptions {
  /** The identity whose sessions the profile issues; decides duration and attribute mapping. */
  readonly identity: AgentIdentity;
  /** The roles the profile may issue sessions for. */
  readonly roles: iam.IRole[];
}

/**
 * A Roles Anywhere profile for an agent identity: sessions no longer than the identity allows,
 * no caller-chosen session names (the session name stays the certificate serial, tying
 * CloudTrail to the certificate), and an explicit attribute mapping that maps exactly the
 * certificate attributes the gate checks — so an odd character in an attribute nobody checks
 * cannot make CreateSession fail.
 */
export class AttestedProfile extends Resource {
  /** @attribute */
  public readonly profileArn: string;
  /** @attribute */
  public readonly profileId: string;
  /** The duration of issued sessions, in seconds. */
  public readonly durationSeconds: number;
  public readonly cfnProfile: CfnProfile;
  /** The profile's RoleArns; addRole appends to it. */
  private readonly roleArns: string[];
  /** The same ARNs, to find a role without scanning up to 250 of them per role added. */
  private readonly listed: Set<string>;

  constructor(scope: Construct, id: string, props: AttestedProfileProps) {
    super(scope, id);
    const where = `AttestedProfile '${this.node.path}'`;
    const { identity } = props;
    this.durationSeconds = sessionDurationSecondsFor(identity, props.sessionDuration, where);
    const managed = props.sessionManagedPolicies ?? [];
    if (managed.length > 50) {
      throw new AttestGateError({ where, field: 'sessionManagedPolicies', value: `${managed.length} policies`, problem: 'exceeds the 50 a profile accepts', fix: 'merge them into fewer policies' });
    }
    if (props.roles.length === 0) {
      throw new AttestGateError({ where, field: 'roles', value: [], problem: 'is empty', fix: 'give the role(s) the profile issues sessions for' });
    }
    if (props.roles.length > ROLES_PER_PROFILE) {
      throw new AttestGateError({ where, field: 'roles', value: `${props.roles.length} roles`, problem: tooManyRoles, fix: tooManyRolesFix });
    }
    const name = props.profileName ?? Names.uniqueResourceName(this, { maxLength: 255, separator: '-' });
    if (!Token.isUnresolved(name) && !/^[ a-zA-Z0-9_-]{1,255}$/.test(name)) {
      throw new AttestGateError({ where, field: 'profileName', value: name, problem: 'is not 1–255 letters, digits, spaces, "-" or "_"', fix: 'rename it' });
    }

    this.roleArns = props.roles.map((r) => r.roleArn);
    this.listed = new Set(this.roleArns);
    this.cfnProfile = new CfnProfile(this, 'Resource', {
      name,
      enabled: true,
      roleArns: this.roleArns,
      durationSeconds: this.durationSeconds,
      acceptRoleSessionName: false,
      attributeMappings: attributeMappingsFor(identity),
      sessionPolicy: props.sessionPolicy ? Stack.of(this).toJsonString(props.sessionPolicy) : undefined,
      managedPolicyArns: managed.length > 0 ? managed.map((p) => p.managedPolicyArn) : undefined,
    });
    this.profileArn = this.cfnProfile.attrProfileArn;
    this.profileId = this.cfnProfile.attrProfileId;
  }

  /** How many roles the profile lists. */
  public get roleCount(): number {
    return this.roleArns.length;
  }

  /**
   * Lists one more role. The role must share the profile's gate settings (its sessions get this
   * profile's duration, mapping and session policies): AttestedProfilePool checks that.
   */
  public addRole(role: iam.IRole): void {
    if (this.listed.has(role.roleArn)) return;
    if (this.roleArns.length >= ROLES_PER_PROFILE) {
      throw new AttestGateError({ where: `AttestedProfile '${this.node.path}'`, field: 'roles', value: `${this.roleArns.length + 1} roles`, problem: tooManyRoles, fix: tooManyRolesFix });
    }
    this.roleArns.push(role.roleArn);
    this.listed.add(role.roleArn);
    this.cfnProfile.roleArns = this.roleArns;
  }
}

const tooManyRoles = `exceeds the ${ROLES_PER_PROFILE} roles a Roles Anywhere profile may list (a quota that cannot be raised)`;
const tooManyRolesFix = 'let AttestedRole share profiles (the default: it splits them at 250 roles), or spread the roles over several profiles';

/**
 * The session duration of an identity's profile, checked: the given duration, or the identity's
 * lifetime, between the Roles Anywhere minimum and that lifetime.
 */
export function sessionDurationSecondsFor(identity: AgentIdentity, sessionDuration: Duration | undefined, where: string): number {
  const lifetime = identity.maxCredentialLifetimeSeconds;
  const seconds = sessionDuration?.toSeconds() ?? lifetime;
  if (seconds < MIN_CREDENTIAL_LIFETIME_SECONDS || seconds > lifetime) {
    throw new AttestGateError({
      where,
      field: 'sessionDuration',
      value: `${seconds} s`,
      problem: `is outside ${MIN_CREDENTIAL_LIFETIME_SECONDS} s (the Roles Anywhere minimum) to ${lifetime} s (identity '${identity.name}' maxCredentialLifetime)`,
      fix: `use a duration within that range, or raise the identity's maxCredentialLifetime`,
    });
  }
  return seconds;
}

/** The RDN keys a distinguished name sets, in RDN_KEYS order: what a profile maps (the pool's settings key reads the same). */
export function rdnKeysOf(dn: Readonly<Record<string, string | undefined>>): string[] {
  return RDN_KEYS.filter((k) => dn[k] !== undefined);
}

/**
 * The mapping rules for an identity: the subject and issuer attributes it pins, and the URI SAN.
 * The issuer CN is always mapped so CloudTrail sessions name the issuing CA.
 */
export function attributeMappingsFor(identity: AgentIdentity): CfnProfile.AttributeMappingProperty[] {
  const issuerKeys = identity.issuingCa ? rdnKeysOf(identity.issuingCa) : ['CN'];
  return [
    { certificateField: 'x509Subject', mappingRules: rdnKeysOf(identity.subject).map((specifier) => ({ specifier })) },
    { certificateField: 'x509Issuer', mappingRules: issuerKeys.map((specifier) => ({ specifier })) },
    { certificateField: 'x509SAN', mappingRules: [{ specifier: 'URI' }] },
  ];
}
