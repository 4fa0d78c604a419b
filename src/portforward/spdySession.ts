/**
 * One `pods/portforward` connection for many local connections, as kubectl 1.31+ makes it: a
 * WebSocket with the subprotocol `SPDY/3.1+portforward.k8s.io` whose binary messages carry one
 * SPDY/3.1 byte stream (client-go's TunnelingConnection). For each local connection the client
 * opens two streams, `streamtype: error` then `streamtype: data`, both with the `port` and a
 * `requestid` header; the kubelet pairs them by request id. The data stream carries the bytes both
 * ways (FIN half-closes, so a local client's FIN reaches the Pod), the error stream what the
 * kubelet says when it cannot reach the port.
 *
 * Flow control: the session announces a large initial window (SETTINGS) and returns what each
 * stream's local client has consumed with WINDOW_UPDATE, withholding it while the client is not
 * reading. The kubelet (moby/spdystream) ignores windows, so the session also pauses the WebSocket
 * while a local client's buffer is full, as kubectl's blocking reads do. Sending honours the peer's
 * windows once the peer shows it keeps them (it sends WINDOW_UPDATE or SETTINGS); otherwise the
 * WebSocket's buffer is the limit (see `whenDrained`).
 *
 * `SpdySessionPool` keeps one session per (kubeconfig, API server, Pod), opened on first use and
 * closed after `idleMs` without streams, and remembers per API server that the subprotocol is not
 * offered (API servers before 1.30/1.31), so that the fallback to one v4 WebSocket per connection
 * costs one attempt.
 */
import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import type { KubeConfig } from '@kubernetes/client-node';
import { WebSocketHandler } from '@kubernetes/client-node/dist/web-socket-handler.js';
import WebSocket from 'ws';
import { UpgradeRejectedError } from './errors.ts';
import {
  controlStreamId,
  DEFAULT_WINDOW,
  encodeData,
  encodeHeaderBlock,
  encodePing,
  encodeRstStream,
  encodeSettings,
  encodeSynStream,
  encodeWindowUpdate,
  FLAG_FIN,
  FRAME,
  FrameReader,
  HeaderCompressor,
  MAX_FRAME_PAYLOAD,
  RST,
  SETTINGS_INITIAL_WINDOW_SIZE,
} from './spdy.ts';

export const SPDY_TUNNEL_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';

/** The receive window each stream announces: large, so a peer that keeps windows is not slowed. */
const RECEIVE_WINDOW = 16 * 1024 * 1024;
/** Largest data frame sent (the WebSocket message that carries it). */
const MAX_SEND_FRAME = 256 * 1024;
const MAX_REFUSAL_BODY = 64 * 1024;
/** Client stream ids are odd; past this, a session takes no new streams. */
const LAST_STREAM_ID = 0x7fff_fff0;

/** What a pair's owner hears about it. */
export interface SpdyPairHandlers {
  /** Bytes from the Pod. Return false while the local side cannot take more (see `resumeReading`). */
  data(chunk: Buffer): boolean;
  /** The Pod side ended its half of the data stream. */
  end(): void;
  /** What the kubelet wrote on the error stream. */
  errorText(text: string): void;
  /** The kubelet closed the error stream: the pair is done on its side. */
  errorClosed(): void;
  /**
   * The pair is over: `normal` when both streams closed both ways, `reset` when the kubelet reset
   * them (or the session was closed), `lost` when the session's WebSocket was lost. Not called
   * after the owner's own `reset()`.
   */
  closed(how: 'normal' | 'reset' | 'lost'): void;
}

interface StreamState {
  readonly id: number;
  readonly pair: SpdyPair;
  readonly kind: 'error' | 'data';
  remoteClosed: boolean;
  localClosed: boolean;
  replied: boolean;
}

/** The error and data streams of one local connection. */
export class SpdyPair {
  readonly requestId: number;
  readonly errorStreamId: number;
  readonly dataStreamId: number;
  private readonly session: SpdyClientSession;
  readonly handlers: SpdyPairHandlers;
  /** Bytes of the Pod consumed locally, not yet returned to the peer's window. */
  unacknowledged = 0;
  /** The local side cannot take more: window updates wait, the session's reading is held. */
  blocked = false;
  /** Send window towards the peer (only enforced when the peer keeps windows). */
  sendWindow: number;
  private queued: Array<{ chunk: Buffer; callback: (() => void) | undefined }> = [];
  private endQueued = false;
  private ended = false;
  done = false;
  private replyWaiters: Array<(error?: Error) => void> = [];
  replied = false;

  constructor(
    session: SpdyClientSession,
    requestId: number,
    errorId: number,
    dataId: number,
    handlers: SpdyPairHandlers,
    sendWindow: number,
  ) {
    this.session = session;
    this.requestId = requestId;
    this.errorStreamId = errorId;
    this.dataStreamId = dataId;
    this.handlers = handlers;
    this.sendWindow = sendWindow;
  }

  /** Resolves once the kubelet replied to the data stream; rejects when it was reset first. */
  whenReplied(): Promise<void> {
    if (this.replied) {
      return Promise.resolve();
    }
    if (this.done) {
      return Promise.reject(new Error('The port-forward stream was reset.'));
    }
    return new Promise((resolve, reject) => {
      this.replyWaiters.push((error) => (error ? reject(error) : resolve()));
    });
  }

  /** @internal */
  settleReply(error?: Error): void {
    if (!error) {
      this.replied = true;
    }
    for (const waiter of this.replyWaiters.splice(0)) {
      waiter(error);
    }
  }

  /** Bytes to the Pod; `callback` once they are handed to the WebSocket's socket. */
  write(chunk: Buffer, callback?: () => void): void {
    if (this.done || this.endQueued || this.ended) {
      callback?.();
      return;
    }
    this.queued.push({ chunk, callback });
    this.flush();
  }

  /** Half-closes the data stream (FIN): the Pod reads end of stream. */
  end(): void {
    if (this.done || this.endQueued || this.ended) {
      return;
    }
    this.endQueued = true;
    this.flush();
  }

  /** Resets both streams (RST_STREAM CANCEL); the session and the other pairs go on. */
  reset(): void {
    this.session.resetPair(this, RST.cancel);
  }

  /** The local side drained: window updates go out again and the session reads on. */
  resumeReading(): void {
    this.session.unblock(this);
  }

  /** Bytes of the Pod the local side consumed (returned to the peer's window in batches). */
  consumed(count: number): void {
    this.session.consumed(this, count);
  }

  /** @internal Sends what the peer's window allows (everything, for a peer without windows). */
  flush(): void {
    while (this.queued.length > 0 && !this.done) {
      const allowed = this.session.sendAllowance(this);
      if (allowed <= 0) {
        return;
      }
      const next = this.queued[0]!;
      if (next.chunk.length <= allowed) {
        this.queued.shift();
        this.session.sendData(this, next.chunk, false, next.callback);
      } else {
        this.session.sendData(this, next.chunk.subarray(0, allowed), false, undefined);
        next.chunk = next.chunk.subarray(allowed);
      }
    }
    if (this.endQueued && this.queued.length === 0 && !this.done) {
      this.endQueued = false;
      this.ended = true;
      this.session.sendData(this, Buffer.alloc(0), true, undefined);
    }
  }

  /** @internal */
  dropQueued(): void {
    for (const entry of this.queued.splice(0)) {
      entry.callback?.();
    }
  }
}

export class SpdyClientSession {
  private readonly ws: WebSocket;
  private readonly reader = new FrameReader();
  private readonly compressor = new HeaderCompressor();
  private readonly streams = new Map<number, StreamState>();
  private readonly pairs = new Set<SpdyPair>();
  private nextStreamId = 1;
  private nextRequestId = 0;
  /** The peer keeps flow-control windows (it sent WINDOW_UPDATE or SETTINGS). */
  private peerKeepsWindows = false;
  private peerInitialWindow = DEFAULT_WINDOW;
  private readonly blockedPairs = new Set<SpdyPair>();
  private readonly drainWaiters: Array<{ lowWater: number; listener: () => void }> = [];
  private closedFlag = false;
  private goneAway = false;
  private readonly closeListeners: Array<() => void> = [];
  private readonly idleListeners: Array<() => void> = [];

  constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data: Buffer) => this.receive(data));
    ws.on('error', () => undefined);
    ws.once('close', (code: number) => this.onClose(code));
    // The receive window every stream starts with: no peer that keeps windows stalls on 64 KiB.
    this.send(encodeSettings([{ id: SETTINGS_INITIAL_WINDOW_SIZE, value: RECEIVE_WINDOW }]));
  }

  get open(): boolean {
    return (
      !this.closedFlag &&
      !this.goneAway &&
      this.ws.readyState === WebSocket.OPEN &&
      this.nextStreamId < LAST_STREAM_ID
    );
  }

  get pairCount(): number {
    return this.pairs.size;
  }

  /** Bytes handed to the WebSocket and not yet written to its socket. */
  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  onClose_(listener: () => void): void {
    this.closeListeners.push(listener);
  }

  /** Called each time the last pair ends. */
  onIdle(listener: () => void): void {
    this.idleListeners.push(listener);
  }

  /** Opens the error and data streams for one local connection to `port`. */
  openPair(port: number, handlers: SpdyPairHandlers): SpdyPair {
    if (!this.open) {
      throw new Error('The port-forward session is closed.');
    }
    const requestId = this.nextRequestId++;
    const errorId = this.nextStreamId;
    const dataId = this.nextStreamId + 2;
    this.nextStreamId += 4;
    const pair = new SpdyPair(this, requestId, errorId, dataId, handlers, this.peerInitialWindow);
    this.pairs.add(pair);
    for (const [id, kind] of [
      [errorId, 'error'],
      [dataId, 'data'],
    ] as const) {
      this.streams.set(id, { id, pair, kind, remoteClosed: false, localClosed: false, replied: false });
      const headers = encodeHeaderBlock([
        ['streamtype', kind],
        ['port', String(port)],
        ['requestid', String(requestId)],
      ]);
      this.send(encodeSynStream(id, this.compressor.compress(headers)));
      if (kind === 'error') {
        // Nothing goes to the kubelet on the error stream: kubectl closes its half at once.
        this.streams.get(id)!.localClosed = true;
        this.send(encodeData(id, Buffer.alloc(0), true));
      }
    }
    return pair;
  }

  /** Calls `listener` once the WebSocket's buffer is at most `lowWater` (or the session is gone). */
  whenDrained(lowWater: number, listener: () => void): void {
    if (this.ws.bufferedAmount <= lowWater || this.ws.readyState !== WebSocket.OPEN) {
      listener();
    } else {
      this.drainWaiters.push({ lowWater, listener });
    }
  }

  /** Closes the WebSocket normally; pairs still open are reset. */
  close(): void {
    // A paused WebSocket would never read the peer's close frame (nor notice the peer is gone).
    this.blockedPairs.clear();
    this.ws.resume();
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) {
      this.ws.close(1000);
    }
  }

  terminate(): void {
    this.ws.terminate();
  }

  // ---- used by pairs ---------------------------------------------------------------------------

  /** @internal How many bytes the pair may send now. */
  sendAllowance(pair: SpdyPair): number {
    return this.peerKeepsWindows ? pair.sendWindow : Number.POSITIVE_INFINITY;
  }

  /** @internal */
  sendData(pair: SpdyPair, chunk: Buffer, fin: boolean, callback: (() => void) | undefined): void {
    const state = this.streams.get(pair.dataStreamId);
    if (!state || state.localClosed) {
      callback?.();
      return;
    }
    if (chunk.length === 0) {
      state.localClosed = true;
      this.send(encodeData(pair.dataStreamId, chunk, fin), callback);
      this.forgetIfDone(state);
      return;
    }
    pair.sendWindow -= chunk.length;
    for (let offset = 0; offset < chunk.length; offset += MAX_SEND_FRAME) {
      const last = offset + MAX_SEND_FRAME >= chunk.length;
      const piece = chunk.subarray(
        offset,
        Math.min(chunk.length, offset + MAX_SEND_FRAME, offset + MAX_FRAME_PAYLOAD),
      );
      this.send(encodeData(pair.dataStreamId, piece, fin && last), last ? callback : undefined);
    }
    if (fin) {
      state.localClosed = true;
      this.forgetIfDone(state);
    }
  }

  /** @internal */
  resetPair(pair: SpdyPair, status: number): void {
    if (pair.done) {
      return;
    }
    for (const id of [pair.errorStreamId, pair.dataStreamId]) {
      const state = this.streams.get(id);
      if (state && !(state.localClosed && state.remoteClosed)) {
        this.send(encodeRstStream(id, status));
      }
      this.streams.delete(id);
    }
    this.endPair(pair, undefined);
  }

  /** @internal */
  consumed(pair: SpdyPair, count: number): void {
    pair.unacknowledged += count;
    this.acknowledge(pair);
  }

  /** @internal */
  unblock(pair: SpdyPair): void {
    if (!pair.blocked) {
      return;
    }
    pair.blocked = false;
    this.blockedPairs.delete(pair);
    this.acknowledge(pair);
    if (this.blockedPairs.size === 0 && !this.closedFlag) {
      this.ws.resume();
    }
  }

  private block(pair: SpdyPair): void {
    if (pair.blocked || pair.done) {
      return;
    }
    pair.blocked = true;
    this.blockedPairs.add(pair);
    this.ws.pause();
  }

  private acknowledge(pair: SpdyPair): void {
    if (pair.blocked || pair.done || pair.unacknowledged < RECEIVE_WINDOW / 4) {
      return;
    }
    const state = this.streams.get(pair.dataStreamId);
    if (state && !state.remoteClosed) {
      this.send(encodeWindowUpdate(pair.dataStreamId, pair.unacknowledged));
    }
    pair.unacknowledged = 0;
  }

  private endPair(pair: SpdyPair, how: 'normal' | 'reset' | 'lost' | undefined): void {
    if (pair.done) {
      return;
    }
    pair.done = true;
    pair.dropQueued();
    this.pairs.delete(pair);
    if (pair.blocked) {
      pair.blocked = false;
      this.blockedPairs.delete(pair);
      if (this.blockedPairs.size === 0 && !this.closedFlag) {
        this.ws.resume();
      }
    }
    if (how !== undefined) {
      pair.handlers.closed(how);
    }
    if (this.pairs.size === 0) {
      for (const listener of this.idleListeners) {
        listener();
      }
    }
  }

  private forgetIfDone(state: StreamState): void {
    if (!(state.localClosed && state.remoteClosed)) {
      return;
    }
    this.streams.delete(state.id);
    const pair = state.pair;
    if (!this.streams.has(pair.errorStreamId) && !this.streams.has(pair.dataStreamId)) {
      this.endPair(pair, 'normal');
    }
  }

  private send(frame: Buffer, callback?: () => void): void {
    if (this.ws.readyState !== WebSocket.OPEN) {
      callback?.();
      return;
    }
    this.ws.send(frame, { binary: true }, () => {
      callback?.();
      this.wakeDrainWaiters();
    });
  }

  private wakeDrainWaiters(): void {
    for (let i = this.drainWaiters.length - 1; i >= 0; i--) {
      const waiter = this.drainWaiters[i]!;
      if (this.ws.bufferedAmount <= waiter.lowWater || this.ws.readyState !== WebSocket.OPEN) {
        this.drainWaiters.splice(i, 1);
        waiter.listener();
      }
    }
  }

  // ---- input -----------------------------------------------------------------------------------

  private receive(bytes: Buffer): void {
    this.reader.push(bytes);
    for (let frame = this.reader.next(); frame; frame = this.reader.next()) {
      if (this.closedFlag) {
        return;
      }
      if (frame.kind === 'data') {
        this.onData(frame.streamId, frame.flags, frame.payload);
      } else {
        this.onControl(frame.type, frame.flags, frame.payload);
      }
    }
  }

  private onData(id: number, flags: number, payload: Buffer): void {
    const state = this.streams.get(id);
    if (!state) {
      // A stream reset here whose data was already on its way: dropped.
      return;
    }
    const pair = state.pair;
    if (payload.length > 0) {
      if (state.kind === 'error') {
        pair.handlers.errorText(payload.toString('utf8'));
      } else if (!pair.handlers.data(payload)) {
        this.block(pair);
      }
    }
    if (flags & FLAG_FIN) {
      this.remoteFinished(state);
    }
  }

  private remoteFinished(state: StreamState): void {
    if (state.remoteClosed) {
      return;
    }
    state.remoteClosed = true;
    const pair = state.pair;
    if (state.kind === 'error') {
      pair.handlers.errorClosed();
    } else {
      pair.handlers.end();
    }
    this.forgetIfDone(state);
  }

  private onControl(type: number, flags: number, payload: Buffer): void {
    switch (type) {
      case FRAME.synReply: {
        // Header blocks are never read here (the kubelet's replies carry none worth reading), so
        // the peer's compression context needs no inflater.
        const state = this.streams.get(controlStreamId(payload));
        if (state && !state.replied) {
          state.replied = true;
          if (state.kind === 'data') {
            state.pair.settleReply();
          }
          if (flags & FLAG_FIN) {
            this.remoteFinished(state);
          }
        }
        return;
      }
      case FRAME.headers: {
        const state = this.streams.get(controlStreamId(payload));
        if (state && flags & FLAG_FIN) {
          this.remoteFinished(state);
        }
        return;
      }
      case FRAME.rstStream: {
        const state = this.streams.get(controlStreamId(payload));
        if (!state) {
          return;
        }
        const pair = state.pair;
        this.streams.delete(pair.errorStreamId);
        this.streams.delete(pair.dataStreamId);
        // The other stream of the pair goes too: a connection lives on both.
        const other = state.id === pair.errorStreamId ? pair.dataStreamId : pair.errorStreamId;
        this.send(encodeRstStream(other, RST.cancel));
        pair.settleReply(new Error('The kubelet reset the port-forward stream.'));
        this.endPair(pair, 'reset');
        return;
      }
      case FRAME.settings: {
        const count = payload.length >= 4 ? payload.readUInt32BE(0) : 0;
        for (let i = 0; i < count && 8 + 8 * i <= payload.length - 4; i++) {
          const id = payload.readUInt32BE(4 + 8 * i) & 0xffffff;
          const value = payload.readUInt32BE(8 + 8 * i);
          if (id === SETTINGS_INITIAL_WINDOW_SIZE) {
            const delta = value - this.peerInitialWindow;
            this.peerInitialWindow = value;
            this.peerKeepsWindows = true;
            for (const pair of this.pairs) {
              pair.sendWindow += delta;
              pair.flush();
            }
          }
        }
        return;
      }
      case FRAME.windowUpdate: {
        const id = controlStreamId(payload);
        const delta = payload.readUInt32BE(4) & 0x7fffffff;
        this.peerKeepsWindows = true;
        const state = this.streams.get(id);
        if (state && state.kind === 'data') {
          state.pair.sendWindow += delta;
          state.pair.flush();
        }
        return;
      }
      case FRAME.ping:
        // Ids the peer chose (even: the server's) are echoed; ours are answers, nothing to do.
        if (payload.length >= 4 && (payload.readUInt32BE(0) & 1) === 0) {
          this.send(encodePing(payload.readUInt32BE(0)));
        }
        return;
      case FRAME.goAway:
        // No new streams; those open go on until the WebSocket closes.
        this.goneAway = true;
        return;
      default:
        return;
    }
  }

  private onClose(code: number): void {
    if (this.closedFlag) {
      return;
    }
    this.closedFlag = true;
    const abnormal = code !== 1000 && code !== 1005;
    const pairs = [...this.pairs];
    this.streams.clear();
    for (const pair of pairs) {
      pair.settleReply(new Error('The port-forward connection was closed.'));
      this.endPair(pair, abnormal ? 'lost' : 'reset');
    }
    for (const waiter of this.drainWaiters.splice(0)) {
      waiter.listener();
    }
    for (const listener of this.closeListeners) {
      listener();
    }
  }
}

/** Why a session could not be had. */
export type SessionOutcome =
  | { readonly kind: 'session'; readonly session: SpdyClientSession }
  /** The API server does not offer the subprotocol: use the v4 channel protocol. */
  | { readonly kind: 'unsupported'; readonly reason: UpgradeRejectedError | undefined };

export interface SpdySessionPoolOptions {
  /** Close a session this long after its last stream ended. */
  readonly idleMs?: number;
  readonly handshakeTimeoutMs?: number;
}

export class SpdySessionPool {
  private readonly sessions = new Map<string, Promise<SessionOutcome>>();
  private readonly live = new Set<SpdyClientSession>();
  /** API servers (by URL) that do not offer the subprotocol. */
  private readonly v4Only = new Set<string>();
  private readonly configIds = new WeakMap<KubeConfig, number>();
  private nextConfigId = 0;
  private readonly idleMs: number;
  private disposed = false;

  constructor(options: SpdySessionPoolOptions = {}) {
    this.idleMs = options.idleMs ?? 15_000;
  }

  /** Whether the API server of `kubeConfig` is known not to offer the subprotocol. */
  knownUnsupported(kubeConfig: KubeConfig): boolean {
    return this.v4Only.has(serverOf(kubeConfig));
  }

  /** Records that the v4 protocol worked where SPDY was refused. */
  rememberUnsupported(kubeConfig: KubeConfig): void {
    this.v4Only.add(serverOf(kubeConfig));
  }

  /** WebSocket upgrades this pool asked for (for tests and measurements). */
  upgrades = 0;

  /**
   * The session to the Pod, opened if there is none. Rejects like a v4 upgrade would (an
   * `UpgradeRejectedError` with the API server's answer, or the connection's error), except when
   * the refusal may mean the subprotocol is not offered: then `unsupported`.
   */
  acquire(
    kubeConfig: KubeConfig,
    pod: { namespace: string; name: string; uid?: string },
    handshakeTimeoutMs: number,
  ): Promise<SessionOutcome> {
    if (this.disposed) {
      return Promise.reject(new Error('The port-forward sessions are closed.'));
    }
    const key = [
      this.configId(kubeConfig),
      serverOf(kubeConfig),
      pod.namespace,
      pod.name,
      pod.uid ?? '',
    ].join('\0');
    const existing = this.sessions.get(key);
    if (existing) {
      return existing.then((outcome) => {
        if (outcome.kind === 'session' && !outcome.session.open) {
          if (this.sessions.get(key) === existing) {
            this.sessions.delete(key);
          }
          return this.acquire(kubeConfig, pod, handshakeTimeoutMs);
        }
        return outcome;
      });
    }
    const opening = this.connect(kubeConfig, pod, handshakeTimeoutMs).then(
      (outcome) => {
        if (outcome.kind !== 'session') {
          this.sessions.delete(key);
          return outcome;
        }
        const session = outcome.session;
        this.live.add(session);
        let idleTimer: NodeJS.Timeout | undefined;
        session.onIdle(() => {
          if (idleTimer !== undefined) {
            clearTimeout(idleTimer);
          }
          idleTimer = setTimeout(() => {
            if (session.pairCount === 0) {
              if (this.sessions.get(key) === opening) {
                this.sessions.delete(key);
              }
              session.close();
            }
          }, this.idleMs);
          idleTimer.unref();
        });
        session.onClose_(() => {
          if (idleTimer !== undefined) {
            clearTimeout(idleTimer);
          }
          this.live.delete(session);
          if (this.sessions.get(key) === opening) {
            this.sessions.delete(key);
          }
        });
        if (this.disposed) {
          session.close();
        }
        return outcome;
      },
      (error: unknown) => {
        this.sessions.delete(key);
        throw error;
      },
    );
    this.sessions.set(key, opening);
    return opening;
  }

  /** Closes every session (their pairs are reset). */
  dispose(): void {
    this.disposed = true;
    for (const session of this.live) {
      session.close();
    }
    this.sessions.clear();
  }

  private configId(kubeConfig: KubeConfig): number {
    let id = this.configIds.get(kubeConfig);
    if (id === undefined) {
      id = this.nextConfigId++;
      this.configIds.set(kubeConfig, id);
    }
    return id;
  }

  private async connect(
    kubeConfig: KubeConfig,
    pod: { namespace: string; name: string },
    handshakeTimeoutMs: number,
  ): Promise<SessionOutcome> {
    let refusal: Promise<UpgradeRejectedError> | undefined;
    let agreed: string | undefined;
    let socket: WebSocket | undefined;
    const handler = new WebSocketHandler(
      kubeConfig,
      (uri, _protocols, options) => {
        // ws accepts only RFC 7230 tokens as subprotocols and this one has a '/': it is offered
        // in the header itself, and the answer is read (and taken out of ws's own check) below.
        const ws = new WebSocket(uri, {
          ...options,
          headers: { ...(options.headers ?? {}), 'Sec-WebSocket-Protocol': SPDY_TUNNEL_PROTOCOL },
          perMessageDeflate: false,
          handshakeTimeout: handshakeTimeoutMs,
        });
        ws.once('upgrade', (response: IncomingMessage) => {
          const answered = response.headers['sec-websocket-protocol'];
          agreed = Array.isArray(answered) ? answered[0] : answered;
          delete response.headers['sec-websocket-protocol'];
        });
        ws.once('unexpected-response', (_request, response: IncomingMessage) => {
          refusal = readBody(response).then((body) => {
            ws.terminate();
            return new UpgradeRejectedError(response.statusCode ?? 0, body);
          });
        });
        socket = ws;
        return ws;
      },
      { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough() },
    );
    const path = `/api/v1/namespaces/${encodeURIComponent(pod.namespace)}/pods/${encodeURIComponent(pod.name)}/portforward`;
    this.upgrades += 1;
    let ws: WebSocket;
    try {
      ws = (await handler.connect(path, null, null)) as WebSocket;
    } catch (error) {
      if (refusal !== undefined) {
        const rejected = await refusal;
        // An API server that does not know the subprotocol reads the request as a v4 one
        // without ports: 400. (A 400 also means "Pod not running"; the v4 attempt tells which.)
        if (rejected.statusCode === 400) {
          return { kind: 'unsupported', reason: rejected };
        }
        throw rejected;
      }
      socket?.terminate();
      throw unwrapErrorEvent(error);
    }
    // client-node's handler reads messages as its own channel protocol: that listener goes.
    ws.onmessage = null;
    ws.onerror = null;
    if (agreed !== SPDY_TUNNEL_PROTOCOL) {
      ws.terminate();
      this.v4Only.add(serverOf(kubeConfig));
      return { kind: 'unsupported', reason: undefined };
    }
    return { kind: 'session', session: new SpdyClientSession(ws) };
  }
}

function serverOf(kubeConfig: KubeConfig): string {
  try {
    return kubeConfig.getCurrentCluster()?.server ?? '';
  } catch {
    return '';
  }
}

/** `ws` hands its `onerror` listeners an ErrorEvent wrapping the real error. */
export function unwrapErrorEvent(error: unknown): unknown {
  if (error !== null && typeof error === 'object' && 'error' in error) {
    const inner = (error as { error?: unknown }).error;
    if (inner !== undefined && inner !== null) {
      return inner;
    }
  }
  return error;
}

export function readBody(response: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => resolve(Buffer.concat(chunks).toString('utf8'));
    response.on('data', (chunk: Buffer) => {
      if (size < MAX_REFUSAL_BODY) {
        chunks.push(chunk);
        size += chunk.length;
      }
    });
    response.once('end', done);
    response.once('error', done);
    response.once('aborted', done);
    response.once('close', done);
  });
}
