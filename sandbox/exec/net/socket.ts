/** TCP from the pod: connecting through the sandbox network and reading a socket by pulls. */
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { InStream, OutStream } from '../io.ts';
import type { System } from '../process.ts';

/** An errno-style failure: `code` is ECONNREFUSED, ETIMEDOUT, EHOSTUNREACH, ECONNRESET, ... */
export class NetError extends Error {
  readonly code: string;
  constructor(code: string, message?: string) {
    super(message ?? code);
    this.code = code;
  }
}

export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'EIO';
}

/**
 * Connects from the pod. The socket is destroyed when `signal` aborts, even if the sandbox hands it over
 * after we stopped waiting.
 */
export async function connectTcp(
  sys: System,
  ip: string,
  port: number,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<Socket> {
  if (signal.aborted) {
    throw signal.reason;
  }
  const pending = sys.ctx.network.connect(ip, port, {
    timeoutMs: Math.max(1, Math.round(timeoutMs)),
    signal,
  });
  const socket = await new Promise<Socket>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    pending.then(
      (connected) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) {
          connected.destroy();
        }
        resolve(connected);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(new NetError(errorCode(error), error instanceof Error ? error.message : String(error)));
      },
    );
  });
  // Resets are read through SocketReader; a reset nobody listens for must not crash the sandbox.
  socket.on('error', () => {});
  destroyOnAbort(socket, signal);
  return socket;
}

export function destroyOnAbort(socket: Duplex, signal: AbortSignal): void {
  const onAbort = (): void => {
    socket.destroy();
  };
  if (signal.aborted) {
    socket.destroy();
    return;
  }
  signal.addEventListener('abort', onAbort, { once: true });
  socket.once('close', () => signal.removeEventListener('abort', onAbort));
}

/**
 * Reads a socket chunk by chunk. End of stream is null; a reset or other socket error is thrown (once the
 * data received before it has been read, as recv(2) would return it).
 */
export class SocketReader implements InStream {
  private readonly socket: Duplex;
  private readonly chunks: Buffer[] = [];
  private ended = false;
  private error: Error | null = null;
  private wake: (() => void) | null = null;

  constructor(socket: Duplex) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      socket.pause();
      this.notify();
    });
    socket.on('end', () => {
      this.ended = true;
      this.notify();
    });
    socket.on('error', (error: Error) => {
      this.error ??= error;
      this.notify();
    });
    socket.on('close', () => {
      this.ended = true;
      this.notify();
    });
    socket.pause();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  /** Pushes data back so the next read returns it first (for parsers that read ahead). */
  unshift(chunk: Buffer): void {
    if (chunk.length > 0) {
      this.chunks.unshift(chunk);
    }
  }

  async read(): Promise<Buffer | null> {
    for (;;) {
      const chunk = this.chunks.shift();
      if (chunk !== undefined) {
        return chunk;
      }
      if (this.error !== null) {
        throw new NetError(errorCode(this.error), this.error.message);
      }
      if (this.ended) {
        return null;
      }
      this.socket.resume();
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

export function socketWriter(socket: Duplex): OutStream {
  return {
    write: (chunk) =>
      new Promise((resolve, reject) => {
        if (socket.destroyed || !socket.writable) {
          reject(new NetError('EPIPE', 'Broken pipe'));
          return;
        }
        socket.write(chunk, (error) => {
          if (error) {
            reject(new NetError(errorCode(error), error.message));
          } else {
            resolve();
          }
        });
      }),
    close: () => {
      if (!socket.destroyed) {
        socket.end();
      }
    },
  };
}
