import { Value, describeValue } from '../terraform/expressions';

/** A trust a gate declares: tokens of this issuer, subject and audience. */
export interface DeclaredTrust {
  readonly issuer: string;
  readonly subject: string;
  readonly audience: string;
}

/** A federated identity credential as configured, values as written. */
export interface ConfiguredCredential {
  readonly address: string;
  readonly issuer: Value | undefined;
  readonly subject: Value | undefined;
  readonly audiences: Value | undefined;
}

const audiencesOf = (value: Value | undefined): Value[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);

/**
 * Where an identity's federated credentials no longer match the trusts its gate manifest
 * declares. Entra compares issuer, subject and audience exactly, so a credential whose subject was
 * edited after synth is a trust nobody declared — another workload's way to the identity — and
 * the declared one is gone.
 */
export function credentialDrift(declared: readonly DeclaredTrust[], credentials: readonly ConfiguredCredential[]): string[] {
  const drift: string[] = [];
  const matched = new Set<DeclaredTrust>();
  for (const credential of credentials) {
    const audiences = audiencesOf(credential.audiences);
    const values = [credential.issuer, credential.subject, ...audiences];
    if (values.some((v) => typeof v !== 'string')) {
      drift.push(`${credential.address}: its issuer, subject or audience is not known before apply (${values.map((v) => (typeof v === 'string' ? v : describeValue(v))).join(', ')}), so it cannot be compared with the declared trusts`);
      continue;
    }
    const match = declared.find((d) => d.issuer === credential.issuer && d.subject === credential.subject && audiences.length === 1 && audiences[0] === d.audience);
    if (match) matched.add(match);
    else drift.push(`${credential.address} trusts subject ${String(credential.subject)} of ${String(credential.issuer)} (audience ${audiences.join(', ')}), which the identity does not declare`);
  }
  for (const trust of declared) {
    if (!matched.has(trust)) drift.push(`the declared trust of subject ${trust.subject} of ${trust.issuer} (audience ${trust.audience}) has no federated credential: edited or removed after synth`);
  }
  return drift;
}
