/**
 * Writes bytes that arrive as views of a reused read buffer (see webSocketClient.ts) to a local
 * socket: each piece is copied into a 64 KiB slab, and the slab is written once the event loop has
 * handed on everything it read this turn (several TLS records: one write instead of one per record),
 * or when it is full. Slabs come back to a small free list once the socket has written them, so a
 * long download allocates nothing after its first few slabs.
 */
import type { Socket } from 'node:net';

const SLAB = 64 * 1024;
/** Free slabs kept for reuse (4 MiB). */
const KEEP = 64;
const free: Buffer[] = [];

function release(slab: Buffer): void {
  if (free.length < KEEP) {
    free.push(slab);
  }
}

export class CoalescingWriter {
  private readonly socket: Socket;
  private slab: Buffer | undefined;
  private used = 0;
  private scheduled = false;
  /** After each write of a slab, with the socket's buffered byte count. */
  onWrite: (buffered: number) => void = () => undefined;

  constructor(socket: Socket) {
    this.socket = socket;
  }

  /** Copies `bytes`; they go out before the next turn of the event loop ends. */
  write(bytes: Buffer): void {
    let offset = 0;
    while (offset < bytes.length) {
      if (!this.slab) {
        this.slab = free.pop() ?? Buffer.allocUnsafeSlow(SLAB);
        this.used = 0;
      }
      const copied = bytes.copy(this.slab, this.used, offset);
      this.used += copied;
      offset += copied;
      if (this.used === SLAB) {
        this.flush();
      }
    }
    if (this.slab && !this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.flush();
      });
    }
  }

  /** Writes what is gathered now (before an `end()`, say). */
  flush(): void {
    const slab = this.slab;
    if (!slab) {
      return;
    }
    this.slab = undefined;
    const socket = this.socket;
    if (socket.destroyed || !socket.writable) {
      release(slab);
      return;
    }
    socket.write(slab.subarray(0, this.used), () => release(slab));
    this.onWrite(socket.writableLength);
  }
}
