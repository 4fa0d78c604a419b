/**
 * The sandbox as a library: `startSandbox()` brings up a cluster on a free port in this process
 * and returns handles to use and break it; `stop()` releases every socket and timer. Tests give
 * each file its own sandbox; `npm run sandbox` wraps the same function (sandbox/cli.ts).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { AdminServer } from './admin.ts';
import { Churn } from './churn.ts';
import type { ChurnStatus } from './churn.ts';
import { ApiServer } from './api/server.ts';
import type { KubeObject } from './api/store.ts';
import { Cluster, type } from './cluster.ts';
import { reserveAddressBlock, sentinelAddress } from './dataplane/blockReservation.ts';
import { detectPortLimit } from './dataplane/hostPorts.ts';
import type { HostPorts, PortLimit } from './dataplane/hostPorts.ts';
import { POD_ADDRESSES_PER_BLOCK } from './dataplane/ipam.ts';
import type { AddressBlockReservation } from './dataplane/blockReservation.ts';
import { CONTEXT_NAME, kubeconfigYaml } from './kubeconfig.ts';
import { loadScenario } from './scenario.ts';
import type { ScenarioConfig } from './scenario.ts';
import { makeCertificates } from './tls.ts';

export { CONTEXT_NAME } from './kubeconfig.ts';
export type { Cluster } from './cluster.ts';

export interface SandboxOptions {
  /** A scenario name (`demo`, `minimal`, `scale`), a path, or a parsed scenario. Default `minimal`. */
  readonly scenario?: string | ScenarioConfig;
  /** Pod count for `scale`. */
  readonly pods?: number;
  /** Namespace count for `scale` (default about one per 200 Pods, at most 50). */
  readonly namespaces?: number;
  /** API server port; 0 (the default) picks a free one. */
  readonly port?: number;
  /** Where to write the kubeconfig; default a fresh temporary folder, removed by stop(). */
  readonly kubeconfigPath?: string;
  /** Start the token-protected admin endpoint for faults (default true). */
  readonly admin?: boolean;
  readonly adminPort?: number;
  /** How often a watch that asked for bookmarks gets one (default 60 s, as a real API server). */
  readonly bookmarkIntervalMs?: number;
  /** Changes each resource's watch window keeps (default 5,000); older revisions answer 410. */
  readonly watchWindow?: number;
  /** How long a list or watch for a future resourceVersion waits before its 504 (default 3 s, as a real server). */
  readonly resourceVersionWaitMs?: number;
  readonly log?: (message: string) => void;
  /** Pods in 127.B.0.0/16, Services in 127.B+1.0.0/16; default a random B, so sandboxes can run side by side. */
  readonly addressBlock?: number;
  /**
   * The lowest port the sandbox may listen on, as found at start (dataplane/hostPorts.ts); tests
   * may state one to have privileged ports mapped in a process that could listen on them.
   */
  readonly portLimit?: PortLimit;
}

export interface Faults {
  stopApiServer(): Promise<void>;
  startApiServer(): Promise<void>;
  /** Ends every watch with 410 Expired and compacts history: clients must relist. */
  expireWatches(): void;
  deletePod(namespace: string, name: string, gracePeriodSeconds?: number): void;
  /** Deletes the Pod at once; a controller-owned Pod is replaced by its owner, a bare one is recreated under its name. */
  replacePod(namespace: string, name: string): void;
  setPodReady(namespace: string, name: string, ready: boolean): void;
  setServiceEndpointsRemoved(namespace: string, name: string, removed: boolean): void;
  setApiLatency(ms: number): void;
  /** Whether the API server can dial the kubelet of a node (exec and port-forward to its Pods). */
  setKubeletReachable(node: string, reachable: boolean): void;
  /**
   * Whether the load-balancer pool hands out addresses: off, new LoadBalancer Services stay
   * pending (addresses already given are kept); back on, the pending ones get theirs.
   */
  setLoadBalancerPool(enabled: boolean): void;
  /** `rate` Pod updates a second for `seconds` (see churn.ts); `stopChurn` ends it early. */
  startChurn(rate: number, seconds: number): void;
  stopChurn(): void;
  churnStatus(): ChurnStatus;
}

export interface Sandbox {
  readonly server: string;
  readonly port: number;
  readonly kubeconfigPath: string;
  readonly context: string;
  readonly cluster: Cluster;
  readonly api: ApiServer;
  readonly faults: Faults;
  readonly admin: { readonly url: string; readonly token: string } | undefined;
  /** Where privileged ports are served when the sandbox may not listen on them, and listens that failed. */
  readonly hostPorts: HostPorts;
  /** Writes a kubeconfig for another identity of the scenario and returns its path. */
  kubeconfigFor(user: string): string;
  stop(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const scenario =
    typeof options.scenario === 'object'
      ? options.scenario
      : loadScenario(options.scenario ?? 'minimal', {
          ...(options.pods !== undefined ? { pods: options.pods } : {}),
          ...(options.namespaces !== undefined ? { namespaces: options.namespaces } : {}),
        });
  // More Pods than one /16 holds take a wide plan on two blocks (ipam.ts).
  const podCount = scenario.manifests.filter((manifest) => manifest.kind === 'Pod').length;
  const reservation = await reserveAddressBlock(options.addressBlock, {
    wide: podCount > POD_ADDRESSES_PER_BLOCK - 1_000,
  });
  try {
    return await startOnBlock(options, scenario, reservation);
  } catch (error) {
    await reservation.release();
    throw error;
  }
}

async function startOnBlock(
  options: SandboxOptions,
  scenario: ScenarioConfig,
  reservation: AddressBlockReservation,
): Promise<Sandbox> {
  const log = options.log ?? (() => undefined);
  const certificates = await makeCertificates();
  const portLimit = options.portLimit ?? (await detectPortLimit(sentinelAddress(reservation.block)));
  const cluster = new Cluster(scenario, {
    log,
    addressBlock: reservation.block,
    portLimit,
    wideAddresses: reservation.wide,
  });
  if (options.watchWindow !== undefined) {
    cluster.store.historyLimit = options.watchWindow;
  }
  cluster.bootstrap();
  await loadManifests(cluster, scenario.manifests);

  const api = new ApiServer({
    cluster,
    host: '127.0.0.1',
    port: options.port ?? 0,
    cert: certificates.cert,
    key: certificates.key,
    ...(options.bookmarkIntervalMs !== undefined ? { bookmarkIntervalMs: options.bookmarkIntervalMs } : {}),
    ...(options.resourceVersionWaitMs !== undefined
      ? { resourceVersionWaitMs: options.resourceVersionWaitMs }
      : {}),
  });
  const port = await api.start();
  cluster.dataplane.apiServerPort = port;
  const server = `https://127.0.0.1:${port}`;

  const temporary =
    options.kubeconfigPath === undefined ? mkdtempSync(join(tmpdir(), 'kubereach-sandbox-')) : undefined;
  const kubeconfigPath = options.kubeconfigPath ?? join(temporary!, 'kubeconfig');
  mkdirSync(dirname(kubeconfigPath), { recursive: true });
  const writeKubeconfig = (path: string, currentUser: string) =>
    writeFileSync(
      path,
      kubeconfigYaml({ server, caCert: certificates.caCert, users: scenario.users, currentUser }),
      { mode: 0o600 },
    );
  writeKubeconfig(kubeconfigPath, scenario.currentUser);

  const churn = new Churn(cluster);
  const faults: Faults = {
    startChurn: (rate, seconds) => churn.start(rate, seconds),
    stopChurn: () => churn.stop(),
    churnStatus: () => churn.status(),
    stopApiServer: () => api.stop(),
    startApiServer: async () => {
      await api.start();
    },
    expireWatches: () => api.expireWatches(),
    deletePod: (namespace, name, grace) => {
      cluster.delete(type('pods'), namespace, name, grace === undefined ? {} : { gracePeriodSeconds: grace });
    },
    replacePod: (namespace, name) => {
      const pod = cluster.store.peek(type('pods'), namespace, name);
      if (!pod) {
        throw new Error(`pod ${namespace}/${name} not found`);
      }
      const owned = pod.metadata.ownerReferences?.some((ref) => ref.controller === true);
      cluster.kubelet.terminate(namespace, name, 0);
      cluster.dataplane.stopPod(pod);
      cluster.store.delete(type('pods'), namespace, name);
      if (!owned) {
        const { metadata, spec } = pod;
        const specCopy = structuredClone(spec) as Record<string, unknown>;
        delete specCopy.nodeName;
        setTimeout(() => {
          cluster.create(type('pods'), {
            metadata: {
              name: metadata.name!,
              namespace,
              ...(metadata.labels ? { labels: metadata.labels } : {}),
              ...(metadata.annotations ? { annotations: metadata.annotations } : {}),
            },
            spec: specCopy,
          });
        }, scenario.timing.replaceDelayMs).unref();
      }
    },
    setPodReady: (namespace, name, ready) => cluster.kubelet.setReady(namespace, name, ready),
    setServiceEndpointsRemoved: (namespace, name, removed) =>
      cluster.endpointSlices.setSuppressed(namespace, name, removed),
    setApiLatency: (ms) => {
      cluster.faults.apiLatencyMs = ms;
    },
    setLoadBalancerPool: (enabled) => {
      cluster.loadBalancers.setPoolEnabled(enabled);
      // Gateways take their addresses from the same pool.
      cluster.gateways.resync();
    },
    setKubeletReachable: (node, reachable) => {
      if (!cluster.nodes.some((candidate) => candidate.name === node)) {
        throw new Error(`no node ${node}; the nodes are ${cluster.nodes.map((n) => n.name).join(', ')}`);
      }
      if (reachable) {
        cluster.faults.unreachableKubelets.delete(node);
      } else {
        cluster.faults.unreachableKubelets.add(node);
      }
    },
  };

  let admin: AdminServer | undefined;
  if (options.admin !== false) {
    admin = new AdminServer({
      cluster,
      api,
      faults,
      token: randomBytes(24).toString('base64url'),
      port: options.adminPort ?? 0,
    });
    await admin.start();
  }
  await settle(cluster);

  const extraConfigs: string[] = [];
  return {
    server,
    port,
    kubeconfigPath,
    context: CONTEXT_NAME,
    cluster,
    api,
    faults,
    admin: admin ? { url: admin.url, token: admin.token } : undefined,
    hostPorts: cluster.dataplane.hostPorts,
    kubeconfigFor(user) {
      if (!scenario.users.some((u) => u.name === user)) {
        throw new Error(`scenario ${scenario.name} has no user ${user}`);
      }
      const path = join(dirname(kubeconfigPath), `kubeconfig-${user}`);
      writeKubeconfig(path, user);
      extraConfigs.push(path);
      return path;
    },
    async stop() {
      churn.stop();
      await admin?.stop();
      await api.stop();
      cluster.stop();
      await reservation.release();
      for (const path of extraConfigs) {
        rmSync(path, { force: true });
      }
      if (temporary) {
        rmSync(temporary, { recursive: true, force: true });
      }
    },
  };
}

/**
 * Creates the scenario's objects, namespaces first, and starts bare Pods at once. Large scenarios
 * are loaded in batches, yielding between them so controllers keep up and garbage is collected as
 * it is made rather than all at the end (which would inflate the heap V8 keeps).
 */
async function loadManifests(cluster: Cluster, manifests: readonly KubeObject[]): Promise<void> {
  // CRDs first: the CRD controller establishes each as it is created, so its kinds can follow.
  const order = [
    'CustomResourceDefinition',
    'Namespace',
    'NetworkPolicy',
    'Service',
    'Deployment',
    'ReplicaSet',
    'Pod',
  ];
  const sorted = [...manifests].sort(
    (a, b) => (order.indexOf(String(a.kind)) + 1 || 99) - (order.indexOf(String(b.kind)) + 1 || 99),
  );
  for (const [index, manifest] of sorted.entries()) {
    if (index % 200 === 199) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    const resource = cluster.resources.byKind(
      String(manifest.kind),
      manifest.apiVersion === undefined ? undefined : String(manifest.apiVersion),
    );
    if (!resource) {
      throw new Error(`scenario object of kind ${String(manifest.kind)} is not served by the sandbox`);
    }
    if (resource.plural === 'namespaces' && cluster.store.peek(resource, '', manifest.metadata.name!)) {
      continue;
    }
    const created = cluster.create(resource, manifest);
    if (resource.plural === 'pods') {
      cluster.kubelet.startNow(created.metadata.namespace!, created.metadata.name!);
    }
  }
}

/** Waits until controllers have acted on the scenario: every Pod scheduled and started, listeners open. */
async function settle(cluster: Cluster, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const pods = type('pods');
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    const unsettled = cluster.store
      .list(pods)
      .some(
        ({ object }) =>
          (object.status as { phase?: string } | undefined)?.phase !== 'Running' &&
          !object.metadata.deletionTimestamp,
      );
    const deployments = cluster.store.list(type('deployments')).some(({ object }) => {
      const status = (object.status ?? {}) as { replicas?: number };
      return (status.replicas ?? 0) < (object.spec as { replicas: number }).replicas;
    });
    if (!unsettled && !deployments) {
      break;
    }
    if (Date.now() > deadline) {
      throw new Error('sandbox did not settle: some Pods never started');
    }
  }
  // Load balancers and Gateways are served a few controller turns after their Pods run: wait for
  // their listeners too, so what the ready summary says of ports is complete.
  for (let turn = 0; turn < 5; turn++) {
    await new Promise((resolve) => setImmediate(resolve));
    await cluster.dataplane.idle();
  }
}
