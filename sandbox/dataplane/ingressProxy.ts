/**
 * The sandbox's Ingress controller, data plane: a real HTTP reverse proxy behind every port of a
 * container whose scenario listener mode is `ingress-controller`. Each request is routed by its
 * Host header and path with the shared router (src/analysis/ingress.ts), over the Ingresses of
 * the class the controller serves; the backend Service's port is resolved to a ready endpoint
 * (the Pod's address and resolved targetPort, from the EndpointSlices, as ingress-nginx proxies
 * to endpoints rather than to the ClusterIP) and dialled FROM THE CONTROLLER POD'S OWN ADDRESS,
 * so NetworkPolicy applies to the controller as to any Pod.
 *
 * The path is routed as nginx matches locations (normalizeUriPath: dot segments resolved, slashes
 * merged, percent-encoding decoded; 400 for a path above the root) and passed on as it was sent.
 *
 * Answers, as ingress-nginx gives them: 404 "default backend - 404" when nothing routes (its old
 * default backend's body); 503 when the backend Service, its port or a ready endpoint is missing;
 * 502 when the endpoint refuses or resets; 504 when the connection is not answered within the
 * connect timeout (a NetworkPolicy drop) or the response within the read timeout. A refused or
 * unanswered connection is tried on the next ready endpoint, three endpoints at most (ingress-
 * nginx's proxy_next_upstream "error timeout", proxy-next-upstream-tries 3), so a Service whose
 * every endpoint drops the controller answers 504 after min(endpoints, 3) connect timeouts. Each
 * request adds an ingress-nginx-style line to the controller container's log.
 *
 * The controller container's args configure it, with ingress-nginx's names: `--ingress-class`
 * (default `sandbox`; an IngressClass of that name that names another controller is not served), `--publish-service=<namespace>/<name>` (whose LoadBalancer address the
 * status controller writes into each Ingress), `--proxy-connect-timeout` and
 * `--proxy-read-timeout` (seconds, or a duration like `500ms`; defaults 5 s and 60 s, as
 * ingress-nginx's ConfigMap).
 */
import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { normalizeUriPath, routeIngressRequest } from '../../src/analysis/ingress.ts';
import type { Ingress, IngressBackendRef, IngressClass, IngressRoute } from '../../src/analysis/ingress.ts';
import type { KubeObject } from '../api/store.ts';
import type { Cluster } from '../cluster.ts';
import { type } from '../cluster.ts';
import { accessLogLine } from '../controllers/logs.ts';
import type { DataPlane } from './network.ts';

/** The IngressClass `spec.controller` of the sandbox's controller. */
export const INGRESS_CONTROLLER_NAME = 'sandbox.kubereach.dev/ingress-controller';
/** ingress-nginx's old default backend answered every unrouted request with this. */
export const DEFAULT_BACKEND_BODY = 'default backend - 404';

export interface IngressControllerSettings {
  readonly ingressClass: string;
  readonly publishService: { readonly namespace: string; readonly name: string } | undefined;
  readonly connectTimeoutMs: number;
  readonly readTimeoutMs: number;
}

const DEFAULTS: IngressControllerSettings = {
  ingressClass: 'sandbox',
  publishService: undefined,
  connectTimeoutMs: 5_000,
  readTimeoutMs: 60_000,
};

/** `5`, `5s`, `1.5s`, `500ms` → milliseconds; undefined when unreadable. */
function parseTimeout(value: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(value.trim());
  if (!match) {
    return undefined;
  }
  const amount = Number(match[1]);
  return match[2] === 'ms' ? amount : amount * 1000;
}

/** The controller's settings, read from its container's args (`--flag=value` or `--flag value`). */
export function controllerSettings(args: readonly string[] | undefined): IngressControllerSettings {
  const flags = new Map<string, string>();
  const list = args ?? [];
  for (let i = 0; i < list.length; i++) {
    const arg = list[i]!;
    if (!arg.startsWith('--')) {
      continue;
    }
    const eq = arg.indexOf('=');
    if (eq > 0) {
      flags.set(arg.slice(2, eq), arg.slice(eq + 1));
    } else if (i + 1 < list.length && !list[i + 1]!.startsWith('--')) {
      flags.set(arg.slice(2), list[i + 1]!);
      i += 1;
    }
  }
  const publish = flags.get('publish-service');
  const slash = publish?.indexOf('/') ?? -1;
  return {
    ingressClass: flags.get('ingress-class') || DEFAULTS.ingressClass,
    publishService:
      publish !== undefined && slash > 0
        ? { namespace: publish.slice(0, slash), name: publish.slice(slash + 1) }
        : undefined,
    connectTimeoutMs: parseTimeout(flags.get('proxy-connect-timeout') ?? '') ?? DEFAULTS.connectTimeoutMs,
    readTimeoutMs: parseTimeout(flags.get('proxy-read-timeout') ?? '') ?? DEFAULTS.readTimeoutMs,
  };
}

/**
 * Why the controller does not serve a class, if it does not: an IngressClass of that name that
 * names another controller (ingress-nginx ignores a class whose spec.controller is not its own).
 * A class without an IngressClass object is served, for Ingresses naming it in the annotation.
 */
export function classRefusal(classes: readonly IngressClass[], className: string): string | undefined {
  const found = classes.find((candidate) => candidate.metadata.name === className);
  const controller = found?.spec?.controller;
  return found !== undefined && controller !== INGRESS_CONTROLLER_NAME
    ? `IngressClass ${className} is for controller ${controller ?? '(none)'}, not ${INGRESS_CONTROLLER_NAME}`
    : undefined;
}

/** The args of a Pod's container, as the spec gives them. */
export function containerArgs(pod: KubeObject, container: string): readonly string[] | undefined {
  const containers = (pod.spec as { containers?: Array<{ name: string; args?: string[] }> } | undefined)
    ?.containers;
  return containers?.find((c) => c.name === container)?.args;
}

interface ControllerTarget {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
  readonly port: number;
}

/** Where a routed request goes (ready endpoints, in the order to try them), or the status the controller answers with instead. */
type Upstream =
  | {
      readonly ok: true;
      readonly endpoints: ReadonlyArray<{ readonly ip: string; readonly port: number; readonly pod: string }>;
      readonly name: string;
    }
  | { readonly ok: false; readonly status: 400 | 404 | 503; readonly reason: string; readonly name: string };

/** ingress-nginx's proxy-next-upstream-tries: a refused or unanswered connection is tried on another endpoint. */
const NEXT_UPSTREAM_TRIES = 3;

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  502: 'Bad Gateway',
  503: 'Service Temporarily Unavailable',
  504: 'Gateway Time-out',
};

/** Hop-by-hop headers a proxy does not pass on (RFC 9110 7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

export class IngressProxy {
  private readonly cluster: Cluster;
  private readonly dataplane: DataPlane;
  private readonly server: HttpServer;
  private readonly targets = new WeakMap<Socket, ControllerTarget>();

  constructor(cluster: Cluster, dataplane: DataPlane) {
    this.cluster = cluster;
    this.dataplane = dataplane;
    this.server = createHttpServer((req, res) => {
      const target = this.targets.get(req.socket as Socket);
      if (target) {
        this.serve(req, res, target);
      } else {
        res.destroy();
      }
    });
    this.server.keepAliveTimeout = 5_000;
  }

  /** Takes a connection a controller Pod's listener accepted (policy already admitted it). */
  accept(socket: Socket, target: ControllerTarget): void {
    this.targets.set(socket, target);
    this.server.emit('connection', socket);
  }

  private serve(req: IncomingMessage, res: ServerResponse, target: ControllerTarget): void {
    const started = process.hrtime.bigint();
    const requestId = randomBytes(16).toString('hex');
    const pod = this.cluster.store.peek(type('pods'), target.namespace, target.pod);
    const settings = controllerSettings(pod ? containerArgs(pod, target.container) : undefined);
    const { host, path } = requestTarget(req);
    const ingressClasses = listObjects<IngressClass>(this.cluster, 'ingressclasses');
    const refusal = classRefusal(ingressClasses, settings.ingressClass);
    // nginx matches locations on the normalized path and passes the path on as it was sent.
    const normalized = normalizeUriPath(path);
    const upstream: Upstream = !normalized.ok
      ? { ok: false, status: 400, reason: normalized.reason, name: '' }
      : refusal !== undefined
        ? { ok: false, status: 404, reason: refusal, name: 'upstream-default-backend' }
        : this.upstreamFor(
            routeIngressRequest({
              ingresses: listObjects<Ingress>(this.cluster, 'ingresses'),
              ingressClasses,
              ingressClass: settings.ingressClass,
              request: { host, path: normalized.path },
            }),
          );
    const log = (status: number, bytes: number, upstreamAddr = '-', upstreamStatus = '-') => {
      const seconds = (Number(process.hrtime.bigint() - started) / 1e9).toFixed(3);
      const line =
        accessLogLine({
          client: req.socket.remoteAddress ?? '-',
          method: req.method ?? 'GET',
          path: req.url ?? '/',
          status,
          bytes,
          userAgent: req.headers['user-agent'],
        }) +
        ` ${requestLength(req)} ${seconds} [${upstream.name}] [] ${upstreamAddr} ${upstreamStatus === '-' ? '-' : bytes} ${upstreamStatus === '-' ? '-' : seconds} ${upstreamStatus} ${requestId}`;
      this.cluster.logs.append(target.namespace, target.pod, target.container, line);
    };
    req.once('error', () => res.destroy());
    if (!upstream.ok) {
      this.cluster.log(
        `ingress ${target.namespace}/${target.pod}: ${host ?? '-'}${path}: ${upstream.reason}`,
      );
      drain(req, () => {
        const bytes = upstream.status === 404 ? answerDefaultBackend(res) : answerError(res, upstream.status);
        log(upstream.status, bytes);
      });
      return;
    }
    if (!pod) {
      drain(req, () => log(503, answerError(res, 503)));
      return;
    }
    req.pause();
    void this.connect(pod, upstream.endpoints, settings.connectTimeoutMs).then((attempt) => {
      const addresses = attempt.tried.map((t) => t.address).join(', ');
      if (attempt.socket !== undefined) {
        const failed = attempt.tried.slice(0, -1).map((t) => t.status);
        this.forward(req, res, attempt.socket, { settings, requestId, log, addresses, failed });
        return;
      }
      const last = attempt.tried[attempt.tried.length - 1]!;
      this.cluster.log(
        `ingress ${target.namespace}/${target.pod}: ${attempt.tried.map((t) => `${t.address} (${t.pod}): ${t.error}`).join('; ')}`,
      );
      drain(req, () =>
        log(
          last.status,
          answerError(res, last.status),
          addresses,
          attempt.tried.map((t) => t.status).join(', '),
        ),
      );
    });
  }

  /**
   * Connects from the controller Pod to the first endpoint that answers, trying at most
   * NEXT_UPSTREAM_TRIES of them: a refusal counts 502, an unanswered connection (a policy drop) 504.
   */
  private async connect(
    pod: KubeObject,
    endpoints: ReadonlyArray<{ ip: string; port: number; pod: string }>,
    timeoutMs: number,
  ): Promise<{
    socket: Socket | undefined;
    tried: Array<{ address: string; pod: string; status: 502 | 504; error: string }>;
  }> {
    const tried: Array<{ address: string; pod: string; status: 502 | 504; error: string }> = [];
    for (const endpoint of endpoints.slice(0, NEXT_UPSTREAM_TRIES)) {
      const address = `${endpoint.ip}:${endpoint.port}`;
      try {
        const socket = await this.dataplane.dialFromPod(pod, endpoint.ip, endpoint.port, { timeoutMs });
        tried.push({ address, pod: endpoint.pod, status: 502, error: '' });
        return { socket, tried };
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? String(error);
        tried.push({ address, pod: endpoint.pod, status: code === 'ETIMEDOUT' ? 504 : 502, error: code });
      }
    }
    return { socket: undefined, tried };
  }

  private forward(
    req: IncomingMessage,
    res: ServerResponse,
    socket: Socket,
    context: {
      settings: IngressControllerSettings;
      requestId: string;
      log: (status: number, bytes: number, upstreamAddr?: string, upstreamStatus?: string) => void;
      /** Every endpoint tried, the connected one last, and the statuses of those that failed. */
      addresses: string;
      failed: ReadonlyArray<number>;
    },
  ): void {
    const client = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    const headers: IncomingHttpHeaders = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (!HOP_BY_HOP.has(name)) {
        headers[name] = value;
      }
    }
    const localPort = req.socket.localPort;
    Object.assign(headers, {
      'x-request-id': context.requestId,
      'x-real-ip': client,
      'x-forwarded-for': req.headers['x-forwarded-for']
        ? `${String(req.headers['x-forwarded-for'])}, ${client}`
        : client,
      'x-forwarded-host': req.headers.host ?? '',
      'x-forwarded-port': String(localPort ?? 80),
      'x-forwarded-proto': 'http',
      'x-forwarded-scheme': 'http',
      'x-scheme': 'http',
    });
    let answered = false;
    const fail = (status: 502 | 504) => {
      if (answered) {
        return;
      }
      answered = true;
      socket.destroy();
      if (res.headersSent) {
        res.destroy();
        return;
      }
      drain(req, () =>
        context.log(
          status,
          answerError(res, status),
          context.addresses,
          [...context.failed, status].join(', '),
        ),
      );
    };
    const upstreamRequest = httpRequest({
      createConnection: () => socket,
      method: req.method,
      path: req.url,
      headers,
    });
    socket.setTimeout(context.settings.readTimeoutMs, () => fail(504));
    upstreamRequest.once('error', () => fail(502));
    upstreamRequest.once('response', (upstream) => {
      answered = true;
      const responseHeaders: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(upstream.headers)) {
        if (value !== undefined && !HOP_BY_HOP.has(name)) {
          responseHeaders[name] = value;
        }
      }
      res.writeHead(upstream.statusCode ?? 502, responseHeaders);
      let bytes = 0;
      upstream.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      upstream.pipe(res);
      upstream.once('end', () => {
        socket.setTimeout(0);
        socket.end();
        context.log(
          upstream.statusCode ?? 502,
          bytes,
          context.addresses,
          [...context.failed, upstream.statusCode ?? 502].join(', '),
        );
      });
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

  /** The endpoint a route leads to, or why the controller answers itself. */
  private upstreamFor(route: IngressRoute): Upstream {
    if (route.kind === 'none') {
      return { ok: false, status: 404, reason: route.explanation, name: 'upstream-default-backend' };
    }
    return this.endpointFor(route.backend);
  }

  private endpointFor(backend: IngressBackendRef): Upstream {
    if (backend.kind !== 'service') {
      return {
        ok: false,
        status: 503,
        reason:
          backend.kind === 'resource'
            ? `resource backends (${backend.resourceKind} ${backend.name}) are not served by the sandbox's controller`
            : backend.reason,
        name: 'upstream-default-backend',
      };
    }
    const portText = 'number' in backend.port ? String(backend.port.number) : backend.port.name;
    const name = `${backend.namespace}-${backend.name}-${portText}`;
    const service = this.cluster.store.peek(type('services'), backend.namespace, backend.name);
    if (!service) {
      return {
        ok: false,
        status: 503,
        reason: `service ${backend.namespace}/${backend.name} not found`,
        name,
      };
    }
    const ports =
      (service.spec as { ports?: Array<{ port: number; name?: string; protocol?: string }> }).ports ?? [];
    const port = ports.find((candidate) =>
      'number' in backend.port
        ? candidate.port === backend.port.number
        : candidate.name === backend.port.name,
    );
    if (!port) {
      return {
        ok: false,
        status: 503,
        reason: `service ${backend.namespace}/${backend.name} has no port ${portText}`,
        name,
      };
    }
    const ready = this.dataplane
      .endpointsOf(service, port.port, port.protocol ?? 'TCP')
      .filter((endpoint) => endpoint.ready);
    if (ready.length === 0) {
      return {
        ok: false,
        status: 503,
        reason: `service ${backend.namespace}/${backend.name}:${portText} has no ready endpoint`,
        name,
      };
    }
    // ingress-nginx balances round-robin over the endpoints; a random order spreads the same way.
    const endpoints = ready
      .map((endpoint) => ({ endpoint, key: Math.random() }))
      .sort((a, b) => a.key - b.key)
      .map(({ endpoint }) => ({ ip: endpoint.ip, port: endpoint.port, pod: endpoint.pod }));
    return { ok: true, endpoints, name };
  }
}

/** The Host and path a request asks for; an absolute-form target (`GET http://h/p`) wins over Host. */
function requestTarget(req: IncomingMessage): { host: string | undefined; path: string } {
  const url = req.url ?? '/';
  if (/^https?:\/\//i.test(url)) {
    try {
      const parsed = new URL(url);
      return { host: parsed.host, path: parsed.pathname };
    } catch {
      // fall through: routed as written
    }
  }
  return { host: req.headers.host, path: url };
}

function listObjects<T>(cluster: Cluster, plural: string): T[] {
  return cluster.store.list(type(plural)).map((entry) => entry.object as unknown as T);
}

function requestLength(req: IncomingMessage): number {
  let length = `${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/${req.httpVersion}\r\n`.length + 2;
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    length += req.rawHeaders[i]!.length + 2 + req.rawHeaders[i + 1]!.length + 2;
  }
  return length;
}

/** Reads and discards the request body, so a keep-alive connection stays usable, then calls `then`. */
function drain(req: IncomingMessage, then: () => void): void {
  if (req.complete) {
    then();
    return;
  }
  req.resume();
  req.once('end', then);
}

function answerDefaultBackend(res: ServerResponse): number {
  if (res.destroyed) {
    return 0;
  }
  res.writeHead(404, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(DEFAULT_BACKEND_BODY),
  });
  res.end(DEFAULT_BACKEND_BODY);
  return Buffer.byteLength(DEFAULT_BACKEND_BODY);
}

/** nginx's own error page for a status. */
function answerError(res: ServerResponse, status: number): number {
  if (res.destroyed) {
    return 0;
  }
  const title = `${status} ${STATUS_TEXT[status] ?? 'Error'}`;
  const body = `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
  res.writeHead(status, { 'Content-Type': 'text/html', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
  return Buffer.byteLength(body);
}
