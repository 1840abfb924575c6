/**
 * OIDC issuer URLs as GCP workload identity federation and Entra federated identity credentials
 * compare them: byte for byte with the token's `iss` claim. A trailing slash, an uppercase host
 * or an explicit `:443` that the issuer does not write makes every exchange fail
 * (AADSTS700211 on Azure, "issuer … does not match" on GCP), and only at run time.
 * Shared by the GCP and Azure constructs and rules; imports nothing from cdktf.
 */

/** What is wrong with an issuer, and how to fix it. */
export interface IssuerProblem {
  readonly problem: string;
  readonly fix: string;
}

export interface IssuerCheckOptions {
  /** The longest issuer the cloud accepts (Entra: 600 characters). */
  readonly maxLength?: number;
  /** Whether an issuer that is a bare origin with a trailing slash was opted into, with a reason. */
  readonly trailingSlashAllowed?: boolean;
}

/**
 * The first problem of an issuer URL, or undefined when it is an https URL in the normal form
 * issuers write (lowercase scheme and host, no default port, no user info, query, fragment,
 * wildcard, whitespace or dot segments, and no trailing slash after a bare host).
 */
export function issuerProblem(issuer: unknown, options: IssuerCheckOptions = {}): IssuerProblem | undefined {
  if (typeof issuer !== 'string' || issuer.length === 0) {
    return { problem: 'is empty', fix: 'give the issuer exactly as the `iss` claim of its tokens carries it, e.g. "https://oidc.prod.example"' };
  }
  if (/\s/.test(issuer)) {
    return { problem: 'contains whitespace, so it can never equal a token’s `iss`', fix: 'remove the whitespace' };
  }
  if (options.maxLength !== undefined && issuer.length > options.maxLength) {
    return { problem: `is ${issuer.length} characters, more than the ${options.maxLength} allowed`, fix: 'use the issuer’s shorter canonical URL' };
  }
  if (issuer.includes('*')) {
    return { problem: 'contains "*"; issuers are matched exactly, wildcards are not supported', fix: 'give one exact issuer per credential' };
  }
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return { problem: 'is not an absolute URL', fix: 'write it as https://<host>[/<path>]' };
  }
  if (!issuer.startsWith('https://')) {
    return {
      problem: `uses ${url.protocol.replace(/:$/, '')} (or a non-lowercase scheme); both clouds require an https issuer, written in lowercase`,
      fix: 'serve the issuer’s discovery document over https and use its https URL',
    };
  }
  const authority = issuer.slice('https://'.length).split(/[/?#]/)[0];
  if (authority.includes('@')) return { problem: 'has user info before the host', fix: 'remove the "user@" part' };
  if (authority !== authority.toLowerCase()) {
    return { problem: 'has uppercase letters in its host; tokens carry the host as the issuer writes it, in lowercase', fix: `write the host in lowercase: ${authority.toLowerCase()}` };
  }
  if (/:443$/.test(authority)) return { problem: 'names the default port :443, which the token’s `iss` does not', fix: 'remove ":443"' };
  if (url.search || issuer.includes('?')) return { problem: 'has a query string', fix: 'remove the "?…" part' };
  if (url.hash || issuer.includes('#')) return { problem: 'has a fragment', fix: 'remove the "#…" part' };
  const path = issuer.slice('https://'.length + authority.length);
  if (/(^|\/)\.\.?(\/|$)/.test(path) || path.includes('//')) {
    return { problem: 'has "." / ".." segments or an empty segment ("//") in its path', fix: 'write the issuer’s canonical path' };
  }
  if (path === '/' && !options.trailingSlashAllowed) {
    return {
      problem: 'ends with a slash after the host; issuers named by their host (SPIRE’s jwt_issuer, GitHub, Entra) write none, and a trailing-slash mismatch fails every exchange (AADSTS700211)',
      fix: `remove the trailing slash ("${issuer.slice(0, -1)}"), or, if the issuer’s discovery document really says so, opt in with a trailing-slash reason`,
    };
  }
  return undefined;
}

/** The issuer without a trailing slash: two issuers that differ only by one have drifted. */
export function issuerWithoutTrailingSlash(issuer: string): string {
  return issuer.endsWith('/') ? issuer.slice(0, -1) : issuer;
}
