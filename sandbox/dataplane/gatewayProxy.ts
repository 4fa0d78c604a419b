/**
 * The sandbox's Gateway API controller, data plane: a real HTTP reverse proxy listening on each
 * Gateway's address (from the load-balancer pool) on the port of every accepted listener. Each
 * request is routed with the shared router (src/analysis/gateway: listener by port and hostname,
 * then the rule precedence of the specification) and forwarded to a ready endpoint of the chosen
 * backend Service, dialled from the controller Pod's own address, so NetworkPolicy applies to the
 * gateway as to any Pod.
 *
 * Answers, as Envoy-based implementations give them: a connection to a port with no accepted
 * listener is reset; 404 when no listener hostname or no rule matches; 500 for a rule whose
 * backends are all invalid (and for the invalid backends' share of a rule with valid ones, as the
 * specification requires); 503 when the Service has no ready endpoint or the endpoint cannot be
 * reached; 502 when the connection breaks before a response. Filters, as src/analysis/gateway's
 * applyFilters says: RequestRedirect answers the redirect; RequestHeaderModifier,
 * ResponseHeaderModifier and URLRewrite change what is forwarded and returned; other types are not
 * applied (a rule with only those answers 500 "filter not implemented").
 */
import { createServer as createHttpServer, request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { applyFilters, GATEWAY_GROUP, routeGatewayRequest } from '../../src/analysis/gateway/index.ts';
import type {
  BackendShare,
  FilterEffect,
  GatewayRouteDecision,
  GatewayRouteTable,
  HeaderChanges,
  HTTPRouteRule,
} from '../../src/analysis/gateway/index.ts';
import type { KubeObject } from '../api/store.ts';
import type { Cluster } from '../cluster.ts';
import { type } from '../cluster.ts';
import { splitKey } from '../controllers/queue.ts';
import type { PortOwner } from './hostPorts.ts';

export interface ServedGateway {
  /** `namespace/name`. */
  readonly key: string;
  readonly address: string;
  readonly ports: readonly number[];
  readonly table: GatewayRouteTable;
}

interface Target {
  /** The Gateway whose address was dialled; undefined on the controller Pod's own port (any Gateway). */
  readonly gateway: string | undefined;
  readonly port: number;
}

const CONNECT_TIMEOUT_MS = 5_000;

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

export class GatewayProxy {
  private readonly cluster: Cluster;
  /** One parser for every listener; each socket remembers which Gateway and port it reached. */
  private readonly http: HttpServer;
  private readonly targets = new WeakMap<Socket, Target>();
  private readonly listeners = new Map<string, { server: Server; gateway: string; port: number }>();
  private readonly tables = new Map<string, GatewayRouteTable>();
  private readonly sockets = new Set<Socket>();
  private controllerPod: KubeObject | undefined;

  constructor(cluster: Cluster) {
    this.cluster = cluster;
    this.http = createHttpServer((req, res) => {
      const target = this.targets.get(req.socket as Socket);
      if (target) {
        this.serve(req, res, target);
      } else {
        res.destroy();
      }
    });
    this.http.keepAliveTimeout = 5_000;
  }

  /** The addresses and ports served now, `ip:port`, for tests and the diagnosis of the sandbox itself. */
  get endpoints(): string[] {
    return [...this.listeners.keys()];
  }

  /** Serves exactly these Gateways (an empty list closes every listener). */
  sync(gateways: readonly ServedGateway[], controllerPod: KubeObject | undefined): void {
    this.controllerPod = controllerPod;
    this.tables.clear();
    const wanted = new Map<string, { gateway: string; address: string; port: number }>();
    const declared = new Map<string, readonly number[]>();
    for (const gateway of gateways) {
      this.tables.set(gateway.key, gateway.table);
      declared.set(gateway.address, gateway.ports);
      for (const port of gateway.ports) {
        wanted.set(`${gateway.address}:${port}`, { gateway: gateway.key, address: gateway.address, port });
      }
    }
    for (const [endpoint, listener] of this.listeners) {
      const want = wanted.get(endpoint);
      if (!want || want.gateway !== listener.gateway) {
        this.cluster.dataplane.hostPorts.close(listener.server);
        this.listeners.delete(endpoint);
      }
    }
    for (const [endpoint, want] of wanted) {
      if (this.listeners.has(endpoint)) {
        continue;
      }
      const server = createServer((socket) => {
        this.sockets.add(socket);
        socket.once('close', () => this.sockets.delete(socket));
        this.targets.set(socket, { gateway: want.gateway, port: want.port });
        this.http.emit('connection', socket);
      });
      // The listener's port may be privileged: served at its mapped port then (hostPorts.ts).
      this.cluster.dataplane.hostPorts.listen(
        server,
        want.address,
        want.port,
        gatewayOwner(this.cluster, want.gateway),
        declared.get(want.address) ?? [],
      );
      this.listeners.set(endpoint, { server, gateway: want.gateway, port: want.port });
    }
  }

  /**
   * A connection to the controller Pod's own port (a port-forward to it, say): served as a shared
   * data plane serves it (NGINX Gateway Fabric, one data plane for every Gateway of its class), the
   * request going to the Gateway whose listener on this port takes its Host, else answered 404.
   */
  acceptPod(socket: Socket, port: number): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    this.targets.set(socket, { gateway: undefined, port });
    this.http.emit('connection', socket);
  }

  stop(): void {
    for (const listener of this.listeners.values()) {
      this.cluster.dataplane.hostPorts.close(listener.server);
    }
    this.listeners.clear();
    for (const socket of this.sockets) {
      socket.destroy();
    }
    this.sockets.clear();
  }

  private serve(req: IncomingMessage, res: ServerResponse, dialled: Target): void {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) {
        headers[name] = value;
      }
    }
    const route = (table: GatewayRouteTable) =>
      routeGatewayRequest(table, {
        ...(req.headers.host !== undefined ? { host: req.headers.host } : {}),
        port: dialled.port,
        path: req.url ?? '/',
        method: req.method ?? 'GET',
        headers,
      });
    // On the Pod's port: the first Gateway (by namespace/name) whose listener takes the request,
    // else the first with a listener on the port for that host's 404; with none, the connection
    // is reset as on an address with no listener on the port.
    const candidates = (
      dialled.gateway !== undefined ? [dialled.gateway] : [...this.tables.keys()].sort()
    ).filter((gateway) => this.tables.has(gateway));
    let served: { gateway: string; table: GatewayRouteTable; decision: GatewayRouteDecision } | undefined;
    let fallback: typeof served;
    for (const gateway of candidates) {
      const table = this.tables.get(gateway)!;
      const decision = route(table);
      if (
        dialled.gateway !== undefined ||
        (decision.kind !== 'no-listener' && decision.kind !== 'no-listener-host')
      ) {
        served = { gateway, table, decision };
        break;
      }
      if (decision.kind === 'no-listener-host') {
        fallback ??= { gateway, table, decision };
      }
    }
    served ??= fallback;
    if (!served) {
      if (dialled.gateway === undefined) {
        req.socket.resetAndDestroy();
      } else {
        res.destroy();
      }
      return;
    }
    const { table, decision } = served;
    const target = { gateway: served.gateway, port: dialled.port };
    const log = (status: number, detail: string) =>
      this.cluster.log(
        `gateway ${target.gateway}: ${req.method} ${req.headers.host ?? '-'}${req.url}: ${status} ${detail}`,
      );
    req.once('error', () => res.destroy());
    switch (decision.kind) {
      case 'no-listener':
        req.socket.resetAndDestroy();
        return;
      case 'no-listener-host':
      case 'no-route':
        log(404, decision.explanation);
        answer(req, res, 404, 'route not found');
        return;
      case 'routed':
        break;
    }
    // What the rule's filters do is the shared module's answer (src/analysis/gateway/filters.ts).
    const effect = applyFilters(ruleOf(table, decision)?.filters, {
      scheme: 'http',
      host: req.headers.host?.replace(/:\d+$/, ''),
      port: target.port,
      target: req.url ?? '/',
      matchedPrefix: decision.pathMatch?.type === 'PathPrefix' ? decision.pathMatch.value : undefined,
    });
    if (effect.kind === 'redirect') {
      log(effect.statusCode, `redirect to ${effect.location}`);
      answer(req, res, effect.statusCode, '', { location: effect.location });
      return;
    }
    const { outcome, backends } = decision.backends;
    if (outcome.kind === 'error') {
      log(500, outcome.message);
      answer(req, res, 500, outcome.message);
      return;
    }
    if (outcome.kind === 'filter') {
      log(500, `filters ${outcome.filters.join(', ')} are not implemented by the sandbox`);
      answer(req, res, 500, 'filter not implemented');
      return;
    }
    const chosen = pickByShare(backends);
    if (!chosen || chosen.backend.state !== 'resolved') {
      const reason = chosen?.backend.state === 'invalid' ? chosen.backend.message : 'no backend';
      log(500, reason);
      answer(req, res, 500, 'invalid backend');
      return;
    }
    const backend = chosen.backend;
    const service = this.cluster.store.peek(
      type('services'),
      backend.service.namespace ?? '',
      backend.service.name,
    );
    const protocol = backend.servicePort.protocol ?? 'TCP';
    const ready = service
      ? this.cluster.dataplane.endpointsOf(service, backend.port, protocol).filter((e) => e.ready)
      : [];
    const endpoint = ready[Math.floor(Math.random() * ready.length)];
    const pod = this.controllerPod;
    if (!endpoint || !pod) {
      log(503, `${backend.text} has no ready endpoint`);
      answer(req, res, 503, 'no healthy upstream');
      return;
    }
    req.pause();
    this.cluster.dataplane
      .dialFromPod(pod, endpoint.ip, endpoint.port, { timeoutMs: CONNECT_TIMEOUT_MS })
      .then(
        (socket) => this.forward(req, res, socket, effect),
        (error: unknown) => {
          log(
            503,
            `${endpoint.ip}:${endpoint.port}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
          );
          answer(req, res, 503, 'upstream connect error or disconnect/reset before headers');
        },
      );
  }

  private forward(
    req: IncomingMessage,
    res: ServerResponse,
    socket: Socket,
    effect: Extract<FilterEffect, { kind: 'forward' }>,
  ): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    const client = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    const headers: IncomingHttpHeaders = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (!HOP_BY_HOP.has(name)) {
        headers[name] = value;
      }
    }
    headers['x-forwarded-for'] = req.headers['x-forwarded-for']
      ? `${String(req.headers['x-forwarded-for'])}, ${client}`
      : client;
    headers['x-forwarded-proto'] = 'http';
    if (effect.host !== undefined && effect.host !== req.headers.host?.replace(/:\d+$/, '')) {
      headers.host = effect.host;
    }
    changeHeaders(headers, effect.requestHeaders);
    const path = effect.path;
    let answered = false;
    const fail = () => {
      if (answered) {
        return;
      }
      answered = true;
      socket.destroy();
      if (res.headersSent) {
        res.destroy();
      } else {
        answer(req, res, 502, 'upstream connect error or disconnect/reset before headers');
      }
    };
    const upstreamRequest = httpRequest({
      createConnection: () => socket,
      method: req.method,
      path,
      headers,
    });
    upstreamRequest.once('error', fail);
    upstreamRequest.once('response', (upstream) => {
      answered = true;
      const responseHeaders: Record<string, string | string[] | undefined> = {};
      for (const [name, value] of Object.entries(upstream.headers)) {
        if (value !== undefined && !HOP_BY_HOP.has(name)) {
          responseHeaders[name] = value;
        }
      }
      changeHeaders(responseHeaders, effect.responseHeaders);
      res.writeHead(upstream.statusCode ?? 502, responseHeaders as Record<string, string | string[]>);
      upstream.pipe(res);
      upstream.once('end', () => socket.end());
      upstream.once('error', () => res.destroy());
    });
    res.once('close', () => {
      if (!res.writableFinished) {
        socket.destroy();
      }
    });
    req.pipe(upstreamRequest);
    req.resume();
  }
}

/** A backend drawn by the shares the weights give (invalid backends keep theirs: those requests get 500). */
function pickByShare(backends: readonly BackendShare[]): BackendShare | undefined {
  const total = backends.reduce((sum, b) => sum + b.share, 0);
  let draw = Math.random() * total;
  for (const backend of backends) {
    if (backend.share <= 0) {
      continue;
    }
    draw -= backend.share;
    if (draw < 0) {
      return backend;
    }
  }
  return backends.filter((b) => b.share > 0).at(-1);
}

/** The HTTPRoute rule a decision chose (GRPCRoutes are not proxied). */
function ruleOf(table: GatewayRouteTable, decision: GatewayRouteDecision): HTTPRouteRule | undefined {
  if (decision.kind !== 'routed' || decision.routeKind !== 'HTTPRoute') {
    return undefined;
  }
  const listener = table.listeners.find((l) => l.listener.name === decision.listener);
  const entry = listener?.routes.find(
    (r) => r.ref.namespace === decision.route.namespace && r.ref.name === decision.route.name,
  );
  return entry?.route.kind === 'HTTPRoute' ? entry.route.route.spec?.rules?.[decision.ruleIndex] : undefined;
}

/** Applies header changes to a header map (lower-case names): set overwrites, add appends, remove drops. */
function changeHeaders(headers: Record<string, string | string[] | undefined>, changes: HeaderChanges): void {
  for (const { name, value } of changes.set) {
    headers[name.toLowerCase()] = value;
  }
  for (const { name, value } of changes.add) {
    const key = name.toLowerCase();
    const current = headers[key];
    headers[key] =
      current === undefined ? value : `${Array.isArray(current) ? current.join(',') : current},${value}`;
  }
  for (const name of changes.remove) {
    delete headers[name.toLowerCase()];
  }
}

/** Answers without a backend, once the request body has been read (so keep-alive stays usable). */
function answer(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: string,
  extra: Record<string, string> = {},
): void {
  const send = () => {
    if (!res.headersSent && !res.destroyed) {
      res.writeHead(status, {
        ...extra,
        'content-type': 'text/plain',
        'content-length': Buffer.byteLength(body),
      });
      res.end(body);
    }
  };
  if (req.complete) {
    send();
  } else {
    req.resume();
    req.once('end', send);
  }
}

/** The Gateway whose address a listener serves, for its host-port annotation. */
function gatewayOwner(cluster: Cluster, key: string): PortOwner {
  const [namespace, name] = splitKey(key);
  const gateways = cluster.resources.find(GATEWAY_GROUP, 'v1', 'gateways');
  if (!gateways) {
    throw new Error('the Gateway API is not served, yet a Gateway is');
  }
  return { type: gateways, namespace, name };
}
