/**
 * The Gateway API part of the cluster cache (issue 15): Gateways, HTTPRoutes and GRPCRoutes of the
 * watched namespaces (one informer per kind and namespace), GatewayClasses and ReferenceGrants
 * across the cluster (one informer each; ReferenceGrants live in the namespaces routes point to,
 * which need not be in view), watched with client-node's list and watch like the other kinds
 * (informer.ts), on the custom-object paths `/apis/gateway.networking.k8s.io/<version>/…`.
 *
 * Nothing is assumed: discovery comes first (bounded in time) and says whether the group is served
 * and in which version each kind is (v1 first, then the older ones). States, each its own answer:
 * `loading` (discovery or a list under way), `notServed` (the group, or its Gateways, absent: never
 * an empty list), `forbidden` (a 403), `error` (any other failure, retried with backoff), `ready`,
 * each kept per kind (and per namespace for the namespaced ones): an identity refused the
 * cluster-wide GatewayClasses still sees the routes of the namespaces it may read. A kind the
 * server does not serve while the group is (e.g. GRPCRoutes on an older install) holds nothing,
 * which is the truth. No `vscode`.
 */
import { ApisApi, CustomObjectsApi } from '@kubernetes/client-node';
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { classifyError } from './errors.ts';
import { Informer } from './informer.ts';
import { getObject } from './rawList.ts';

export const GATEWAY_GROUP = 'gateway.networking.k8s.io';

/** The kinds watched, by plural, and the versions tried in order. */
const VERSIONS = {
  gatewayclasses: ['v1', 'v1beta1'],
  gateways: ['v1', 'v1beta1'],
  httproutes: ['v1', 'v1beta1'],
  grpcroutes: ['v1', 'v1alpha2'],
  referencegrants: ['v1', 'v1beta1'],
} as const;

export type GatewayPlural = keyof typeof VERSIONS;

/** The kind of each plural, as `kubereach:` YAML documents and Show YAML name them. */
export const GATEWAY_KIND_OF = {
  gatewayclasses: 'GatewayClass',
  gateways: 'Gateway',
  httproutes: 'HTTPRoute',
  grpcroutes: 'GRPCRoute',
  referencegrants: 'ReferenceGrant',
} as const satisfies Record<GatewayPlural, string>;
export type GatewayKind = (typeof GATEWAY_KIND_OF)[GatewayPlural];
export type NamespacedGatewayPlural = 'gateways' | 'httproutes' | 'grpcroutes';
type ClusterGatewayPlural = 'gatewayclasses' | 'referencegrants';

const NAMESPACED: readonly NamespacedGatewayPlural[] = ['gateways', 'httproutes', 'grpcroutes'];
const CLUSTER_WIDE: readonly ClusterGatewayPlural[] = ['gatewayclasses', 'referencegrants'];

/** No client-node model: custom objects are kept as the server sent them (slimmed). */
const MODEL = 'GatewayApiObject';
const DISCOVERY_TIMEOUT_MS = 10_000;

export type GatewayApiStatus =
  | { readonly state: 'loading' }
  | { readonly state: 'ready' }
  | { readonly state: 'notServed' }
  | { readonly state: 'forbidden'; readonly message: string }
  | { readonly state: 'error'; readonly message: string };

type WatchState = 'loading' | 'ready' | 'forbidden' | 'notServed' | 'error';

interface Watched {
  readonly informer: Informer<KubernetesObject>;
  state: WatchState;
  message: string;
}

type Discovery =
  | { readonly state: 'loading' }
  | { readonly state: 'served'; readonly versions: ReadonlyMap<GatewayPlural, string> }
  | { readonly state: 'notServed' }
  | { readonly state: 'forbidden' | 'error'; readonly message: string };

export interface GatewayWatchOptions {
  readonly server?: string;
  readonly log: (line: string) => void;
  /** Something changed (objects, or a state): announced through the cache's coalescer. */
  readonly changed: () => void;
  readonly backoff: { readonly initialMs: number; readonly maxMs: number };
}

export class GatewayWatch {
  private readonly kubeConfig: KubeConfig;
  private readonly options: GatewayWatchOptions;
  private discovery: Discovery = { state: 'loading' };
  /** Bumped by each discovery, so that an old answer does not land after a newer one began. */
  private discoveryRun = 0;
  private readonly namespaces = new Set<string>();
  private readonly perNamespace = new Map<string, Map<NamespacedGatewayPlural, Watched>>();
  private readonly clusterWide = new Map<ClusterGatewayPlural, Watched>();
  private retryTimer: NodeJS.Timeout | undefined;
  private retryAttempt = 0;
  private disposed = false;

  constructor(kubeConfig: KubeConfig, options: GatewayWatchOptions) {
    this.kubeConfig = kubeConfig;
    this.options = options;
    this.discover();
  }

  /** Watches the namespaced kinds of exactly these namespaces. */
  setNamespaces(names: Iterable<string>): void {
    this.namespaces.clear();
    for (const name of names) {
      this.namespaces.add(name);
    }
    this.reconcile();
  }

  /**
   * Whether the Gateway API objects of a watched namespace (its Gateways, HTTPRoutes, GRPCRoutes)
   * can be shown, and if not why: the worst of those kinds' states. The cluster-wide lists are not
   * part of it (a 403 on GatewayClasses must not hide a namespace's readable routes): ask
   * `kindStatus` for them.
   */
  status(namespace: string): GatewayApiStatus {
    return this.worst(NAMESPACED.map((plural) => this.kindStatus(plural, namespace)));
  }

  /**
   * The state of one kind: of a watched namespace for the namespaced kinds, across the cluster for
   * GatewayClasses and ReferenceGrants. A kind the group does not serve (GRPCRoutes on an older
   * install) is `notServed` while the group is served.
   */
  kindStatus(plural: GatewayPlural, namespace?: string): GatewayApiStatus {
    const discovery = this.discovery;
    if (discovery.state !== 'served') {
      return discovery.state === 'forbidden' || discovery.state === 'error'
        ? { state: discovery.state, message: discovery.message }
        : { state: discovery.state };
    }
    if (!discovery.versions.has(plural)) {
      return { state: 'notServed' };
    }
    const watched =
      plural === 'gatewayclasses' || plural === 'referencegrants'
        ? this.clusterWide.get(plural)
        : namespace === undefined
          ? undefined
          : this.perNamespace.get(namespace)?.get(plural);
    if (watched === undefined) {
      return { state: 'loading' };
    }
    return watched.state === 'forbidden' || watched.state === 'error'
      ? { state: watched.state, message: watched.message }
      : { state: watched.state };
  }

  /** Several kinds' states as one: forbidden, then error, then loading; not served only if all are. */
  private worst(statuses: readonly GatewayApiStatus[]): GatewayApiStatus {
    for (const state of ['forbidden', 'error', 'loading'] as const) {
      const found = statuses.find((s) => s.state === state);
      if (found) {
        return found;
      }
    }
    return statuses.every((s) => s.state === 'notServed') ? { state: 'notServed' } : { state: 'ready' };
  }

  /** The objects held of a namespaced kind in a watched namespace. */
  objects(plural: NamespacedGatewayPlural, namespace: string): readonly KubernetesObject[] {
    return this.perNamespace.get(namespace)?.get(plural)?.informer.list(namespace) ?? [];
  }

  /** GatewayClasses, or the ReferenceGrants of every namespace. */
  clusterObjects(plural: ClusterGatewayPlural): readonly KubernetesObject[] {
    return this.clusterWide.get(plural)?.informer.list() ?? [];
  }

  /** A held object: a namespaced kind of a watched namespace, or a GatewayClass (namespace ''). */
  cachedObject(plural: GatewayPlural, namespace: string, name: string): KubernetesObject | undefined {
    const list =
      plural === 'gatewayclasses' || plural === 'referencegrants'
        ? this.clusterObjects(plural)
        : this.objects(plural, namespace);
    return list.find(
      (o) => o.metadata?.name === name && (namespace === '' || o.metadata?.namespace === namespace),
    );
  }

  /**
   * One object read in full from the API server (Show YAML), in the version discovery found; undefined
   * when it does not exist. Throws, with the classified message, when the kind is not served (or not
   * discovered yet) or the read fails (403 included).
   */
  async liveObject(
    plural: GatewayPlural,
    namespace: string,
    name: string,
  ): Promise<KubernetesObject | undefined> {
    const discovery = this.discovery;
    const version = discovery.state === 'served' ? discovery.versions.get(plural) : undefined;
    if (version === undefined) {
      throw new Error(
        discovery.state === 'loading'
          ? `${GATEWAY_GROUP} is being discovered`
          : discovery.state === 'forbidden' || discovery.state === 'error'
            ? discovery.message
            : `${plural}.${GATEWAY_GROUP} is not served by this cluster`,
      );
    }
    const ns = namespace === '' ? '' : `/namespaces/${encodeURIComponent(namespace)}`;
    const path = `/apis/${GATEWAY_GROUP}/${version}${ns}/${plural}/${encodeURIComponent(name)}`;
    try {
      const object = await getObject(this.kubeConfig, path, MODEL);
      if (object?.metadata) {
        delete object.metadata.managedFields;
      }
      return object;
    } catch (error) {
      const what = namespace === '' ? plural : `${plural} in namespace ${namespace}`;
      throw new Error(classifyError(error, { server: this.options.server, resource: what }).message);
    }
  }

  /** Discovers again when the API was not served, refused or failed, and restarts refused or failed lists. */
  retryNow(): void {
    if (this.disposed) {
      return;
    }
    this.retryAttempt = 0;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (this.discovery.state !== 'served') {
      this.discover();
      return;
    }
    for (const watched of this.allWatched()) {
      if (watched.state !== 'ready' && watched.state !== 'loading') {
        watched.state = 'loading';
        watched.informer.start();
      }
    }
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.retryTimer);
    this.stopAll();
  }

  private discover(): void {
    const run = ++this.discoveryRun;
    const changed = this.discovery.state !== 'loading';
    this.discovery = { state: 'loading' };
    if (changed) {
      this.options.changed();
    }
    void discoverVersions(this.kubeConfig).then(
      (versions) => {
        if (this.disposed || run !== this.discoveryRun) {
          return;
        }
        if (versions === undefined || !versions.has('gateways')) {
          this.discovery = { state: 'notServed' };
          this.options.log(`${GATEWAY_GROUP} is not served: no Gateway API watches`);
        } else {
          this.discovery = { state: 'served', versions };
          this.options.log(
            `watching ${GATEWAY_GROUP}: ${[...versions].map(([kind, version]) => `${kind} ${version}`).join(', ')}`,
          );
        }
        this.reconcile();
        this.options.changed();
      },
      (error: unknown) => {
        if (this.disposed || run !== this.discoveryRun) {
          return;
        }
        const classified = classifyError(error, {
          server: this.options.server,
          resource: `API discovery of ${GATEWAY_GROUP}`,
        });
        const state = classified.kind === 'forbidden' ? 'forbidden' : 'error';
        this.discovery = { state, message: classified.message };
        this.options.log(classified.message);
        if (state === 'error') {
          this.scheduleRetry();
        }
        this.options.changed();
      },
    );
  }

  private reconcile(): void {
    if (this.disposed) {
      return;
    }
    const discovery = this.discovery;
    if (discovery.state !== 'served') {
      return;
    }
    const path = (plural: GatewayPlural, namespace?: string): string | undefined => {
      const version = discovery.versions.get(plural);
      if (version === undefined) {
        return undefined;
      }
      const ns = namespace === undefined ? '' : `/namespaces/${encodeURIComponent(namespace)}`;
      return `/apis/${GATEWAY_GROUP}/${version}${ns}/${plural}`;
    };
    for (const plural of CLUSTER_WIDE) {
      const where = path(plural);
      if (where !== undefined && !this.clusterWide.has(plural)) {
        this.clusterWide.set(plural, this.watch(where, `${plural} across namespaces`));
      }
    }
    for (const [namespace, watches] of this.perNamespace) {
      if (!this.namespaces.has(namespace)) {
        for (const watched of watches.values()) {
          watched.informer.stop();
        }
        this.perNamespace.delete(namespace);
      }
    }
    for (const namespace of this.namespaces) {
      if (this.perNamespace.has(namespace)) {
        continue;
      }
      const watches = new Map<NamespacedGatewayPlural, Watched>();
      for (const plural of NAMESPACED) {
        const where = path(plural, namespace);
        if (where !== undefined) {
          watches.set(plural, this.watch(where, `${plural} in namespace ${namespace}`));
        }
      }
      this.perNamespace.set(namespace, watches);
    }
  }

  private watch(path: string, label: string): Watched {
    const informer = new Informer<KubernetesObject>({
      kubeConfig: this.kubeConfig,
      path,
      model: MODEL,
      hooks: {
        onObject: () => this.options.changed(),
        onSynced: () => {
          if (watched.state !== 'ready') {
            watched.state = 'ready';
            watched.message = '';
            this.options.changed();
          }
        },
        onEstablished: () => {
          this.retryAttempt = 0;
        },
        onError: (error) => this.failed(watched, label, error),
        onStalled: (error) => this.failed(watched, label, error),
      },
    });
    const watched: Watched = { informer, state: 'loading', message: '' };
    informer.start();
    return watched;
  }

  private failed(watched: Watched, label: string, error: unknown): void {
    if (this.disposed) {
      return;
    }
    const classified = classifyError(error, { server: this.options.server, resource: label });
    watched.message = classified.message;
    watched.state =
      classified.kind === 'forbidden' ? 'forbidden' : classified.kind === 'not-found' ? 'notServed' : 'error';
    this.options.log(`${label}: ${classified.message}`);
    if (watched.state === 'error') {
      this.scheduleRetry();
    }
    this.options.changed();
  }

  private scheduleRetry(): void {
    if (this.disposed || this.retryTimer !== undefined) {
      return;
    }
    const { initialMs, maxMs } = this.options.backoff;
    const base = Math.min(maxMs, initialMs * 2 ** this.retryAttempt);
    this.retryAttempt += 1;
    this.retryTimer = setTimeout(
      () => {
        this.retryTimer = undefined;
        if (this.discovery.state === 'error') {
          this.discover();
        }
        for (const watched of this.allWatched()) {
          if (watched.state === 'error') {
            watched.informer.start();
          }
        }
      },
      Math.round(base / 2 + (Math.random() * base) / 2),
    );
  }

  private *allWatched(): Iterable<Watched> {
    yield* this.clusterWide.values();
    for (const watches of this.perNamespace.values()) {
      yield* watches.values();
    }
  }

  private stopAll(): void {
    for (const watched of this.allWatched()) {
      watched.informer.stop();
    }
    this.clusterWide.clear();
    this.perNamespace.clear();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Which version serves each kind (discovery), undefined when the group is not served. */
async function discoverVersions(kubeConfig: KubeConfig): Promise<Map<GatewayPlural, string> | undefined> {
  const groups = await withTimeout(
    kubeConfig.makeApiClient(ApisApi).getAPIVersions(),
    DISCOVERY_TIMEOUT_MS,
    'API discovery',
  );
  const group = groups.groups.find((g) => g.name === GATEWAY_GROUP);
  if (group === undefined) {
    return undefined;
  }
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const served = new Map<string, Set<string>>();
  await Promise.all(
    group.versions.map(async ({ version }) => {
      const resources = await withTimeout(
        custom.getAPIResources({ group: GATEWAY_GROUP, version }),
        DISCOVERY_TIMEOUT_MS,
        `discovery of ${GATEWAY_GROUP}/${version}`,
      );
      served.set(version, new Set(resources.resources.map((r) => r.name)));
    }),
  );
  const found = new Map<GatewayPlural, string>();
  for (const [plural, versions] of Object.entries(VERSIONS) as [GatewayPlural, readonly string[]][]) {
    const version = versions.find((v) => served.get(v)?.has(plural));
    if (version !== undefined) {
      found.set(plural, version);
    }
  }
  return found;
}
