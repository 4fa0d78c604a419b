/**
 * "Diagnose Connectivity" on the demo scenario, through the real engine: the informer-backed cache
 * over real sockets, real probes exec'd into the source Pod (client-node's Exec over WebSocket), the
 * sandbox in its own process as it is for users.
 * - A full diagnosis of the working case (shop/frontend → backend:80: the static hops, then three
 *   probes at once: the Service by name and each backend Pod directly), median of runs.
 *   Floor (issue 9): within 3 s including its probes. Baseline: one bare probe of the same Service.
 * - Every demo case once (the broken ones included: the blocked one waits for its probes to time
 *   out, 1 s here), the slowest against the same floor.
 * - The static part alone from the warm cache (snapshot of the watched namespaces, the seven hops),
 *   median of 200. Floor (issue 9): within 50 ms. Baseline: taking the snapshot alone.
 * Tool detection (once per image) is warmed up first.
 */
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { spawnSandbox } from '../sandbox/spawn.ts';
import type { DiagnosisPod, DiagnosisTarget } from '../src/analysis/diagnosis/index.ts';
import { ClusterCache } from '../src/cluster/cache.ts';
import { Diagnoser } from '../src/diagnose/diagnoser.ts';
import { snapshotInput } from '../src/diagnose/snapshot.ts';
import { Prober } from '../src/probe/prober.ts';
import { median, metric, quantile, report, round, until } from './lib.ts';

const startedAt = new Date();
const runs = Number(process.env.KUBEREACH_BENCH_RUNS ?? 9);
const STATIC_RUNS = 200;
const PROBE_TIMEOUT_MS = 1000;
const NAMESPACES = ['shop', 'data', 'tools'];

const sandbox = await spawnSandbox(['--scenario', 'demo']);
let cache: ClusterCache | undefined;

try {
  const kubeconfig = new KubeConfig();
  kubeconfig.loadFromFile(sandbox.kubeconfigPath);
  cache = new ClusterCache(kubeconfig, { contextName: kubeconfig.getCurrentContext() });
  const warm = cache;
  await until('the namespace list', () => warm.isSynced());
  warm.setWatchedNamespaces(NAMESPACES);
  await until('the demo namespaces', () => NAMESPACES.every((ns) => warm.isSynced(ns)));
  await until('two ready backend endpoints', () =>
    warm
      .endpointSlices('shop', 'backend')
      .some((slice) => (slice.endpoints ?? []).filter((endpoint) => endpoint.conditions?.ready).length === 2),
  );
  const frontend = (
    await kubeconfig
      .makeApiClient(CoreV1Api)
      .listNamespacedPod({ namespace: 'shop', labelSelector: 'app=frontend' })
  ).items
    .map((pod) => pod.metadata!.name!)
    .sort()[0]!;
  const source = { namespace: 'shop', pod: frontend };
  const backend: DiagnosisTarget = { kind: 'service', namespace: 'shop', name: 'backend', port: 80 };

  const prober = new Prober({ kubeconfig, timeoutMs: PROBE_TIMEOUT_MS });
  const diagnoser = new Diagnoser({ cache: warm, prober });

  // Warm up: tool detection for the frontend image, the TLS session, the JIT.
  await prober.detectTools(source);
  const warmup = await diagnoser.diagnose(source, backend);
  if (warmup.conclusion.failedHop !== undefined || warmup.hops.some((hop) => hop.status !== 'passed')) {
    throw new Error(`the working case does not pass: ${warmup.conclusion.sentence}`);
  }

  // Baseline: one bare probe of the same Service, as the Diagnoser probes it.
  const bareMs: number[] = [];
  for (let run = 0; run < runs; run++) {
    const t0 = performance.now();
    const result = await prober.probe(
      source,
      { kind: 'address', host: 'backend', port: 80, protocol: 'http' },
      {},
    );
    bareMs.push(performance.now() - t0);
    if (result.verdict !== 'reachable') {
      throw new Error(`bare probe: ${result.message}`);
    }
  }

  const fullMs: number[] = [];
  const probeMs: number[] = [];
  for (let run = 0; run < runs; run++) {
    const t0 = performance.now();
    const result = await diagnoser.diagnose(source, backend);
    fullMs.push(performance.now() - t0);
    probeMs.push(result.timings.probeMs);
    if (result.hops.find((hop) => hop.id === 'probe')?.status !== 'passed') {
      throw new Error(`run ${run}: ${result.conclusion.sentence}`);
    }
  }

  // Every case of the demo scenario once.
  const cases: Array<{ name: string; target: DiagnosisTarget; expected: string | undefined }> = [
    { name: 'frontend → backend', target: backend, expected: undefined },
    {
      name: 'legacy-api (no Pod)',
      target: { kind: 'service', namespace: 'shop', name: 'legacy-api', port: 80 },
      expected: 'selector',
    },
    {
      name: 'payments (targetPort)',
      target: { kind: 'service', namespace: 'shop', name: 'payments', port: 9100 },
      expected: 'port',
    },
    {
      name: 'checkout (not ready)',
      target: { kind: 'service', namespace: 'shop', name: 'checkout', port: 80 },
      expected: 'selector',
    },
    { name: 'bakend (misspelt)', target: { kind: 'dns', name: 'bakend', port: 80 }, expected: 'name' },
    {
      name: 'db (NetworkPolicy)',
      target: { kind: 'service', namespace: 'data', name: 'db', port: 5432 },
      expected: 'ingress',
    },
  ];
  const caseMs: Record<string, number> = {};
  for (const { name, target, expected } of cases) {
    const t0 = performance.now();
    const result = await diagnoser.diagnose(source, target);
    caseMs[name] = round(performance.now() - t0, 1);
    if (result.conclusion.failedHop !== expected) {
      throw new Error(
        `${name}: expected ${expected ?? 'no failure'}, got ${result.conclusion.failedHop}: ${result.conclusion.sentence}`,
      );
    }
  }
  const slowestCase = Math.max(...Object.values(caseMs));

  // The static part alone, and the snapshot alone, from the warm cache.
  const sourcePod = warm.pod('shop', frontend) as unknown as DiagnosisPod;
  const staticMs: number[] = [];
  const snapshotMs: number[] = [];
  for (let run = 0; run < STATIC_RUNS; run++) {
    const t0 = performance.now();
    snapshotInput(warm, sourcePod, backend);
    snapshotMs.push(performance.now() - t0);
    const { diagnosis, staticMs: ms } = diagnoser.diagnoseStatic(source, backend);
    staticMs.push(ms);
    if (diagnosis.conclusion.failedHop !== undefined) {
      throw new Error(diagnosis.conclusion.sentence);
    }
  }

  const full = median(fullMs);
  const staticMedian = median(staticMs);
  report(
    {
      benchmark: 'diagnose',
      metrics: [
        metric(
          `full diagnosis frontend → backend:80 with 3 live probes (median of ${runs})`,
          'ms',
          full,
          { name: 'one bare probe of backend:80', value: median(bareMs) },
          { description: 'at most 3 s', met: full <= 3000 },
        ),
        metric(
          `slowest demo case, probes time out after ${PROBE_TIMEOUT_MS / 1000} s (of ${cases.length})`,
          'ms',
          slowestCase,
          undefined,
          { description: 'at most 3 s', met: slowestCase <= 3000 },
        ),
        metric(
          `static part from the warm cache (median of ${STATIC_RUNS})`,
          'ms',
          staticMedian,
          { name: 'the cache snapshot alone', value: median(snapshotMs) },
          { description: 'at most 50 ms', met: staticMedian <= 50 },
        ),
      ],
      details: {
        runs,
        probeTimeoutMs: PROBE_TIMEOUT_MS,
        fullMs: fullMs.map((ms) => round(ms, 1)),
        probePartMs: probeMs.map((ms) => round(ms, 1)),
        bareProbeMs: bareMs.map((ms) => round(ms, 1)),
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
