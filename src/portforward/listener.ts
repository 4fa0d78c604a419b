/**
 * Local listeners of port-forwards: choosing and binding the local port, and who may connect.
 *
 * Choice of the local port, for each forwarded port:
 * - `local` given: exactly that port, or the error "local port N is in use" with a free port to
 *   suggest (the next free ones above N first, then any);
 * - otherwise the preferred port (a restored forward's previous one), then the remote port (as
 *   kubectl does), each when free and allowed, and else any free port (the OS picks).
 */
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { PortForwardError } from './errors.ts';

/** Socket buffers of accepted connections: larger than Node's 16 KiB, for fewer, bigger frames. */
const SOCKET_HIGH_WATER_MARK = 256 * 1024;

/** Whether a peer address is this machine's loopback (127.0.0.0/8, ::1, IPv4-mapped 127.x). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) {
    return false;
  }
  const lower = address.toLowerCase();
  return (
    lower.startsWith('127.') ||
    lower === '::1' ||
    lower === '0:0:0:0:0:0:0:1' ||
    lower.startsWith('::ffff:127.')
  );
}

/** Whether an address to bind is a loopback one (or `localhost`). */
export function isLoopbackBindAddress(address: string): boolean {
  return address === 'localhost' || isLoopbackAddress(address);
}

export type LocalPortChoice =
  /** Exactly this port, or fail. */
  | { readonly exact: number }
  /** These in order, when free and allowed; then any free port. */
  | { readonly preferred: readonly (number | undefined)[] };

/**
 * Binds a new server (connections paused, half-open allowed, no Nagle delay) on `address` with the
 * port chosen as described above; `onConnection` gets each accepted socket.
 */
export async function bindListener(
  address: string,
  choice: LocalPortChoice,
  onConnection: (socket: Socket) => void,
): Promise<{ readonly server: Server; readonly port: number }> {
  const make = () =>
    createServer(
      { allowHalfOpen: true, pauseOnConnect: true, noDelay: true, highWaterMark: SOCKET_HIGH_WATER_MARK },
      onConnection,
    );
  if ('exact' in choice) {
    const server = make();
    try {
      return { server, port: await listen(server, address, choice.exact) };
    } catch (error) {
      throw await localPortError(error, address, choice.exact);
    }
  }
  const tried = new Set<number>();
  for (const port of choice.preferred) {
    if (port === undefined || tried.has(port)) {
      continue;
    }
    tried.add(port);
    const server = make();
    try {
      return { server, port: await listen(server, address, port) };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EADDRINUSE' && code !== 'EACCES' && code !== 'EPERM') {
        throw await localPortError(error, address, port);
      }
    }
  }
  const server = make();
  try {
    return { server, port: await listen(server, address, 0) };
  } catch (error) {
    throw await localPortError(error, address, 0);
  }
}

function listen(server: Server, address: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      server.off('listening', onListening);
      reject(error);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve((server.address() as { port: number }).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host: address, port, exclusive: true });
  });
}

/** A free port on `address`, near `near` when one of the next 20 is free. */
export async function suggestFreePort(address: string, near?: number): Promise<number | undefined> {
  const candidates = near !== undefined ? Array.from({ length: 20 }, (_, i) => near + 1 + i) : [];
  for (const port of [...candidates.filter((p) => p <= 65535), 0]) {
    const server = createServer();
    try {
      const bound = await listen(server, address, port);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      return bound;
    } catch {
      // Taken or not allowed: try the next one.
    }
  }
  return undefined;
}

async function localPortError(error: unknown, address: string, port: number): Promise<PortForwardError> {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'EADDRINUSE': {
      const suggested = await suggestFreePort(address, port);
      return new PortForwardError(
        'local-port-in-use',
        `The local port ${port} is in use${suggested !== undefined ? `; port ${suggested} is free` : ''}.`,
        suggested !== undefined ? { suggestedLocalPort: suggested } : {},
      );
    }
    case 'EACCES':
    case 'EPERM': {
      const suggested = await suggestFreePort(address, Math.max(port, 1023));
      return new PortForwardError(
        'local-address',
        `The local port ${port} may not be used by this user (ports below 1024 usually need privileges)${suggested !== undefined ? `; port ${suggested} is free` : ''}.`,
        suggested !== undefined ? { suggestedLocalPort: suggested } : {},
      );
    }
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new PortForwardError('local-address', `${address} is not an address of this machine.`);
    default:
      return new PortForwardError(
        'local-address',
        `Cannot listen on ${address}:${port}: ${error instanceof Error ? error.message : String(error)}.`,
      );
  }
}

/**
 * Ends a local connection abruptly (a TCP RST, so the client sees a reset rather than an orderly
 * end). A socket that has already called `end()` cannot be reset: Node's `resetAndDestroy()` then
 * never closes the handle (no 'close', and the process spins at exit), so it is destroyed instead.
 */
export function resetSocket(socket: Socket): void {
  if (socket.destroyed) {
    return;
  }
  if (
    typeof socket.resetAndDestroy === 'function' &&
    socket.readyState !== 'opening' &&
    !socket.writableEnded
  ) {
    socket.resetAndDestroy();
  } else {
    socket.destroy();
  }
}
