/**
 * "Diagnose External Access" on the demo scenario, through the real engine: the informer-backed
 * cache (Ingresses, IngressClasses, Nodes included) over real sockets, probes exec'd into the Ingress
 * controller's Pod, HTTP from this process to the Ingress address and through a port-forward to the
 * controller's Pod (as the command runs it), the sandbox in its own process.
 * - A full diagnosis of http://shop.example.com/ (the static hops, then the live probes), median of
 *   runs. Floor (issue 14): within 3 s. Baseline: one bare HTTP request through the Ingress address
 *   with the Host header, what a user's curl does.
 * - A full diagnosis of http://store.example.com/api through Gateway infra/public (the Gateway API
 *   read, the listener, attachment, rule and backendRefs hops, then the live probes), median of
 *   runs, against the same floor (issue 15: "floors as for the outside-in issue").
 * - Each demo case once (the blocked one waits for the controller's 504; the Gateway's reports
 *   route fails at its backendRefs), the slowest against the same floor.
 * - The static part alone from the warm cache, median of 200. Floor (issue 14): within 50 ms.
 *   Baseline: the Pod-to-Service static diagnosis of frontend → backend:80 from the same cache.
 */
import { request } from 'node:http';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { spawnSandbox } from '../sandbox/spawn.ts';
import { ClusterCache } from '../src/cluster/cache.ts';
import { Diagnoser } from '../src/diagnose/diagnoser.ts';
import { ExternalDiagnoser } from '../src/diagnose/externalDiagnoser.ts';
import { forwardThroughPod } from '../src/diagnose/externalForward.ts';
import { readGatewayApi } from '../src/diagnose/gatewayRead.ts';
import type { ExternalRequest } from '../src/analysis/external/types.ts';
import { Prober } from '../src/probe/prober.ts';
import { median, metric, quantile, report, round, until } from './lib.ts';

const startedAt = new Date();
const runs = Number(process.env.KUBEREACH_BENCH_RUNS ?? 9);
const STATIC_RUNS = 200;
const PROBE_TIMEOUT_MS = 2000;

const sandbox = await spawnSandbox(['--scenario', 'demo']);
let cache: ClusterCache | undefined;

/** One GET through the Ingress address with the Host header, on a fresh connection: the status. */
function get(address: string, host: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: address, port: 80, path, headers: { host }, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

try {
  const kubeconfig = new KubeConfig();
  kubeconfig.loadFromFile(sandbox.kubeconfigPath);
  cache = new ClusterCache(kubeconfig, { contextName: kubeconfig.getCurrentContext() });
  const warm = cache;
  await until('the namespace list', () => warm.isSynced());
  const prober = new Prober({ kubeconfig, timeoutMs: PROBE_TIMEOUT_MS });
  const diagnoser = new ExternalDiagnoser({
    cache: warm,
    prober,
    forward: forwardThroughPod({ cache: warm, kubeConfig: kubeconfig }),
    timeoutMs: PROBE_TIMEOUT_MS,
    watchNamespaces: (names) => warm.setWatchedNamespaces(names),
    gatewayApi: (cached) => readGatewayApi(kubeconfig, cached),
  });
  const shop: ExternalRequest = { kind: 'url', url: 'http://shop.example.com/' };
  // The first diagnosis watches the namespaces it needs; then wait for what the cases read.
  await diagnoser.diagnose(shop, { probe: false });
  await until('the Ingress addresses and ready backends', () => {
    const ingress = warm.ingresses('shop').find((i) => i.metadata?.name === 'frontend');
    const blog = warm.ingresses('blog').find((i) => i.metadata?.name === 'blog');
    return (
      ingress?.status?.loadBalancer?.ingress?.[0]?.ip !== undefined &&
      blog?.status?.loadBalancer?.ingress?.[0]?.ip !== undefined &&
      warm
        .endpointSlices('shop', 'frontend')
        .some((slice) => (slice.endpoints ?? []).some((e) => e.conditions?.ready)) &&
      warm.nodes().length === 3
    );
  });
  const store: ExternalRequest = {
    kind: 'url',
    url: 'http://store.example.com/api/items',
    via: { kind: 'gateway', namespace: 'infra', name: 'public' },
  };
  await until('the Gateway programmed and its routes ready', async () => {
    const state = await readGatewayApi(kubeconfig, { services: [], namespaces: [] });
    const reports =
      state.state === 'served'
        ? state.world.httpRoutes.find((r) => r.metadata.name === 'reports')
        : undefined;
    return (
      state.state === 'served' &&
      state.world.gateways.some(
        (g) => g.metadata.name === 'public' && g.status?.addresses?.[0] !== undefined,
      ) &&
      (reports?.status?.parents?.length ?? 0) > 0 &&
      warm
        .endpointSlices('store', 'catalog')
        .some((slice) => (slice.endpoints ?? []).some((e) => e.conditions?.ready))
    );
  });
  const address = warm.ingresses('shop').find((i) => i.metadata?.name === 'frontend')!.status!.loadBalancer!
    .ingress![0]!.ip!;

  // Warm up: tool detection for the controller's image, the TLS session, the JIT.
  const warmup = await diagnoser.diagnose(shop);
  if (warmup.conclusion.failedHop !== undefined) {
    throw new Error(`the working case does not pass: ${warmup.conclusion.sentence}`);
  }

  const bareMs: number[] = [];
  for (let run = 0; run < runs; run++) {
    const t0 = performance.now();
    const status = await get(address, 'shop.example.com', '/');
    bareMs.push(performance.now() - t0);
    if (status !== 200) {
      throw new Error(`bare request: HTTP ${status}`);
    }
  }

  const fullMs: number[] = [];
  const probeMs: number[] = [];
  for (let run = 0; run < runs; run++) {
    const t0 = performance.now();
    const result = await diagnoser.diagnose(shop);
    fullMs.push(performance.now() - t0);
    probeMs.push(result.timings.probeMs);
    if (result.conclusion.failedHop !== undefined) {
      throw new Error(`run ${run}: ${result.conclusion.sentence}`);
    }
    const forwarded = result.probes.find((probe) => probe.role === 'forwarded');
    if (forwarded?.httpStatus !== 200) {
      throw new Error(`run ${run}: the request through the port-forward: ${forwarded?.message ?? 'not run'}`);
    }
  }

  const served = await readGatewayApi(kubeconfig, { services: [], namespaces: [] });
  const gatewayAddress =
    served.state === 'served'
      ? served.world.gateways.find((g) => g.metadata.name === 'public')?.status?.addresses?.[0]?.value
      : undefined;
  if (gatewayAddress === undefined) {
    throw new Error('Gateway infra/public has no address');
  }
  const bareGatewayMs: number[] = [];
  for (let run = 0; run < runs; run++) {
    const t0 = performance.now();
    const status = await get(gatewayAddress, 'store.example.com', '/api/items');
    bareGatewayMs.push(performance.now() - t0);
    if (status !== 200) {
      throw new Error(`bare request through the Gateway: HTTP ${status}`);
    }
  }
  await diagnoser.diagnose(store);
  const gatewayMs: number[] = [];
  for (let run = 0; run < runs; run++) {
    const t0 = performance.now();
    const result = await diagnoser.diagnose(store);
    gatewayMs.push(performance.now() - t0);
    if (result.conclusion.failedHop !== undefined) {
      throw new Error(`Gateway run ${run}: ${result.conclusion.sentence}`);
    }
  }

  const cases: Array<{ name: string; request: ExternalRequest; expected: string | undefined }> = [
    { name: 'shop.example.com/', request: shop, expected: undefined },
    {
      name: 'shop.example.com/admin (no such port)',
      request: { kind: 'url', url: 'http://shop.example.com/admin' },
      expected: 'service',
    },
    {
      name: 'blog.example.com (NetworkPolicy)',
      request: { kind: 'url', url: 'http://blog.example.com/' },
      expected: 'policy',
    },
    { name: 'store.example.com/api via infra/public', request: store, expected: undefined },
    {
      name: 'reports.example.com (no ReferenceGrant)',
      request: { kind: 'url', url: 'http://reports.example.com/' },
      expected: 'backendRefs',
    },
  ];
  const caseMs: Record<string, number> = {};
  for (const { name, request: wanted, expected } of cases) {
    const t0 = performance.now();
    const result = await diagnoser.diagnose(wanted);
    caseMs[name] = round(performance.now() - t0, 1);
    if (result.conclusion.failedHop !== expected) {
      throw new Error(
        `${name}: expected ${expected ?? 'no failure'}, got ${result.conclusion.failedHop}: ${result.conclusion.sentence}`,
      );
    }
  }
  const slowestCase = Math.max(...Object.values(caseMs));

  // The static part alone, against the Pod-to-Service static diagnosis from the same cache.
  const frontend = (
    await kubeconfig
      .makeApiClient(CoreV1Api)
      .listNamespacedPod({ namespace: 'shop', labelSelector: 'app=frontend' })
  ).items
    .map((pod) => pod.metadata!.name!)
    .sort()[0]!;
  const inside = new Diagnoser({ cache: warm });
  const staticMs: number[] = [];
  const insideMs: number[] = [];
  for (let run = 0; run < STATIC_RUNS; run++) {
    const { diagnosis, staticMs: ms } = diagnoser.diagnoseStatic(shop);
    staticMs.push(ms);
    if (diagnosis.conclusion.failedHop !== undefined) {
      throw new Error(diagnosis.conclusion.sentence);
    }
    insideMs.push(
      inside.diagnoseStatic(
        { namespace: 'shop', pod: frontend },
        { kind: 'service', namespace: 'shop', name: 'backend', port: 80 },
      ).staticMs,
    );
  }

  const full = median(fullMs);
  const staticMedian = median(staticMs);
  report(
    {
      benchmark: 'external-diagnose',
      metrics: [
        metric(
          `full diagnosis of http://shop.example.com/ with its live probes (median of ${runs})`,
          'ms',
          full,
          { name: 'one bare request through the Ingress address', value: median(bareMs) },
          { description: 'at most 3 s', met: full <= 3000 },
        ),
        metric(
          `full diagnosis of http://store.example.com/api through Gateway infra/public (median of ${runs})`,
          'ms',
          median(gatewayMs),
          { name: 'one bare request through the Gateway address', value: median(bareGatewayMs) },
          { description: 'at most 3 s', met: median(gatewayMs) <= 3000 },
        ),
        metric(`slowest demo case (of ${cases.length})`, 'ms', slowestCase, undefined, {
          description: 'at most 3 s',
          met: slowestCase <= 3000,
        }),
        metric(
          `static part from the warm cache (median of ${STATIC_RUNS})`,
          'ms',
          staticMedian,
          { name: 'the Pod-to-Service static diagnosis', value: median(insideMs) },
          { description: 'at most 50 ms', met: staticMedian <= 50 },
        ),
      ],
      details: {
        runs,
        probeTimeoutMs: PROBE_TIMEOUT_MS,
        fullMs: fullMs.map((ms) => round(ms, 1)),
        gatewayMs: gatewayMs.map((ms) => round(ms, 1)),
        bareGatewayRequestMs: bareGatewayMs.map((ms) => round(ms, 1)),
        probePartMs: probeMs.map((ms) => round(ms, 1)),
        bareRequestMs: bareMs.map((ms) => round(ms, 1)),
        caseMs,
        staticMs: {
          p50: round(staticMedian, 3),
          p95: round(quantile(staticMs, 0.95), 3),
          max: round(Math.max(...staticMs), 3),
        },
      },
    },
    startedAt,
  );
} finally {
  cache?.dispose();
  await sandbox.stop();
}
