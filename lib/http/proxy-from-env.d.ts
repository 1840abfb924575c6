// proxy-from-env ships no types; this is its one function (https://github.com/Rob--W/proxy-from-env).
declare module 'proxy-from-env' {
  /** The proxy URL for a URL from *_PROXY and NO_PROXY, or '' when it goes direct. */
  export function getProxyForUrl(url: string | URL, options?: { env?: NodeJS.ProcessEnv }): string;
}
