/**
 * A WebSocket client (RFC 6455) that carries one byte stream, for SPDY tunnelled through a
 * WebSocket as kubectl 1.31+ does (client-go's TunnelingConnection: message boundaries mean
 * nothing). Written for throughput rather than with `ws`, whose receiver gathers each message into
 * one new Buffer (a copy of every byte, and garbage for the collector) before handing it on: here
 * the payload of each binary frame is handed on in place, as views of the TLS socket's reads.
 *
 * The upgrade request is made with `https.request` and the options client-node's
 * `applyToHTTPSOptions` gives (TLS material, Authorization header, its agent), as `ws` gets them
 * from client-node's WebSocketHandler. Frames sent are masked with a random key each (RFC 6455
 * 5.3); server frames must not be masked. Pings are answered, a close is echoed.
 */
import { createHash, randomBytes, randomFillSync } from 'node:crypto';
import { isIP } from 'node:net';
import type { OnReadOpts } from 'node:net';
import { connect } from 'node:tls';
import type { ConnectionOptions, TLSSocket } from 'node:tls';
import type { KubeConfig } from '@kubernetes/client-node';
import { UpgradeRejectedError } from './errors.ts';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const OP = { continuation: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 } as const;
const MAX_REFUSAL_BODY = 64 * 1024;

/** The server chose no subprotocol, or one that was not offered. */
export class SubprotocolRefusedError extends Error {
  readonly chosen: string;

  constructor(chosen: string) {
    super(`The API server chose the WebSocket subprotocol "${chosen}", which was not offered.`);
    this.name = 'SubprotocolRefusedError';
    this.chosen = chosen;
  }
}

export interface WebSocketClose {
  readonly code: number;
  /** Lost (reset, TLS error, protocol error) rather than closed with a close frame. */
  readonly abnormal: boolean;
}

export class ByteWebSocket {
  readonly protocol: string;
  /**
   * Payload bytes of binary frames, in order, as views of the socket's reused read buffer: valid
   * only during the call.
   */
  onBytes: (bytes: Buffer) => void = () => undefined;
  /** Once, when the connection is gone. */
  onClose: (close: WebSocketClose) => void = () => undefined;
  /** The socket's buffer has drained (after `send` returned false). */
  onDrain: () => void = () => undefined;
  private readonly socket: TLSSocket;
  // Frame parsing state.
  private readonly head = Buffer.alloc(14);
  private headLength = 0;
  private headNeeded = 2;
  private inPayload = false;
  private remaining = 0;
  private opcode = 0;
  private controlParts: Buffer[] = [];
  private closeSent = false;
  private closed = false;
  private readonly maskPool = Buffer.alloc(4096);
  private maskOffset = 4096;

  /** `socket` reads into a reused buffer and hands each read to `receive`. */
  constructor(socket: TLSSocket, protocol: string) {
    this.socket = socket;
    this.protocol = protocol;
    socket.setNoDelay(true);
    socket.on('drain', () => this.onDrain());
    socket.on('error', () => undefined);
    socket.once('close', () => this.finish({ code: 1006, abnormal: true }));
  }

  get open(): boolean {
    return !this.closed && !this.closeSent;
  }

  /** Bytes written and not yet handed to the kernel. */
  get bufferedAmount(): number {
    return this.socket.writableLength;
  }

  /**
   * Sends `parts` as one binary frame. The parts are masked in place: the caller hands them over.
   * Returns false when the socket's buffer is over its high-water mark (wait for `onDrain`).
   */
  send(parts: readonly Buffer[]): boolean {
    if (!this.open) {
      return false;
    }
    return this.writeFrame(OP.binary, parts);
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  /** Sends a close frame; the server's answer (or its hanging up) ends the connection. */
  close(code = 1000): void {
    if (this.closed || this.closeSent) {
      return;
    }
    this.closeSent = true;
    const payload = Buffer.alloc(2);
    payload.writeUInt16BE(code, 0);
    this.writeFrame(OP.close, [payload]);
    // A server that never answers the close: end our side after a moment.
    setTimeout(() => this.socket.end(), 1_000).unref();
  }

  /** Drops the connection at once. */
  terminate(): void {
    this.socket.destroy();
    this.finish({ code: 1006, abnormal: true });
  }

  private finish(close: WebSocketClose): void {
    if (this.closed) {
      return;
    }
    this.closed = true;
    this.onClose(close);
  }

  private writeFrame(opcode: number, parts: readonly Buffer[]): boolean {
    let length = 0;
    for (const part of parts) {
      length += part.length;
    }
    const headLength = length < 126 ? 2 : length < 65536 ? 4 : 10;
    const head = Buffer.allocUnsafe(headLength + 4);
    head[0] = 0x80 | opcode;
    if (length < 126) {
      head[1] = 0x80 | length;
    } else if (length < 65536) {
      head[1] = 0x80 | 126;
      head.writeUInt16BE(length, 2);
    } else {
      head[1] = 0x80 | 127;
      head.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
      head.writeUInt32BE(length >>> 0, 6);
    }
    if (this.maskOffset + 4 > this.maskPool.length) {
      randomFillSync(this.maskPool);
      this.maskOffset = 0;
    }
    this.maskPool.copy(head, headLength, this.maskOffset, this.maskOffset + 4);
    this.maskOffset += 4;
    const key = head.readUInt32BE(headLength);
    let position = 0;
    for (const part of parts) {
      maskInPlace(part, key, position);
      position += part.length;
    }
    if (parts.length === 0) {
      return this.socket.write(head);
    }
    this.socket.cork();
    this.socket.write(head);
    let ok = true;
    for (const part of parts) {
      ok = this.socket.write(part);
    }
    this.socket.uncork();
    return ok;
  }

  /**
   * Bytes read from the server. They are a view of the socket's reused read buffer: `onBytes`
   * must use them before returning (write them out or copy them).
   */
  receive(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length && !this.closed) {
      if (!this.inPayload) {
        const take = Math.min(this.headNeeded - this.headLength, chunk.length - offset);
        chunk.copy(this.head, this.headLength, offset, offset + take);
        this.headLength += take;
        offset += take;
        if (this.headLength < this.headNeeded) {
          return;
        }
        if (!this.parseHead()) {
          continue;
        }
      }
      const take = Math.min(this.remaining, chunk.length - offset);
      const piece = chunk.subarray(offset, offset + take);
      offset += take;
      this.remaining -= take;
      if (this.opcode < OP.close) {
        if (piece.length > 0) {
          this.onBytes(piece);
        }
      } else {
        this.controlParts.push(Buffer.from(piece));
      }
      if (this.remaining === 0) {
        this.endFrame();
      }
    }
  }

  /** Reads the frame header gathered so far; false while more header bytes are needed. */
  private parseHead(): boolean {
    const second = this.head[1]!;
    if (this.headNeeded === 2) {
      const length = second & 0x7f;
      if (second & 0x80) {
        this.protocolError();
        return false;
      }
      if (length === 126 || length === 127) {
        this.headNeeded = length === 126 ? 4 : 10;
        return false;
      }
    }
    const code = second & 0x7f;
    this.remaining =
      code === 126
        ? this.head.readUInt16BE(2)
        : code === 127
          ? this.head.readUInt32BE(2) * 2 ** 32 + this.head.readUInt32BE(6)
          : code;
    const opcode = this.head[0]! & 0x0f;
    if (opcode !== OP.continuation) {
      this.opcode = opcode;
    }
    if (opcode >= OP.close && this.remaining > 125) {
      this.protocolError();
      return false;
    }
    this.headLength = 0;
    this.headNeeded = 2;
    this.inPayload = true;
    if (this.remaining === 0) {
      this.endFrame();
      return false;
    }
    return true;
  }

  private endFrame(): void {
    this.inPayload = false;
    const opcode = this.opcode;
    if (opcode < OP.close) {
      return;
    }
    const payload = Buffer.concat(this.controlParts);
    this.controlParts = [];
    if (opcode === OP.ping && this.open) {
      this.writeFrame(OP.pong, [Buffer.from(payload)]);
    } else if (opcode === OP.close) {
      const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
      if (!this.closeSent) {
        this.closeSent = true;
        this.writeFrame(OP.close, payload.length >= 2 ? [Buffer.from(payload.subarray(0, 2))] : []);
      }
      this.socket.end();
      this.finish({ code, abnormal: code !== 1000 && code !== 1005 });
    }
  }

  private protocolError(): void {
    this.socket.destroy();
    this.finish({ code: 1002, abnormal: true });
  }
}

/** XORs `data` with the 32-bit mask `key`, as if `data` started at byte `position` of the payload. */
export function maskInPlace(data: Buffer, key: number, position: number): void {
  const shift = (position & 3) * 8;
  // The key as it applies from this part's first byte.
  const rotated = shift === 0 ? key : ((key << shift) | (key >>> (32 - shift))) >>> 0;
  const keyBytes = [rotated >>> 24, (rotated >>> 16) & 0xff, (rotated >>> 8) & 0xff, rotated & 0xff];
  let i = 0;
  const length = data.length;
  // Unaligned head, byte by byte; then four bytes at a time through a 32-bit view.
  const misalign = (4 - ((data.byteOffset + i) & 3)) & 3;
  for (; i < Math.min(misalign, length); i++) {
    data[i]! ^= keyBytes[i & 3]!;
  }
  const words = (length - i) >>> 2;
  if (words > 0) {
    const view = new Uint32Array(data.buffer, data.byteOffset + i, words);
    // The key's bytes from offset i, read as a little-endian word (the machine's order).
    const k = [keyBytes[i & 3]!, keyBytes[(i + 1) & 3]!, keyBytes[(i + 2) & 3]!, keyBytes[(i + 3) & 3]!];
    const word = littleEndian
      ? (k[0]! | (k[1]! << 8) | (k[2]! << 16) | (k[3]! << 24)) >>> 0
      : (k[0]! << 24) | (k[1]! << 16) | (k[2]! << 8) | k[3]!;
    for (let w = 0; w < words; w++) {
      view[w]! ^= word;
    }
    i += words * 4;
  }
  for (; i < length; i++) {
    data[i]! ^= keyBytes[i & 3]!;
  }
}

const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** This client cannot reach the API server itself (a proxy, or plain HTTP): `ws` must. */
export class DirectConnectionUnsupportedError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'DirectConnectionUnsupportedError';
  }
}

/**
 * Opens a WebSocket to `path` on the current cluster of `kubeConfig`, offering `protocols`, on a
 * TLS connection of its own whose reads land in one reused buffer (`onread`): no allocation per
 * read, so a long download makes no garbage. The TLS material and the Authorization header are
 * those client-node's `applyToHTTPSOptions` gives. Rejects with an `UpgradeRejectedError`
 * (status and body) when the server answers without upgrading, with a `SubprotocolRefusedError`
 * when it upgrades to a subprotocol not offered (or none), with a
 * `DirectConnectionUnsupportedError` for a cluster behind a proxy or on plain HTTP, and with the
 * connection's error otherwise.
 */
export async function connectByteWebSocket(
  kubeConfig: KubeConfig,
  path: string,
  protocols: readonly string[],
  options: { handshakeTimeoutMs: number },
): Promise<ByteWebSocket> {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) {
    throw new Error('No cluster is defined.');
  }
  if (cluster.proxyUrl) {
    throw new DirectConnectionUnsupportedError('The cluster is reached through a proxy.');
  }
  const url = new URL(cluster.server);
  if (url.protocol !== 'https:') {
    throw new DirectConnectionUnsupportedError('The API server is not reached over HTTPS.');
  }
  const https: {
    headers?: Record<string, string>;
    auth?: string;
    ca?: Buffer;
    cert?: Buffer;
    key?: Buffer;
    pfx?: Buffer;
    passphrase?: string;
    rejectUnauthorized?: boolean;
    servername?: string;
  } = {};
  await kubeConfig.applyToHTTPSOptions(https as Parameters<KubeConfig['applyToHTTPSOptions']>[0]);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || 443);
  const key = randomBytes(16).toString('base64');
  const headers: Record<string, string> = {
    Host: url.host,
    'User-Agent': 'kubereach',
    ...(https.auth ? { Authorization: `Basic ${Buffer.from(https.auth).toString('base64')}` } : {}),
    ...https.headers,
    Connection: 'Upgrade',
    Upgrade: 'websocket',
    'Sec-WebSocket-Version': '13',
    'Sec-WebSocket-Key': key,
    'Sec-WebSocket-Protocol': protocols.join(', '),
  };
  const lines = [`GET ${url.pathname.replace(/\/+$/, '')}${path} HTTP/1.1`];
  for (const [name, value] of Object.entries(headers)) {
    if (/[\r\n]/.test(name + String(value))) {
      throw new Error(`The header ${name} holds a line break.`);
    }
    lines.push(`${name}: ${value}`);
  }
  const requestText = lines.join('\r\n') + '\r\n\r\n';

  return new Promise<ByteWebSocket>((resolve, reject) => {
    let settled = false;
    let route: (bytes: Buffer) => void = () => undefined;
    // `onread` is honoured by tls.connect (as by net.connect), though @types/node leaves it out.
    const connectOptions: ConnectionOptions & { onread: OnReadOpts } = {
      host,
      port,
      ...(https.servername !== undefined
        ? { servername: https.servername }
        : isIP(host)
          ? {}
          : { servername: host }),
      ...(https.ca ? { ca: https.ca } : {}),
      ...(https.cert ? { cert: https.cert } : {}),
      ...(https.key ? { key: https.key } : {}),
      ...(https.pfx ? { pfx: https.pfx } : {}),
      ...(https.passphrase !== undefined ? { passphrase: https.passphrase } : {}),
      ...(https.rejectUnauthorized !== undefined ? { rejectUnauthorized: https.rejectUnauthorized } : {}),
      ALPNProtocols: ['http/1.1'],
      onread: {
        buffer: Buffer.allocUnsafe(READ_BUFFER),
        callback: (count: number, buffer: Uint8Array): boolean => {
          route((buffer as Buffer).subarray(0, count));
          return true;
        },
      },
    };
    const socket = connect(connectOptions);
    const fail = (error: Error) => {
      if (!settled) {
        settled = true;
        socket.destroy();
        reject(error);
      }
    };
    socket.setTimeout(options.handshakeTimeoutMs, () => fail(new Error('Opening handshake has timed out')));
    socket.once('error', fail);
    socket.once('close', () => fail(new Error('socket hang up')));
    socket.once('secureConnect', () => socket.write(requestText));
    const handshake = new HandshakeReader();
    route = (bytes) => {
      const done = handshake.push(bytes);
      if (done === 'more') {
        return;
      }
      if (done instanceof Error) {
        fail(done);
        return;
      }
      const { status, headers: answer, rest } = done;
      if (status !== 101) {
        // The refusal's body (a Status) follows; read it to the end (or a bound).
        const body = new BodyReader(answer, rest);
        const finish = () => fail(new UpgradeRejectedError(status, body.text()));
        if (body.complete) {
          finish();
          return;
        }
        route = (more) => {
          body.push(more);
          if (body.complete) {
            finish();
          }
        };
        socket.removeAllListeners('close');
        socket.once('close', finish);
        return;
      }
      const accept = createHash('sha1')
        .update(key + GUID)
        .digest('base64');
      if (answer.get('sec-websocket-accept') !== accept) {
        fail(new Error('The API server answered the WebSocket upgrade with a wrong Sec-WebSocket-Accept.'));
        return;
      }
      const chosen = answer.get('sec-websocket-protocol') ?? '';
      if (!protocols.includes(chosen)) {
        fail(new SubprotocolRefusedError(chosen));
        return;
      }
      settled = true;
      socket.setTimeout(0);
      socket.removeAllListeners('error');
      socket.removeAllListeners('close');
      const ws = new ByteWebSocket(socket, chosen);
      route = (more) => ws.receive(more);
      if (rest.length > 0) {
        // Copied: the read buffer is reused.
        const early = Buffer.from(rest);
        queueMicrotask(() => ws.receive(early));
      }
      resolve(ws);
    };
  });
}

const READ_BUFFER = 64 * 1024;
const MAX_HANDSHAKE = 64 * 1024;

/** The status line and headers of the upgrade's answer. */
class HandshakeReader {
  private gathered = Buffer.alloc(0);

  push(bytes: Buffer): 'more' | Error | { status: number; headers: Map<string, string>; rest: Buffer } {
    this.gathered = Buffer.concat([this.gathered, bytes]);
    const end = this.gathered.indexOf('\r\n\r\n');
    if (end < 0) {
      return this.gathered.length > MAX_HANDSHAKE
        ? new Error('The API server sent an oversized answer.')
        : 'more';
    }
    const [statusLine, ...headerLines] = this.gathered.subarray(0, end).toString('latin1').split('\r\n');
    const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '');
    if (!match) {
      return new Error(`The API server sent no HTTP answer: ${(statusLine ?? '').slice(0, 80)}`);
    }
    const headers = new Map<string, string>();
    for (const line of headerLines) {
      const colon = line.indexOf(':');
      if (colon > 0) {
        headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
      }
    }
    return { status: Number(match[1]), headers, rest: this.gathered.subarray(end + 4) };
  }
}

/** A refusal's body: by Content-Length, chunked, or to the connection's end; at most 64 KiB kept. */
class BodyReader {
  private readonly length: number | undefined;
  private readonly chunked: boolean;
  private raw = Buffer.alloc(0);

  constructor(headers: Map<string, string>, first: Buffer) {
    const length = headers.get('content-length');
    this.length = length !== undefined ? Number(length) : undefined;
    this.chunked = /chunked/i.test(headers.get('transfer-encoding') ?? '');
    this.push(first);
  }

  get complete(): boolean {
    if (this.length !== undefined) {
      return this.raw.length >= this.length || this.raw.length >= MAX_REFUSAL_BODY;
    }
    if (this.chunked) {
      return (
        this.raw.includes('\r\n0\r\n\r\n') ||
        this.raw.subarray(0, 5).equals(Buffer.from('0\r\n\r\n')) ||
        this.raw.length >= MAX_REFUSAL_BODY
      );
    }
    return this.raw.length >= MAX_REFUSAL_BODY;
  }

  push(bytes: Buffer): void {
    if (this.raw.length < MAX_REFUSAL_BODY) {
      this.raw = Buffer.concat([this.raw, bytes]);
    }
  }

  text(): string {
    if (!this.chunked) {
      return this.raw.subarray(0, this.length ?? this.raw.length).toString('utf8');
    }
    const parts: Buffer[] = [];
    let offset = 0;
    while (offset < this.raw.length) {
      const lineEnd = this.raw.indexOf('\r\n', offset);
      const size = lineEnd < 0 ? 0 : parseInt(this.raw.subarray(offset, lineEnd).toString('latin1'), 16);
      if (!size) {
        break;
      }
      parts.push(this.raw.subarray(lineEnd + 2, lineEnd + 2 + size));
      offset = lineEnd + 2 + size + 2;
    }
    return Buffer.concat(parts).toString('utf8');
  }
}
