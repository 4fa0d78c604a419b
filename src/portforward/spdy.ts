/**
 * The SPDY/3.1 framing codec, both sides: frames to bytes and bytes to frames, the name/value
 * header blocks and their compression with the SPDY/3 dictionary. Pure (Buffers in, Buffers out;
 * `node:zlib` only for inflating a peer's compressed headers): the port-forward engine's client
 * session (`spdySession.ts`) and the sandbox's kubelet-side server both build on it.
 *
 * What kubectl speaks to the kubelet (moby/spdystream over client-go's TunnelingConnection): every
 * frame starts with 8 bytes. A control frame has the high bit set, the version (3) and a type, then
 * flags (8 bits) and a 24-bit length; a data frame has a 31-bit stream id, then flags and length.
 */
import { constants, createInflate } from 'node:zlib';
import type { Inflate } from 'node:zlib';

export const SPDY_VERSION = 3;

export const FRAME = {
  synStream: 1,
  synReply: 2,
  rstStream: 3,
  settings: 4,
  ping: 6,
  goAway: 7,
  headers: 8,
  windowUpdate: 9,
} as const;

/** FLAG_FIN, on data frames and SYN_STREAM / SYN_REPLY / HEADERS. */
export const FLAG_FIN = 0x01;
/** FLAG_UNIDIRECTIONAL on SYN_STREAM. */
export const FLAG_UNIDIRECTIONAL = 0x02;
/** The largest payload a frame's 24-bit length can carry. */
export const MAX_FRAME_PAYLOAD = (1 << 24) - 1;
/** A stream's (and the connection's) flow-control window until SETTINGS says otherwise. */
export const DEFAULT_WINDOW = 64 * 1024;
/** SETTINGS id of the initial per-stream window. */
export const SETTINGS_INITIAL_WINDOW_SIZE = 7;

/** RST_STREAM status codes. */
export const RST = {
  protocolError: 1,
  invalidStream: 2,
  refusedStream: 3,
  unsupportedVersion: 4,
  cancel: 5,
  internalError: 6,
  flowControlError: 7,
} as const;

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

// ---- frames out --------------------------------------------------------------------------------

/** A data frame: `payload` (at most MAX_FRAME_PAYLOAD bytes) on stream `id`. */
export function encodeData(id: number, payload: Buffer, fin = false): Buffer {
  if (payload.length > MAX_FRAME_PAYLOAD) {
    throw new RangeError(`a SPDY data frame carries at most ${MAX_FRAME_PAYLOAD} bytes`);
  }
  const frame = Buffer.allocUnsafe(8 + payload.length);
  frame.writeUInt32BE(id & 0x7fffffff, 0);
  frame.writeUInt32BE((((fin ? FLAG_FIN : 0) << 24) | payload.length) >>> 0, 4);
  payload.copy(frame, 8);
  return frame;
}

export function encodeControl(type: number, flags: number, payload: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(8 + payload.length);
  frame.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  frame.writeUInt16BE(type, 2);
  frame.writeUInt32BE(((flags << 24) | payload.length) >>> 0, 4);
  payload.copy(frame, 8);
  return frame;
}

/** SYN_STREAM; `headerBlock` is already compressed (see `HeaderCompressor`). */
export function encodeSynStream(
  id: number,
  headerBlock: Buffer,
  options: { fin?: boolean; unidirectional?: boolean; associatedId?: number; priority?: number } = {},
): Buffer {
  const payload = Buffer.alloc(10 + headerBlock.length);
  payload.writeUInt32BE(id & 0x7fffffff, 0);
  payload.writeUInt32BE((options.associatedId ?? 0) & 0x7fffffff, 4);
  payload[8] = ((options.priority ?? 0) & 0x07) << 5;
  headerBlock.copy(payload, 10);
  const flags = (options.fin ? FLAG_FIN : 0) | (options.unidirectional ? FLAG_UNIDIRECTIONAL : 0);
  return encodeControl(FRAME.synStream, flags, payload);
}

/** SYN_REPLY; `headerBlock` is already compressed. */
export function encodeSynReply(id: number, headerBlock: Buffer, fin = false): Buffer {
  const payload = Buffer.alloc(4 + headerBlock.length);
  payload.writeUInt32BE(id & 0x7fffffff, 0);
  headerBlock.copy(payload, 4);
  return encodeControl(FRAME.synReply, fin ? FLAG_FIN : 0, payload);
}

export function encodeRstStream(id: number, status: number): Buffer {
  const payload = Buffer.alloc(8);
  payload.writeUInt32BE(id & 0x7fffffff, 0);
  payload.writeUInt32BE(status, 4);
  return encodeControl(FRAME.rstStream, 0, payload);
}

export function encodePing(id: number): Buffer {
  const payload = Buffer.alloc(4);
  payload.writeUInt32BE(id >>> 0, 0);
  return encodeControl(FRAME.ping, 0, payload);
}

export function encodeGoAway(lastGoodStreamId: number, status: number): Buffer {
  const payload = Buffer.alloc(8);
  payload.writeUInt32BE(lastGoodStreamId & 0x7fffffff, 0);
  payload.writeUInt32BE(status, 4);
  return encodeControl(FRAME.goAway, 0, payload);
}

export function encodeWindowUpdate(id: number, delta: number): Buffer {
  const payload = Buffer.alloc(8);
  payload.writeUInt32BE(id & 0x7fffffff, 0);
  payload.writeUInt32BE(delta & 0x7fffffff, 4);
  return encodeControl(FRAME.windowUpdate, 0, payload);
}

export function encodeSettings(
  entries: ReadonlyArray<{ id: number; value: number; flags?: number }>,
): Buffer {
  const payload = Buffer.alloc(4 + 8 * entries.length);
  payload.writeUInt32BE(entries.length, 0);
  entries.forEach((entry, index) => {
    payload.writeUInt32BE((((entry.flags ?? 0) << 24) | (entry.id & 0xffffff)) >>> 0, 4 + 8 * index);
    payload.writeUInt32BE(entry.value >>> 0, 8 + 8 * index);
  });
  return encodeControl(FRAME.settings, 0, payload);
}

// ---- frames in ---------------------------------------------------------------------------------

export type SpdyFrame =
  | { readonly kind: 'data'; readonly streamId: number; readonly flags: number; readonly payload: Buffer }
  | { readonly kind: 'control'; readonly type: number; readonly flags: number; readonly payload: Buffer };

/**
 * Cuts a byte stream (whatever its chunking: WebSocket messages mean nothing) into frames. The
 * payloads handed out are views of the received chunks: copy them to keep them past the call.
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;

  push(bytes: Buffer): void {
    if (bytes.length > 0) {
      this.chunks.push(bytes);
      this.buffered += bytes.length;
    }
  }

  /** The next whole frame, or undefined until more bytes are pushed. */
  next(): SpdyFrame | undefined {
    if (this.buffered < 8) {
      return undefined;
    }
    const head = this.chunks[0]!.length >= 8 ? this.chunks[0]! : this.join();
    const length = head.readUInt32BE(4) & 0xffffff;
    if (this.buffered < 8 + length) {
      return undefined;
    }
    const frame = this.take(8 + length);
    const word = frame.readUInt32BE(0);
    const flags = frame[4]!;
    const payload = frame.subarray(8);
    if ((word & 0x80000000) === 0) {
      return { kind: 'data', streamId: word & 0x7fffffff, flags, payload };
    }
    return { kind: 'control', type: word & 0xffff, flags, payload };
  }

  private join(): Buffer {
    const all = Buffer.concat(this.chunks, this.buffered);
    this.chunks = [all];
    return all;
  }

  private take(length: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length >= length) {
      if (first.length === length) {
        this.chunks.shift();
      } else {
        this.chunks[0] = first.subarray(length);
      }
      this.buffered -= length;
      return first.subarray(0, length);
    }
    const all = this.join();
    this.chunks = all.length > length ? [all.subarray(length)] : [];
    this.buffered -= length;
    return all.subarray(0, length);
  }
}

/** The stream id a SYN_STREAM, SYN_REPLY, RST_STREAM, HEADERS or WINDOW_UPDATE payload starts with. */
export function controlStreamId(payload: Buffer): number {
  return payload.readUInt32BE(0) & 0x7fffffff;
}

/** Where the compressed header block of a SYN_STREAM (10), SYN_REPLY or HEADERS (4) starts. */
export function headerBlockOffset(type: number): number {
  return type === FRAME.synStream ? 10 : 4;
}

// ---- header blocks -----------------------------------------------------------------------------

/** An uncompressed name/value block: a count, then length-prefixed names and values. */
export function encodeHeaderBlock(headers: Iterable<readonly [string, string]>): Buffer {
  const entries = [...headers];
  const parts: Buffer[] = [Buffer.alloc(4)];
  parts[0]!.writeUInt32BE(entries.length, 0);
  for (const [name, value] of entries) {
    for (const text of [name.toLowerCase(), value]) {
      const bytes = Buffer.from(text, 'utf8');
      const length = Buffer.alloc(4);
      length.writeUInt32BE(bytes.length, 0);
      parts.push(length, bytes);
    }
  }
  return Buffer.concat(parts);
}

/** A decompressed name/value block; names lower-cased; of values joined by NUL, the first. */
export function parseHeaderBlock(block: Buffer): Map<string, string> {
  const headers = new Map<string, string>();
  let offset = 0;
  const read = () => {
    if (offset + 4 > block.length) {
      throw new RangeError('truncated SPDY header block');
    }
    const length = block.readUInt32BE(offset);
    const value = block.subarray(offset + 4, offset + 4 + length);
    if (value.length !== length) {
      throw new RangeError('truncated SPDY header block');
    }
    offset += 4 + length;
    return value.toString('utf8');
  };
  if (block.length < 4) {
    throw new RangeError('truncated SPDY header block');
  }
  const count = block.readUInt32BE(0);
  offset = 4;
  for (let i = 0; i < count; i++) {
    const name = read().toLowerCase();
    headers.set(name, read().split('\0')[0]!);
  }
  return headers;
}

/**
 * The sending side of a connection's header compression: one zlib stream primed with the SPDY
 * dictionary for the connection's life, each block ending on a sync flush. Blocks go out as stored
 * (uncompressed) deflate blocks, which every inflater reads, so this needs no zlib state: the first
 * block starts the zlib stream with the dictionary's id, as a compressor primed with it would.
 */
export class HeaderCompressor {
  private started = false;

  compress(block: Buffer): Buffer {
    const parts: Buffer[] = [];
    if (!this.started) {
      this.started = true;
      const header = Buffer.alloc(6);
      // CMF 0x78 (deflate, 32K window), FLG with FDICT and FLEVEL 3, checksummed to a multiple of 31.
      header[0] = 0x78;
      header[1] = 0xe0 + (31 - ((0x78 * 256 + 0xe0) % 31));
      header.writeUInt32BE(adler32(SPDY_DICTIONARY), 2);
      parts.push(header);
    }
    for (let offset = 0; offset < block.length; offset += 0xffff) {
      parts.push(storedBlock(block.subarray(offset, offset + 0xffff)));
    }
    // The empty stored block a sync flush writes: Go's inflater hands out a block's bytes only
    // once it has read the next block's header.
    parts.push(storedBlock(Buffer.alloc(0)));
    return Buffer.concat(parts);
  }
}

function storedBlock(data: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head[0] = 0x00; // BFINAL 0, BTYPE 00 (stored)
  head.writeUInt16LE(data.length, 1);
  head.writeUInt16LE(~data.length & 0xffff, 3);
  return Buffer.concat([head, data]);
}

/**
 * The receiving side: one inflate context with the SPDY dictionary for the connection's life.
 * Blocks are decompressed in the order given; `done` gets the parsed headers, or an Error when
 * the block is not valid (a protocol error for the connection).
 */
export class HeaderDecompressor {
  private readonly inflate: Inflate;
  private failed: Error | undefined;
  private destroyed = false;
  /** The callback of the block being decompressed (one at a time: callers wait for it). */
  private pending: ((result: Map<string, string> | Error) => void) | undefined;

  constructor() {
    this.inflate = createInflate({ dictionary: SPDY_DICTIONARY });
    this.inflate.on('error', (error: Error) => {
      this.failed = error;
      const done = this.pending;
      this.pending = undefined;
      done?.(error);
    });
  }

  decompress(block: Buffer, done: (result: Map<string, string> | Error) => void): void {
    if (this.failed || this.destroyed) {
      done(this.failed ?? new Error('the header decompressor is closed'));
      return;
    }
    this.pending = done;
    this.inflate.write(block);
    this.inflate.flush(constants.Z_SYNC_FLUSH, () => {
      if (this.destroyed || this.pending !== done) {
        return;
      }
      this.pending = undefined;
      const out: Buffer[] = [];
      for (
        let chunk = this.inflate.read() as Buffer | null;
        chunk;
        chunk = this.inflate.read() as Buffer | null
      ) {
        out.push(chunk);
      }
      try {
        done(parseHeaderBlock(Buffer.concat(out)));
      } catch (error) {
        done(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  destroy(): void {
    this.destroyed = true;
    this.pending = undefined;
    this.inflate.destroy();
  }
}

export function adler32(data: Buffer): number {
  let a = 1;
  let b = 0;
  for (const byte of data) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}
