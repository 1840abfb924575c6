import { Check, validateCheckMeta } from '../../engine/check';
import { GcpProbeContext } from '../../gcp/probe-context';
import { ResolvedGcpGate } from '../../gcp/resolve-gates';
import { check as positiveControl } from './agc-gcp-001-positive-control/check';
import { check as wrongIssuer } from './agc-gcp-002-wrong-issuer/check';
import { check as unknownSigningKey } from './agc-gcp-003-unknown-signing-key/check';
import { check as wrongAudience } from './agc-gcp-004-wrong-audience/check';
import { check as wrongSubject } from './agc-gcp-005-wrong-subject/check';
import { check as expiredToken } from './agc-gcp-006-expired-token/check';
import { check as notYetValidToken } from './agc-gcp-007-not-yet-valid-token/check';
import { check as tamperedSignature } from './agc-gcp-008-tampered-signature/check';
import { check as algNone } from './agc-gcp-009-alg-none/check';
import { check as unboundSubject } from './agc-gcp-010-unbound-subject/check';
import { check as wholePoolBinding } from './agc-gcp-011-whole-pool-binding/check';
import { check as unattestedIssuancePath } from './agc-gcp-012-unattested-issuance-path/check';
import { check as subjectsBeyondDeclared } from './agc-gcp-013-subjects-beyond-declared/check';

/** Every GCP check, in ID order; the positive control first. */
export const GCP_CHECKS: ReadonlyArray<Check<ResolvedGcpGate, GcpProbeContext>> = [
  positiveControl,
  wrongIssuer,
  unknownSigningKey,
  wrongAudience,
  wrongSubject,
  expiredToken,
  notYetValidToken,
  tamperedSignature,
  algNone,
  unboundSubject,
  wholePoolBinding,
  unattestedIssuancePath,
  subjectsBeyondDeclared,
];

GCP_CHECKS.forEach((c) => validateCheckMeta(c.meta));
