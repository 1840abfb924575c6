import { Check, validateCheckMeta } from '../../engine/check';
import type { SpiffeProbeContext, SpiffeTarget } from '../../spiffe/probe-context';
import { check as c001 } from './agc-spiffe-001-positive-control/check';
import { check as c002 } from './agc-spiffe-002-unregistered-workload/check';
import { check as c003 } from './agc-spiffe-003-runtime-selectors-only/check';
import { check as c004 } from './agc-spiffe-004-code-selectors-only/check';
import { check as c005 } from './agc-spiffe-005-svid-within-entry-ttl/check';
import { check as c006 } from './agc-spiffe-006-expired-svid-refused-by-gates/check';

/** The SPIFFE checks, in catalogue order: the positive control first. */
export const SPIFFE_CHECKS: ReadonlyArray<Check<SpiffeTarget, SpiffeProbeContext>> = [c001, c002, c003, c004, c005, c006];

SPIFFE_CHECKS.forEach((c) => validateCheckMeta(c.meta));
