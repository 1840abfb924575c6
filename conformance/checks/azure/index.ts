import { Check, validateCheckMeta } from '../../engine/check';
import { AzureProbeContext, ResolvedAzureGate } from '../../azure/probe-context';
import { check as positiveControl } from './agc-az-001-positive-control/check';
import { check as wrongIssuer } from './agc-az-002-wrong-issuer/check';
import { check as unknownSigningKey } from './agc-az-003-unknown-signing-key/check';
import { check as wrongAudience } from './agc-az-004-wrong-audience/check';
import { check as wrongSubject } from './agc-az-005-wrong-subject/check';
import { check as expiredToken } from './agc-az-006-expired-token/check';
import { check as notYetValidToken } from './agc-az-007-not-yet-valid-token/check';
import { check as tamperedSignature } from './agc-az-008-tampered-signature/check';
import { check as unsignedToken } from './agc-az-009-unsigned-token/check';
import { check as es256Token } from './agc-az-010-es256-token/check';
import { check as unboundSubject } from './agc-az-011-unbound-subject/check';
import { check as unattestedIssuancePath } from './agc-az-012-unattested-issuance-path/check';
import { check as siblingAgentFmiPath } from './agc-az-013-sibling-agent-fmi-path/check';
import { check as anotherBlueprintsLeg1 } from './agc-az-014-another-blueprints-leg1/check';
import { check as expiredLeg1Token } from './agc-az-015-expired-leg1-token/check';

/** Every Azure check, in ID order; the positive control first. */
export const AZURE_CHECKS: ReadonlyArray<Check<ResolvedAzureGate, AzureProbeContext>> = [
  positiveControl,
  wrongIssuer,
  unknownSigningKey,
  wrongAudience,
  wrongSubject,
  expiredToken,
  notYetValidToken,
  tamperedSignature,
  unsignedToken,
  es256Token,
  unboundSubject,
  unattestedIssuancePath,
  siblingAgentFmiPath,
  anotherBlueprintsLeg1,
  expiredLeg1Token,
];

AZURE_CHECKS.forEach((c) => validateCheckMeta(c.meta));
