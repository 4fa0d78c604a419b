/**
 * Policy analysis at scale (issue 17), pure computation on a generated cluster (bench/support/
 * policyWorld.ts), no sandbox:
 * - The static policy matrix of a namespace with 1,000 Pods and 200 NetworkPolicies, grouped by
 *   workload (`KUBEREACH_POLICY_WORKLOADS` ReplicaSets, default 100, of equal size), median of
 *   `KUBEREACH_BENCH_RUNS` (default 5). Floor: ≤ 2 s. Baseline, same run: the matrix of the same
 *   namespace a row per Pod, over the first `KUBEREACH_POLICY_POD_SAMPLE` Pods (default 200; every
 *   Pod would take minutes), scaled to 1,000 by its cell count, since its time is per cell.
 * - One static diagnosis (Pod → Service, the seven hops) with 100,000 Pods cached in 500 namespaces
 *   (`KUBEREACH_SCALE_PODS`, `KUBEREACH_SCALE_NAMESPACES`), through the real `Diagnoser` over a
 *   stand-in of the cache that holds plain objects, median of 50. Floor: ≤ 50 ms. Baseline: the same
 *   diagnosis with only the source's and target's namespaces cached.
 */
import type { DiagnosisTarget } from '../src/analysis/diagnosis/index.ts';
import type { ClusterCache } from '../src/cluster/cache.ts';
import { Diagnoser } from '../src/diagnose/diagnoser.ts';
import { policyMatrix } from '../src/diagnose/policyMatrix.ts';
import type { DiagnosisCache } from '../src/diagnose/snapshot.ts';
import { median, metric, report, round } from './lib.ts';
import { generateWorld, namespaceName } from './support/policyWorld.ts';
import type { World } from './support/policyWorld.ts';

const startedAt = new Date();
const runs = Number(process.env.KUBEREACH_BENCH_RUNS ?? 5);
const workloads = Number(process.env.KUBEREACH_POLICY_WORKLOADS ?? 100);
const sample = Number(process.env.KUBEREACH_POLICY_POD_SAMPLE ?? 200);
const totalPods = Number(process.env.KUBEREACH_SCALE_PODS ?? 100_000);
const totalNamespaces = Number(process.env.KUBEREACH_SCALE_NAMESPACES ?? 500);
const MATRIX_PODS = 1000;
const MATRIX_POLICIES = 200;
const DIAGNOSIS_RUNS = 50;

/** The read side of `ClusterCache` over a generated world: every namespace watched and synced. */
function cacheOf(world: World, only?: readonly string[]): DiagnosisCache {
  const names = only ?? world.namespaces.map((namespace) => namespace.metadata.name!);
  const synced = { status: 'synced', listed: true } as const;
  const status = {
    pods: synced,
    services: synced,
    endpointSlices: synced,
    networkPolicies: synced,
  };
  const cache = {
    pods: (ns: string) => world.pods.get(ns) ?? [],
    pod: (ns: string, name: string) => world.pods.get(ns)?.find((pod) => pod.metadata.name === name),
    services: (ns: string) => world.services.get(ns) ?? [],
    endpointSlices: (ns: string) => world.endpointSlices.get(ns) ?? [],
    networkPolicies: (ns: string) => world.policies.get(ns) ?? [],
    namespaces: () => world.namespaces.filter((namespace) => names.includes(namespace.metadata.name!)),
    watchedNamespaces: () => names,
    isSynced: () => true,
    namespaceStatus: (ns: string) => (names.includes(ns) ? status : undefined),
    onDidChange: () => ({ dispose: () => undefined }),
  };
  return cache as unknown as DiagnosisCache;
}

// --- the policy matrix ------------------------------------------------------------------------
const matrixWorld = generateWorld({
  namespaces: 1,
  workloadsPerNamespace: workloads,
  podsPerWorkload: MATRIX_PODS / workloads,
  policiesPerNamespace: MATRIX_POLICIES,
});
const matrixView = cacheOf(matrixWorld) as unknown as Pick<ClusterCache, 'networkPolicies' | 'namespaces'>;
const namespacePods = matrixWorld.pods.get(namespaceName(0))!;
const groupedMs: number[] = [];
const perPodMs: number[] = [];
let rows = 0;
let allowedPairs = 0;
for (let run = 0; run < runs; run++) {
  const t0 = performance.now();
  const grouped = policyMatrix(namespacePods, matrixView, { groupBy: 'workload' });
  groupedMs.push(performance.now() - t0);
  rows = grouped.pods.length;
  allowedPairs = grouped.cells.flat().reduce((sum, cell) => sum + (cell.allowed ? (cell.pairs ?? 1) : 0), 0);
  if (run < 2) {
    const t1 = performance.now();
    policyMatrix(namespacePods.slice(0, sample), matrixView);
    perPodMs.push(((performance.now() - t1) * (MATRIX_PODS * MATRIX_PODS)) / (sample * sample));
  }
}

// --- one static diagnosis with every Pod cached ----------------------------------------------
const perNamespace = Math.round(totalPods / totalNamespaces);
const diagnosisWorld = generateWorld({
  namespaces: totalNamespaces,
  workloadsPerNamespace: 20,
  podsPerWorkload: Math.max(1, Math.round(perNamespace / 20)),
  policiesPerNamespace: 10,
});
const cachedPods = [...diagnosisWorld.pods.values()].reduce((sum, pods) => sum + pods.length, 0);
const sourcePod = diagnosisWorld.pods.get(namespaceName(3))![0]!;
const source = { namespace: namespaceName(3), pod: sourcePod.metadata.name! };
// team-3 is a frontend namespace, w2's policy admits its role=web Pods.
const target: DiagnosisTarget = { kind: 'service', namespace: namespaceName(1), name: 'w2', port: 80 };
function diagnosisTimes(cache: DiagnosisCache): { ms: number[]; sentence: string } {
  const diagnoser = new Diagnoser({ cache });
  const ms: number[] = [];
  let sentence = '';
  for (let run = 0; run < DIAGNOSIS_RUNS; run++) {
    const { diagnosis, staticMs } = diagnoser.diagnoseStatic(source, target);
    ms.push(staticMs);
    sentence = diagnosis.conclusion.sentence;
  }
  return { ms, sentence };
}
const small = diagnosisTimes(cacheOf(diagnosisWorld, [namespaceName(3), namespaceName(1)]));
const full = diagnosisTimes(cacheOf(diagnosisWorld));
if (small.sentence !== full.sentence) {
  throw new Error(`the diagnoses differ: ${small.sentence} / ${full.sentence}`);
}

const grouped = median(groupedMs);
const diagnosis = median(full.ms);
report(
  {
    benchmark: 'policy-scale',
    metrics: [
      metric(
        `policy matrix of ${MATRIX_PODS} Pods (${rows} workload rows), ${MATRIX_POLICIES} NetworkPolicies, grouped by workload (median of ${runs})`,
        'ms',
        grouped,
        { name: `a row per Pod, ${sample} Pods scaled to ${MATRIX_PODS}`, value: median(perPodMs) },
        { description: 'at most 2 s', met: grouped <= 2000 },
      ),
      metric(
        `one static diagnosis with ${cachedPods} Pods cached in ${totalNamespaces} namespaces (median of ${DIAGNOSIS_RUNS})`,
        'ms',
        diagnosis,
        { name: 'the same with two namespaces cached', value: median(small.ms) },
        { description: 'at most 50 ms', met: diagnosis <= 50 },
      ),
    ],
    details: {
      matrix: {
        pods: MATRIX_PODS,
        policies: MATRIX_POLICIES,
        workloads,
        rows,
        allowedPairs,
        groupedMs: groupedMs.map((ms) => round(ms, 1)),
        perPodScaledMs: perPodMs.map((ms) => round(ms, 1)),
      },
      diagnosis: { sentence: full.sentence, maxMs: round(Math.max(...full.ms), 2) },
    },
  },
  startedAt,
);
