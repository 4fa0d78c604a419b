/**
 * The sandbox's Kubernetes API server: HTTPS on 127.0.0.1, bearer tokens, discovery, the REST verbs
 * with list/watch semantics of a real kube-apiserver, and the WebSocket upgrades for exec and
 * port-forward. State lives in the Cluster; this file only speaks the protocol.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { Server } from 'node:https';
import type { Socket } from 'node:net';
import { parse as parseYaml } from 'yaml';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import {
  matchesFieldRequirements,
  matchesRequirements,
  parseFieldSelectorString,
  parseLabelSelectorString,
} from '../../src/analysis/labels.ts';
import type { FieldRequirement, LabelRequirement } from '../../src/analysis/labels.ts';
import type { Cluster, User } from '../cluster.ts';
import { runExecSession, selectExecProtocol } from '../streams/exec.ts';
import {
  runPortForwardSession,
  selectPortForwardProtocol,
  SPDY_TUNNEL_PROTOCOL,
} from '../streams/portforward.ts';
import {
  runSpdyPortForwardSession,
  socketChannel,
  spdyUpgradeResponse,
  webSocketChannel,
} from '../streams/portforwardSpdy.ts';
import { discoveryDocument } from './discovery.ts';
import { isApplyPatch, serverSideApply, validateFields } from './apply.ts';
import { openApiDocument } from './openapi.ts';
import { applyPatch } from './patch.ts';
import { decodeProtobufObject, isProtobuf } from './protobuf.ts';
import type { ResourceType } from './resources.ts';
import type { ResourceRegistry } from './registry.ts';
import { apiVersionOf, resourceKey } from './resources.ts';
import { ApiError, errors, success } from './status.ts';
import { serveSubresource } from './subresources.ts';
import type { ChangeEvent, KubeObject, StoreKey } from './store.ts';
import { StoreError } from './store.ts';
import { acceptsTable, toTable } from './tables.ts';

export interface ApiServerOptions {
  readonly cluster: Cluster;
  readonly host: string;
  readonly port: number;
  readonly cert: string;
  readonly key: string;
  /** How often a watch that asked for bookmarks gets one. A real server sends one about every minute. */
  readonly bookmarkIntervalMs?: number;
  /** How long a list or watch for a future resourceVersion waits for it (a real server: 3 s). */
  readonly resourceVersionWaitMs?: number;
}

interface Route {
  readonly type: ResourceType;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  readonly subresource: string | undefined;
}

interface Selectors {
  readonly labels: LabelRequirement[];
  readonly fields: FieldRequirement[];
}

const SUPPORTED_FIELDS: Record<string, readonly string[]> = {
  pods: [
    'metadata.name',
    'metadata.namespace',
    'status.phase',
    'spec.nodeName',
    'status.podIP',
    'spec.serviceAccountName',
    'spec.restartPolicy',
    'spec.schedulerName',
  ],
  events: [
    'metadata.name',
    'metadata.namespace',
    'involvedObject.kind',
    'involvedObject.name',
    'involvedObject.namespace',
    'involvedObject.uid',
    'reason',
    'type',
    'source',
  ],
  namespaces: ['metadata.name', 'status.phase'],
};

export class ApiServer {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly watches = new Set<WatchStream>();
  private readonly options: ApiServerOptions;
  /** Open exec and port-forward sessions, ended when the server stops. */
  private readonly webSockets = new Set<WebSocket>();
  private unsubscribe: (() => void) | undefined;
  private boundPort: number;

  constructor(options: ApiServerOptions) {
    this.options = options;
    this.boundPort = options.port;
  }

  get port(): number {
    return this.boundPort;
  }

  get running(): boolean {
    return this.server !== undefined;
  }

  async start(): Promise<number> {
    if (this.server) {
      return this.boundPort;
    }
    const server = createServer({ cert: this.options.cert, key: this.options.key }, (req, res) => {
      void this.handle(req, res);
    });
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      void this.upgrade(req, socket, head);
    });
    // Keep-alive connections must not hold the process open after stop().
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.boundPort, this.options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.boundPort = (server.address() as { port: number }).port;
    this.server = server;
    const unsubscribeStore = this.options.cluster.store.subscribe((event) => this.dispatch(event));
    const unsubscribeTypes = this.options.cluster.resources.onChange(() => this.closeUnservedWatches());
    this.unsubscribe = () => {
      unsubscribeStore();
      unsubscribeTypes();
    };
    return this.boundPort;
  }

  /** Closes the listener and every connection, watches included, like an API server going away. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) {
      return;
    }
    this.server = undefined;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    for (const watch of this.watches) {
      watch.close();
    }
    this.watches.clear();
    for (const client of this.webSockets) {
      client.terminate();
    }
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) {
      socket.destroy();
    }
    this.sockets.clear();
    await closed;
  }

  /** Ends every watch with a 410 Expired event and forgets history, so clients must relist. */
  expireWatches(): void {
    const revision = this.options.cluster.store.currentRevision;
    this.options.cluster.store.compact();
    for (const watch of [...this.watches]) {
      watch.sendError(errors.gone(`too old resource version: ${watch.lastRevision} (${revision})`).status);
      watch.close();
    }
  }

  get watchCount(): number {
    return this.watches.size;
  }

  // ---------------------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const latency = this.options.cluster.faults.apiLatencyMs;
      if (latency > 0) {
        await new Promise((resolve) => setTimeout(resolve, latency));
      }
      const user = this.authenticate(req);
      const url = new URL(req.url ?? '/', 'https://sandbox');
      const body = await readBody(req);
      const path = url.pathname.replace(/\/+$/, '') || '/';

      if (req.method === 'GET' && ['/healthz', '/livez', '/readyz'].includes(path)) {
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end('ok');
        return;
      }
      const served = this.options.cluster.resources;
      const openapi = req.method === 'GET' ? openApiDocument(path, served.all()) : undefined;
      if (openapi) {
        res.writeHead(200, { 'Content-Type': openapi.contentType }).end(openapi.body);
        return;
      }
      const discovery = discoveryDocument(
        path,
        req.headers.accept ?? '',
        `127.0.0.1:${this.boundPort}`,
        served.all(),
      );
      if (discovery) {
        if (req.method !== 'GET') {
          throw errors.methodNotAllowed();
        }
        res.writeHead(200, { 'Content-Type': discovery.contentType }).end(JSON.stringify(discovery.body));
        return;
      }
      const route = parseRoute(path, served);
      if (!route && !servesGroupVersion(path, served)) {
        // A group or version the server does not serve is no API route at all: Go's plain 404.
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
        return;
      }
      if (!route) {
        throw errors.noRoute();
      }
      await this.serveResource(req, res, url, route, user, body);
    } catch (error) {
      this.fail(res, error);
    }
  }

  private authenticate(req: IncomingMessage): User {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const user = match ? this.options.cluster.authenticate(match[1]!) : undefined;
    if (!user) {
      throw errors.unauthorized();
    }
    return user;
  }

  private authorize(user: User, verb: string, route: Route): void {
    const resource = route.subresource ? `${route.type.plural}/${route.subresource}` : route.type.plural;
    if (
      this.options.cluster.authorize(user, {
        verb,
        group: route.type.group,
        resource,
        namespace: route.namespace,
        name: route.name,
      })
    ) {
      return;
    }
    const groupResource = route.type.group ? `${route.type.plural}.${route.type.group}` : route.type.plural;
    const subject = route.name !== undefined ? `${groupResource} "${route.name}"` : groupResource;
    const scope =
      route.namespace !== undefined ? `in the namespace "${route.namespace}"` : 'at the cluster scope';
    throw errors.forbidden(
      `${subject} is forbidden: User "${user.name}" cannot ${verb} resource "${resource}" in API group "${route.type.group}" ${scope}`,
      route.type,
      route.name,
    );
  }

  private async serveResource(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    route: Route,
    user: User,
    body: Buffer,
  ): Promise<void> {
    const cluster = this.options.cluster;
    const query = url.searchParams;
    const method = req.method ?? 'GET';
    const dryRun = query.getAll('dryRun').includes('All');
    const { type } = route;

    if (route.subresource === 'exec' || route.subresource === 'portforward') {
      // Reached only without an Upgrade header. As the API server: authorization, then the Pod and
      // the container (pod strategy's streamLocation); only then the kubelet asks for the upgrade.
      this.authorize(user, method === 'POST' ? 'create' : 'get', route);
      const pod = cluster.store.peek(type, route.namespace ?? '', route.name ?? '');
      if (!pod) {
        throw errors.notFound(type, route.name ?? '');
      }
      const container = query.get('container');
      if (route.subresource === 'exec' && container && !containerNames(pod).includes(container)) {
        throw errors.badRequest(`container ${container} is not valid for pod ${route.name}`);
      }
      throw errors.badRequest('Upgrade request required');
    }
    if (route.subresource && !type.subresources.some((s) => s.name === route.subresource)) {
      throw errors.noRoute();
    }
    const subresourceContext = {
      cluster,
      user,
      authorize: (verb: string) => this.authorize(user, verb, route),
      guard: <T>(action: () => T) => mapStoreErrors(type, route.name ?? '', action),
    };
    if (serveSubresource(req, res, url, route, body, subresourceContext)) {
      return;
    }
    if (
      route.namespace !== undefined &&
      type.plural !== 'namespaces' &&
      method !== 'GET' &&
      method !== 'DELETE'
    ) {
      const namespaces = cluster.resources.find('', 'v1', 'namespaces')!;
      if (!cluster.store.peek(namespaces, '', route.namespace) && method === 'POST') {
        throw errors.notFound(namespaces, route.namespace);
      }
    }

    if (method === 'GET' && route.name === undefined) {
      const watch = query.get('watch') === 'true' || query.get('watch') === '1';
      this.authorize(user, watch ? 'watch' : 'list', route);
      const selectors = parseSelectors(type, query);
      if (!query.get('continue')) {
        await this.waitForResourceVersion(query.get('resourceVersion') ?? '');
      }
      if (watch) {
        this.startWatch(req, res, route, query, selectors);
      } else {
        this.list(req, res, route, query, selectors);
      }
      return;
    }
    if (method === 'GET') {
      this.authorize(user, 'get', route);
      const object = cluster.store.get(type, route.namespace ?? '', route.name!);
      if (!object) {
        throw errors.notFound(type, route.name!);
      }
      this.sendObject(req, res, 200, type, object, query);
      return;
    }
    if (method === 'POST' && route.name === undefined) {
      this.authorize(user, 'create', route);
      const object = decodeObject(body, req.headers['content-type']);
      validateFields(type, object, query.get('fieldValidation'), res);
      checkKind(type, object);
      if (route.namespace !== undefined) {
        if (object.metadata.namespace !== undefined && object.metadata.namespace !== route.namespace) {
          throw errors.badRequest(
            'the namespace of the provided object does not match the namespace sent on the request',
          );
        }
        object.metadata.namespace = route.namespace;
      }
      const created = mapStoreErrors(type, object.metadata.name ?? '', () =>
        cluster.create(type, object, { dryRun, user }),
      );
      this.sendObject(req, res, 201, type, created, query);
      return;
    }
    if (method === 'PUT' && route.name !== undefined) {
      this.authorize(user, 'update', route);
      const object = decodeObject(body, req.headers['content-type']);
      validateFields(type, object, query.get('fieldValidation'), res);
      checkKind(type, object);
      if (object.metadata.name !== route.name) {
        throw errors.badRequest(
          'the name of the object (' +
            String(object.metadata.name) +
            ') does not match the name on the URL (' +
            route.name +
            ')',
        );
      }
      object.metadata.namespace = route.namespace;
      // Optimistic concurrency: a resourceVersion in the body must be the stored one (409 otherwise).
      const expectedResourceVersion = object.metadata.resourceVersion ?? '';
      const updated = mapStoreErrors(type, route.name, () =>
        cluster.update(type, object, {
          subresource: route.subresource,
          dryRun,
          user,
          expectedResourceVersion,
        }),
      );
      this.sendObject(req, res, 200, type, updated, query);
      return;
    }
    if (method === 'PATCH' && route.name !== undefined) {
      this.authorize(user, 'patch', route);
      if (isApplyPatch(req.headers['content-type'])) {
        const applied = serverSideApply({
          cluster,
          type,
          namespace: route.namespace,
          name: route.name,
          body,
          query,
          user,
          res,
          guard: (action) => mapStoreErrors(type, route.name!, action),
        });
        this.sendObject(req, res, applied.code, type, applied.object, query);
        return;
      }
      const current = cluster.store.get(type, route.namespace ?? '', route.name);
      if (!current) {
        throw errors.notFound(type, route.name);
      }
      if (type.custom && /strategic-merge-patch/.test(String(req.headers['content-type'] ?? ''))) {
        // apiextensions serves no strategic merge patch: there are no patch strategies to follow.
        throw errors.unsupportedMediaType(String(req.headers['content-type']), false);
      }
      let patch: unknown;
      try {
        patch = JSON.parse(body.toString('utf8'));
      } catch {
        throw errors.badRequest('error decoding patch: invalid character in JSON');
      }
      if (!Array.isArray(patch)) {
        // A merge patch names fields as the object does; a JSON patch (a list of operations) is not checked.
        validateFields(type, patch, query.get('fieldValidation'), res);
      }
      const patched = applyPatch(current, patch, String(req.headers['content-type'] ?? '')) as KubeObject;
      patched.metadata ??= {};
      patched.metadata.name = route.name;
      patched.metadata.namespace = route.namespace;
      const expected = (patch as { metadata?: { resourceVersion?: string } } | null)?.metadata
        ?.resourceVersion;
      const updated = mapStoreErrors(type, route.name, () =>
        cluster.update(type, patched, {
          subresource: route.subresource,
          dryRun,
          user,
          expectedResourceVersion: expected ?? '',
        }),
      );
      this.sendObject(req, res, 200, type, updated, query);
      return;
    }
    if (method === 'DELETE' && route.name !== undefined) {
      this.authorize(user, 'delete', route);
      const options =
        body.length > 0 ? (JSON.parse(body.toString('utf8')) as { gracePeriodSeconds?: number }) : {};
      const grace = query.has('gracePeriodSeconds')
        ? Number(query.get('gracePeriodSeconds'))
        : options.gracePeriodSeconds;
      const deleted = mapStoreErrors(type, route.name, () =>
        cluster.delete(type, route.namespace ?? '', route.name!, { gracePeriodSeconds: grace, dryRun }),
      );
      this.sendObject(req, res, 200, type, deleted, query);
      return;
    }
    if (method === 'DELETE') {
      this.authorize(user, 'deletecollection', route);
      const selectors = parseSelectors(type, query);
      const victims = cluster.store
        .list(type, route.namespace)
        .filter(({ object }) => matches(type, object, selectors))
        .map(({ object }) => object.metadata.name!);
      const deleted = victims.map((name) => cluster.delete(type, route.namespace ?? '', name, { dryRun }));
      sendJson(res, 200, {
        kind: `${type.kind}List`,
        apiVersion: apiVersionOf(type),
        metadata: { resourceVersion: String(cluster.store.currentRevision) },
        items: deleted,
      });
      return;
    }
    throw errors.methodNotAllowed();
  }

  /**
   * A resourceVersion the store has not reached yet: wait for it as the watch cache does (3 s),
   * then 504 Timeout with cause ResourceVersionTooLarge.
   */
  private async waitForResourceVersion(requested: string): Promise<void> {
    const store = this.options.cluster.store;
    const wanted = Number(requested);
    if (requested === '' || !Number.isFinite(wanted) || wanted <= store.currentRevision) {
      return;
    }
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        unsubscribe();
        resolve();
      };
      const timer = setTimeout(done, this.options.resourceVersionWaitMs ?? 3_000);
      const unsubscribe = store.subscribe(() => {
        if (store.currentRevision >= wanted) {
          done();
        }
      });
    });
    if (wanted > store.currentRevision) {
      throw errors.tooLargeResourceVersion(wanted, store.currentRevision);
    }
  }

  private list(
    req: IncomingMessage,
    res: ServerResponse,
    route: Route,
    query: URLSearchParams,
    selectors: Selectors,
  ): void {
    const store = this.options.cluster.store;
    const { type } = route;
    // resourceVersion=0 is served whole from the watch cache: limit does not apply (no continue).
    const limit =
      query.get('resourceVersion') === '0' && !query.get('continue') ? 0 : Number(query.get('limit') ?? 0);
    let start = '';
    let revision = store.currentRevision;
    const token = query.get('continue');
    if (token) {
      const decoded = decodeContinue(token);
      if (decoded.rv < store.oldestRevision(resourceKey(type)) - 1) {
        throw errors.gone(
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
        );
      }
      start = decoded.start;
      revision = decoded.rv;
    }
    const resourceVersion = query.get('resourceVersion');
    if (
      query.get('resourceVersionMatch') === 'Exact' &&
      resourceVersion &&
      Number(resourceVersion) !== store.currentRevision
    ) {
      if (Number(resourceVersion) < store.oldestRevision(resourceKey(type)) - 1) {
        throw errors.gone(`too old resource version: ${resourceVersion} (${store.currentRevision})`);
      }
    }
    const selected = selectors.labels.length > 0 || selectors.fields.length > 0;
    const after = start ? splitKey(start) : undefined;
    const { entries, total, before } = store.listAfter(type, route.namespace, after);
    const items: Array<{ object: KubeObject; json: string }> = [];
    let more = false;
    for (const entry of entries) {
      if (!matches(type, entry.object, selectors)) {
        continue;
      }
      if (limit > 0 && items.length >= limit) {
        more = true;
        break;
      }
      items.push(entry);
    }
    const metadata: Record<string, unknown> = { resourceVersion: String(revision) };
    if (more) {
      metadata.continue = encodeContinue({ rv: revision, start: objectKeyOf(items.at(-1)!.object) });
      // As a real server: with a selector, how many remain is unknown and the field is left out.
      if (!selected) {
        metadata.remainingItemCount = total - before - items.length;
      }
    }
    const remaining = metadata.remainingItemCount as number | undefined;
    const tableVersion = acceptsTable(req.headers.accept ?? '');
    if (tableVersion) {
      const table = toTable(
        type,
        items.map((i) => withKind(type, i.object)),
        {
          version: tableVersion,
          now: new Date(),
          includeObject: includeObjectOf(query),
          resourceVersion: String(revision),
          ...(metadata.continue
            ? {
                continue: String(metadata.continue),
                ...(remaining === undefined ? {} : { remainingItemCount: remaining }),
              }
            : {}),
        },
      );
      sendJson(res, 200, table);
      return;
    }
    if (type.custom) {
      // An unstructured list: every item carries its apiVersion and kind.
      sendJson(res, 200, {
        apiVersion: apiVersionOf(type),
        items: items.map((i) => withKind(type, i.object)),
        kind: type.custom.listKind,
        metadata,
      });
      return;
    }
    // Items are concatenated from their stored JSON: no re-serialisation of 10,000 Pods per list.
    const head = JSON.stringify({ kind: `${type.kind}List`, apiVersion: apiVersionOf(type), metadata }).slice(
      0,
      -1,
    );
    if (items.length === 0) {
      const payload = `${head},"items":[]}`;
      res.writeHead(200, {
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(payload),
      });
      res.end(payload);
      return;
    }
    // A list is streamed (chunked), its metadata first, as a real API server streams one (the
    // streaming collection encoding of Kubernetes 1.33): 100,000 Pods in one string and one Buffer
    // of 250 MB each, per request, made the sandbox's memory peak at 3 GB, and a client reading
    // pages learns the next page's continue token from the head of this one.
    res.writeHead(200, { 'Content-Type': 'application/json' });
    void streamItems(res, `${head},"items":[`, items);
  }

  private startWatch(
    req: IncomingMessage,
    res: ServerResponse,
    route: Route,
    query: URLSearchParams,
    selectors: Selectors,
  ): void {
    const store = this.options.cluster.store;
    const requested = query.get('resourceVersion') ?? '';
    const timeoutSeconds = query.has('timeoutSeconds')
      ? Number(query.get('timeoutSeconds'))
      : 1800 + Math.floor(Math.random() * 1800);
    const watch = new WatchStream(res, route, selectors, {
      table: acceptsTable(req.headers.accept ?? '')
        ? { include: includeObjectOf(query), version: acceptsTable(req.headers.accept ?? '')! }
        : undefined,
      bookmarks: query.get('allowWatchBookmarks') === 'true',
      bookmarkIntervalMs: this.options.bookmarkIntervalMs ?? 60_000,
      timeoutMs: timeoutSeconds * 1000,
      currentRevision: () => store.currentRevision,
      onClose: () => this.watches.delete(watch),
    });
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Transfer-Encoding': 'chunked',
      'Cache-Control': 'no-cache, private',
    });
    res.flushHeaders();
    req.socket.setNoDelay(true);

    const sendInitialEvents = query.get('sendInitialEvents') === 'true';
    if (requested === '' || requested === '0' || sendInitialEvents) {
      // Every current object, whatever its revision: the list is in key order, not revision order.
      for (const { object } of store.list(route.type, route.namespace)) {
        watch.sendInitial(object);
      }
      watch.lastRevision = store.currentRevision;
      if (sendInitialEvents) {
        watch.sendBookmark({ 'k8s.io/initial-events-end': 'true' });
      }
    } else {
      const since = Number(requested);
      const changes = Number.isFinite(since) ? store.changesSince(resourceKey(route.type), since) : undefined;
      if (!changes) {
        watch.sendError(
          errors.gone(`too old resource version: ${requested} (${store.currentRevision})`).status,
        );
        watch.close();
        return;
      }
      watch.lastRevision = since;
      for (const change of changes) {
        watch.offer(change);
      }
    }
    this.watches.add(watch);
    req.once('close', () => watch.close());
  }

  /** A deleted CRD's watches end, as the API server drops the CRD's storage. */
  private closeUnservedWatches(): void {
    const served = this.options.cluster.resources;
    for (const watch of [...this.watches]) {
      const { group, version, plural } = watch.type;
      if (!served.find(group, version, plural)) {
        watch.close();
      }
    }
  }

  private dispatch(event: ChangeEvent): void {
    for (const watch of this.watches) {
      watch.offer(event);
    }
  }

  private sendObject(
    req: IncomingMessage,
    res: ServerResponse,
    code: number,
    type: ResourceType,
    object: KubeObject,
    query: URLSearchParams,
  ): void {
    const full = withKind(type, object);
    const tableVersion = acceptsTable(req.headers.accept ?? '');
    if (tableVersion) {
      sendJson(
        res,
        code,
        toTable(type, [full], {
          version: tableVersion,
          now: new Date(),
          includeObject: includeObjectOf(query),
          resourceVersion: String(object.metadata.resourceVersion ?? ''),
        }),
      );
      return;
    }
    sendJson(res, code, full);
  }

  private fail(res: ServerResponse, error: unknown): void {
    const status =
      error instanceof ApiError
        ? error.status
        : errors.internal(error instanceof Error ? error.message : String(error)).status;
    if (!(error instanceof ApiError)) {
      this.options.cluster.log(
        `internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendJson(res, status.code, status);
  }

  // ---------------------------------------------------------------------------------------------

  private async upgrade(req: IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
    const refuse = (error: unknown) => {
      const status = error instanceof ApiError ? error.status : errors.internal(String(error)).status;
      const payload = JSON.stringify(status);
      socket.end(
        `HTTP/1.1 ${status.code} ${status.reason ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(payload)}\r\nConnection: close\r\n\r\n${payload}`,
      );
    };
    try {
      const latency = this.options.cluster.faults.apiLatencyMs;
      if (latency > 0) {
        await new Promise((resolve) => setTimeout(resolve, latency));
      }
      const user = this.authenticate(req);
      const url = new URL(req.url ?? '/', 'https://sandbox');
      const route = parseRoute(url.pathname.replace(/\/+$/, ''), this.options.cluster.resources);
      if (
        !route ||
        route.type.plural !== 'pods' ||
        !route.name ||
        (route.subresource !== 'exec' && route.subresource !== 'portforward')
      ) {
        throw errors.noRoute();
      }
      this.authorize(user, 'create', route);
      const offered = String(req.headers['sec-websocket-protocol'] ?? '')
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean);
      const cluster = this.options.cluster;
      if (route.subresource === 'portforward' && /^spdy\/3\.1$/i.test(String(req.headers.upgrade ?? ''))) {
        // kubectl before 1.31, and kubectl's fallback: SPDY on the connection itself.
        const pod = cluster.portForwardTarget(route.namespace!, route.name);
        socket.write(spdyUpgradeResponse(req.headers['x-stream-protocol-version']));
        runSpdyPortForwardSession(socketChannel(socket, head), { pod, cluster });
        return;
      }
      if (route.subresource === 'exec') {
        const protocol = selectExecProtocol(offered);
        const target = cluster.execTarget(
          route.namespace!,
          route.name,
          url.searchParams.get('container') ?? undefined,
        );
        this.accept(req, socket, head, protocol, (ws) =>
          runExecSession(ws, protocol, {
            argv: url.searchParams.getAll('command'),
            stdin: url.searchParams.get('stdin') === 'true',
            stdout: url.searchParams.get('stdout') !== 'false',
            stderr: url.searchParams.get('stderr') !== 'false',
            tty: url.searchParams.get('tty') === 'true',
            target,
            cluster,
          }),
        );
      } else if (selectPortForwardProtocol(offered) === SPDY_TUNNEL_PROTOCOL) {
        // kubectl 1.31+: SPDY through the WebSocket; ports come in each stream's headers.
        const pod = cluster.portForwardTarget(route.namespace!, route.name);
        this.accept(req, socket, head, SPDY_TUNNEL_PROTOCOL, (ws) =>
          runSpdyPortForwardSession(webSocketChannel(ws), { pod, cluster }),
        );
      } else {
        const protocol = selectPortForwardProtocol(offered);
        const ports = url.searchParams
          .getAll('ports')
          .flatMap((value) => value.split(','))
          .map((value) => Number(value.trim()));
        if (ports.length === 0 || ports.some((p) => !Number.isInteger(p) || p < 1 || p > 65535)) {
          throw errors.badRequest('invalid port in query: ' + url.searchParams.getAll('ports').join(','));
        }
        const pod = cluster.portForwardTarget(route.namespace!, route.name);
        this.accept(req, socket, head, protocol, (ws) => runPortForwardSession(ws, { pod, ports, cluster }));
      }
    } catch (error) {
      refuse(error);
    }
  }

  private accept(
    req: IncomingMessage,
    socket: Socket,
    head: Buffer,
    protocol: string,
    run: (ws: WebSocket) => void,
  ): void {
    if (protocol) {
      // ws refuses subprotocols outside RFC 7230's token characters, and kubectl's
      // "SPDY/3.1+portforward.k8s.io" has a '/': the chosen one is written back as is.
      req.headers['sec-websocket-protocol'] = 'negotiated';
    }
    const server = new WebSocketServer({
      noServer: true,
      handleProtocols: () => protocol || false,
      perMessageDeflate: false,
    });
    server.handleUpgrade(req, socket, head, (ws) => {
      this.webSockets.add(ws);
      ws.once('close', () => this.webSockets.delete(ws));
      run(ws);
    });
  }
}

// -------------------------------------------------------------------------------------------------

/** How long before a watch's deadline the API server sends its last bookmark. */
const PRE_TIMEOUT_BOOKMARK_MS = 2_000;

class WatchStream {
  lastRevision = 0;
  private closed = false;
  private sentColumns = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly res: ServerResponse;
  private readonly route: Route;
  private readonly selectors: Selectors;
  private readonly options: {
    table: { include: 'None' | 'Object' | 'Metadata'; version: 'v1' | 'v1beta1' } | undefined;
    bookmarks: boolean;
    bookmarkIntervalMs: number;
    timeoutMs: number;
    currentRevision: () => number;
    onClose: () => void;
  };

  constructor(res: ServerResponse, route: Route, selectors: Selectors, options: WatchStream['options']) {
    this.res = res;
    this.route = route;
    this.selectors = selectors;
    this.options = options;
    this.timers.push(setTimeout(() => this.close(), options.timeoutMs));
    if (options.bookmarks) {
      // As the API server's cacher does: a bookmark every period, and one 2 s before the deadline so
      // that the client resumes from a revision as fresh as possible.
      this.timers.push(setInterval(() => this.sendBookmark(), options.bookmarkIntervalMs));
      if (options.timeoutMs > PRE_TIMEOUT_BOOKMARK_MS) {
        this.timers.push(setTimeout(() => this.sendBookmark(), options.timeoutMs - PRE_TIMEOUT_BOOKMARK_MS));
      }
    }
    res.once('close', () => this.close());
  }

  get type(): ResourceType {
    return this.route.type;
  }

  offer(event: ChangeEvent): void {
    if (this.closed || event.resource !== resourceKey(this.route.type)) {
      return;
    }
    if (event.resourceVersion <= this.lastRevision) {
      return;
    }
    this.lastRevision = event.resourceVersion;
    if (this.route.namespace !== undefined && event.namespace !== this.route.namespace) {
      return;
    }
    const { type } = this.route;
    const now = matches(type, event.object, this.selectors);
    let kind: string = event.type;
    if (event.type === 'MODIFIED' && event.previous) {
      // A watch with a selector sees objects enter and leave it, as the watch cache reports them.
      const before = matches(type, event.previous, this.selectors);
      if (before && !now) {
        kind = 'DELETED';
      } else if (!before && now) {
        kind = 'ADDED';
      } else if (!now) {
        return;
      }
    } else if (!now) {
      return;
    }
    this.write(kind, withKind(type, event.object));
  }

  /** A current object of the initial state, sent as ADDED when it matches the selectors. */
  sendInitial(object: KubeObject): void {
    if (!this.closed && matches(this.route.type, object, this.selectors)) {
      this.write('ADDED', withKind(this.route.type, object));
    }
  }

  sendBookmark(annotations?: Record<string, string>): void {
    const { type } = this.route;
    this.lastRevision = Math.max(this.lastRevision, this.options.currentRevision());
    this.writeRaw({
      type: 'BOOKMARK',
      object: {
        kind: type.kind,
        apiVersion: apiVersionOf(type),
        metadata: { resourceVersion: String(this.lastRevision), ...(annotations ? { annotations } : {}) },
      },
    });
  }

  sendError(status: unknown): void {
    this.writeRaw({ type: 'ERROR', object: status });
  }

  close(): void {
    if (this.closed) {
      return;
    }
    this.closed = true;
    for (const timer of this.timers) {
      clearTimeout(timer);
    }
    this.options.onClose();
    if (!this.res.writableEnded) {
      this.res.end();
    }
  }

  private write(kind: string, object: KubeObject): void {
    if (this.options.table !== undefined) {
      const table = toTable(this.route.type, [object], {
        version: this.options.table.version,
        now: new Date(),
        includeObject: this.options.table.include,
        resourceVersion: String(object.metadata.resourceVersion ?? ''),
        includeColumnDefinitions: !this.sentColumns,
      });
      this.sentColumns = true;
      this.writeRaw({ type: kind, object: table });
      return;
    }
    this.writeRaw({ type: kind, object });
  }

  private writeRaw(event: unknown): void {
    if (!this.closed && !this.res.writableEnded) {
      this.res.write(JSON.stringify(event) + '\n');
    }
  }
}

// -------------------------------------------------------------------------------------------------

/** Whether `/api/<version>/…` or `/apis/<group>/<version>/…` names a group and version served here. */
function servesGroupVersion(path: string, served: ResourceRegistry): boolean {
  const [root, first, second] = path.split('/').filter(Boolean).map(decodeURIComponent);
  const [group, version] =
    root === 'api' ? ['', first] : root === 'apis' ? [first, second] : [undefined, undefined];
  return group !== undefined && version !== undefined && served.servesGroupVersion(group, version);
}

function parseRoute(path: string, served: ResourceRegistry): Route | undefined {
  const findResource = (group: string, version: string, plural: string) =>
    served.find(group, version, plural);
  const segments = path.split('/').filter(Boolean).map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (segments[0] === 'api' && segments.length >= 3) {
    group = '';
    version = segments[1]!;
    rest = segments.slice(2);
  } else if (segments[0] === 'apis' && segments.length >= 4) {
    group = segments[1]!;
    version = segments[2]!;
    rest = segments.slice(3);
  } else {
    return undefined;
  }
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const type = findResource(group, version, rest[2]!);
    if (type?.namespaced && rest.length <= 5) {
      return { type, namespace: rest[1], name: rest[3], subresource: rest[4] };
    }
  }
  const type = findResource(group, version, rest[0]!);
  if (!type || rest.length > 3) {
    return undefined;
  }
  if (type.namespaced && rest.length > 1) {
    return undefined;
  }
  return { type, namespace: undefined, name: rest[1], subresource: rest[2] };
}

function parseSelectors(type: ResourceType, query: URLSearchParams): Selectors {
  let labels: LabelRequirement[] = [];
  let fields: FieldRequirement[] = [];
  try {
    labels = parseLabelSelectorString(query.get('labelSelector') ?? '');
  } catch (error) {
    throw errors.badRequest(
      `unable to parse requirement: ${(error as Error).message}`.replace(
        /^unable to parse requirement: (unable to parse requirement: )/,
        '$1',
      ),
    );
  }
  try {
    fields = parseFieldSelectorString(query.get('fieldSelector') ?? '');
  } catch (error) {
    throw errors.badRequest((error as Error).message);
  }
  const supported = SUPPORTED_FIELDS[type.plural] ?? ['metadata.name', 'metadata.namespace'];
  for (const field of fields) {
    if (!supported.includes(field.field)) {
      throw errors.badRequest(`field label not supported: ${field.field}`);
    }
  }
  return { labels, fields };
}

function fieldsOf(object: KubeObject): Record<string, string> {
  const spec = (object.spec ?? {}) as Record<string, unknown>;
  const status = (object.status ?? {}) as Record<string, unknown>;
  const involved = (object.involvedObject ?? {}) as Record<string, unknown>;
  const str = (value: unknown) => (value === undefined || value === null ? '' : String(value));
  return {
    'metadata.name': str(object.metadata.name),
    'metadata.namespace': str(object.metadata.namespace),
    'status.phase': str(status.phase),
    'spec.nodeName': str(spec.nodeName),
    'status.podIP': str(status.podIP),
    'spec.serviceAccountName': str(spec.serviceAccountName),
    'spec.restartPolicy': str(spec.restartPolicy),
    'spec.schedulerName': str(spec.schedulerName),
    'involvedObject.kind': str(involved.kind),
    'involvedObject.name': str(involved.name),
    'involvedObject.namespace': str(involved.namespace),
    'involvedObject.uid': str(involved.uid),
    reason: str(object.reason),
    type: str(object.type),
    source: str((object.source as { component?: string } | undefined)?.component),
  };
}

function matches(_type: ResourceType, object: KubeObject, selectors: Selectors): boolean {
  if (selectors.labels.length > 0 && !matchesRequirements(selectors.labels, object.metadata.labels ?? {})) {
    return false;
  }
  return selectors.fields.length === 0 || matchesFieldRequirements(selectors.fields, fieldsOf(object));
}

/** Every container of a Pod: init, regular and ephemeral. */
function containerNames(pod: KubeObject): string[] {
  const spec = (pod.spec ?? {}) as Record<string, Array<{ name: string }> | undefined>;
  return [spec.initContainers, spec.containers, spec.ephemeralContainers].flatMap((list) =>
    (list ?? []).map((container) => container.name),
  );
}

function objectKeyOf(object: KubeObject): string {
  return `${object.metadata.namespace ?? ''}/${object.metadata.name}`;
}

/** Objects a list writes at once; a list of more is streamed in batches of this many. */
const STREAMED_LIST_BATCH = 1_000;

/** Writes a list's items in batches, waiting for the client to drain each; stops if it goes away. */
async function streamItems(
  res: ServerResponse,
  head: string,
  items: ReadonlyArray<{ json: string }>,
): Promise<void> {
  // The head goes out on its own (Node sends what was written in one tick together), as a real
  // server's does once its first items fill the write buffer.
  res.write(head);
  await new Promise<void>((resolve) => setImmediate(resolve));
  let prefix = '';
  for (let start = 0; start < items.length; start += STREAMED_LIST_BATCH) {
    if (res.destroyed) {
      return;
    }
    const batch = items
      .slice(start, start + STREAMED_LIST_BATCH)
      .map((item) => item.json)
      .join(',');
    if (!res.write(`${prefix}${batch}`)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      });
    }
    prefix = ',';
  }
  if (!res.destroyed) {
    res.end(']}');
  }
}

/** A key of `objectKeyOf` back into its namespace and name. */
function splitKey(key: string): StoreKey {
  const slash = key.indexOf('/');
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

function encodeContinue(token: { rv: number; start: string }): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: token.rv, start: token.start })).toString(
    'base64url',
  );
}

function decodeContinue(token: string): { rv: number; start: string } {
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      rv: number;
      start: string;
    };
    if (typeof decoded.rv !== 'number' || typeof decoded.start !== 'string') {
      throw new Error('shape');
    }
    return decoded;
  } catch {
    throw errors.badRequest(
      'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
    );
  }
}

function includeObjectOf(query: URLSearchParams): 'None' | 'Object' | 'Metadata' {
  const value = query.get('includeObject');
  return value === 'None' || value === 'Object' ? value : 'Metadata';
}

export function withKind(type: ResourceType, object: KubeObject): KubeObject {
  return { kind: type.kind, apiVersion: apiVersionOf(type), ...object };
}

function checkKind(type: ResourceType, object: KubeObject): void {
  if (object.kind !== undefined && object.kind !== type.kind) {
    throw errors.badRequest(
      `the API version in the data (${String(object.apiVersion)}) does not match the expected API version (${apiVersionOf(type)})`,
    );
  }
  delete object.kind;
  delete object.apiVersion;
}

function decodeObject(body: Buffer, contentType: string | undefined): KubeObject {
  const text = body.toString('utf8');
  let object: unknown;
  try {
    object = isProtobuf(contentType)
      ? decodeProtobufObject(body)
      : /yaml/.test(contentType ?? '')
        ? parseYaml(text)
        : JSON.parse(text);
  } catch (error) {
    if (error instanceof ApiError) {
      throw error;
    }
    throw errors.badRequest(`error decoding request body: ${(error as Error).message}`);
  }
  if (typeof object !== 'object' || object === null || Array.isArray(object)) {
    throw errors.badRequest("Object 'Kind' is missing in request body");
  }
  const result = object as KubeObject;
  result.metadata ??= {};
  return result;
}

function mapStoreErrors<T>(type: ResourceType, name: string, action: () => T): T {
  try {
    return action();
  } catch (error) {
    if (error instanceof StoreError) {
      switch (error.reason) {
        case 'NotFound':
          throw errors.notFound(type, name);
        case 'AlreadyExists':
          throw errors.alreadyExists(type, name);
        case 'Conflict':
          throw errors.conflict(type, name, error.message);
      }
    }
    throw error;
  }
}

function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) });
  res.end(payload);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export { success };
