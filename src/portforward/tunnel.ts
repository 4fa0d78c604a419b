/**
 * One forwarded TCP connection: a local socket joined to a Pod port by one `pods/portforward`
 * WebSocket, opened with client-node's `PortForward` (which builds the request, negotiates the
 * channel protocol and strips the port prefix of each channel). What client-node leaves out is
 * done here:
 *
 * - Backpressure both ways. Local → Pod: client-node would `ws.send` every chunk the socket reads,
 *   however full the WebSocket is; here the socket is paused once `ws.bufferedAmount` passes 1 MiB
 *   and resumed from the send callbacks once it is under 256 KiB. Pod → local: when the local
 *   socket's buffer is full, the WebSocket is paused (`ws.pause()`, which stops reading from the
 *   API server, so TCP pushes back) until the socket drains.
 * - Endings. client-node never ends the local socket when the WebSocket closes: here a normal
 *   close ends it (after what is buffered), an abnormal one (API server gone, connection reset)
 *   and an error from the Pod side reset it, so a client never hangs on a dead forward.
 * - The error channel: what the Pod side says there ("connection refused") is kept and reported.
 * - The upgrade's refusal: `ws` reports only "Unexpected server response: 403"; the response body
 *   (a `Status` whose message names the missing permission) is read here and reported.
 * - Half-close: the channel protocol cannot carry a FIN to the Pod. When the local client ends its
 *   side, the tunnel stays open for the answer and closes once the Pod side has been silent for
 *   `halfCloseLingerMs` (or closes first).
 */
import type { Socket } from 'node:net';
import { PassThrough, Writable } from 'node:stream';
import { PortForward } from '@kubernetes/client-node';
import { WebSocketHandler } from '@kubernetes/client-node/dist/web-socket-handler.js';
import type { KubeConfig } from '@kubernetes/client-node';
import WebSocket from 'ws';
import { UpgradeRejectedError } from './errors.ts';
import { readBody, unwrapErrorEvent } from './spdySession.ts';
import type { SpdyClientSession, SpdyPair, SpdySessionPool } from './spdySession.ts';

const SEND_HIGH_WATER_MARK = 1024 * 1024;
const SEND_LOW_WATER_MARK = 256 * 1024;
const MAX_ERROR_TEXT = 4096;
/** Unread bytes in a local socket above which its stream holds the session's reading. */
const LOCAL_HIGH_WATER_MARK = 16 * 1024;

export interface TunnelOptions {
  readonly handshakeTimeoutMs: number;
  readonly halfCloseLingerMs: number;
  /**
   * SPDY sessions to share (one per Pod, `spdySession.ts`); without them, or where the API server
   * does not offer the subprotocol, each tunnel opens its own v4 WebSocket.
   */
  readonly sessions?: SpdySessionPool;
}

export interface TunnelEnd {
  /** What the Pod side said on the error channel, if anything. */
  readonly errorChannel?: string;
  /** The WebSocket was lost (reset, API server gone) rather than closed normally. */
  readonly abnormal: boolean;
  /** Ended by `abort()`. */
  readonly aborted: boolean;
}

export interface TunnelHooks {
  /** Bytes from the Pod delivered to the local client. */
  readonly bytesIn?: (count: number) => void;
  /** Bytes from the local client sent to the Pod. */
  readonly bytesOut?: (count: number) => void;
  /** Once, when the tunnel has ended (after `open` resolved; a failed `open` rejects instead). */
  readonly closed?: (end: TunnelEnd) => void;
}

export class Tunnel {
  /** The local connection; undefined for a probe. */
  readonly socket: Socket | undefined;
  private readonly options: TunnelOptions;
  private readonly hooks: TunnelHooks;
  private ws: WebSocket | undefined;
  private connecting: WebSocket | undefined;
  private errorText = '';
  private ended = false;
  private abortedFlag = false;
  private wsPaused = false;
  private socketPausedForSend = false;
  private localEnded = false;
  private lingerTimer: NodeJS.Timeout | undefined;
  /** The SPDY stream pair, when the tunnel rides a shared session instead of its own WebSocket. */
  private pair: SpdyPair | undefined;
  /** Bytes handed to the pair and not yet written to the session's WebSocket. */
  private pendingToPod = 0;

  constructor(socket: Socket | undefined, options: TunnelOptions, hooks: TunnelHooks = {}) {
    this.socket = socket;
    this.options = options;
    this.hooks = hooks;
  }

  /** Called by `abort()`, for whoever holds a timer on this tunnel. */
  onAbort: (() => void) | undefined;

  get aborted(): boolean {
    return this.abortedFlag;
  }

  /** What the Pod side has said on the error channel so far. */
  get errorChannel(): string {
    return this.errorText;
  }

  /**
   * Opens the WebSocket to `port` of the Pod and starts relaying. Rejects with an
   * `UpgradeRejectedError` when the API server refuses the upgrade (403, 404...), or with the
   * connection's error (ECONNREFUSED, TLS, timeout); after `abort()`, with an Error.
   */
  async open(
    kubeConfig: KubeConfig,
    namespace: string,
    pod: string,
    port: number,
    uid?: string,
  ): Promise<void> {
    const sessions = this.options.sessions;
    if (sessions && !sessions.knownUnsupported(kubeConfig)) {
      let outcome;
      try {
        outcome = await sessions.acquire(
          kubeConfig,
          { namespace, name: pod, ...(uid !== undefined ? { uid } : {}) },
          this.options.handshakeTimeoutMs,
        );
      } catch (error) {
        if (this.abortedFlag) {
          throw new Error('The connection was closed before the forward was open.', { cause: error });
        }
        throw error;
      }
      if (outcome.kind === 'session') {
        await this.openPair(outcome.session, port);
        return;
      }
      // The API server does not offer SPDY (or said 400, which the v4 attempt tells apart from
      // a Pod that is not running): one v4 WebSocket, and if that works, v4 from now on.
      await this.openWebSocket(kubeConfig, namespace, pod, port);
      if (outcome.reason !== undefined) {
        sessions.rememberUnsupported(kubeConfig);
      }
      return;
    }
    await this.openWebSocket(kubeConfig, namespace, pod, port);
  }

  private async openWebSocket(
    kubeConfig: KubeConfig,
    namespace: string,
    pod: string,
    port: number,
  ): Promise<void> {
    if (this.abortedFlag) {
      throw new Error('The connection was closed before the forward was open.');
    }
    let refusal: Promise<UpgradeRejectedError> | undefined;
    const handler = new WebSocketHandler(
      kubeConfig,
      (uri, protocols, options) => {
        const ws = new WebSocket(uri, protocols, {
          ...options,
          perMessageDeflate: false,
          handshakeTimeout: this.options.handshakeTimeoutMs,
        });
        ws.once('unexpected-response', (_request, response) => {
          refusal = readBody(response).then((body) => {
            ws.terminate();
            return new UpgradeRejectedError(response.statusCode ?? 0, body);
          });
        });
        this.connecting = ws;
        return ws;
      },
      // Streams of its own: on a close-stream frame (v5 protocol) the handler ends them, and the
      // default ones are process.stdin, stdout and stderr.
      { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough() },
    );
    const fromPod = new Writable({
      write: (chunk: Buffer, _encoding, callback) => {
        this.fromPod(chunk);
        callback();
      },
    });
    const errors = new Writable({
      write: (chunk: Buffer, _encoding, callback) => {
        if (this.errorText.length < MAX_ERROR_TEXT) {
          this.errorText += chunk.toString('utf8');
        }
        callback();
      },
    });
    // client-node reads its input with `on('data')` and no backpressure; this stream stays empty
    // and the tunnel sends the socket's data itself (see `toPod`).
    const unused = new PassThrough();
    let ws: WebSocket;
    try {
      ws = (await new PortForward(kubeConfig, false, handler).portForward(
        namespace,
        pod,
        [port],
        fromPod,
        errors,
        unused,
      )) as WebSocket;
    } catch (error) {
      this.connecting = undefined;
      if (this.abortedFlag) {
        throw new Error('The connection was closed before the forward was open.');
      }
      throw refusal !== undefined ? await refusal : unwrapErrorEvent(error);
    }
    this.connecting = undefined;
    if (this.abortedFlag || (this.socket !== undefined && this.socket.destroyed)) {
      ws.terminate();
      this.abortedFlag = true;
      throw new Error('The connection was closed before the forward was open.');
    }
    this.attach(ws);
  }

  /** Ends the tunnel at once: the WebSocket is dropped and the local connection reset. */
  abort(): void {
    if (this.ended) {
      return;
    }
    this.abortedFlag = true;
    this.onAbort?.();
    this.connecting?.terminate();
    if (this.pair) {
      this.pair.reset();
      this.finish({ abnormal: true, aborted: true });
    }
    if (this.ws) {
      this.ws.terminate();
      this.finish({ abnormal: true, aborted: true });
    }
    this.resetSocket();
  }

  /** Closes a probe (or any tunnel) normally. */
  close(): void {
    if (this.pair && !this.pair.done) {
      this.pair.reset();
      this.finish({ abnormal: false, aborted: false });
      return;
    }
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.close(1000);
    }
  }

  // ---- a stream pair of a shared SPDY session --------------------------------------------------

  private async openPair(session: SpdyClientSession, port: number): Promise<void> {
    if (this.abortedFlag || (this.socket !== undefined && this.socket.destroyed)) {
      this.abortedFlag = true;
      throw new Error('The connection was closed before the forward was open.');
    }
    let replied = false;
    const pair = session.openPair(port, {
      data: (chunk) => this.fromPodStream(chunk),
      end: () => {
        if (!replied) {
          return;
        }
        if (this.errorText.trim() !== '') {
          this.resetSocket();
        } else if (this.socket && !this.socket.destroyed) {
          // What is buffered still goes out; then FIN.
          this.socket.end();
        }
      },
      errorText: (text) => {
        if (this.errorText.length < MAX_ERROR_TEXT) {
          this.errorText += text;
        }
      },
      errorClosed: () => undefined,
      closed: (how) => {
        if (!replied) {
          return;
        }
        const errorChannel = this.errorText.trim();
        if (errorChannel !== '' || (how === 'lost' && !this.abortedFlag)) {
          this.resetSocket();
        } else if (how === 'reset' && !this.abortedFlag) {
          this.resetSocket();
        } else if (this.socket && !this.socket.destroyed) {
          this.socket.end();
        }
        this.finish({
          ...(errorChannel !== '' ? { errorChannel } : {}),
          abnormal: how !== 'normal',
          aborted: this.abortedFlag,
        });
      },
    });
    this.pair = pair;
    try {
      await pair.whenReplied();
    } catch (error) {
      this.pair = undefined;
      if (this.abortedFlag) {
        throw new Error('The connection was closed before the forward was open.', { cause: error });
      }
      throw error;
    }
    replied = true;
    if (this.abortedFlag || (this.socket !== undefined && this.socket.destroyed)) {
      pair.reset();
      this.abortedFlag = true;
      throw new Error('The connection was closed before the forward was open.');
    }
    if (pair.done) {
      // Reset or finished between the reply and now (an answer that came with the reply).
      this.pair = undefined;
      throw new Error('The port-forward stream ended before it was open.');
    }
    this.attachPair(pair);
  }

  private attachPair(pair: SpdyPair): void {
    const socket = this.socket;
    if (!socket) {
      return;
    }
    socket.on('data', (chunk: Buffer) => {
      this.hooks.bytesOut?.(chunk.length);
      this.pendingToPod += chunk.length;
      pair.write(chunk, () => {
        this.pendingToPod -= chunk.length;
        if (this.socketPausedForSend && this.pendingToPod <= SEND_LOW_WATER_MARK) {
          this.socketPausedForSend = false;
          socket.resume();
        }
      });
      if (!this.socketPausedForSend && this.pendingToPod > SEND_HIGH_WATER_MARK) {
        this.socketPausedForSend = true;
        socket.pause();
      }
    });
    // SPDY carries the FIN: the Pod reads end of stream, and its answer still comes back.
    socket.on('end', () => pair.end());
    socket.once('close', () => {
      // The local client is gone (or reset): nobody to answer to.
      if (!pair.done) {
        pair.reset();
        this.finish({ abnormal: false, aborted: this.abortedFlag });
      }
    });
    socket.resume();
  }

  /** Pod → local; false holds the session's reading until this socket drains. */
  private fromPodStream(chunk: Buffer): boolean {
    const socket = this.socket;
    if (!socket || socket.destroyed || !socket.writable) {
      this.pair?.consumed(chunk.length);
      return true;
    }
    this.hooks.bytesIn?.(chunk.length);
    socket.write(chunk);
    this.pair?.consumed(chunk.length);
    if (socket.writableLength <= LOCAL_HIGH_WATER_MARK || this.wsPaused) {
      return true;
    }
    this.wsPaused = true;
    const resume = () => {
      socket.off('drain', resume);
      socket.off('close', resume);
      this.wsPaused = false;
      this.pair?.resumeReading();
    };
    socket.on('drain', resume);
    socket.on('close', resume);
    return false;
  }

  private attach(ws: WebSocket): void {
    this.ws = ws;
    ws.on('error', () => undefined);
    ws.once('close', (code: number) => this.onWebSocketClose(code));
    if (this.wsPaused) {
      ws.pause();
    }
    const socket = this.socket;
    if (!socket) {
      return;
    }
    socket.on('data', (chunk: Buffer) => this.toPod(chunk));
    socket.on('end', () => {
      this.localEnded = true;
      this.armLinger();
    });
    socket.once('close', () => {
      // The local client is gone (or reset): nobody to answer to.
      if (!this.ended) {
        if (ws.readyState === WebSocket.OPEN) {
          ws.close(1000);
        } else {
          ws.terminate();
        }
      }
    });
    socket.resume();
  }

  /** Local → Pod, as channel 0 frames, pausing the socket while the WebSocket is full. */
  private toPod(chunk: Buffer): void {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) {
      return;
    }
    const frame = Buffer.allocUnsafe(chunk.length + 1);
    frame[0] = 0;
    chunk.copy(frame, 1);
    this.hooks.bytesOut?.(chunk.length);
    ws.send(frame, { binary: true }, () => {
      if (this.socketPausedForSend && ws.bufferedAmount <= SEND_LOW_WATER_MARK) {
        this.socketPausedForSend = false;
        this.socket?.resume();
      }
    });
    if (!this.socketPausedForSend && ws.bufferedAmount > SEND_HIGH_WATER_MARK) {
      this.socketPausedForSend = true;
      this.socket?.pause();
    }
  }

  /** Pod → local, pausing the WebSocket while the local socket is full. */
  private fromPod(chunk: Buffer): void {
    if (chunk.length === 0) {
      return;
    }
    if (this.localEnded) {
      this.armLinger();
    }
    const socket = this.socket;
    if (!socket || socket.destroyed || !socket.writable) {
      return;
    }
    this.hooks.bytesIn?.(chunk.length);
    if (!socket.write(chunk) && !this.wsPaused) {
      this.wsPaused = true;
      this.ws?.pause();
      const resume = () => {
        socket.off('drain', resume);
        socket.off('close', resume);
        this.wsPaused = false;
        this.ws?.resume();
      };
      socket.on('drain', resume);
      socket.on('close', resume);
    }
  }

  private armLinger(): void {
    if (this.lingerTimer !== undefined) {
      clearTimeout(this.lingerTimer);
    }
    this.lingerTimer = setTimeout(() => {
      this.lingerTimer = undefined;
      this.close();
    }, this.options.halfCloseLingerMs);
  }

  private onWebSocketClose(code: number): void {
    const errorChannel = this.errorText.trim();
    const abnormal = code !== 1000 && code !== 1005;
    if (errorChannel !== '' || (abnormal && !this.abortedFlag)) {
      this.resetSocket();
    } else if (this.socket && !this.socket.destroyed) {
      // What is buffered still goes out; then FIN.
      this.socket.end();
    }
    this.finish({
      ...(errorChannel !== '' ? { errorChannel } : {}),
      abnormal,
      aborted: this.abortedFlag,
    });
  }

  private resetSocket(): void {
    const socket = this.socket;
    if (socket && !socket.destroyed) {
      // Not after `end()`: libuv refuses to reset a socket whose shutdown is pending, and Node then
      // never closes the handle (the process spins at exit waiting for it).
      if (
        typeof socket.resetAndDestroy === 'function' &&
        socket.readyState !== 'opening' &&
        !socket.writableEnded
      ) {
        socket.resetAndDestroy();
      } else {
        socket.destroy();
      }
    }
  }

  private finish(end: TunnelEnd): void {
    if (this.ended) {
      return;
    }
    this.ended = true;
    if (this.lingerTimer !== undefined) {
      clearTimeout(this.lingerTimer);
      this.lingerTimer = undefined;
    }
    this.hooks.closed?.(end);
  }
}
