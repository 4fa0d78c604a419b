/**
 * Test rig for the exec interpreter: real loopback listeners, and a fake pod network that maps cluster
 * addresses onto them (or refuses, or drops like a NetworkPolicy).
 */
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import { connect, createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { Readable } from 'node:stream';
import { runExec } from '../../../sandbox/exec/index.ts';
import type { ExecContext, ExecNetwork } from '../../../sandbox/exec/index.ts';

export type Route =
  /** Forward to a loopback listener. */
  | { port: number }
  | 'refused'
  /** Dropped silently: the sandbox rejects with ETIMEDOUT once timeoutMs has passed. */
  | 'drop'
  | 'unreachable';

export interface FakeNetworkOptions {
  /** Fully qualified name → addresses; queries go through the pod's search path (`web` finds `web.default.svc.cluster.local`). */
  hosts?: Record<string, string[]>;
  /** 'ip:port' → route. Unlisted destinations are refused. */
  routes?: Record<string, Route>;
}

export interface FakeNetwork extends ExecNetwork {
  /** Every connect call, as 'ip:port timeoutMs'. */
  readonly connects: string[];
  readonly resolves: string[];
  /** Sockets handed out and not yet closed. */
  openSockets(): number;
}

function fail(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

export function fakeNetwork(options: FakeNetworkOptions): FakeNetwork {
  const hosts = options.hosts ?? {};
  const routes = options.routes ?? {};
  const connects: string[] = [];
  const resolves: string[] = [];
  const live = new Set<Socket>();
  const search = ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local'];
  return {
    connects,
    resolves,
    openSockets: () => live.size,
    resolve(name) {
      resolves.push(name);
      if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) {
        return Promise.resolve([name]);
      }
      const expanded = search.map((domain) => `${name}.${domain}`);
      const candidates = name.split('.').length - 1 >= 5 ? [name, ...expanded] : [...expanded, name];
      for (const candidate of candidates) {
        const found = hosts[candidate];
        if (found !== undefined) {
          return Promise.resolve(found);
        }
      }
      return Promise.resolve([]);
    },
    connect(ip, port, { timeoutMs, signal }) {
      connects.push(`${ip}:${port} ${timeoutMs}`);
      const route = routes[`${ip}:${port}`] ?? 'refused';
      if (signal.aborted) {
        return Promise.reject(fail('ECONNABORTED', 'aborted'));
      }
      if (route === 'refused') {
        return Promise.reject(fail('ECONNREFUSED', `connect ECONNREFUSED ${ip}:${port}`));
      }
      if (route === 'unreachable') {
        return Promise.reject(fail('EHOSTUNREACH', `connect EHOSTUNREACH ${ip}:${port}`));
      }
      if (route === 'drop') {
        return new Promise((_resolve, reject) => {
          const timer = setTimeout(
            () => reject(fail('ETIMEDOUT', `connect ETIMEDOUT ${ip}:${port}`)),
            timeoutMs,
          );
          signal.addEventListener(
            'abort',
            () => {
              clearTimeout(timer);
              reject(fail('ECONNABORTED', 'aborted'));
            },
            { once: true },
          );
        });
      }
      return new Promise((resolve, reject) => {
        const socket = connect({ host: '127.0.0.1', port: route.port });
        live.add(socket);
        socket.once('close', () => live.delete(socket));
        socket.once('connect', () => resolve(socket));
        socket.once('error', (error) => reject(error));
      });
    },
  };
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved in write order. */
  output: string;
  ms: number;
}

export type RunOptions = Partial<Omit<ExecContext, 'network' | 'stdin'>> & {
  network?: ExecNetwork;
  stdin?: string | NodeJS.ReadableStream | null;
  /** Sees stdout as it is written (the collected result comes at the end). */
  onStdout?: (soFar: string) => void;
};

export async function run(argv: string[], options: RunOptions = {}): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  let output = '';
  const started = performance.now();
  const stdin =
    typeof options.stdin === 'string' ? Readable.from([Buffer.from(options.stdin)]) : (options.stdin ?? null);
  const code = await runExec(argv, {
    pod: { name: 'client', namespace: 'default', ip: '10.244.0.7', hostname: 'client' },
    container: { name: 'main', image: 'busybox:1.36' },
    tools: new Set(['sh', 'curl', 'wget', 'nc', 'nslookup', 'getent']),
    env: {},
    signal: new AbortController().signal,
    ...options,
    network: options.network ?? fakeNetwork({}),
    stdin,
    stdout: (chunk) => {
      stdout += chunk.toString();
      output += chunk.toString();
      options.onStdout?.(stdout);
    },
    stderr: (chunk) => {
      stderr += chunk.toString();
      output += chunk.toString();
    },
  });
  return { code, stdout, stderr, output, ms: performance.now() - started };
}

export async function httpServer(
  handler: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<{ server: HttpServer; port: number; close: () => Promise<void> }> {
  const server = createHttpServer(handler);
  server.keepAliveTimeout = 100;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function tcpServer(
  onConnection: (socket: Socket) => void,
): Promise<{ server: Server; port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) {
          socket.destroy();
        }
        server.close(() => resolve());
      }),
  };
}

/** Replaces the timing values curl prints (0.001234) with a placeholder, for exact comparisons. */
export function maskTimes(text: string): string {
  return text.replace(/\b\d+\.\d{6}\b/g, 'T');
}

export interface Cluster {
  network: FakeNetwork;
  /** The network's routes, to add listeners a test starts itself. */
  routes: Record<string, Route>;
  hosts: Record<string, string[]>;
  /** Raw requests received by the `raw` listener, as text. */
  rawRequests: string[];
  close(): Promise<void>;
}

/**
 * A small cluster: `web` (10.96.0.5:80, an HTTP server), `down` (10.96.0.9, nothing listening), `blocked`
 * (10.96.0.6:80, dropped by a NetworkPolicy), `empty` (closes without a reply), `reset` (resets once the
 * request arrives), `raw` (records the request bytes), `echo` (TCP echo on 7).
 */
export async function startCluster(): Promise<Cluster> {
  const web = await httpServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = request.url ?? '/';
      if (url === '/fail') {
        response.writeHead(503, { 'content-type': 'text/plain' });
        response.end('unavailable\n');
      } else if (url === '/redirect') {
        response.writeHead(302, { location: '/final' });
        response.end();
      } else if (url === '/slow') {
        response.writeHead(200, { 'content-length': '10' });
        response.write('abc');
      } else if (url === '/echo') {
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.end(
          `${request.method} ${request.headers['user-agent'] ?? ''} ${Buffer.concat(chunks).toString()}\n`,
        );
      } else {
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.end(`hello from ${url}\n`);
      }
    });
  });
  const empty = await tcpServer((socket) => socket.once('data', () => socket.end()));
  const reset = await tcpServer((socket) => socket.once('data', () => socket.resetAndDestroy()));
  const echo = await tcpServer((socket) => socket.pipe(socket));
  const rawRequests: string[] = [];
  const raw = await tcpServer((socket) =>
    socket.once('data', (chunk: Buffer) => {
      rawRequests.push(chunk.toString('latin1'));
      socket.end('HTTP/1.1 204 No Content\r\n\r\n');
    }),
  );
  const routes: Record<string, Route> = {
    '10.96.0.5:80': { port: web.port },
    '10.96.0.6:80': 'drop',
    '10.96.0.7:80': { port: empty.port },
    '10.96.0.8:80': { port: reset.port },
    '10.96.0.10:80': { port: raw.port },
    '10.96.0.11:7': { port: echo.port },
    '10.96.0.12:80': 'unreachable',
  };
  const hosts: Record<string, string[]> = {
    'web.default.svc.cluster.local': ['10.96.0.5'],
    'blocked.default.svc.cluster.local': ['10.96.0.6'],
    'empty.default.svc.cluster.local': ['10.96.0.7'],
    'reset.default.svc.cluster.local': ['10.96.0.8'],
    'down.default.svc.cluster.local': ['10.96.0.9'],
    'raw.default.svc.cluster.local': ['10.96.0.10'],
    'echo.default.svc.cluster.local': ['10.96.0.11'],
    'secure.default.svc.cluster.local': ['10.96.0.20'],
  };
  const network = fakeNetwork({ routes, hosts });
  return {
    network,
    routes,
    hosts,
    rawRequests,
    close: async () => {
      await Promise.all([web.close(), empty.close(), reset.close(), echo.close(), raw.close()]);
    },
  };
}
