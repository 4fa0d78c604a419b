/**
 * One HTTPS request to a sandbox as its kubeconfig's current user, below client-node: for tests of
 * what the server writes (status, headers, chunks), not only what a client makes of it.
 */
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
      (res) => {
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
      },
    );
    req.on('error', reject);
    req.end();
  });
}
