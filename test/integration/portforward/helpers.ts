/**
 * Helpers of the port-forward integration tests: a manager on a real ClusterCache over real
 * sockets to a sandbox, HTTP through a forward, and waiting for a connection to end.
 */
import { request } from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { connect, createServer } from 'node:net';
import type { Socket } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { ClusterCache } from '../../../src/cluster/cache.ts';
import { PortForwardManager } from '../../../src/portforward/engine.ts';
import type {
  PortForwardEvent,
  PortForwardInfo,
  PortForwardManagerOptions,
} from '../../../src/portforward/engine.ts';
import { waitFor } from '../../support/sandbox.ts';

export interface Forwarding {
  readonly manager: PortForwardManager;
  readonly cache: ClusterCache;
  readonly events: PortForwardEvent[];
  readonly notices: () => string[];
  dispose(): Promise<void>;
}

/** A manager for the kubeconfig at `kubeconfigPath` (its current context), with its own cache. */
export function openForwarding(
  kubeconfigPath: string,
  options: Omit<PortForwardManagerOptions, 'cluster'> = {},
): Forwarding {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kubeconfigPath);
  const cache = new ClusterCache(kubeConfig, {
    contextName: kubeConfig.getCurrentContext(),
    backoff: { initialMs: 200, maxMs: 1_000 },
  });
  const manager = new PortForwardManager({ ...options, cluster: { cache, kubeConfig } });
  const events: PortForwardEvent[] = [];
  manager.onDidChange((event) => events.push(event));
  return {
    manager,
    cache,
    events,
    notices: () => events.flatMap((event) => (event.type === 'notice' ? [event.message] : [])),
    async dispose() {
      await manager.dispose();
      cache.dispose();
    },
  };
}

export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
  /** The sandbox echo's JSON: pod, namespace, port, path... */
  readonly echo: { pod: string; namespace: string; port: number; path: string };
}

/** One GET on a fresh connection. */
export function httpGet(
  port: number,
  path = '/',
  options: { host?: string; timeoutMs?: number } = {},
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: options.host ?? '127.0.0.1', port, path, agent: false, timeout: options.timeoutMs ?? 8_000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, body, echo: JSON.parse(body) as HttpAnswer['echo'] });
          } catch (error) {
            reject(new Error(`not the echo's JSON: ${body.slice(0, 200)} (${String(error)})`));
          }
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** The single local port of a forward. */
export function localPort(info: PortForwardInfo, index = 0): number {
  const local = info.ports[index]?.local;
  if (!local) {
    throw new Error(`port ${index} of ${info.id} is not bound (state ${info.state}: ${info.reason})`);
  }
  return local.port;
}

export function waitForState(
  manager: PortForwardManager,
  id: string,
  check: (info: PortForwardInfo) => boolean,
  description: string,
  timeoutMs = 10_000,
): Promise<PortForwardInfo> {
  return waitFor(
    description,
    () => {
      const info = manager.get(id);
      return info && check(info) ? info : undefined;
    },
    timeoutMs,
  );
}

/**
 * Starts a raw HTTP download of `bytes` through the port, so the connection stays in flight;
 * resolves once data has arrived, with the socket and a promise of how it ended. With `pause`, it
 * stops reading after the first chunk (a paused socket does not notice its connection ending).
 */
export async function inFlightDownload(
  port: number,
  bytes = 1024 * 1024 * 1024,
  options: { pause?: boolean } = {},
): Promise<{ socket: Socket; ended: Promise<'end' | 'error' | 'close'>; received: () => number }> {
  const socket = connect({ host: '127.0.0.1', port });
  let received = 0;
  const ended = new Promise<'end' | 'error' | 'close'>((resolve) => {
    socket.once('end', () => resolve('end'));
    socket.once('error', () => resolve('error'));
    socket.once('close', () => resolve('close'));
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('data', (chunk: Buffer) => {
      received += chunk.length;
      if (options.pause) {
        socket.pause();
      }
      resolve();
    });
    socket.once('error', reject);
    socket.write(`GET /bytes/${bytes} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
  });
  socket.on('data', (chunk: Buffer) => (received += chunk.length));
  return { socket, ended, received: () => received };
}

/** Resolves with how the promise settled, or 'timeout'. */
export async function within<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Whether a TCP port on an address can be bound now. */
export function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Connects and resolves with what happened first: data, or the connection closing. */
export function firstEvent(
  port: number,
  host: string,
  send?: string,
): Promise<'data' | 'closed' | 'refused'> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('data', () => {
      socket.destroy();
      resolve('data');
    });
    socket.once('error', (error: NodeJS.ErrnoException) =>
      resolve(error.code === 'ECONNREFUSED' ? 'refused' : 'closed'),
    );
    socket.once('close', () => resolve('closed'));
    socket.once('connect', () => {
      if (send !== undefined) {
        socket.write(send);
      }
    });
  });
}

/**
 * Watches the WebSocket upgrades the sandbox's API server receives (test-only: a listener put
 * before the server's own on its private HTTPS server). With `refuseSpdy`, the SPDY tunnelling
 * subprotocol is taken out of each offer, so the API server answers as one older than 1.30 does.
 */
export function watchUpgrades(
  api: unknown,
  options: { refuseSpdy?: boolean } = {},
): { spdy: () => number; v4: () => number; dispose: () => void } {
  const server = (api as { server?: HttpsServer }).server;
  if (!server) {
    throw new Error('the sandbox API server is not running');
  }
  let spdy = 0;
  let v4 = 0;
  const listener = (req: IncomingMessage) => {
    const offered = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
    if (!/\/portforward(\?|$)/.test(req.url ?? '')) {
      return;
    }
    if (offered.includes('SPDY/3.1+portforward.k8s.io')) {
      spdy += 1;
      if (options.refuseSpdy) {
        const kept = offered.filter((p) => p !== 'SPDY/3.1+portforward.k8s.io');
        if (kept.length > 0) {
          req.headers['sec-websocket-protocol'] = kept.join(', ');
        } else {
          delete req.headers['sec-websocket-protocol'];
        }
      }
    } else {
      v4 += 1;
    }
  };
  server.prependListener('upgrade', listener);
  return { spdy: () => spdy, v4: () => v4, dispose: () => server.off('upgrade', listener) };
}
