/**
 * The HTTPRoute filters the sandbox's gateway proxy applies, as the specification defines them:
 * RequestRedirect (core), RequestHeaderModifier and ResponseHeaderModifier (core), URLRewrite
 * (extended: hostname and path). RequestMirror and ExtensionRef are not applied. Pure: the proxy
 * passes the request's parts in and applies what comes out.
 */
import type { RouteFilter } from '../../src/analysis/gateway/index.ts';

export interface PathModifier {
  readonly type?: string;
  readonly replaceFullPath?: string;
  readonly replacePrefixMatch?: string;
}

interface HeaderModifier {
  readonly set?: ReadonlyArray<{ name: string; value: string }>;
  readonly add?: ReadonlyArray<{ name: string; value: string }>;
  readonly remove?: readonly string[];
}

export function filterOf(
  filters: readonly RouteFilter[] | undefined,
  type: string,
): Record<string, unknown> | undefined {
  const filter = filters?.find((f) => f.type === type);
  if (!filter) {
    return undefined;
  }
  // The field is the type with a lower-case first word: requestRedirect, urlRewrite.
  const key = type === 'URLRewrite' ? 'urlRewrite' : type.charAt(0).toLowerCase() + type.slice(1);
  return (filter[key] as Record<string, unknown> | undefined) ?? {};
}

/**
 * A path after a path modifier. ReplacePrefixMatch replaces the matched prefix (by path elements),
 * keeping the rest; the query string is kept either way.
 */
export function modifyPath(
  target: string,
  modifier: PathModifier | undefined,
  matchedPrefix: string | undefined,
): string {
  const cut = target.search(/[?#]/);
  const path = cut >= 0 ? target.slice(0, cut) : target;
  const query = cut >= 0 ? target.slice(cut) : '';
  if (!modifier) {
    return target;
  }
  if (modifier.type === 'ReplaceFullPath' && modifier.replaceFullPath !== undefined) {
    return modifier.replaceFullPath + query;
  }
  if (modifier.type === 'ReplacePrefixMatch' && modifier.replacePrefixMatch !== undefined) {
    const prefix = (matchedPrefix ?? '/').replace(/\/+$/, '');
    const rest = path.slice(prefix.length);
    const replacement = modifier.replacePrefixMatch.replace(/\/+$/, '');
    const joined = replacement + (rest.startsWith('/') || rest === '' ? rest : `/${rest}`);
    return (joined === '' ? '/' : joined) + query;
  }
  return target;
}

/** The Location and status of a RequestRedirect, from the request's Host, path and listener port. */
export function redirectOf(
  redirect: Record<string, unknown>,
  request: {
    host: string | undefined;
    target: string;
    listenerPort: number;
    matchedPrefix: string | undefined;
  },
): { status: number; location: string } {
  const scheme = typeof redirect.scheme === 'string' ? redirect.scheme : 'http';
  const hostname =
    typeof redirect.hostname === 'string' ? redirect.hostname : (request.host ?? '').replace(/:\d+$/, '');
  const wellKnown = scheme === 'https' ? 443 : scheme === 'http' ? 80 : undefined;
  const port =
    typeof redirect.port === 'number'
      ? redirect.port
      : typeof redirect.scheme === 'string'
        ? (wellKnown ?? request.listenerPort)
        : request.listenerPort;
  const portText = port === wellKnown ? '' : `:${port}`;
  const path = modifyPath(request.target, redirect.path as PathModifier | undefined, request.matchedPrefix);
  const status = typeof redirect.statusCode === 'number' ? redirect.statusCode : 302;
  return { status, location: `${scheme}://${hostname}${portText}${path}` };
}

/** Applies a header modifier to a header map (lower-case names): set overwrites, add appends, remove drops. */
export function modifyHeaders(
  headers: Record<string, string | string[] | undefined>,
  modifier: Record<string, unknown> | undefined,
): void {
  if (!modifier) {
    return;
  }
  const { set, add, remove } = modifier as HeaderModifier;
  for (const { name, value } of set ?? []) {
    headers[name.toLowerCase()] = value;
  }
  for (const { name, value } of add ?? []) {
    const key = name.toLowerCase();
    const current = headers[key];
    headers[key] =
      current === undefined ? value : `${Array.isArray(current) ? current.join(',') : current},${value}`;
  }
  for (const name of remove ?? []) {
    delete headers[name.toLowerCase()];
  }
}
