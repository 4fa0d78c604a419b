/**
 * The probe engine's vocabulary, as plain JSON-safe data: where a probe runs from, what it aims at,
 * and what came back. No network, no `vscode`; the UI (QuickPicks, the Probe Results view, the
 * matrix webview) is built on these types.
 */

/** The tools a probe can run, in the order they are preferred for HTTP (see `chooseTool`). */
export type ProbeToolName = 'curl' | 'wget' | 'nc' | 'bash';

export type ProbeProtocol = 'http' | 'tcp';

/**
 * The outcome of a probe:
 * - `reachable`: the connection succeeded (with the HTTP status for HTTP probes);
 * - `http-error-status`: an HTTP answer came back, but not the expected status (still reachable
 *   network-wise);
 * - `refused`: connection refused (nothing listens; a Service without ready endpoints);
 * - `timeout`: no answer in time (typically a NetworkPolicy drop);
 * - `dns`: the name did not resolve from the Pod;
 * - `tls`: the TLS handshake or certificate check failed;
 * - `reset`: the peer reset the connection; `empty-reply`: it closed without an HTTP reply;
 * - `protocol-error`: something answered, but not HTTP;
 * - `unreachable`: no route to the host;
 * - `invalid-target`: the tool rejected the URL or address;
 * - `no-tool`: the container has no tool to probe with (see `suggestion`);
 * - `exec-failed`: the command could not be run (403 on pods/exec, container not running, API down);
 * - `cancelled`: the probe was cancelled before it finished;
 * - `error`: anything else, with the tool's own message.
 */
export type ProbeVerdict =
  | 'reachable'
  | 'http-error-status'
  | 'refused'
  | 'timeout'
  | 'dns'
  | 'tls'
  | 'reset'
  | 'empty-reply'
  | 'protocol-error'
  | 'unreachable'
  | 'invalid-target'
  | 'no-tool'
  | 'exec-failed'
  | 'cancelled'
  | 'error';

/**
 * Where a probe runs: a Pod, and one of its containers (default: the one named by the
 * `kubectl.kubernetes.io/default-container` annotation, else the first one).
 */
export interface ProbeSource {
  readonly namespace: string;
  readonly pod: string;
  readonly container?: string;
}

export interface HttpProbeOptions {
  /** Default GET. An HTTP token (letters, digits, `-`, …); anything else is rejected. */
  readonly method?: string;
  /** Request path and query, default `/`. Ignored for URL targets, whose path is in the URL. */
  readonly path?: string;
  /** When set, another status gives `http-error-status` instead of `reachable`. */
  readonly expectedStatus?: number;
  /** Use https (Pod, Service and host:port targets). */
  readonly https?: boolean;
  /** Do not verify the server's certificate (curl `-k`, wget `--no-check-certificate`). */
  readonly insecure?: boolean;
}

interface TargetCommon {
  /** Default `http`, except for `address` targets (`tcp`). URL targets take it from their scheme. */
  readonly protocol?: ProbeProtocol;
  readonly http?: HttpProbeOptions;
  /** How to show the target (a column header of the matrix); a default is derived. */
  readonly label?: string;
}

/** A Pod by its IP and a port (declared or not). */
export interface PodProbeTarget extends TargetCommon {
  readonly kind: 'pod';
  readonly namespace: string;
  readonly name: string;
  readonly ip: string;
  readonly port: number;
}

/** How a Service is addressed: `svc` (from its own namespace only), `svc.ns`, the full name, or the ClusterIP. */
export type ServiceAddressing = 'short' | 'namespaced' | 'fqdn' | 'cluster-ip';

export interface ServiceProbeTarget extends TargetCommon {
  readonly kind: 'service';
  readonly namespace: string;
  readonly name: string;
  /** The Service port (not the targetPort). */
  readonly port: number;
  /** Default `namespaced` (`svc.ns`). */
  readonly addressing?: ServiceAddressing;
  /** Required for `cluster-ip`. */
  readonly clusterIP?: string;
  /** Default `cluster.local`. */
  readonly clusterDomain?: string;
}

/** A free-form URL: `http://…` or `https://…` (HTTP), `tcp://host:port` (TCP). */
export interface UrlProbeTarget extends TargetCommon {
  readonly kind: 'url';
  readonly url: string;
}

/** A free-form host and port. */
export interface AddressProbeTarget extends TargetCommon {
  readonly kind: 'address';
  readonly host: string;
  readonly port: number;
}

export type ProbeTarget = PodProbeTarget | ServiceProbeTarget | UrlProbeTarget | AddressProbeTarget;

/** A target reduced to what the tools need. */
export interface ResolvedTarget {
  readonly label: string;
  readonly protocol: ProbeProtocol;
  readonly host: string;
  readonly port: number;
  /** HTTP only. */
  readonly scheme: 'http' | 'https';
  /** HTTP only: path and query as sent (spaces and control characters percent-encoded). */
  readonly path: string;
  /** HTTP only: the URL given to curl and wget. */
  readonly url: string;
  readonly method: string;
  readonly expectedStatus?: number;
  readonly insecure: boolean;
}

/**
 * curl's `-w` timings, in milliseconds since the start of the transfer (cumulative, as curl gives
 * them): DNS done, TCP connected, TLS done (0 without TLS), first byte received, total.
 */
export interface ProbeTimings {
  readonly namelookupMs: number;
  readonly connectMs: number;
  readonly appconnectMs: number;
  readonly firstByteMs: number;
  readonly totalMs: number;
}

/** What a container has to probe with. */
export interface ToolSet {
  readonly curl: boolean;
  readonly wget: boolean;
  readonly nc: boolean;
  readonly bash: boolean;
  /** coreutils/busybox `timeout`, used to bound bash's `/dev/tcp`. */
  readonly timeout: boolean;
  /** The shell detection ran in, or null when the image has none (tools were probed directly). */
  readonly shell: 'sh' | 'bash' | null;
}

export interface NoToolSuggestion {
  readonly kind: 'add-debug-container';
  /** The image `addDebugContainer` would use. */
  readonly image: string;
  /** A sentence for the confirmation the UI shows first (adding one changes the Pod for good). */
  readonly message: string;
}

export interface ProbeResult {
  readonly source: {
    readonly namespace: string;
    readonly pod: string;
    /** The container the command ran in (an ephemeral debug container when one was used). */
    readonly container?: string;
    readonly image?: string;
    readonly debugContainer: boolean;
  };
  readonly target: {
    readonly label: string;
    readonly protocol: ProbeProtocol;
    readonly host: string;
    readonly port: number;
    readonly url?: string;
  };
  readonly verdict: ProbeVerdict;
  /** Network-wise: true for `reachable` and `http-error-status`. */
  readonly reachable: boolean;
  /** One plain sentence (or two), ending with a full stop. */
  readonly message: string;
  readonly httpStatus?: number;
  readonly expectedStatus?: number;
  /** From curl's `-w`; absent for the other tools. */
  readonly timings?: ProbeTimings;
  /** Wall time of the exec as seen from here (API round trip included). */
  readonly elapsedMs: number;
  readonly tool?: ProbeToolName;
  /** The argument vector run in the container, credentials (a URL's userinfo) redacted as everywhere in a result. */
  readonly argv?: readonly string[];
  /** What was written to the command's stdin (nc's HTTP request), if anything. */
  readonly stdin?: string;
  /** The same command as a copyable `kubectl exec` line (POSIX shell quoting), credentials redacted. */
  readonly command?: string;
  readonly exitCode?: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Caveats, e.g. "bash has no HTTP client: only the TCP connection was checked". */
  readonly notes: readonly string[];
  readonly suggestion?: NoToolSuggestion;
  /** ISO 8601. */
  readonly startedAt: string;
}
