/**
 * Every listener of the data plane goes through here, so that no port fails silently.
 *
 * On Linux an ordinary user may not listen below `net.ipv4.ip_unprivileged_port_start` (1024 by
 * default); root and processes with CAP_NET_BIND_SERVICE may. The sandbox finds out once, at
 * start, by trying (detectPortLimit). When it may not, each privileged port P of an address is
 * served at P + 8000 on the same address (the next free port above it when the address declares
 * that one too or another process holds it), and the mapping is published: `hostPort()` for the
 * sandbox's own connections (Pods, proxies, the kubelet's side of a port-forward dial the declared
 * port and land on the mapped one, so the in-Pod view is the Kubernetes one), the owner's
 * annotation (controllers/hostPortAnnotations.ts) for clients on the host, `mappings()` for the
 * printed summary. A listen that fails for any other reason is a failure, kept and reported
 * (`failures()`, `onFailure`), never only logged.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { HOST_PORT_OFFSET, HOST_PORTS_ANNOTATION } from '../../src/analysis/hostPorts.ts';
import type { ResourceType } from '../api/resources.ts';

export const PORT_SYSCTL = 'net.ipv4.ip_unprivileged_port_start';

/** Whose address a listener serves: the object whose annotation states its mappings. */
export interface PortOwner {
  readonly type: ResourceType;
  readonly namespace: string;
  readonly name: string;
}

export interface HostPortEntry {
  readonly address: string;
  readonly port: number;
  readonly hostPort: number;
  readonly owner: PortOwner;
}

export interface ListenFailure {
  readonly address: string;
  readonly port: number;
  readonly protocol: 'TCP' | 'UDP';
  readonly owner: PortOwner;
  readonly code: string;
  readonly message: string;
}

export interface PortLimit {
  /** The lowest port this process may listen on; 0 when it may listen on any. */
  readonly lowest: number;
  /** Why, in words; undefined when there is no limit. */
  readonly reason: string | undefined;
}

/** How many other ports a mapped listener tries when the one it chose is taken. */
const MAX_ATTEMPTS = 32;

/**
 * Whether this process may listen on privileged ports, found by trying the highest one on
 * `address` (an address of the sandbox's own block, where nothing else listens).
 */
export async function detectPortLimit(address: string): Promise<PortLimit> {
  let start: number | undefined;
  try {
    start = Number(readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8').trim());
  } catch {
    // Not Linux, or no /proc: the classic limit, confirmed or not by the attempt below.
  }
  const known = start !== undefined && Number.isInteger(start);
  const lowest = known ? Math.min(start!, 65_536) : 1024;
  if (lowest <= 0) {
    return { lowest: 0, reason: undefined };
  }
  const probe = lowest - 1;
  const refused = await new Promise<string | undefined>((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EACCES' || error.code === 'EPERM') {
        resolve(error.code);
      } else {
        reject(new Error(`cannot tell whether the sandbox may listen on port ${probe}: ${error.message}`));
      }
    });
    server.listen({ host: address, port: probe, exclusive: true }, () =>
      server.close(() => resolve(undefined)),
    );
  });
  if (refused === undefined) {
    return { lowest: 0, reason: undefined };
  }
  return {
    lowest,
    reason: known
      ? `its process may not listen below port ${lowest} (${PORT_SYSCTL}=${lowest}, and it runs as an ordinary user without CAP_NET_BIND_SERVICE)`
      : `its process may not listen below port ${lowest} (listening on ${probe} was refused: ${refused})`,
  };
}

export function ownerKey(owner: PortOwner): string {
  const group = owner.type.group ? `.${owner.type.group}` : '';
  return `${owner.type.plural}${group}/${owner.namespace}/${owner.name}`;
}

interface Entry extends HostPortEntry {
  readonly server: Server;
}

interface PendingListen {
  readonly key: string;
  readonly address: string;
  readonly port: number;
  readonly owner: PortOwner;
  readonly declared: readonly number[];
  readonly backlog: number | undefined;
  /** The ports a mapped listener tried; undefined for a listener on its declared port. */
  readonly tried: Set<number> | undefined;
}

export class HostPorts {
  readonly limit: PortLimit;
  private readonly log: (message: string) => void;
  /** Mapped listeners by `address:port` (the declared port). */
  private readonly entries = new Map<string, Entry>();
  /** Per address, the host ports its mapped listeners hold. */
  private readonly byAddress = new Map<string, Map<number, string>>();
  private readonly failed = new Map<string, ListenFailure & { readonly handle: object }>();
  private readonly keys = new WeakMap<object, string>();
  /** What each listen still under way needs: its address, owner and the ports it tried. */
  private readonly pendingListens = new Map<Server, PendingListen>();
  private readonly idleWaiters: Array<() => void> = [];
  /** Every listener's 'error' handler: one function, `this` being the listener. */
  private readonly onError: (this: Server, error: NodeJS.ErrnoException) => void;
  private readonly changeListeners = new Set<(owner: PortOwner) => void>();
  private readonly failureListeners = new Set<(failure: ListenFailure) => void>();

  constructor(limit: PortLimit, log: (message: string) => void = () => undefined) {
    this.limit = limit;
    this.log = log;
    const listenFailed = (server: Server, error: NodeJS.ErrnoException) => this.listenFailed(server, error);
    this.onError = function (this: Server, error: NodeJS.ErrnoException) {
      listenFailed(this, error);
    };
  }

  /** The port `address:port` is served on here: itself unless it is mapped. */
  hostPort(address: string, port: number): number {
    return this.entries.get(`${address}:${port}`)?.hostPort ?? port;
  }

  /** Every mapped port, by address then port. */
  mappings(): HostPortEntry[] {
    return [...this.entries.values()]
      .map(({ address, port, hostPort, owner }) => ({ address, port, hostPort, owner }))
      .sort((a, b) => a.address.localeCompare(b.address, 'en', { numeric: true }) || a.port - b.port);
  }

  /** The mapped ports of one owner's addresses, by `address:port`. */
  mappingsOf(owner: PortOwner): Map<string, number> {
    const key = ownerKey(owner);
    const result = new Map<string, number>();
    for (const [address, entry] of this.entries) {
      if (ownerKey(entry.owner) === key) {
        result.set(address, entry.hostPort);
      }
    }
    return result;
  }

  /** Listens that failed and were not retried since. */
  failures(): ListenFailure[] {
    return [...this.failed.values()].map(({ handle: _, ...failure }) => failure);
  }

  /** Called when an owner's mappings changed (a listener mapped, moved or closed). */
  onChange(listener: (owner: PortOwner) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  onFailure(listener: (failure: ListenFailure) => void): () => void {
    this.failureListeners.add(listener);
    return () => this.failureListeners.delete(listener);
  }

  /** Resolves once every listen asked for so far has listened or failed. */
  idle(): Promise<void> {
    return this.pendingListens.size === 0
      ? Promise.resolve()
      : new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Listens `server` on `address:port`, or on its mapped port when this process may not listen on
   * `port`. `declared` is every port the owner declares on the address: a mapped port avoids them.
   * What a listen needs is kept only until it has listened or failed: a sandbox has a listener per
   * declared port of every Pod, and the persistent error handler is one shared function.
   */
  listen(
    server: Server,
    address: string,
    port: number,
    owner: PortOwner,
    declared: readonly number[],
    backlog?: number,
  ): void {
    const key = `${address}:${port}`;
    // Only a mapped listener moves on to other ports, and only it (or a failed one) is remembered
    // past its listen, for close().
    const tried = port < this.limit.lowest ? new Set<number>() : undefined;
    if (tried) {
      this.keys.set(server, key);
    }
    this.pendingListens.set(server, { key, address, port, owner, declared, backlog, tried });
    server.once('listening', () => this.listened(server));
    server.on('error', this.onError);
    this.attempt(server);
  }

  /** Listens on the declared port, or on the next candidate for a mapped one; false when none is left. */
  private attempt(server: Server): boolean {
    const pending = this.pendingListens.get(server)!;
    const { address, port, tried, backlog } = pending;
    const candidate = tried ? this.candidate(address, port, pending.declared, tried) : port;
    if (candidate === undefined) {
      return false;
    }
    if (tried) {
      tried.add(candidate);
      this.setEntry({ address, port, hostPort: candidate, owner: pending.owner, server });
    }
    server.listen({ port: candidate, host: address, ...(backlog === undefined ? {} : { backlog }) });
    return true;
  }

  private listened(server: Server): void {
    const pending = this.pendingListens.get(server);
    if (pending === undefined) {
      return;
    }
    if (this.failed.get(pending.key)?.handle === server) {
      this.failed.delete(pending.key);
    }
    this.settle(server);
    if (pending.tried) {
      this.changeListeners.forEach((listener) => listener(pending.owner));
    }
  }

  private listenFailed(server: Server, error: NodeJS.ErrnoException): void {
    const pending = this.pendingListens.get(server);
    if (pending === undefined) {
      const where = server.address();
      this.log(
        `listener ${typeof where === 'object' && where ? `${where.address}:${where.port}` : '?'}: ${error.message}`,
      );
      return;
    }
    const { key, address, port, owner, tried } = pending;
    if (tried && error.code === 'EADDRINUSE' && tried.size < MAX_ATTEMPTS && this.attempt(server)) {
      return;
    }
    if (tried) {
      this.deleteEntry(key, server);
    }
    this.fail(key, server, {
      address,
      port,
      protocol: 'TCP',
      owner,
      code: error.code ?? 'ERROR',
      message: error.message,
    });
    this.settle(server);
  }

  private settle(server: Server): void {
    if (this.pendingListens.delete(server) && this.pendingListens.size === 0) {
      this.idleWaiters.splice(0).forEach((resolve) => resolve());
    }
  }

  /** Closes a listener and forgets its mapping and failure at once (its 'close' waits for connections). */
  close(server: Server): void {
    const key = this.keys.get(server);
    if (key !== undefined) {
      const entry = this.entries.get(key);
      if (entry?.server === server) {
        this.deleteEntry(key, server);
        this.changeListeners.forEach((listener) => listener(entry.owner));
      }
      if (this.failed.get(key)?.handle === server) {
        this.failed.delete(key);
      }
    }
    this.settle(server);
    server.close();
  }

  /** A UDP socket that could not bind: UDP ports are not mapped (nothing in the sandbox dials them). */
  udpFailed(socket: object, failure: Omit<ListenFailure, 'protocol'>): void {
    const key = `${failure.address}:${failure.port}/udp`;
    this.fail(key, socket, { ...failure, protocol: 'UDP' });
  }

  udpClosed(socket: object): void {
    const key = this.keys.get(socket);
    if (key !== undefined && this.failed.get(key)?.handle === socket) {
      this.failed.delete(key);
    }
  }

  private fail(key: string, handle: object, failure: ListenFailure): void {
    this.keys.set(handle, key);
    this.failed.set(key, { ...failure, handle });
    this.log(`cannot listen on ${failure.address}:${failure.port}/${failure.protocol}: ${failure.message}`);
    this.failureListeners.forEach((listener) => listener(failure));
  }

  /** P + 8000 when free on the address, else the next free port above it; the previous one first. */
  private candidate(
    address: string,
    port: number,
    declared: readonly number[],
    tried: ReadonlySet<number>,
  ): number | undefined {
    const held = this.byAddress.get(address);
    const key = `${address}:${port}`;
    const free = (candidate: number) =>
      candidate >= this.limit.lowest &&
      candidate < 65_536 &&
      !tried.has(candidate) &&
      !declared.includes(candidate) &&
      (held?.get(candidate) ?? key) === key;
    const previous = this.entries.get(key)?.hostPort;
    if (previous !== undefined && free(previous)) {
      return previous;
    }
    for (
      let candidate = Math.max(port + HOST_PORT_OFFSET, this.limit.lowest);
      candidate < 65_536;
      candidate++
    ) {
      if (free(candidate)) {
        return candidate;
      }
    }
    return undefined;
  }

  private setEntry(entry: Entry): void {
    const key = `${entry.address}:${entry.port}`;
    const before = this.entries.get(key);
    if (before !== undefined) {
      this.byAddress.get(entry.address)?.delete(before.hostPort);
    }
    this.entries.set(key, entry);
    let held = this.byAddress.get(entry.address);
    if (held === undefined) {
      held = new Map();
      this.byAddress.set(entry.address, held);
    }
    held.set(entry.hostPort, key);
  }

  private deleteEntry(key: string, server: Server): void {
    const entry = this.entries.get(key);
    if (entry?.server !== server) {
      return;
    }
    this.entries.delete(key);
    const held = this.byAddress.get(entry.address);
    held?.delete(entry.hostPort);
    if (held?.size === 0) {
      this.byAddress.delete(entry.address);
    }
  }
}

/**
 * The lines `npm run sandbox` prints about ports: what is mapped and why (every load balancer's and
 * Gateway's address in full, where a browser goes; ClusterIP and Pod ports counted), the one
 * setting that would make mapping unnecessary and what it changes, and every port not served.
 */
export function hostPortSummary(
  limit: PortLimit,
  mappings: readonly HostPortEntry[],
  failures: readonly ListenFailure[],
  isExternal: (entry: HostPortEntry) => boolean,
): { readonly lines: string[]; readonly errors: string[] } {
  const lines: string[] = [];
  if (limit.lowest > 0) {
    const external = mappings.filter(isExternal);
    lines.push(
      `ports:      a port P below ${limit.lowest} is served at P+${HOST_PORT_OFFSET} on the same address (the next free port if taken), because ${limit.reason}; inside the cluster (exec, Pods, port-forward) the declared ports work as they are`,
    );
    for (const entry of external) {
      lines.push(
        `            ${ownerKey(entry.owner)}: ${entry.address}:${entry.port} is served at http://${entry.address}:${entry.hostPort}/`,
      );
    }
    lines.push(
      `            and ${mappings.length - external.length} ClusterIP and Pod ports the same way; each owner's annotation ${HOST_PORTS_ANNOTATION} lists its own`,
      `            to serve the declared ports instead, as root: sysctl -w ${PORT_SYSCTL}=0 (lets every user of this machine listen on any port, until reboot), then restart the sandbox`,
    );
  }
  const errors = failures.map(
    (failure) =>
      `error: not served: ${failure.address}:${failure.port}/${failure.protocol} of ${ownerKey(failure.owner)}: ${failure.message}`,
  );
  return { lines, errors };
}
