/**
 * The data plane: real sockets on loopback. Every declared port of a running container listens on
 * podIP:port (an HTTP echo unless the scenario says otherwise); every Service port listens on
 * clusterIP:port and forwards to a ready endpoint, as kube-proxy does; connections from a Pod's
 * address are subject to NetworkPolicy, with denied ones silently dropped.
 *
 * Policy is the shared evaluator's (src/analysis/networkPolicy.ts), so what no policy can block
 * follows the Kubernetes documentation here too: a Pod's connections to itself, and traffic between
 * a Pod and its own node (its node's address, host-network Pods bound to that node). A Pod reaching
 * itself through its Service (hairpin), where real plugins differ, is allowed, as the documented rule
 * says. Connections from the host (tests, the kubelet's side of a port-forward) come from no Pod
 * address and are not subject to policy. Host-network Pods get an address from the Pod range here,
 * not their node's; policy knows them by spec.nodeName.
 */
import { createSocket } from 'node:dgram';
import type { Socket as UdpSocket } from 'node:dgram';
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import { connect, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import type { NetworkPolicy, Namespace, Pod } from '../../src/analysis/k8s.ts';
import { evaluateConnection, nodeEndpoint, podEndpoint } from '../../src/analysis/networkPolicy.ts';
import type { ConnectionVerdict, Endpoint } from '../../src/analysis/networkPolicy.ts';
import { endpointsForInternalTraffic } from '../../src/analysis/nodePorts.ts';
import type { KubeObject } from '../api/store.ts';
import type { Cluster } from '../cluster.ts';
import { type } from '../cluster.ts';
import { accessLogLine } from '../controllers/logs.ts';
import { isReady } from '../controllers/replicasets.ts';
import { resolveName } from './dns.ts';
import { ExternalListeners } from './external.ts';
import { HostPorts } from './hostPorts.ts';
import type { PortLimit } from './hostPorts.ts';
import { IngressProxy } from './ingressProxy.ts';

type Listener = { kind: 'tcp'; server: Server } | { kind: 'udp'; socket: UdpSocket };

export interface DialOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

/** How long a dropped connection is held before the sandbox lets go of it. */
const DROP_HOLD_MS = 120_000;

export class DataPlane {
  private readonly cluster: Cluster;
  private readonly podListeners = new Map<string, Listener[]>();
  /** Ports that listen on demand and have not been asked for yet, by `ip:port`, and by Pod. */
  private readonly dormant = new Map<string, () => Server>();
  private readonly dormantOfPod = new Map<string, string[]>();
  private readonly opening = new Map<string, Promise<void>>();
  /** Accepted connections per Pod: a Pod that stops takes its connections with it. */
  private readonly podConnections = new Map<string, Set<Socket>>();
  private readonly serviceListeners = new Map<string, Server[]>();
  private readonly podsByIp = new Map<string, string>();
  private readonly servicesByIp = new Map<string, string>();
  private readonly sockets = new Set<Socket>();
  private readonly unsubscribe: () => void;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly echoServer: HttpServer;
  /** The built-in Ingress controller's reverse proxy, behind listeners in mode `ingress-controller`. */
  private readonly ingressProxy: IngressProxy;
  private readonly echoTargets = new WeakMap<
    Socket,
    {
      mode: string;
      delayMs: number;
      identity: { pod: string; namespace: string; container: string; port: number };
    }
  >();
  private stopped = false;
  /** Every listener listens through it: privileged ports mapped where needed, failures kept. */
  readonly hostPorts: HostPorts;
  /** Where the `kubernetes` Service forwards: the API server's port, set once it listens. */
  apiServerPort = 0;
  /** Node ports and load-balancer addresses. */
  private readonly external: ExternalListeners;

  constructor(cluster: Cluster, portLimit: PortLimit = { lowest: 0, reason: undefined }) {
    this.cluster = cluster;
    this.hostPorts = new HostPorts(portLimit, (message) => cluster.log(message));
    this.external = new ExternalListeners(cluster, this);
    this.echoServer = createHttpServer((req, res) => {
      const target = this.echoTargets.get(req.socket as Socket);
      if (target) {
        this.echo(req, res, target.mode, target.delayMs, target.identity);
      } else {
        res.destroy();
      }
    });
    this.echoServer.keepAliveTimeout = 5_000;
    this.ingressProxy = new IngressProxy(cluster, this);
    this.unsubscribe = cluster.store.subscribe((event) => {
      if (event.resource === 'pods') {
        const ip = (event.object.status as { podIP?: string } | undefined)?.podIP;
        const key = `${event.namespace}/${event.object.metadata.name}`;
        if (event.type === 'DELETED') {
          if (ip && this.podsByIp.get(ip) === key) {
            this.podsByIp.delete(ip);
          }
        } else if (ip) {
          this.podsByIp.set(ip, key);
        }
      } else if (event.resource === 'services') {
        const key = `${event.namespace}/${event.object.metadata.name}`;
        if (event.type === 'MODIFIED' && event.previous?.spec === event.object.spec) {
          // Metadata or status only (the host-port annotation, a load balancer's address): the
          // ClusterIP listeners stay as they are; the external ones follow the status.
          if (!this.stopped) {
            this.external.sync(event.object);
          }
          return;
        }
        const before = (event.previous?.spec as { clusterIP?: string } | undefined)?.clusterIP;
        if (before) {
          this.servicesByIp.delete(before);
        }
        if (event.type === 'DELETED') {
          const ip = (event.object.spec as { clusterIP?: string }).clusterIP;
          if (ip) {
            this.servicesByIp.delete(ip);
          }
          this.closeServiceListeners(key);
          this.external.close(key);
        } else {
          this.syncServiceListeners(event.object);
          if (!this.stopped) {
            this.external.sync(event.object);
          }
        }
      }
    });
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe();
    for (const listeners of this.podListeners.values()) {
      listeners.forEach((listener) => this.closeListener(listener));
    }
    this.podListeners.clear();
    for (const servers of this.serviceListeners.values()) {
      servers.forEach((server) => this.hostPorts.close(server));
    }
    this.serviceListeners.clear();
    this.external.stop();
    for (const socket of this.sockets) {
      socket.destroy();
    }
    for (const timer of this.timers) {
      clearTimeout(timer);
    }
  }

  /** Number of open listening sockets, for the memory report. */
  get listenerCount(): number {
    let count = 0;
    for (const listeners of this.podListeners.values()) {
      count += listeners.length;
    }
    for (const servers of this.serviceListeners.values()) {
      count += servers.length;
    }
    return count + this.external.count;
  }

  // --- Pods ------------------------------------------------------------------------------------

  startPod(pod: KubeObject): void {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const ip = (pod.status as { podIP?: string }).podIP;
    if (!ip || this.stopped) {
      return;
    }
    this.podsByIp.set(ip, key);
    const listeners: Listener[] = [];
    const dormant = new Map<string, () => Server>();
    const connections = new Set<Socket>();
    const owner = { type: type('pods'), namespace: pod.metadata.namespace!, name: pod.metadata.name! };
    this.podConnections.set(key, connections);
    const containers = (
      pod.spec as {
        containers: Array<{
          name: string;
          ports?: Array<{ containerPort: number; name?: string; protocol?: string }>;
        }>;
      }
    ).containers;
    // A mapped port avoids every TCP port the Pod declares on its address.
    const declared = containers.flatMap((container) =>
      (container.ports ?? [])
        .filter((port) => (port.protocol ?? 'TCP') === 'TCP')
        .map((port) => port.containerPort),
    );
    for (const container of containers) {
      for (const port of container.ports ?? []) {
        const behaviour = this.cluster.scenario.listenerFor(pod, container.name, port);
        if (behaviour.mode === 'none') {
          continue;
        }
        const protocol = port.protocol ?? 'TCP';
        if (protocol === 'UDP' || behaviour.mode === 'udp-echo') {
          const socket = createSocket('udp4');
          socket.on('message', (message, remote) => socket.send(message, remote.port, remote.address));
          let bound = false;
          socket.once('listening', () => (bound = true));
          socket.on('error', (error: NodeJS.ErrnoException) => {
            if (bound) {
              this.cluster.log(`udp listener ${ip}:${port.containerPort}: ${error.message}`);
            } else {
              this.hostPorts.udpFailed(socket, {
                address: ip,
                port: port.containerPort,
                owner,
                code: error.code ?? 'ERROR',
                message: error.message,
              });
            }
          });
          socket.bind(port.containerPort, ip);
          listeners.push({ kind: 'udp', socket });
          continue;
        }
        const identity = {
          pod: pod.metadata.name!,
          namespace: pod.metadata.namespace!,
          container: container.name,
          port: port.containerPort,
        };
        const open = (): Server => {
          const server = this.podServer(behaviour.mode, behaviour.delayMs, identity, ip, connections);
          this.hostPorts.listen(server, ip, port.containerPort, owner, declared, 511);
          listeners.push({ kind: 'tcp', server });
          return server;
        };
        if (this.cluster.scenario.listenOnDemand) {
          dormant.set(`${ip}:${port.containerPort}`, open);
        } else {
          open();
        }
      }
    }
    this.podListeners.get(key)?.forEach((listener) => this.closeListener(listener));
    this.podListeners.set(key, listeners);
    this.dropDormant(key);
    if (dormant.size > 0) {
      this.dormantOfPod.set(key, [...dormant.keys()]);
      for (const [address, open] of dormant) {
        this.dormant.set(address, open);
      }
    }
  }

  /**
   * Opens a port that listens on demand (`ScenarioConfig.listenOnDemand`) before the cluster itself
   * connects to it, and resolves once it listens; at once for any other address.
   */
  private wake(ip: string, port: number): Promise<void> {
    const address = `${ip}:${port}`;
    const open = this.dormant.get(address);
    if (open === undefined || this.stopped) {
      return this.opening.get(address) ?? Promise.resolve();
    }
    this.dormant.delete(address);
    const server = open();
    const listening = new Promise<void>((resolve) => {
      const done = () => {
        server.off('error', done);
        this.opening.delete(address);
        resolve();
      };
      server.once('listening', done);
      server.once('error', done);
    });
    this.opening.set(address, listening);
    return listening;
  }

  private dropDormant(key: string): void {
    for (const address of this.dormantOfPod.get(key) ?? []) {
      this.dormant.delete(address);
    }
    this.dormantOfPod.delete(key);
  }

  stopPod(pod: KubeObject): void {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    this.podListeners.get(key)?.forEach((listener) => this.closeListener(listener));
    this.podListeners.delete(key);
    this.dropDormant(key);
    for (const socket of this.podConnections.get(key) ?? []) {
      socket.resetAndDestroy();
    }
    this.podConnections.delete(key);
  }

  private podServer(
    mode: string,
    delayMs: number,
    identity: { pod: string; namespace: string; container: string; port: number },
    ip: string,
    connections: Set<Socket>,
  ): Server {
    return createServer((socket) => {
      this.track(socket);
      connections.add(socket);
      socket.once('close', () => connections.delete(socket));
      if (!this.admits(socket.remoteAddress ?? '', ip, identity.port)) {
        this.hold(socket);
        return;
      }
      if (mode === 'tcp-echo') {
        socket.pipe(socket);
        return;
      }
      if (mode === 'ingress-controller') {
        this.ingressProxy.accept(socket, identity);
        return;
      }
      if (mode === 'gateway-controller') {
        this.cluster.gateways.proxy.acceptPod(socket, identity.port);
        return;
      }
      // One HTTP server parses for every listener (an http.Server per port would cost megabytes
      // at 10,000 Pods); the socket carries which Pod and port it reached.
      this.echoTargets.set(socket, { mode, delayMs, identity });
      this.echoServer.emit('connection', socket);
    });
  }

  private echo(
    req: IncomingMessage,
    res: ServerResponse,
    mode: string,
    delayMs: number,
    identity: { pod: string; namespace: string; container: string; port: number },
  ): void {
    const reply = () => {
      if (res.destroyed) {
        return;
      }
      const download = /^\/bytes\/(\d+)$/.exec(req.url ?? '');
      if (download && mode === 'http') {
        // httpbin-style /bytes/N: N bytes of payload, for throughput measurements.
        const size = Math.min(Number(download[1]), 1 << 30);
        this.logRequest(req, identity, 200, size);
        streamBytes(res, size);
        return;
      }
      const failing = mode === 'http503';
      const body = JSON.stringify({
        pod: identity.pod,
        namespace: identity.namespace,
        container: identity.container,
        port: identity.port,
        method: req.method,
        path: req.url,
        host: req.headers.host,
        client: req.socket.remoteAddress,
        ...(failing ? { error: 'service unavailable (sandbox scenario)' } : {}),
      });
      res.writeHead(failing ? 503 : 200, {
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(body),
        'X-Pod-Name': identity.pod,
        'X-Pod-Namespace': identity.namespace,
      });
      res.end(body + '\n');
      this.logRequest(req, identity, failing ? 503 : 200, Buffer.byteLength(body) + 1);
    };
    // Drain the request body before answering so keep-alive connections stay usable.
    req.resume();
    req.once('end', () => {
      if (mode === 'slow') {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          reply();
        }, delayMs);
        this.timers.add(timer);
      } else {
        reply();
      }
    });
  }

  /** The container's access log, so `kubectl logs` shows traffic arriving. */
  private logRequest(
    req: IncomingMessage,
    identity: { pod: string; namespace: string; container: string },
    status: number,
    bytes: number,
  ): void {
    this.cluster.logs.append(
      identity.namespace,
      identity.pod,
      identity.container,
      accessLogLine({
        client: req.socket.remoteAddress ?? '-',
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        status,
        bytes,
        userAgent: req.headers['user-agent'],
      }),
    );
  }

  /** Resolves once every listener asked for so far is listening (or has failed to). */
  idle(): Promise<void> {
    return this.hostPorts.idle();
  }

  private closeListener(listener: Listener): void {
    if (listener.kind === 'tcp') {
      this.hostPorts.close(listener.server);
    } else {
      this.hostPorts.udpClosed(listener.socket);
      listener.socket.close();
    }
  }

  // --- Services --------------------------------------------------------------------------------

  private syncServiceListeners(service: KubeObject): void {
    const key = `${service.metadata.namespace}/${service.metadata.name}`;
    const spec = service.spec as {
      clusterIP?: string;
      ports?: Array<{ port: number; protocol?: string; name?: string }>;
    };
    this.closeServiceListeners(key);
    if (!spec.clusterIP || spec.clusterIP === 'None' || this.stopped) {
      return;
    }
    this.servicesByIp.set(spec.clusterIP, key);
    const servers: Server[] = [];
    const owner = {
      type: type('services'),
      namespace: service.metadata.namespace!,
      name: service.metadata.name!,
    };
    const declared = (spec.ports ?? []).filter((p) => (p.protocol ?? 'TCP') === 'TCP').map((p) => p.port);
    for (const port of spec.ports ?? []) {
      if ((port.protocol ?? 'TCP') !== 'TCP') {
        continue;
      }
      const server = createServer((client) => {
        this.track(client);
        client.pause();
        this.dialService(undefined, spec.clusterIP!, port.port, { timeoutMs: 10_000 }).then(
          (backend) => {
            client.pipe(backend).pipe(client);
            client.resume();
            client.once('error', () => backend.destroy());
            backend.once('error', () => client.destroy());
            client.once('close', () => backend.destroy());
            backend.once('close', () => client.destroy());
          },
          () => client.resetAndDestroy(),
        );
      });
      this.hostPorts.listen(server, spec.clusterIP, port.port, owner, declared);
      servers.push(server);
    }
    this.serviceListeners.set(key, servers);
  }

  private closeServiceListeners(key: string): void {
    this.serviceListeners.get(key)?.forEach((server) => this.hostPorts.close(server));
    this.serviceListeners.delete(key);
  }

  /** A ready endpoint of a Service port, chosen at random as kube-proxy's iptables mode does. */
  pickEndpoint(
    service: KubeObject,
    servicePort: number,
    protocol = 'TCP',
  ): { ip: string; port: number; pod: string } | undefined {
    const candidates = this.endpointsOf(service, servicePort, protocol).filter((endpoint) => endpoint.ready);
    const chosen = candidates[Math.floor(Math.random() * candidates.length)];
    return chosen ? { ip: chosen.ip, port: chosen.port, pod: chosen.pod } : undefined;
  }

  /** Every endpoint of a Service port, from its EndpointSlices, with readiness and node. */
  endpointsOf(
    service: KubeObject,
    servicePort: number,
    protocol = 'TCP',
  ): Array<{ ip: string; port: number; pod: string; ready: boolean; nodeName: string | undefined }> {
    const spec = service.spec as { ports?: Array<{ port: number; name?: string; protocol?: string }> };
    const port = spec.ports?.find((p) => p.port === servicePort && (p.protocol ?? 'TCP') === protocol);
    if (!port) {
      return [];
    }
    const endpoints: Array<{
      ip: string;
      port: number;
      pod: string;
      ready: boolean;
      nodeName: string | undefined;
    }> = [];
    const slices = this.cluster.store
      .list(type('endpointslices'), service.metadata.namespace)
      .map((entry) => entry.object)
      .filter((slice) => slice.metadata.labels?.['kubernetes.io/service-name'] === service.metadata.name);
    for (const slice of slices) {
      const slicePort = (
        (slice.ports ?? []) as Array<{ name?: string; port: number; protocol?: string }>
      ).find((p) => (p.name ?? '') === (port.name ?? '') && (p.protocol ?? 'TCP') === protocol);
      if (!slicePort) {
        continue;
      }
      for (const endpoint of (slice.endpoints ?? []) as Array<{
        addresses: string[];
        conditions?: { ready?: boolean };
        targetRef?: { name: string };
        nodeName?: string;
      }>) {
        endpoints.push({
          ip: endpoint.addresses[0]!,
          port: slicePort.port,
          pod: endpoint.targetRef?.name ?? '',
          ready: endpoint.conditions?.ready !== false,
          nodeName: endpoint.nodeName,
        });
      }
    }
    return endpoints;
  }

  // --- Dialling --------------------------------------------------------------------------------

  podByIp(ip: string): KubeObject | undefined {
    const key = this.podsByIp.get(ip);
    if (!key) {
      return undefined;
    }
    const [namespace, name] = [key.slice(0, key.indexOf('/')), key.slice(key.indexOf('/') + 1)];
    return this.cluster.store.peek(type('pods'), namespace, name);
  }

  serviceByIp(ip: string): KubeObject | undefined {
    const key = this.servicesByIp.get(ip);
    if (!key) {
      return undefined;
    }
    return this.cluster.store.peek(
      type('services'),
      key.slice(0, key.indexOf('/')),
      key.slice(key.indexOf('/') + 1),
    );
  }

  /** DNS as a Pod in `namespace` sees it. */
  resolve(namespace: string, name: string): string[] {
    return resolveName(this.cluster, namespace, name);
  }

  /**
   * Opens a TCP connection as `from` would (from its own address), through Services and
   * NetworkPolicy. Rejects with ECONNREFUSED, ETIMEDOUT (a silent drop, after `timeoutMs`) or
   * EHOSTUNREACH, as the kernel would report them to the Pod.
   */
  async dialFromPod(from: KubeObject, ip: string, port: number, options: DialOptions): Promise<Socket> {
    const service = this.serviceByIp(ip);
    if (service) {
      return this.dialService(from, ip, port, options);
    }
    const destination = this.podByIp(ip);
    if (destination) {
      if (!this.verdict(from, destination, ip, port).allowed) {
        return this.dropped(options);
      }
    } else if (!this.egressAllowedToExternal(from, ip, port)) {
      return this.dropped(options);
    }
    return this.rawConnect(ip, port, (from.status as { podIP: string }).podIP, options);
  }

  /** The kubelet's side of a port-forward: inside the Pod's network namespace, so no policy applies. */
  dialForward(pod: KubeObject, port: number, timeoutMs = 10_000): Promise<Socket> {
    const ip = (pod.status as { podIP?: string }).podIP;
    if (!ip) {
      return Promise.reject(Object.assign(new Error('pod has no IP address'), { code: 'EHOSTUNREACH' }));
    }
    return this.rawConnect(ip, port, undefined, { timeoutMs });
  }

  private async dialService(
    from: KubeObject | undefined,
    clusterIP: string,
    port: number,
    options: DialOptions,
  ): Promise<Socket> {
    const service = this.serviceByIp(clusterIP)!;
    if (clusterIP === this.cluster.addresses.kubernetesServiceIp && port === 443) {
      return this.rawConnect(
        '127.0.0.1',
        this.apiServerPort,
        from ? (from.status as { podIP: string }).podIP : undefined,
        options,
      );
    }
    const hasPort = ((service.spec as { ports?: Array<{ port: number }> }).ports ?? []).some(
      (p) => p.port === port,
    );
    if (!hasPort) {
      // iptables mode has no rule for a port the Service does not have: the packet goes nowhere.
      return this.dropped(options);
    }
    const all = this.endpointsOf(service, port);
    if (!all.some((candidate) => candidate.ready)) {
      // kube-proxy REJECTs traffic to a Service without ready endpoints.
      throw Object.assign(new Error(`connect ECONNREFUSED ${clusterIP}:${port}`), { code: 'ECONNREFUSED' });
    }
    const fromNode = from ? (from.spec as { nodeName?: string }).nodeName : undefined;
    const policy = (service.spec as { internalTrafficPolicy?: string }).internalTrafficPolicy;
    const candidates = endpointsForInternalTraffic(all, fromNode, policy);
    const endpoint = candidates[Math.floor(Math.random() * candidates.length)];
    if (!endpoint) {
      // internalTrafficPolicy Local without an endpoint on the caller's node: kube-proxy drops it.
      return this.dropped(options);
    }
    if (from) {
      const backend = this.podByIp(endpoint.ip);
      // A Pod that lands on itself here is the hairpin case: `allowed` is the Kubernetes rule's answer.
      if (
        backend &&
        !this.verdict(from, backend, endpoint.ip, endpoint.port, undefined, { throughService: true }).allowed
      ) {
        return this.dropped(options);
      }
    }
    return this.rawConnect(
      endpoint.ip,
      endpoint.port,
      from ? (from.status as { podIP: string }).podIP : undefined,
      options,
    );
  }

  /** A connection from `localAddress` (a Pod's, a node's, a client's) or the host's. */
  rawConnect(
    ip: string,
    port: number,
    localAddress: string | undefined,
    options: DialOptions,
  ): Promise<Socket> {
    const waking = this.wake(ip, port);
    return waking.then(() => this.connectNow(ip, port, localAddress, options));
  }

  private connectNow(
    ip: string,
    port: number,
    localAddress: string | undefined,
    options: DialOptions,
  ): Promise<Socket> {
    return new Promise((resolve, reject) => {
      // A privileged port this process may not listen on is served at its mapped port (hostPorts.ts).
      const socket = connect({
        host: ip,
        port: this.hostPorts.hostPort(ip, port),
        ...(localAddress ? { localAddress } : {}),
      });
      this.track(socket);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(Object.assign(new Error(`connect ETIMEDOUT ${ip}:${port}`), { code: 'ETIMEDOUT' }));
      }, options.timeoutMs);
      const onAbort = () => {
        clearTimeout(timer);
        socket.destroy();
        reject(Object.assign(new Error('aborted'), { code: 'ABORT_ERR' }));
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      socket.once('connect', () => {
        // Forwarded streams relay whatever arrives; waiting to coalesce (Nagle) only adds latency.
        socket.setNoDelay(true);
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        resolve(socket);
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        reject(error);
      });
    });
  }

  /** A connection NetworkPolicy drops: nothing answers, so the dialler's own timeout fires. */
  private dropped(options: DialOptions): Promise<Socket> {
    return new Promise((_, reject) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        reject(Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' }));
      }, options.timeoutMs);
      this.timers.add(timer);
      options.signal?.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          this.timers.delete(timer);
          reject(Object.assign(new Error('aborted'), { code: 'ABORT_ERR' }));
        },
        { once: true },
      );
    });
  }

  // --- NetworkPolicy ---------------------------------------------------------------------------

  verdict(
    from: KubeObject | undefined,
    to: KubeObject | undefined,
    toIp: string,
    port: number,
    fromIp?: string,
    options: { readonly throughService?: boolean } = {},
  ): ConnectionVerdict {
    const policies = this.cluster.store
      .list(type('networkpolicies'))
      .map((e) => e.object as unknown as NetworkPolicy);
    const namespaces = this.cluster.store
      .list(type('namespaces'))
      .map((e) => e.object as unknown as Namespace);
    const source: Endpoint = from
      ? podEndpoint(from as unknown as Pod)
      : this.addressEndpoint(fromIp ?? '127.0.0.1');
    const destination: Endpoint = to ? podEndpoint(to as unknown as Pod) : this.addressEndpoint(toIp);
    return evaluateConnection({
      policies,
      namespaces,
      source,
      destination,
      port,
      protocol: 'TCP',
      ...(options.throughService === true ? { throughService: true } : {}),
    });
  }

  /** An address that is no Pod's: one of the sandbox's nodes (named, for policy), or any other. */
  private addressEndpoint(ip: string): Endpoint {
    const node = this.cluster.nodes.find((candidate) => candidate.ip === ip);
    return node ? nodeEndpoint(node.name, ip) : { kind: 'external', ip };
  }

  private egressAllowedToExternal(from: KubeObject, ip: string, port: number): boolean {
    return this.verdict(from, undefined, ip, port).allowed;
  }

  /** Policy for a connection that reached a Pod listener directly (not through dialFromPod). */
  private admits(remoteIp: string, localIp: string, port: number): boolean {
    const from = this.podByIp(remoteIp);
    if (!from) {
      // The host (tests, the kubelet's side of a port-forward) is no Pod of the cluster: its
      // connections are not subject to NetworkPolicy. Nothing here connects from a node's address.
      return true;
    }
    return this.verdict(from, this.podByIp(localIp), localIp, port).allowed;
  }

  /** A dropped connection: accepted, never answered, let go of after a while. */
  hold(socket: Socket): void {
    socket.pause();
    const timer = setTimeout(() => socket.destroy(), DROP_HOLD_MS);
    socket.once('close', () => clearTimeout(timer));
  }

  track(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
  }

  /** Readiness of the Pod behind an IP, for diagnostics in tests. */
  isPodReady(ip: string): boolean {
    const pod = this.podByIp(ip);
    return pod ? isReady(pod) : false;
  }
}

const PAYLOAD_CHUNK = Buffer.alloc(64 * 1024, 'k');

function streamBytes(res: ServerResponse, total: number): void {
  res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': total });
  let remaining = total;
  const pump = () => {
    while (remaining > 0) {
      const size = Math.min(remaining, PAYLOAD_CHUNK.length);
      remaining -= size;
      const more = res.write(size === PAYLOAD_CHUNK.length ? PAYLOAD_CHUNK : PAYLOAD_CHUNK.subarray(0, size));
      if (!more) {
        res.once('drain', pump);
        return;
      }
    }
    res.end();
  };
  pump();
}
