/**
 * The probe matrix at 20 x 20: 20 source Pods (curl, busybox wget, nc-only and bash-only images,
 * so every fallback tool is in play) against the HTTP port of 20 Pods by IP, through the real
 * engine (`Prober.runMatrix`: client-node's Exec over WebSocket, one exec per cell) with
 * concurrency 8. Baseline: the same 400 probes one by one (concurrency 1), in the same run.
 * Floor (issue 6): the 20 x 20 matrix completes within 10 s with concurrency 8.
 * Tool detection (once per image) is warmed up first and measured on its own. The sandbox runs in
 * its own process, as it does for users.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { spawnSandbox } from '../sandbox/spawn.ts';
import { Prober } from '../src/probe/prober.ts';
import type { MatrixGrid } from '../src/probe/matrix.ts';
import type { ProbeSource, ProbeTarget } from '../src/probe/types.ts';
import { median, metric, quantile, report, round } from './lib.ts';

const startedAt = new Date();
const PODS = 20;
const CONCURRENCY = 8;
const runs = Number(process.env.KUBEREACH_BENCH_RUNS ?? 3);

/** Which image each Pod runs: mostly curl, and each fallback. */
function imageOf(index: number): string {
  if (index % 5 === 1) {
    return 'busybox:1.36';
  }
  if (index % 10 === 3) {
    return 'registry.example/nc-only:1.0';
  }
  if (index % 10 === 8) {
    return 'registry.example/bash-only:1.0';
  }
  return 'curlimages/curl:8.5.0';
}

function scenarioYaml(): string {
  const documents = [
    `apiVersion: sandbox.kubereach.dev/v1
kind: Scenario
metadata: { name: probe-matrix-bench }
nodes: 3
images:
  - { match: curlimages/curl, tools: [sh, curl, cat, nslookup] }
  - { match: busybox, tools: [sh, wget, nc, nslookup, cat], flavours: { nc: busybox, wget: busybox } }
  - { match: registry.example/nc-only, tools: [sh, nc, cat], flavours: { nc: openbsd } }
  - { match: registry.example/bash-only, tools: [bash, cat], flavours: { sh: bash } }`,
    'apiVersion: v1\nkind: Namespace\nmetadata: { name: bench }',
  ];
  for (let i = 0; i < PODS; i++) {
    documents.push(`apiVersion: v1
kind: Pod
metadata: { name: pod-${String(i).padStart(2, '0')}, namespace: bench, labels: { app: pod-${i} } }
spec:
  containers:
    - name: main
      image: ${imageOf(i)}
      ports: [{ name: http, containerPort: 8080 }]`);
  }
  return documents.join('\n---\n') + '\n';
}

const scenarioDir = mkdtempSync(join(tmpdir(), 'kubereach-bench-probe-'));
const scenarioPath = join(scenarioDir, 'scenario.yaml');
writeFileSync(scenarioPath, scenarioYaml());
const sandbox = await spawnSandbox(['--scenario', scenarioPath]);

function summary(grid: MatrixGrid): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const cell of grid.cells.flat()) {
    const key = `${cell?.verdict ?? 'not-run'}/${cell?.tool ?? '-'}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

try {
  const kubeconfig = new KubeConfig();
  kubeconfig.loadFromFile(sandbox.kubeconfigPath);
  const pods = (
    await kubeconfig.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: 'bench' })
  ).items.sort((a, b) => a.metadata!.name!.localeCompare(b.metadata!.name!));
  if (pods.length !== PODS) {
    throw new Error(`expected ${PODS} Pods, found ${pods.length}`);
  }
  const sources: ProbeSource[] = pods.map((pod) => ({ namespace: 'bench', pod: pod.metadata!.name! }));
  const targets: ProbeTarget[] = pods.map((pod) => ({
    kind: 'pod',
    namespace: 'bench',
    name: pod.metadata!.name!,
    ip: pod.status!.podIP!,
    port: 8080,
  }));
  const prober = new Prober({ kubeconfig });

  const detectStarted = performance.now();
  await Promise.all(sources.map((source) => prober.detectTools(source)));
  const detectMs = performance.now() - detectStarted;

  const check = (grid: MatrixGrid, what: string): void => {
    const unreachable = grid.cells.flat().filter((cell) => cell?.verdict !== 'reachable');
    if (unreachable.length > 0) {
      throw new Error(`${what}: ${unreachable.length} cells not reachable, e.g. ${unreachable[0]?.message}`);
    }
  };

  const serialStarted = performance.now();
  const serialGrid = await prober.runMatrix(sources, targets, { concurrency: 1 });
  const serialMs = performance.now() - serialStarted;
  check(serialGrid, 'one by one');

  const concurrentMs: number[] = [];
  let lastGrid: MatrixGrid = serialGrid;
  for (let run = 0; run < runs; run++) {
    const t0 = performance.now();
    lastGrid = await prober.runMatrix(sources, targets, { concurrency: CONCURRENCY });
    concurrentMs.push(performance.now() - t0);
    check(lastGrid, `concurrency ${CONCURRENCY}`);
  }
  const matrixMs = median(concurrentMs);
  const probes = PODS * PODS;
  const cellTimes = lastGrid.cells.flat().map((cell) => cell!.elapsedMs);

  report(
    {
      benchmark: 'probe-matrix',
      metrics: [
        metric(
          `20 x 20 matrix, concurrency ${CONCURRENCY} (median of ${runs})`,
          's',
          matrixMs / 1000,
          { name: 'the same 400 probes one by one', value: serialMs / 1000 },
          { description: 'at most 10 s', met: matrixMs <= 10_000 },
        ),
        metric(`probes per second, concurrency ${CONCURRENCY}`, 'probes/s', probes / (matrixMs / 1000), {
          name: 'one by one',
          value: probes / (serialMs / 1000),
        }),
        metric('tool detection of 20 Pods (4 images, once per image)', 'ms', detectMs),
      ],
      details: {
        pods: PODS,
        concurrency: CONCURRENCY,
        concurrentMs: concurrentMs.map((ms) => round(ms, 1)),
        serialMs: round(serialMs, 1),
        probeMs: {
          p50: round(quantile(cellTimes, 0.5), 1),
          p95: round(quantile(cellTimes, 0.95), 1),
          max: round(Math.max(...cellTimes), 1),
        },
        verdictsByTool: summary(lastGrid),
      },
    },
    startedAt,
  );
} finally {
  await sandbox.stop();
  rmSync(scenarioDir, { recursive: true, force: true });
}
