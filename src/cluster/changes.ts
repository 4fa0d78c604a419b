/**
 * Change notification for the cluster cache: changes are collected and delivered together, at most
 * once per window, so that a burst (a relist of 10,000 Pods, a rollout, a readiness flap) costs the
 * tree view and the language server a handful of refreshes instead of one per object.
 *
 * The guarantee (a throttle):
 * - a change is delivered at most `windowMs` after it happened (plus event-loop delay), and the
 *   first change after a quiet window as soon as the event loop's current turn ends (a timer of 0),
 *   with everything else collected in that turn: a list of 10,000 objects applied in one turn is one
 *   delivery, not one a window later;
 * - two deliveries are at least `windowMs` apart (a change within a window of the last delivery
 *   waits for the window's end), so any stretch of D ms sees at most floor(D / windowMs) + 1
 *   deliveries, that is at most ceil(D / windowMs) + 1. With the cache's default of 120 ms, 1,000
 *   updates spread over one second yield at most 9 deliveries;
 * - except `soon()`: what is pending is delivered as the turn ends, whatever the window. The cache
 *   calls it when a kind's cluster-wide list is in for the first time (at most once per kind each
 *   time it starts watching across namespaces, five kinds; never per object or event, so churn
 *   stays throttled): the Pods of a large cluster, listed while the Services' list was being
 *   delivered, are shown then, not a window later.
 */

/** The namespaced kinds the cache holds, as used in `objectKey`. */
export type CachedKind = 'Pod' | 'Service' | 'EndpointSlice' | 'NetworkPolicy' | 'Ingress';

/** The cluster-scoped kinds the cache holds (besides Namespaces), as used in `objectKey`. */
export type ClusterScopedKind = 'Node' | 'IngressClass';

/** The per-namespace collections of the cache, as named in `ClusterChange`. */
export type CachedResource = 'pods' | 'services' | 'endpointSlices' | 'networkPolicies' | 'ingresses';

/** The cluster-scoped collections of the cache (besides namespaces), as named in `ClusterChange`. */
export type ClusterResource = 'nodes' | 'ingressClasses';

export const KIND_OF: Readonly<Record<CachedResource, CachedKind>> = {
  pods: 'Pod',
  services: 'Service',
  endpointSlices: 'EndpointSlice',
  networkPolicies: 'NetworkPolicy',
  ingresses: 'Ingress',
};

export const CLUSTER_KIND_OF: Readonly<Record<ClusterResource, ClusterScopedKind>> = {
  nodes: 'Node',
  ingressClasses: 'IngressClass',
};

export interface ClusterChange {
  /** The namespace list changed (or the 403 fallback was taken). */
  readonly namespaces: boolean;
  /** Namespaces whose Pods changed (including being watched or unwatched, and one-off counts). */
  readonly pods: ReadonlySet<string>;
  readonly services: ReadonlySet<string>;
  readonly endpointSlices: ReadonlySet<string>;
  readonly networkPolicies: ReadonlySet<string>;
  readonly ingresses: ReadonlySet<string>;
  /** The Nodes changed (an object, the list, or whether they may be read). */
  readonly nodes: boolean;
  readonly ingressClasses: boolean;
  /** The Gateway API objects (gatewayWatch.ts) or their state changed. */
  readonly gatewayApi: boolean;
  /**
   * Added, updated or deleted objects, as `objectKey(kind, namespace, name)`; cluster-scoped ones
   * with an empty namespace (`Node//worker-1`). A collection's first list names none of its
   * objects: it is announced by its namespaces (or its flag) alone, as a whole.
   */
  readonly objects: ReadonlySet<string>;
  /** The connection state (`ClusterCache.state()`) changed. */
  readonly connection: boolean;
}

/**
 * `Pod/web/client`: the key of a namespaced object in `ClusterChange.objects`; a cluster-scoped
 * one has an empty namespace (`Node//worker-1`).
 */
export function objectKey(kind: CachedKind | ClusterScopedKind, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

interface PendingChange {
  namespaces: boolean;
  pods: Set<string>;
  services: Set<string>;
  endpointSlices: Set<string>;
  networkPolicies: Set<string>;
  ingresses: Set<string>;
  nodes: boolean;
  ingressClasses: boolean;
  gatewayApi: boolean;
  objects: Set<string>;
  connection: boolean;
}

export class ChangeCoalescer {
  private readonly windowMs: number;
  private readonly deliver: (change: ClusterChange) => void;
  private pending: PendingChange | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** `soon()` was called: the timer fires as this turn ends. */
  private urgent = false;
  /** When the last change was delivered (`performance.now()`). */
  private deliveredAt: number | undefined;
  private disposed = false;

  constructor(windowMs: number, deliver: (change: ClusterChange) => void) {
    this.windowMs = Math.max(0, windowMs);
    this.deliver = deliver;
  }

  namespaces(): void {
    this.open().namespaces = true;
  }

  connection(): void {
    this.open().connection = true;
  }

  gatewayApi(): void {
    this.open().gatewayApi = true;
  }

  /** A collection of `namespace` changed; `name` names the object when one object did. */
  resource(resource: CachedResource, namespace: string, name?: string): void {
    const pending = this.open();
    pending[resource].add(namespace);
    if (name !== undefined) {
      pending.objects.add(objectKey(KIND_OF[resource], namespace, name));
    }
  }

  /** A cluster-scoped collection changed; `name` names the object when one object did. */
  clusterResource(resource: ClusterResource, name?: string): void {
    const pending = this.open();
    pending[resource] = true;
    if (name !== undefined) {
      pending.objects.add(objectKey(CLUSTER_KIND_OF[resource], '', name));
    }
  }

  /** Delivers what is pending, and what comes in the rest of this turn, as the turn ends. */
  soon(): void {
    if (this.disposed || this.urgent || this.pending === undefined) {
      // Nothing to deliver early (an empty change is never delivered).
      return;
    }
    this.urgent = true;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, 0);
  }

  /** Delivers what is pending now (used by tests and on demand). */
  flush(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const change = this.pending;
    this.pending = undefined;
    this.urgent = false;
    if (change !== undefined && !this.disposed) {
      this.deliveredAt = performance.now();
      this.deliver(change);
    }
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.pending = undefined;
  }

  private open(): PendingChange {
    if (this.disposed) {
      // Collected and dropped: nothing is delivered after dispose.
      return emptyChange();
    }
    if (this.pending === undefined) {
      this.pending = emptyChange();
    }
    if (this.timer === undefined) {
      const wait =
        this.deliveredAt === undefined
          ? 0
          : Math.max(0, this.deliveredAt + this.windowMs - performance.now());
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.flush();
      }, wait);
    }
    return this.pending;
  }
}

function emptyChange(): PendingChange {
  return {
    namespaces: false,
    pods: new Set(),
    services: new Set(),
    endpointSlices: new Set(),
    networkPolicies: new Set(),
    ingresses: new Set(),
    nodes: false,
    ingressClasses: false,
    gatewayApi: false,
    objects: new Set(),
    connection: false,
  };
}
