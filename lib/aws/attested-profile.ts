import { Duration, Names, Resource, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CfnProfile } from 'aws-cdk-lib/aws-rolesanywhere';
import { Construct } from 'constructs';
import { AgentIdentity, MIN_CREDENTIAL_LIFETIME_SECONDS } from '../core/agent-identity';
import { RDN_KEYS } from '../core/distinguished-name';
import { AttestGateError } from '../core/errors';

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

  constructor(scope: Construct, id: string, props: AttestedProfileProps) {
    super(scope, id);
    const where = `AttestedProfile '${this.node.path}'`;
    const { identity } = props;
    const lifetime = identity.maxCredentialLifetimeSeconds;
    this.durationSeconds = props.sessionDuration?.toSeconds() ?? lifetime;
    if (this.durationSeconds < MIN_CREDENTIAL_LIFETIME_SECONDS || this.durationSeconds > lifetime) {
      throw new AttestGateError({
        where,
        field: 'sessionDuration',
        value: `${this.durationSeconds} s`,
        problem: `is outside ${MIN_CREDENTIAL_LIFETIME_SECONDS} s (the Roles Anywhere minimum) to ${lifetime} s (identity '${identity.name}' maxCredentialLifetime)`,
        fix: `use a duration within that range, or raise the identity's maxCredentialLifetime`,
      });
    }
    const managed = props.sessionManagedPolicies ?? [];
    if (managed.length > 50) {
      throw new AttestGateError({ where, field: 'sessionManagedPolicies', value: `${managed.length} policies`, problem: 'exceeds the 50 a profile accepts', fix: 'merge them into fewer policies' });
    }
    if (props.roles.length === 0) {
      throw new AttestGateError({ where, field: 'roles', value: [], problem: 'is empty', fix: 'give the role(s) the profile issues sessions for' });
    }
    const name = props.profileName ?? Names.uniqueResourceName(this, { maxLength: 255, separator: '-' });
    if (!Token.isUnresolved(name) && !/^[ a-zA-Z0-9_-]{1,255}$/.test(name)) {
      throw new AttestGateError({ where, field: 'profileName', value: name, problem: 'is not 1–255 letters, digits, spaces, "-" or "_"', fix: 'rename it' });
    }

    this.cfnProfile = new CfnProfile(this, 'Resource', {
      name,
      enabled: true,
      roleArns: props.roles.map((r) => r.roleArn),
      durationSeconds: this.durationSeconds,
      acceptRoleSessionName: false,
      attributeMappings: attributeMappingsFor(identity),
      sessionPolicy: props.sessionPolicy ? Stack.of(this).toJsonString(props.sessionPolicy) : undefined,
      managedPolicyArns: managed.length > 0 ? managed.map((p) => p.managedPolicyArn) : undefined,
    });
    this.profileArn = this.cfnProfile.attrProfileArn;
    this.profileId = this.cfnProfile.attrProfileId;
  }
}

/**
 * The mapping rules for an identity: the subject and issuer attributes it pins, and the URI SAN.
 * The issuer CN is always mapped so CloudTrail sessions name the issuing CA.
 */
export function attributeMappingsFor(identity: AgentIdentity): CfnProfile.AttributeMappingProperty[] {
  const keysOf = (dn: Record<string, string | undefined>) => RDN_KEYS.filter((k) => dn[k] !== undefined);
  const issuerKeys = identity.issuingCa ? keysOf(identity.issuingCa) : ['CN'];
  return [
    { certificateField: 'x509Subject', mappingRules: keysOf(identity.subject).map((specifier) => ({ specifier })) },
    { certificateField: 'x509Issuer', mappingRules: issuerKeys.map((specifier) => ({ specifier })) },
    { certificateField: 'x509SAN', mappingRules: [{ specifier: 'URI' }] },
  ];
}
