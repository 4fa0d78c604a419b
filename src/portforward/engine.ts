/**
 * The port-forward engine: in-process (no kubectl), one local listener per forwarded port; the
 * accepted connections to a Pod ride on one SPDY session per Pod (`spdySession.ts`), or each on a
 * v4 WebSocket of its own where the API server does not tunnel SPDY (see `tunnel.ts`). One
 * `PortForwardManager` per process; it is handed its cluster (the informer-backed cache and the
 * kubeconfig of a context) and never reaches for globals. No `vscode`: the UI is built on
 * `list()`, `onDidChange` and the commands' calls to `start`, `stop`, `restart`.
 *
 * Life of a forward:
 * - `starting`: the namespace is being read, or the target has no usable Pod yet (a Service with
 *   no ready endpoint, a Pod still Pending); new local connections are held (see below).
 * - `active`: connections are forwarded to the current Pod.
 * - `reconnecting`: the Pod went away (deleted, replaced, terminating, not running, not ready) and
 *   no other Pod qualifies yet, or the API server cannot be reached. The local ports stay bound.
 *   As soon as the cache shows a qualifying Pod (a ready endpoint of the same Service; for a Pod
 *   forward a ready Pod of the same controller with its labels; see `target.ts`) the forward moves
 *   there and is `active` again, on the same local ports. Nothing polls: changes come from the
 *   cache's watch, and failed attempts are retried with exponential backoff (250 ms doubling to
 *   10 s, with jitter).
 * - `failed`: something retrying cannot fix (403 on `pods/portforward`, 401, a TLS problem); the
 *   local ports are released; `restart(id)` tries again.
 *
 * Connections:
 * - New local connections while the forward is `starting` or `reconnecting` are HELD, not refused:
 *   they wait up to `holdMs` (3 s by default) and are forwarded as soon as a Pod is there (so a
 *   client retrying through a Pod replacement usually sees a delay, not an error); after that
 *   they are reset. While the API server is unreachable, the first new connection is tried at once
 *   (it doubles as the reconnection probe) and the others wait for its outcome.
 * - Connections in flight to a Pod that is deleted (gone from the cache) are reset at once, so no
 *   client hangs on a dead Pod; connections to a Pod that merely stopped being ready, or is
 *   terminating, are left to finish (the Pod still runs; kube-proxy does the same). Connections
 *   cut by the API server going away are reset too.
 * - Only loopback peers (127.0.0.0/8, ::1) are accepted unless the spec says `allowNonLoopback`,
 *   whatever the bind address.
 * - Each connection's bytes and the open count are kept per port; `changed` events carrying them
 *   are throttled (at most one per forward per `statsIntervalMs`); state changes are immediate.
 */
import type { Server, Socket } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import type { ClusterChange } from '../cluster/changes.ts';
import { classifyTunnelError, describeErrorChannel, PortForwardError } from './errors.ts';
import type { PortForwardErrorCode, TunnelFailure } from './errors.ts';
import { bindListener, isLoopbackAddress, resetSocket } from './listener.ts';
import {
  DEFAULT_BIND_ADDRESS,
  describeTarget,
  normalizeRemote,
  parseSavedForwards,
  validateForwardSpec,
} from './spec.ts';
import type { ForwardPortSpec, ForwardSpec, SavedForwards } from './spec.ts';
import { followOf, remotePortNumbers, resolveTarget } from './target.ts';
import type { ChosenPod, ResolvedPort } from './target.ts';
import { SpdySessions } from './spdySession.ts';
import { Tunnel } from './tunnel.ts';
import type {
  ForwardCluster,
  ForwardPortInfo,
  ForwardState,
  NoticeSeverity,
  PortForwardEvent,
  PortForwardInfo,
  PortForwardManagerOptions,
  RestoreResult,
} from './types.ts';

export type { ForwardFollow, ForwardPortSpec, ForwardSpec, ForwardTarget, SavedForwards } from './spec.ts';
export { DEFAULT_BIND_ADDRESS, describeTarget } from './spec.ts';
export { PortForwardError } from './errors.ts';
export type { PortForwardErrorCode } from './errors.ts';

export type {
  ForwardCache,
  ForwardCluster,
  ForwardPortInfo,
  ForwardState,
  NoticeSeverity,
  PortForwardEvent,
  PortForwardInfo,
  PortForwardManagerOptions,
  RestoreResult,
} from './types.ts';

const DEFAULTS = {
  holdMs: 3_000,
  backoff: { initialMs: 250, maxMs: 10_000 },
  startTimeoutMs: 15_000,
  handshakeTimeoutMs: 15_000,
  halfCloseLingerMs: 5_000,
  statsIntervalMs: 500,
  verifyGraceMs: 1_000,
};

/** Per-message throttle of repeated notices (connection refused on every request...). */
const NOTICE_REPEAT_MS = 30_000;
/** A Pod's SPDY session without connections for this long is closed. */
const SPDY_SESSION_IDLE_MS = 30_000;

interface Settings {
  readonly holdMs: number;
  readonly backoff: { readonly initialMs: number; readonly maxMs: number };
  readonly startTimeoutMs: number;
  readonly handshakeTimeoutMs: number;
  readonly halfCloseLingerMs: number;
  readonly statsIntervalMs: number;
  readonly verifyOnStart: boolean;
  readonly verifyGraceMs: number;
}

export class PortForwardManager {
  private readonly forwards = new Map<string, Forward>();
  private readonly listeners = new Set<(event: PortForwardEvent) => void>();
  private readonly logLine: (line: string) => void;
  private readonly watchNamespacesHook: ((namespaces: ReadonlySet<string>) => void) | undefined;
  private readonly settings: Settings;
  private cluster: ForwardCluster | undefined;
  private unsubscribe: (() => void) | undefined;
  private lastNamespaces = '';
  private nextId = 1;
  private statsTimer: NodeJS.Timeout | undefined;
  private readonly dirty = new Set<Forward>();
  private disposed = false;

  constructor(options: PortForwardManagerOptions = {}) {
    const log = options.log;
    this.logLine = (line) => log?.(`[port-forward] ${line}`);
    this.watchNamespacesHook = options.watchNamespaces;
    this.settings = {
      holdMs: options.holdMs ?? DEFAULTS.holdMs,
      backoff: options.backoff ?? DEFAULTS.backoff,
      startTimeoutMs: options.startTimeoutMs ?? DEFAULTS.startTimeoutMs,
      handshakeTimeoutMs: options.handshakeTimeoutMs ?? DEFAULTS.handshakeTimeoutMs,
      halfCloseLingerMs: options.halfCloseLingerMs ?? DEFAULTS.halfCloseLingerMs,
      statsIntervalMs: options.statsIntervalMs ?? DEFAULTS.statsIntervalMs,
      verifyOnStart: options.verifyOnStart ?? true,
      verifyGraceMs: options.verifyGraceMs ?? DEFAULTS.verifyGraceMs,
    };
    this.setCluster(options.cluster);
  }

  /**
   * Points the manager at the cluster of the session's context (call it when the session's
   * context or kubeconfig changes). Forwards of that context follow the new cache and kubeconfig;
   * forwards of other contexts keep running on the Pod they have, with their last kubeconfig, but
   * cannot follow Pod changes until their context is the manager's again.
   */
  setCluster(cluster: ForwardCluster | undefined): void {
    if (this.disposed) {
      return;
    }
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.cluster = cluster;
    this.lastNamespaces = '';
    if (cluster) {
      this.unsubscribe = cluster.cache.onDidChange((change) => this.onCacheChange(change));
    }
    for (const forward of this.forwards.values()) {
      forward.attach(cluster && cluster.cache.contextName === forward.context ? cluster : undefined);
    }
    this.syncWatchedNamespaces();
  }

  /** Starts a forward; rejects with a `PortForwardError` when it cannot (see its codes). */
  async start(input: ForwardSpec): Promise<PortForwardInfo> {
    if (this.disposed) {
      throw new PortForwardError('stopped', 'The port-forward manager has been disposed.');
    }
    const problems = validateForwardSpec(input);
    if (problems.length > 0) {
      throw new PortForwardError('invalid-spec', problems.join(' '));
    }
    const cluster = this.cluster;
    if (!cluster) {
      throw new PortForwardError(
        'no-cluster',
        'No cluster is selected: there is no kubeconfig context to use.',
      );
    }
    const context = cluster.cache.contextName;
    if (input.context !== undefined && input.context !== context) {
      throw new PortForwardError(
        'no-cluster',
        `This forward belongs to context ${input.context}, but the current context is ${context}.`,
      );
    }
    const spec: ForwardSpec = {
      ...input,
      target: { ...input.target },
      ports: input.ports.map((port) => ({ ...port, remote: normalizeRemote(port.remote) })),
      address: input.address?.trim() || DEFAULT_BIND_ADDRESS,
      context,
    };
    const forward = new Forward(`pf-${this.nextId++}`, spec, cluster, this.settings, {
      emit: (event) => this.emit(event),
      dirty: (f) => this.markDirty(f),
      log: this.logLine,
    });
    this.forwards.set(forward.id, forward);
    this.emit({ type: 'added', forward: forward.info() });
    this.syncWatchedNamespaces();
    try {
      await forward.begin();
      this.logLine(`${forward.title}: started (${forward.describePorts()})`);
      return forward.info();
    } catch (error) {
      if (this.forwards.get(forward.id) === forward) {
        this.forwards.delete(forward.id);
        await forward.shutdown();
        this.emit({ type: 'removed', id: forward.id });
        this.syncWatchedNamespaces();
      }
      throw error;
    }
  }

  /** Stops a forward: connections are reset, the local ports released (resolved once they are). */
  async stop(id: string): Promise<void> {
    const forward = this.forwards.get(id);
    if (!forward) {
      return;
    }
    this.forwards.delete(id);
    this.dirty.delete(forward);
    await forward.shutdown();
    this.logLine(`${forward.title}: stopped`);
    this.emit({ type: 'removed', id });
    this.syncWatchedNamespaces();
  }

  /**
   * Starts a forward over: connections are reset, failures and backoff forgotten, the Pod chosen
   * again; local ports are kept (or bound again, preferring the same ones, after a failure).
   * Resolves with the new state (which may be `failed`, with the reason).
   */
  async restart(id: string): Promise<PortForwardInfo> {
    const forward = this.forwards.get(id);
    if (!forward) {
      throw new PortForwardError('not-found', `There is no port-forward ${id}.`);
    }
    const cluster = this.cluster;
    forward.attach(cluster && cluster.cache.contextName === forward.context ? cluster : undefined);
    await forward.restart();
    return forward.info();
  }

  list(): PortForwardInfo[] {
    return [...this.forwards.values()].map((forward) => forward.info());
  }

  get(id: string): PortForwardInfo | undefined {
    return this.forwards.get(id)?.info();
  }

  /** Subscribes to forwards being added, changed, removed, and to notices; returns the unsubscriber. */
  onDidChange(listener: (event: PortForwardEvent) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** The namespaces forwards need watched. */
  namespaces(): ReadonlySet<string> {
    return new Set([...this.forwards.values()].map((forward) => forward.spec.target.namespace));
  }

  /**
   * The forwards as plain data to save (JSON-safe), to `restore` after a window reload: each spec
   * with the local ports in use as `preferredLocal` (ports asked for exactly stay exact).
   */
  toJSON(): SavedForwards {
    return { version: 1, forwards: [...this.forwards.values()].map((forward) => forward.savedSpec()) };
  }

  /** Starts the saved forwards of the current context; never throws, reports each outcome. */
  async restore(saved: unknown): Promise<RestoreResult[]> {
    const { specs, problems } = parseSavedForwards(saved);
    for (const problem of problems) {
      this.logLine(`not restored: ${problem}`);
    }
    const results: RestoreResult[] = [];
    for (const spec of specs) {
      try {
        results.push({ spec, forward: await this.start(spec) });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        this.logLine(`${describeTarget(spec.target)}: not restored: ${message}`);
        results.push({ spec, error: message });
      }
    }
    return results;
  }

  /** Stops every forward and lets go of the cache. */
  async dispose(): Promise<void> {
    if (this.disposed) {
      return;
    }
    this.disposed = true;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.statsTimer !== undefined) {
      clearTimeout(this.statsTimer);
      this.statsTimer = undefined;
    }
    const forwards = [...this.forwards.values()];
    this.forwards.clear();
    await Promise.all(forwards.map((forward) => forward.shutdown()));
    this.listeners.clear();
  }

  // ---------------------------------------------------------------------------------------------

  private onCacheChange(change: ClusterChange): void {
    for (const forward of this.forwards.values()) {
      forward.onCacheChange(change);
    }
    if (!this.watchNamespacesHook && this.forwards.size > 0) {
      this.syncWatchedNamespaces();
    }
  }

  private syncWatchedNamespaces(): void {
    const cluster = this.cluster;
    const needed = new Set(
      [...this.forwards.values()]
        .filter((forward) => cluster !== undefined && forward.context === cluster.cache.contextName)
        .map((forward) => forward.spec.target.namespace),
    );
    if (this.watchNamespacesHook) {
      const key = [...needed].sort().join(',');
      if (key !== this.lastNamespaces) {
        this.lastNamespaces = key;
        this.watchNamespacesHook(needed);
      }
      return;
    }
    if (!cluster) {
      return;
    }
    const watched = cluster.cache.watchedNamespaces();
    const missing = [...needed].filter((namespace) => !watched.includes(namespace));
    if (missing.length > 0) {
      cluster.cache.setWatchedNamespaces([...watched, ...missing]);
    }
  }

  private markDirty(forward: Forward): void {
    if (this.disposed) {
      return;
    }
    this.dirty.add(forward);
    if (this.statsTimer === undefined) {
      this.statsTimer = setTimeout(() => {
        this.statsTimer = undefined;
        const dirty = [...this.dirty];
        this.dirty.clear();
        for (const f of dirty) {
          if (this.forwards.get(f.id) === f) {
            this.emit({ type: 'changed', forward: f.info() });
          }
        }
      }, this.settings.statsIntervalMs);
    }
  }

  private emit(event: PortForwardEvent): void {
    if (event.type === 'changed' || event.type === 'added') {
      const forward = this.forwards.get(event.forward.id);
      if (forward) {
        this.dirty.delete(forward);
      }
    }
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.logLine(`a listener failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}

// -------------------------------------------------------------------------------------------------

interface ForwardHost {
  emit(event: PortForwardEvent): void;
  dirty(forward: Forward): void;
  log(line: string): void;
}

interface PortRuntime {
  readonly index: number;
  readonly spec: ForwardPortSpec;
  server: Server | undefined;
  local: { address: string; port: number } | undefined;
  connections: number;
  totalConnections: number;
  bytesIn: number;
  bytesOut: number;
  lastError: string | undefined;
}

interface HeldConnection {
  readonly port: PortRuntime;
  readonly socket: Socket;
  readonly deadline: number;
  timer: NodeJS.Timeout | undefined;
}

interface LiveTunnel {
  readonly tunnel: Tunnel;
  readonly port: PortRuntime;
  readonly podUid: string;
  readonly podName: string;
  /** Counted out of the open connections already. */
  released: boolean;
}

class Forward {
  readonly id: string;
  spec: ForwardSpec;
  readonly context: string;
  readonly title: string;
  private readonly settings: Settings;
  private readonly host: ForwardHost;
  private readonly startedAt = Date.now();
  private readonly ports: PortRuntime[];
  private cluster: ForwardCluster | undefined;
  private kubeConfigSource: KubeConfig | (() => KubeConfig);
  private boundKubeConfig: { source: KubeConfig; bound: KubeConfig } | undefined;
  private state: ForwardState = 'starting';
  private reason: string | undefined = 'Reading the cluster state.';
  private failure: { code: PortForwardErrorCode; message: string } | undefined;
  private pod: ChosenPod | undefined;
  private podWasReady = false;
  private resolved: readonly ResolvedPort[] = [];
  /** Why no Pod is used, when none is. */
  private waiting: string | undefined;
  /** Set while the API server is known to be unreachable. */
  private apiDown: string | undefined;
  /** Nodes whose kubelet the API server could not dial, with the sentence to show. */
  private readonly downNodes = new Map<string, string>();
  private readonly excluded = new Map<string, number>();
  private readonly tunnels = new Set<LiveTunnel>();
  /** Verification connections still open. */
  private readonly probes = new Set<Tunnel>();
  /** The SPDY session to each Pod, shared by its connections (see spdySession.ts). */
  private readonly sessions: SpdySessions;
  private held: HeldConnection[] = [];
  private attemptInFlight = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryAttempt = 0;
  private everActive = false;
  /** While the first connections of a (re)start are tried: not `active` before one succeeds. */
  private verifying = false;
  private begun = false;
  private stopped = false;
  private readonly noticesAt = new Map<string, number>();

  constructor(id: string, spec: ForwardSpec, cluster: ForwardCluster, settings: Settings, host: ForwardHost) {
    this.id = id;
    this.spec = spec;
    this.context = spec.context!;
    this.title = describeTarget(spec.target);
    this.cluster = cluster;
    this.kubeConfigSource = cluster.kubeConfig;
    this.settings = settings;
    this.host = host;
    this.sessions = new SpdySessions({
      handshakeTimeoutMs: settings.handshakeTimeoutMs,
      idleMs: SPDY_SESSION_IDLE_MS,
    });
    this.ports = spec.ports.map((port, index) => ({
      index,
      spec: port,
      server: undefined,
      local: undefined,
      connections: 0,
      totalConnections: 0,
      bytesIn: 0,
      bytesOut: 0,
      lastError: undefined,
    }));
  }

  get address(): string {
    return this.spec.address ?? DEFAULT_BIND_ADDRESS;
  }

  attach(cluster: ForwardCluster | undefined): void {
    this.cluster = cluster;
    if (cluster) {
      this.kubeConfigSource = cluster.kubeConfig;
      this.boundKubeConfig = undefined;
      if (this.begun && !this.stopped && !this.failure) {
        this.reevaluate();
      }
    }
  }

  describePorts(): string {
    return this.ports
      .map(
        (port) =>
          `${port.local ? `${port.local.address}:${port.local.port}` : '?'} → ${String(port.spec.remote)}`,
      )
      .join(', ');
  }

  // ---------------------------------------------------------------------------------------------
  // Starting, restarting, stopping

  /** The first start; throws a PortForwardError for what the user must change. */
  async begin(): Promise<void> {
    const cluster = this.cluster!;
    await this.waitForNamespace(cluster);
    this.checkReadable(cluster);
    const { namespace, name } = this.spec.target;
    const first = resolveTarget(this.spec, cluster.cache);
    if (!first.ok && first.problem !== 'waiting') {
      throw new PortForwardError(first.problem, first.message);
    }
    if (this.spec.target.kind === 'Pod' && this.spec.follow === undefined) {
      const named = cluster.cache.pod(namespace, name);
      if (named) {
        this.spec = { ...this.spec, follow: followOf(named) };
      }
    }
    await this.bindPorts(remotePortNumbers(this.spec, cluster.cache));
    this.throwIfStopped();
    this.begun = true;
    this.applyConnectionState(cluster);
    await this.reevaluateAndVerify();
    this.throwIfStopped();
    if (this.failure) {
      throw new PortForwardError(this.failure.code, this.failure.message);
    }
  }

  /** Chooses the Pod and, with `verifyOnStart`, tries it before saying the forward is active. */
  private async reevaluateAndVerify(): Promise<void> {
    this.verifying = this.settings.verifyOnStart;
    try {
      this.reevaluate();
      if (this.verifying && this.pod && !this.apiDown) {
        await this.verify();
      }
    } finally {
      this.verifying = false;
      if (!this.stopped) {
        this.updateState();
      }
    }
  }

  async restart(): Promise<void> {
    if (this.stopped) {
      return;
    }
    this.resetConnections();
    this.failure = undefined;
    this.apiDown = undefined;
    this.excluded.clear();
    this.downNodes.clear();
    this.retryAttempt = 0;
    this.clearRetryTimer();
    this.pod = undefined;
    this.everActive = false;
    this.setState('starting', 'Restarting.');
    const cluster = this.cluster;
    if (!cluster) {
      this.setState('starting', `Waiting for context ${this.context} to be the current context again.`);
      return;
    }
    try {
      if (this.ports.some((port) => port.server === undefined)) {
        await this.waitForNamespace(cluster);
        this.checkReadable(cluster);
        const hints = remotePortNumbers(this.spec, cluster.cache);
        await this.bindPorts(hints);
      }
    } catch (error) {
      const failure =
        error instanceof PortForwardError
          ? { code: error.code, message: error.message }
          : { code: 'local-address' as const, message: String(error) };
      this.fail(failure.code, failure.message);
      return;
    }
    this.begun = true;
    this.applyConnectionState(cluster);
    await this.reevaluateAndVerify();
  }

  /** Stops everything: connections reset, listeners closed (resolves when they are). */
  async shutdown(): Promise<void> {
    this.stopped = true;
    this.clearRetryTimer();
    this.resetConnections();
    this.sessions.dispose();
    await this.closeListeners();
  }

  private throwIfStopped(): void {
    if (this.stopped) {
      throw new PortForwardError('stopped', `The forward to ${this.title} was stopped while starting.`);
    }
  }

  private async waitForNamespace(cluster: ForwardCluster): Promise<void> {
    const namespace = this.spec.target.namespace;
    const cache = cluster.cache;
    if (cache.isSynced(namespace)) {
      return;
    }
    this.setState('starting', `Reading namespace ${namespace}.`);
    await new Promise<void>((resolve, reject) => {
      let unsubscribe: () => void = () => undefined;
      const timer = setTimeout(() => {
        unsubscribe();
        const state = cache.state();
        reject(
          new PortForwardError(
            state.kind === 'forbidden' ? 'forbidden' : 'api-unreachable',
            state.message ??
              `Namespace ${namespace} could not be read within ${Math.round(this.settings.startTimeoutMs / 1000)} s.`,
          ),
        );
      }, this.settings.startTimeoutMs);
      unsubscribe = cache.onDidChange(() => {
        if (this.stopped) {
          clearTimeout(timer);
          unsubscribe();
          reject(new PortForwardError('stopped', `The forward to ${this.title} was stopped while starting.`));
        } else if (cache.isSynced(namespace)) {
          clearTimeout(timer);
          unsubscribe();
          resolve();
        }
      });
    });
  }

  /** Throws when the cache may not read what resolving the target needs. */
  private checkReadable(cluster: ForwardCluster): void {
    const status = cluster.cache.namespaceStatus(this.spec.target.namespace);
    const needed =
      this.spec.target.kind === 'Service' ? (['pods', 'services'] as const) : (['pods'] as const);
    for (const resource of needed) {
      const access = status?.[resource];
      if (access && (access.status === 'forbidden' || access.status === 'unavailable')) {
        throw new PortForwardError(
          access.status === 'forbidden' ? 'forbidden' : 'not-found',
          access.message ?? `${resource} in namespace ${this.spec.target.namespace} cannot be read.`,
        );
      }
    }
  }

  private async bindPorts(hints: readonly (number | undefined)[]): Promise<void> {
    const bound: PortRuntime[] = [];
    try {
      for (const port of this.ports) {
        if (port.server) {
          continue;
        }
        const previous = port.local?.port;
        const { server, port: localPort } = await bindListener(
          this.address,
          port.spec.local !== undefined
            ? { exact: port.spec.local }
            : { preferred: [previous, port.spec.preferredLocal, hints[port.index]] },
          (socket) => this.onConnection(port, socket),
        );
        server.on('error', (error) => {
          this.host.log(`${this.title}: listener error: ${error.message}`);
        });
        port.server = server;
        port.local = { address: this.address, port: localPort };
        bound.push(port);
        if (this.stopped) {
          break;
        }
      }
    } catch (error) {
      for (const port of bound) {
        port.server?.close();
        port.server = undefined;
      }
      throw error;
    }
  }

  private async closeListeners(): Promise<void> {
    await Promise.all(
      this.ports.map(async (port) => {
        const server = port.server;
        port.server = undefined;
        if (server) {
          await new Promise<void>((resolve) => server.close(() => resolve()));
        }
      }),
    );
  }

  /**
   * Opens one connection per port, to learn about a 403 (or a Pod the API server does not know)
   * before resolving; each stays open `verifyGraceMs` longer, in the background, so that what the
   * Pod side says (connection refused) is reported on the port.
   */
  private async verify(): Promise<void> {
    const pod = this.pod;
    if (!pod) {
      return;
    }
    await Promise.all(
      this.ports.map(async (port) => {
        const target = this.resolved[port.index];
        if (!target) {
          return;
        }
        const tunnel = new Tunnel(undefined, this.tunnelOptions());
        this.probes.add(tunnel);
        try {
          await tunnel.open(this.kubeConfig(), pod.namespace, pod.name, target.containerPort, {
            sessions: this.sessions,
            podUid: pod.uid,
          });
        } catch (error) {
          this.probes.delete(tunnel);
          if (!tunnel.aborted && !this.stopped) {
            this.onAttemptFailed(error, pod, undefined);
          }
          return;
        }
        this.onAttemptSucceeded(pod);
        const timer = setTimeout(() => {
          this.probes.delete(tunnel);
          const said = tunnel.errorChannel.trim();
          tunnel.close();
          if (said !== '' && !this.stopped) {
            this.portError(port, describeErrorChannel(said, pod.name, target.containerPort));
          }
        }, this.settings.verifyGraceMs);
        tunnel.onAbort = () => clearTimeout(timer);
      }),
    );
  }

  // ---------------------------------------------------------------------------------------------
  // Following the cluster

  onCacheChange(change: ClusterChange): void {
    const cluster = this.cluster;
    if (!cluster || !this.begun || this.stopped || this.failure) {
      return;
    }
    if (change.connection) {
      this.applyConnectionState(cluster);
    }
    const namespace = this.spec.target.namespace;
    if (
      change.connection ||
      change.pods.has(namespace) ||
      change.endpointSlices.has(namespace) ||
      change.services.has(namespace)
    ) {
      this.reevaluate();
    }
  }

  private applyConnectionState(cluster: ForwardCluster): void {
    const state = cluster.cache.state();
    if (state.kind === 'disconnected') {
      if (this.apiDown === undefined) {
        this.apiDown = state.message ?? 'The API server cannot be reached.';
        this.notice('warning', `${this.title}: ${this.apiDown} Reconnecting.`);
      }
    } else if (state.kind === 'connected' && this.apiDown !== undefined) {
      this.apiDown = undefined;
      this.retryAttempt = 0;
    }
  }

  /** Chooses the Pod again from the cache, moves to it, and updates the state. */
  private reevaluate(): void {
    if (this.stopped || this.failure || !this.begun) {
      return;
    }
    const cluster = this.cluster;
    this.expireExclusions();
    // While the cache does not hold the namespace (not watched for a moment, or never read), it
    // knows nothing: keep the Pod in use rather than take its absence for a deletion.
    if (cluster && cluster.cache.isSynced(this.spec.target.namespace)) {
      const current = this.pod ? { current: { uid: this.pod.uid, wasReady: this.podWasReady } } : {};
      const excluded = new Set(this.excluded.keys());
      let resolution = resolveTarget(this.spec, cluster.cache, {
        ...current,
        excluded: new Set([...excluded, ...this.podsOnDownNodes(cluster)]),
      });
      if (!resolution.ok && this.downNodes.size > 0) {
        // Only Pods on nodes the API server cannot reach are left: keep one, and say why it cannot
        // be used (updateState) rather than that no Pod is ready.
        resolution = resolveTarget(this.spec, cluster.cache, { ...current, excluded });
      }
      const previous = this.pod;
      if (resolution.ok) {
        this.pod = resolution.pod;
        this.resolved = resolution.ports;
        this.waiting = undefined;
        if (previous?.uid !== resolution.pod.uid) {
          this.podWasReady = resolution.pod.ready;
          if (previous) {
            this.notice(
              'info',
              `${this.title}: now forwarding to Pod ${resolution.pod.name} (was ${previous.name}).`,
            );
          }
          this.host.log(`${this.title}: using Pod ${resolution.pod.name} (${resolution.pod.ip})`);
        } else {
          this.podWasReady ||= resolution.pod.ready;
        }
      } else {
        if (previous) {
          this.notice('warning', `${this.title}: ${resolution.message} Waiting for a Pod.`);
        }
        this.pod = undefined;
        this.waiting = resolution.message;
      }
      this.resetTunnelsToVanishedPods(cluster);
    }
    this.updateState();
  }

  /** The uids of the namespace's Pods on nodes whose kubelet could not be dialled. */
  private podsOnDownNodes(cluster: ForwardCluster): string[] {
    if (this.downNodes.size === 0) {
      return [];
    }
    return cluster.cache
      .pods(this.spec.target.namespace)
      .filter((pod) => this.downNodes.has(pod.spec?.nodeName ?? ''))
      .map((pod) => pod.metadata?.uid ?? '');
  }

  private nodeOf(pod: ChosenPod): string | undefined {
    return this.cluster?.cache.pod(pod.namespace, pod.name)?.spec?.nodeName || undefined;
  }

  /** Why the chosen Pod cannot be forwarded to, when its node's kubelet could not be dialled. */
  private podNodeDown(): string | undefined {
    const node = this.pod ? this.nodeOf(this.pod) : undefined;
    return node !== undefined ? this.downNodes.get(node) : undefined;
  }

  private resetTunnelsToVanishedPods(cluster: ForwardCluster): void {
    const namespace = this.spec.target.namespace;
    for (const live of [...this.tunnels]) {
      const pod = cluster.cache.pod(namespace, live.podName);
      if (!pod || (pod.metadata?.uid ?? '') !== live.podUid) {
        live.tunnel.abort();
        this.sessions.closePod(live.podUid);
      }
    }
  }

  private updateState(): void {
    if (this.stopped) {
      return;
    }
    if (this.failure) {
      this.setState('failed', this.failure.message);
      return;
    }
    const waitingState: ForwardState = this.everActive ? 'reconnecting' : 'starting';
    const nodeDown = this.podNodeDown();
    if (this.apiDown !== undefined) {
      this.setState(waitingState, this.apiDown);
    } else if (nodeDown !== undefined) {
      this.setState(waitingState, nodeDown);
    } else if (this.pod && this.verifying) {
      this.setState(waitingState, `Connecting to Pod ${this.pod.name}…`);
    } else if (!this.pod) {
      this.setState(
        waitingState,
        this.waiting ??
          (this.cluster
            ? `No Pod to forward to.`
            : `Waiting for context ${this.context} to be the current context again.`),
      );
    } else {
      this.everActive = true;
      this.setState('active', undefined);
      this.dispatchHeld();
    }
    if (this.held.length > 0 && this.state !== 'active') {
      this.scheduleRetry();
    }
  }

  private setState(state: ForwardState, reason: string | undefined): void {
    if (this.state === state && this.reason === reason) {
      return;
    }
    const before = this.state;
    this.state = state;
    this.reason = reason;
    if (before !== state) {
      this.host.log(`${this.title}: ${state}${reason ? ` (${reason})` : ''}`);
      if (before === 'reconnecting' && state === 'active') {
        this.notice('info', `${this.title}: reconnected, forwarding to Pod ${this.pod?.name}.`);
      }
    }
    this.host.emit({ type: 'changed', forward: this.info() });
  }

  private fail(code: PortForwardErrorCode, message: string): void {
    if (this.stopped) {
      return;
    }
    this.failure = { code, message };
    this.clearRetryTimer();
    this.resetConnections();
    void this.closeListeners();
    this.notice('error', `${this.title}: ${message}`);
    this.updateState();
  }

  // ---------------------------------------------------------------------------------------------
  // Connections

  private onConnection(port: PortRuntime, socket: Socket): void {
    socket.on('error', () => undefined);
    if (!this.spec.allowNonLoopback && !isLoopbackAddress(socket.remoteAddress)) {
      this.notice(
        'warning',
        `${this.title}: refused a connection from ${socket.remoteAddress ?? 'an unknown address'} (only this machine may connect).`,
        `non-loopback:${socket.remoteAddress}`,
      );
      socket.destroy();
      return;
    }
    if (this.stopped || this.failure) {
      socket.destroy();
      return;
    }
    if (this.state === 'active' && this.pod && !this.apiDown) {
      this.forward(port, socket);
    } else if (
      (this.apiDown !== undefined || this.podNodeDown() !== undefined) &&
      this.pod &&
      !this.attemptInFlight
    ) {
      // The API server, or the kubelet of the Pod's node, seemed gone: this connection is the probe.
      this.forward(port, socket, Date.now() + this.settings.holdMs);
    } else {
      this.hold(port, socket, Date.now() + this.settings.holdMs);
    }
  }

  private forward(port: PortRuntime, socket: Socket, deadline?: number): void {
    const pod = this.pod!;
    const target = this.resolved[port.index];
    if (!target) {
      socket.destroy();
      return;
    }
    const probing = this.apiDown !== undefined || this.podNodeDown() !== undefined;
    if (probing) {
      this.attemptInFlight = true;
    }
    const tunnel = new Tunnel(socket, this.tunnelOptions(), {
      bytesIn: (count) => {
        port.bytesIn += count;
        this.host.dirty(this);
      },
      bytesOut: (count) => {
        port.bytesOut += count;
        this.host.dirty(this);
      },
      closed: (end) => {
        this.release(live);
        if (end.errorChannel !== undefined) {
          this.portError(port, describeErrorChannel(end.errorChannel, pod.name, target.containerPort));
        }
        this.host.dirty(this);
      },
    });
    const live: LiveTunnel = { tunnel, port, podUid: pod.uid, podName: pod.name, released: false };
    this.tunnels.add(live);
    port.connections += 1;
    port.totalConnections += 1;
    this.host.dirty(this);
    tunnel
      .open(this.kubeConfig(), pod.namespace, pod.name, target.containerPort, {
        sessions: this.sessions,
        podUid: pod.uid,
      })
      .then(
        () => {
          if (probing) {
            this.attemptInFlight = false;
          }
          this.onAttemptSucceeded(pod);
        },
        (error: unknown) => {
          if (probing) {
            this.attemptInFlight = false;
          }
          this.release(live);
          if (tunnel.aborted || this.stopped) {
            return;
          }
          this.onAttemptFailed(error, pod, {
            port,
            socket,
            deadline: deadline ?? Date.now() + this.settings.holdMs,
          });
        },
      );
  }

  private release(live: LiveTunnel): void {
    if (live.released) {
      return;
    }
    live.released = true;
    this.tunnels.delete(live);
    live.port.connections -= 1;
    this.host.dirty(this);
  }

  private onAttemptSucceeded(pod: ChosenPod): void {
    const node = this.nodeOf(pod);
    if (node !== undefined && this.downNodes.delete(node)) {
      this.host.log(`${this.title}: the kubelet of node ${node} answers again`);
      this.reevaluate();
    }
    if (this.apiDown !== undefined) {
      this.apiDown = undefined;
      this.retryAttempt = 0;
      this.updateState();
    } else if (this.held.length === 0) {
      this.retryAttempt = 0;
    }
  }

  private onAttemptFailed(
    error: unknown,
    pod: ChosenPod,
    connection: { port: PortRuntime; socket: Socket; deadline: number } | undefined,
  ): void {
    const node = this.nodeOf(pod);
    const failure: TunnelFailure = classifyTunnelError(error, {
      namespace: pod.namespace,
      pod: pod.name,
      context: this.context,
      ...(this.server() !== undefined ? { server: this.server()! } : {}),
      ...(node !== undefined ? { node } : {}),
    });
    this.host.log(`${this.title}: connection to Pod ${pod.name} failed: ${failure.message}`);
    if (failure.kind === 'fatal') {
      connection?.socket.destroy();
      this.fail(failure.code, failure.message);
      return;
    }
    if (failure.kind === 'node') {
      this.downNodes.set(node ?? '', failure.message);
      this.notice('warning', `${this.title}: ${failure.message}`, `node:${node ?? ''}`);
      if (connection) {
        this.hold(connection.port, connection.socket, connection.deadline, true);
      }
      // Another Pod on a node that answers takes the held connections; without one, they are
      // reset now: waiting would only delay the same answer.
      this.reevaluate();
      if (this.podNodeDown() !== undefined) {
        for (const held of this.held.splice(0)) {
          this.unhold(held);
          resetSocket(held.socket);
        }
      }
      return;
    }
    if (failure.kind === 'pod') {
      this.excluded.set(pod.uid, Date.now() + this.backoffDelay());
      this.notice('warning', `${this.title}: ${failure.message}`, `pod:${pod.uid}`);
    } else if (this.apiDown === undefined) {
      this.apiDown = failure.message;
      this.notice('warning', `${this.title}: ${failure.message} Reconnecting.`);
    }
    if (connection) {
      this.hold(connection.port, connection.socket, connection.deadline, true);
    }
    this.reevaluate();
    this.scheduleRetry();
  }

  private hold(port: PortRuntime, socket: Socket, deadline: number, first = false): void {
    if (socket.destroyed) {
      return;
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0 || this.stopped || this.failure) {
      resetSocket(socket);
      return;
    }
    const held: HeldConnection = { port, socket, deadline, timer: undefined };
    held.timer = setTimeout(() => {
      this.unhold(held);
      resetSocket(socket);
    }, remaining);
    socket.once('close', () => this.unhold(held));
    if (first) {
      this.held.unshift(held);
    } else {
      this.held.push(held);
    }
  }

  private unhold(held: HeldConnection): void {
    if (held.timer !== undefined) {
      clearTimeout(held.timer);
      held.timer = undefined;
    }
    this.held = this.held.filter((entry) => entry !== held);
  }

  private dispatchHeld(): void {
    if (this.state !== 'active' || !this.pod || this.apiDown !== undefined) {
      return;
    }
    const held = this.held;
    this.held = [];
    for (const entry of held) {
      if (entry.timer !== undefined) {
        clearTimeout(entry.timer);
      }
      if (!entry.socket.destroyed) {
        this.forward(entry.port, entry.socket, entry.deadline);
      }
    }
  }

  /** After a failure: try again later (exclusions expire, the held connections retry). */
  private scheduleRetry(): void {
    if (this.retryTimer !== undefined || this.stopped || this.failure) {
      return;
    }
    const delay = this.backoffDelay();
    this.retryAttempt += 1;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.stopped || this.failure) {
        return;
      }
      this.reevaluate();
      if (this.apiDown !== undefined && this.pod && !this.attemptInFlight) {
        const next = this.held.shift();
        if (next) {
          if (next.timer !== undefined) {
            clearTimeout(next.timer);
          }
          this.forward(next.port, next.socket, next.deadline);
        }
      }
      if (this.excluded.size > 0 || (this.apiDown !== undefined && this.held.length > 0)) {
        this.scheduleRetry();
      }
    }, delay);
  }

  private backoffDelay(): number {
    const { initialMs, maxMs } = this.settings.backoff;
    const base = Math.min(maxMs, initialMs * 2 ** this.retryAttempt);
    return Math.round(base / 2 + (Math.random() * base) / 2);
  }

  private clearRetryTimer(): void {
    if (this.retryTimer !== undefined) {
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
    }
  }

  private expireExclusions(): void {
    const now = Date.now();
    for (const [uid, until] of this.excluded) {
      if (until <= now) {
        this.excluded.delete(uid);
      }
    }
  }

  private resetConnections(): void {
    for (const live of [...this.tunnels]) {
      live.tunnel.abort();
    }
    for (const probe of [...this.probes]) {
      probe.abort();
    }
    this.probes.clear();
    this.sessions.closeAll();
    for (const held of this.held) {
      if (held.timer !== undefined) {
        clearTimeout(held.timer);
      }
      resetSocket(held.socket);
    }
    this.held = [];
  }

  private portError(port: PortRuntime, message: string): void {
    port.lastError = message;
    this.host.log(`${this.title}: ${message}`);
    this.notice('warning', `${this.title}: ${message}`);
    this.host.dirty(this);
  }

  private notice(severity: NoticeSeverity, message: string, key = message): void {
    const now = Date.now();
    const last = this.noticesAt.get(key);
    if (last !== undefined && now - last < NOTICE_REPEAT_MS) {
      return;
    }
    this.noticesAt.set(key, now);
    this.host.emit({ type: 'notice', id: this.id, severity, message });
  }

  private tunnelOptions() {
    return {
      handshakeTimeoutMs: this.settings.handshakeTimeoutMs,
      halfCloseLingerMs: this.settings.halfCloseLingerMs,
    };
  }

  /** The kubeconfig bound to this forward's context (a copy; the caller's is left as it is). */
  private kubeConfig(): KubeConfig {
    const source =
      typeof this.kubeConfigSource === 'function' ? this.kubeConfigSource() : this.kubeConfigSource;
    if (this.boundKubeConfig?.source === source) {
      return this.boundKubeConfig.bound;
    }
    let bound = source;
    if (source.getCurrentContext() !== this.context) {
      bound = new KubeConfig();
      bound.loadFromOptions({
        clusters: source.clusters,
        users: source.users,
        contexts: source.contexts,
        currentContext: this.context,
      });
    }
    this.boundKubeConfig = { source, bound };
    return bound;
  }

  private server(): string | undefined {
    try {
      return this.kubeConfig().getCurrentCluster()?.server;
    } catch {
      return undefined;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Views

  info(): PortForwardInfo {
    const pod = this.pod;
    const ports = this.ports.map((port): ForwardPortInfo => {
      const target = pod ? this.resolved[port.index] : undefined;
      return {
        remote: port.spec.remote,
        local: port.server && port.local ? { ...port.local } : undefined,
        containerPort: target?.containerPort,
        servicePort: target?.servicePort,
        remoteAddress: pod && target ? `${pod.ip}:${target.containerPort}` : undefined,
        connections: port.connections,
        totalConnections: port.totalConnections,
        bytesIn: port.bytesIn,
        bytesOut: port.bytesOut,
        lastError: port.lastError,
      };
    });
    return {
      id: this.id,
      spec: this.savedSpec(),
      title: this.title,
      state: this.state,
      reason: this.state === 'active' ? undefined : this.reason,
      errorCode: this.failure?.code,
      pod: pod ? { namespace: pod.namespace, name: pod.name, ip: pod.ip, ready: pod.ready } : undefined,
      address: this.address,
      ports,
      connections: ports.reduce((sum, port) => sum + port.connections, 0),
      bytesIn: ports.reduce((sum, port) => sum + port.bytesIn, 0),
      bytesOut: ports.reduce((sum, port) => sum + port.bytesOut, 0),
      startedAt: this.startedAt,
    };
  }

  /** The spec to save: local ports in use become preferences (exact ones stay exact). */
  savedSpec(): ForwardSpec {
    return {
      ...this.spec,
      ports: this.ports.map((port) => {
        const { preferredLocal: _ignored, ...rest } = port.spec;
        const local = port.local?.port;
        return rest.local === undefined && local !== undefined ? { ...rest, preferredLocal: local } : rest;
      }),
    };
  }
}
