import * as crypto from 'node:crypto';
import { Certificate } from '../../../lib/core/pki/certificate';
import { Crl } from '../../../lib/core/pki/crl';
import { PolicyDocument } from '../../../lib/model/aws/iam/policy-document';

/**
 * The in-memory AWS account the local emulator serves: the IAM Roles Anywhere and IAM resources
 * "deployed" from templates, and the unattested personas that may call STS.
 */

/** The simulated account and region; fixed by default so results are reproducible. */
export interface AwsEnvironment {
  readonly account: string;
  readonly region: string;
  readonly partition: string;
}

export const DEFAULT_AWS_ENVIRONMENT: AwsEnvironment = { account: '111122223333', region: 'us-east-1', partition: 'aws' };

export interface EmulatedTrustAnchor {
  readonly id: string;
  readonly arn: string;
  readonly name: string;
  enabled: boolean;
  readonly sourceType: 'CERTIFICATE_BUNDLE' | 'AWS_ACM_PCA' | string;
  /** The CA certificates; empty when not known (an ACM PCA anchor without --pki certificate). */
  readonly caCertificates: readonly Certificate[];
  /** Where it came from: `<stack>/<logicalId>`, or `api` when created through the API. */
  readonly origin: string;
}

export interface EmulatedProfile {
  readonly id: string;
  readonly arn: string;
  readonly name: string;
  readonly enabled: boolean;
  readonly roleArns: readonly string[];
  readonly durationSeconds: number;
  readonly acceptRoleSessionName: boolean;
  readonly requireInstanceProperties: boolean;
  /** Mapping rules by certificate field; fields not listed keep the default rules. */
  readonly attributeMappings: ReadonlyMap<string, readonly string[]>;
  readonly origin: string;
}

export interface EmulatedCrl {
  readonly id: string;
  readonly arn: string;
  readonly trustAnchorArn: string;
  readonly enabled: boolean;
  /** The parsed CRL, or why it could not be parsed (an unparseable CRL revokes nothing). */
  readonly crl: Crl | { readonly unparseable: string };
  readonly origin: string;
}

export interface EmulatedRole {
  readonly arn: string;
  readonly name: string;
  readonly id: string;
  /** The trust policy as concrete JSON. */
  readonly trustPolicy: unknown;
  /**
   * The same policy read once, when the role was deployed (parsePolicyDocument): every
   * CreateSession and AssumeRole evaluates this instead of reading the JSON again. Roles are not
   * changed after deployment, so the two cannot disagree.
   */
  readonly trustPolicyDocument: PolicyDocument;
  readonly maxSessionDuration: number;
  readonly origin: string;
}

/** An IAM principal of the account with long-term keys and no attestation: what a thief holds. */
export interface Persona {
  readonly arn: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/**
 * A role session the emulator issued — by Roles Anywhere CreateSession or by STS AssumeRole —
 * that STS must know afterwards, as AWS does: its temporary keys sign requests (with the session
 * token in `X-Amz-Security-Token`) until they expire.
 */
export interface RoleSession extends Persona {
  /** `arn:<partition>:sts::<account>:assumed-role/<role name>/<session name>` */
  readonly arn: string;
  readonly roleArn: string;
  readonly sessionName: string;
  /** `<role ID>:<session name>`: GetCallerIdentity's `UserId` and AssumeRole's `AssumedRoleId`. */
  readonly assumedRoleId: string;
  readonly sessionToken: string;
  readonly expiration: Date;
  /** Issued by role chaining (a session assuming a role): AWS caps those at one hour. */
  readonly chained: boolean;
}

/**
 * Temporary keys GetSessionToken issued to a persona: the same IAM user, for a while. STS knows
 * them as it knows role sessions (they sign with `X-Amz-Security-Token` until they expire).
 */
export interface UserSession {
  readonly userArn: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
}

/**
 * Who signed a request: a persona's long-term key, a role session's temporary one, or a
 * persona's own temporary one (GetSessionToken) — which acts as the persona, except where AWS
 * refuses session credentials.
 */
export type Caller =
  | { readonly kind: 'persona'; readonly persona: Persona }
  | { readonly kind: 'session'; readonly session: RoleSession }
  | { readonly kind: 'user-session'; readonly persona: Persona; readonly session: UserSession };

/** Temporary keys of either kind (`ASIA…` with a session token), as opposed to a long-term key. */
export const holdsSessionCredentials = (caller: Caller): boolean => caller.kind !== 'persona';

export class AwsWorld {
  public readonly trustAnchors = new Map<string, EmulatedTrustAnchor>();
  public readonly profiles = new Map<string, EmulatedProfile>();
  public readonly crls = new Map<string, EmulatedCrl>();
  public readonly roles = new Map<string, EmulatedRole>();
  public readonly personas = new Map<string, Persona>();
  /** Every role session issued, by access key ID. */
  public readonly sessions = new Map<string, RoleSession>();
  /** Every GetSessionToken session issued, by access key ID. */
  public readonly userSessions = new Map<string, UserSession>();

  constructor(public readonly env: AwsEnvironment = DEFAULT_AWS_ENVIRONMENT) {
    const probeUser = `arn:${env.partition}:iam::${env.account}:user/attestgate-unattested-probe`;
    // The persona's keys are generated per emulator run; they exist only in memory.
    this.personas.set(probeUser, {
      arn: probeUser,
      accessKeyId: `AKIA${crypto.randomBytes(8).toString('hex').toUpperCase()}`,
      secretAccessKey: crypto.randomBytes(30).toString('base64'),
    });
  }

  public arn(service: string, resource: string, options: { region?: string } = {}): string {
    const region = options.region ?? this.env.region;
    return `arn:${this.env.partition}:${service}:${region}:${this.env.account}:${resource}`;
  }

  public trustAnchorByArn(arn: string): EmulatedTrustAnchor | undefined {
    return [...this.trustAnchors.values()].find((t) => t.arn === arn);
  }

  public profileByArn(arn: string): EmulatedProfile | undefined {
    return [...this.profiles.values()].find((p) => p.arn === arn);
  }

  public crlsOf(trustAnchorArn: string): EmulatedCrl[] {
    return [...this.crls.values()].filter((c) => c.trustAnchorArn === trustAnchorArn);
  }

  public personaByAccessKey(accessKeyId: string): Persona | undefined {
    return [...this.personas.values()].find((p) => p.accessKeyId === accessKeyId);
  }

  /**
   * Issues a session of `role` named `sessionName` and remembers it, so that STS recognises its
   * keys: temporary keys start `ASIA`, the assumed-role ARN drops the role's path.
   */
  public issueRoleSession(role: EmulatedRole, sessionName: string, expiration: Date, options: { chained?: boolean } = {}): RoleSession {
    const session: RoleSession = {
      arn: `arn:${this.env.partition}:sts::${this.env.account}:assumed-role/${role.name}/${sessionName}`,
      roleArn: role.arn,
      sessionName,
      assumedRoleId: `${role.id}:${sessionName}`,
      accessKeyId: `ASIA${crypto.randomBytes(8).toString('hex').toUpperCase()}`,
      secretAccessKey: crypto.randomBytes(30).toString('base64'),
      sessionToken: crypto.randomBytes(96).toString('base64'),
      expiration,
      chained: options.chained ?? false,
    };
    this.sessions.set(session.accessKeyId, session);
    return session;
  }

  /** Issues temporary keys of `persona` (GetSessionToken) and remembers them. */
  public issueUserSession(persona: Persona, expiration: Date): UserSession {
    const session: UserSession = {
      userArn: persona.arn,
      accessKeyId: `ASIA${crypto.randomBytes(8).toString('hex').toUpperCase()}`,
      secretAccessKey: crypto.randomBytes(30).toString('base64'),
      sessionToken: crypto.randomBytes(96).toString('base64'),
      expiration,
    };
    this.userSessions.set(session.accessKeyId, session);
    return session;
  }
}
