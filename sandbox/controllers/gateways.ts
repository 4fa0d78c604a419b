/**
 * The sandbox's Gateway API controller (controllerName `sandbox.kubereach.dev/gateway-controller`),
 * control plane. It runs while a Pod of its image (`sandbox.kubereach.dev/gateway-controller`) is
 * running and ready, as a real controller runs in its Deployment: with none, nothing is accepted,
 * programmed or served, and status stays as it was. For every Gateway of a GatewayClass naming it,
 * it takes an address from the load-balancer pool (as MetalLB gives one to a LoadBalancer
 * Service), writes the status a conformant controller writes (GatewayClass Accepted; Gateway
 * Accepted/Programmed with addresses; each listener's Accepted/Programmed/ResolvedRefs/Conflicted
 * and attachedRoutes; each route's parents with Accepted and ResolvedRefs) and hands the route
 * tables to the data plane (`dataplane/gatewayProxy.ts`), which serves the listeners.
 *
 * Semantics are the extension's: attachment, status and routing come from src/analysis/gateway.
 */
import {
  buildGatewayRouteTable,
  computeGatewayStatuses,
  GATEWAY_GROUP,
  managedClassNames,
  mergeConditions,
  mergeRouteParents,
} from '../../src/analysis/gateway/index.ts';
import type {
  Condition,
  Gateway,
  GatewayCapabilities,
  GatewayWorld,
  ObjectRef,
  RouteParentStatus,
} from '../../src/analysis/gateway/index.ts';
import type { ResourceType } from '../api/resources.ts';
import { resourceKey } from '../api/resources.ts';
import { timestamp } from '../api/store.ts';
import type { KubeObject } from '../api/store.ts';
import type { Cluster } from '../cluster.ts';
import { SYSTEM_USER, type } from '../cluster.ts';
import { GatewayProxy } from '../dataplane/gatewayProxy.ts';

export const GATEWAY_CONTROLLER_NAME = 'sandbox.kubereach.dev/gateway-controller';
/** Pods of this image run the controller; backends are dialled from the first ready one's address. */
export const GATEWAY_CONTROLLER_IMAGE = 'sandbox.kubereach.dev/gateway-controller';

/**
 * What the sandbox's data plane serves: plain HTTP listeners, with HTTPRoutes (GRPCRoutes attach
 * and get status, but the proxy speaks HTTP/1.1 only). HTTPS, TLS, TCP and UDP listeners are
 * refused with UnsupportedProtocol, as an implementation without them refuses them.
 */
export const SANDBOX_GATEWAY_CAPABILITIES: GatewayCapabilities = {
  kindsByProtocol: {
    HTTP: [
      { group: GATEWAY_GROUP, kind: 'HTTPRoute' },
      { group: GATEWAY_GROUP, kind: 'GRPCRoute' },
    ],
  },
};

interface GatewayTypes {
  readonly gatewayClasses: ResourceType;
  readonly gateways: ResourceType;
  readonly httpRoutes: ResourceType | undefined;
  readonly grpcRoutes: ResourceType | undefined;
  readonly referenceGrants: ResourceType | undefined;
}

const RELEVANT = new Set(['services', 'namespaces', 'customresourcedefinitions.apiextensions.k8s.io']);

export class GatewayController {
  private readonly cluster: Cluster;
  private readonly unsubscribe: () => void;
  readonly proxy: GatewayProxy;
  /** The pool address each Gateway holds, by `namespace/name`. */
  private readonly addresses = new Map<string, string>();
  private scheduled = false;
  private stopped = false;

  constructor(cluster: Cluster) {
    this.cluster = cluster;
    this.proxy = new GatewayProxy(cluster);
    this.unsubscribe = cluster.store.subscribe((event) => {
      if (
        event.resource.endsWith(`.${GATEWAY_GROUP}`) ||
        RELEVANT.has(event.resource) ||
        (event.resource === 'pods' && isControllerPod(event.object))
      ) {
        this.schedule();
      }
    });
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe();
    this.proxy.stop();
  }

  /** Reconciles again (the load-balancer pool was turned back on, say). */
  resync(): void {
    this.schedule();
  }

  /** Changes come in bursts (a kubectl apply of many objects): one reconcile per turn. */
  private schedule(): void {
    if (this.scheduled || this.stopped) {
      return;
    }
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (!this.stopped) {
        try {
          this.reconcile();
        } catch (error) {
          this.cluster.log(
            `gateway controller: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
          );
        }
      }
    });
  }

  private types(): GatewayTypes | undefined {
    const find = (plural: string, version = 'v1') =>
      this.cluster.resources.find(GATEWAY_GROUP, version, plural);
    const gatewayClasses = find('gatewayclasses');
    const gateways = find('gateways');
    if (!gatewayClasses || !gateways) {
      return undefined;
    }
    return {
      gatewayClasses,
      gateways,
      httpRoutes: find('httproutes'),
      grpcRoutes: find('grpcroutes'),
      referenceGrants: find('referencegrants', 'v1beta1'),
    };
  }

  private controllerPod(): KubeObject | undefined {
    return this.cluster.store
      .list(type('pods'))
      .map((entry) => entry.object)
      .find((pod) => isControllerPod(pod) && isRunningAndReady(pod));
  }

  private reconcile(): void {
    const types = this.types();
    const pod = types && this.controllerPod();
    if (!types || !pod) {
      // No API or no controller running: nothing is served (addresses are kept, as a restarting
      // controller finds its Services' addresses again).
      this.proxy.sync([], undefined);
      return;
    }
    const world = this.world(types);
    const managed = managedClassNames(world, GATEWAY_CONTROLLER_NAME);
    const ours = world.gateways.filter((g) => managed.has(g.spec?.gatewayClassName ?? ''));
    this.assignAddresses(ours);
    const computed = computeGatewayStatuses(world, {
      controllerName: GATEWAY_CONTROLLER_NAME,
      capabilities: SANDBOX_GATEWAY_CAPABILITIES,
      addresses: (ref) => {
        const ip = this.addresses.get(`${ref.namespace}/${ref.name}`);
        return ip === undefined ? undefined : [{ type: 'IPAddress', value: ip }];
      },
    });
    const now = timestamp();
    for (const entry of computed.gatewayClasses) {
      this.writeStatus(types.gatewayClasses, '', entry.name, (previous) => ({
        ...previous,
        conditions: mergeConditions(previous.conditions as Condition[] | undefined, entry.conditions, now),
      }));
    }
    for (const entry of computed.gateways) {
      this.writeStatus(types.gateways, entry.gateway.namespace ?? '', entry.gateway.name, (previous) => {
        const listeners = (previous.listeners ?? []) as Array<{ name: string; conditions?: Condition[] }>;
        return {
          ...previous,
          addresses: entry.status.addresses ?? [],
          conditions: mergeConditions(
            previous.conditions as Condition[] | undefined,
            entry.status.conditions,
            now,
          ),
          listeners: entry.status.listeners.map((listener) => ({
            ...listener,
            conditions: mergeConditions(
              listeners.find((l) => l.name === listener.name)?.conditions,
              listener.conditions ?? [],
              now,
            ),
          })),
        };
      });
    }
    for (const entry of computed.routes) {
      const routeType = entry.kind === 'HTTPRoute' ? types.httpRoutes : types.grpcRoutes;
      if (!routeType || (entry.parents.length === 0 && !this.hadParents(routeType, entry.route))) {
        continue;
      }
      const namespace = entry.route.namespace ?? '';
      this.writeStatus(routeType, namespace, entry.route.name, (previous) => ({
        ...previous,
        parents: mergeRouteParents(
          previous.parents as RouteParentStatus[] | undefined,
          entry.parents,
          GATEWAY_CONTROLLER_NAME,
          namespace,
          now,
        ),
      }));
    }
    this.proxy.sync(
      ours.flatMap((gateway) => {
        const key = `${gateway.metadata.namespace}/${gateway.metadata.name}`;
        const address = this.addresses.get(key);
        if (address === undefined) {
          return [];
        }
        const table = buildGatewayRouteTable(gateway, world, SANDBOX_GATEWAY_CAPABILITIES);
        const ports = [...new Set(table.listeners.filter((l) => l.accepted).map((l) => l.listener.port))];
        return [{ key, address, ports, table }];
      }),
      pod,
    );
  }

  /** A route whose parents this controller wrote before still gets its entries removed. */
  private hadParents(routeType: ResourceType, ref: ObjectRef): boolean {
    const route = this.cluster.store.peek(routeType, ref.namespace ?? '', ref.name);
    const parents = (route?.status as { parents?: RouteParentStatus[] } | undefined)?.parents ?? [];
    return parents.some((p) => p.controllerName === GATEWAY_CONTROLLER_NAME);
  }

  private world(types: GatewayTypes): GatewayWorld {
    const list = <T>(resource: ResourceType | undefined): T[] =>
      resource ? this.cluster.store.list(resource).map((entry) => entry.object as unknown as T) : [];
    return {
      gatewayClasses: list(types.gatewayClasses),
      gateways: list(types.gateways),
      httpRoutes: list(types.httpRoutes),
      grpcRoutes: list(types.grpcRoutes),
      referenceGrants: list(types.referenceGrants),
      services: list(type('services')),
      namespaces: list(type('namespaces')),
    };
  }

  /** One pool address per Gateway of ours; Gateways that went (or changed class) give theirs back. */
  private assignAddresses(ours: readonly Gateway[]): void {
    const keys = new Set(ours.map((g) => `${g.metadata.namespace}/${g.metadata.name}`));
    for (const [key, ip] of this.addresses) {
      if (!keys.has(key)) {
        this.cluster.addresses.loadBalancers.release(ip);
        this.addresses.delete(key);
      }
    }
    for (const key of keys) {
      if (!this.addresses.has(key) && this.cluster.loadBalancers.enabled) {
        try {
          this.addresses.set(key, this.cluster.addresses.loadBalancers.allocate());
        } catch {
          // The pool is exhausted: the Gateway stays without an address (Programmed False, AddressNotAssigned).
        }
      }
    }
  }

  /** Writes an object's status through the status subresource when it differs from the stored one. */
  private writeStatus(
    resource: ResourceType,
    namespace: string,
    name: string,
    next: (previous: Record<string, unknown>) => Record<string, unknown>,
  ): void {
    const current = this.cluster.store.peek(resource, namespace, name);
    if (!current) {
      return;
    }
    const previous = (current.status ?? {}) as Record<string, unknown>;
    const status = next(previous);
    if (JSON.stringify(status) === JSON.stringify(previous)) {
      return;
    }
    try {
      this.cluster.update(resource, { ...current, status }, { subresource: 'status', user: SYSTEM_USER });
    } catch (error) {
      this.cluster.log(
        `gateway controller: status of ${resourceKey(resource)} ${namespace}/${name}: ${String(error)}`,
      );
    }
  }
}

function isControllerPod(pod: KubeObject): boolean {
  const containers = (pod.spec as { containers?: Array<{ image?: string }> } | undefined)?.containers ?? [];
  return containers.some((c) => (c.image ?? '').replace(/[:@].*$/, '') === GATEWAY_CONTROLLER_IMAGE);
}

function isRunningAndReady(pod: KubeObject): boolean {
  const status = (pod.status ?? {}) as {
    phase?: string;
    conditions?: Array<{ type: string; status: string }>;
  };
  return (
    !pod.metadata.deletionTimestamp &&
    status.phase === 'Running' &&
    (status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')
  );
}
