import { SpireServerDescription } from './spire-server';
import { SvidPresentationDescription } from './svid-presentation';

/** A mismatch between a SPIFFE ID's trust domain and where its SVIDs are issued or presented. */
export interface TrustDomainMismatch {
  /** `violation`: they do not match; `unjudgeable`: the input does not say. */
  readonly outcome: 'violation' | 'unjudgeable';
  /** Which declaration it is about: `server`, `presentedTo/<i>`. */
  readonly field: string;
  readonly problem: string;
}

/**
 * Whether SVIDs of `trustDomain` are issued by the declared server and presented to anchors and
 * issuers of that same trust domain. The SPIRE server's CA bundle is what an X.509 relying party
 * (IAM Roles Anywhere) anchors to, and every CA SPIRE makes names its trust domain in a
 * `spiffe://` URI SAN; its OIDC discovery provider's issuer is what GCP and Azure trust. An anchor
 * or issuer of another trust domain lets whoever runs that other SPIRE — a staging server, say —
 * mint the identity.
 *
 * @param servers every server the input declares, to recognise another trust domain's issuer
 */
export function trustDomainMismatches(
  trustDomain: string,
  server: SpireServerDescription | undefined,
  presentedTo: readonly SvidPresentationDescription[],
  servers: readonly SpireServerDescription[],
): TrustDomainMismatch[] {
  const found: TrustDomainMismatch[] = [];
  if (server && server.trustDomain !== trustDomain) {
    found.push({ outcome: 'violation', field: 'server', problem: `is registered on the SPIRE server of trust domain ${server.trustDomain}, which issues only spiffe://${server.trustDomain}/… IDs` });
  }
  const known = [...(server ? [server] : []), ...servers];
  presentedTo.forEach((p, i) => {
    const field = `presentedTo/${i}`;
    if (p.kind === 'x509-trust-anchor') {
      const others = p.anchorTrustDomains.filter((d) => d !== trustDomain);
      if (others.length > 0) {
        found.push({ outcome: 'violation', field, problem: `is presented to ${p.name}, whose trust anchor is (or includes) the CA of trust domain ${others.join(', ')}: that SPIRE server can mint the identity` });
      } else if (p.anchorTrustDomains.length === 0) {
        found.push({ outcome: 'unjudgeable', field, problem: `is presented to ${p.name}, whose CA certificates name no SPIFFE trust domain (an upstream CA?), so the anchor cannot be matched to trust domain ${trustDomain}` });
      }
      return;
    }
    const ownServer = known.find((s) => s.trustDomain === trustDomain && s.jwtIssuer !== undefined);
    const otherServer = known.find((s) => s.trustDomain !== trustDomain && s.jwtIssuer === p.issuer);
    if (otherServer) {
      found.push({ outcome: 'violation', field, problem: `is presented to ${p.name}, which trusts issuer ${p.issuer} — the OIDC issuer of trust domain ${otherServer.trustDomain}` });
    } else if (ownServer && ownServer.jwtIssuer !== p.issuer) {
      found.push({ outcome: 'violation', field, problem: `is presented to ${p.name}, which trusts issuer ${p.issuer}, not ${ownServer.jwtIssuer}, the jwt_issuer of trust domain ${trustDomain}` });
    } else if (!ownServer) {
      found.push({ outcome: 'unjudgeable', field, problem: `is presented to ${p.name}, which trusts issuer ${p.issuer}; no SPIRE server of trust domain ${trustDomain} with a jwtIssuer is declared to match it against` });
    }
  });
  return found;
}
