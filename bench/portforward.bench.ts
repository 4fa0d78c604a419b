/**
 * The port-forward engine (src/portforward) against its baselines, in one run, with the sandbox in
 * a process of its own (as users run it), so client and server each have a core:
 *
 * - throughput of one long connection (HTTP `GET /bytes/N` from the Pod's echo server) through a
 *   forward, against a direct loopback connection to the same Pod listener and against a bare
 *   client-node `PortForward` used the way its example does (`portForward(ns, pod, [port], socket,
 *   null, socket)` per accepted socket). Floor: at least 60% of the bare PortForward;
 * - the peer baseline, `kubectl port-forward` (kubectl 1.31+: SPDY tunnelled through a WebSocket),
 *   on the same Pod port: one long download, and 100 concurrent requests (median time of `runs`
 *   rounds), both measured by a client in a process of its own (bench/support/client.ts), as a
 *   user's browser or curl is, so that neither forward shares its process with the client.
 *   Floor: the engine at least as fast as kubectl on both;
 * - 1,000 sequential small HTTP requests, each on a new connection (so a new WebSocket each, as
 *   `curl` in a loop does) and all on one keep-alive connection: the median added latency against
 *   direct connections to the Pod;
 * - 100 concurrent requests (new connections): all must succeed;
 * - reconnection: the only Pod behind a Service forward is deleted and its Deployment replaces it;
 *   time from the replacement turning ready (seen by a watch of this process) to the first
 *   successful request through the same local port. Floor: 5 s.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig, PortForward, Watch } from '@kubernetes/client-node';
import type { V1Pod } from '@kubernetes/client-node';
import { spawnSandbox } from '../sandbox/spawn.ts';
import { ClusterCache } from '../src/cluster/cache.ts';
import { PortForwardManager } from '../src/portforward/engine.ts';
import { downloadRate, median, metric, quantile, report, round } from './lib.ts';

const startedAt = new Date();
const payloadMb = Number(process.env.KUBEREACH_BENCH_PAYLOAD_MB ?? 256);
const runs = Number(process.env.KUBEREACH_BENCH_RUNS ?? 5);
const sequential = Number(process.env.KUBEREACH_BENCH_REQUESTS ?? 1000);
const concurrent = 100;
const reconnectRounds = Number(process.env.KUBEREACH_BENCH_RECONNECTS ?? 5);

const scenarioDir = mkdtempSync(join(tmpdir(), 'kubereach-bench-pfe-'));
const scenarioPath = join(scenarioDir, 'scenario.yaml');
writeFileSync(
  scenarioPath,
  `apiVersion: v1
kind: Namespace
metadata: { name: bench }
---
apiVersion: v1
kind: Pod
metadata: { name: web, namespace: bench }
spec:
  containers: [{ name: web, image: registry.example/echo:1.0, ports: [{ name: http, containerPort: 8080 }] }]
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: solo, namespace: bench }
spec:
  replicas: 1
  selector: { matchLabels: { app: solo } }
  template:
    metadata: { labels: { app: solo } }
    spec:
      containers: [{ name: app, image: registry.example/echo:1.0, ports: [{ name: web, containerPort: 8081 }] }]
---
apiVersion: v1
kind: Service
metadata: { name: solo, namespace: bench }
spec:
  selector: { app: solo }
  ports: [{ name: http, port: 8090, targetPort: web }]
`,
);
const sandbox = await spawnSandbox(['--scenario', scenarioPath]);
const kubectlAvailable = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;

/** `kubectl port-forward` to the Pod's port; resolves with the process and the local port it reports. */
function kubectlForward(): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn('kubectl', ['port-forward', '-n', 'bench', 'pod/web', ':8080'], {
    env: { ...process.env, KUBECONFIG: sandbox.kubeconfigPath },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => reject(new Error(`kubectl port-forward did not start: ${output}`)),
      20_000,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Forwarding from 127\.0\.0\.1:(\d+) ->/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, port: Number(match[1]) });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`kubectl port-forward exited (${code}): ${output}`));
    });
  });
}

/** Runs bench/support/client.ts in its own process (asynchronously: the engine keeps serving). */
function externalClient<T>(mode: 'download' | 'concurrent', port: number, count: number): Promise<T> {
  const script = join(import.meta.dirname, 'support', 'client.ts');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, mode, '127.0.0.1', String(port), String(count)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(JSON.parse(output) as T) : reject(new Error(`client ${mode} exited ${code}`)),
    );
  });
}

/** MB/s of one HTTP download of the payload from host:port. */
function download(host: string, port: number): Promise<number> {
  return downloadRate(host, port, payloadMb * 1024 * 1024);
}

/** One small GET; resolves with the answering Pod's name and the time it took (ms). */
function get(
  host: string,
  port: number,
  options: { agent?: Agent; timeoutMs?: number } = {},
): Promise<{ pod: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = request(
      { host, port, path: '/', agent: options.agent ?? false, timeout: options.timeoutMs ?? 10_000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => {
          try {
            resolve({ pod: (JSON.parse(body) as { pod: string }).pod, ms: performance.now() - t0 });
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

async function sequentialLatencies(host: string, port: number, keepAlive: boolean): Promise<number[]> {
  const agent = keepAlive ? new Agent({ keepAlive: true, maxSockets: 1 }) : undefined;
  const times: number[] = [];
  // A few warm-up requests, not counted.
  for (let i = 0; i < 10 + sequential; i++) {
    const { ms } = await get(host, port, agent ? { agent } : {});
    if (i >= 10) {
      times.push(ms);
    }
  }
  agent?.destroy();
  return times;
}

function isReady(pod: V1Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
}

const kc = new KubeConfig();
kc.loadFromFile(sandbox.kubeconfigPath);
const core = kc.makeApiClient(CoreV1Api);
const cache = new ClusterCache(kc, { contextName: kc.getCurrentContext() });
const manager = new PortForwardManager({ cluster: { cache, kubeConfig: kc } });
let watchRequest: { abort(): void } | undefined;
let kubectlChild: ChildProcess | undefined;

try {
  const podIp = (await core.readNamespacedPod({ namespace: 'bench', name: 'web' })).status!.podIP!;

  // The bare client-node PortForward, as its example uses it.
  const bare = new PortForward(kc);
  const bareServer = createServer((socket) => {
    void bare.portForward('bench', 'web', [8080], socket, null, socket).then((ws) => {
      (ws as unknown as { on(event: 'close', listener: () => void): void }).on('close', () => socket.end());
    });
  });
  await new Promise<void>((ready) => bareServer.listen(0, '127.0.0.1', ready));
  const barePort = (bareServer.address() as AddressInfo).port;

  const forward = await manager.start({
    target: { kind: 'Pod', namespace: 'bench', name: 'web' },
    ports: [{ remote: 8080 }],
  });
  const enginePort = forward.ports[0]!.local!.port;
  const kubectlForwarded = kubectlAvailable ? await kubectlForward() : undefined;
  kubectlChild = kubectlForwarded?.child;

  // 1. Throughput, interleaved so that drifts of the machine hit all of them alike.
  const direct: number[] = [];
  const bareRates: number[] = [];
  const engineRates: number[] = [];
  const engineExternalRates: number[] = [];
  const kubectlRates: number[] = [];
  for (let i = 0; i < runs; i++) {
    direct.push(await download(podIp, 8080));
    bareRates.push(await download('127.0.0.1', barePort));
    engineRates.push(await download('127.0.0.1', enginePort));
    if (kubectlForwarded) {
      const bytes = payloadMb * 1024 * 1024;
      engineExternalRates.push((await externalClient<{ mbps: number }>('download', enginePort, bytes)).mbps);
      kubectlRates.push(
        (await externalClient<{ mbps: number }>('download', kubectlForwarded.port, bytes)).mbps,
      );
    }
  }
  bareServer.close();

  // 2. Latency of small requests.
  const directFresh = await sequentialLatencies(podIp, 8080, false);
  const engineFresh = await sequentialLatencies('127.0.0.1', enginePort, false);
  const directKeepAlive = await sequentialLatencies(podIp, 8080, true);
  const engineKeepAlive = await sequentialLatencies('127.0.0.1', enginePort, true);

  // 3. Concurrency.
  const concurrentRun = async (host: string, port: number) => {
    const t0 = performance.now();
    const results = await Promise.allSettled(Array.from({ length: concurrent }, () => get(host, port)));
    return {
      ok: results.filter((r) => r.status === 'fulfilled').length,
      errors: [...new Set(results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : [])))],
      ms: performance.now() - t0,
    };
  };
  const concurrentDirect = await concurrentRun(podIp, 8080);
  const concurrentEngine = await concurrentRun('127.0.0.1', enginePort);
  // Against kubectl: rounds interleaved, the median time of each.
  const engineRounds: number[] = [];
  const kubectlRounds: Array<{ ok: number; ms: number }> = [];
  if (kubectlForwarded) {
    for (let i = 0; i < runs; i++) {
      engineRounds.push((await externalClient<{ ms: number }>('concurrent', enginePort, concurrent)).ms);
      kubectlRounds.push(
        await externalClient<{ ok: number; ms: number }>('concurrent', kubectlForwarded.port, concurrent),
      );
    }
    kubectlChild?.kill();
  }
  await manager.stop(forward.id);

  // 4. Reconnection after the Pod behind a Service forward is deleted.
  const readyAt = new Map<string, number>();
  watchRequest = await new Watch(kc).watch(
    '/api/v1/namespaces/bench/pods',
    {},
    (_phase: string, pod: V1Pod) => {
      const name = pod.metadata?.name;
      if (name && isReady(pod) && !pod.metadata?.deletionTimestamp && !readyAt.has(name)) {
        readyAt.set(name, performance.now());
      }
    },
    () => undefined,
  );
  const service = await manager.start({
    target: { kind: 'Service', namespace: 'bench', name: 'solo' },
    ports: [{ remote: 'http' }],
  });
  const servicePort = service.ports[0]!.local!.port;
  const reconnects: number[] = [];
  const outages: number[] = [];
  const failedRequests: number[] = [];
  for (let round = 0; round < reconnectRounds; round++) {
    const current = (await get('127.0.0.1', servicePort)).pod;
    const deletedAt = performance.now();
    await core.deleteNamespacedPod({ namespace: 'bench', name: current });
    let failures = 0;
    let answered: { pod: string; at: number } | undefined;
    while (!answered) {
      try {
        const { pod } = await get('127.0.0.1', servicePort, { timeoutMs: 15_000 });
        if (pod !== current) {
          answered = { pod, at: performance.now() };
        }
      } catch {
        failures += 1;
      }
      if (performance.now() - deletedAt > 60_000) {
        throw new Error('the forward did not reconnect within 60 s');
      }
    }
    const ready = readyAt.get(answered.pod) ?? answered.at;
    // Negative when the forward's own watch saw the Pod before this one did: as soon as possible.
    reconnects.push(Math.max(0, answered.at - ready));
    outages.push(answered.at - deletedAt);
    failedRequests.push(failures);
  }
  const finalState = manager.get(service.id);
  await manager.stop(service.id);

  const bareMedian = median(bareRates);
  const engineMedian = median(engineRates);
  const directMedian = median(direct);
  const addedFresh = median(engineFresh) - median(directFresh);
  const addedKeepAlive = median(engineKeepAlive) - median(directKeepAlive);
  const worstReconnect = Math.max(...reconnects);
  const kubectlMedian = kubectlRates.length > 0 ? median(kubectlRates) : undefined;
  const engineExternalMedian = engineExternalRates.length > 0 ? median(engineExternalRates) : undefined;
  const kubectlConcurrentMs = kubectlRounds.length > 0 ? median(kubectlRounds.map((r) => r.ms)) : undefined;
  const engineConcurrentMs = engineRounds.length > 0 ? median(engineRounds) : undefined;
  const kubectlMetrics =
    kubectlMedian === undefined ||
    engineExternalMedian === undefined ||
    kubectlConcurrentMs === undefined ||
    engineConcurrentMs === undefined
      ? []
      : [
          metric(
            `one connection through the engine, client in its own process (${payloadMb} MB download, median of ${runs})`,
            'MB/s',
            engineExternalMedian,
            { name: 'kubectl port-forward (SPDY over WebSocket)', value: kubectlMedian },
            { description: 'at least kubectl port-forward', met: engineExternalMedian >= kubectlMedian },
          ),
          metric(
            `${concurrent} concurrent requests through the engine: time for all (median of ${runs})`,
            'ms',
            engineConcurrentMs,
            { name: 'kubectl port-forward (SPDY over WebSocket)', value: kubectlConcurrentMs },
            {
              description: 'no slower than kubectl port-forward, all succeed',
              met:
                engineConcurrentMs <= kubectlConcurrentMs && kubectlRounds.every((r) => r.ok === concurrent),
            },
          ),
        ];
  report(
    {
      benchmark: 'portforward',
      metrics: [
        metric(
          `one connection through the engine (${payloadMb} MB download, median of ${runs})`,
          'MB/s',
          engineMedian,
          { name: `bare client-node PortForward (its example's use)`, value: bareMedian },
          { description: 'at least 0.6x the bare PortForward', met: engineMedian >= 0.6 * bareMedian },
        ),
        metric(
          `one connection through the engine (${payloadMb} MB download, median of ${runs})`,
          'MB/s',
          engineMedian,
          { name: 'direct loopback to the same Pod listener', value: directMedian },
        ),
        ...kubectlMetrics,
        metric(
          `${sequential} sequential small requests, new connection each: median latency`,
          'ms',
          median(engineFresh),
          { name: 'direct to the Pod', value: median(directFresh) },
        ),
        metric(`  added latency per request (new connection each, median)`, 'ms', addedFresh),
        metric(
          `${sequential} sequential small requests on one keep-alive connection: median latency`,
          'ms',
          median(engineKeepAlive),
          { name: 'direct to the Pod', value: median(directKeepAlive) },
        ),
        metric(`  added latency per request (keep-alive, median)`, 'ms', addedKeepAlive),
        metric(
          `${concurrent} concurrent requests through the engine: succeeded`,
          'requests',
          concurrentEngine.ok,
          { name: 'direct to the Pod', value: concurrentDirect.ok },
          { description: `all ${concurrent} succeed`, met: concurrentEngine.ok === concurrent },
        ),
        metric(
          `reconnect: replacement Pod ready → first successful request, same local port (worst of ${reconnectRounds})`,
          'ms',
          worstReconnect,
          undefined,
          { description: 'within 5 s', met: worstReconnect <= 5_000 },
        ),
      ],
      details: {
        payloadMb,
        throughputMBps: {
          direct: direct.map((v) => round(v)),
          bare: bareRates.map((v) => round(v)),
          engine: engineRates.map((v) => round(v)),
          engineExternalClient: engineExternalRates.map((v) => round(v)),
          kubectlExternalClient: kubectlRates.map((v) => round(v)),
          engineOverBare: round(engineMedian / bareMedian, 3),
          ...(kubectlMedian && engineExternalMedian
            ? { engineOverKubectl: round(engineExternalMedian / kubectlMedian, 3) }
            : {}),
          engineOverDirect: round(engineMedian / directMedian, 3),
        },
        latencyMs: {
          fresh: {
            direct: { median: round(median(directFresh), 3), p95: round(quantile(directFresh, 0.95), 3) },
            engine: { median: round(median(engineFresh), 3), p95: round(quantile(engineFresh, 0.95), 3) },
          },
          keepAlive: {
            direct: {
              median: round(median(directKeepAlive), 3),
              p95: round(quantile(directKeepAlive, 0.95), 3),
            },
            engine: {
              median: round(median(engineKeepAlive), 3),
              p95: round(quantile(engineKeepAlive, 0.95), 3),
            },
          },
        },
        concurrent: {
          direct: { ok: concurrentDirect.ok, ms: round(concurrentDirect.ms) },
          engine: {
            ok: concurrentEngine.ok,
            ms: round(concurrentEngine.ms),
            errors: concurrentEngine.errors,
          },
          againstKubectl: {
            engineMs: engineRounds.map((v) => round(v)),
            kubectlMs: kubectlRounds.map((r) => round(r.ms)),
            kubectlOk: kubectlRounds.map((r) => r.ok),
          },
        },
        reconnect: {
          readyToFirstSuccessMs: reconnects.map((v) => round(v)),
          deleteToFirstSuccessMs: outages.map((v) => round(v)),
          failedRequestsDuringOutage: failedRequests,
          finalState: finalState?.state,
        },
      },
    },
    startedAt,
  );
} finally {
  kubectlChild?.kill();
  watchRequest?.abort();
  await manager.dispose();
  cache.dispose();
  await sandbox.stop();
  rmSync(scenarioDir, { recursive: true, force: true });
}
