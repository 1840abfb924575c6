import { SpiffeRegistrationModel } from '../../spiffe/registration-model';
import { Rule } from '../rule';
import { x509SvidTtlWithinSession } from './ag-spiffe-001-x509-svid-ttl-within-session';
import { highPrivilegeJwtSvidTtl } from './ag-spiffe-002-high-privilege-jwt-svid-ttl';
import { trustDomainMatchesRelyingParty } from './ag-spiffe-003-trust-domain-matches-relying-party';
import { oneSelectorSet } from './ag-spiffe-004-one-selector-set';
import { highPrivilegeMultiAttestation } from './ag-spiffe-005-high-privilege-multi-attestation';

/** Every SPIFFE rule, in ID order. They judge SPIRE registrations: manifests and entry batches. */
export const SPIFFE_RULES: ReadonlyArray<Rule<SpiffeRegistrationModel>> = [x509SvidTtlWithinSession, highPrivilegeJwtSvidTtl, trustDomainMatchesRelyingParty, oneSelectorSet, highPrivilegeMultiAttestation];
