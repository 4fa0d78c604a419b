/**
 * `pods/portforward` as kubectl speaks it: SPDY/3.1, tunnelled through a WebSocket whose
 * subprotocol is `SPDY/3.1+portforward.k8s.io` (kubectl 1.31+), or on the connection itself after
 * an HTTP `Upgrade: SPDY/3.1` (older kubectl, and kubectl's fallback). The ports are not in the
 * query: for every local
 * connection kubectl opens two streams, `streamtype: error` then `streamtype: data`, both with
 * `port` and `requestid` headers, and the kubelet pairs them by request id. The data stream
 * carries the bytes both ways (a FIN half-closes); a failure to reach the Pod's port is written to
 * the error stream, which is closed when the pair is done.
 */
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { KubeObject } from '../api/store.ts';
import { errors } from '../api/status.ts';
import type { Cluster } from '../cluster.ts';
import { type } from '../cluster.ts';
import { forwardErrorMessage } from './portforward.ts';
import { RST, SpdySession } from './spdy.ts';
import type { SpdyStream } from './spdy.ts';

const PORT_FORWARD_V1 = 'portforward.k8s.io';

/** Buffered bytes above which the Pod side is paused until the WebSocket drains. */
const HIGH_WATER_MARK = 4 << 20;

interface Pair {
  error?: SpdyStream;
  data?: SpdyStream;
  started: boolean;
  /** What the data stream carried before its error stream arrived. */
  early: Buffer[];
  earlyEnd: boolean;
}

/** The bytes of the SPDY connection, whatever carries them. */
export interface ByteChannel {
  send(bytes: Buffer): void;
  close(): void;
  pause(): void;
  resume(): void;
  readonly open: boolean;
  /** Bytes accepted by `send` and not yet written out. */
  readonly bufferedAmount: number;
  /** Calls `listener` once `bufferedAmount` is at most `lowWater` (or the channel is gone). */
  whenDrained(lowWater: number, listener: () => void): void;
  onData(listener: (bytes: Buffer) => void): void;
  onClose(listener: () => void): void;
}

/** A WebSocket's binary messages as one byte stream (client-go's TunnelingConnection). */
export function webSocketChannel(ws: WebSocket): ByteChannel {
  // Waiters are woken from sends' completions: ws has no drain event of its own.
  const waiters: Array<{ lowWater: number; listener: () => void }> = [];
  const wake = () => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (ws.bufferedAmount <= waiters[i]!.lowWater || ws.readyState !== ws.OPEN) {
        waiters.splice(i, 1)[0]!.listener();
      }
    }
  };
  return {
    send: (bytes) => ws.send(bytes, wake),
    whenDrained: (lowWater, listener) => {
      if (ws.bufferedAmount <= lowWater || ws.readyState !== ws.OPEN) {
        listener();
      } else {
        waiters.push({ lowWater, listener });
      }
    },
    close: () => ws.close(1000),
    pause: () => ws.pause(),
    resume: () => ws.resume(),
    get open() {
      return ws.readyState === ws.OPEN;
    },
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
    onData: (listener) => ws.on('message', (raw: Buffer) => listener(raw)),
    onClose: (listener) => {
      ws.once('close', listener);
      ws.once('error', listener);
    },
  };
}

/** The upgraded connection itself (`Upgrade: SPDY/3.1`); `head` holds bytes read with the request. */
export function socketChannel(socket: Duplex, head: Buffer): ByteChannel {
  return {
    send: (bytes) => socket.write(bytes),
    whenDrained: (lowWater, listener) => {
      if (socket.writableLength <= lowWater || socket.destroyed) {
        listener();
        return;
      }
      const check = () => {
        if (socket.writableLength <= lowWater || socket.destroyed) {
          socket.off('drain', check);
          socket.off('close', check);
          listener();
        }
      };
      socket.on('drain', check);
      socket.on('close', check);
    },
    close: () => socket.end(),
    pause: () => socket.pause(),
    resume: () => socket.resume(),
    get open() {
      return !socket.destroyed && socket.writable;
    },
    get bufferedAmount() {
      return socket.writableLength;
    },
    onData: (listener) => {
      if (head.length > 0) {
        listener(head);
      }
      socket.on('data', listener);
    },
    onClose: (listener) => {
      socket.once('close', listener);
      socket.once('error', listener);
    },
  };
}

/**
 * The 101 a kubelet (through the API server) answers to `Upgrade: SPDY/3.1`, or the refusal
 * when the client offers no protocol version it speaks.
 */
export function spdyUpgradeResponse(offered: string | string[] | undefined): string {
  const versions = (Array.isArray(offered) ? offered.join(',') : (offered ?? ''))
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  if (!versions.includes(PORT_FORWARD_V1)) {
    throw errors.forbidden(
      `unable to upgrade: unable to negotiate protocol: client supports [${versions.join(' ')}], server supports [${PORT_FORWARD_V1}]`,
      type('pods'),
    );
  }
  return `HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${PORT_FORWARD_V1}\r\n\r\n`;
}

export function runSpdyPortForwardSession(
  channel: ByteChannel,
  request: { pod: KubeObject; cluster: Cluster },
): void {
  const { pod, cluster } = request;
  const pairs = new Map<string, Pair>();
  const sockets = new Set<Socket>();
  let paused = false;

  const session = new SpdySession(
    {
      send: (bytes) => {
        if (channel.open) {
          channel.send(bytes);
        }
      },
      close: () => channel.close(),
    },
    (stream) => accept(stream),
  );

  const accept = (stream: SpdyStream) => {
    const type = stream.headers.get('streamtype');
    if (type !== 'error' && type !== 'data') {
      stream.resetStream(RST.protocolError);
      return;
    }
    // Clients older than request ids pair an error stream with the data stream two ids later.
    const requestId = stream.headers.get('requestid') ?? String(type === 'error' ? stream.id : stream.id - 2);
    const pair = pairs.get(requestId) ?? { started: false, early: [], earlyEnd: false };
    pairs.set(requestId, pair);
    if (pair[type]) {
      stream.resetStream(RST.protocolError);
      return;
    }
    pair[type] = stream;
    if (type === 'error') {
      // kubectl half-closes its end of the error stream at once; nothing flows that way.
      stream.onData = () => undefined;
    } else {
      stream.onData = (chunk) => pair.early.push(Buffer.from(chunk));
      stream.onEnd = () => (pair.earlyEnd = true);
    }
    if (pair.error && pair.data && !pair.started) {
      pair.started = true;
      pairs.delete(requestId);
      forward(pair.error, pair.data, pair.early, pair.earlyEnd);
    }
  };

  const forward = (errorStream: SpdyStream, data: SpdyStream, early: Buffer[], earlyEnd: boolean) => {
    const port = Number(data.headers.get('port'));
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      errorStream.write(Buffer.from(`invalid port: "${data.headers.get('port') ?? ''}"`));
      errorStream.end();
      data.end();
      return;
    }
    const pending: Buffer[] = early;
    let clientEnded = earlyEnd;
    let socket: Socket | undefined;
    data.onData = (chunk) => {
      if (!socket) {
        pending.push(Buffer.from(chunk));
        return;
      }
      if (!socket.write(chunk) && !socket.destroyed && !paused) {
        // Backpressure from the Pod: stop reading the WebSocket until the Pod side drains.
        paused = true;
        channel.pause();
        const resume = () => {
          socket?.off('drain', resume);
          socket?.off('close', resume);
          paused = false;
          channel.resume();
        };
        socket.once('drain', resume);
        socket.once('close', resume);
      }
    };
    data.onEnd = () => {
      clientEnded = true;
      socket?.end();
    };
    const abort = () => socket?.destroy();
    data.onReset = abort;
    errorStream.onReset = abort;

    cluster.dataplane.dialForward(pod, port).then(
      (connected) => {
        if (data.reset || errorStream.reset) {
          connected.destroy();
          return;
        }
        socket = connected;
        sockets.add(connected);
        for (const chunk of pending.splice(0)) {
          connected.write(chunk);
        }
        if (clientEnded) {
          connected.end();
        }
        connected.on('data', (chunk: Buffer) => {
          data.write(chunk);
          if (channel.bufferedAmount > HIGH_WATER_MARK && !connected.isPaused()) {
            connected.pause();
            channel.whenDrained(HIGH_WATER_MARK / 2, () => connected.resume());
          }
        });
        connected.once('end', () => data.end());
        connected.once('close', () => {
          sockets.delete(connected);
          data.end();
          errorStream.end();
        });
        connected.once('error', () => undefined);
      },
      (error: NodeJS.ErrnoException) => {
        errorStream.write(Buffer.from(forwardErrorMessage(pod, port, error)));
        errorStream.end();
        data.end();
      },
    );
  };

  channel.onData((bytes) => session.receive(bytes));
  const closeAll = () => {
    session.close();
    for (const socket of sockets) {
      socket.destroy();
    }
    sockets.clear();
  };
  channel.onClose(closeAll);
}
