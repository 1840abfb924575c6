import * as crypto from 'node:crypto';
import { EmulatorHttpRequest, EmulatorHttpResponse } from '../http/loopback-server';
import { Certificate } from '../../../lib/core/pki/certificate';
import { normalizeSerial } from '../../../lib/core/pki/crl';
import { sameName } from '../../../lib/core/pki/name';
import { isWeakHash } from '../../../lib/core/pki/signature';
import {
  AuthorizationHeader,
  MalformedSignatureError,
  canonicalHeaders,
  canonicalRequest,
  parseAmzDate,
  parseAuthorizationHeader,
  payloadHash,
  stringToSign,
} from '../../../lib/credentials/roles-anywhere/canonical-request';
import { signatureMatches } from '../../../lib/credentials/roles-anywhere/sign-request';
import { validatePath } from '../x509/path-validation';
import { VERIFIED_SIGNATURES } from '../x509/verified-signatures';
import { PARSED_CERTIFICATES } from '../x509/parsed-certificates';
import { evaluatePolicyDocument } from '../../../lib/model/aws/iam';
import { sessionName, sessionTags, sourceIdentity } from './session-tags';
import { AwsWorld, EmulatedProfile, EmulatedRole, EmulatedTrustAnchor } from './world';

/**
 * IAM Roles Anywhere CreateSession (`POST /sessions`), with every server-side check of
 * reference/aws-rolesanywhere.md §8, in that order, answering with the documented (or, where
 * AWS documents none, the observed) status, error type and message.
 */

/** Behaviours AWS does not document, each set to the safe choice (docs/emulator.md, divergences). */
export interface RolesAnywhereBehaviour {
  /** Allowed difference between X-Amz-Date and the emulator clock. @default 5 minutes */
  readonly clockSkewSeconds: number;
  /**
   * A CRL past its nextUpdate: `enforce` keeps revoking what it lists (it can only be stale, not
   * wrong about a revocation); `deny-all` refuses every certificate of the anchor until a fresh
   * CRL arrives (fail closed).
   */
  readonly staleCrl: 'enforce' | 'deny-all';
}

export const DEFAULT_ROLES_ANYWHERE_BEHAVIOUR: RolesAnywhereBehaviour = { clockSkewSeconds: 300, staleCrl: 'enforce' };

const MAX_INTERMEDIATES = 5;

export function errorResponse(status: number, type: string, message: string): EmulatorHttpResponse {
  return { status, headers: { 'content-type': 'application/json', 'x-amzn-errortype': type }, body: JSON.stringify({ message }) };
}

const denied = (message: string) => errorResponse(403, 'AccessDeniedException', message);
const invalid = (message: string) => errorResponse(400, 'ValidationException', message);

/** The request parameters, from the query string or the JSON body (clients do both). */
function parameters(request: EmulatorHttpRequest): Record<string, unknown> | EmulatorHttpResponse {
  let body: Record<string, unknown> = {};
  if (request.body.trim().length > 0) {
    try {
      body = JSON.parse(request.body) as Record<string, unknown>;
    } catch {
      return invalid('Request body is not valid JSON.');
    }
  }
  const query = Object.fromEntries(request.query);
  return { ...body, ...query };
}

/** Handles one CreateSession request against the emulated account. */
export async function createSession(world: AwsWorld, request: EmulatorHttpRequest, now: Date, behaviour: RolesAnywhereBehaviour): Promise<EmulatorHttpResponse> {
  // 1. Authorization header: algorithm, scope, signed headers.
  let auth: AuthorizationHeader;
  try {
    auth = parseAuthorizationHeader(request.headers.authorization ?? '');
  } catch (e) {
    return e instanceof MalformedSignatureError ? denied(`Invalid signature. ${e.message}`) : denied('Invalid signature.');
  }
  const amzDate = request.headers['x-amz-date'] ?? '';
  let signedAt: Date;
  try {
    signedAt = parseAmzDate(amzDate);
  } catch {
    return denied('Invalid signature. X-Amz-Date is missing or malformed.');
  }
  if (auth.credential.region !== world.env.region) return denied(`Invalid signature. Credential should be scoped to a valid region, not '${auth.credential.region}'.`);
  if (auth.credential.date !== amzDate.slice(0, 8)) return denied('Invalid signature. The credential date does not match X-Amz-Date.');
  if (!auth.signedHeaders.includes('x-amz-x509') || (request.headers['x-amz-x509-chain'] !== undefined && !auth.signedHeaders.includes('x-amz-x509-chain'))) {
    return denied('Invalid signature. X-Amz-X509 (and X-Amz-X509-Chain) must be signed.');
  }

  // 2. The signing time must be within the allowed skew.
  const skewMs = behaviour.clockSkewSeconds * 1000;
  if (signedAt.getTime() < now.getTime() - skewMs) {
    return denied(`Signature expired: ${amzDate} is now earlier than ${new Date(now.getTime() - skewMs).toISOString()} (${behaviour.clockSkewSeconds} s skew allowed).`);
  }
  if (signedAt.getTime() > now.getTime() + skewMs) {
    return denied(`Signature not yet current: ${amzDate} is still later than ${new Date(now.getTime() + skewMs).toISOString()} (${behaviour.clockSkewSeconds} s skew allowed).`);
  }

  // 3. The leaf certificate, and its serial in the credential.
  let leaf: Certificate;
  let intermediates: Certificate[];
  try {
    leaf = PARSED_CERTIFICATES.parse(Buffer.from(request.headers['x-amz-x509'] ?? '', 'base64'));
    const chain = request.headers['x-amz-x509-chain'];
    intermediates = chain ? chain.split(',').map((c) => PARSED_CERTIFICATES.parse(Buffer.from(c.trim(), 'base64'))) : [];
  } catch (e) {
    return denied(`Untrusted certificate. The certificate does not parse (${(e as Error).message}).`);
  }
  if (BigInt(`0x${leaf.serialNumber}`).toString(10) !== auth.credential.serialNumber) return denied('Invalid signature. The credential does not name the certificate serial.');

  // 4. The signature, over the canonical request rebuilt from what arrived.
  let canonical: string;
  try {
    canonical = canonicalRequest({
      method: request.method,
      path: request.path,
      query: request.query,
      headers: canonicalHeaders(request.headers, auth.signedHeaders),
      payloadHash: payloadHash(request.body),
    });
  } catch (e) {
    return denied(`Invalid signature. ${(e as Error).message}`);
  }
  const toSign = stringToSign(auth.algorithm, amzDate, auth.scope, canonical);
  const publicKey = VERIFIED_SIGNATURES.publicKey(leaf.publicKeySpki);
  if (!publicKey || !signatureMatches(auth.algorithm, toSign, auth.signature, publicKey)) return denied('Invalid signature');

  // 5. End-entity constraints.
  if (leaf.version !== 3 || leaf.basicConstraints?.ca === true || !leaf.keyUsage?.has('digitalSignature') || leaf.signatureHash === undefined || isWeakHash(leaf.signatureHash)) {
    return denied('Untrusted certificate. Insufficient certificate');
  }

  const params = parameters(request);
  if ('status' in params) return params as EmulatorHttpResponse;
  const trustAnchorArn = String(params.trustAnchorArn ?? '');
  const profileArn = String(params.profileArn ?? '');
  const roleArn = String(params.roleArn ?? '');
  if (!trustAnchorArn || !profileArn || !roleArn) return invalid('1 validation error detected: profileArn, roleArn and trustAnchorArn are required.');

  // 6. The trust anchor, and a certification path to one of its CAs.
  const anchor = world.trustAnchorByArn(trustAnchorArn);
  if (!anchor) return errorResponse(404, 'ResourceNotFoundException', 'Trust anchor not found.');
  if (!anchor.enabled) return denied('Untrusted signing certificate. The trust anchor is disabled.');
  if (intermediates.length > MAX_INTERMEDIATES) return denied('Untrusted signing certificate. The chain is deeper than 5 certificates.');
  const path = validatePath({ leaf, intermediates, trustAnchors: anchor.caCertificates, at: now, leafKeyUsage: 'digitalSignature' });
  if (!path.valid) return denied('Untrusted signing certificate');

  // 7. Enabled CRLs of the anchor.
  const revocation = checkRevocation(world, anchor, [leaf, ...intermediates], now, behaviour);
  if (revocation) return denied(revocation);

  // 8. Profile and role.
  const profile = world.profileByArn(profileArn);
  if (!profile) return errorResponse(404, 'ResourceNotFoundException', 'Profile not found.');
  if (!profile.enabled) return denied('Profile is disabled.');
  if (!profile.roleArns.includes(roleArn)) return denied(`Unable to assume role for arn: ${roleArn}. The role is not in the profile.`);
  if (profile.requireInstanceProperties && (params.instanceProperties === undefined || typeof params.instanceProperties !== 'object')) {
    return denied('Instance properties are required by the profile.');
  }
  if (params.roleSessionName !== undefined && !profile.acceptRoleSessionName) return denied('Not authorized to set roleSessionName.');
  const role = world.roles.get(roleArn);
  if (!role) return denied(`Unable to assume role for arn: ${roleArn}`);

  // 9. Session tags under the profile's attribute mapping.
  const mapping = sessionTags(leaf, profile.attributeMappings);
  const { Issuer, Subject, SAN } = mapping.unmappable;
  if (Issuer.length + Subject.length + SAN.length > 0) {
    return denied(`Unable to assume role for arn: ${roleArn}. Some attributes failed to be mapped into session tags. Issuer: [${Issuer.join(', ')}]; Subject: [${Subject.join(', ')}]; SAN: [${SAN.join(', ')}]`);
  }

  // 10. The role's trust policy, for each action CreateSession needs.
  const identity = sourceIdentity(leaf);
  const denial = evaluateTrust(role, anchor, mapping.tags, identity, world);
  if (denial) return denied(`Unable to assume role for arn: ${roleArn}`);

  // 11. Session length.
  const requested = params.durationSeconds === undefined ? undefined : Number(params.durationSeconds);
  if (requested !== undefined && (!Number.isInteger(requested) || requested < 900 || requested > 43200)) {
    return invalid(`1 validation error detected: Value '${String(params.durationSeconds)}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200`);
  }
  const duration = Math.min(profile.durationSeconds, requested ?? profile.durationSeconds);
  if (duration > role.maxSessionDuration) {
    return denied(`Unable to assume role for arn: ${roleArn}. The requested DurationSeconds exceeds the MaxSessionDuration set for this role.`);
  }
  return issueSession(world, { role, profile, leaf, identity, duration, now, roleSessionName: params.roleSessionName as string | undefined });
}

/**
 * Revocation against the anchor's enabled CRLs: a CRL counts only for certificates of the CA
 * that signed it (issuer name matched, signature verified); a serial match alone is not enough.
 */
function checkRevocation(world: AwsWorld, anchor: EmulatedTrustAnchor, chain: readonly Certificate[], now: Date, behaviour: RolesAnywhereBehaviour): string | undefined {
  const pool = [...chain.slice(1), ...anchor.caCertificates];
  for (const entry of world.crlsOf(anchor.arn)) {
    if (!entry.enabled || 'unparseable' in entry.crl) continue;
    const crl = entry.crl;
    const signer = pool.find((ca) => sameName(ca.subject, crl.issuer) && VERIFIED_SIGNATURES.verifies(crl.der, ca.publicKeySpki));
    if (!signer) continue;
    const stale = crl.nextUpdate !== undefined && crl.nextUpdate.getTime() < now.getTime();
    for (const cert of chain) {
      if (!sameName(cert.issuer, crl.issuer)) continue;
      if (stale && behaviour.staleCrl === 'deny-all') return 'Certificate revoked. The revocation list is past its nextUpdate.';
      if (crl.revokedSerials.includes(normalizeSerial(cert.serialNumber))) return 'Certificate revoked';
    }
  }
  return undefined;
}

/** Evaluates the trust policy for sts:AssumeRole, sts:TagSession and sts:SetSourceIdentity; all three must be allowed. */
function evaluateTrust(role: EmulatedRole, anchor: EmulatedTrustAnchor, tags: Record<string, string>, identity: string, world: AwsWorld): string | undefined {
  const tagContext = Object.fromEntries(Object.entries(tags).flatMap(([k, v]) => [[`aws:PrincipalTag/${k}`, v], [`aws:RequestTag/${k}`, v]]));
  for (const action of ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity']) {
    const evaluation = evaluatePolicyDocument(role.trustPolicyDocument, {
      principal: { type: 'Service', id: 'rolesanywhere.amazonaws.com' },
      action,
      resource: role.arn,
      context: {
        'aws:SourceArn': anchor.arn,
        'aws:SourceAccount': world.env.account,
        'sts:SourceIdentity': identity,
        'aws:TagKeys': Object.keys(tags),
        ...tagContext,
      },
    });
    if (evaluation.decision !== 'Allow') return `${action}: ${evaluation.decision}`;
  }
  return undefined;
}

function issueSession(
  world: AwsWorld,
  input: { role: EmulatedRole; profile: EmulatedProfile; leaf: Certificate; identity: string; duration: number; now: Date; roleSessionName?: string },
): EmulatorHttpResponse {
  // The session STS will know: named by the certificate serial unless the profile let the caller name it.
  const session = world.issueRoleSession(input.role, input.roleSessionName ?? sessionName(input.leaf), new Date(input.now.getTime() + input.duration * 1000));
  const body = {
    credentialSet: [
      {
        assumedRoleUser: { arn: session.arn, assumedRoleId: session.assumedRoleId },
        credentials: {
          accessKeyId: session.accessKeyId,
          secretAccessKey: session.secretAccessKey,
          sessionToken: session.sessionToken,
          expiration: session.expiration.toISOString(),
        },
        packedPolicySize: 10,
        roleArn: input.role.arn,
        sourceIdentity: input.identity,
      },
    ],
    subjectArn: world.arn('rolesanywhere', `subject/${crypto.createHash('sha256').update(input.leaf.subject.der).digest('hex').slice(0, 32)}`),
  };
  return { status: 201, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
