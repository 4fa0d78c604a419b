/**
 * The custom LSP messages between the KubeReach language client and server. Each has a `method`
 * and a typed `type` for `sendNotification`/`onNotification` (`sendRequest`/`onRequest`), and says
 * who sends it. Standard LSP carries everything else.
 *
 * Imports only vscode-jsonrpc's message types (no Node modules). The extension loads this module
 * with the language client, not at activation (see `protocol.ts`).
 */
import { NotificationType, RequestType0 } from 'vscode-jsonrpc';

export interface WorkspaceTrustParams {
  readonly trusted: boolean;
}

/**
 * Client → server, when VS Code grants workspace trust (`vscode.workspace.onDidGrantWorkspaceTrust`):
 * from then on the server honours `kubereach.kubeconfig`. The initial value comes in
 * `InitializationOptions.workspaceTrusted`.
 */
export const WorkspaceTrustNotification = {
  method: 'kubereach/workspaceTrust',
  type: new NotificationType<WorkspaceTrustParams>('kubereach/workspaceTrust'),
} as const;

export interface ClusterContextParams {
  /** The context to check against; undefined for the kubeconfig's current-context. */
  readonly context: string | undefined;
}

/**
 * Client → server, when the user switches the context the cluster explorer shows, so that
 * diagnostics and hovers speak of the cluster the user is looking at.
 */
export const ClusterContextNotification = {
  method: 'kubereach/clusterContext',
  type: new NotificationType<ClusterContextParams>('kubereach/clusterContext'),
} as const;

export interface ServerStatus {
  readonly workspace: {
    /** Whether the first scan of the workspace folders has finished. */
    readonly complete: boolean;
    /** YAML files read from disk, and open documents. */
    readonly files: number;
    readonly openDocuments: number;
    /** Workloads (Pod templates) known from those files. */
    readonly workloads: number;
  };
  readonly cluster: {
    /** Whether some open document asked for cluster-aware checks, so the server watches a cluster. */
    readonly enabled: boolean;
    readonly context: string | undefined;
    /**
     * ClusterCache connection state: connecting, connected, disconnected, unauthorized…; without a
     * cache, `off` (no document asked), `connecting` (the kubeconfig not read yet), `error` (it
     * cannot be read: `message` says why) or `no-context` (it names no context to use).
     */
    readonly state: string;
    readonly message: string | undefined;
    readonly watchedNamespaces: readonly string[];
    /**
     * Watched namespaces whose resources have all been listed or refused, and whose Pods could be
     * read: the cluster-aware checks speak of them.
     */
    readonly syncedNamespaces: readonly string[];
    /** What the identity may not read (403), what the server does not serve (404), what failed. */
    readonly unreadable: readonly UnreadableResource[];
  };
  /** The server process's memory now, in bytes (`heapUsed` counts garbage not collected yet). */
  readonly memory: { readonly heapUsed: number; readonly rss: number };
}

export interface UnreadableResource {
  readonly namespace: string;
  /** `pods`, `services`, `endpointSlices` or `networkPolicies`. */
  readonly resource: string;
  readonly status: 'forbidden' | 'unavailable' | 'failed';
  /** The server's reason. */
  readonly message: string;
}

/**
 * Client → server: what the server knows (workspace scan, cluster connection, namespaces watched),
 * for a status item or a troubleshooting command; tests and benchmarks wait on it.
 */
export const ServerStatusRequest = {
  method: 'kubereach/serverStatus',
  type: new RequestType0<ServerStatus, void>('kubereach/serverStatus'),
} as const;
