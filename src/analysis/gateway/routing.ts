/**
 * Which listener, route, rule and backends of one Gateway serve a request, and why the others do
 * not, following the specification:
 *
 * 1. Listener (gateway_types.go "Listeners that are distinct only by Hostname", "General Listener
 *    behavior"): among the accepted listeners on the request's port, the one whose hostname
 *    matches the Host most specifically (exact, then wildcards with more dots right of the `*`,
 *    then no hostname). Only routes attached to that listener serve the request (listener
 *    isolation). No listener on the port: nothing answers; none matching the host: 404.
 * 2. Rule (httproute_types.go HTTPRouteRule.Matches, HTTPRouteSpec.Hostnames): across every rule
 *    of every attached route whose hostnames match the Host, the matching match with, in order:
 *    the most characters in a matching non-wildcard hostname, then in a matching hostname; an
 *    Exact path; the longest PathPrefix; a method; the most header matches; the most query param
 *    matches; then the oldest route (creationTimestamp), then `namespace/name` alphabetically,
 *    then the first rule and match in list order. RegularExpression paths are implementation-
 *    specific: ranked between Exact and PathPrefix (as Envoy Gateway does), and named so. GRPCRoutes serve gRPC requests
 *    (content-type application/grpc) with their own precedence (service, method, headers).
 *    Nothing matches: 404.
 * 3. Backends (backends.ts): weighted; invalid backends and all-zero weights answer 500.
 *
 * The hostname precedence is read as an order: a rule of a route with a less specific hostname
 * still serves a request that no rule of a more specific one matches. Implementations that build
 * one virtual host per hostname (Envoy-based ones) answer 404 instead; the decision says so when
 * it happens (`hostnameFallback`).
 *
 * Build the table once per change of the objects (buildGatewayRouteTable), then route each
 * request against it (routeGatewayRequest): the sandbox's proxy does so per connection.
 */
import { normalizeRequestHost } from '../ingress.ts';
import { attachedOn, attachRoute } from './attachment.ts';
import type { ParentAttachment } from './attachment.ts';
import { ruleBackends } from './backends.ts';
import type { RuleBackends } from './backends.ts';
import {
  bestHostnameMatch,
  compareHostnamePrecedence,
  hostnameMatches,
  listenerHostnameRank,
} from './hostnames.ts';
import type { HostnameIntersection, HostnamePrecedence } from './hostnames.ts';
import { DEFAULT_CAPABILITIES, listenerConflicts, listenerKinds } from './listeners.ts';
import type { GatewayCapabilities } from './listeners.ts';
import { compareMatchRank, matchGrpc, matchHttp } from './matching.ts';
import type { MatchRank, MatchRequest } from './matching.ts';
import { allRoutes, objectRef, refText } from './types.ts';
import type { AnyRoute, Gateway, GatewayWorld, Listener, ObjectRef } from './types.ts';

// ---------------------------------------------------------------------------------------------
// Requests

export interface GatewayRequest {
  /** The Host header (or :authority); a port in it is ignored. */
  readonly host?: string;
  /** The Gateway port the request arrived on. */
  readonly port: number;
  /** The request target: a path, optionally with a query string. */
  readonly path: string;
  /** Defaults to GET. */
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
  /** Query parameters; when absent, those of `path`'s query string. */
  readonly query?: Readonly<Record<string, string | readonly string[]>>;
}

function toMatchRequest(request: GatewayRequest): MatchRequest {
  const cut = request.path.search(/[?#]/);
  const path = cut >= 0 ? request.path.slice(0, cut) : request.path;
  const headers = new Map<string, string[]>();
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    const key = name.toLowerCase();
    headers.set(key, [...(headers.get(key) ?? []), ...(typeof value === 'string' ? [value] : value)]);
  }
  const query = new Map<string, string[]>();
  if (request.query !== undefined) {
    for (const [name, value] of Object.entries(request.query)) {
      query.set(name, typeof value === 'string' ? [value] : [...value]);
    }
  } else if (cut >= 0 && request.path[cut] === '?') {
    const text = request.path.slice(cut + 1).split('#')[0] ?? '';
    for (const [name, value] of new URLSearchParams(text)) {
      query.set(name, [...(query.get(name) ?? []), value]);
    }
  }
  return {
    path: path === '' ? '/' : path,
    method: (request.method ?? 'GET').toUpperCase(),
    headers,
    query,
  };
}

function isGrpc(request: MatchRequest): boolean {
  return (request.headers.get('content-type') ?? []).some((v) =>
    v.toLowerCase().startsWith('application/grpc'),
  );
}

// ---------------------------------------------------------------------------------------------
// The table

export interface TableRoute {
  readonly route: AnyRoute;
  readonly ref: ObjectRef;
  /** What the route serves on this listener. */
  readonly hostnames: HostnameIntersection;
  /** Rules dropped for unsupported values (PartiallyInvalid). */
  readonly droppedRules: ReadonlySet<number>;
}

export interface TableListener {
  readonly listener: Listener;
  /** Not accepted (unsupported protocol, conflicted): it serves nothing, and `why` says so. */
  readonly accepted: boolean;
  readonly why: string | undefined;
  /** Routes attached and accepted here, oldest first (then namespace/name). */
  readonly routes: readonly TableRoute[];
}

export interface GatewayRouteTable {
  readonly gateway: ObjectRef;
  readonly listeners: readonly TableListener[];
  /** The objects backends resolve against. */
  readonly world: Pick<GatewayWorld, 'services' | 'referenceGrants'>;
  /** Every route's attachment to this Gateway, for explanations of routes that are not in the table. */
  readonly attachments: ReadonlyMap<string, readonly ParentAttachment[]>;
}

function routeKey(route: AnyRoute): string {
  return `${route.kind} ${refText(objectRef(route.route))}`;
}

/** Oldest first, then namespace/name: the spec's tie-breaks across routes. */
export function compareRouteAge(a: AnyRoute, b: AnyRoute): number {
  const ta = a.route.metadata.creationTimestamp;
  const tb = b.route.metadata.creationTimestamp;
  if (ta !== tb) {
    if (ta === undefined) {
      return 1;
    }
    if (tb === undefined) {
      return -1;
    }
    return ta < tb ? -1 : 1;
  }
  const ra = refText(objectRef(a.route));
  const rb = refText(objectRef(b.route));
  return ra < rb ? -1 : ra > rb ? 1 : 0;
}

/** The routing table of one Gateway: its listeners and, for each, the routes attached to it. */
export function buildGatewayRouteTable(
  gateway: Gateway,
  world: GatewayWorld,
  capabilities: GatewayCapabilities = DEFAULT_CAPABILITIES,
): GatewayRouteTable {
  const ref = objectRef(gateway);
  const listeners = gateway.spec?.listeners ?? [];
  const conflicts = listenerConflicts(listeners);
  const routes = allRoutes(world).sort(compareRouteAge);
  const attachments = new Map<string, readonly ParentAttachment[]>();
  for (const route of routes) {
    attachments.set(routeKey(route), attachRoute(route, world, capabilities));
  }
  return {
    gateway: ref,
    world,
    attachments,
    listeners: listeners.map((listener): TableListener => {
      const conflict = conflicts.get(listener.name);
      const why = !listenerKinds(listener, capabilities).protocolSupported
        ? `its protocol ${listener.protocol} is not supported`
        : conflict?.conflicted
          ? `it is conflicted (${conflict.reason}: ${conflict.message})`
          : undefined;
      const attached = routes.flatMap((route): TableRoute[] => {
        const mine = attachments.get(routeKey(route)) ?? [];
        if (!attachedOn(mine, ref, listener.name)) {
          return [];
        }
        const on = mine.flatMap((a) =>
          a.kind === 'gateway' && refText(a.gateway) === refText(ref)
            ? a.listeners.filter((l) => l.listener === listener.name && l.state === 'attached')
            : [],
        );
        const dropped = mine.flatMap((a) =>
          a.kind === 'gateway' ? a.droppedRules.map((p) => p.ruleIndex) : [],
        );
        return [
          { route, ref: objectRef(route.route), hostnames: on[0]!.hostnames, droppedRules: new Set(dropped) },
        ];
      });
      return { listener, accepted: why === undefined, why, routes: attached };
    }),
  };
}

// ---------------------------------------------------------------------------------------------
// Decisions

export interface ListenerCandidate {
  readonly listener: string;
  readonly hostname: string | undefined;
  readonly chosen: boolean;
  /** Why it was not chosen; undefined for the chosen one. */
  readonly reason: string | undefined;
}

/** A rule match that lost, and to what or why. */
export interface RuleCandidate {
  readonly kind: AnyRoute['kind'];
  readonly route: ObjectRef;
  readonly ruleIndex: number;
  readonly matchIndex: number;
  /** "PathPrefix /api, method GET". */
  readonly match: string;
  /** Why it does not serve the request: it does not match, or a better match wins. */
  readonly reason: string;
}

interface DecisionBase {
  readonly request: {
    readonly host: string | undefined;
    readonly port: number;
    readonly path: string;
    readonly method: string;
    /** A gRPC call (content-type application/grpc*): "not found" is the gRPC status Unimplemented, not 404. */
    readonly grpc: boolean;
  };
  readonly gateway: ObjectRef;
  readonly listeners: readonly ListenerCandidate[];
  /** One paragraph in plain words. */
  readonly explanation: string;
}

export type GatewayRouteDecision =
  | (DecisionBase & {
      /** No accepted listener on the port: the connection is refused or reset. */
      readonly kind: 'no-listener';
    })
  | (DecisionBase & {
      /** Listeners on the port, none for this host: 404. */
      readonly kind: 'no-listener-host';
      readonly status: 404;
    })
  | (DecisionBase & {
      readonly kind: 'no-route';
      readonly status: 404;
      readonly listener: string;
      readonly candidates: readonly RuleCandidate[];
    })
  | (DecisionBase & {
      readonly kind: 'routed';
      readonly listener: string;
      readonly routeKind: AnyRoute['kind'];
      readonly route: ObjectRef;
      readonly ruleIndex: number;
      readonly matchIndex: number;
      readonly match: string;
      /** The winning match's path match (HTTPRoute only): a URLRewrite or redirect's ReplacePrefixMatch needs it. */
      readonly pathMatch: { readonly type: string; readonly value: string } | undefined;
      readonly hostname: string | undefined;
      readonly backends: RuleBackends;
      /** Every other rule match considered, with why it lost. */
      readonly losers: readonly RuleCandidate[];
      /** Regular expressions that took part in the decision: their dialect and precedence are the implementation's. */
      readonly implementationSpecific: readonly string[];
      /** A more specific hostname's routes matched the host but no rule of theirs matched (see the module comment). */
      readonly hostnameFallback: string | undefined;
    });

interface Scored {
  readonly table: TableRoute;
  readonly pathMatch: { readonly type: string; readonly value: string } | undefined;
  readonly ruleIndex: number;
  readonly matchIndex: number;
  readonly text: string;
  readonly hostname: HostnamePrecedence;
  readonly rank: MatchRank;
  readonly specific: readonly string[];
}

function compareScored(a: Scored, b: Scored): number {
  return (
    compareHostnamePrecedence(a.hostname, b.hostname) ||
    compareMatchRank(a.rank, b.rank) ||
    compareRouteAge(a.table.route, b.table.route) ||
    a.ruleIndex - b.ruleIndex ||
    a.matchIndex - b.matchIndex
  );
}

function lossReason(winner: Scored, loser: Scored): string {
  if (
    refText(winner.table.ref) === refText(loser.table.ref) &&
    winner.table.route.kind === loser.table.route.kind
  ) {
    if (compareHostnamePrecedence(winner.hostname, loser.hostname) !== 0) {
      return `hostname ${winner.hostname.hostname} is more specific than ${loser.hostname.hostname ?? 'every host'}`;
    }
    if (compareMatchRank(winner.rank, loser.rank) !== 0) {
      return `${rankWinText(winner.rank, loser.rank)} (rule ${winner.ruleIndex}, match ${winner.matchIndex} wins)`;
    }
    return `an earlier ${winner.ruleIndex === loser.ruleIndex ? 'match' : 'rule'} of the same route matches equally (rule ${winner.ruleIndex}, match ${winner.matchIndex})`;
  }
  const against = `${winner.table.route.kind} ${refText(winner.table.ref)}`;
  if (compareHostnamePrecedence(winner.hostname, loser.hostname) !== 0) {
    return `${against} has a more specific matching hostname (${winner.hostname.hostname} over ${loser.hostname.hostname ?? 'every host'})`;
  }
  if (compareMatchRank(winner.rank, loser.rank) !== 0) {
    return `${against} wins: ${rankWinText(winner.rank, loser.rank)}`;
  }
  const ta = winner.table.route.route.metadata.creationTimestamp;
  const tb = loser.table.route.route.metadata.creationTimestamp;
  if (ta !== tb) {
    return `${against} matches equally and is older (created ${ta ?? 'unknown'}, this one ${tb ?? 'unknown'})`;
  }
  return `${against} matches equally, is as old, and comes first alphabetically by namespace/name`;
}

function rankWinText(winner: MatchRank, loser: MatchRank): string {
  if (winner.pathKind !== loser.pathKind) {
    const regex = winner.pathKind === 'RegularExpression' || loser.pathKind === 'RegularExpression';
    return (
      `an ${winner.pathKind} path match beats a ${loser.pathKind} one` +
      (regex
        ? ' (the precedence of regular expressions is implementation-specific; here as in Envoy Gateway)'
        : '')
    );
  }
  if (winner.pathLength !== loser.pathLength) {
    return `a longer ${winner.pathKind} path (${winner.pathLength} characters against ${loser.pathLength})`;
  }
  if (winner.grpcService !== loser.grpcService) {
    return `a longer matching service (${winner.grpcService} characters against ${loser.grpcService})`;
  }
  if (winner.grpcMethod !== loser.grpcMethod) {
    return `a longer matching method (${winner.grpcMethod} characters against ${loser.grpcMethod})`;
  }
  if (winner.method !== loser.method) {
    return 'a method match beats none';
  }
  if (winner.headers !== loser.headers) {
    return `more header matches (${winner.headers} against ${loser.headers})`;
  }
  return `more query param matches (${winner.queryParams} against ${loser.queryParams})`;
}

/** Picks the listener for a request: the accepted listener on the port whose hostname matches most specifically. */
function pickListener(
  table: GatewayRouteTable,
  host: string | undefined,
  port: number,
): {
  readonly chosen: TableListener | undefined;
  readonly candidates: ListenerCandidate[];
  readonly onPort: number;
} {
  const onPort = table.listeners.filter((l) => l.listener.port === port);
  const matching = onPort
    .filter((l) => l.accepted)
    .filter((l) => {
      const hostname = l.listener.hostname;
      return (
        hostname === undefined || hostname === '' || (host !== undefined && hostnameMatches(hostname, host))
      );
    })
    .sort((a, b) => listenerHostnameRank(b.listener.hostname) - listenerHostnameRank(a.listener.hostname));
  const chosen = matching[0];
  const candidates = table.listeners.map((l): ListenerCandidate => {
    const hostname = l.listener.hostname;
    let reason: string | undefined;
    if (l === chosen) {
      reason = undefined;
    } else if (l.listener.port !== port) {
      reason = `it listens on port ${l.listener.port}, not ${port}`;
    } else if (!l.accepted) {
      reason = `it is not accepted: ${l.why ?? 'unknown'}`;
    } else if (matching.includes(l)) {
      reason = `listener ${chosen!.listener.name} has a more specific hostname (${chosen!.listener.hostname ?? 'none'} over ${hostname ?? 'none'})`;
    } else {
      reason =
        host === undefined
          ? `the request has no Host, and it is for ${hostname}`
          : `host ${host} does not match its hostname ${hostname}`;
    }
    return { listener: l.listener.name, hostname, chosen: l === chosen, reason };
  });
  return { chosen, candidates, onPort: onPort.length };
}

/** Routes one request through a Gateway's table. Deterministic: independent of the input's order. */
export function routeGatewayRequest(table: GatewayRouteTable, request: GatewayRequest): GatewayRouteDecision {
  const host = normalizeRequestHost(request.host);
  const matchRequest = toMatchRequest(request);
  const grpc = isGrpc(matchRequest);
  const notFound = grpc ? 'answers the gRPC status Unimplemented' : 'answers 404';
  const base = {
    request: { host, port: request.port, path: matchRequest.path, method: matchRequest.method, grpc },
    gateway: table.gateway,
  };
  const where = `${host ?? '(no host)'}:${request.port}${matchRequest.path}`;
  const { chosen, candidates, onPort } = pickListener(table, host, request.port);
  if (chosen === undefined) {
    if (table.listeners.every((l) => l.listener.port !== request.port || !l.accepted)) {
      return {
        ...base,
        kind: 'no-listener',
        listeners: candidates,
        explanation:
          onPort === 0
            ? `Gateway ${refText(table.gateway)} has no listener on port ${request.port}`
            : `no listener of Gateway ${refText(table.gateway)} on port ${request.port} is accepted (${candidates
                .filter((c) => c.reason !== undefined && !c.reason.startsWith('it listens on'))
                .map((c) => `${c.listener}: ${c.reason}`)
                .join('; ')})`,
      };
    }
    return {
      ...base,
      kind: 'no-listener-host',
      status: 404,
      listeners: candidates,
      explanation: `no listener of Gateway ${refText(table.gateway)} on port ${request.port} takes host ${host ?? '(none)'} (${candidates
        .filter((c) => c.reason !== undefined && !c.reason.startsWith('it listens on'))
        .map((c) => `${c.listener}: ${c.reason}`)
        .join('; ')}); the Gateway ${notFound}`,
    };
  }

  const scored: Scored[] = [];
  const misses: RuleCandidate[] = [];
  // Sentences for these are built only when no rule matches: a big table has many such routes.
  const hostMisses: TableRoute[] = [];
  for (const tableRoute of chosen.routes) {
    if (tableRoute.route.kind === 'GRPCRoute' && !grpc) {
      continue;
    }
    if (
      tableRoute.route.kind === 'HTTPRoute' &&
      grpc &&
      chosen.routes.some((r) => r.route.kind === 'GRPCRoute')
    ) {
      continue;
    }
    const hostname = bestHostnameMatch(tableRoute.hostnames, host);
    if (hostname === undefined) {
      hostMisses.push(tableRoute);
      continue;
    }
    const rules = tableRoute.route.route.spec?.rules ?? [];
    const effective = rules.length === 0 ? [{}] : rules;
    for (const [ruleIndex, rule] of effective.entries()) {
      if (tableRoute.droppedRules.has(ruleIndex)) {
        continue;
      }
      const matches: readonly unknown[] =
        'matches' in rule && rule.matches !== undefined && rule.matches.length > 0
          ? rule.matches
          : [undefined];
      for (const [matchIndex, match] of matches.entries()) {
        const result =
          tableRoute.route.kind === 'HTTPRoute'
            ? matchHttp(match as Parameters<typeof matchHttp>[0], matchRequest)
            : matchGrpc(match as Parameters<typeof matchGrpc>[0], matchRequest);
        if (result.matches) {
          const http =
            tableRoute.route.kind === 'HTTPRoute' ? (match as Parameters<typeof matchHttp>[0]) : undefined;
          scored.push({
            table: tableRoute,
            pathMatch:
              tableRoute.route.kind === 'HTTPRoute'
                ? { type: http?.path?.type ?? 'PathPrefix', value: http?.path?.value ?? '/' }
                : undefined,
            ruleIndex,
            matchIndex,
            text: result.text,
            hostname,
            rank: result.rank,
            specific: result.implementationSpecific,
          });
        } else {
          misses.push({
            kind: tableRoute.route.kind,
            route: tableRoute.ref,
            ruleIndex,
            matchIndex,
            match: result.text,
            reason: result.reason,
          });
        }
      }
    }
  }
  scored.sort(compareScored);
  const winner = scored[0];
  const listenerText = `listener ${chosen.listener.name} (port ${chosen.listener.port}${chosen.listener.hostname ? `, hostname ${chosen.listener.hostname}` : ''})`;
  if (winner === undefined) {
    const why = [
      ...hostMisses.map(
        (r) =>
          `${r.route.kind} ${refText(r.ref)} serves ${r.hostnames.kind === 'some' ? r.hostnames.hostnames.join(', ') : 'other hosts'}, not ${host ?? '(no host)'}`,
      ),
      ...misses.map(
        (m) =>
          `${m.kind} ${refText(m.route)} rule ${m.ruleIndex} match ${m.matchIndex} (${m.match}): ${m.reason}`,
      ),
    ];
    return {
      ...base,
      kind: 'no-route',
      status: 404,
      listeners: candidates,
      listener: chosen.listener.name,
      candidates: misses,
      explanation:
        chosen.routes.length === 0
          ? `${listenerText} of Gateway ${refText(table.gateway)} takes ${where} but has no attached route; the Gateway ${notFound}`
          : `${listenerText} takes ${where}, and no rule of its routes matches: ${why.join('; ')}; the Gateway ${notFound}`,
    };
  }
  const losers: RuleCandidate[] = [
    ...scored.slice(1).map((s) => ({
      kind: s.table.route.kind,
      route: s.table.ref,
      ruleIndex: s.ruleIndex,
      matchIndex: s.matchIndex,
      match: s.text,
      reason: lossReason(winner, s),
    })),
    ...misses,
  ];
  const bestHost = chosen.routes
    .map((r) => bestHostnameMatch(r.hostnames, host))
    .filter((h): h is HostnamePrecedence => h !== undefined)
    .sort(compareHostnamePrecedence)[0];
  const hostnameFallback =
    bestHost !== undefined && compareHostnamePrecedence(bestHost, winner.hostname) < 0
      ? `routes for the more specific hostname ${bestHost.hostname} match the host but none of their rules matches ${matchRequest.path}; this route's ${winner.hostname.hostname ?? 'catch-all'} rule serves it here, while implementations with one virtual host per hostname (Envoy-based ones) answer 404`
      : undefined;
  const routeRules = winner.table.route.route.spec?.rules ?? [];
  const rule = routeRules[winner.ruleIndex];
  const backends = ruleBackends(rule?.backendRefs, rule?.filters, winner.table.route, table.world);
  const specific = [...new Set([...winner.specific, ...scored.slice(1).flatMap((s) => s.specific)])];
  const outcome =
    backends.outcome.kind === 'error'
      ? `; the Gateway answers 500: ${backends.outcome.message}`
      : backends.outcome.kind === 'filter'
        ? `; its filters (${backends.outcome.filters.join(', ')}) answer it`
        : `; backends: ${backends.backends
            .map(
              (b) =>
                `${b.backend.text} ${Math.round(b.share * 100)}%${b.backend.state === 'invalid' ? ` (invalid, answered 500: ${b.backend.reason})` : ''}`,
            )
            .join(', ')}`;
  return {
    ...base,
    kind: 'routed',
    listeners: candidates,
    listener: chosen.listener.name,
    routeKind: winner.table.route.kind,
    route: winner.table.ref,
    ruleIndex: winner.ruleIndex,
    matchIndex: winner.matchIndex,
    match: winner.text,
    pathMatch: winner.pathMatch,
    hostname: winner.hostname.hostname,
    backends,
    losers,
    implementationSpecific: specific,
    hostnameFallback,
    explanation:
      `${listenerText} takes ${where}; rule ${winner.ruleIndex} of ${winner.table.route.kind} ${refText(winner.table.ref)} (${winner.text}) ` +
      `is the ${scored.length > 1 ? `best of ${scored.length} matching matches` : 'only match'}${outcome}` +
      (specific.length > 0 ? `; implementation-specific: ${specific.join(', ')}` : '') +
      (hostnameFallback !== undefined ? `; note: ${hostnameFallback}` : ''),
  };
}

/** Builds the table of a Gateway found by reference and routes one request; undefined when the Gateway does not exist. */
export function routeRequestThroughGateway(
  world: GatewayWorld,
  gateway: ObjectRef,
  request: GatewayRequest,
  capabilities: GatewayCapabilities = DEFAULT_CAPABILITIES,
): GatewayRouteDecision | undefined {
  const found = world.gateways.find(
    (g) => (g.metadata.namespace ?? 'default') === gateway.namespace && g.metadata.name === gateway.name,
  );
  return found === undefined
    ? undefined
    : routeGatewayRequest(buildGatewayRouteTable(found, world, capabilities), request);
}
