/**
 * One forwarded TCP connection: a local socket joined to a Pod port. Where the API server tunnels
 * SPDY (1.30+), as a stream pair of the Pod's SPDY session (`spdySession.ts`: one WebSocket for all
 * the connections to a Pod, FIN half-close, RST_STREAM); else by one `pods/portforward` WebSocket
 * of its own, opened with client-node's `PortForward` (which builds the request, negotiates the
 * channel protocol and strips the port prefix of each channel). For that WebSocket, what
 * client-node leaves out is done here:
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
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { PassThrough, Writable } from 'node:stream';
import { PortForward } from '@kubernetes/client-node';
import { WebSocketHandler } from '@kubernetes/client-node/dist/web-socket-handler.js';
import type { KubeConfig } from '@kubernetes/client-node';
import WebSocket from 'ws';
import { UpgradeRejectedError } from './errors.ts';
import { resetSocket } from './listener.ts';
import { isSpdyUnsupported } from './spdySession.ts';
import type { SpdyPair, SpdySession, SpdySessions } from './spdySession.ts';

const SEND_HIGH_WATER_MARK = 1024 * 1024;
const SEND_LOW_WATER_MARK = 256 * 1024;
const MAX_ERROR_TEXT = 4096;
const MAX_REFUSAL_BODY = 64 * 1024;

export interface TunnelOptions {
  readonly handshakeTimeoutMs: number;
  readonly halfCloseLingerMs: number;
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
  /** The connection's stream pair, when it rides on the Pod's SPDY session. */
  private pair: SpdyPair | undefined;
  private readonly opening = new AbortController();
  private errorText = '';
  private ended = false;
  private abortedFlag = false;
  private wsPaused = false;
  private socketPausedForSend = false;
  private localEnded = false;
  private lingerTimer: NodeJS.Timeout | undefined;

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
    return this.pair ? this.pair.errorChannel : this.errorText;
  }

  /**
   * Opens the connection to `port` of the Pod and starts relaying: as a stream pair of the Pod's
   * SPDY session when `spdy` is given and the API server tunnels SPDY (see spdySession.ts), else
   * on a v4 WebSocket of its own. Rejects with an `UpgradeRejectedError` when the API server
   * refuses the upgrade (403, 404...), or with the connection's error (ECONNREFUSED, TLS,
   * timeout); after `abort()`, with an Error.
   */
  async open(
    kubeConfig: KubeConfig,
    namespace: string,
    pod: string,
    port: number,
    spdy?: { sessions: SpdySessions; podUid: string },
  ): Promise<void> {
    if (spdy && spdy.sessions.usable(kubeConfig)) {
      let session: SpdySession | undefined;
      try {
        session = await spdy.sessions.session(
          kubeConfig,
          { namespace, name: pod, uid: spdy.podUid },
          this.opening.signal,
        );
      } catch (error) {
        if (this.abortedFlag) {
          throw new Error('The connection was closed before the forward was open.');
        }
        if (!isSpdyUnsupported(error)) {
          throw error;
        }
        // An API server before the WebSocket tunnelling of SPDY: v4 from now on.
        spdy.sessions.markUnsupported(kubeConfig);
      }
      if (session) {
        if (this.abortedFlag || (this.socket !== undefined && this.socket.destroyed)) {
          this.abortedFlag = true;
          throw new Error('The connection was closed before the forward was open.');
        }
        this.pair = session.openPair(port, this.socket, {
          ...(this.hooks.bytesIn ? { bytesIn: this.hooks.bytesIn } : {}),
          ...(this.hooks.bytesOut ? { bytesOut: this.hooks.bytesOut } : {}),
          closed: (end) => this.finish(end),
        });
        return;
      }
    }
    await this.openWebSocket(kubeConfig, namespace, pod, port);
  }

  private async openWebSocket(
    kubeConfig: KubeConfig,
    namespace: string,
    pod: string,
    port: number,
  ): Promise<void> {
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
    this.opening.abort();
    if (this.pair) {
      this.pair.abort();
      return;
    }
    this.connecting?.terminate();
    if (this.ws) {
      this.ws.terminate();
      this.finish({ abnormal: true, aborted: true });
    }
    this.resetSocket();
  }

  /** Closes a probe (or any tunnel) normally. */
  close(): void {
    if (this.pair) {
      this.pair.close();
      return;
    }
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.close(1000);
    }
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
    if (this.socket) {
      resetSocket(this.socket);
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

/** `ws` hands its `onerror` listeners an ErrorEvent wrapping the real error. */
function unwrapErrorEvent(error: unknown): unknown {
  if (error !== null && typeof error === 'object' && 'error' in error) {
    const inner = (error as { error?: unknown }).error;
    if (inner !== undefined && inner !== null) {
      return inner;
    }
  }
  return error;
}

function readBody(response: IncomingMessage): Promise<string> {
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
