/**
 * Requests below client-node, for tests of what a server writes (status, headers, chunks), not only
 * what a client makes of it: to a sandbox's API as its kubeconfig's current user, and plain HTTP
 * through an address (an Ingress controller's) with a Host header.
 */
import { request as httpRequest } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { request } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  contentType: string;
  /** The whole body, however long the server takes. */
  body: string;
  /** The body's first chunk as it arrived. */
  first: string;
  ms: number;
}

export function rawRequest(
  server: string,
  kubeConfig: KubeConfig,
  method: string,
  path: string,
): Promise<RawResponse> {
  const user = kubeConfig.getCurrentUser()!;
  const cluster = kubeConfig.getCurrentCluster()!;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      `${server}${path}`,
      {
        method,
        ca: Buffer.from(cluster.caData!, 'base64'),
        headers: { Authorization: `Bearer ${user.token ?? ''}` },
      },
      (res) => void readAnswer(res, started).then(resolve, reject),
    );
    req.on('error', reject);
    req.end();
  });
}

/** A response read whole; `started` is when its request was made (`performance.now()`). */
function readAnswer(res: IncomingMessage, started: number): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () =>
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        contentType: String(res.headers['content-type'] ?? ''),
        body: Buffer.concat(chunks).toString('utf8'),
        first: chunks[0]?.toString('utf8') ?? '',
        ms: performance.now() - started,
      }),
    );
    res.on('error', reject);
  });
}

/**
 * One plain HTTP request to port 80 of `address`, as a client outside the cluster sends it to a
 * LoadBalancer address, with `host` as its Host header; given up after 10 s without an answer.
 */
export function httpThrough(
  address: string,
  host: string | undefined,
  path: string,
  options: { method?: string; body?: Buffer } = {},
): Promise<RawResponse> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: address,
        port: 80,
        path,
        method: options.method ?? 'GET',
        headers: host === undefined ? {} : { host },
        agent: false,
        timeout: 10_000,
      },
      (res) => void readAnswer(res, started).then(resolve, reject),
    );
    req.on('timeout', () => req.destroy(new Error(`no answer for ${host}${path}`)));
    req.on('error', reject);
    req.end(options.body);
  });
}
