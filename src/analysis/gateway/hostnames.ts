/**
 * Gateway API hostnames (apis/v1/shared_types.go `Hostname`; httproute_types.go `Hostnames`;
 * gateway_types.go `Listener.Hostname` and "Listeners that are distinct only by Hostname"):
 *
 * - Syntax: an RFC 1123 hostname, not an IP, optionally prefixed by one wildcard label `*.`.
 * - A wildcard is a suffix match of one or more labels: `*.example.com` matches `test.example.com`
 *   and `foo.test.example.com`, not `example.com` (unlike Ingress, where it is exactly one label).
 * - A route attaches to a listener only if their hostnames intersect; the hostnames it serves
 *   there are the intersection (a route's `*.specific.com` on a listener `very.specific.com`
 *   serves `very.specific.com`; a route's `foo.wildcard.io` on `*.wildcard.io` serves itself).
 * - Listener precedence for a request: exact, then wildcards by the number of dots right of the
 *   `*` (more first), then the listener without hostname.
 * - Route precedence across routes: the most characters in a matching non-wildcard hostname,
 *   then the most characters in a matching hostname.
 */

const LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
/** The CRD's pattern for Hostname. */
const HOSTNAME_RE = new RegExp(`^(\\*\\.)?${LABEL}(\\.${LABEL})*$`);
const IPV4_RE = /^\d{1,3}(\.\d{1,3}){3}$/;

/** Why a hostname is not a valid Gateway API Hostname; empty when it is. */
export function validateHostname(hostname: string): string[] {
  const errors: string[] = [];
  if (hostname === '') {
    return ['a hostname must not be empty'];
  }
  if (hostname.length > 253) {
    errors.push('must be no more than 253 characters');
  }
  if (IPV4_RE.test(hostname) || hostname.includes(':')) {
    errors.push(`${hostname} is an IP address; hostnames must be DNS names`);
    return errors;
  }
  if (hostname !== hostname.toLowerCase()) {
    errors.push(`${hostname} has upper-case letters; hostnames are lower case`);
  }
  if (hostname.includes('*') && !/^\*\.[^*]+$/.test(hostname)) {
    errors.push(`the wildcard in ${hostname} must be the whole first label ("*.example.com")`);
  } else if (!HOSTNAME_RE.test(hostname.toLowerCase())) {
    errors.push(
      `${hostname} is not an RFC 1123 hostname (lower-case alphanumerics and '-', labels separated by '.', each starting and ending with an alphanumeric)`,
    );
  }
  return errors;
}

export function isWildcard(hostname: string): boolean {
  return hostname.startsWith('*.');
}

/**
 * Whether a hostname pattern (precise or wildcard) matches a request's host name. The host must
 * already be normalised (lower case, no port, no trailing dot: see normalizeRequestHost).
 */
export function hostnameMatches(pattern: string, host: string): boolean {
  const rule = pattern.toLowerCase();
  if (!isWildcard(rule)) {
    return rule === host;
  }
  const suffix = rule.slice(1); // ".example.com"
  return host.length > suffix.length && host.endsWith(suffix);
}

/**
 * The intersection of two hostnames, each precise or wildcard: the more specific of the two when
 * one covers the other, else undefined. Symmetric.
 */
export function intersectHostname(a: string, b: string): string | undefined {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  if (x === y) {
    return x;
  }
  const coveredBy = (inner: string, outer: string): boolean => {
    if (!isWildcard(outer)) {
      return false;
    }
    // A wildcard covers a precise name under it, and a wildcard whose suffix is under its own.
    const probe = isWildcard(inner) ? inner.slice(2) : inner;
    return isWildcard(inner) ? probe.endsWith(outer.slice(1)) : hostnameMatches(outer, probe);
  };
  if (coveredBy(x, y)) {
    return x;
  }
  if (coveredBy(y, x)) {
    return y;
  }
  return undefined;
}

export type HostnameIntersection =
  /** Neither the listener nor the route names a hostname: every host. */
  | { readonly kind: 'any' }
  | {
      readonly kind: 'some';
      /** The hostnames the route serves on this listener (deduplicated, in the route's order). */
      readonly hostnames: readonly string[];
      /** Route hostnames ignored on this listener because they do not match its hostname. */
      readonly ignored: readonly string[];
    }
  | {
      readonly kind: 'none';
      /** A sentence: which route hostnames do not match which listener hostname. */
      readonly reason: string;
    };

/** What a route with these hostnames serves on a listener with this hostname. */
export function intersectListenerAndRoute(
  listenerHostname: string | undefined,
  routeHostnames: readonly string[] | undefined,
): HostnameIntersection {
  const listener = listenerHostname === undefined || listenerHostname === '' ? undefined : listenerHostname;
  const route = (routeHostnames ?? []).filter((h) => h !== '');
  if (listener === undefined) {
    return route.length === 0 ? { kind: 'any' } : { kind: 'some', hostnames: dedupe(route), ignored: [] };
  }
  if (route.length === 0) {
    return { kind: 'some', hostnames: [listener.toLowerCase()], ignored: [] };
  }
  const served: string[] = [];
  const ignored: string[] = [];
  for (const hostname of route) {
    const common = intersectHostname(listener, hostname);
    if (common === undefined) {
      ignored.push(hostname);
    } else {
      served.push(common);
    }
  }
  if (served.length === 0) {
    const names = route.join(', ');
    return {
      kind: 'none',
      reason: `${route.length === 1 ? 'hostname' : 'hostnames'} ${names} ${route.length === 1 ? 'does' : 'do'} not match ${listener}`,
    };
  }
  return { kind: 'some', hostnames: dedupe(served), ignored };
}

function dedupe(values: readonly string[]): string[] {
  return [...new Set(values.map((v) => v.toLowerCase()))];
}

/**
 * A listener's rank among listeners on one port for a request host: higher wins. Exact first,
 * then wildcards by the number of dots right of the `*`, then the listener without hostname.
 */
export function listenerHostnameRank(hostname: string | undefined): number {
  if (hostname === undefined || hostname === '') {
    return 0;
  }
  if (isWildcard(hostname)) {
    return 1 + hostname.split('.').length - 1;
  }
  return 10_000;
}

/** How a route's served hostname ranks for a request it matches (httproute_types.go Hostnames). */
export interface HostnamePrecedence {
  /** Characters in the matching non-wildcard hostname; 0 when the match is a wildcard or none. */
  readonly preciseLength: number;
  /** Characters in the matching hostname (0 for a route that serves every host). */
  readonly length: number;
  /** The hostname that matched; undefined for a route serving every host. */
  readonly hostname: string | undefined;
}

/** Which served hostname of a route matches the host best, or undefined if none matches. */
export function bestHostnameMatch(
  served: HostnameIntersection,
  host: string | undefined,
): HostnamePrecedence | undefined {
  if (served.kind === 'none') {
    return undefined;
  }
  if (served.kind === 'any') {
    return { preciseLength: 0, length: 0, hostname: undefined };
  }
  let best: HostnamePrecedence | undefined;
  for (const hostname of served.hostnames) {
    if (host === undefined || !hostnameMatches(hostname, host)) {
      continue;
    }
    const candidate = {
      preciseLength: isWildcard(hostname) ? 0 : hostname.length,
      length: hostname.length,
      hostname,
    };
    if (best === undefined || compareHostnamePrecedence(candidate, best) < 0) {
      best = candidate;
    }
  }
  return best;
}

/** Better first. */
export function compareHostnamePrecedence(a: HostnamePrecedence, b: HostnamePrecedence): number {
  return b.preciseLength - a.preciseLength || b.length - a.length;
}
