import { AttestGateError } from '../core/errors';
import { SpiffeId } from '../core/spiffe-id';
import { RegistrationEntry } from './registration-entry';
import { checkDeclaredSelector } from './selectors';
import { SPIRE_AGENT_PATH_PREFIX, SPIRE_SERVER_PATH } from './spire-server';

export interface SpiffeNodeAliasProps {
  /** The alias's SPIFFE ID, e.g. `spiffe://prod.example/nodes/build-tpm`. */
  readonly spiffeId: string;
  /**
   * The node selectors an agent must have been attested with to belong to the alias, e.g.
   * `tpm:pub_hash:<hash>`, `aws_iid:instance:id:i-0abc…`, `x509pop:subject:cn:build-1`.
   */
  readonly selectors: string[];
}

/**
 * A node alias: a SPIFFE ID that every agent attested with the given node selectors holds, so
 * workload entries can name it as their parent (`spire-server entry create -node`; a node entry,
 * whose parent is the server). Workloads registered under it run only on those nodes.
 */
export class SpiffeNodeAlias {
  public readonly spiffeId: SpiffeId;
  public readonly selectors: ReadonlyArray<{ readonly type: string; readonly value: string }>;

  constructor(props: SpiffeNodeAliasProps) {
    const where = `SpiffeNodeAlias '${props.spiffeId}'`;
    this.spiffeId = SpiffeId.parse(props.spiffeId, where, 'spiffeId');
    const path = this.spiffeId.path;
    if (path === '' || path === SPIRE_SERVER_PATH || path.startsWith(SPIRE_AGENT_PATH_PREFIX)) {
      throw new AttestGateError({
        where,
        field: 'spiffeId',
        value: props.spiffeId,
        problem: path === '' ? 'is the trust domain itself' : `is under ${path.startsWith(SPIRE_AGENT_PATH_PREFIX) ? SPIRE_AGENT_PATH_PREFIX : SPIRE_SERVER_PATH}, which SPIRE reserves for agents and the server`,
        fix: 'give the alias a path of its own, e.g. spiffe://prod.example/nodes/build',
      });
    }
    if (!Array.isArray(props.selectors) || props.selectors.length === 0) {
      throw new AttestGateError({ where, field: 'selectors', value: props.selectors, problem: 'is empty; SPIRE requires at least one selector, and an alias without one would hold every node', fix: 'give the node selectors that pick the nodes, e.g. "tpm:pub_hash:<hash>"' });
    }
    this.selectors = props.selectors.map((s, i) => checkDeclaredSelector(s, 'node', where, `selectors[${i}]`).selector);
  }

  /** The node entry, as `spire-server entry create -node` makes it: the server is its parent. */
  public entry(): RegistrationEntry {
    return {
      spiffeId: this.spiffeId.toString(),
      parentId: `spiffe://${this.spiffeId.trustDomain}${SPIRE_SERVER_PATH}`,
      selectors: this.selectors,
      // Node entries issue no workload SVIDs: 0 leaves the server's defaults, as the CLI does.
      x509SvidTtlSeconds: 0,
      jwtSvidTtlSeconds: 0,
      dnsNames: [],
      federatesWith: [],
    };
  }
}
