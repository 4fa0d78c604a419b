/**
 * The port-forward engine's public types: the cluster it is handed, its options, and what it
 * reports (forwards, ports, events). Re-exported by `engine.ts`.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { ClusterCache } from '../cluster/cache.ts';
import type { PortForwardErrorCode } from './errors.ts';
import type { ForwardSpec } from './spec.ts';

export type ForwardState = 'starting' | 'active' | 'reconnecting' | 'failed';

/** What the engine reads from the cache; `ClusterCache` provides it. */
export type ForwardCache = Pick<
  ClusterCache,
  | 'contextName'
  | 'pod'
  | 'pods'
  | 'service'
  | 'endpointSlices'
  | 'onDidChange'
  | 'state'
  | 'isSynced'
  | 'namespaceStatus'
  | 'watchedNamespaces'
  | 'setWatchedNamespaces'
>;

/** The cluster forwards run in: the cache of one context and the kubeconfig holding it. */
export interface ForwardCluster {
  readonly cache: ForwardCache;
  /**
   * The kubeconfig (any current-context: the cache's context is used). A function is called for
   * each new connection, so a reloaded kubeconfig (a refreshed token) is picked up.
   */
  readonly kubeConfig: KubeConfig | (() => KubeConfig);
}

export interface PortForwardManagerOptions {
  /** The cluster to start forwards in; see `setCluster`. */
  readonly cluster?: ForwardCluster;
  /** One line per event worth knowing. Lines carry no credentials. */
  readonly log?: (line: string) => void;
  /**
   * Called with the namespaces forwards need watched (Pods, Services, EndpointSlices), whenever
   * that set changes. The session should watch them besides the ones in view. Without it the
   * manager adds them to the cache's watched namespaces itself (and adds them back if removed).
   */
  readonly watchNamespaces?: (namespaces: ReadonlySet<string>) => void;
  /**
   * Open (and close) one connection to each port's Pod when starting, so that a 403 on
   * `pods/portforward` is reported by `start` rather than by the first client, and a port nothing
   * listens on by a notice right after. Default true. The Pod's process sees one short-lived
   * connection per port.
   */
  readonly verifyOnStart?: boolean;
  /** How long a new connection is held while no Pod is available; default 3,000 ms. */
  readonly holdMs?: number;
  /** Retry backoff after failed attempts; default 250 ms doubling to 10 s. */
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  /** How long `start` waits for the cache to read the namespace; default 15,000 ms. */
  readonly startTimeoutMs?: number;
  /** WebSocket handshake timeout; default 15,000 ms. */
  readonly handshakeTimeoutMs?: number;
  /** After the local client half-closes, how long the Pod side may stay silent; default 5,000 ms. */
  readonly halfCloseLingerMs?: number;
  /** Throttle of `changed` events caused by traffic alone; default 500 ms. */
  readonly statsIntervalMs?: number;
  /**
   * How long each verification connection stays open (in the background, after `start` resolved)
   * for the Pod side to object, e.g. connection refused; default 1,000 ms.
   */
  readonly verifyGraceMs?: number;
}

export interface ForwardPortInfo {
  /** As asked: a number or a port name. */
  readonly remote: number | string;
  /** Where it listens; undefined while not bound (failed). */
  readonly local: { readonly address: string; readonly port: number } | undefined;
  /** The container port on the current Pod, and for Service forwards the Service port. */
  readonly containerPort: number | undefined;
  readonly servicePort: number | undefined;
  /** `podIP:containerPort` on the current Pod, when there is one. */
  readonly remoteAddress: string | undefined;
  /** Open connections. */
  readonly connections: number;
  /** Connections forwarded since the start. */
  readonly totalConnections: number;
  /** Bytes from the Pod to local clients. */
  readonly bytesIn: number;
  /** Bytes from local clients to the Pod. */
  readonly bytesOut: number;
  /** The last thing that went wrong with a connection on this port (e.g. connection refused). */
  readonly lastError: string | undefined;
}

export interface PortForwardInfo {
  readonly id: string;
  readonly spec: ForwardSpec;
  /** `Service web/web`. */
  readonly title: string;
  readonly state: ForwardState;
  /** One plain sentence for every state but `active`. */
  readonly reason: string | undefined;
  /** For `failed`: the error's code. */
  readonly errorCode: PortForwardErrorCode | undefined;
  readonly pod:
    | { readonly namespace: string; readonly name: string; readonly ip: string; readonly ready: boolean }
    | undefined;
  readonly address: string;
  readonly ports: readonly ForwardPortInfo[];
  readonly connections: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly startedAt: number;
}

export type NoticeSeverity = 'info' | 'warning' | 'error';

export type PortForwardEvent =
  | { readonly type: 'added' | 'changed'; readonly forward: PortForwardInfo }
  | { readonly type: 'removed'; readonly id: string }
  /** Something the user may want to know, without a modal: a Pod switch, a refusal, a failure. */
  | {
      readonly type: 'notice';
      readonly id: string;
      readonly severity: NoticeSeverity;
      readonly message: string;
    };

export interface RestoreResult {
  readonly spec: ForwardSpec;
  readonly forward?: PortForwardInfo;
  readonly error?: string;
}
