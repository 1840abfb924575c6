/**
 * The subject of a Federated Managed Identity (FMI) token: what the first leg of the agent flow
 * issues (the blueprint's token for `api://AzureADTokenExchange` with `fmi_path`) and what an agent
 * identity trusts in the second leg. Entra writes it `/eid1/c/pub/t/<tenant>/a/<app>/<fmi path>`,
 * the tenant and application IDs as the base64url of their GUID bytes in .NET's order
 * (`Guid.ToByteArray`: the first three groups little-endian). Observed, not documented: an AADSTS7002137
 * refusal quoting `/eid1/c/pub/t/v4j5cvGGr0GRqy180BHbRw/a/…/…` for tenant
 * 72f988bf-86f1-41af-91ab-2d7cd011db47 (microsoft/Agents#202).
 */

const GUID = /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/i;

/** A GUID's bytes as .NET orders them, base64url without padding; undefined for a value that is not a GUID. */
export function guidBase64Url(guid: string): string | undefined {
  const m = GUID.exec(guid);
  if (!m) return undefined;
  const le = (hex: string) => Buffer.from(hex, 'hex').reverse();
  return Buffer.concat([le(m[1]), le(m[2]), le(m[3]), Buffer.from(m[4] + m[5], 'hex')]).toString('base64url');
}

/** `/eid1/c/pub/t/<tenant>/a/<blueprint app>/<fmi path>`; an ID that is not a GUID is written as it is. */
export function fmiSubject(tenantId: string, applicationId: string, fmiPath: string): string {
  return `/eid1/c/pub/t/${guidBase64Url(tenantId) ?? tenantId}/a/${guidBase64Url(applicationId) ?? applicationId}/${fmiPath}`;
}
