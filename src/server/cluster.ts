/**
 * The language server's view of the cluster: its own ClusterSession (kubeconfig, context, one
 * informer-backed ClusterCache), started only once a document asks for cluster-aware checks, and
 * watching only the namespaces that open manifests name. Reads are snapshots for the analysis;
 * cache changes are passed on with the namespaces and cluster-scoped kinds they touched, so that
 * only the documents whose last validation read them are validated again (clusterReads.ts).
 *
 * The kubeconfig comes from KUBECONFIG or ~/.kube/config, as in the extension host; the
 * `kubereach.kubeconfig` setting only while the client says the workspace is trusted.
 */
import { join } from 'node:path';
import { networkPolicyFromModel } from '../analysis/networkPolicy.ts';
import type { Ingress, IngressClass } from '../analysis/ingress.ts';
import type { Pod, Service } from '../analysis/k8s.ts';
import type { ClusterModel, EndpointSlice, LiveNamespace } from '../analysis/manifests/cluster.ts';
import { podLabelIndex } from '../analysis/labels.ts';
import type * as ClusterLayer from '../cluster/index.ts';
import type { ClusterCache, ResourceAccess } from '../cluster/cache.ts';
import type { GatewayApiStatus } from '../cluster/gatewayWatch.ts';
import type { Gateway, GatewayClass, GatewayWorld, ReferenceGrant } from '../analysis/gateway/types.ts';
import type { LiveGatewayApi } from '../analysis/manifests/gatewayLive.ts';
import type { ClusterSession, SessionEvent } from '../cluster/session.ts';
import type { UnreadableResource } from '../shared/messages.ts';
import type { ClusterChangeScope } from './clusterReads.ts';

/**
 * The cluster layer (client-node and the cache) is `dist/cluster.js`, the bundle the extension host
 * loads too: the server requires that sibling at run time rather than carrying a second copy of
 * client-node in `dist/server.js`. The path is computed, and the require sits in a try, so esbuild
 * leaves it alone.
 */
function loadClusterLayer(): typeof ClusterLayer {
  const path = join(__dirname, 'cluster.js');
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(path) as typeof ClusterLayer;
  } catch (error) {
    throw new Error(
      `the cluster layer ${path} could not be loaded (${error instanceof Error ? error.message : String(error)})`,
      {
        cause: error,
      },
    );
  }
}

export interface ClusterSettings {
  readonly kubeconfig: string | undefined;
  readonly trusted: boolean;
  /** The context the client's explorer shows; undefined for the kubeconfig's current-context. */
  readonly context: string | undefined;
}

/** Whether the objects of one resource can be read (listed, and not since refused). */
function readable(access: ResourceAccess): boolean {
  return access.status === 'synced' || (access.status === 'failed' && access.listed);
}

/** "no access (403): <the server's reason>", and the like, for hovers. */
function accessWords(access: ResourceAccess, kindPlural: string): string {
  switch (access.status) {
    case 'forbidden':
      return `no access to ${kindPlural} (403): ${access.message ?? ''}`;
    case 'unavailable':
      return `${kindPlural} are not served by this cluster (404): ${access.message ?? ''}`;
    case 'failed':
      return `${kindPlural} could not be listed: ${access.message ?? ''}`;
    default:
      return `${kindPlural} not loaded yet`;
  }
}

/** The cache's Gateway API for the checks: each kind as read, or why not (gatewayWatch.ts states). */
function liveGatewayApi(cache: ClusterCache): LiveGatewayApi {
  const watch = cache.gatewayApi;
  if (watch === undefined) {
    return { state: 'unknown', why: 'no cluster cache' };
  }
  const words = (status: GatewayApiStatus, kindPlural: string): string =>
    status.state === 'forbidden'
      ? `no access to ${kindPlural} (403): ${status.message}`
      : status.state === 'error'
        ? `${kindPlural} could not be listed: ${status.message}`
        : status.state === 'notServed'
          ? `${kindPlural} are not served by this cluster`
          : `${kindPlural} not loaded yet`;
  const group = watch.kindStatus('gateways');
  if (group.state === 'notServed') {
    return { state: 'notServed' };
  }
  if (group.state === 'loading' && watch.kindStatus('gatewayclasses').state === 'loading') {
    return { state: 'unknown', why: words(group, 'Gateway API objects') };
  }
  const listOf = <T>(status: GatewayApiStatus, objects: () => readonly unknown[], kindPlural: string) =>
    status.state === 'ready' ? (objects() as readonly T[]) : { unreadable: words(status, kindPlural) };
  const namespacesReady = cache.isSynced();
  return {
    state: 'ready',
    gateways: (namespace) =>
      listOf<Gateway>(
        watch.kindStatus('gateways', namespace),
        () => watch.objects('gateways', namespace),
        'Gateways',
      ),
    gatewayClasses: listOf<GatewayClass>(
      watch.kindStatus('gatewayclasses'),
      () => watch.clusterObjects('gatewayclasses'),
      'GatewayClasses',
    ),
    referenceGrants: listOf<ReferenceGrant>(
      watch.kindStatus('referencegrants'),
      () => watch.clusterObjects('referencegrants'),
      'ReferenceGrants',
    ),
    namespaces: namespacesReady ? (cache.namespaces() as unknown as GatewayWorld['namespaces']) : undefined,
  };
}

export interface ClusterStatus {
  readonly enabled: boolean;
  readonly context: string | undefined;
  readonly state: string;
  readonly message: string | undefined;
  readonly watchedNamespaces: readonly string[];
  readonly syncedNamespaces: readonly string[];
  readonly unreadable: readonly UnreadableResource[];
}

export class ServerCluster {
  private session: ClusterSession | undefined;
  private starting: Promise<void> | undefined;
  private settings: ClusterSettings = { kubeconfig: undefined, trusted: false, context: undefined };
  /** Namespaces wanted, by manifest namespace; undefined stands for the context's namespace. */
  private wanted = new Set<string | undefined>();
  private applied = '';
  private readonly memory = new Map<string, unknown>();
  private readonly log: (line: string) => void;
  private readonly onChange: (scope: ClusterChangeScope) => void;
  private readonly env: Readonly<Record<string, string | undefined>>;
  private disposed = false;

  constructor(options: {
    log: (line: string) => void;
    onChange: (scope: ClusterChangeScope) => void;
    env?: Readonly<Record<string, string | undefined>>;
  }) {
    this.log = options.log;
    this.onChange = options.onChange;
    this.env = options.env ?? process.env;
  }

  get enabled(): boolean {
    return this.session !== undefined || this.starting !== undefined;
  }

  /** Starts the session (once); resolves when it exists. The cluster layer loads only then. */
  start(): Promise<void> {
    this.starting ??= (async () => {
      await new Promise((resolve) => setImmediate(resolve));
      const { ClusterSession } = loadClusterLayer();
      if (this.disposed) {
        return;
      }
      const session = new ClusterSession({
        settings: () => ({ kubeconfigSetting: this.settings.kubeconfig, trusted: this.settings.trusted }),
        memory: {
          get: (key) => this.memory.get(key),
          set: (key, value) => void this.memory.set(key, value),
        },
        log: this.log,
        env: this.env,
      });
      this.session = session;
      session.onDidChange((event) => this.sessionChanged(event));
      this.applyContext();
      this.applyNamespaces(true);
      const context = session.context;
      this.log(
        context
          ? `Cluster-aware checks use context ${context.name} (${context.server ?? 'no server'}).`
          : `Cluster-aware checks are off: ${session.kubeconfigError ?? 'no kubeconfig context'}.`,
      );
    })().catch((error: unknown) => {
      this.log(
        `Could not start the cluster session: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
    return this.starting;
  }

  configure(settings: ClusterSettings): void {
    const previous = this.settings;
    this.settings = settings;
    if (this.session === undefined) {
      return;
    }
    if (previous.kubeconfig !== settings.kubeconfig || previous.trusted !== settings.trusted) {
      this.session.reload();
    }
    if (previous.context !== settings.context) {
      this.applyContext();
    }
  }

  /** The namespaces that open manifests name (undefined: the context's namespace). */
  watch(namespaces: ReadonlySet<string | undefined>): void {
    this.wanted = new Set(namespaces);
    this.applyNamespaces(false);
  }

  /** A snapshot for one validation pass; undefined without a usable context. */
  model(): ClusterModel | undefined {
    const session = this.session;
    const cache = session?.cache;
    const context = session?.context;
    if (session === undefined || cache === undefined || context === undefined) {
      return undefined;
    }
    const snapshots = new Map<string, LiveNamespace | undefined>();
    return {
      context: context.name,
      defaultNamespace: context.namespace ?? 'default',
      namespace: (name: string) => {
        if (snapshots.has(name)) {
          return snapshots.get(name);
        }
        let live: LiveNamespace | undefined;
        const status = cache.namespaceStatus(name);
        if (status !== undefined && cache.isSynced(name) && readable(status.pods)) {
          const pods = cache.pods(name) as unknown as readonly Pod[];
          const policies = readable(status.networkPolicies)
            ? cache.networkPolicies(name).map(networkPolicyFromModel)
            : undefined;
          const slices = status.endpointSlices;
          let byLabel: ((key: string, value: string) => readonly Pod[]) | undefined;
          live = {
            pods,
            // Built on first use, once per validation pass: a Service's selector then reads the
            // Pods with its first label instead of every Pod of the namespace.
            podsWithLabel: (key, value) => (byLabel ??= podLabelIndex(pods))(key, value),
            networkPolicies: policies,
            services: readable(status.services)
              ? (cache.services(name) as unknown as readonly Service[])
              : { unreadable: accessWords(status.services, 'Services') },
            ingresses: readable(status.ingresses)
              ? (cache.ingresses(name) as unknown as readonly Ingress[])
              : { unreadable: accessWords(status.ingresses, 'Ingresses') },
            endpointSlices: (service) =>
              readable(slices)
                ? (cache.endpointSlices(name, service) as unknown as readonly EndpointSlice[])
                : { unreadable: accessWords(slices, 'EndpointSlices') },
          };
        }
        snapshots.set(name, live);
        return live;
      },
      whyUnknown: (name: string) => {
        const status = cache.namespaceStatus(name);
        if (status === undefined || status.pods.status === 'syncing') {
          return 'not loaded yet';
        }
        return accessWords(status.pods, 'Pods');
      },
      watchedNamespaces: () => cache.watchedNamespaces(),
      ingressClasses: () => {
        const access = cache.clusterStatus().ingressClasses;
        return readable(access)
          ? (cache.ingressClasses() as unknown as readonly IngressClass[])
          : { unreadable: accessWords(access, 'IngressClasses') };
      },
      gatewayApi: () => liveGatewayApi(cache),
    };
  }

  /**
   * Whether every watched namespace and the cluster-scoped kinds have been read or refused (none
   * still loading): what `kubereach check --cluster` waits for before it analyses once.
   */
  settled(): boolean {
    const cache = this.session?.cache;
    if (cache === undefined) {
      return false;
    }
    const loading = (access: ResourceAccess) => access.status === 'syncing';
    if (loading(cache.clusterStatus().ingressClasses)) {
      return false;
    }
    const gateway = cache.gatewayApi;
    const watched = [...cache.watchedNamespaces()];
    if (
      gateway !== undefined &&
      (gateway.kindStatus('gatewayclasses').state === 'loading' ||
        gateway.kindStatus('referencegrants').state === 'loading' ||
        watched.some((namespace) => gateway.kindStatus('gateways', namespace).state === 'loading'))
    ) {
      return false;
    }
    return watched.every((namespace) => {
      const status = cache.namespaceStatus(namespace);
      return status !== undefined && !Object.values(status).some(loading);
    });
  }

  /** The contexts of the kubeconfig in force (after start()). */
  contextNames(): readonly string[] {
    return this.session?.contexts().map((context) => context.name) ?? [];
  }

  /** Why there is no model, for hovers. */
  note(): string | undefined {
    if (this.session === undefined) {
      return this.starting ? 'connecting…' : undefined;
    }
    if (this.session.context === undefined) {
      return this.session.kubeconfigError ?? 'no kubeconfig context, so no cluster-aware checks.';
    }
    return undefined;
  }

  status(): ClusterStatus {
    const session = this.session;
    const cache = session?.cache;
    const state = cache?.state();
    const watched = [...(cache?.watchedNamespaces() ?? [])].sort();
    const unreadable: UnreadableResource[] = [];
    for (const namespace of watched) {
      const status = cache?.namespaceStatus(namespace);
      for (const [resource, access] of Object.entries(status ?? {})) {
        if (access.status === 'forbidden' || access.status === 'unavailable' || access.status === 'failed') {
          unreadable.push({ namespace, resource, status: access.status, message: access.message ?? '' });
        }
      }
    }
    return {
      enabled: this.enabled,
      context: session?.context?.name,
      state: state?.kind ?? this.stateWithoutCache(),
      message: state?.message ?? session?.kubeconfigError,
      watchedNamespaces: watched,
      syncedNamespaces: watched.filter(
        (namespace) =>
          cache?.isSynced(namespace) === true &&
          !unreadable.some((entry) => entry.namespace === namespace && entry.resource === 'pods'),
      ),
      unreadable,
    };
  }

  /** `off`; `connecting` until the session has read the kubeconfig; then why there is no cache. */
  private stateWithoutCache(): string {
    if (!this.enabled) {
      return 'off';
    }
    const session = this.session;
    if (session === undefined) {
      return 'connecting';
    }
    // Not "connecting": nothing is being connected to until the kubeconfig changes.
    return session.kubeconfigError !== undefined ? 'error' : 'no-context';
  }

  dispose(): void {
    this.disposed = true;
    this.session?.dispose();
    this.session = undefined;
  }

  private applyContext(): void {
    const session = this.session;
    const wanted = this.settings.context;
    if (session === undefined || wanted === undefined || session.context?.name === wanted) {
      return;
    }
    if (session.contexts().some((context) => context.name === wanted)) {
      session.switchContext(wanted);
    } else {
      this.log(
        `The client's context ${wanted} is not in the kubeconfig; using ${session.context?.name ?? 'none'}.`,
      );
    }
  }

  private resolvedNamespaces(): string[] {
    const fallback = this.session?.context?.namespace ?? 'default';
    return [...new Set([...this.wanted].map((namespace) => namespace ?? fallback))].sort();
  }

  private applyNamespaces(force: boolean): void {
    const session = this.session;
    if (session === undefined || session.context === undefined) {
      return;
    }
    const names = this.resolvedNamespaces();
    const key = `${session.context.name}\0${names.join('\0')}`;
    if (!force && key === this.applied) {
      return;
    }
    this.applied = key;
    session.setSelectedNamespaces(names);
  }

  private sessionChanged(event: SessionEvent): void {
    if (event.kind === 'cache') {
      const change = event.change;
      if (change.connection) {
        this.onChange('all');
        return;
      }
      const namespaces = new Set([
        ...change.pods,
        ...change.services,
        ...change.ingresses,
        ...change.endpointSlices,
        ...change.networkPolicies,
      ]);
      if (namespaces.size > 0 || change.ingressClasses || change.gatewayApi) {
        this.onChange({ namespaces, ingressClasses: change.ingressClasses, gatewayApi: change.gatewayApi });
      }
      return;
    }
    if (event.kind === 'kubeconfig' || event.kind === 'context') {
      this.applyContext();
      this.applyNamespaces(true);
      this.onChange('all');
    }
  }
}
