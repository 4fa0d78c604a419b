/**
 * What an HTTPRoute rule's filters do to a request it serves (apis/v1/httproute_types.go
 * HTTPRouteFilter): RequestRedirect (Core: hostname, statusCode 301/302; Extended: scheme, port,
 * path, other codes) answers with a Location; URLRewrite (Extended) changes the host and path
 * sent to the backend; RequestHeaderModifier (Core) sets, adds and removes request headers;
 * ResponseHeaderModifier (Extended) the response's. ReplacePrefixMatch follows the table in
 * HTTPPathModifier. Other filter types (mirrors, CORS, extension refs) are reported, not applied.
 */
import type { RouteFilter } from './types.ts';

export interface HeaderChanges {
  readonly set: readonly { readonly name: string; readonly value: string }[];
  readonly add: readonly { readonly name: string; readonly value: string }[];
  readonly remove: readonly string[];
}

export type FilterEffect =
  | {
      readonly kind: 'redirect';
      readonly statusCode: number;
      readonly location: string;
    }
  | {
      readonly kind: 'forward';
      /** The Host to send to the backend (changed by URLRewrite), or the request's. */
      readonly host: string | undefined;
      /** The path and query to send to the backend. */
      readonly path: string;
      readonly requestHeaders: HeaderChanges;
      readonly responseHeaders: HeaderChanges;
      /** Filter types present but not applied here, named. */
      readonly notApplied: readonly string[];
    };

interface PathModifier {
  readonly type?: string;
  readonly replaceFullPath?: string;
  readonly replacePrefixMatch?: string;
}

function trimTrailingSlashes(value: string): string {
  return value.replace(/\/+$/, '');
}

/**
 * A path after a ReplaceFullPath or ReplacePrefixMatch modifier; `matchedPrefix` is the
 * PathPrefix value the rule matched (ReplacePrefixMatch needs one). Undefined when the modifier
 * cannot apply (no prefix match, unknown type).
 */
export function modifyPath(
  path: string,
  modifier: PathModifier,
  matchedPrefix: string | undefined,
): string | undefined {
  if (modifier.type === 'ReplaceFullPath') {
    return modifier.replaceFullPath ?? '/';
  }
  if (modifier.type === 'ReplacePrefixMatch') {
    if (matchedPrefix === undefined) {
      return undefined;
    }
    const prefix = trimTrailingSlashes(matchedPrefix);
    const remainder = path.slice(prefix.length);
    const result = trimTrailingSlashes(modifier.replacePrefixMatch ?? '') + remainder;
    return result === '' ? '/' : result;
  }
  return undefined;
}

function splitQuery(target: string): { readonly path: string; readonly query: string } {
  const cut = target.indexOf('?');
  return cut < 0 ? { path: target, query: '' } : { path: target.slice(0, cut), query: target.slice(cut) };
}

const WELL_KNOWN: Readonly<Record<string, number>> = { http: 80, https: 443 };

function headerChanges(modifier: unknown): HeaderChanges {
  const m = (modifier ?? {}) as {
    set?: { name: string; value: string }[];
    add?: { name: string; value: string }[];
    remove?: string[];
  };
  return { set: m.set ?? [], add: m.add ?? [], remove: m.remove ?? [] };
}

const NO_CHANGES: HeaderChanges = { set: [], add: [], remove: [] };

export interface FilterRequest {
  /** http or https: the listener's protocol. */
  readonly scheme: 'http' | 'https';
  /** The Host header without port. */
  readonly host: string | undefined;
  /** The listener port. */
  readonly port: number;
  /** Path and query as received. */
  readonly target: string;
  /** The PathPrefix value of the match that chose the rule, if it was a PathPrefix match. */
  readonly matchedPrefix: string | undefined;
}

/** What the filters of a rule (in order) do with a request. */
export function applyFilters(
  filters: readonly RouteFilter[] | undefined,
  request: FilterRequest,
): FilterEffect {
  const { path, query } = splitQuery(request.target);
  let host = request.host;
  let rewritten = path;
  let requestHeaders = NO_CHANGES;
  let responseHeaders = NO_CHANGES;
  const notApplied: string[] = [];
  for (const filter of filters ?? []) {
    switch (filter.type) {
      case 'RequestRedirect': {
        const redirect = (filter['requestRedirect'] ?? {}) as {
          scheme?: string;
          hostname?: string;
          port?: number;
          statusCode?: number;
          path?: PathModifier;
        };
        const scheme = redirect.scheme ?? request.scheme;
        const port =
          redirect.port ??
          (redirect.scheme !== undefined ? (WELL_KNOWN[scheme] ?? request.port) : request.port);
        const hostname = redirect.hostname ?? request.host ?? '';
        const newPath =
          redirect.path === undefined
            ? path
            : (modifyPath(path, redirect.path, request.matchedPrefix) ?? path);
        const showPort = WELL_KNOWN[scheme] !== port;
        return {
          kind: 'redirect',
          statusCode: redirect.statusCode ?? 302,
          location: `${scheme}://${hostname}${showPort ? `:${port}` : ''}${newPath}${query}`,
        };
      }
      case 'URLRewrite': {
        const rewrite = (filter['urlRewrite'] ?? {}) as { hostname?: string; path?: PathModifier };
        host = rewrite.hostname ?? host;
        if (rewrite.path !== undefined) {
          rewritten = modifyPath(rewritten, rewrite.path, request.matchedPrefix) ?? rewritten;
        }
        break;
      }
      case 'RequestHeaderModifier':
        requestHeaders = headerChanges(filter['requestHeaderModifier']);
        break;
      case 'ResponseHeaderModifier':
        responseHeaders = headerChanges(filter['responseHeaderModifier']);
        break;
      default:
        notApplied.push(filter.type);
    }
  }
  return { kind: 'forward', host, path: `${rewritten}${query}`, requestHeaders, responseHeaders, notApplied };
}
