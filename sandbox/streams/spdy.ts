/**
 * The server side of a SPDY/3.1 connection, as the kubelet speaks it to kubectl (moby/spdystream),
 * over any byte transport: here the binary messages of a WebSocket, which kubectl 1.31+ opens with
 * the subprotocol `SPDY/3.1+portforward.k8s.io` and treats as one byte stream (client-go's
 * TunnelingConnection; message boundaries mean nothing).
 *
 * Implemented: SYN_STREAM (headers zlib-compressed with the SPDY/3 dictionary, one compression
 * context per direction for the connection's life), SYN_REPLY, DATA with FIN, RST_STREAM, PING
 * (echoed), GOAWAY, and HEADERS, SETTINGS and WINDOW_UPDATE (read and ignored: spdystream does no
 * flow control). The server never opens streams; it answers each SYN_STREAM with a SYN_REPLY and
 * empty headers, as the kubelet does.
 */
import {
  controlStreamId,
  encodeControl,
  encodeData,
  encodeRstStream,
  encodeSynReply,
  encodeHeaderBlock,
  FLAG_FIN,
  FRAME,
  FrameReader,
  HeaderCompressor,
  HeaderDecompressor,
  headerBlockOffset,
  MAX_FRAME_PAYLOAD,
  RST,
} from '../../src/portforward/spdy.ts';

// The codec is the port-forward engine's (pure, no network): the sandbox and the extension speak
// the same framing.
export { parseHeaderBlock, RST, SPDY_DICTIONARY } from '../../src/portforward/spdy.ts';

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
    for (let offset = 0; offset < data.length; offset += MAX_FRAME_PAYLOAD) {
      this.session.sendData(this.id, data.subarray(offset, offset + MAX_FRAME_PAYLOAD), false);
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
  private readonly reader = new FrameReader();
  private readonly compressor = new HeaderCompressor();
  private readonly decompressor = new HeaderDecompressor();
  /** A header block is being decompressed; frames after it wait so they stay in order. */
  private decompressing = false;
  private closed = false;

  constructor(transport: SpdyTransport, onStream: (stream: SpdyStream) => void) {
    this.transport = transport;
    this.onStream = onStream;
  }

  get openStreams(): number {
    return this.streams.size;
  }

  /** Feeds bytes received from the client. */
  receive(bytes: Buffer): void {
    if (this.closed || bytes.length === 0) {
      return;
    }
    this.reader.push(bytes);
    this.pump();
  }

  /** The transport is gone: every stream is reset. */
  close(): void {
    if (this.closed) {
      return;
    }
    this.closed = true;
    this.decompressor.destroy();
    for (const stream of this.streams.values()) {
      stream.reset = true;
      stream.onReset();
    }
    this.streams.clear();
  }

  // ---- output ----------------------------------------------------------------------------------

  sendData(id: number, payload: Buffer, fin: boolean): void {
    if (!this.closed) {
      this.transport.send(encodeData(id, payload, fin));
    }
  }

  sendReset(id: number, status: number): void {
    if (!this.closed) {
      this.transport.send(encodeRstStream(id, status));
    }
  }

  forgetIfDone(stream: SpdyStream): void {
    if (stream.reset || (stream.localClosed && stream.remoteClosed)) {
      this.streams.delete(stream.id);
    }
  }

  private sendControl(type: number, flags: number, payload: Buffer): void {
    if (!this.closed) {
      this.transport.send(encodeControl(type, flags, payload));
    }
  }

  /** A SYN_REPLY with an empty name/value block (a zero count), as the kubelet answers. */
  private sendReply(id: number): void {
    if (!this.closed) {
      this.transport.send(encodeSynReply(id, this.compressor.compress(encodeHeaderBlock([]))));
    }
  }

  // ---- input -----------------------------------------------------------------------------------

  private pump(): void {
    while (!this.decompressing && !this.closed) {
      const frame = this.reader.next();
      if (!frame) {
        return;
      }
      if (frame.kind === 'data') {
        this.handleData(frame.streamId, frame.flags, frame.payload);
      } else {
        this.handleControl(frame.type, frame.flags, frame.payload);
      }
    }
  }

  private handleControl(type: number, flags: number, payload: Buffer): void {
    switch (type) {
      case FRAME.synStream: {
        const id = controlStreamId(payload);
        this.decodeHeaders(payload.subarray(headerBlockOffset(type)), (headers) =>
          this.openStream(id, flags, headers),
        );
        return;
      }
      case FRAME.synReply:
      case FRAME.headers:
        // Decompressed to keep the shared zlib context in step, then ignored.
        this.decodeHeaders(payload.subarray(headerBlockOffset(type)), () => undefined);
        return;
      case FRAME.rstStream: {
        const stream = this.streams.get(controlStreamId(payload));
        if (stream) {
          stream.reset = true;
          this.streams.delete(stream.id);
          stream.onReset();
        }
        return;
      }
      case FRAME.ping:
        this.sendControl(FRAME.ping, 0, payload);
        return;
      case FRAME.goAway:
        // The client is closing; the transport's close follows and resets what is left.
        return;
      default:
        // SETTINGS, WINDOW_UPDATE and unknown control frames: nothing to do (spdystream does no
        // flow control).
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
    this.decompressor.decompress(block, (result) => {
      if (this.closed) {
        return;
      }
      this.decompressing = false;
      if (result instanceof Error) {
        this.fail();
        return;
      }
      done(result);
      this.pump();
    });
  }

  private fail(): void {
    const payload = Buffer.alloc(8);
    payload.writeUInt32BE(0, 0);
    payload.writeUInt32BE(1, 4); // PROTOCOL_ERROR
    this.sendControl(FRAME.goAway, 0, payload);
    this.close();
    this.transport.close();
  }
}
