/**
 * The situations every command line of the differential suite meets, as real listeners on loopback: the
 * real tools and the sandbox's emulated ones connect to the same sockets. An HTTP server (200, 301, 404,
 * 503, chunked, large, and an echo of the request target), a closed port, a port that accepts and never
 * answers, a port whose SYNs are dropped, resets before and during the answer, a close without an answer,
 * a non-HTTP answer, a TLS server with a self-signed certificate, and a DNS server for names.
 */
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { Worker } from 'node:worker_threads';
import { selfSignedCertificate } from '../../unit/sandbox-exec/selfSigned.ts';
import { startDnsServer } from './dnsServer.ts';

export const HOST = '127.0.0.1';
/** An address of TEST-NET-2 (RFC 5737), for the rows that run without a route (`network: 'none'`). */
export const UNREACHABLE_HOST = '198.51.100.1';

/** The large body: 300,000 bytes, more than any socket buffer, the same every run. */
export const LARGE_BODY = Buffer.from(
  Array.from({ length: 3000 }, (_, i) => `${String(i).padStart(5, '0')} ${'x'.repeat(93)}\n`).join(''),
);

export interface Situations {
  /** HTTP: /ok 200, /moved 301 to /ok, /missing 404, /unavailable 503, /chunked, /large; any other path 200 with "METHOD target". */
  readonly http: number;
  /** Nothing listens. */
  readonly closed: number;
  /** Accepts, reads, never answers. */
  readonly hang: number;
  /** The accept queue is full and nobody accepts: the kernel drops the SYN, as a NetworkPolicy drop does. */
  readonly drop: number;
  /** Resets the connection when the request arrives. */
  readonly reset: number;
  /** Sends the status line, headers and part of the body, then resets. */
  readonly resetMidway: number;
  /** Closes without answering once the request arrives. */
  readonly empty: number;
  /** Answers with an SSH banner. */
  readonly notHttp: number;
  /** HTTPS with a self-signed certificate for 127.0.0.1 and localhost, the same pages as `http`. */
  readonly tls: number;
  /** The DNS server's address (port 53): `web` (through the search path) is 127.0.0.1, the rest NXDOMAIN. */
  readonly dns: string;
  close(): Promise<void>;
}

function page(request: IncomingMessage, response: ServerResponse): void {
  // No Date header: wget -S and curl -I print the headers, and both sides must see the same ones.
  response.sendDate = false;
  const url = request.url ?? '/';
  const text = (status: number, body: string, headers: Record<string, string> = {}): void => {
    response.writeHead(status, {
      'content-type': 'text/plain',
      'content-length': Buffer.byteLength(body),
      ...headers,
    });
    response.end(body);
  };
  request.resume();
  request.on('end', () => {
    switch (url) {
      case '/ok':
        return text(200, 'hello\n');
      case '/moved':
        return text(301, 'moved\n', { location: '/ok' });
      case '/missing':
        return text(404, 'not found\n');
      case '/unavailable':
        return text(503, 'unavailable\n');
      case '/chunked':
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.write('first\n');
        response.write('second\n');
        response.end('third\n');
        return;
      case '/large':
        response.writeHead(200, {
          'content-type': 'application/octet-stream',
          'content-length': LARGE_BODY.length,
        });
        response.end(LARGE_BODY);
        return;
      default:
        return text(200, `${request.method} ${url}\n`);
    }
  });
}

interface Listener {
  readonly port: number;
  close(): Promise<void>;
}

async function listen(server: Server): Promise<Listener> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) {
          socket.destroy();
        }
        server.close(() => resolve());
      }),
  };
}

const tcp = (onConnection: (socket: Socket) => void): Promise<Listener> => listen(createServer(onConnection));

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Whether a connection to `port` completes within `ms`; the socket is kept when it does. */
function connectsWithin(port: number, ms: number, kept: Socket[]): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: HOST, port });
    socket.on('error', () => {});
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(false);
    }, ms);
    socket.once('connect', () => {
      clearTimeout(timer);
      kept.push(socket);
      resolve(true);
    });
  });
}

/**
 * A dropped connection without netfilter (which this machine may not have): a listener in a worker
 * thread whose event loop is blocked never accepts; once its accept queue is full, the kernel drops new
 * SYNs and a connect times out, exactly as behind a NetworkPolicy. Filled until a connect is seen to hang.
 */
async function droppingPort(): Promise<Listener> {
  const gate = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     const server = require('node:net').createServer();
     server.listen({ host: '${HOST}', port: 0, backlog: 1 }, () => {
       parentPort.postMessage(server.address().port);
       setImmediate(() => Atomics.wait(workerData, 0, 0));
     });`,
    { eval: true, workerData: gate },
  );
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  const fillers: Socket[] = [];
  let full = false;
  for (let attempt = 0; attempt < 32 && !full; attempt += 1) {
    full = !(await connectsWithin(port, 300, fillers));
  }
  const close = async (): Promise<void> => {
    for (const socket of fillers) {
      socket.destroy();
    }
    Atomics.store(gate, 0, 1);
    Atomics.notify(gate, 0);
    await worker.terminate();
  };
  if (!full) {
    await close();
    throw new Error('could not fill the accept queue of the dropping listener: connects keep completing');
  }
  return { port, close };
}

/** Starts every situation; `dnsAddress` is a loopback address whose port 53 is free (the caller picks one). */
export async function startSituations(dnsAddress: string): Promise<Situations> {
  const { cert, key } = selfSignedCertificate({
    commonName: 'kubereach-test',
    dnsNames: ['localhost'],
    ips: [HOST],
  });
  const listeners = await Promise.all([
    listen(createHttpServer(page)),
    tcp((socket) => socket.resume()),
    droppingPort(),
    tcp((socket) => socket.once('data', () => socket.resetAndDestroy())),
    tcp((socket) =>
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\npartial\n');
        // The reset follows the part once it has surely been read on loopback.
        setTimeout(() => socket.resetAndDestroy(), 200);
      }),
    ),
    tcp((socket) => socket.once('data', () => socket.end())),
    tcp((socket) => socket.once('data', () => socket.end('SSH-2.0-OpenSSH_9.2p1\r\nProtocol mismatch.\n'))),
    listen(createHttpsServer({ cert, key }, page)),
  ]);
  const [http, hang, drop, reset, resetMidway, empty, notHttp, tls] = listeners;
  const dns = await startDnsServer(
    dnsAddress,
    new Map([['web.default.svc.cluster.local', HOST]]),
    'cluster.local',
  );
  return {
    http: http!.port,
    closed: await closedPort(),
    hang: hang!.port,
    drop: drop!.port,
    reset: reset!.port,
    resetMidway: resetMidway!.port,
    empty: empty!.port,
    notHttp: notHttp!.port,
    tls: tls!.port,
    dns: dns.address,
    close: async () => {
      await Promise.all([...listeners.map((listener) => listener.close()), dns.close()]);
    },
  };
}
