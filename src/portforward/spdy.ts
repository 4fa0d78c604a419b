/**
 * The SPDY/3.1 framing that `kubectl port-forward` and the kubelet speak (moby/spdystream), both
 * sides, pure (Buffers in, Buffers out): frame builders, a streaming frame reader, name/value header
 * blocks and the SPDY/3 header dictionary. The engine's client session (`spdySession.ts`) and the
 * sandbox's kubelet side (sandbox/streams/spdy.ts) build on it.
 *
 * Every frame starts with 8 bytes. A control frame has the high bit set, the version (3) and a
 * type, then flags (8 bits) and a 24-bit length; a data frame has a 31-bit stream id, then flags
 * and length.
 *
 * Header blocks are one zlib stream per direction for the connection's life, primed with the
 * dictionary. This side writes its blocks as stored (uncompressed) deflate blocks, each followed
 * by the empty stored block a sync flush writes (Go's inflater hands out a block's bytes only once
 * it has read the next block's header), so no compressor state is needed and a block is built
 * synchronously; any zlib reader, spdystream's included, reads them.
 */

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
/** The largest payload a frame's 24-bit length can carry. */
export const MAX_FRAME_PAYLOAD = (1 << 24) - 1;
/** Control frames this side reads are small; a larger one is a protocol error. */
export const MAX_CONTROL_PAYLOAD = 1 << 20;

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

/** Adler-32, the checksum a zlib header names its preset dictionary by. */
export function adler32(data: Buffer): number {
  let a = 1;
  let b = 0;
  for (const byte of data) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** The 2-byte zlib header of a stream primed with the dictionary (FDICT), then the dictionary's id. */
function zlibDictionaryHeader(): Buffer {
  const header = Buffer.alloc(6);
  // CMF 0x78 (deflate, 32K window), FLG with FDICT and FLEVEL 3, checksummed to a multiple of 31.
  header[0] = 0x78;
  header[1] = 0xe0 + (31 - ((0x78 * 256 + 0xe0) % 31));
  header.writeUInt32BE(adler32(SPDY_DICTIONARY), 2);
  return header;
}

/** A decompressed name/value block: a count, then length-prefixed names and values. */
export function encodeHeaderBlock(headers: ReadonlyArray<readonly [string, string]>): Buffer {
  const parts: Buffer[] = [Buffer.alloc(4)];
  parts[0]!.writeUInt32BE(headers.length, 0);
  for (const [name, value] of headers) {
    for (const text of [name.toLowerCase(), value]) {
      const bytes = Buffer.from(text, 'utf8');
      const length = Buffer.alloc(4);
      length.writeUInt32BE(bytes.length, 0);
      parts.push(length, bytes);
    }
  }
  return Buffer.concat(parts);
}

/** A decompressed name/value block read back; several values (joined by NUL) give the first. */
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
    headers.set(name, read().split('\0')[0]!);
  }
  return headers;
}

/**
 * One direction's header compression stream, written as stored deflate blocks (see the module
 * comment). `next(block)` gives the bytes that carry `block` in the connection's zlib stream.
 */
export class StoredHeaderStream {
  private started = false;

  next(block: Buffer): Buffer {
    const parts: Buffer[] = [];
    if (!this.started) {
      this.started = true;
      parts.push(zlibDictionaryHeader());
    }
    for (let offset = 0; offset < block.length || offset === 0; offset += 0xffff) {
      const piece = block.subarray(offset, offset + 0xffff);
      const head = Buffer.alloc(5);
      head[0] = 0x00; // BFINAL 0, BTYPE 00 (stored), padded to the byte
      head.writeUInt16LE(piece.length, 1);
      head.writeUInt16LE(~piece.length & 0xffff, 3);
      parts.push(head, piece);
      if (block.length === 0) {
        break;
      }
    }
    // The empty stored block of a sync flush.
    parts.push(Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff]));
    return Buffer.concat(parts);
  }
}

// ---- frames out ------------------------------------------------------------------------------

export function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(8 + payload.length);
  frame.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  frame.writeUInt16BE(type, 2);
  frame.writeUInt32BE(((flags << 24) | payload.length) >>> 0, 4);
  payload.copy(frame, 8);
  return frame;
}

/** The 8-byte header of a data frame whose payload follows separately (no copy of the payload). */
export function dataFrameHeader(id: number, length: number, fin: boolean): Buffer {
  const head = Buffer.allocUnsafe(8);
  head.writeUInt32BE(id & 0x7fffffff, 0);
  head.writeUInt32BE((((fin ? FLAG_FIN : 0) << 24) | length) >>> 0, 4);
  return head;
}

/** SYN_STREAM: the stream id, no associated stream, priority 0, then the compressed headers. */
export function synStreamFrame(id: number, fin: boolean, compressedHeaders: Buffer): Buffer {
  const payload = Buffer.alloc(10 + compressedHeaders.length);
  payload.writeUInt32BE(id & 0x7fffffff, 0);
  compressedHeaders.copy(payload, 10);
  return controlFrame(FRAME.synStream, fin ? FLAG_FIN : 0, payload);
}

export function synReplyFrame(id: number, compressedHeaders: Buffer): Buffer {
  const payload = Buffer.alloc(4 + compressedHeaders.length);
  payload.writeUInt32BE(id & 0x7fffffff, 0);
  compressedHeaders.copy(payload, 4);
  return controlFrame(FRAME.synReply, 0, payload);
}

export function rstStreamFrame(id: number, status: number): Buffer {
  const payload = Buffer.alloc(8);
  payload.writeUInt32BE(id & 0x7fffffff, 0);
  payload.writeUInt32BE(status, 4);
  return controlFrame(FRAME.rstStream, 0, payload);
}

export function goAwayFrame(lastGoodStreamId: number, status: number): Buffer {
  const payload = Buffer.alloc(8);
  payload.writeUInt32BE(lastGoodStreamId & 0x7fffffff, 0);
  payload.writeUInt32BE(status, 4);
  return controlFrame(FRAME.goAway, 0, payload);
}

// ---- frames in -------------------------------------------------------------------------------

export interface SpdyFrameHandler {
  /**
   * A piece of a data frame's payload, as it arrives: a view of the bytes given to `push`, valid
   * only during the call. A frame's payload may come in several pieces.
   */
  data(id: number, piece: Buffer): void;
  /** The end of a data frame (after its pieces), with its FIN flag. */
  dataEnd(id: number, fin: boolean): void;
  /** A whole control frame. */
  control(type: number, flags: number, payload: Buffer): void;
}

/**
 * Reads frames from a byte stream cut anywhere. Data payloads are handed on in place, never
 * gathered or copied; only frame headers and (small) control frames are.
 */
export class SpdyFrameReader {
  private readonly handler: SpdyFrameHandler;
  private readonly head = Buffer.alloc(8);
  private headLength = 0;
  /** Payload bytes of the current frame still to come. */
  private remaining = 0;
  private inFrame = false;
  private isData = false;
  private id = 0;
  private type = 0;
  private flags = 0;
  private control: Buffer[] = [];

  constructor(handler: SpdyFrameHandler) {
    this.handler = handler;
  }

  /** Throws a RangeError on a control frame larger than `MAX_CONTROL_PAYLOAD`. */
  push(bytes: Buffer): void {
    let offset = 0;
    while (offset < bytes.length) {
      if (!this.inFrame) {
        const take = Math.min(8 - this.headLength, bytes.length - offset);
        bytes.copy(this.head, this.headLength, offset, offset + take);
        this.headLength += take;
        offset += take;
        if (this.headLength < 8) {
          return;
        }
        this.startFrame();
        continue;
      }
      const take = Math.min(this.remaining, bytes.length - offset);
      const piece = bytes.subarray(offset, offset + take);
      offset += take;
      this.remaining -= take;
      if (this.isData) {
        this.handler.data(this.id, piece);
      } else {
        // Kept past this call: copied (the bytes may be a reused read buffer).
        this.control.push(Buffer.from(piece));
      }
      if (this.remaining === 0) {
        this.endFrame();
      }
    }
  }

  private startFrame(): void {
    this.headLength = 0;
    this.inFrame = true;
    const word = this.head.readUInt32BE(0);
    this.flags = this.head[4]!;
    this.remaining = this.head.readUInt32BE(4) & 0xffffff;
    this.isData = (word & 0x80000000) === 0;
    this.id = word & 0x7fffffff;
    this.type = word & 0xffff;
    if (!this.isData && this.remaining > MAX_CONTROL_PAYLOAD) {
      throw new RangeError(`SPDY control frame of ${this.remaining} bytes`);
    }
    if (this.remaining === 0) {
      this.endFrame();
    }
  }

  private endFrame(): void {
    this.inFrame = false;
    if (this.isData) {
      this.handler.dataEnd(this.id, (this.flags & FLAG_FIN) !== 0);
      return;
    }
    const payload = this.control.length === 1 ? this.control[0]! : Buffer.concat(this.control);
    this.control = [];
    this.handler.control(this.type, this.flags, payload);
  }
}
