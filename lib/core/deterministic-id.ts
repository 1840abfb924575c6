import * as crypto from 'node:crypto';

/**
 * A UUID-shaped identifier derived from its parts, so reruns over the same configuration give the
 * same IDs (the emulators' ARNs and object IDs, the stand-ins for what a cloud assigns at apply).
 */
export function deterministicId(...parts: string[]): string {
  const hex = crypto.createHash('sha256').update(parts.join('\u0000')).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
