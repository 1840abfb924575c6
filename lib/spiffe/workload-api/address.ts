import * as net from 'node:net';
import { AttestGateError } from '../../core/errors';

/** The environment variable that names the Workload API endpoint (SPIFFE Workload Endpoint specification §4). */
export const SPIFFE_ENDPOINT_SOCKET = 'SPIFFE_ENDPOINT_SOCKET';

/** Where the Workload API listens, as the client dials it. */
export type WorkloadApiEndpoint =
  | { readonly kind: 'unix'; readonly address: string; readonly socketPath: string; readonly target: string }
  | { readonly kind: 'tcp'; readonly address: string; readonly target: string };

const EXAMPLE = 'unix:///run/spire/sockets/agent.sock';

/**
 * Parses a Workload API address as the SPIFFE Workload Endpoint specification writes it and
 * go-spiffe's client accepts it: `unix:///absolute/path` or `unix:/absolute/path`, or
 * `tcp://<IP>:<port>`. Refused as go-spiffe refuses them: another scheme, user info, a query, a
 * fragment, a unix URI without a path, a tcp host that is not an IP address or has no port.
 * Refused beyond go-spiffe: a unix path that is not absolute, and `unix://name/…`, whose `name`
 * gRPC would read as a host (the usual slip for `unix:///name/…`).
 *
 * @param address the address; undefined reads SPIFFE_ENDPOINT_SOCKET from `env`
 * @throws AttestGateError naming the address, what is wrong and how to write it
 */
export function parseWorkloadApiAddress(address: string | undefined, where = 'WorkloadApiClient', env: NodeJS.ProcessEnv = process.env): WorkloadApiEndpoint {
  const fromEnvironment = address === undefined;
  const value = fromEnvironment ? env[SPIFFE_ENDPOINT_SOCKET] : address;
  const field = fromEnvironment ? SPIFFE_ENDPOINT_SOCKET : 'address';
  const fail = (problem: string, fix = `write it as ${EXAMPLE} (or unix:/path, or tcp://127.0.0.1:8081)`): never => {
    throw new AttestGateError({ where, field, value, problem, fix });
  };
  if (value === undefined || value === '') {
    return fail(
      fromEnvironment ? 'is not set, and no address was given: the client does not know where the SPIRE agent listens' : 'is empty',
      `set ${SPIFFE_ENDPOINT_SOCKET} to the agent's socket (e.g. ${EXAMPLE}; on Kubernetes mount the SPIFFE CSI driver or the agent's socket directory), or pass address`,
    );
  }
  if (typeof value !== 'string') return fail('is not a string');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fail('is not a URI');
  }
  if (url.username !== '' || url.password !== '') fail(`must not include user info`);
  if (url.search !== '') fail('must not include query values');
  if (url.hash !== '') fail('must not include a fragment');
  if (url.protocol === 'unix:') {
    // WHATWG URL parsing gives "unix:/a" and "unix:///a" the path "/a" with no host; "unix:a" an
    // opaque path "a"; "unix://a/b" the host "a".
    if (url.host !== '') fail(`names "${url.host}" as a host; in unix://${url.host}/… the first segment is not part of the path`, `write the absolute path after three slashes: unix:///${url.host}${url.pathname === '/' ? '' : url.pathname}`);
    if (url.pathname === '' || url.pathname === '/') fail('must include the socket path');
    if (!url.pathname.startsWith('/')) fail('has a relative path; the Workload API socket is named by an absolute path', `write unix:///<absolute path>`);
    const socketPath = decodeURIComponent(url.pathname);
    return { kind: 'unix', address: value, socketPath, target: `unix://${socketPath}` };
  }
  if (url.protocol === 'tcp:') {
    if (url.pathname !== '' && url.pathname !== '/') fail('must not include a path');
    if (value.replace(/\/$/, '') !== `tcp://${url.host}`) fail('must be tcp://<IP>:<port> and nothing else');
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    if (net.isIP(host) === 0) fail('has a host that is not an IP address (the specification allows no DNS names)');
    if (url.port === '') fail('must include a port');
    return { kind: 'tcp', address: value, target: net.isIPv6(host) ? `ipv6:[${host}]:${url.port}` : `ipv4:${host}:${url.port}` };
  }
  return fail(`has scheme "${url.protocol.slice(0, -1)}"; the Workload API is reached over "unix" or "tcp"`);
}
