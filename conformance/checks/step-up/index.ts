import { Check, validateCheckMeta } from '../../engine/check';
import type { StepUpEndpoint, StepUpProbeContext } from '../../step-up/probe-context';
import { check as c001 } from './agc-su-001-positive-control/check';
import { check as c002 } from './agc-su-002-token-without-acr/check';
import { check as c003 } from './agc-su-003-weaker-acr/check';
import { check as c004 } from './agc-su-004-stale-attestation/check';
import { check as c005 } from './agc-su-005-forged-token/check';
import { check as c006 } from './agc-su-006-expired-token/check';
import { check as c007 } from './agc-su-007-replayed-token/check';

/** The step-up checks, in catalogue order: the positive control first. */
export const STEP_UP_CHECKS: ReadonlyArray<Check<StepUpEndpoint, StepUpProbeContext>> = [c001, c002, c003, c004, c005, c006, c007];

STEP_UP_CHECKS.forEach((c) => validateCheckMeta(c.meta));
