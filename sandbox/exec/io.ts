/**
 * Byte streams between the emulated processes. Reads are pulls (`read()` resolves with the next chunk, or null
 * at end of file) so that a reader that stops reading (`head -c 10`) makes its writer fail with EPIPE, like a
 * real pipe does.
 */

export interface InStream {
  read(): Promise<Buffer | null>;
  /** The reader has gone: writers on the other side of a pipe now get EPIPE. */
  close(): void;
  /** Gives back what a reader took too much of (the shell's `read` stops at a newline, as read(2) of 1 byte would). */
  unshift?(chunk: Buffer): void;
}

export interface OutStream {
  /** Resolves once the chunk is accepted; rejects with BrokenPipeError when nobody reads any more. */
  write(chunk: Buffer): Promise<void>;
  /** End of file for the reader. */
  close(): void;
}

/** An open file description: what a file descriptor points at. */
export interface OpenFile {
  readonly label: string;
  readonly input?: InStream;
  readonly output?: OutStream;
  /** Called when the last descriptor referring to it is closed by a redirection or at exit. */
  readonly dispose?: () => void;
}

export class BrokenPipeError extends Error {
  readonly code = 'EPIPE';
  constructor() {
    super('Broken pipe');
  }
}

export class BadFdError extends Error {
  readonly code = 'EBADF';
  constructor() {
    super('Bad file descriptor');
  }
}

export class FdTable {
  private readonly fds = new Map<number, OpenFile>();

  get(fd: number): OpenFile | undefined {
    return this.fds.get(fd);
  }

  set(fd: number, file: OpenFile | undefined): void {
    if (file === undefined) {
      this.fds.delete(fd);
    } else {
      this.fds.set(fd, file);
    }
  }

  clone(): FdTable {
    const copy = new FdTable();
    for (const [fd, file] of this.fds) {
      copy.fds.set(fd, file);
    }
    return copy;
  }

  entries(): IterableIterator<[number, OpenFile]> {
    return this.fds.entries();
  }
}

/** Callback sinks (the exec's stdout and stderr) never push back. */
export function callbackOutput(write: (chunk: Buffer) => void): OutStream {
  return {
    write: (chunk) => {
      write(chunk);
      return Promise.resolve();
    },
    close: () => {},
  };
}

export const nullInput: InStream = { read: () => Promise.resolve(null), close: () => {} };
export const nullOutput: OutStream = { write: () => Promise.resolve(), close: () => {} };

export function bufferInput(data: Buffer): InStream {
  let pending: Buffer | null = data.length > 0 ? data : null;
  return {
    read: () => {
      const chunk = pending;
      pending = null;
      return Promise.resolve(chunk);
    },
    close: () => {
      pending = null;
    },
    unshift: (chunk) => {
      pending = pending === null ? chunk : Buffer.concat([chunk, pending]);
    },
  };
}

/** An endless source, for /dev/zero and /dev/urandom. */
export function generatorInput(make: () => Buffer): InStream {
  let closed = false;
  return {
    // A macrotask between chunks keeps `cat /dev/zero` from starving timers and abort handlers.
    read: () => new Promise((resolve) => setImmediate(() => resolve(closed ? null : make()))),
    close: () => {
      closed = true;
    },
  };
}

export function collectOutput(): { output: OutStream; chunks: Buffer[] } {
  const chunks: Buffer[] = [];
  return {
    chunks,
    output: {
      write: (chunk) => {
        chunks.push(chunk);
        return Promise.resolve();
      },
      close: () => {},
    },
  };
}

const PIPE_CAPACITY = 64 * 1024;

export function createPipe(): { input: InStream; output: OutStream } {
  const queue: Buffer[] = [];
  let queued = 0;
  let writerClosed = false;
  let readerClosed = false;
  let wakeReader: (() => void) | null = null;
  const drainWaiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];

  const notifyReader = (): void => {
    const wake = wakeReader;
    wakeReader = null;
    wake?.();
  };
  const settleWriters = (): void => {
    while (drainWaiters.length > 0 && (readerClosed || queued < PIPE_CAPACITY)) {
      const waiter = drainWaiters.shift();
      if (readerClosed) {
        waiter?.reject(new BrokenPipeError());
      } else {
        waiter?.resolve();
      }
    }
  };

  const input: InStream = {
    read: async () => {
      for (;;) {
        if (queue.length > 0) {
          const chunk = queue.shift() as Buffer;
          queued -= chunk.length;
          settleWriters();
          return chunk;
        }
        if (writerClosed || readerClosed) {
          return null;
        }
        await new Promise<void>((resolve) => {
          wakeReader = resolve;
        });
      }
    },
    close: () => {
      readerClosed = true;
      queue.length = 0;
      queued = 0;
      settleWriters();
      notifyReader();
    },
    unshift: (chunk) => {
      queue.unshift(chunk);
      queued += chunk.length;
    },
  };
  const output: OutStream = {
    write: (chunk) => {
      if (readerClosed) {
        return Promise.reject(new BrokenPipeError());
      }
      if (chunk.length === 0) {
        return Promise.resolve();
      }
      queue.push(chunk);
      queued += chunk.length;
      notifyReader();
      if (queued < PIPE_CAPACITY) {
        return Promise.resolve();
      }
      return new Promise((resolve, reject) => drainWaiters.push({ resolve, reject }));
    },
    close: () => {
      writerClosed = true;
      notifyReader();
    },
  };
  return { input, output };
}

/**
 * The exec's stdin. Listeners are attached on the first read only, and `detach` gives the stream back
 * untouched (paused) when the exec ends.
 */
export function streamInput(stream: NodeJS.ReadableStream): { input: InStream; detach: () => void } {
  const chunks: Buffer[] = [];
  let attached = false;
  let ended = false;
  let wake: (() => void) | null = null;
  const notify = (): void => {
    const resolve = wake;
    wake = null;
    resolve?.();
  };
  const onData = (chunk: string | Buffer): void => {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    stream.pause();
    notify();
  };
  const onEnd = (): void => {
    ended = true;
    notify();
  };
  const detach = (): void => {
    if (attached) {
      attached = false;
      stream.removeListener('data', onData);
      stream.removeListener('end', onEnd);
      stream.removeListener('error', onEnd);
      stream.removeListener('close', onEnd);
      stream.pause();
    }
    ended = true;
    notify();
  };
  const input: InStream = {
    read: async () => {
      if (!attached && !ended) {
        attached = true;
        stream.on('data', onData);
        stream.on('end', onEnd);
        stream.on('error', onEnd);
        stream.on('close', onEnd);
      }
      for (;;) {
        const chunk = chunks.shift();
        if (chunk !== undefined) {
          return chunk;
        }
        if (ended) {
          return null;
        }
        stream.resume();
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    },
    // Every process of the exec shares this descriptor: one of them going away does not close it.
    close: () => {},
    unshift: (chunk) => {
      chunks.unshift(chunk);
    },
  };
  return { input, detach };
}

/** Rejects with the signal's reason as soon as it aborts; the underlying promise is left to settle alone. */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

export async function readAll(input: InStream, signal: AbortSignal): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for (;;) {
    const chunk = await abortable(input.read(), signal);
    if (chunk === null) {
      return Buffer.concat(chunks);
    }
    chunks.push(chunk);
  }
}
