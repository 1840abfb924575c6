/**
 * What AWS STS is on the wire (Query API, version 2011-06-15): its operations, its XML namespace,
 * the error codes and messages it answers with, and its throttling. The emulator serves from
 * this list and the probes judge STS answers by it, so the two cannot disagree about what STS
 * says. Where a fact is observed rather than documented, its comment says where it was seen.
 */

/** The only API version STS has; SDKs send it as `Version`. */
export const STS_API_VERSION = '2011-06-15';

/** The XML namespace of every STS response and `<ErrorResponse>`. */
export const STS_XML_NAMESPACE = `https://sts.amazonaws.com/doc/${STS_API_VERSION}/`;

/** STS's operations (API reference, "Actions"): any other `Action` is STS's 400 InvalidAction. */
export const STS_ACTIONS = [
  'AssumeRole',
  'AssumeRoleWithSAML',
  'AssumeRoleWithWebIdentity',
  'AssumeRoot',
  'DecodeAuthorizationMessage',
  'GetAccessKeyInfo',
  'GetCallerIdentity',
  'GetDelegatedAccessToken',
  'GetFederationToken',
  'GetSessionToken',
  'GetWebIdentityToken',
] as const;

export type StsAction = (typeof STS_ACTIONS)[number];

const ACTIONS: ReadonlySet<string> = new Set(STS_ACTIONS);

export const isStsAction = (action: string): action is StsAction => ACTIONS.has(action);

/**
 * An STS error: the HTTP status, `<Code>` and the message STS writes. `<Type>` is `Sender` for
 * all of them (STS reports these as the caller's fault).
 */
export interface StsErrorSpec {
  readonly status: number;
  readonly code: string;
}

export const STS_ERRORS = {
  /** An `Action` STS does not have: "Could not find operation X for version 2011-06-15". */
  invalidAction: { status: 400, code: 'InvalidAction' },
  /** An access key STS does not know, or a session key without its session token. */
  invalidClientTokenId: { status: 403, code: 'InvalidClientTokenId' },
  /** A session key past its expiration. */
  expiredToken: { status: 403, code: 'ExpiredToken' },
  signatureDoesNotMatch: { status: 403, code: 'SignatureDoesNotMatch' },
  incompleteSignature: { status: 403, code: 'IncompleteSignature' },
  /** Not authorized (trust policy, identity policy) or not allowed for this kind of credential. */
  accessDenied: { status: 403, code: 'AccessDenied' },
  validationError: { status: 400, code: 'ValidationError' },
  /**
   * The request rate was exceeded: 400, not 429, as the Query API reports throttling (observed:
   * `<Code>Throttling</Code><Message>Rate exceeded</Message>` in jlevers/selling-partner-api#278;
   * re:Post's "Throttling: Rate exceeded, status code: 400"). No `Retry-After` is documented or
   * has been seen; SDKs back off on their own (botocore's `_retry.json` "throttling" entry).
   */
  throttling: { status: 400, code: 'Throttling' },
} as const satisfies Record<string, StsErrorSpec>;

export const STS_MESSAGES = {
  invalidAction: (action: string, version: string = STS_API_VERSION) => `Could not find operation ${action} for version ${version}`,
  invalidClientTokenId: 'The security token included in the request is invalid.',
  expiredToken: 'The security token included in the request is expired',
  throttling: 'Rate exceeded',
  /**
   * GetSessionToken or GetFederationToken signed with temporary credentials: 403 AccessDenied
   * (observed: aws/aws-sdk-net#1704, aws/aws-sdk-js#3670, apache/hadoop#6538; fwdcloudsec/granted#151).
   */
  sessionCredentialsRefused: (action: 'GetSessionToken' | 'GetFederationToken') => `Cannot call ${action} with session credentials`,
  /** GetSessionToken with an MFA serial number that is not the caller's device: 403 AccessDenied (observed: aws/aws-cli#6325, 99designs/aws-vault#676). */
  mfaNotValidated: 'MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.',
  durationTooShort: (value: string, field: string, min: number) =>
    `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must have value greater than or equal to ${min}`,
  durationTooLong: (value: string, field: string, max: number) =>
    `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must have value less than or equal to ${max}`,
} as const;

/** GetSessionToken's `DurationSeconds` for an IAM user (API reference): 900 s to 36 h, 12 h when not given. */
export const SESSION_TOKEN_DURATION = { minSeconds: 900, maxSeconds: 129_600, defaultSeconds: 43_200 } as const;

/**
 * The request rate STS admits per account and Region before it answers Throttling. AWS publishes
 * no number: its security blog says only that IAM and STS run token buckets whose size and refill
 * depend on the API. 600 per second is the figure users report hitting (awslabs/mountpoint-s3#1358)
 * — an assumption, listed in docs/emulator.md's divergences.
 */
export const STS_ASSUMED_REQUESTS_PER_SECOND = 600;

/**
 * The error codes AWS's Query and JSON APIs use for throttling (botocore retries all three):
 * the answer says "slow down", nothing about the request.
 */
export const AWS_THROTTLING_CODES: ReadonlySet<string> = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException']);
