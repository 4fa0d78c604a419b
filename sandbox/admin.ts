/**
 * The fault-injection endpoint: HTTP on 127.0.0.1, every request carrying the admin token.
 * `npm run sandbox:fault` (sandbox/fault.ts) is its command-line client.
 *
 *   POST /faults/apiserver/stop | /faults/apiserver/start | /faults/watches/expire
 *   POST /faults/pods/delete      {namespace, name, gracePeriodSeconds?}
 *   POST /faults/pods/replace     {namespace, name}
 *   POST /faults/pods/readiness   {namespace, name, ready} or {updates: [{namespace, name, ready}, ...]}
 *   POST /faults/services/endpoints {namespace, name, removed}
 *   POST /faults/latency          {ms}
 *   POST /faults/nodes/kubelet    {node, reachable}
 *   POST /faults/loadbalancers/pool {enabled}
 *   GET  /status
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { ApiServer } from './api/server.ts';
import type { Cluster } from './cluster.ts';
import { type } from './cluster.ts';
import type { Faults } from './index.ts';

export class AdminServer {
  readonly token: string;
  private server: Server | undefined;
  private readonly options: { cluster: Cluster; api: ApiServer; faults: Faults; port: number };
  private boundPort = 0;

  constructor(options: { cluster: Cluster; api: ApiServer; faults: Faults; token: string; port: number }) {
    this.options = options;
    this.token = options.token;
  }

  get url(): string {
    return `http://127.0.0.1:${this.boundPort}`;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) =>
        reply(res, 500, { error: error instanceof Error ? error.message : String(error) }),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, '127.0.0.1', () => resolve());
    });
    this.boundPort = (server.address() as { port: number }).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const presented = Buffer.from(/^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '');
    const expected = Buffer.from(this.token);
    if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
      reply(res, 401, { error: 'admin token required' });
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) {
      chunks.push(chunk as Buffer);
    }
    const body =
      chunks.length > 0
        ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>)
        : {};
    const { faults, cluster, api } = this.options;
    const str = (key: string) => {
      const value = body[key];
      if (typeof value !== 'string' || value === '') {
        throw new Error(`"${key}" is required`);
      }
      return value;
    };
    const route = `${req.method} ${new URL(req.url ?? '/', 'http://admin').pathname}`;
    switch (route) {
      case 'GET /status':
        reply(res, 200, {
          apiServer: api.running ? 'running' : 'stopped',
          pods: cluster.store.count(type('pods')),
          services: cluster.store.count(type('services')),
          listeners: cluster.dataplane.listenerCount,
          watches: api.watchCount,
          loadBalancerPool: cluster.loadBalancers.enabled ? 'on' : 'off',
          churn: faults.churnStatus(),
          resourceVersion: cluster.store.currentRevision,
          rssBytes: process.memoryUsage().rss,
        });
        return;
      case 'POST /faults/apiserver/stop':
        await faults.stopApiServer();
        break;
      case 'POST /faults/apiserver/start':
        await faults.startApiServer();
        break;
      case 'POST /faults/watches/expire':
        faults.expireWatches();
        break;
      case 'POST /faults/pods/delete':
        faults.deletePod(
          str('namespace'),
          str('name'),
          typeof body.gracePeriodSeconds === 'number' ? body.gracePeriodSeconds : undefined,
        );
        break;
      case 'POST /faults/pods/replace':
        faults.replacePod(str('namespace'), str('name'));
        break;
      case 'POST /faults/pods/readiness':
        if (Array.isArray(body.updates)) {
          // Many flips in one request, so load tests can reach rates one request per flip cannot.
          for (const update of body.updates as Array<{ namespace: string; name: string; ready: boolean }>) {
            faults.setPodReady(update.namespace, update.name, update.ready === true);
          }
        } else {
          faults.setPodReady(str('namespace'), str('name'), body.ready === true);
        }
        break;
      case 'POST /faults/services/endpoints':
        faults.setServiceEndpointsRemoved(str('namespace'), str('name'), body.removed !== false);
        break;
      case 'POST /faults/latency':
        faults.setApiLatency(Number(body.ms ?? 0));
        break;
      case 'POST /faults/nodes/kubelet':
        faults.setKubeletReachable(str('node'), body.reachable !== false);
        break;
      case 'POST /faults/pods/churn':
        if (body.stop === true) {
          faults.stopChurn();
        } else {
          faults.startChurn(Number(body.rate), Number(body.seconds));
        }
        break;
      case 'POST /faults/loadbalancers/pool':
        faults.setLoadBalancerPool(body.enabled !== false);
        break;
      default:
        reply(res, 404, { error: `no such admin route: ${route}` });
        return;
    }
    reply(res, 200, { ok: true });
  }
}

function reply(res: ServerResponse, code: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res
    .writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) })
    .end(payload);
}
