/**
 * The Gateway API hops of "Diagnose External Access" before the backend: which Gateway a request
 * reaches (`selectGateway`), listener selection (port, protocol, hostname), the route's attachment
 * (parentRefs with sectionName and port; the controller's status beside what KubeReach computed,
 * both shown when they disagree), and rule matching with the precedence explanation (which rule
 * won, which lost and why). Pure: the semantics are src/analysis/gateway's.
 */
import {
  allRoutes,
  buildGatewayRouteTable,
  compareRouteStatus,
  hostnameMatches,
  isWildcard,
  objectRef,
  refText,
  routeGatewayRequest,
} from '../gateway/index.ts';
import type {
  AnyRoute,
  Gateway,
  GatewayRequest,
  GatewayRouteDecision,
  GatewayRouteTable,
  GatewayWorld,
  GRPCRoute,
  HTTPRoute,
  ParentAttachment,
} from '../gateway/index.ts';
import { grpcRuleRequest } from './gatewayGrpc.ts';
import type { ExternalInput, HopDraft } from './types.ts';

/** The request as a Gateway sees it, and the Gateway. */
export interface GatewaySelection {
  readonly gateway: Gateway;
  readonly request: GatewayRequest;
  readonly label: string;
  /** Set when the user started from a route: its attachment is what the attachment hop shows. */
  readonly route?: AnyRoute;
}

function refOf(object: { readonly metadata: { readonly namespace?: string; readonly name?: string } }) {
  return { namespace: object.metadata.namespace ?? 'default', name: object.metadata.name ?? '' };
}

function sameRef(
  object: { readonly metadata: { readonly namespace?: string; readonly name?: string } },
  namespace: string,
  name: string,
): boolean {
  return (object.metadata.namespace ?? 'default') === namespace && object.metadata.name === name;
}

/** Host, port and path of a URL typed by the user; undefined when it names no host. */
export function parseGatewayUrl(
  text: string,
):
  | { readonly host: string; readonly port: number; readonly path: string; readonly explicitPort: boolean }
  | undefined {
  const trimmed = text.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return undefined;
  }
  if (url.hostname === '') {
    return undefined;
  }
  const defaultPort = url.protocol === 'https:' ? 443 : 80;
  return {
    host: url.hostname,
    port: url.port === '' ? defaultPort : Number(url.port),
    path: `${url.pathname === '' ? '/' : url.pathname}${url.search}`,
    explicitPort: url.port !== '',
  };
}

/** The Gateways with a listener on `port`, those whose listener hostname takes `host` first. */
export function gatewaysForUrl(world: GatewayWorld, host: string, port: number): Gateway[] {
  const onPort = world.gateways.filter((gateway) =>
    (gateway.spec?.listeners ?? []).some((listener) => listener.port === port),
  );
  const takesHost = (gateway: Gateway) =>
    (gateway.spec?.listeners ?? []).some(
      (listener) =>
        listener.port === port &&
        (listener.hostname === undefined || hostnameMatches(listener.hostname, host)),
    );
  return [...onPort.filter(takesHost), ...onPort.filter((gateway) => !takesHost(gateway))];
}

/** A concrete host a route's hostname (or the listener's) stands for: `*.example.com` → `www.example.com`. */
function concreteHost(hostname: string | undefined): string | undefined {
  if (hostname === undefined) {
    return undefined;
  }
  return isWildcard(hostname) ? `www${hostname.slice(1)}` : hostname;
}

/** The request one rule of a route stands for: its first match's path, method and exact headers. */
function ruleRequest(
  route: HTTPRoute,
  ruleIndex: number,
  host: string | undefined,
  port: number,
): GatewayRequest {
  const match = route.spec?.rules?.[ruleIndex]?.matches?.[0];
  const path = match?.path?.type === 'RegularExpression' ? '/' : (match?.path?.value ?? '/');
  const headers: Record<string, string> = {};
  for (const header of match?.headers ?? []) {
    if ((header.type ?? 'Exact') === 'Exact') {
      headers[header.name] = header.value;
    }
  }
  const query = (match?.queryParams ?? [])
    .filter((param) => (param.type ?? 'Exact') === 'Exact')
    .map((param) => `${encodeURIComponent(param.name)}=${encodeURIComponent(param.value)}`)
    .join('&');
  return {
    ...(host === undefined ? {} : { host }),
    port,
    path: query === '' ? path : `${path}?${query}`,
    ...(match?.method === undefined ? {} : { method: match.method }),
    ...(Object.keys(headers).length === 0 ? {} : { headers }),
  };
}

export type GatewaySelectionResult =
  | { readonly kind: 'selected'; readonly selection: GatewaySelection }
  /** The request is not for a Gateway (an Ingress or a node port serves it). */
  | { readonly kind: 'none' }
  /** The request is for a Gateway, but it cannot be found: the hop says why. */
  | { readonly kind: 'missing'; readonly label: string; readonly draft: HopDraft };

/**
 * Whether a Gateway serves the request, and which. A URL goes to a Gateway when the user said so
 * (`via`), when its explicit port is a listener's port no Ingress serves on, or when no Ingress
 * rule takes its host and a Gateway's listener on its port does (`ingressServes` says whether one
 * does). An HTTPRoute request goes to its first Gateway parent.
 */
export function selectGateway(input: ExternalInput, ingressServes: () => boolean): GatewaySelectionResult {
  const { request } = input;
  const api = input.gatewayApi;
  if (
    request.kind === 'httpRoute' ||
    request.kind === 'grpcRoute' ||
    (request.kind === 'url' && request.via !== undefined)
  ) {
    const routeKind = request.kind === 'grpcRoute' ? 'GRPCRoute' : 'HTTPRoute';
    const label =
      request.kind === 'url' ? request.url.trim() : `${routeKind} ${request.namespace}/${request.name}`;
    if (api === undefined || api.state !== 'served') {
      return {
        kind: 'missing',
        label,
        draft:
          api?.state === 'unreadable'
            ? {
                status: 'unknown',
                summary: `The Gateway API objects could not be read: ${api.message}.`,
                evidence: [],
              }
            : {
                status: 'failed',
                summary:
                  'The cluster does not serve the Gateway API (gateway.networking.k8s.io is not discovered).',
                evidence: [],
                fix: 'Install the Gateway API CRDs and a Gateway controller.',
              },
      };
    }
    return request.kind === 'url'
      ? selectFromUrl(api.world, request.url, label, request.via)
      : selectFromRoute(api.world, routeKind, request.namespace, request.name, request.ruleIndex ?? 0, label);
  }
  if (request.kind !== 'url' || api === undefined || api.state !== 'served') {
    return { kind: 'none' };
  }
  const url = parseGatewayUrl(request.url);
  if (url === undefined) {
    return { kind: 'none' };
  }
  const candidates = gatewaysForUrl(api.world, url.host, url.port);
  if (candidates.length === 0) {
    return { kind: 'none' };
  }
  const takesHost = (candidates[0]!.spec?.listeners ?? []).some(
    (listener) =>
      listener.port === url.port &&
      (listener.hostname === undefined || hostnameMatches(listener.hostname, url.host)),
  );
  const forGateway =
    (url.explicitPort && url.port !== 80 && url.port !== 443) || (takesHost && !ingressServes());
  return forGateway ? selectFromUrl(api.world, request.url, request.url.trim(), undefined) : { kind: 'none' };
}

function selectFromUrl(
  world: GatewayWorld,
  text: string,
  label: string,
  via: { readonly namespace: string; readonly name: string } | undefined,
): GatewaySelectionResult {
  const url = parseGatewayUrl(text);
  if (url === undefined) {
    return {
      kind: 'missing',
      label,
      draft: {
        status: 'failed',
        summary: `${label} names no host.`,
        evidence: [],
        fix: 'Type a URL such as http://store.example.com/api.',
      },
    };
  }
  const gateway =
    via === undefined
      ? gatewaysForUrl(world, url.host, url.port)[0]
      : world.gateways.find((g) => sameRef(g, via.namespace, via.name));
  if (gateway === undefined) {
    return {
      kind: 'missing',
      label,
      draft: {
        status: 'failed',
        summary:
          via === undefined
            ? `No Gateway has a listener on port ${url.port}.`
            : `Gateway ${via.namespace}/${via.name} does not exist (or its namespace is not in view).`,
        evidence: [
          `Gateways in view: ${world.gateways.map((g) => refText(objectRef(g))).join(', ') || '(none)'}.`,
        ],
      },
    };
  }
  return {
    kind: 'selected',
    selection: { gateway, label, request: { host: url.host, port: url.port, path: url.path } },
  };
}

function selectFromRoute(
  world: GatewayWorld,
  kind: AnyRoute['kind'],
  namespace: string,
  name: string,
  ruleIndex: number,
  label: string,
): GatewaySelectionResult {
  const route = (kind === 'HTTPRoute' ? world.httpRoutes : world.grpcRoutes).find((r) =>
    sameRef(r, namespace, name),
  );
  if (route === undefined) {
    return {
      kind: 'missing',
      label,
      draft: {
        status: 'failed',
        summary: `${kind} ${namespace}/${name} does not exist (or its namespace is not in view).`,
        evidence: [],
      },
    };
  }
  const parents = (route.spec?.parentRefs ?? []).filter(
    (parent) =>
      (parent.group ?? 'gateway.networking.k8s.io') === 'gateway.networking.k8s.io' &&
      (parent.kind ?? 'Gateway') === 'Gateway',
  );
  const found = parents
    .map((parent) => ({
      parent,
      gateway: world.gateways.find((g) => sameRef(g, parent.namespace ?? namespace, parent.name)),
    }))
    .filter((entry) => entry.gateway !== undefined);
  if (found.length === 0) {
    return {
      kind: 'missing',
      label,
      draft: {
        status: 'failed',
        summary:
          parents.length === 0
            ? `${kind} ${namespace}/${name} names no Gateway in its parentRefs.`
            : `No Gateway its parentRefs name exists: ${parents.map((p) => `${p.namespace ?? namespace}/${p.name}`).join(', ')}.`,
        evidence: [],
        fix: 'Set spec.parentRefs to a Gateway that exists (name, namespace, and sectionName for one listener).',
      },
    };
  }
  // The listener the route is for: the first parentRef's sectionName or port, else the first
  // listener whose hostname the route's hostnames meet.
  const { parent, gateway } = found[0]!;
  const listeners = gateway!.spec?.listeners ?? [];
  const hostnames = route.spec?.hostnames ?? [];
  const listener =
    listeners.find(
      (l) =>
        (parent.sectionName === undefined || l.name === parent.sectionName) &&
        (parent.port === undefined || l.port === parent.port) &&
        (hostnames.length === 0 ||
          l.hostname === undefined ||
          hostnames.some((h) => hostnameMatches(l.hostname!, h.replace(/^\*\./, 'www.')))),
    ) ??
    listeners.find(
      (l) =>
        (parent.sectionName === undefined || l.name === parent.sectionName) &&
        (parent.port === undefined || l.port === parent.port),
    ) ??
    listeners[0];
  const host = concreteHost(hostnames[0] ?? listener?.hostname);
  const rule = Math.min(Math.max(ruleIndex, 0), Math.max((route.spec?.rules?.length ?? 1) - 1, 0));
  const port = listener?.port ?? 80;
  if (kind === 'GRPCRoute') {
    const grpc = grpcRuleRequest(route as GRPCRoute, rule, host, port);
    return {
      kind: 'selected',
      selection: {
        gateway: gateway!,
        route: { kind, route: route as GRPCRoute },
        request: grpc.request,
        label: `GRPCRoute ${namespace}/${name} rule ${rule + 1} (gRPC ${grpc.call} at ${host ?? '<any host>'}:${port})`,
      },
    };
  }
  const request = ruleRequest(route as HTTPRoute, rule, host, port);
  return {
    kind: 'selected',
    selection: {
      gateway: gateway!,
      route: { kind: 'HTTPRoute', route: route as HTTPRoute },
      request,
      label: `HTTPRoute ${namespace}/${name} rule ${rule + 1} (http://${host ?? '<any host>'}${request.port === 80 ? '' : `:${request.port}`}${request.path})`,
    },
  };
}

/** The listener hop: which listener takes the port and host, and why the others did not. */
export function listenerHop(decision: GatewayRouteDecision, table: GatewayRouteTable): HopDraft {
  const gw = refText(decision.gateway);
  const { host, port } = decision.request;
  const evidence = decision.listeners.map(
    (candidate) =>
      `Listener ${candidate.listener} (${candidate.hostname ?? 'every host'}): ${candidate.chosen ? 'chosen' : (candidate.reason ?? 'not chosen')}.`,
  );
  const refused = table.listeners.filter((l) => l.listener.port === port && !l.accepted);
  evidence.push(
    ...refused.map((l) => `Listener ${l.listener.name} is not accepted: ${l.why ?? 'no reason given'}.`),
  );
  if (decision.kind === 'no-listener') {
    const ports = [...new Set(table.listeners.filter((l) => l.accepted).map((l) => l.listener.port))];
    return {
      status: 'failed',
      summary: `Gateway ${gw} has no accepted listener on port ${port}: the connection is refused.`,
      evidence: [...evidence, `Ports with an accepted listener: ${ports.join(', ') || '(none)'}.`],
      fix: `Send the request to one of the Gateway's listener ports, or add a listener on port ${port}.`,
    };
  }
  if (decision.kind === 'no-listener-host') {
    return {
      status: 'failed',
      summary: `No listener of Gateway ${gw} on port ${port} takes host ${host ?? '(none)'}: the Gateway ${notFoundWords(decision)}.`,
      evidence,
      fix: `Send the request to a port whose listener's hostname matches ${host ?? 'the host'}, or add a listener on port ${port} for it.`,
    };
  }
  const chosen = table.listeners.find((l) => l.listener.name === decision.listener)?.listener;
  return {
    status: 'passed',
    summary: `Listener ${decision.listener} of Gateway ${gw} (port ${port}, ${chosen?.protocol ?? 'HTTP'}, ${chosen?.hostname ?? 'every host'}) takes host ${host ?? '(none)'}.`,
    evidence,
  };
}

/** What a Gateway answers a request nothing takes: 404, or for a gRPC call the status Unimplemented. */
function notFoundWords(decision: GatewayRouteDecision): string {
  return decision.request.grpc
    ? 'answers the gRPC status Unimplemented (HTTP 200 with grpc-status 12)'
    : 'answers 404';
}

function attachmentsOf(table: GatewayRouteTable, route: AnyRoute): readonly ParentAttachment[] {
  return table.attachments.get(`${route.kind} ${refText(objectRef(route.route))}`) ?? [];
}

/**
 * The routes whose hostnames take the host (the ones the user meant), for a request no listener
 * or rule took: GRPCRoutes for a gRPC call, HTTPRoutes otherwise.
 */
function routesForHost(world: GatewayWorld, host: string | undefined, grpc: boolean): AnyRoute[] {
  return allRoutes(world).filter((route) => {
    const hostnames = route.route.spec?.hostnames ?? [];
    return (
      (route.kind === 'GRPCRoute') === grpc &&
      host !== undefined &&
      (hostnames.length === 0 || hostnames.some((h) => hostnameMatches(h, host)))
    );
  });
}

/**
 * The attachment hop: the route's parentRefs against the Gateway's listeners (the listener that
 * took the request first), with the controller's written status beside the computed one.
 */
export function attachmentHop(
  decision: GatewayRouteDecision,
  table: GatewayRouteTable,
  world: GatewayWorld,
  started: AnyRoute | undefined,
): HopDraft {
  const gw = refText(decision.gateway);
  const routed =
    decision.kind === 'routed'
      ? allRoutes(world).find(
          (r) =>
            r.kind === decision.routeKind && sameRef(r.route, decision.route.namespace, decision.route.name),
        )
      : undefined;
  const routes =
    started !== undefined
      ? [started]
      : routed !== undefined
        ? [routed]
        : routesForHost(world, decision.request.host, decision.request.grpc);
  const kindWords = decision.request.grpc ? 'GRPCRoute' : 'HTTPRoute';
  if (routes.length === 0) {
    return {
      status: decision.kind === 'no-route' ? 'failed' : 'skipped',
      summary: `No ${kindWords} in view has a hostname that takes ${decision.request.host ?? 'the host'}.`,
      evidence: [],
      ...(decision.kind === 'no-route'
        ? { fix: `Attach a ${kindWords} with hostname ${decision.request.host ?? ''} to Gateway ${gw}.` }
        : {}),
    };
  }
  const port = decision.request.port;
  const listenerName =
    decision.kind === 'routed' || decision.kind === 'no-route' ? decision.listener : undefined;
  const evidence: string[] = [];
  let attachedHere = false;
  let firstRefusal: string | undefined;
  for (const route of routes) {
    const ref = `${route.kind} ${refText(objectRef(route.route))}`;
    for (const parent of attachmentsOf(table, route)) {
      if (parent.kind !== 'gateway') {
        evidence.push(`${ref} parentRef ${parent.parentIndex + 1}: ${parent.message}.`);
        continue;
      }
      for (const listener of parent.listeners) {
        if (listener.state === 'not-selected') {
          continue;
        }
        const relevant =
          listenerName === undefined ? listener.port === port : listener.listener === listenerName;
        evidence.push(
          `${ref} parentRef ${parent.parentIndex + 1}${parent.parentRef.sectionName === undefined ? '' : ` (sectionName ${parent.parentRef.sectionName})`}: ${listener.message} (${listener.reason}).`,
        );
        if (relevant && listener.state === 'attached') {
          attachedHere = true;
        } else if (relevant && firstRefusal === undefined) {
          firstRefusal = `${ref} ${listener.message} (${listener.reason})`;
        }
      }
    }
    for (const compared of compareRouteStatus(route, world)) {
      const c = compared.comparison;
      const where = `${ref} status for parentRef ${compared.parentIndex + 1} (Gateway ${refText(compared.gateway)})`;
      if (c.state === 'agrees') {
        evidence.push(`${where}: the controller's status agrees with what KubeReach computed.`);
      } else if (c.state === 'not-written') {
        evidence.push(`${where}: ${c.message}`);
      } else {
        const prefix =
          c.state === 'stale' ? `${where} is stale (${c.message}):` : `${where} disagrees with KubeReach:`;
        evidence.push(
          ...c.disagreements.map(
            (d) =>
              `${prefix} ${d.what}: controller wrote ${d.written ?? '(nothing)'}, KubeReach computed ${d.computed}. ${d.message}`,
          ),
        );
      }
    }
  }
  if (attachedHere) {
    return {
      status: 'passed',
      summary: `${routes.length === 1 ? `${routes[0]!.kind} ${refText(objectRef(routes[0]!.route))} is` : 'A route for the host is'} attached to listener ${listenerName ?? `on port ${port}`} of Gateway ${gw}.`,
      evidence,
    };
  }
  return {
    status: 'failed',
    summary:
      firstRefusal !== undefined
        ? `Not attached where the request arrives: ${firstRefusal}.`
        : `No ${kindWords} for ${decision.request.host ?? 'the host'} is attached to ${listenerName === undefined ? `a listener on port ${port}` : `listener ${listenerName}`} of Gateway ${gw}.`,
    evidence,
    fix: `Point the route's parentRefs at a listener on port ${port} whose hostname and allowedRoutes admit it (sectionName or port), or send the request to the port of the listener it is attached to.`,
  };
}

/** The rule hop: which rule won, which lost and why (the spec's precedence). */
export function ruleHop(decision: GatewayRouteDecision): HopDraft {
  if (decision.kind === 'no-listener' || decision.kind === 'no-listener-host') {
    return { status: 'skipped', summary: 'No listener took the request.', evidence: [] };
  }
  if (decision.kind === 'no-route') {
    return {
      status: 'failed',
      summary: `No rule of a route attached to listener ${decision.listener} matches ${decision.request.method} ${decision.request.path}: the Gateway ${notFoundWords(decision)}.`,
      evidence: decision.candidates.map(
        (c) => `${c.kind} ${refText(c.route)} rule ${c.ruleIndex + 1} (${c.match}): ${c.reason}.`,
      ),
      fix: decision.request.grpc
        ? "Add a rule whose method match takes the call's service and method, or correct the call."
        : 'Add a rule whose match takes the path (a PathPrefix), or correct the path in the URL.',
    };
  }
  return {
    status: 'passed',
    summary: `${decision.routeKind} ${refText(decision.route)} rule ${decision.ruleIndex + 1} (${decision.match}) takes ${decision.request.method} ${decision.request.path}.`,
    evidence: [
      decision.explanation,
      ...decision.losers.map(
        (c) => `Lost: ${c.kind} ${refText(c.route)} rule ${c.ruleIndex + 1} (${c.match}): ${c.reason}.`,
      ),
      ...decision.implementationSpecific.map((text) => `Implementation-specific: ${text}.`),
      ...(decision.hostnameFallback === undefined
        ? []
        : [
            `Hostname fallback: ${decision.hostnameFallback} (Envoy-based gateways answer 404 here instead).`,
          ]),
    ],
  };
}

/** Builds the table and routes the selected request. */
export function routeSelection(
  selection: GatewaySelection,
  world: GatewayWorld,
): {
  readonly table: GatewayRouteTable;
  readonly decision: GatewayRouteDecision;
} {
  const table = buildGatewayRouteTable(selection.gateway, world);
  return { table, decision: routeGatewayRequest(table, selection.request) };
}

export { refOf as gatewayRefOf };
