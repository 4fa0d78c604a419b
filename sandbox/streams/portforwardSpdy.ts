/**
 * `pods/portforward` as kubectl 1.31+ speaks it: SPDY/3.1 tunnelled through a WebSocket whose
 * subprotocol is `SPDY/3.1+portforward.k8s.io`. The ports are not in the query: for every local
 * connection kubectl opens two streams, `streamtype: error` then `streamtype: data`, both with
 * `port` and `requestid` headers, and the kubelet pairs them by request id. The data stream
 * carries the bytes both ways (a FIN half-closes); a failure to reach the Pod's port is written to
 * the error stream, which is closed when the pair is done.
 */
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { KubeObject } from '../api/store.ts';
import type { Cluster } from '../cluster.ts';
import { forwardErrorMessage } from './portforward.ts';
import { RST, SpdySession } from './spdy.ts';
import type { SpdyStream } from './spdy.ts';

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

export function runSpdyPortForwardSession(
  ws: WebSocket,
  request: { pod: KubeObject; cluster: Cluster },
): void {
  const { pod, cluster } = request;
  const pairs = new Map<string, Pair>();
  const sockets = new Set<Socket>();
  let paused = false;

  const session = new SpdySession(
    {
      send: (bytes) => {
        if (ws.readyState === ws.OPEN) {
          ws.send(bytes);
        }
      },
      close: () => ws.close(1000),
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
        ws.pause();
        const resume = () => {
          socket?.off('drain', resume);
          socket?.off('close', resume);
          paused = false;
          ws.resume();
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
          if (ws.bufferedAmount > HIGH_WATER_MARK) {
            connected.pause();
            const resume = () => {
              if (ws.bufferedAmount > HIGH_WATER_MARK / 2 && ws.readyState === ws.OPEN) {
                setImmediate(resume);
              } else {
                connected.resume();
              }
            };
            setImmediate(resume);
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

  ws.on('message', (raw: Buffer) => session.receive(raw));
  const closeAll = () => {
    session.close();
    for (const socket of sockets) {
      socket.destroy();
    }
    sockets.clear();
  };
  ws.once('close', closeAll);
  ws.once('error', closeAll);
}
