/**
 * `pods/portforward` over WebSocket (`v4.channel.k8s.io`, or no subprotocol): for the i-th
 * requested port, channel 2i carries data and 2i+1 errors; the server opens each channel with a
 * frame holding the port as two bytes little-endian. Bytes go to the Pod's real listener.
 */
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { KubeObject } from '../api/store.ts';
import type { Cluster } from '../cluster.ts';

/** kubectl 1.31+ tunnels SPDY through the WebSocket (see portforwardSpdy.ts); client-node speaks v4. */
export const SPDY_TUNNEL_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';
export const PORT_FORWARD_PROTOCOLS = ['v4.channel.k8s.io', SPDY_TUNNEL_PROTOCOL];

/** Buffered bytes above which the Pod side is paused until the WebSocket drains. */
const HIGH_WATER_MARK = 4 << 20;

/** What the kubelet writes to the error stream when it cannot reach the Pod's port. */
export function forwardErrorMessage(pod: KubeObject, port: number, error: NodeJS.ErrnoException): string {
  const uid = pod.metadata.uid ?? '';
  const reason = error.code === 'ECONNREFUSED' ? 'connect: connection refused' : error.message;
  return `error forwarding port ${port} to pod ${uid.replace(/-/g, '')}, uid : failed to execute portforward in network namespace "/var/run/netns/cni-${uid}": failed to connect to localhost:${port} inside namespace "${uid}", IPv4: dial tcp4 127.0.0.1:${port}: ${reason} IPv6 dial tcp6 [::1]:${port}: connect: connection refused `;
}

export function selectPortForwardProtocol(offered: readonly string[]): string {
  return offered.find((p) => PORT_FORWARD_PROTOCOLS.includes(p)) ?? '';
}

export function runPortForwardSession(
  ws: WebSocket,
  request: { pod: KubeObject; ports: number[]; cluster: Cluster },
): void {
  const { pod, ports, cluster } = request;
  const sockets: Array<Socket | undefined> = [];
  const pending: Buffer[][] = ports.map(() => []);
  let closed = false;

  const frame = (channel: number, payload: Buffer) => Buffer.concat([Buffer.of(channel), payload]);
  const portBytes = (port: number) => Buffer.of(port & 0xff, port >> 8);
  const closeAll = () => {
    if (closed) {
      return;
    }
    closed = true;
    for (const socket of sockets) {
      socket?.destroy();
    }
    if (ws.readyState === ws.OPEN) {
      ws.close(1000);
    }
  };

  ports.forEach((port, index) => {
    ws.send(frame(2 * index, portBytes(port)));
    ws.send(frame(2 * index + 1, portBytes(port)));
    cluster.dataplane.dialForward(pod, port).then(
      (socket) => {
        if (closed) {
          socket.destroy();
          return;
        }
        sockets[index] = socket;
        for (const chunk of pending[index]!) {
          socket.write(chunk);
        }
        pending[index] = [];
        // Backpressure from the client: the Pod side pauses while the WebSocket holds too much,
        // and resumes from a send's completion (polling for the drain spun a core while a slow
        // client read).
        let paused = false;
        const sent = () => {
          if (paused && ws.bufferedAmount <= HIGH_WATER_MARK / 2) {
            paused = false;
            socket.resume();
          }
        };
        socket.on('data', (chunk: Buffer) => {
          if (ws.readyState !== ws.OPEN) {
            return;
          }
          ws.send(frame(2 * index, chunk), sent);
          if (!paused && ws.bufferedAmount > HIGH_WATER_MARK) {
            paused = true;
            socket.pause();
          }
        });
        socket.once('close', closeAll);
        socket.once('error', () => undefined);
      },
      (error: NodeJS.ErrnoException) => {
        const message = forwardErrorMessage(pod, port, error);
        if (ws.readyState === ws.OPEN) {
          ws.send(frame(2 * index + 1, Buffer.from(message)));
        }
        closeAll();
      },
    );
  });

  ws.on('message', (raw: Buffer) => {
    if (raw.length === 0) {
      return;
    }
    const channel = raw[0]!;
    if (closed || channel % 2 !== 0) {
      return;
    }
    const index = channel / 2;
    const data = raw.subarray(1);
    const socket = sockets[index];
    if (socket) {
      if (!socket.write(data) && !socket.destroyed) {
        // Backpressure from the Pod: stop reading the WebSocket until the Pod side drains. A paused
        // WebSocket would not see the client's close frame either, so resume on close too.
        ws.pause();
        const resume = () => {
          socket.off('drain', resume);
          socket.off('close', resume);
          ws.resume();
        };
        socket.once('drain', resume);
        socket.once('close', resume);
      }
    } else if (pending[index]) {
      pending[index].push(Buffer.from(data));
    }
  });
  ws.once('close', closeAll);
  ws.once('error', closeAll);
}
