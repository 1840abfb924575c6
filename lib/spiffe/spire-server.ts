import { LifetimeLike } from '../core/agent-identity';
import { AttestGateError } from '../core/errors';
import { SpiffeId } from '../core/spiffe-id';
import { issuerProblem } from '../model/terraform/oidc-issuer';

/** SPIRE's own defaults (`pkg/server/credtemplate/builder.go`), for messages: a server may change them. */
export const SPIRE_DEFAULT_X509_SVID_TTL_SECONDS = 3600;
export const SPIRE_DEFAULT_JWT_SVID_TTL_SECONDS = 300;
/** The path SPIRE gives the server itself; node entries (node aliases) have it as parent. */
export const SPIRE_SERVER_PATH = '/spire/server';
/** The path under which SPIRE names attested agents (`/spire/agent/<attestor>/…`). */
export const SPIRE_AGENT_PATH_PREFIX = '/spire/agent/';

export interface SpireServerProps {
  /** The server's `trust_domain`, e.g. `prod.example`. */
  readonly trustDomain: string;
  /**
   * The server's `jwt_issuer`: the `iss` of its JWT-SVIDs, which its OIDC discovery provider
   * serves and which GCP and Azure are configured to trust.
   *
   * @default - unknown: an OIDC issuer the identity is presented to cannot be matched to the trust domain
   */
  readonly jwtIssuer?: string;
  /** The server's `default_x509_svid_ttl`. @default - unknown (SPIRE's own default is 1 h) */
  readonly defaultX509SvidTtl?: LifetimeLike;
  /** The server's `default_jwt_svid_ttl`. @default - unknown (SPIRE's own default is 5 min) */
  readonly defaultJwtSvidTtl?: LifetimeLike;
}

/** The serialisable form, as written into a registration's annotation. */
export interface SpireServerDescription {
  readonly trustDomain: string;
  readonly jwtIssuer?: string;
  readonly defaultX509SvidTtlSeconds?: number;
  readonly defaultJwtSvidTtlSeconds?: number;
}

/** Checks a trust domain name; `spiffe://td` is accepted, as SPIRE's TrustDomainFromString does. */
export function parseTrustDomain(value: string, where: string, field: string): string {
  const id = SpiffeId.parse(typeof value === 'string' && !value.startsWith('spiffe://') ? `spiffe://${value}` : value, where, field);
  if (id.path !== '') {
    throw new AttestGateError({ where, field, value, problem: 'is a SPIFFE ID with a path, not a trust domain', fix: `give the trust domain only: "${id.trustDomain}"` });
  }
  return id.trustDomain;
}

function seconds(value: LifetimeLike | undefined, where: string, field: string): number | undefined {
  if (value === undefined) return undefined;
  const s = value.toSeconds();
  if (!Number.isInteger(s) || s <= 0) throw new AttestGateError({ where, field, value: s, problem: 'is not a positive whole number of seconds', fix: 'give a lifetime such as Duration.minutes(5)' });
  return s;
}

/**
 * The SPIRE server registration entries are written for: its trust domain, the issuer its
 * JWT-SVIDs carry and its default TTLs — what the rules need to tell whether an SVID is presented
 * to the right trust anchor and how long an entry without TTLs issues SVIDs for.
 */
export class SpireServer {
  public readonly trustDomain: string;
  public readonly jwtIssuer?: string;
  public readonly defaultX509SvidTtlSeconds?: number;
  public readonly defaultJwtSvidTtlSeconds?: number;

  constructor(props: SpireServerProps) {
    const where = 'SpireServer';
    this.trustDomain = parseTrustDomain(props.trustDomain, where, 'trustDomain');
    if (props.jwtIssuer !== undefined) {
      const problem = issuerProblem(props.jwtIssuer);
      if (problem) throw new AttestGateError({ where: `SpireServer '${this.trustDomain}'`, field: 'jwtIssuer', value: props.jwtIssuer, ...problem });
      this.jwtIssuer = props.jwtIssuer;
    }
    this.defaultX509SvidTtlSeconds = seconds(props.defaultX509SvidTtl, `SpireServer '${this.trustDomain}'`, 'defaultX509SvidTtl');
    this.defaultJwtSvidTtlSeconds = seconds(props.defaultJwtSvidTtl, `SpireServer '${this.trustDomain}'`, 'defaultJwtSvidTtl');
  }

  /** The server's own SPIFFE ID, the parent of node entries. */
  public get serverId(): string {
    return `spiffe://${this.trustDomain}${SPIRE_SERVER_PATH}`;
  }

  public describe(): SpireServerDescription {
    return {
      trustDomain: this.trustDomain,
      ...(this.jwtIssuer !== undefined ? { jwtIssuer: this.jwtIssuer } : {}),
      ...(this.defaultX509SvidTtlSeconds !== undefined ? { defaultX509SvidTtlSeconds: this.defaultX509SvidTtlSeconds } : {}),
      ...(this.defaultJwtSvidTtlSeconds !== undefined ? { defaultJwtSvidTtlSeconds: this.defaultJwtSvidTtlSeconds } : {}),
    };
  }

  /** Rebuilds a server from its description, validating it again. */
  public static fromDescription(description: SpireServerDescription): SpireServer {
    const lifetime = (s: number | undefined) => (s === undefined ? undefined : { toSeconds: () => s });
    return new SpireServer({
      trustDomain: description.trustDomain,
      jwtIssuer: description.jwtIssuer,
      defaultX509SvidTtl: lifetime(description.defaultX509SvidTtlSeconds),
      defaultJwtSvidTtl: lifetime(description.defaultJwtSvidTtlSeconds),
    });
  }
}
