import type { Socket } from 'node:net';

export interface ExecNetwork {
  /**
   * DNS as seen from the pod: resolves names with the pod's search path
   * (<ns>.svc.cluster.local svc.cluster.local cluster.local, ndots:5 behaviour simplified) and IP literals.
   * Returns IPv4 addresses or [] (NXDOMAIN).
   */
  resolve(name: string): Promise<string[]>;
  /**
   * Opens a TCP connection from the pod's own address. Rejects with an Error whose `code` is 'ECONNREFUSED'
   * (nothing listening / service without endpoints), 'ETIMEDOUT' (silently dropped by NetworkPolicy: the
   * sandbox rejects only after `timeoutMs`), or 'EHOSTUNREACH'.
   */
  connect(ip: string, port: number, options: { timeoutMs: number; signal: AbortSignal }): Promise<Socket>;
}

export interface ExecContext {
  pod: { name: string; namespace: string; ip: string; hostname: string };
  container: { name: string; image: string };
  /**
   * Which executables exist in this image, e.g. new Set(['sh','curl']); 'sh' may be busybox ash; 'bash'
   * separate. Busybox images list 'wget','nc','nslookup' meaning busybox applets. An image that has a shell
   * is assumed to also have the basic utilities (cat, head, env, sleep, timeout, ...).
   */
  tools: ReadonlySet<string>;
  /**
   * Flavour hints from the image's toolset. Keys and values understood:
   * sh: 'busybox' (default) | 'dash' | 'bash'; utils: 'busybox' | 'gnu' (default follows sh);
   * wget: 'busybox' (default) | 'gnu'; nc: 'busybox' (default, nc 1.10 compatible applet) |
   * 'busybox-small' (applet built without NC_110_COMPAT) | 'openbsd'; nslookup: 'busybox' (default) | 'bind'.
   */
  flavours?: Readonly<Record<string, string>>;
  env: Record<string, string>;
  network: ExecNetwork;
  /** May be null when no stdin: reads then see end of file at once, like /dev/null. */
  stdin: NodeJS.ReadableStream | null;
  stdout: (chunk: string | Buffer) => void;
  stderr: (chunk: string | Buffer) => void;
  /** Aborted when the exec connection closes. */
  signal: AbortSignal;
  /** Clock injection for timings, in milliseconds. */
  now?: () => number;
  /** `kubectl exec -t`: tools that change their output on a terminal (curl's progress meter, ls) do so. */
  tty?: boolean;
  /** Cluster DNS as written to the pod's /etc/resolv.conf. Defaults: 10.96.0.10 and the usual search path. */
  dns?: { nameserver?: string; clusterDomain?: string };
  /**
   * The container's writable files (absolute path → content). Pass the same map to successive execs of the
   * same container so that a file written by one (curl -o /tmp/x) is seen by the next.
   */
  files?: Map<string, Buffer>;
}
