import { Check, validateCheckMeta } from '../../engine/check';
import { AwsProbeContext, ResolvedAwsGate } from '../../aws/probe-context';
import { check as positiveControl } from './agc-aws-001-positive-control/check';
import { check as rogueCaSameSubject } from './agc-aws-002-rogue-ca-same-subject/check';
import { check as wrongCommonName } from './agc-aws-003-wrong-common-name/check';
import { check as wrongSanUri } from './agc-aws-004-wrong-san-uri/check';
import { check as missingSan } from './agc-aws-005-missing-san/check';
import { check as revokedCertificate } from './agc-aws-006-revoked-certificate/check';
import { check as expiredCertificate } from './agc-aws-007-expired-certificate/check';
import { check as notYetValidCertificate } from './agc-aws-008-not-yet-valid-certificate/check';
import { check as caCertificateAsLeaf } from './agc-aws-009-ca-certificate-as-leaf/check';
import { check as missingDigitalSignatureUsage } from './agc-aws-010-missing-digital-signature-usage/check';
import { check as sha1Signature } from './agc-aws-011-sha1-signature/check';
import { check as mismatchedPrivateKey } from './agc-aws-012-mismatched-private-key/check';
import { check as staleRequestDate } from './agc-aws-013-stale-request-date/check';
import { check as tamperedRequestBody } from './agc-aws-014-tampered-request-body/check';
import { check as foreignTrustAnchor } from './agc-aws-015-foreign-trust-anchor/check';
import { check as unattestedPrincipal } from './agc-aws-016-unattested-principal/check';
import { check as callerChosenSessionName } from './agc-aws-017-caller-chosen-session-name/check';
import { check as sessionLifetimeBounded } from './agc-aws-018-session-lifetime-bounded/check';
import { check as unattestedIssuancePath } from './agc-aws-019-unattested-issuance-path/check';

/** Every AWS check, in ID order; the positive control first. */
export const AWS_CHECKS: ReadonlyArray<Check<ResolvedAwsGate, AwsProbeContext>> = [
  positiveControl,
  rogueCaSameSubject,
  wrongCommonName,
  wrongSanUri,
  missingSan,
  revokedCertificate,
  expiredCertificate,
  notYetValidCertificate,
  caCertificateAsLeaf,
  missingDigitalSignatureUsage,
  sha1Signature,
  mismatchedPrivateKey,
  staleRequestDate,
  tamperedRequestBody,
  foreignTrustAnchor,
  unattestedPrincipal,
  callerChosenSessionName,
  sessionLifetimeBounded,
  unattestedIssuancePath,
];

AWS_CHECKS.forEach((c) => validateCheckMeta(c.meta));
