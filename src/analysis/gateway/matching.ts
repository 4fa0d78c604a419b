/**
 * One HTTPRoute or GRPCRoute match against one request (apis/v1/httproute_types.go HTTPRouteMatch,
 * HTTPPathMatch, HTTPHeaderMatch, HTTPQueryParamMatch, HTTPMethod; grpcroute_types.go
 * GRPCRouteMatch), and the precedence key the specification ranks matches by.
 *
 * - Path: Exact compares the whole path, case-sensitively (`/abc` is not `/abc/`); PathPrefix
 *   compares `/`-separated elements, a trailing `/` ignored (`/abc` matches `/abc`, `/abc/`,
 *   `/abc/def`, not `/abcd`); RegularExpression is implementation-specific (dialect and
 *   precedence): here a whole-path match in JavaScript's dialect, ranked after Exact and before
 *   PathPrefix (longer pattern first), as Envoy Gateway ranks it, and always named as
 *   implementation-specific.
 * - Headers: names case-insensitive, only the first entry of an equivalent name counts; values
 *   exact (or a whole-value regular expression, implementation-specific).
 * - Query parameters: names exact; the first value of a repeated parameter (the recommendation).
 * - Method: equal.
 * - gRPC: service and method from the path `/<service>/<method>`, exact (or regex).
 */
import type { GRPCRouteMatch, HTTPRouteMatch } from './types.ts';

export interface MatchRequest {
  /** Without query string. */
  readonly path: string;
  readonly method: string;
  /** Lower-case names. */
  readonly headers: ReadonlyMap<string, readonly string[]>;
  readonly query: ReadonlyMap<string, readonly string[]>;
}

/** What ranks a matching match against others (better first in compareMatchRank). */
export interface MatchRank {
  readonly pathKind: 'Exact' | 'PathPrefix' | 'RegularExpression';
  readonly pathLength: number;
  readonly method: boolean;
  readonly headers: number;
  readonly queryParams: number;
  /** gRPC only: characters of the matching service and method. */
  readonly grpcService: number;
  readonly grpcMethod: number;
}

export type MatchResult =
  | {
      readonly matches: true;
      readonly rank: MatchRank;
      /** "PathPrefix /api", "Exact /login, method POST, 1 header". */
      readonly text: string;
      /** What in this match is implementation-specific (regular expressions). */
      readonly implementationSpecific: readonly string[];
    }
  | { readonly matches: false; readonly text: string; readonly reason: string };

const PATH_KIND_ORDER = { Exact: 0, RegularExpression: 1, PathPrefix: 2 } as const;

/** Better first: Exact, (regex), longer PathPrefix, method, more headers, more query params; gRPC: service, method, headers. */
export function compareMatchRank(a: MatchRank, b: MatchRank): number {
  return (
    PATH_KIND_ORDER[a.pathKind] - PATH_KIND_ORDER[b.pathKind] ||
    b.pathLength - a.pathLength ||
    b.grpcService - a.grpcService ||
    b.grpcMethod - a.grpcMethod ||
    Number(b.method) - Number(a.method) ||
    b.headers - a.headers ||
    b.queryParams - a.queryParams
  );
}

function wholeMatch(pattern: string, value: string): { readonly ok: boolean; readonly error?: string } {
  try {
    return { ok: new RegExp(`^(?:${pattern})$`).test(value) };
  } catch (error) {
    return { ok: false, error: `invalid regular expression ${pattern}: ${(error as Error).message}` };
  }
}

function trimTrailingSlashes(value: string): string {
  let end = value.length;
  while (end > 0 && value[end - 1] === '/') {
    end -= 1;
  }
  return value.slice(0, end);
}

/** Whether a path match takes a request path, and if not why. */
export function matchPathValue(
  type: string,
  value: string,
  path: string,
): { readonly ok: true } | { readonly ok: false; readonly reason: string } {
  switch (type) {
    case 'Exact':
      return path === value ? { ok: true } : { ok: false, reason: `path ${path} is not exactly ${value}` };
    case 'PathPrefix': {
      const prefix = trimTrailingSlashes(value);
      if (prefix === '' || path === prefix || path.startsWith(`${prefix}/`)) {
        return { ok: true };
      }
      const hint = path.startsWith(prefix)
        ? ` (a string prefix is not enough: PathPrefix compares whole path elements)`
        : '';
      return { ok: false, reason: `path ${path} is not under ${value}${hint}` };
    }
    case 'RegularExpression': {
      const result = wholeMatch(value, path);
      return result.ok
        ? { ok: true }
        : {
            ok: false,
            reason: result.error ?? `path ${path} does not match the regular expression ${value}`,
          };
    }
    default:
      return { ok: false, reason: `path match type ${type} is not supported` };
  }
}

/** Values of a header, or undefined when the request does not carry it. */
function headerValues(request: MatchRequest, name: string): readonly string[] | undefined {
  return request.headers.get(name.toLowerCase());
}

function firstByName<T extends { readonly name: string }>(
  entries: readonly T[],
  key: (name: string) => string,
): T[] {
  const seen = new Set<string>();
  const kept: T[] = [];
  for (const entry of entries) {
    const k = key(entry.name);
    if (!seen.has(k)) {
      seen.add(k);
      kept.push(entry);
    }
  }
  return kept;
}

function headerProblems(
  headers: readonly { readonly type?: string; readonly name: string; readonly value: string }[],
  request: MatchRequest,
  specific: string[],
): string[] {
  const problems: string[] = [];
  for (const header of firstByName(headers, (n) => n.toLowerCase())) {
    const values = headerValues(request, header.name);
    const type = header.type ?? 'Exact';
    if (type === 'RegularExpression') {
      specific.push(`header ${header.name} regular expression ${header.value}`);
    }
    if (values === undefined) {
      problems.push(`header ${header.name} is missing (wanted ${header.value})`);
      continue;
    }
    const ok = values.some((v) =>
      type === 'RegularExpression' ? wholeMatch(header.value, v).ok : v === header.value,
    );
    if (!ok) {
      problems.push(
        `header ${header.name} is ${values.join(', ')}, not ${type === 'RegularExpression' ? `matching ${header.value}` : header.value}`,
      );
    }
  }
  return problems;
}

/** One HTTPRouteMatch (absent fields defaulted: PathPrefix "/") against a request. */
export function matchHttp(match: HTTPRouteMatch | undefined, request: MatchRequest): MatchResult {
  const pathType = match?.path?.type ?? 'PathPrefix';
  const pathValue = match?.path?.value ?? '/';
  const headers = firstByName(match?.headers ?? [], (n) => n.toLowerCase());
  const queryParams = firstByName(match?.queryParams ?? [], (n) => n);
  const parts = [`${pathType} ${pathValue}`];
  if (match?.method !== undefined) {
    parts.push(`method ${match.method}`);
  }
  if (headers.length > 0) {
    parts.push(
      `${headers.length} header${headers.length === 1 ? '' : 's'} (${headers.map((h) => `${h.name}: ${h.value}`).join(', ')})`,
    );
  }
  if (queryParams.length > 0) {
    parts.push(
      `${queryParams.length} query param${queryParams.length === 1 ? '' : 's'} (${queryParams.map((q) => `${q.name}=${q.value}`).join(', ')})`,
    );
  }
  const text = parts.join(', ');
  const specific: string[] = [];
  if (pathType === 'RegularExpression') {
    specific.push(`path regular expression ${pathValue}`);
  }
  const problems: string[] = [];
  const path = matchPathValue(pathType, pathValue, request.path);
  if (!path.ok) {
    problems.push(path.reason);
  }
  if (match?.method !== undefined && match.method !== request.method) {
    problems.push(`method ${request.method} is not ${match.method}`);
  }
  problems.push(...headerProblems(headers, request, specific));
  for (const query of queryParams) {
    const type = query.type ?? 'Exact';
    if (type === 'RegularExpression') {
      specific.push(`query param ${query.name} regular expression ${query.value}`);
    }
    const value = request.query.get(query.name)?.[0];
    if (value === undefined) {
      problems.push(`query param ${query.name} is missing (wanted ${query.value})`);
    } else if (type === 'RegularExpression' ? !wholeMatch(query.value, value).ok : value !== query.value) {
      problems.push(`query param ${query.name} is ${value}, not ${query.value}`);
    }
  }
  if (problems.length > 0) {
    return { matches: false, text, reason: problems.join('; ') };
  }
  return {
    matches: true,
    text,
    implementationSpecific: specific,
    rank: {
      pathKind: pathType as MatchRank['pathKind'],
      pathLength: pathValue.length,
      method: match?.method !== undefined,
      headers: headers.length,
      queryParams: queryParams.length,
      grpcService: 0,
      grpcMethod: 0,
    },
  };
}

/** The gRPC service and method of a request path `/<service>/<method>`. */
export function grpcTarget(path: string): { readonly service: string; readonly method: string } | undefined {
  const match = /^\/([^/]+)\/([^/]+)$/.exec(path);
  return match === null ? undefined : { service: match[1]!, method: match[2]! };
}

/** One GRPCRouteMatch (absent: every call) against a request. */
export function matchGrpc(match: GRPCRouteMatch | undefined, request: MatchRequest): MatchResult {
  const target = grpcTarget(request.path);
  const type = match?.method?.type ?? 'Exact';
  const service = match?.method?.service;
  const method = match?.method?.method;
  const headers = firstByName(match?.headers ?? [], (n) => n.toLowerCase());
  const text = [
    service !== undefined || method !== undefined
      ? `${type} ${service ?? '*'}/${method ?? '*'}`
      : 'every call',
    headers.length > 0 ? `${headers.length} header${headers.length === 1 ? '' : 's'}` : undefined,
  ]
    .filter((x) => x !== undefined)
    .join(', ');
  const specific: string[] =
    type === 'RegularExpression' ? [`gRPC method regular expression ${service ?? ''}/${method ?? ''}`] : [];
  const problems: string[] = [];
  if (service !== undefined || method !== undefined) {
    if (target === undefined) {
      problems.push(`path ${request.path} is not a gRPC call /<service>/<method>`);
    } else {
      const test = (want: string, got: string): boolean =>
        type === 'RegularExpression' ? wholeMatch(want, got).ok : want === got;
      if (service !== undefined && !test(service, target.service)) {
        problems.push(`service ${target.service} is not ${service}`);
      }
      if (method !== undefined && !test(method, target.method)) {
        problems.push(`method ${target.method} is not ${method}`);
      }
    }
  }
  problems.push(...headerProblems(headers, request, specific));
  if (problems.length > 0) {
    return { matches: false, text, reason: problems.join('; ') };
  }
  return {
    matches: true,
    text,
    implementationSpecific: specific,
    rank: {
      pathKind: 'PathPrefix',
      pathLength: 0,
      method: false,
      headers: headers.length,
      queryParams: 0,
      grpcService: service?.length ?? 0,
      grpcMethod: method?.length ?? 0,
    },
  };
}
