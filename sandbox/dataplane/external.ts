/**
 * The external side of Services, as kube-proxy and a layer-2 load balancer (MetalLB) serve it:
 *
 * - Every node port of a NodePort or LoadBalancer Service listens on every node's address
 *   (127.B+2.0.x:nodePort) and forwards to a ready endpoint. `externalTrafficPolicy: Cluster`: any
 *   ready endpoint, the backend seeing the node's address (kube-proxy masquerades); no ready
 *   endpoint refuses the connection (kube-proxy's REJECT). `Local`: only the ready endpoints on
 *   that node, the backend seeing the client's address; a node with none drops the connection (it
 *   times out). Traffic from a Pod of the cluster is sent to the Service as Cluster whatever the
 *   policy (kube-proxy's "pod traffic for external destinations" rule), keeping the Pod's address.
 * - A LoadBalancer's address (status.loadBalancer.ingress[].ip, from the pool the load-balancer
 *   controller hands out) listens on every Service port. It is announced by one node: under Local
 *   a node with a ready endpoint (none: nothing answers, the connection times out), under Cluster
 *   a node chosen per Service; from there it is forwarded as that node's node port would be.
 *   `loadBalancerSourceRanges` is enforced at the load balancer: a client outside every range is
 *   dropped (times out), as kube-proxy drops it; node ports do not check the ranges.
 * - A LoadBalancer with `externalTrafficPolicy: Local` has a health-check node port on every node,
 *   answered as kube-proxy answers it: 200 with the count of the node's ready endpoints, else 503.
 *
 * Backends are subject to NetworkPolicy with the source they see (the node, the client, the Pod).
 * The rules are the shared ones in src/analysis/nodePorts.ts.
 */
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { endpointsForNode, preservesClientAddress, sourceRangesAdmit } from '../../src/analysis/nodePorts.ts';
import type { KubeObject } from '../api/store.ts';
import type { Cluster } from '../cluster.ts';
import { type } from '../cluster.ts';
import type { DataPlane } from './network.ts';

interface ServicePort {
  port: number;
  protocol?: string;
  nodePort?: number;
}

interface ServiceSpec {
  type?: string;
  ports?: ServicePort[];
  externalTrafficPolicy?: string;
  loadBalancerSourceRanges?: string[];
  healthCheckNodePort?: number;
}

type Target =
  | { readonly kind: 'node'; readonly node: { name: string; ip: string }; readonly nodePort: number }
  | { readonly kind: 'lb'; readonly ip: string; readonly port: number }
  | { readonly kind: 'health'; readonly node: { name: string; ip: string } };

const FORWARD_TIMEOUT_MS = 10_000;

export class ExternalListeners {
  private readonly cluster: Cluster;
  private readonly plane: DataPlane;
  /** Per Service (`namespace/name`), its listeners by `ip:port`. */
  private readonly listeners = new Map<string, Map<string, Server>>();
  private readonly kinds = new WeakMap<Server, Target['kind']>();

  constructor(cluster: Cluster, plane: DataPlane) {
    this.cluster = cluster;
    this.plane = plane;
  }

  get count(): number {
    let count = 0;
    for (const servers of this.listeners.values()) {
      count += servers.size;
    }
    return count;
  }

  /** Opens the listeners the Service needs now and closes those it no longer needs. */
  sync(service: KubeObject): void {
    const key = `${service.metadata.namespace}/${service.metadata.name}`;
    const wanted = targetsOf(service, this.cluster.nodes, (ip) =>
      this.cluster.addresses.loadBalancers.contains(ip),
    );
    const current = this.listeners.get(key) ?? new Map<string, Server>();
    for (const [address, server] of current) {
      // A health-check port that became a node port (or back) needs a listener of the other kind.
      if (wanted.get(address)?.kind !== this.kinds.get(server)) {
        this.plane.hostPorts.close(server);
        current.delete(address);
      }
    }
    const owner = {
      type: type('services'),
      namespace: service.metadata.namespace!,
      name: service.metadata.name!,
    };
    const declared = ((service.spec as ServiceSpec).ports ?? [])
      .filter((p) => (p.protocol ?? 'TCP') === 'TCP')
      .map((p) => p.port);
    for (const [address, target] of wanted) {
      if (current.has(address)) {
        continue;
      }
      const server =
        target.kind === 'health'
          ? createHttpServer((req, res) => this.healthCheck(key, target.node, req, res))
          : createServer((client) => this.accept(key, target, client));
      const [host, port] = [
        address.slice(0, address.lastIndexOf(':')),
        Number(address.slice(address.lastIndexOf(':') + 1)),
      ];
      this.kinds.set(server, target.kind);
      // A load balancer's address serves the Service's ports, which may be privileged (hostPorts.ts).
      this.plane.hostPorts.listen(server, host, port, owner, target.kind === 'lb' ? declared : []);
      current.set(address, server);
    }
    if (current.size > 0) {
      this.listeners.set(key, current);
    } else {
      this.listeners.delete(key);
    }
  }

  close(key: string): void {
    for (const server of this.listeners.get(key)?.values() ?? []) {
      this.plane.hostPorts.close(server);
    }
    this.listeners.delete(key);
  }

  stop(): void {
    for (const key of [...this.listeners.keys()]) {
      this.close(key);
    }
  }

  /**
   * kube-proxy's health check of a Local LoadBalancer on a node (what cloud load balancers probe):
   * 200 while the node has a ready local endpoint, 503 otherwise, with kube-proxy's JSON body.
   */
  private healthCheck(
    key: string,
    node: { name: string; ip: string },
    req: IncomingMessage,
    res: ServerResponse,
  ): void {
    this.plane.track(req.socket);
    const slash = key.indexOf('/');
    const [namespace, name] = [key.slice(0, slash), key.slice(slash + 1)];
    const service = this.cluster.store.peek(type('services'), namespace, name);
    const ports = ((service?.spec ?? {}) as ServiceSpec).ports ?? [];
    const local = new Set<string>();
    for (const port of service ? ports : []) {
      for (const endpoint of this.plane.endpointsOf(service!, port.port)) {
        if (endpoint.ready && endpoint.nodeName === node.name) {
          local.add(endpoint.ip);
        }
      }
    }
    const body = `{\n\t"service": {\n\t\t"namespace": ${JSON.stringify(namespace)},\n\t\t"name": ${JSON.stringify(name)}\n\t},\n\t"localEndpoints": ${local.size},\n\t"serviceProxyHealthy": true\n}`;
    req.resume();
    res.writeHead(local.size > 0 ? 200 : 503, {
      'Content-Type': 'application/json',
      'X-Content-Type-Options': 'nosniff',
      'X-Load-Balancing-Endpoint-Weight': String(local.size),
      'Content-Length': Buffer.byteLength(body),
    });
    res.end(body);
  }

  private accept(key: string, target: Exclude<Target, { kind: 'health' }>, client: Socket): void {
    this.plane.track(client);
    const slash = key.indexOf('/');
    const service = this.cluster.store.peek(type('services'), key.slice(0, slash), key.slice(slash + 1));
    const spec = (service?.spec ?? {}) as ServiceSpec;
    if (!service) {
      client.resetAndDestroy();
      return;
    }
    const clientIp = client.remoteAddress ?? '';
    if (target.kind === 'node') {
      const port = spec.ports?.find((p) => p.nodePort === target.nodePort && (p.protocol ?? 'TCP') === 'TCP');
      if (!port) {
        client.resetAndDestroy();
        return;
      }
      this.forward(service, port.port, target.node, client);
      return;
    }
    if (!sourceRangesAdmit(spec.loadBalancerSourceRanges, clientIp)) {
      this.plane.hold(client);
      return;
    }
    const node = this.announcingNode(service, target.port);
    if (!node) {
      this.plane.hold(client);
      return;
    }
    this.forward(service, target.port, node, client);
  }

  /** The node that answers for a LoadBalancer's address (MetalLB's layer-2 speaker). */
  private announcingNode(service: KubeObject, servicePort: number): { name: string; ip: string } | undefined {
    const nodes = this.cluster.nodes;
    if ((service.spec as ServiceSpec).externalTrafficPolicy === 'Local') {
      const names = new Set(
        this.plane
          .endpointsOf(service, servicePort)
          .filter((e) => e.ready)
          .map((e) => e.nodeName),
      );
      return nodes.find((node) => names.has(node.name));
    }
    let hash = 0;
    for (const char of `${service.metadata.namespace}/${service.metadata.name}`) {
      hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
    }
    return nodes[hash % nodes.length];
  }

  private forward(
    service: KubeObject,
    servicePort: number,
    node: { name: string; ip: string },
    client: Socket,
  ): void {
    const spec = service.spec as ServiceSpec;
    const clientIp = client.remoteAddress ?? '';
    const fromPod = this.plane.podByIp(clientIp);
    const candidates = endpointsForNode(
      this.plane.endpointsOf(service, servicePort),
      node.name,
      spec.externalTrafficPolicy,
      { fromPod: fromPod !== undefined },
    );
    if (candidates.length === 0) {
      if (spec.externalTrafficPolicy === 'Local' && !fromPod) {
        this.plane.hold(client);
      } else {
        client.resetAndDestroy();
      }
      return;
    }
    const endpoint = candidates[Math.floor(Math.random() * candidates.length)]!;
    const keepsClient = preservesClientAddress(spec.externalTrafficPolicy);
    const sourceIp = keepsClient ? clientIp : node.ip;
    const backend = this.plane.podByIp(endpoint.ip);
    const verdict = this.plane.verdict(
      keepsClient ? fromPod : undefined,
      backend,
      endpoint.ip,
      endpoint.port,
      sourceIp,
    );
    if (!verdict.allowed) {
      this.plane.hold(client);
      return;
    }
    client.pause();
    this.plane.rawConnect(endpoint.ip, endpoint.port, sourceIp, { timeoutMs: FORWARD_TIMEOUT_MS }).then(
      (upstream) => {
        client.pipe(upstream).pipe(client);
        client.resume();
        client.once('error', () => upstream.destroy());
        upstream.once('error', () => client.destroy());
        client.once('close', () => upstream.destroy());
        upstream.once('close', () => client.destroy());
      },
      () => client.resetAndDestroy(),
    );
  }
}

/** The `ip:port` addresses a Service is served on outside its ClusterIP. */
function targetsOf(
  service: KubeObject,
  nodes: readonly { name: string; ip: string }[],
  inPool: (ip: string) => boolean,
): Map<string, Target> {
  const spec = service.spec as ServiceSpec;
  const targets = new Map<string, Target>();
  if (spec.type !== 'NodePort' && spec.type !== 'LoadBalancer') {
    return targets;
  }
  const tcp = (spec.ports ?? []).filter((p) => (p.protocol ?? 'TCP') === 'TCP');
  for (const port of tcp) {
    if (typeof port.nodePort !== 'number') {
      continue;
    }
    for (const node of nodes) {
      targets.set(`${node.ip}:${port.nodePort}`, { kind: 'node', node, nodePort: port.nodePort });
    }
  }
  if (spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local' && spec.healthCheckNodePort) {
    for (const node of nodes) {
      targets.set(`${node.ip}:${spec.healthCheckNodePort}`, { kind: 'health', node });
    }
  }
  if (spec.type === 'LoadBalancer') {
    const status = service.status as { loadBalancer?: { ingress?: Array<{ ip?: string }> } } | undefined;
    for (const ingress of status?.loadBalancer?.ingress ?? []) {
      // Only the pool's addresses: a status written by hand may name any address, even another sandbox's.
      if (!ingress.ip || !inPool(ingress.ip)) {
        continue;
      }
      for (const port of tcp) {
        targets.set(`${ingress.ip}:${port.port}`, { kind: 'lb', ip: ingress.ip, port: port.port });
      }
    }
  }
  return targets;
}
