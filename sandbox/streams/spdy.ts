/**
 * The server side of a SPDY/3.1 connection, as the kubelet speaks it to kubectl (moby/spdystream),
 * over any byte transport: here the binary messages of a WebSocket, which kubectl 1.31+ opens with
 * the subprotocol `SPDY/3.1+portforward.k8s.io` and treats as one byte stream (client-go's
 * TunnelingConnection; message boundaries mean nothing).
 *
 * The framing, the header dictionary and header blocks are src/portforward/spdy.ts's (the engine's
 * client side speaks the same). Implemented: SYN_STREAM (headers zlib-compressed with the SPDY/3 dictionary, one compression
 * context per direction for the connection's life), SYN_REPLY, DATA with FIN, RST_STREAM, PING
 * (echoed), GOAWAY, and HEADERS, SETTINGS and WINDOW_UPDATE (read and ignored: spdystream does no
 * flow control). The server never opens streams; it answers each SYN_STREAM with a SYN_REPLY and
 * empty headers, as the kubelet does.
 */
import { constants, createInflate } from 'node:zlib';
import type { Inflate } from 'node:zlib';
import {
  adler32,
  controlFrame,
  FLAG_FIN,
  FRAME as TYPE,
  MAX_FRAME_PAYLOAD as MAX_DATA_LENGTH,
  parseHeaderBlock,
  RST,
  SPDY_DICTIONARY,
} from '../../src/portforward/spdy.ts';

export { parseHeaderBlock, RST, SPDY_DICTIONARY };

export interface SpdyTransport {
  send(bytes: Buffer): void;
  close(): void;
}

/** One stream the client opened. Callbacks are set by whoever handles it. */
export class SpdyStream {
  readonly id: number;
  readonly headers: ReadonlyMap<string, string>;
  onData: (data: Buffer) => void = () => undefined;
  /** The client half-closed (FIN): it sends no more. */
  onEnd: () => void = () => undefined;
  /** The client reset the stream, or the connection went away. */
  onReset: () => void = () => undefined;
  private readonly session: SpdySession;
  localClosed = false;
  remoteClosed = false;
  reset = false;

  constructor(session: SpdySession, id: number, headers: ReadonlyMap<string, string>) {
    this.session = session;
    this.id = id;
    this.headers = headers;
  }

  write(data: Buffer): void {
    if (this.localClosed || this.reset) {
      return;
    }
    for (let offset = 0; offset < data.length; offset += MAX_DATA_LENGTH) {
      this.session.sendData(this.id, data.subarray(offset, offset + MAX_DATA_LENGTH), false);
    }
  }

  /** Half-closes our side (an empty DATA frame with FIN). */
  end(): void {
    if (this.localClosed || this.reset) {
      return;
    }
    this.localClosed = true;
    this.session.sendData(this.id, Buffer.alloc(0), true);
    this.session.forgetIfDone(this);
  }

  /** Ends the stream abruptly (RST_STREAM). */
  resetStream(status: number = RST.cancel): void {
    if (this.reset) {
      return;
    }
    this.reset = true;
    this.session.sendReset(this.id, status);
    this.session.forgetIfDone(this);
  }
}

export class SpdySession {
  private readonly transport: SpdyTransport;
  private readonly onStream: (stream: SpdyStream) => void;
  private readonly streams = new Map<number, SpdyStream>();
  private readonly inflate: Inflate;
  /** Received bytes not yet parsed into frames. */
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** A header block is being decompressed; frames after it wait so they stay in order. */
  private decompressing = false;
  private sentCompressionHeader = false;
  private closed = false;

  constructor(transport: SpdyTransport, onStream: (stream: SpdyStream) => void) {
    this.transport = transport;
    this.onStream = onStream;
    this.inflate = createInflate({ dictionary: SPDY_DICTIONARY });
    this.inflate.on('error', () => this.fail());
  }

  get openStreams(): number {
    return this.streams.size;
  }

  /** Feeds bytes received from the client. */
  receive(bytes: Buffer): void {
    if (this.closed || bytes.length === 0) {
      return;
    }
    this.chunks.push(bytes);
    this.buffered += bytes.length;
    this.pump();
  }

  /** The transport is gone: every stream is reset. */
  close(): void {
    if (this.closed) {
      return;
    }
    this.closed = true;
    this.inflate.destroy();
    for (const stream of this.streams.values()) {
      stream.reset = true;
      stream.onReset();
    }
    this.streams.clear();
  }

  // ---- output ----------------------------------------------------------------------------------

  sendData(id: number, payload: Buffer, fin: boolean): void {
    if (this.closed) {
      return;
    }
    const frame = Buffer.allocUnsafe(8 + payload.length);
    frame.writeUInt32BE(id & 0x7fffffff, 0);
    frame.writeUInt32BE(((fin ? FLAG_FIN : 0) << 24) | payload.length, 4);
    payload.copy(frame, 8);
    this.transport.send(frame);
  }

  sendReset(id: number, status: number): void {
    const payload = Buffer.alloc(8);
    payload.writeUInt32BE(id & 0x7fffffff, 0);
    payload.writeUInt32BE(status, 4);
    this.sendControl(TYPE.rstStream, 0, payload);
  }

  forgetIfDone(stream: SpdyStream): void {
    if (stream.reset || (stream.localClosed && stream.remoteClosed)) {
      this.streams.delete(stream.id);
    }
  }

  private sendControl(type: number, flags: number, payload: Buffer): void {
    if (this.closed) {
      return;
    }
    this.transport.send(controlFrame(type, flags, payload));
  }

  private sendReply(id: number): void {
    const block = this.emptyHeaderBlock();
    const payload = Buffer.alloc(4 + block.length);
    payload.writeUInt32BE(id & 0x7fffffff, 0);
    block.copy(payload, 4);
    this.sendControl(TYPE.synReply, 0, payload);
  }

  /**
   * An empty name/value block (a zero count) in the connection's compressed header stream. A
   * stored deflate block carries it; the first one starts the zlib stream with the dictionary's id,
   * as a compressor primed with the dictionary would.
   */
  private emptyHeaderBlock(): Buffer {
    // A stored block holding the four zero bytes, then the empty stored block a sync flush writes:
    // Go's inflater only hands out a block's bytes once it has read the next block's header.
    const stored = Buffer.from([0x00, 0x04, 0x00, 0xfb, 0xff, 0, 0, 0, 0, 0x00, 0x00, 0x00, 0xff, 0xff]);
    if (this.sentCompressionHeader) {
      return stored;
    }
    this.sentCompressionHeader = true;
    const header = Buffer.alloc(6);
    // CMF 0x78 (deflate, 32K window), FLG with FDICT and FLEVEL 3, checksummed to a multiple of 31.
    header[0] = 0x78;
    header[1] = 0xe0 + (31 - ((0x78 * 256 + 0xe0) % 31));
    header.writeUInt32BE(adler32(SPDY_DICTIONARY), 2);
    return Buffer.concat([header, stored]);
  }

  // ---- input -----------------------------------------------------------------------------------

  private take(length: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length >= length) {
      this.chunks[0] = first.subarray(length);
      if (this.chunks[0].length === 0) {
        this.chunks.shift();
      }
      this.buffered -= length;
      return first.subarray(0, length);
    }
    const all = Buffer.concat(this.chunks, this.buffered);
    this.chunks = all.length > length ? [all.subarray(length)] : [];
    this.buffered -= length;
    return all.subarray(0, length);
  }

  private peekHeader(): Buffer {
    const first = this.chunks[0]!;
    return first.length >= 8 ? first : Buffer.concat(this.chunks, this.buffered);
  }

  private pump(): void {
    while (!this.decompressing && !this.closed && this.buffered >= 8) {
      const head = this.peekHeader();
      const length = head.readUInt32BE(4) & 0xffffff;
      if (this.buffered < 8 + length) {
        return;
      }
      const frame = this.take(8 + length);
      this.handle(frame);
    }
  }

  private handle(frame: Buffer): void {
    const word = frame.readUInt32BE(0);
    const flags = frame[4]!;
    const payload = frame.subarray(8);
    if ((word & 0x80000000) === 0) {
      this.handleData(word & 0x7fffffff, flags, payload);
      return;
    }
    const type = word & 0xffff;
    switch (type) {
      case TYPE.synStream: {
        const id = payload.readUInt32BE(0) & 0x7fffffff;
        this.decodeHeaders(payload.subarray(10), (headers) => this.openStream(id, flags, headers));
        return;
      }
      case TYPE.synReply:
      case TYPE.headers:
        // Decompressed to keep the shared zlib context in step, then ignored.
        this.decodeHeaders(payload.subarray(4), () => undefined);
        return;
      case TYPE.rstStream: {
        const stream = this.streams.get(payload.readUInt32BE(0) & 0x7fffffff);
        if (stream) {
          stream.reset = true;
          this.streams.delete(stream.id);
          stream.onReset();
        }
        return;
      }
      case TYPE.ping:
        this.sendControl(TYPE.ping, 0, payload);
        return;
      case TYPE.goAway:
        // The client is closing; the transport's close follows and resets what is left.
        return;
      default:
        // SETTINGS, WINDOW_UPDATE and unknown control frames: nothing to do.
        return;
    }
  }

  private handleData(id: number, flags: number, payload: Buffer): void {
    const stream = this.streams.get(id);
    if (!stream) {
      if (id !== 0) {
        this.sendReset(id, RST.invalidStream);
      }
      return;
    }
    if (payload.length > 0) {
      stream.onData(payload);
    }
    if (flags & FLAG_FIN) {
      stream.remoteClosed = true;
      stream.onEnd();
      this.forgetIfDone(stream);
    }
  }

  private openStream(id: number, flags: number, headers: Map<string, string>): void {
    if (this.streams.has(id) || id === 0) {
      this.sendReset(id, RST.protocolError);
      return;
    }
    const stream = new SpdyStream(this, id, headers);
    this.streams.set(id, stream);
    this.sendReply(id);
    this.onStream(stream);
    if (flags & FLAG_FIN) {
      stream.remoteClosed = true;
      stream.onEnd();
      this.forgetIfDone(stream);
    }
  }

  private decodeHeaders(block: Buffer, done: (headers: Map<string, string>) => void): void {
    this.decompressing = true;
    this.inflate.write(block);
    this.inflate.flush(constants.Z_SYNC_FLUSH, () => {
      if (this.closed) {
        return;
      }
      const out: Buffer[] = [];
      for (
        let chunk = this.inflate.read() as Buffer | null;
        chunk;
        chunk = this.inflate.read() as Buffer | null
      ) {
        out.push(chunk);
      }
      this.decompressing = false;
      let headers: Map<string, string>;
      try {
        headers = parseHeaderBlock(Buffer.concat(out));
      } catch {
        this.fail();
        return;
      }
      done(headers);
      this.pump();
    });
  }

  private fail(): void {
    const payload = Buffer.alloc(8);
    payload.writeUInt32BE(0, 0);
    payload.writeUInt32BE(1, 4); // PROTOCOL_ERROR
    this.sendControl(TYPE.goAway, 0, payload);
    this.close();
    this.transport.close();
  }
}
