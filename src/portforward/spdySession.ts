/**
 * The port-forward connections to one Pod over one SPDY/3.1 session, tunnelled through one
 * WebSocket (subprotocol `SPDY/3.1+portforward.k8s.io`), as kubectl 1.31+ does: one TLS handshake
 * and upgrade per Pod instead of one per connection.
 *
 * Per local connection, as kubectl: an error stream (`streamtype: error`, half-closed at once) and
 * a data stream (`streamtype: data`), both with `port` and `requestid` headers; the kubelet pairs
 * them. The data stream carries the bytes both ways and a FIN each way half-closes; what the
 * kubelet writes to the error stream ("connection refused") is kept and reported, and resets the
 * local connection. A local connection reset or closed early resets its streams (RST_STREAM);
 * a stream the kubelet resets resets its local connection.
 *
 * Flow control: the kubelet's SPDY (moby/spdystream) neither sends nor honours WINDOW_UPDATE, and
 * neither does kubectl; a per-stream window would stall at 64 KiB against a real kubelet. So, as
 * kubectl, backpressure is the transport's: Pod → local, the WebSocket stops being read while a
 * local connection holds more than `STREAM_BUFFER` unsent (TCP then pushes back on the kubelet);
 * local → Pod, a local connection stops being read while the WebSocket holds more than
 * `SEND_BUFFER`, until it drains.
 *
 * `SpdySessions` keeps one session per Pod (by uid) for one forward: opened on first use, shared by
 * concurrent opens, closed after `idleMs` without streams, on `closePod` and on `dispose`. A session
 * the server lost resets its connections; the next connection opens a new one.
 */
import type { Socket } from 'node:net';
import type { KubeConfig } from '@kubernetes/client-node';
import { CoalescingWriter } from './coalescingWriter.ts';
import { UpgradeRejectedError } from './errors.ts';
import { resetSocket } from './listener.ts';
import {
  dataFrameHeader,
  encodeHeaderBlock,
  FRAME,
  goAwayFrame,
  MAX_FRAME_PAYLOAD,
  RST,
  rstStreamFrame,
  SpdyFrameReader,
  StoredHeaderStream,
  synStreamFrame,
  controlFrame,
} from './spdy.ts';
import {
  connectByteWebSocket,
  DirectConnectionUnsupportedError,
  SubprotocolRefusedError,
} from './webSocketClient.ts';
import type { ByteWebSocket } from './webSocketClient.ts';

export const SPDY_TUNNEL_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';

/** Unsent bytes a local connection may hold before the session stops reading the WebSocket. */
const STREAM_BUFFER = 4 * 1024 * 1024;
/** Unsent bytes the WebSocket may hold before local connections stop being read. */
const SEND_BUFFER = 4 * 1024 * 1024;
/** The largest DATA frame sent (local reads are at most 64 KiB; this bounds a larger one). */
const MAX_DATA_FRAME = Math.min(MAX_FRAME_PAYLOAD, 256 * 1024);
const MAX_ERROR_TEXT = 4096;
const LAST_STREAM_ID = 0x7fffffff;

/** API servers (by URL) that answered the SPDY offer as one without the tunnelling subprotocol. */
const withoutSpdy = new Set<string>();

/**
 * True when `error`, from opening a session, says the API server does not tunnel SPDY (older than
 * 1.30, or the PortForwardWebsockets gate off): an upgrade to another subprotocol, or a 400 for the
 * ports missing from the query (the kubelet's WebSocket handler answers `query parameter "port" is
 * required`; a 400 for a Pod that is not running is no such answer). Also when this client cannot
 * open the connection itself (a proxy): client-node's `ws` path does.
 */
export function isSpdyUnsupported(error: unknown): boolean {
  return (
    error instanceof SubprotocolRefusedError ||
    error instanceof DirectConnectionUnsupportedError ||
    (error instanceof UpgradeRejectedError &&
      error.statusCode === 400 &&
      /query parameter "?ports?"? is required|invalid port in query/i.test(error.body))
  );
}

export interface SpdyPairHooks {
  readonly bytesIn?: (count: number) => void;
  readonly bytesOut?: (count: number) => void;
  /** Once, when the pair is over. */
  readonly closed?: (end: { errorChannel?: string; abnormal: boolean; aborted: boolean }) => void;
}

/** One local connection's error + data stream pair. */
export class SpdyPair {
  readonly dataId: number;
  readonly errorId: number;
  private readonly session: SpdySession;
  private readonly socket: Socket | undefined;
  private readonly hooks: SpdyPairHooks;
  private errorText = '';
  private remoteDataDone = false;
  private errorDone = false;
  private localFinSent = false;
  private ended = false;
  private abortedFlag = false;
  private blocking = false;
  private writer: CoalescingWriter | undefined;

  constructor(session: SpdySession, errorId: number, socket: Socket | undefined, hooks: SpdyPairHooks) {
    this.session = session;
    this.errorId = errorId;
    this.dataId = errorId + 2;
    this.socket = socket;
    this.hooks = hooks;
  }

  get errorChannel(): string {
    return this.errorText;
  }

  get aborted(): boolean {
    return this.abortedFlag;
  }

  /** Joins the local socket (if any) to the data stream. */
  attach(): void {
    const socket = this.socket;
    if (!socket) {
      return;
    }
    socket.on('data', (chunk: Buffer) => {
      if (this.localFinSent || this.remoteDataDone) {
        return;
      }
      this.hooks.bytesOut?.(chunk.length);
      if (!this.session.sendData(this.dataId, chunk, false)) {
        this.session.pauseUntilDrained(socket);
      }
    });
    socket.on('end', () => this.sendFin());
    socket.once('close', () => this.onLocalClose());
    socket.resume();
  }

  /** Pod → local; `piece` is a view of the WebSocket's reused read buffer (copied here). */
  data(piece: Buffer): void {
    const socket = this.socket;
    if (!socket || socket.destroyed || !socket.writable) {
      return;
    }
    this.hooks.bytesIn?.(piece.length);
    this.writer ??= this.makeWriter(socket);
    this.writer.write(piece);
  }

  private makeWriter(socket: Socket): CoalescingWriter {
    const writer = new CoalescingWriter(socket);
    writer.onWrite = (buffered) => {
      if (!this.blocking && buffered > STREAM_BUFFER) {
        this.blocking = true;
        this.session.block(this);
        socket.once('drain', () => this.unblock());
      }
    };
    return writer;
  }

  dataFin(): void {
    if (this.remoteDataDone) {
      return;
    }
    this.remoteDataDone = true;
    this.settleLocal();
  }

  errorData(piece: Buffer): void {
    if (this.errorText.length < MAX_ERROR_TEXT) {
      this.errorText += piece.toString('utf8');
    }
  }

  errorFin(): void {
    this.errorDone = true;
    if (this.errorText.trim() !== '') {
      this.remoteDataDone = true;
      this.settleLocal();
    }
    this.maybeDone();
  }

  /** The kubelet reset a stream of the pair. */
  remoteReset(): void {
    this.remoteDataDone = true;
    this.errorDone = true;
    this.session.forget(this);
    if (this.socket) {
      resetSocket(this.socket);
    }
    this.finish(true);
  }

  /** The session is gone. */
  lost(): void {
    this.remoteDataDone = true;
    this.errorDone = true;
    if (this.socket) {
      resetSocket(this.socket);
    }
    this.finish(true);
  }

  /** Ends the pair at once: both streams reset, the local connection reset. */
  abort(): void {
    if (this.ended) {
      return;
    }
    this.abortedFlag = true;
    this.resetStreams();
    if (this.socket) {
      resetSocket(this.socket);
    }
    this.finish(true);
  }

  /** Closes a probe (no local connection) normally. */
  close(): void {
    if (this.ended) {
      return;
    }
    this.sendFin();
    this.resetStreams();
    this.finish(false);
  }

  private unblock(): void {
    if (this.blocking) {
      this.blocking = false;
      this.session.unblock(this);
    }
  }

  private sendFin(): void {
    if (!this.localFinSent && !this.ended) {
      this.localFinSent = true;
      this.session.sendData(this.dataId, Buffer.alloc(0), true);
      this.maybeDone();
    }
  }

  /** The Pod side is done: end the local connection, or reset it when the kubelet said why. */
  private settleLocal(): void {
    const socket = this.socket;
    this.writer?.flush();
    if (socket && !socket.destroyed) {
      if (this.errorText.trim() !== '') {
        resetSocket(socket);
      } else {
        socket.end();
      }
    }
    this.maybeDone();
  }

  private maybeDone(): void {
    if (this.remoteDataDone && this.errorDone && (this.localFinSent || !this.socket)) {
      this.session.forget(this);
      if (!this.socket) {
        this.finish(false);
      }
    }
  }

  private onLocalClose(): void {
    if (!(this.remoteDataDone && this.errorDone && this.localFinSent)) {
      this.resetStreams();
    }
    this.finish(false);
  }

  private resetStreams(): void {
    if (!this.remoteDataDone || !this.localFinSent) {
      this.session.sendFrame(rstStreamFrame(this.dataId, RST.cancel));
    }
    if (!this.errorDone) {
      this.session.sendFrame(rstStreamFrame(this.errorId, RST.cancel));
    }
    this.remoteDataDone = true;
    this.errorDone = true;
    this.localFinSent = true;
    this.session.forget(this);
  }

  private finish(abnormal: boolean): void {
    if (this.ended) {
      return;
    }
    this.ended = true;
    this.unblock();
    this.session.forget(this);
    const errorChannel = this.errorText.trim();
    this.hooks.closed?.({
      ...(errorChannel !== '' ? { errorChannel } : {}),
      abnormal,
      aborted: this.abortedFlag,
    });
  }
}

export class SpdySession {
  /** No new streams: the server sent GOAWAY, ids ran out, or the session is closing. */
  draining = false;
  onIdle: () => void = () => undefined;
  onGone: () => void = () => undefined;
  private readonly ws: ByteWebSocket;
  private readonly reader: SpdyFrameReader;
  private readonly headerStream = new StoredHeaderStream();
  private readonly pairs = new Map<number, SpdyPair>();
  private readonly blocked = new Set<SpdyPair>();
  private readonly pausedSockets = new Set<Socket>();
  private nextId = 1;
  private nextRequestId = 0;
  private gone = false;

  constructor(ws: ByteWebSocket) {
    this.ws = ws;
    this.reader = new SpdyFrameReader({
      data: (id, piece) => {
        const pair = this.pairs.get(id);
        if (pair?.dataId === id) {
          pair.data(piece);
        } else if (pair) {
          pair.errorData(piece);
        }
      },
      dataEnd: (id, fin) => {
        const pair = this.pairs.get(id);
        if (fin && pair) {
          if (pair.dataId === id) {
            pair.dataFin();
          } else {
            pair.errorFin();
          }
        }
      },
      control: (type, _flags, payload) => this.control(type, payload),
    });
    ws.onBytes = (bytes) => {
      try {
        this.reader.push(bytes);
      } catch {
        this.close(RST.protocolError);
        ws.terminate();
      }
    };
    ws.onDrain = () => {
      for (const socket of this.pausedSockets) {
        socket.resume();
      }
      this.pausedSockets.clear();
    };
    ws.onClose = () => this.lose();
  }

  get streams(): number {
    return new Set(this.pairs.values()).size;
  }

  /** Opens a stream pair to `port` for `socket` (undefined: a probe). */
  openPair(port: number, socket: Socket | undefined, hooks: SpdyPairHooks): SpdyPair {
    if (this.gone || this.draining) {
      throw new Error('The SPDY session is closing.');
    }
    const errorId = this.nextId;
    this.nextId += 4;
    if (this.nextId >= LAST_STREAM_ID) {
      this.draining = true;
    }
    const requestId = String(this.nextRequestId++);
    const pair = new SpdyPair(this, errorId, socket, hooks);
    this.pairs.set(errorId, pair);
    this.pairs.set(pair.dataId, pair);
    const headers = (type: string) =>
      this.headerStream.next(
        encodeHeaderBlock([
          ['streamtype', type],
          ['port', String(port)],
          ['requestid', requestId],
        ]),
      );
    // kubectl half-closes the error stream at once: nothing is ever sent on it. Both streams go in
    // one WebSocket frame (one TLS record, one write).
    if (this.ws.open) {
      this.ws.send([
        synStreamFrame(errorId, true, headers('error')),
        synStreamFrame(pair.dataId, false, headers('data')),
      ]);
    }
    pair.attach();
    return pair;
  }

  /** Sends a DATA frame (the payload is masked in place: handed over). False: the WebSocket is full. */
  sendData(id: number, payload: Buffer, fin: boolean): boolean {
    if (!this.ws.open) {
      return true;
    }
    for (let offset = MAX_DATA_FRAME; offset < payload.length; offset += MAX_DATA_FRAME) {
      const piece = payload.subarray(offset - MAX_DATA_FRAME, offset);
      this.ws.send([dataFrameHeader(id, piece.length, false), piece]);
    }
    const last = payload.subarray(
      Math.floor(Math.max(payload.length - 1, 0) / MAX_DATA_FRAME) * MAX_DATA_FRAME,
    );
    this.ws.send(
      last.length > 0 ? [dataFrameHeader(id, last.length, fin), last] : [dataFrameHeader(id, 0, fin)],
    );
    return this.ws.bufferedAmount <= SEND_BUFFER;
  }

  sendFrame(frame: Buffer): void {
    if (this.ws.open) {
      this.ws.send([frame]);
    }
  }

  pauseUntilDrained(socket: Socket): void {
    if (!this.pausedSockets.has(socket)) {
      this.pausedSockets.add(socket);
      socket.pause();
    }
  }

  block(pair: SpdyPair): void {
    this.blocked.add(pair);
    this.ws.pause();
  }

  unblock(pair: SpdyPair): void {
    if (this.blocked.delete(pair) && this.blocked.size === 0) {
      this.ws.resume();
    }
  }

  forget(pair: SpdyPair): void {
    this.pairs.delete(pair.errorId);
    this.pairs.delete(pair.dataId);
    this.unblock(pair);
    if (this.pairs.size === 0 && !this.gone) {
      this.onIdle();
    }
  }

  /** Closes the session: its connections are reset, the server told with GOAWAY. */
  close(status = 0): void {
    if (this.gone) {
      return;
    }
    this.draining = true;
    this.sendFrame(goAwayFrame(0, status));
    this.ws.close(1000);
    this.lose();
  }

  private lose(): void {
    if (this.gone) {
      return;
    }
    this.gone = true;
    this.draining = true;
    for (const pair of new Set(this.pairs.values())) {
      pair.lost();
    }
    this.pairs.clear();
    this.blocked.clear();
    for (const socket of this.pausedSockets) {
      socket.resume();
    }
    this.pausedSockets.clear();
    this.onGone();
  }

  private control(type: number, payload: Buffer): void {
    switch (type) {
      case FRAME.rstStream: {
        const id = payload.readUInt32BE(0) & 0x7fffffff;
        this.pairs.get(id)?.remoteReset();
        return;
      }
      case FRAME.ping:
        // The kubelet's pings have even ids; ours would be odd (we send none).
        if (payload.length >= 4 && (payload.readUInt32BE(0) & 1) === 0) {
          this.sendFrame(controlFrame(FRAME.ping, 0, payload));
        }
        return;
      case FRAME.goAway:
        this.draining = true;
        if (this.pairs.size === 0) {
          this.onIdle();
        }
        return;
      case FRAME.synStream: {
        // The kubelet opens no streams.
        const id = payload.readUInt32BE(0) & 0x7fffffff;
        this.sendFrame(rstStreamFrame(id, RST.refusedStream));
        return;
      }
      default:
        // SYN_REPLY (empty headers; not decoded, nothing after depends on the compression context),
        // HEADERS, SETTINGS, WINDOW_UPDATE (see the module comment): nothing to do.
        return;
    }
  }
}

export interface SpdySessionsOptions {
  readonly handshakeTimeoutMs: number;
  /** A session without streams for this long is closed. */
  readonly idleMs: number;
}

/** The SPDY sessions of one forward, one per Pod. */
export class SpdySessions {
  private readonly options: SpdySessionsOptions;
  private readonly sessions = new Map<string, SpdySession>();
  private readonly opening = new Map<string, Promise<SpdySession>>();
  private readonly idleTimers = new Map<string, NodeJS.Timeout>();
  private disposed = false;

  constructor(options: SpdySessionsOptions) {
    this.options = options;
  }

  /** False when the current cluster's API server is known not to tunnel SPDY. */
  usable(kubeConfig: KubeConfig): boolean {
    return !this.disposed && !withoutSpdy.has(serverOf(kubeConfig));
  }

  /** Remembers that the current cluster's API server does not tunnel SPDY. */
  markUnsupported(kubeConfig: KubeConfig): void {
    withoutSpdy.add(serverOf(kubeConfig));
  }

  /** The open session to the Pod, or a new one. */
  async session(
    kubeConfig: KubeConfig,
    pod: { namespace: string; name: string; uid: string },
    signal?: AbortSignal,
  ): Promise<SpdySession> {
    const key = `${serverOf(kubeConfig)}\n${kubeConfig.getCurrentUser()?.name ?? ''}\n${pod.uid}`;
    const open = this.sessions.get(key);
    if (open && !open.draining) {
      this.clearIdle(key);
      return open;
    }
    let opening = this.opening.get(key);
    if (!opening) {
      opening = this.connect(kubeConfig, pod, key);
      this.opening.set(key, opening);
      const forget = () => this.opening.delete(key);
      opening.then(forget, forget);
    }
    if (!signal) {
      return opening;
    }
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(new Error('The connection was closed before the forward was open.'));
      if (signal.aborted) {
        onAbort();
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
      opening.then(
        (session) => {
          signal.removeEventListener('abort', onAbort);
          resolve(session);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }

  /** Closes the sessions to a Pod that is gone (by uid). */
  closePod(uid: string): void {
    for (const [key, session] of this.sessions) {
      if (key.endsWith(`\n${uid}`)) {
        session.close();
      }
    }
  }

  /** Closes every session (their connections are reset); new ones may be opened after. */
  closeAll(): void {
    for (const session of [...this.sessions.values()]) {
      session.close();
    }
  }

  dispose(): void {
    this.disposed = true;
    for (const session of [...this.sessions.values()]) {
      session.close();
    }
    this.sessions.clear();
    for (const timer of this.idleTimers.values()) {
      clearTimeout(timer);
    }
    this.idleTimers.clear();
  }

  private async connect(
    kubeConfig: KubeConfig,
    pod: { namespace: string; name: string },
    key: string,
  ): Promise<SpdySession> {
    const path = `/api/v1/namespaces/${encodeURIComponent(pod.namespace)}/pods/${encodeURIComponent(pod.name)}/portforward`;
    const ws = await connectByteWebSocket(kubeConfig, path, [SPDY_TUNNEL_PROTOCOL], {
      handshakeTimeoutMs: this.options.handshakeTimeoutMs,
    });
    const session = new SpdySession(ws);
    if (this.disposed) {
      session.close();
      return session;
    }
    this.sessions.get(key)?.close();
    this.sessions.set(key, session);
    session.onIdle = () => this.armIdle(key, session);
    session.onGone = () => {
      this.clearIdle(key);
      if (this.sessions.get(key) === session) {
        this.sessions.delete(key);
      }
    };
    return session;
  }

  private armIdle(key: string, session: SpdySession): void {
    this.clearIdle(key);
    const timer = setTimeout(
      () => {
        this.idleTimers.delete(key);
        if (session.streams === 0) {
          session.close();
        }
      },
      session.draining ? 0 : this.options.idleMs,
    );
    timer.unref();
    this.idleTimers.set(key, timer);
  }

  private clearIdle(key: string): void {
    const timer = this.idleTimers.get(key);
    if (timer !== undefined) {
      clearTimeout(timer);
      this.idleTimers.delete(key);
    }
  }
}

function serverOf(kubeConfig: KubeConfig): string {
  return kubeConfig.getCurrentCluster()?.server ?? '';
}
