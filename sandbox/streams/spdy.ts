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
import { constants, createInflate } from 'node:zlib';
import type { Inflate } from 'node:zlib';

const VERSION = 3;
const TYPE = {
  synStream: 1,
  synReply: 2,
  rstStream: 3,
  settings: 4,
  ping: 6,
  goAway: 7,
  headers: 8,
  windowUpdate: 9,
} as const;
const FLAG_FIN = 0x01;
const MAX_DATA_LENGTH = (1 << 24) - 1;

/** RST_STREAM status codes. */
export const RST = { protocolError: 1, invalidStream: 2, refusedStream: 3, cancel: 5, internalError: 6 };

/** The SPDY/3 header compression dictionary: length-prefixed header names and values, then common text. */
export const SPDY_DICTIONARY: Buffer = (() => {
  const words = [
    'options',
    'head',
    'post',
    'put',
    'delete',
    'trace',
    'accept',
    'accept-charset',
    'accept-encoding',
    'accept-language',
    'accept-ranges',
    'age',
    'allow',
    'authorization',
    'cache-control',
    'connection',
    'content-base',
    'content-encoding',
    'content-language',
    'content-length',
    'content-location',
    'content-md5',
    'content-range',
    'content-type',
    'date',
    'etag',
    'expect',
    'expires',
    'from',
    'host',
    'if-match',
    'if-modified-since',
    'if-none-match',
    'if-range',
    'if-unmodified-since',
    'last-modified',
    'location',
    'max-forwards',
    'pragma',
    'proxy-authenticate',
    'proxy-authorization',
    'range',
    'referer',
    'retry-after',
    'server',
    'te',
    'trailer',
    'transfer-encoding',
    'upgrade',
    'user-agent',
    'vary',
    'via',
    'warning',
    'www-authenticate',
    'method',
    'get',
    'status',
    '200 OK',
    'version',
    'HTTP/1.1',
    'url',
    'public',
    'set-cookie',
    'keep-alive',
    'origin',
  ];
  const tail =
    '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505' +
    '203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized' +
    '403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable' +
    'Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT' +
    'chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,' +
    'text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.';
  const parts = words.map((word) => {
    const entry = Buffer.alloc(4 + word.length);
    entry.writeUInt32BE(word.length, 0);
    entry.write(word, 4, 'latin1');
    return entry;
  });
  return Buffer.concat([...parts, Buffer.from(tail, 'latin1')]);
})();

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
  resetStream(status = RST.cancel): void {
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
    const frame = Buffer.allocUnsafe(8 + payload.length);
    frame.writeUInt16BE(0x8000 | VERSION, 0);
    frame.writeUInt16BE(type, 2);
    frame.writeUInt32BE((flags << 24) | payload.length, 4);
    payload.copy(frame, 8);
    this.transport.send(frame);
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

/** A decompressed name/value block: a count, then length-prefixed names and values. */
export function parseHeaderBlock(block: Buffer): Map<string, string> {
  const headers = new Map<string, string>();
  let offset = 0;
  const read = () => {
    const length = block.readUInt32BE(offset);
    const value = block.subarray(offset + 4, offset + 4 + length);
    if (value.length !== length) {
      throw new RangeError('truncated SPDY header block');
    }
    offset += 4 + length;
    return value.toString('utf8');
  };
  const count = block.readUInt32BE(0);
  offset = 4;
  for (let i = 0; i < count; i++) {
    const name = read().toLowerCase();
    // Several values are joined by NUL; the first is what Header.Get returns.
    headers.set(name, read().split('\0')[0]!);
  }
  return headers;
}

function adler32(data: Buffer): number {
  let a = 1;
  let b = 0;
  for (const byte of data) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}
