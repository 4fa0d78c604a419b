/**
 * The informer-backed cache of one context's cluster state, shared by every feature of a process
 * (tree view, port-forwards, probes, language server). Reads are synchronous, from memory; changes
 * arrive coalesced through `onDidChange`; nothing polls.
 *
 * What is watched:
 * - namespaces, cluster-wide. When listing them is forbidden (403), the cache falls back, as
 *   kubectl does, to the context's namespace (or `default`) and says so in `namespaceFallback`;
 * - Pods, Services, EndpointSlices (discovery.k8s.io/v1), NetworkPolicies and Ingresses
 *   (networking.k8s.io/v1) of exactly the namespaces given to `setWatchedNamespaces` (on a large
 *   cluster, watch only what is shown). A resource the credentials may not read (403) or the server
 *   does not serve (404) is reported in `namespaceStatus(ns)` and not retried (until `retryNow()`);
 *   the others carry on. With many namespaces in view (`clusterWideFrom`, default 10, and at least
 *   a quarter of the cluster's), each resource is watched with one cluster-wide list and watch
 *   instead of one per namespace (`watchScope`); where that list is forbidden (403: an identity
 *   limited to some namespaces) the resource falls back to one informer per namespace, each of which
 *   says for itself whether it may be read. Reads and `namespaceStatus` answer the same either way,
 *   and a switch between the two keeps the old informers answering until the new ones have listed;
 * - Gateway API objects (gatewayWatch.ts, `gatewayApi`): once discovery says the group is served,
 *   Gateways, HTTPRoutes and GRPCRoutes of the watched namespaces, GatewayClasses and
 *   ReferenceGrants cluster-wide; not served, refused and failed are states of their own there;
 * - Nodes and IngressClasses (networking.k8s.io/v1), cluster-wide, one informer each, started with
 *   the cache. A namespace-scoped identity is commonly refused Nodes (403): `clusterStatus()` says
 *   so (`forbidden`), as it says `unavailable` for a 404, and the lists stay empty without meaning
 *   "none". These never make the connection state `forbidden` (that speaks of the watched
 *   namespaces).
 *
 * Connection: an informer whose list or watch fails (other than 403/404) is marked failed and the
 * state becomes `disconnected` (or `unauthorized`, `tls`, `error`, after the error's kind). One
 * timer per cache restarts every failed informer with exponential backoff: the base delay doubles
 * from `backoff.initialMs` (500 ms) up to `backoff.maxMs` (30 s), and the delay is drawn uniformly
 * from [base/2, base] (jitter, so that many windows do not reconnect in step); `retryAt` says when.
 * A restarted informer resumes its watch from its last resourceVersion, keeping its objects, so
 * changes made while the server was away arrive as ordinary events; if that resourceVersion is too
 * old (410), client-node relists and diffs, again without dropping what is cached. The state is
 * `connected` again once every failed informer has re-established its watch, and the backoff
 * resets. While disconnected, reads keep answering with the last known state.
 *
 * Memory: objects are slimmed before they are stored (see `slimObject`), and the informers' stores
 * are the only copy. Lists are parsed and revived by `listObjects` (rawList.ts), not client-node's
 * generic deserializer, which cost as much as the request itself.
 */
import { CoreV1Api } from '@kubernetes/client-node';
import type {
  KubernetesObject,
  V1EndpointSlice,
  V1Ingress,
  V1IngressClass,
  V1Namespace,
  V1NetworkPolicy,
  V1Node,
  V1Pod,
  V1Service,
  KubeConfig,
} from '@kubernetes/client-node';
import { CLUSTER_KIND_OF, ChangeCoalescer, KIND_OF } from './changes.ts';
import type {
  CachedKind,
  CachedResource,
  ClusterChange,
  ClusterResource,
  ClusterScopedKind,
} from './changes.ts';
import { classifyError } from './errors.ts';
import type { ClusterError } from './errors.ts';
import { GatewayWatch } from './gatewayWatch.ts';
import { Informer } from './informer.ts';
import { CLUSTER_RESOURCES, CLUSTER_SPECS, RESOURCES, SPECS } from './resources.ts';
import type { ClusterResourceTypes, ResourceTypes } from './resources.ts';
import { getObject } from './rawList.ts';
import { SharedTransportKubeConfig } from './transport.ts';

export type ConnectionKind =
  'connecting' | 'connected' | 'disconnected' | 'unauthorized' | 'forbidden' | 'tls' | 'error';

export interface ConnectionState {
  readonly kind: ConnectionKind;
  /** One plain sentence for anything but `connecting` and `connected`. */
  readonly message?: string;
  /** When the next reconnection attempt is due (ms since the epoch), while one is scheduled. */
  readonly retryAt?: number;
}

export interface ClusterCacheOptions {
  /** The context of `kubeConfig` to use; the cache works on its own copy, so this never changes it. */
  readonly contextName: string;
  /** One line per event worth knowing (state changes, fallbacks, forbidden resources). */
  readonly log?: (line: string) => void;
  /** Reconnection backoff; default 500 ms doubling up to 30 s. */
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  /** The change coalescing window (see `changes.ts`); default 100 ms. */
  readonly coalesceMs?: number;
  /**
   * From how many watched namespaces each resource is watched with one cluster-wide list and watch
   * instead of one per namespace (when they are also at least a quarter of the cluster's namespaces
   * and the identity may list across namespaces); default 10.
   */
  readonly clusterWideFrom?: number;
}

/** How a resource of the watched namespaces is watched now (see `watchScope`). */
export type WatchScope = 'cluster-wide' | 'per-namespace';

/** Whether one resource of a watched namespace is usable. */
export type ResourceStatus = 'syncing' | 'synced' | 'failed' | 'forbidden' | 'unavailable';

export interface ResourceAccess {
  readonly status: ResourceStatus;
  /** Why, for `failed`, `forbidden` and `unavailable`. */
  readonly message?: string;
  /** Whether the objects were listed at least once; a `failed` resource keeps answering with them. */
  readonly listed: boolean;
}

export type NamespaceStatus = { readonly [R in CachedResource]: ResourceAccess };

/** Access to the cluster-scoped resources (Nodes, IngressClasses). */
export type ClusterStatus = { readonly [R in ClusterResource]: ResourceAccess };

/** The label EndpointSlices carry to name their Service. */
const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

type TrackedStatus = 'starting' | 'running' | 'failed' | 'forbidden' | 'unavailable';

/** One informer and what the cache knows about it. */
interface Tracked<T extends KubernetesObject> {
  readonly informer: Informer<T>;
  /** `pods in namespace web`, `namespaces`. */
  readonly label: string;
  status: TrackedStatus;
  synced: boolean;
  error: ClusterError | undefined;
  /** Ordering of errors, to report the most recent one. */
  errorSeq: number;
}

/**
 * The per-namespace informers of one watched namespace: every resource's in per-namespace mode; in
 * cluster-wide mode none, except those still answering while the cluster-wide one lists.
 */
type NamespaceInformers = { [R in CachedResource]?: Tracked<ResourceTypes[R]> };

/** The cluster-wide informer of one resource, and whether the identity was refused it. */
interface ClusterWide<T extends KubernetesObject> {
  tracked: Tracked<T> | undefined;
  /** The cluster-wide list was forbidden (403): per-namespace informers until `retryNow()`. */
  refused: boolean;
}

type ClusterWideInformers = { [R in CachedResource]: ClusterWide<ResourceTypes[R]> };

type ClusterInformers = { [R in ClusterResource]: Tracked<ClusterResourceTypes[R]> };

const DEFAULT_BACKOFF = { initialMs: 500, maxMs: 30_000 };
/**
 * Deliveries at least 120 ms apart, the first after a quiet spell at once: at most 9 in any second
 * (the explorer's floor is 10 refreshes a second under churn), each change within 120 ms.
 */
const DEFAULT_COALESCE_MS = 120;
const DEFAULT_CLUSTER_WIDE_FROM = 10;

export class ClusterCache {
  readonly contextName: string;
  private readonly logLine: (line: string) => void;
  private readonly backoff: { readonly initialMs: number; readonly maxMs: number };
  private readonly coalescer: ChangeCoalescer;
  private readonly listeners = new Set<(change: ClusterChange) => void>();
  /** The kubeconfig bound to this cache's context (a copy): what exec and other calls for this context use. */
  readonly kubeConfig: SharedTransportKubeConfig | undefined;
  /** For the one-off Pod counts; the informers list with `listObjects`. */
  private readonly core: CoreV1Api | undefined;
  private readonly server: string | undefined;
  /** The namespace of the context, or `default`: the fallback when namespaces cannot be listed. */
  private readonly contextNamespace: string;
  private readonly configError: string | undefined;
  private readonly namespaceInformer: Tracked<V1Namespace> | undefined;
  private readonly clusterInformers: ClusterInformers | undefined;
  /**
   * Gateway API objects (gatewayWatch.ts): Gateways and routes of the watched namespaces,
   * GatewayClasses and ReferenceGrants cluster-wide, once discovery says they are served.
   */
  readonly gatewayApi: GatewayWatch | undefined;
  private readonly watched = new Map<string, NamespaceInformers>();
  private readonly clusterWide: ClusterWideInformers = {
    pods: { tracked: undefined, refused: false },
    services: { tracked: undefined, refused: false },
    endpointSlices: { tracked: undefined, refused: false },
    networkPolicies: { tracked: undefined, refused: false },
    ingresses: { tracked: undefined, refused: false },
  };
  private readonly clusterWideFrom: number;
  private reconcileQueued = false;
  /** Pod counts of namespaces not watched: one-off counts and the last live count before unwatching. */
  private readonly podCounts = new Map<string, number>();
  private fallback: { readonly reason: string } | undefined;
  private connection: ConnectionState = { kind: 'connecting' };
  private retryTimer: NodeJS.Timeout | undefined;
  private retryAt: number | undefined;
  private retryAttempt = 0;
  private errorSeq = 0;
  private disposed = false;

  /** Starts watching namespaces at once; call `setWatchedNamespaces` for the rest. */
  constructor(kubeConfig: KubeConfig, options: ClusterCacheOptions) {
    this.contextName = options.contextName;
    const log = options.log;
    this.logLine = (line) => log?.(`[${options.contextName}] ${line}`);
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.clusterWideFrom = options.clusterWideFrom ?? DEFAULT_CLUSTER_WIDE_FROM;
    this.coalescer = new ChangeCoalescer(options.coalesceMs ?? DEFAULT_COALESCE_MS, (change) =>
      this.deliver(change),
    );

    const context = kubeConfig.getContextObject(options.contextName);
    const cluster = context ? kubeConfig.getCluster(context.cluster) : null;
    this.contextNamespace = context?.namespace || 'default';
    if (!context || !cluster) {
      this.configError = !context
        ? `The kubeconfig has no context named ${options.contextName}.`
        : `The kubeconfig has no cluster named ${context.cluster} (used by context ${options.contextName}).`;
      this.connection = { kind: 'error', message: this.configError };
      this.logLine(this.configError);
      return;
    }
    this.server = cluster.server;
    // A copy bound to the context: the caller's KubeConfig and its current context stay as they are.
    // Its requests share one connection pool (transport.ts).
    this.kubeConfig = new SharedTransportKubeConfig();
    this.kubeConfig.loadFromOptions({
      clusters: kubeConfig.clusters,
      users: kubeConfig.users,
      contexts: kubeConfig.contexts,
      currentContext: options.contextName,
    });
    const kc = this.kubeConfig;
    this.core = kc.makeApiClient(CoreV1Api);
    this.namespaceInformer = this.track<V1Namespace>(
      'namespaces',
      '/api/v1/namespaces',
      'V1Namespace',
      () => {
        this.coalescer.namespaces();
        // Whether the watched namespaces are many enough for cluster-wide watches depends on how many there are.
        this.queueReconcile();
      },
      true,
    );
    this.namespaceInformer.informer.start();
    const make = <R extends ClusterResource>(resource: R): Tracked<ClusterResourceTypes[R]> => {
      const spec = CLUSTER_SPECS[resource];
      return this.track<ClusterResourceTypes[R]>(
        spec.plural,
        spec.path,
        spec.model,
        (object) => this.coalescer.clusterResource(resource, object?.metadata?.name),
        false,
      );
    };
    this.clusterInformers = { nodes: make('nodes'), ingressClasses: make('ingressClasses') };
    for (const resource of CLUSTER_RESOURCES) {
      this.clusterInformers[resource].informer.start();
    }
    this.gatewayApi = new GatewayWatch(kc, {
      server: this.server,
      log: this.logLine,
      changed: () => this.coalescer.gatewayApi(),
      backoff: this.backoff,
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Reading

  /** The connection state; its changes are delivered with `connection: true`. */
  state(): ConnectionState {
    return this.connection;
  }

  /** Set when the namespace list is forbidden and `namespaces()` holds only the context's namespace. */
  get namespaceFallback(): { readonly reason: string } | undefined {
    return this.fallback;
  }

  /** Namespaces, sorted by name; in fallback, the context's namespace (or `default`) alone. */
  namespaces(): readonly V1Namespace[] {
    if (this.fallback) {
      return [{ metadata: { name: this.contextNamespace } }];
    }
    return [...(this.namespaceInformer?.informer.list() ?? [])].sort((a, b) =>
      (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''),
    );
  }

  /** The namespaces currently watched, as last given to `setWatchedNamespaces`. */
  watchedNamespaces(): readonly string[] {
    return [...this.watched.keys()];
  }

  pods(namespace: string): readonly V1Pod[] {
    return this.read('pods', namespace);
  }

  pod(namespace: string, name: string): V1Pod | undefined {
    return this.source('pods', namespace)?.informer.get(name, namespace);
  }

  services(namespace: string): readonly V1Service[] {
    return this.read('services', namespace);
  }

  service(namespace: string, name: string): V1Service | undefined {
    return this.source('services', namespace)?.informer.get(name, namespace);
  }

  /** The namespace's EndpointSlices, or those of one Service (by the `kubernetes.io/service-name` label). */
  endpointSlices(namespace: string, serviceName?: string): readonly V1EndpointSlice[] {
    const slices = this.read('endpointSlices', namespace);
    return serviceName === undefined
      ? slices
      : slices.filter((slice) => slice.metadata?.labels?.[SERVICE_NAME_LABEL] === serviceName);
  }

  /** The Service an EndpointSlice in the cache belongs to (its `kubernetes.io/service-name` label). */
  endpointSliceService(namespace: string, name: string): string | undefined {
    return this.source('endpointSlices', namespace)?.informer.get(name, namespace)?.metadata?.labels?.[
      SERVICE_NAME_LABEL
    ];
  }

  networkPolicies(namespace: string): readonly V1NetworkPolicy[] {
    return this.read('networkPolicies', namespace);
  }

  ingresses(namespace: string): readonly V1Ingress[] {
    return this.read('ingresses', namespace);
  }

  ingress(namespace: string, name: string): V1Ingress | undefined {
    return this.source('ingresses', namespace)?.informer.get(name, namespace);
  }

  /** The cluster's Nodes, sorted by name; empty when they may not be read (see `clusterStatus`). */
  nodes(): readonly V1Node[] {
    return sortedByName(this.clusterInformers?.nodes.informer.list() ?? []);
  }

  node(name: string): V1Node | undefined {
    return this.clusterInformers?.nodes.informer.get(name);
  }

  /** The cluster's IngressClasses, sorted by name; empty when they may not be read (see `clusterStatus`). */
  ingressClasses(): readonly V1IngressClass[] {
    return sortedByName(this.clusterInformers?.ingressClasses.informer.list() ?? []);
  }

  /**
   * One object as the API server holds it now, in full, for "Show YAML": the cache keeps objects
   * slimmed (compact.ts: no managedFields, last-applied-configuration, container env, commands,
   * volumes, scheduling settings…), so this asks the server (one GET) rather than show the cached
   * copy. `managedFields` is left
   * out, as kubectl leaves it out. Undefined when the object does not exist (404); rejects with a
   * plain sentence when it cannot be read.
   */
  async liveObject(
    kind: CachedKind | ClusterScopedKind,
    namespace: string,
    name: string,
  ): Promise<KubernetesObject | undefined> {
    if (this.kubeConfig === undefined) {
      throw new Error(this.configError ?? 'No cluster.');
    }
    const namespaced = RESOURCES.find((resource) => KIND_OF[resource] === kind);
    const clusterScoped = CLUSTER_RESOURCES.find((resource) => CLUSTER_KIND_OF[resource] === kind);
    const spec = namespaced ? SPECS[namespaced] : CLUSTER_SPECS[clusterScoped!];
    const collection = namespaced ? SPECS[namespaced].path(namespace) : CLUSTER_SPECS[clusterScoped!].path;
    try {
      const object = await getObject(
        this.kubeConfig,
        `${collection}/${encodeURIComponent(name)}`,
        spec.model,
      );
      if (object?.metadata) {
        delete object.metadata.managedFields;
      }
      return object;
    } catch (error) {
      const what = namespaced ? `${spec.plural} in namespace ${namespace}` : spec.plural;
      throw new Error(classifyError(error, { server: this.server, resource: what }).message);
    }
  }

  /**
   * The number of Pods in a namespace.
   * - Watched namespace: the live count, once its Pods are synced (undefined before, or when Pods
   *   may not be read).
   * - Namespace not watched: a snapshot, or undefined when there is none. Snapshots come from
   *   `refreshPodCount(ns)` (one list request with `limit=1`, counting `remainingItemCount`, so the
   *   Pods themselves are not transferred) and from the live count at the moment a namespace stops
   *   being watched. A snapshot is not kept up to date: refresh it when showing it.
   */
  podCount(namespace: string): number | undefined {
    if (this.watched.has(namespace)) {
      const pods = this.source('pods', namespace);
      return pods?.synced && pods.status !== 'forbidden' ? pods.informer.list(namespace).length : undefined;
    }
    return this.podCounts.get(namespace);
  }

  /**
   * Counts the Pods of a namespace that is not watched, with one request (`limit=1`, then
   * `remainingItemCount`; a server that gives no count is paged through, 500 at a time). Stores the
   * snapshot read by `podCount` and announces a change of it (`pods: {ns}`). A watched namespace
   * answers with its live count without a request. Undefined when the request fails.
   */
  async refreshPodCount(namespace: string): Promise<number | undefined> {
    const live = this.watched.has(namespace) ? this.podCount(namespace) : undefined;
    if (live !== undefined || this.core === undefined || this.disposed) {
      return live;
    }
    let count = 0;
    try {
      let next: string | undefined;
      let first = true;
      do {
        const page = await this.core.listNamespacedPod({
          namespace,
          limit: first ? 1 : 500,
          ...(next !== undefined ? { _continue: next } : {}),
        });
        first = false;
        count += page.items.length;
        const remaining = page.metadata?.remainingItemCount;
        if (typeof remaining === 'number') {
          count += remaining;
          break;
        }
        next = page.metadata?._continue || undefined;
      } while (next !== undefined);
    } catch (error) {
      const classified = classifyError(error, {
        server: this.server,
        resource: `pods in namespace ${namespace}`,
      });
      this.logLine(`counting pods in namespace ${namespace} failed: ${classified.message}`);
      return undefined;
    }
    if (this.disposed) {
      return count;
    }
    if (this.watched.has(namespace)) {
      return this.podCount(namespace) ?? count;
    }
    if (this.podCounts.get(namespace) !== count) {
      this.podCounts.set(namespace, count);
      this.coalescer.resource('pods', namespace);
    }
    return count;
  }

  /**
   * Without a namespace: whether the namespace list is known (listed, or the fallback taken).
   * With one: whether it is watched and settled: each of its resources has been listed, or is
   * known to be forbidden or not served. Settled is not readable: `namespaceStatus` tells which.
   */
  isSynced(namespace?: string): boolean {
    if (namespace === undefined) {
      return this.fallback !== undefined || this.namespaceInformer?.synced === true;
    }
    return (
      this.watched.has(namespace) &&
      RESOURCES.every((resource) => {
        const tracked = this.source(resource, namespace);
        return (
          tracked !== undefined &&
          (tracked.synced || tracked.status === 'forbidden' || tracked.status === 'unavailable')
        );
      })
    );
  }

  /** Per-resource access of a watched namespace (e.g. NetworkPolicies forbidden), undefined if not watched. */
  namespaceStatus(namespace: string): NamespaceStatus | undefined {
    if (!this.watched.has(namespace)) {
      return undefined;
    }
    const access = (resource: CachedResource): ResourceAccess => {
      const tracked = this.source(resource, namespace);
      return tracked ? accessOf(tracked) : { status: 'syncing', listed: false };
    };
    return {
      pods: access('pods'),
      services: access('services'),
      endpointSlices: access('endpointSlices'),
      networkPolicies: access('networkPolicies'),
      ingresses: access('ingresses'),
    };
  }

  /**
   * How a resource of the watched namespaces is read now: from one cluster-wide informer, or from
   * one per namespace (few namespaces watched, or the cluster-wide list forbidden).
   */
  watchScope(resource: CachedResource = 'pods'): WatchScope {
    const wide = this.clusterWide[resource].tracked;
    return wide?.synced && wide.status !== 'forbidden' ? 'cluster-wide' : 'per-namespace';
  }

  /**
   * Access to Nodes and IngressClasses: `syncing` until listed, then `synced`; `forbidden` (403) and
   * `unavailable` (404) are answers of their own, never an empty list meaning "none".
   */
  clusterStatus(): ClusterStatus {
    const informers = this.clusterInformers;
    if (!informers) {
      const message = this.configError ?? '';
      return {
        nodes: { status: 'failed', message, listed: false },
        ingressClasses: { status: 'failed', message, listed: false },
      };
    }
    return { nodes: accessOf(informers.nodes), ingressClasses: accessOf(informers.ingressClasses) };
  }

  // ---------------------------------------------------------------------------------------------
  // Controlling

  /**
   * Watches Pods, Services, EndpointSlices, NetworkPolicies and Ingresses of exactly these namespaces: starts
   * informers for the new ones, stops those of the others (their objects are dropped, and their
   * collections announced as changed).
   */
  setWatchedNamespaces(names: readonly string[]): void {
    if (this.disposed || this.core === undefined) {
      return;
    }
    const wanted = new Set(names.filter((name) => name !== ''));
    for (const [namespace, informers] of this.watched) {
      if (wanted.has(namespace)) {
        continue;
      }
      const live = this.podCount(namespace);
      this.watched.delete(namespace);
      if (live !== undefined) {
        this.podCounts.set(namespace, live);
      }
      for (const resource of RESOURCES) {
        informers[resource]?.informer.stop();
        this.coalescer.resource(resource, namespace);
      }
    }
    for (const namespace of wanted) {
      if (!this.watched.has(namespace)) {
        this.podCounts.delete(namespace);
        this.watched.set(namespace, {});
        for (const resource of RESOURCES) {
          // Announced even when a cluster-wide informer already holds them.
          this.coalescer.resource(resource, namespace);
        }
      }
    }
    this.gatewayApi?.setNamespaces(wanted);
    this.reconcile();
  }

  /**
   * Retries at once everything that failed, was forbidden or was not served (for a "Refresh"
   * command, or after the user's rights changed), resetting the backoff.
   */
  retryNow(): void {
    if (this.disposed) {
      return;
    }
    this.clearRetryTimer();
    this.retryAttempt = 0;
    for (const resource of RESOURCES) {
      // The rights may have changed: try the cluster-wide list again.
      this.clusterWide[resource].refused = false;
    }
    this.reconcile();
    this.gatewayApi?.retryNow();
    for (const tracked of this.allTracked()) {
      if (tracked.status === 'failed' || tracked.status === 'forbidden' || tracked.status === 'unavailable') {
        tracked.informer.start();
      }
    }
  }

  /** Subscribes to coalesced changes; returns the unsubscriber. */
  onDidChange(listener: (change: ClusterChange) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Stops every informer (aborting their watches) and timer; nothing is delivered afterwards. */
  dispose(): void {
    if (this.disposed) {
      return;
    }
    this.disposed = true;
    this.clearRetryTimer();
    this.coalescer.dispose();
    this.namespaceInformer?.informer.stop();
    this.gatewayApi?.dispose();
    for (const resource of CLUSTER_RESOURCES) {
      this.clusterInformers?.[resource].informer.stop();
    }
    for (const informers of this.watched.values()) {
      for (const resource of RESOURCES) {
        informers[resource]?.informer.stop();
      }
    }
    for (const resource of RESOURCES) {
      this.clusterWide[resource].tracked?.informer.stop();
    }
    this.watched.clear();
    this.listeners.clear();
    this.kubeConfig?.dispose();
  }

  // ---------------------------------------------------------------------------------------------
  // Informers

  private read<R extends CachedResource>(resource: R, namespace: string): readonly ResourceTypes[R][] {
    return this.source(resource, namespace)?.informer.list(namespace) ?? [];
  }

  /**
   * The informer that answers for a resource of a watched namespace: its own once listed, else the
   * cluster-wide one once listed, else whichever exists (to report `syncing` or why not).
   */
  private source<R extends CachedResource>(
    resource: R,
    namespace: string,
  ): Tracked<ResourceTypes[R]> | undefined {
    const own = this.watched.get(namespace)?.[resource] as Tracked<ResourceTypes[R]> | undefined;
    if (!this.watched.has(namespace)) {
      return undefined;
    }
    const wide = this.clusterWide[resource].tracked as Tracked<ResourceTypes[R]> | undefined;
    if (own?.synced) {
      return own;
    }
    return wide?.synced ? wide : (own ?? wide);
  }

  /**
   * Many namespaces in view: at least `clusterWideFrom`, and at least a quarter of the cluster's
   * (when they are known). Then one list of everything costs less than hundreds of lists and watches.
   */
  private wantsClusterWide(): boolean {
    if (this.watched.size < this.clusterWideFrom || this.fallback !== undefined) {
      return false;
    }
    const known = this.namespaceInformer?.synced ? this.namespaceInformer.informer.list().length : 0;
    return known === 0 || this.watched.size * 4 >= known;
  }

  private queueReconcile(): void {
    if (this.reconcileQueued) {
      return;
    }
    this.reconcileQueued = true;
    queueMicrotask(() => {
      this.reconcileQueued = false;
      this.reconcile();
    });
  }

  /**
   * Brings the informers in line with the watched namespaces, resource by resource: cluster-wide
   * when many namespaces are watched and the identity was not refused it, else one per namespace.
   * A handover keeps the old informers answering until the new ones have listed, so a switch never
   * shows a namespace as loading that was known.
   */
  private reconcile(): void {
    if (this.disposed || this.core === undefined) {
      return;
    }
    const wide = this.wantsClusterWide();
    for (const resource of RESOURCES) {
      const scope = this.clusterWide[resource] as ClusterWide<KubernetesObject>;
      if (wide && !scope.refused) {
        let tracked = scope.tracked;
        if (tracked === undefined && this.waitsForPods(resource)) {
          // Started by the reconcile that follows the Pods list (or its failure).
          continue;
        }
        if (tracked === undefined) {
          tracked = this.watchClusterWide(resource) as Tracked<KubernetesObject>;
          scope.tracked = tracked;
          tracked.informer.start();
          this.logLine(
            `watching ${SPECS[resource].plural} across namespaces (${this.watched.size} namespaces in view)`,
          );
        }
        if (tracked.synced) {
          for (const informers of this.watched.values()) {
            informers[resource]?.informer.stop();
            delete informers[resource];
          }
        }
        continue;
      }
      let settled = true;
      for (const [namespace, informers] of this.watched) {
        let own = informers[resource] as Tracked<KubernetesObject> | undefined;
        if (own === undefined) {
          own = this.watchInNamespace(resource, namespace);
          (informers as Record<CachedResource, Tracked<KubernetesObject>>)[resource] = own;
          own.informer.start();
        }
        settled &&= own.synced || own.status === 'forbidden' || own.status === 'unavailable';
      }
      if (scope.tracked !== undefined && (settled || scope.refused)) {
        scope.tracked.informer.stop();
        scope.tracked = undefined;
        this.logLine(`watching ${SPECS[resource].plural} namespace by namespace`);
      }
    }
    this.updateState();
  }

  /**
   * Whether the first list of `resource` across namespaces waits for the Pods list across
   * namespaces, which is being read. EndpointSlices do: they hold an endpoint for every Pod behind
   * a Service, the second longest list of a large cluster, and read at the same time they took
   * about a seventh of the extension host's thread and of the API server's answers from the Pods
   * list, which is what the view shows first (every namespace's Pod count). Until then their
   * namespaces read `syncing` (`namespaceStatus`), never empty; a Pods list that fails or is
   * refused releases them.
   */
  private waitsForPods(resource: CachedResource): boolean {
    const pods = this.clusterWide.pods.tracked;
    return resource === 'endpointSlices' && pods !== undefined && !pods.synced && pods.status === 'starting';
  }

  private watchInNamespace<R extends CachedResource>(
    resource: R,
    namespace: string,
  ): Tracked<ResourceTypes[R]> {
    const spec = SPECS[resource];
    return this.track<ResourceTypes[R]>(
      `${spec.plural} in namespace ${namespace}`,
      spec.path(namespace),
      spec.model,
      (object) => {
        this.coalescer.resource(resource, namespace, object?.metadata?.name);
        if (object === undefined && this.clusterWide[resource].tracked !== undefined) {
          // Listed: the cluster-wide informer it replaces may be stopped once all have.
          this.queueReconcile();
        }
      },
      false,
    );
  }

  private watchClusterWide<R extends CachedResource>(resource: R): Tracked<ResourceTypes[R]> {
    const spec = SPECS[resource];
    return this.track<ResourceTypes[R]>(
      `${spec.plural} across namespaces`,
      spec.allPath,
      spec.model,
      (object) => {
        if (object === undefined) {
          // Listed (or its access changed): every watched namespace's collection is announced.
          for (const namespace of this.watched.keys()) {
            this.coalescer.resource(resource, namespace);
          }
          this.queueReconcile();
          return;
        }
        const namespace = object.metadata?.namespace ?? '';
        if (this.watched.has(namespace)) {
          this.coalescer.resource(resource, namespace, object.metadata?.name);
        }
      },
      false,
    );
  }

  private track<T extends KubernetesObject>(
    label: string,
    path: string,
    model: string,
    onObject: (object: T | undefined) => void,
    isNamespaces: boolean,
  ): Tracked<T> {
    // The hooks run asynchronously, after `tracked` is assigned.
    const informer = new Informer<T>({
      kubeConfig: this.kubeConfig!,
      path,
      model,
      hooks: {
        // A first list is announced whole once it is in (below), not object by object: at 10,000
        // Pods, naming each one cost the cache and the tree about 10 ms before the counts showed.
        // After that (watch events, a relist's differences) each object is named.
        onObject: (_event, object) => {
          if (tracked.synced) {
            onObject(object);
          }
        },
        onSynced: () => {
          if (!tracked.synced) {
            tracked.synced = true;
            // Announce the collection even when it is empty: readers wait for isSynced().
            onObject(undefined);
            if (RESOURCES.some((resource) => this.clusterWide[resource].tracked === tracked)) {
              // A kind's first list across namespaces (the long one on a large cluster) is shown
              // as soon as it is in, not after the change window.
              this.coalescer.soon();
            }
          }
        },
        onEstablished: () => this.established(tracked, isNamespaces),
        onError: (error) => this.failed(tracked, error, isNamespaces),
        onStalled: (error) => this.failed(tracked, error, isNamespaces),
      },
    });
    const tracked: Tracked<T> = {
      informer,
      label,
      status: 'starting',
      synced: false,
      error: undefined,
      errorSeq: 0,
    };
    return tracked;
  }

  private established(tracked: Tracked<KubernetesObject>, isNamespaces: boolean): void {
    if (this.disposed) {
      return;
    }
    tracked.status = 'running';
    tracked.error = undefined;
    if (isNamespaces && this.fallback) {
      this.fallback = undefined;
      this.logLine('namespaces can be listed again; the namespace fallback is over');
      this.coalescer.namespaces();
    }
    this.updateState();
  }

  private failed(tracked: Tracked<KubernetesObject>, error: unknown, isNamespaces: boolean): void {
    if (this.disposed) {
      return;
    }
    const classified = classifyError(error, { server: this.server, resource: tracked.label });
    tracked.error = classified;
    tracked.errorSeq = ++this.errorSeq;
    const refused = RESOURCES.find((resource) => this.clusterWide[resource].tracked === tracked);
    if (classified.kind === 'forbidden' && refused !== undefined) {
      // Not an answer about any namespace: fall back to one informer per namespace (which say).
      this.clusterWide[refused].refused = true;
      tracked.status = 'forbidden';
      this.logLine(`${tracked.label}: ${classified.message}; watching each namespace instead`);
      this.reconcile();
      return;
    }
    if (classified.kind === 'forbidden') {
      tracked.status = 'forbidden';
      if (isNamespaces) {
        const first = this.fallback === undefined;
        this.fallback = { reason: classified.message };
        if (first) {
          this.logLine(
            `cannot list namespaces (${classified.message}); showing namespace ${this.contextNamespace} only`,
          );
          this.coalescer.namespaces();
        }
      } else {
        this.logLine(`${tracked.label}: ${classified.message}`);
        this.announceTracked(tracked);
      }
    } else if (classified.kind === 'not-found') {
      tracked.status = 'unavailable';
      this.logLine(`${tracked.label}: ${classified.message}`);
      this.announceTracked(tracked);
    } else {
      tracked.status = 'failed';
      this.scheduleRetry();
    }
    if (RESOURCES.some((resource) => this.clusterWide[resource].tracked !== undefined)) {
      // A per-namespace informer settled: a cluster-wide one it replaces may now be stopped.
      this.queueReconcile();
    }
    this.updateState();
  }

  /** Announces a collection whose access changed (forbidden, not served). */
  private announceTracked(tracked: Tracked<KubernetesObject>): void {
    for (const resource of CLUSTER_RESOURCES) {
      if (this.clusterInformers?.[resource] === tracked) {
        this.coalescer.clusterResource(resource);
      }
    }
    for (const [namespace, informers] of this.watched) {
      for (const resource of RESOURCES) {
        if (informers[resource] === tracked || this.clusterWide[resource].tracked === tracked) {
          this.coalescer.resource(resource, namespace);
        }
      }
    }
  }

  private *allTracked(): Iterable<Tracked<KubernetesObject>> {
    if (this.namespaceInformer) {
      yield this.namespaceInformer;
    }
    for (const resource of CLUSTER_RESOURCES) {
      if (this.clusterInformers) {
        yield this.clusterInformers[resource];
      }
    }
    for (const resource of RESOURCES) {
      const wide = this.clusterWide[resource].tracked;
      if (wide) {
        yield wide;
      }
    }
    for (const informers of this.watched.values()) {
      for (const resource of RESOURCES) {
        const tracked = informers[resource];
        if (tracked) {
          yield tracked;
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Connection state and reconnection

  private scheduleRetry(): void {
    if (this.disposed || this.retryTimer !== undefined) {
      return;
    }
    const base = Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** this.retryAttempt);
    const delay = Math.round(base / 2 + (Math.random() * base) / 2);
    this.retryAttempt += 1;
    this.retryAt = Date.now() + delay;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      // Failed informers keep their status until they re-establish or fail again, so the state
      // stays `disconnected` during the attempt instead of flapping.
      for (const tracked of this.allTracked()) {
        if (tracked.status === 'failed') {
          tracked.informer.start();
        }
      }
    }, delay);
  }

  private clearRetryTimer(): void {
    if (this.retryTimer !== undefined) {
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
    }
    this.retryAt = undefined;
  }

  private computeState(): ConnectionState {
    if (this.configError !== undefined) {
      return { kind: 'error', message: this.configError };
    }
    const all = [...this.allTracked()];
    let latest: Tracked<KubernetesObject> | undefined;
    for (const tracked of all) {
      if (tracked.status === 'failed' && (latest === undefined || tracked.errorSeq > latest.errorSeq)) {
        latest = tracked;
      }
    }
    if (latest?.error !== undefined) {
      return {
        kind: connectionKindOf(latest.error),
        message: latest.error.message,
        ...(this.retryAt !== undefined ? { retryAt: this.retryAt } : {}),
      };
    }
    const clusterScoped = new Set<Tracked<KubernetesObject>>(
      CLUSTER_RESOURCES.flatMap((resource) => this.clusterInformers?.[resource] ?? []),
    );
    const perNamespace = all.filter(
      (tracked) => tracked !== this.namespaceInformer && !clusterScoped.has(tracked),
    );
    const forbidden = perNamespace.find((tracked) => tracked.status === 'forbidden');
    if (
      forbidden !== undefined &&
      this.namespaceInformer?.status !== 'running' &&
      perNamespace.every((tracked) => tracked.status === 'forbidden' || tracked.status === 'unavailable')
    ) {
      return {
        kind: 'forbidden',
        message: `These credentials may read nothing in the watched namespaces: ${forbidden.error?.message ?? 'forbidden.'}`,
      };
    }
    // The server answered something (a watch, or a 403/404): we are connected.
    if (all.some((tracked) => tracked.status !== 'starting')) {
      return { kind: 'connected' };
    }
    return { kind: 'connecting' };
  }

  private updateState(): void {
    if (this.disposed) {
      return;
    }
    const next = this.computeState();
    if (next.kind === 'connected' || next.kind === 'forbidden') {
      this.retryAttempt = 0;
      this.clearRetryTimer();
    }
    const previous = this.connection;
    if (
      previous.kind === next.kind &&
      previous.message === next.message &&
      previous.retryAt === next.retryAt
    ) {
      return;
    }
    this.connection = next;
    this.coalescer.connection();
    if (previous.kind !== next.kind || previous.message !== next.message) {
      const retry =
        next.retryAt !== undefined
          ? ` Retrying in ${(Math.max(0, next.retryAt - Date.now()) / 1000).toFixed(1)} s.`
          : '';
      this.logLine(`${next.kind}${next.message ? `: ${next.message}` : ''}${retry}`);
    }
  }

  private deliver(change: ClusterChange): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(change);
      } catch (error) {
        this.logLine(`a change listener failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}

function accessOf(tracked: Tracked<KubernetesObject>): ResourceAccess {
  switch (tracked.status) {
    case 'forbidden':
    case 'unavailable':
    case 'failed':
      return { status: tracked.status, message: tracked.error?.message ?? '', listed: tracked.synced };
    default:
      return { status: tracked.synced ? 'synced' : 'syncing', listed: tracked.synced };
  }
}

function sortedByName<T extends KubernetesObject>(objects: readonly T[]): T[] {
  return [...objects].sort((a, b) => {
    const x = a.metadata?.name ?? '';
    const y = b.metadata?.name ?? '';
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

function connectionKindOf(error: ClusterError): ConnectionKind {
  switch (error.kind) {
    case 'unreachable':
    case 'timeout':
      return 'disconnected';
    case 'tls':
      return 'tls';
    case 'unauthorized':
      return 'unauthorized';
    case 'forbidden':
      return 'forbidden';
    default:
      return 'error';
  }
}
