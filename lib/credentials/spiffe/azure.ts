import { AttestGateError } from '../../core/errors';
import { SpiffeSourceOptions, workloadApiSource } from './workload-api-source';

/** The audience Entra requires of a federated credential's assertion. */
export const AZURE_TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';

export interface AzureAssertionFromSpiffeOptions extends SpiffeSourceOptions {
  /**
   * The `aud` of the JWT-SVID: the audience of the federated identity credential.
   *
   * @default 'api://AzureADTokenExchange'
   */
  readonly audience?: string;
}

/**
 * The `getAssertion` callback of @azure/identity's ClientAssertionCredential, fed by the SPIFFE
 * Workload API: every call fetches a JWT-SVID for `api://AzureADTokenExchange` from the agent
 * (which reuses one until half its lifetime, as SPIRE's agent does), so the assertion is always
 * current. Entra then exchanges it for an access token of the managed identity or application
 * whose federated credential names the SPIFFE ID as subject and the JWT issuer (SPIRE's OIDC
 * discovery provider) as issuer.
 *
 * ```ts
 * new ClientAssertionCredential(tenantId, clientId, azureAssertionFromSpiffe());
 * ```
 *
 * Entra accepts RSA-signed assertions only: the SPIRE server must sign JWT-SVIDs with an RSA key.
 *
 * @throws AttestGateError for bad options or an unset or malformed SPIFFE_ENDPOINT_SOCKET
 * @returns a function that rejects with WorkloadApiError when the agent issues no JWT-SVID
 *   (`code` PermissionDenied when the workload is not registered)
 */
export function azureAssertionFromSpiffe(options: AzureAssertionFromSpiffeOptions = {}): () => Promise<string> {
  const where = 'azureAssertionFromSpiffe';
  const audience = options.audience ?? AZURE_TOKEN_EXCHANGE_AUDIENCE;
  if (typeof audience !== 'string' || audience === '') {
    throw new AttestGateError({ where, field: 'audience', value: audience, problem: 'is empty', fix: `leave it unset for ${AZURE_TOKEN_EXCHANGE_AUDIENCE}, or give the federated credential's audience` });
  }
  const { client, spiffeId } = workloadApiSource(options, where);
  return async () => (await client.fetchJwtSvid({ audience, spiffeId })).token;
}
