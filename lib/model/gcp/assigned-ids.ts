import * as crypto from 'node:crypto';

/**
 * Stand-ins for the numbers GCP assigns at creation, derived so that reruns agree: the emulator
 * assigns these, and resolving a configuration uses them where the real value cannot matter to a
 * gate (a service account is named by its email in every request a probe makes).
 */

/** A 12-digit project number derived from a project ID. */
export function derivedProjectNumber(projectId: string): string {
  const digest = crypto.createHash('sha256').update(projectId).digest();
  return String(100_000_000_000 + (digest.readUInt32BE(0) * 211 + digest.readUInt16BE(4)) % 900_000_000_000);
}

/** A 21-digit service account unique ID derived from its email, as stable as GCP's. */
export function derivedUniqueId(email: string): string {
  const digest = crypto.createHash('sha256').update(email).digest();
  return `1${BigInt(`0x${digest.subarray(0, 10).toString('hex')}`).toString().padStart(20, '0').slice(-20)}`;
}
