import { MIN_REASON_LENGTH } from './agent-identity';

/**
 * The key, in a role's CloudFormation Metadata or a Terraform resource's `"//"` object, under
 * which unattested issuance paths are accepted on purpose: `{ "<path id>": "<reason>" }`. One
 * format for every cloud; discovery names the paths.
 */
export const ACKNOWLEDGED_PATHS_KEY = 'attestgate:acknowledged-paths';

/**
 * Reads the acknowledgements of a resource. An entry counts only when it names a path that can be
 * acknowledged (`acknowledgeable` returns undefined) and gives a reason of at least
 * MIN_REASON_LENGTH characters; every other entry is returned in `ignored` with why, so a report
 * can say why an acknowledgement was not taken.
 *
 * @param where prefixed to each ignored entry (e.g. the resource's address), when given
 * @param acknowledgeable why a path ID cannot be acknowledged (no such path, an attested one), or undefined when it can
 */
export function readAcknowledgedPaths(raw: unknown, acknowledgeable: (id: string) => string | undefined, where?: string): { accepted: Map<string, string>; ignored: string[] } {
  const at = (text: string) => (where ? `${where}: ${text}` : text);
  const accepted = new Map<string, string>();
  const ignored: string[] = [];
  if (raw === undefined) return { accepted, ignored };
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { accepted, ignored: [at(`${ACKNOWLEDGED_PATHS_KEY} is not an object of path ID → reason`)] };
  for (const [id, reason] of Object.entries(raw as Record<string, unknown>)) {
    const refused = acknowledgeable(id);
    if (refused !== undefined) ignored.push(at(`${id}: ${refused}`));
    else if (typeof reason !== 'string' || reason.trim().length < MIN_REASON_LENGTH) ignored.push(at(`${id}: the reason ${JSON.stringify(reason)} is shorter than ${MIN_REASON_LENGTH} characters`));
    else accepted.set(id, reason.trim());
  }
  return { accepted, ignored };
}
