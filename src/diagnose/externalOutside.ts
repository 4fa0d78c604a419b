/**
 * Probes from outside the cluster, that is from this process: a TCP connection to a node port or a
 * load balancer, and an HTTP request with a Host header to an Ingress's address. They see what a
 * client outside sees (externalTrafficPolicy Local's drops, loadBalancerSourceRanges), which a
 * probe from a Pod cannot; at the port the sandbox serves it on, when it says so (withHostPorts).
 * Bounded by a timeout, cancellable. No `vscode`.
 */
import * as http from 'node:http';
import * as net from 'node:net';
import { hostPortSentence } from '../analysis/hostPorts.ts';
import type { HostPortMapping } from '../analysis/hostPorts.ts';

export interface OutsideResult {
  readonly reached: boolean;
  readonly message: string;
  readonly status?: number;
}

export interface OutsideOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

/** Whether a TCP connection to host:port opens within the timeout. */
export function outsideConnect(host: string, port: number, options: OutsideOptions): Promise<OutsideResult> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const finish = (result: OutsideResult) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', abort);
      socket.destroy();
      resolve(result);
    };
    const abort = () => finish({ reached: false, message: 'Cancelled.' });
    const timer = setTimeout(
      () =>
        finish({
          reached: false,
          message: `No answer within ${options.timeoutMs} ms: the connection was dropped.`,
        }),
      options.timeoutMs,
    );
    options.signal?.addEventListener('abort', abort, { once: true });
    socket.once('connect', () => finish({ reached: true, message: 'The connection opened.' }));
    socket.once('error', (error: NodeJS.ErrnoException) =>
      finish({
        reached: false,
        message:
          error.code === 'ECONNREFUSED'
            ? 'The connection was refused.'
            : `The connection failed: ${error.code ?? error.message}.`,
      }),
    );
  });
}

/** A GET of `path` with `Host: hostHeader` at host:port; reached when any HTTP status came back. */
export function outsideHttp(
  host: string,
  port: number,
  hostHeader: string | undefined,
  path: string,
  options: OutsideOptions,
): Promise<OutsideResult> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: OutsideResult) => {
      if (settled) {
        return;
      }
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', abort);
      request.destroy();
      resolve(result);
    };
    const request = http.request({
      host,
      port,
      path,
      method: 'GET',
      agent: false,
      headers: hostHeader === undefined ? {} : { host: hostHeader },
    });
    const abort = () => finish({ reached: false, message: 'Cancelled.' });
    const timer = setTimeout(
      () => finish({ reached: false, message: `No answer within ${options.timeoutMs} ms.` }),
      options.timeoutMs,
    );
    options.signal?.addEventListener('abort', abort, { once: true });
    request.once('response', (response) => {
      response.resume();
      finish({
        reached: true,
        status: response.statusCode ?? 0,
        message: `HTTP ${response.statusCode ?? '?'}.`,
      });
    });
    request.once('error', (error: NodeJS.ErrnoException) =>
      finish({ reached: false, message: `The request failed: ${error.code ?? error.message}.` }),
    );
    request.end();
  });
}

/**
 * `connect` and `http` that go where the sandbox says it serves an address's port (its
 * `sandbox.kubereach.dev/host-ports` annotations, src/analysis/hostPorts.ts), and say so in the
 * outcome: an ordinary user's sandbox serves port 80 at 8080, and a bare "refused" at 80 would be
 * untrue of what a user of that sandbox reaches. Without a mapping for host:port, they are the
 * given functions unchanged.
 */
export function withHostPorts(
  mappings: ReadonlyMap<string, HostPortMapping>,
  connect: typeof outsideConnect,
  http: typeof outsideHttp,
): { readonly connect: typeof outsideConnect; readonly http: typeof outsideHttp } {
  const told = async (host: string, port: number, probe: (port: number) => Promise<OutsideResult>) => {
    const mapping = mappings.get(`${host}:${port}`);
    if (mapping === undefined) {
      return probe(port);
    }
    const outcome = await probe(mapping.hostPort);
    return { ...outcome, message: `${hostPortSentence(host, port, mapping)} ${outcome.message}` };
  };
  return {
    connect: (host, port, options) => told(host, port, (at) => connect(host, at, options)),
    http: (host, port, hostHeader, path, options) =>
      told(host, port, (at) => http(host, at, hostHeader, path, options)),
  };
}
