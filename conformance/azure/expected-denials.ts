import { AADSTS, AadErrorSpec } from '../../lib/model/azure/aad-errors';
import { generateIssuerKey, IssuerKey } from '../oidc/issuer-key';
import { AadDenial } from './aad-outcome';

/**
 * The denials the Azure checks expect: Entra's status, `error` and AADSTS code (one catalog,
 * shared with the emulator: conformance/emulator/azure/aad-errors.ts), with the description's
 * documented wording as the soft check.
 */
const denial = (spec: AadErrorSpec, description: RegExp): AadDenial => ({ status: spec.status, error: spec.error, code: spec.code, description });

export const DENIED = {
  issuer: denial(AADSTS.issuerNotMatched, /No matching federated identity record found for presented assertion issuer/),
  unknownKey: denial(AADSTS.signingKeyNotFound, /could not be found in the metadata of identity provider/),
  signature: denial(AADSTS.invalidSignature, /invalid signature/),
  audience: denial(AADSTS.audienceNotMatched, /No matching federated identity record found for presented assertion audience/),
  subject: denial(AADSTS.subjectNotMatched, /No matching federated identity record found for presented assertion subject/),
  subjectCase: denial(AADSTS.subjectCaseMismatch, /case-insensitive comparison, but not with case-sensitive comparison/),
  validity: denial(AADSTS.assertionOutsideValidity, /not within its valid time range/),
  algorithm: denial(AADSTS.unsupportedAlgorithm, /is not a supported signature algorithm/),
  /** Agent ID, leg 1: an `fmi_path` naming no agent identity of the blueprint (Entra's answer undocumented; the emulator's choice). */
  fmiPath: denial(AADSTS.fmiPathNotAgentOfBlueprint, /fmi_path/),
  /** Agent ID, leg 2: a leg-1 token naming another blueprint or agent than the one it is presented as. */
  fmiSubject: denial(AADSTS.fmiSubjectNotMatched, /Please make sure the federated identity credential Subject is/),
  /** `alg: none` — Entra documents no code for it: the algorithm refusal, or its generic invalid-JWT refusal. */
  malformed: denial(AADSTS.invalidJwt, /Invalid JWT/),
} as const;

let attackerRsa: IssuerKey | undefined;
let attackerEc: IssuerKey | undefined;

/** The attacker's own keys, made once per process: published by no issuer. */
export function attackerKey(alg: 'RS256' | 'ES256'): IssuerKey {
  if (alg === 'RS256') return (attackerRsa ??= generateIssuerKey('RS256'));
  return (attackerEc ??= generateIssuerKey('ES256'));
}

/** An issuer nobody federates with. */
export const ATTACKER_ISSUER = 'https://attacker.attestgate.invalid';
