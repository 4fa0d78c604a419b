/**
 * "Show Policy Matrix": the verdict NetworkPolicy gives for every ordered pair of a set of Pods
 * (static, from the evaluator in src/analysis/networkPolicy.ts, with the deciding policy and rule),
 * and the probe matrix laid over it, pair by pair, with disagreements flagged. A cluster whose
 * network plugin does not enforce NetworkPolicy shows up as denied pairs the probes reach. A Pod's
 * cell to itself and cells between a Pod and its own node (host-network Pods there) are allowed by
 * the rules of Kubernetes, not by a policy (see src/analysis/networkPolicy.ts); the cell names the
 * rule (`allowedByKubernetes`) and no deciding policy. The matrix probes Pods by IP, never through a
 * Service, so no cell is `uncertain` (the hairpin case); the field is there for any that would be.
 * Pure: no network, no `vscode`.
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { DiagnosisPod } from '../analysis/diagnosis/index.ts';
import type { Namespace, Protocol } from '../analysis/k8s.ts';
import { podEndpoint, policyEvaluator } from '../analysis/networkPolicy.ts';
import type { DirectionVerdict, Endpoint } from '../analysis/networkPolicy.ts';
import { groupByWorkload } from '../analysis/workloadGroups.ts';
import { declaredPorts } from '../analysis/ports.ts';
import type { ClusterCache } from '../cluster/cache.ts';
import type { MatrixGrid } from '../probe/matrix.ts';
import type { ProbeResult, ProbeSource, ProbeTarget } from '../probe/types.ts';
import { isConclusive } from './probeHop.ts';
import { networkPolicyFromModel } from './snapshot.ts';
import type {
  OverlayCell,
  PolicyMatrix,
  PolicyMatrixCell,
  PolicyMatrixPod,
  PolicyOverlay,
  PolicySide,
} from './types.ts';

/** What the matrix reads of the cluster; `ClusterCache` is one. */
export type PolicyView = Pick<ClusterCache, 'networkPolicies' | 'namespaces'>;

export interface PolicyMatrixOptions {
  /** Evaluate every pair on this port, instead of each destination's first declared port. */
  readonly port?: number;
  /** The port for a destination that declares none (and no `port` is given); default 80. */
  readonly defaultPort?: number;
  /** Default TCP. */
  readonly protocol?: Protocol;
  /** `workload`: a row and a column per workload (see `policyMatrix`); default `pod`. */
  readonly groupBy?: 'pod' | 'workload';
}

function side(verdict: DirectionVerdict): PolicySide {
  const by = verdict.allowedBy;
  const key = verdict.direction === 'ingress' ? 'from' : 'to';
  return {
    allowed: verdict.allowed,
    outcome: verdict.outcome,
    isolated: verdict.isolated,
    isolatedBy: verdict.selectingPolicies,
    ...(verdict.allowedByKubernetes === undefined
      ? {}
      : { allowedByKubernetes: verdict.allowedByKubernetes }),
    ...(by === undefined
      ? {}
      : {
          policy: by.policy,
          rule: `${verdict.direction}[${by.ruleIndex}]${by.peerIndex === undefined ? '' : `.${key}[${by.peerIndex}]`}${by.portIndex === undefined ? '' : `.ports[${by.portIndex}]`}`,
        }),
  };
}

function deciding(egress: PolicySide, ingress: PolicySide): string | undefined {
  if (!egress.allowed) {
    return egress.isolatedBy[0];
  }
  if (!ingress.allowed) {
    return ingress.isolatedBy[0];
  }
  // A side the rules of Kubernetes allowed was decided by no policy.
  return ingress.policy ?? egress.policy;
}

/** The rule of Kubernetes that allowed a cell, as the concept page words it. */
function ruleSentence(cell: PolicyMatrixCell): string | undefined {
  const rule = cell.ingress.allowedByKubernetes ?? cell.egress.allowedByKubernetes;
  switch (rule) {
    case 'self':
      return 'A Pod cannot block access to itself';
    case 'node':
      return 'Traffic to and from the node where a Pod is running is always allowed';
    default:
      return undefined;
  }
}

/**
 * The static NetworkPolicy verdict of every ordered pair of `pods` (rows: sources, columns:
 * destinations). With `groupBy: 'workload'`, a row and a column stand for a workload's Pods
 * (`groupByWorkload`: one owner, equal labels, nothing the policies tell apart), evaluated for its
 * first Pod; a workload's cell to itself is for two different Pods of it (each Pod may always reach
 * itself), so it is evaluated from its first Pod to its second.
 */
export function policyMatrix(
  pods: readonly (V1Pod | DiagnosisPod)[],
  cache: PolicyView,
  options: PolicyMatrixOptions = {},
): PolicyMatrix {
  const protocol: Protocol = options.protocol ?? 'TCP';
  const groupBy = options.groupBy ?? 'pod';
  const list = pods as readonly DiagnosisPod[];
  const namespaces = new Set(list.map((pod) => pod.metadata.namespace ?? 'default'));
  const policies = [...namespaces].flatMap((namespace) =>
    cache.networkPolicies(namespace).map(networkPolicyFromModel),
  );
  // A namespaceSelector is only ever asked about the namespace of a Pod in the matrix.
  const namespaceObjects = (cache.namespaces() as unknown as readonly Namespace[]).filter((namespace) =>
    namespaces.has(namespace.metadata.name ?? ''),
  );
  const evaluator = policyEvaluator(policies, namespaceObjects);
  const workloads = groupBy === 'workload' ? groupByWorkload(list, policies) : undefined;
  const groups: readonly (readonly DiagnosisPod[])[] =
    workloads?.map((group) => group.pods) ?? list.map((pod) => [pod]);
  const endpointOf = new Map<DiagnosisPod, Endpoint>();
  const endpoint = (pod: DiagnosisPod): Endpoint => {
    let found = endpointOf.get(pod);
    if (found === undefined) {
      found = podEndpoint(pod);
      endpointOf.set(pod, found);
    }
    return found;
  };
  const ipOf = (pod: DiagnosisPod): string | undefined => {
    const { ip } = endpoint(pod);
    return ip === undefined || ip === '' ? undefined : ip;
  };
  const columns: PolicyMatrixPod[] = groups.map((members, index) => {
    const pod = members[0]!;
    const declared = declaredPorts(pod).find(({ port }) => (port.protocol ?? 'TCP') === protocol);
    const port = options.port ?? declared?.port.containerPort ?? options.defaultPort ?? 80;
    const ip = ipOf(pod);
    const group = workloads?.[index];
    return {
      namespace: pod.metadata.namespace ?? 'default',
      name: pod.metadata.name ?? '(unnamed)',
      ...(ip === undefined ? {} : { ip }),
      port,
      declared: declaredPorts(pod).some(
        ({ port: p }) => p.containerPort === port && (p.protocol ?? 'TCP') === protocol,
      ),
      ...(group === undefined
        ? {}
        : {
            workload: {
              ...(group.owner === undefined ? {} : { owner: group.owner }),
              pods: group.pods.map((member) => {
                const address = ipOf(member);
                return {
                  name: member.metadata.name ?? '(unnamed)',
                  ...(address === undefined ? {} : { ip: address }),
                };
              }),
              ...(group.split === undefined ? {} : { split: group.split }),
            },
          }),
    };
  });
  const involved = new Set<string>();
  const cells = groups.map((sources, row) =>
    groups.map((destinations, column): PolicyMatrixCell => {
      const source = sources[0]!;
      // A workload to itself: two different Pods of it, when it has two.
      const destination = (row === column ? destinations[1] : undefined) ?? destinations[0]!;
      const verdict = evaluator.evaluate({
        source: endpoint(source),
        destination: endpoint(destination),
        port: columns[column]!.port,
        protocol,
      });
      const egress = side(verdict.egress);
      const ingress = side(verdict.ingress);
      for (const id of [...egress.isolatedBy, ...ingress.isolatedBy]) {
        involved.add(id);
      }
      const decided = deciding(egress, ingress);
      return {
        source: `${columns[row]!.namespace}/${source.metadata.name ?? '(unnamed)'}`,
        destination: `${columns[column]!.namespace}/${destination.metadata.name ?? '(unnamed)'}`,
        port: columns[column]!.port,
        protocol,
        allowed: verdict.allowed,
        outcome: verdict.outcome,
        egress,
        ingress,
        ...(decided === undefined ? {} : { deciding: decided }),
        reason: verdict.reason,
        ...(groupBy === 'workload'
          ? {
              pairs:
                row === column && sources.length > 1
                  ? sources.length * (sources.length - 1)
                  : sources.length * destinations.length,
            }
          : {}),
      };
    }),
  );
  return { pods: columns, cells, policies: [...involved].sort(), protocol, groupBy };
}

/**
 * The Pods a cell was evaluated for: its row's first Pod and its column's, or, for a workload's
 * cell to itself, the column's second Pod (with its IP, the address a probe of the cell targets).
 */
export function cellPods(
  matrix: Pick<PolicyMatrix, 'pods'>,
  row: number,
  column: number,
):
  | { source: PolicyMatrixPod; destination: { namespace: string; name: string; ip?: string; port: number } }
  | undefined {
  const source = matrix.pods[row];
  const destination = matrix.pods[column];
  if (source === undefined || destination === undefined) {
    return undefined;
  }
  const peer = row === column ? destination.workload?.pods[1] : undefined;
  if (peer === undefined) {
    return { source, destination };
  }
  return {
    source,
    destination: {
      namespace: destination.namespace,
      name: peer.name,
      ...(peer.ip === undefined ? {} : { ip: peer.ip }),
      port: destination.port,
    },
  };
}

/**
 * The probes that check a policy matrix live: every Pod as a source, every Pod with an IP as a
 * target on its matrix port, over TCP (NetworkPolicy is about connections, not HTTP). Hand them to
 * `Prober.runMatrix`, then the grid to `overlayProbes`.
 */
export function matrixProbeSets(matrix: PolicyMatrix): { sources: ProbeSource[]; targets: ProbeTarget[] } {
  // A workload's cell to itself targets its second Pod: one more target per such workload.
  const destinations = [
    ...matrix.pods,
    ...matrix.pods.flatMap((_, index) => {
      const peer = index < matrix.pods.length ? cellPods(matrix, index, index)?.destination : undefined;
      return peer !== undefined && peer.name !== matrix.pods[index]!.name ? [peer] : [];
    }),
  ];
  return {
    sources: matrix.pods.map((pod) => ({ namespace: pod.namespace, pod: pod.name })),
    targets: destinations
      .filter((pod) => pod.ip !== undefined)
      .map((pod) => ({
        kind: 'pod' as const,
        namespace: pod.namespace,
        name: pod.name,
        ip: pod.ip!,
        port: pod.port,
        protocol: 'tcp' as const,
      })),
  };
}

function compare(cell: PolicyMatrixCell, result: ProbeResult | undefined): OverlayCell {
  if (result === undefined) {
    return { ...cell, agreement: 'not-probed' };
  }
  const probe = {
    verdict: result.verdict,
    reachable: result.reachable,
    message: result.message,
    elapsedMs: result.elapsedMs,
  };
  if (!isConclusive(result) || result.verdict === 'dns') {
    return { ...cell, probe, agreement: 'inconclusive', explanation: result.message };
  }
  if (cell.allowed) {
    if (result.reachable || result.verdict === 'refused' || result.verdict === 'reset') {
      // Refused or reset: the connection got to the Pod, so nothing dropped it on the way.
      return {
        ...cell,
        probe,
        agreement: 'agree',
        ...(result.reachable ? {} : { explanation: `The policies let it through; ${result.message}` }),
      };
    }
    const failed = result.verdict === 'timeout' ? 'timed out' : `failed (${result.verdict})`;
    const rule = ruleSentence(cell);
    return {
      ...cell,
      probe,
      agreement: 'disagree',
      explanation:
        rule === undefined
          ? `The NetworkPolicies allow this connection, but the probe ${failed}: something else drops it (a policy not in view, a cluster-wide policy of the network plugin, a firewall) or the application does not answer.`
          : `${rule}, so the Kubernetes rule allows this connection, but the probe ${failed}: the network plugin applies policy where Kubernetes says it must not, something else drops it (a firewall), or the application does not answer.`,
    };
  }
  if (result.reachable) {
    return {
      ...cell,
      probe,
      agreement: 'disagree',
      explanation: `${cell.deciding === undefined ? 'The NetworkPolicies deny' : `Policy ${cell.deciding} denies`} this connection, but the probe got through: the network plugin may not enforce NetworkPolicy.`,
    };
  }
  if (result.verdict === 'timeout' || result.verdict === 'unreachable') {
    return { ...cell, probe, agreement: 'agree' };
  }
  return {
    ...cell,
    probe,
    agreement: 'inconclusive',
    explanation: `The policies deny this connection and the probe failed, but with ${result.verdict} rather than a silent drop: some network plugins reject denied connections instead of dropping them.`,
  };
}

/**
 * Lays the probe matrix (`Prober.runMatrix` over `matrixProbeSets(matrix)`, or any grid whose cells
 * probe these Pods by IP) over the static matrix. Cells are matched by source Pod and target IP and
 * port, so the grid's order does not matter.
 */
export function overlayProbes(matrix: PolicyMatrix, grid: MatrixGrid): PolicyOverlay {
  const results = new Map<string, ProbeResult>();
  for (const row of grid.cells) {
    for (const result of row) {
      if (result !== null) {
        results.set(
          `${result.source.namespace}/${result.source.pod}>${result.target.host}:${result.target.port}`,
          result,
        );
      }
    }
  }
  const cells = matrix.cells.map((row, rowIndex) =>
    row.map((cell, column) => {
      const { source, destination } = cellPods(matrix, rowIndex, column)!;
      const result =
        destination.ip === undefined
          ? undefined
          : results.get(`${source.namespace}/${source.name}>${destination.ip}:${destination.port}`);
      return compare(cell, result);
    }),
  );
  const flat = cells.flat();
  const disagreements = flat.filter((cell) => cell.agreement === 'disagree');
  const probedDenied = flat.filter(
    (cell) => !cell.allowed && (cell.agreement === 'agree' || cell.agreement === 'disagree'),
  );
  const policiesNotEnforced =
    probedDenied.length > 0 && probedDenied.every((cell) => cell.probe?.reachable === true);
  const agree = flat.filter((cell) => cell.agreement === 'agree').length;
  const inconclusive = flat.filter((cell) => cell.agreement === 'inconclusive').length;
  const notProbed = flat.filter((cell) => cell.agreement === 'not-probed').length;
  let summary = `${agree} of ${flat.length} pairs agree with the NetworkPolicies, ${disagreements.length} disagree${inconclusive > 0 ? `, ${inconclusive} could not be told` : ''}${notProbed > 0 ? `, ${notProbed} were not probed` : ''}.`;
  if (policiesNotEnforced) {
    summary += ` Every probed pair the policies deny got through: the network plugin of this cluster does not seem to enforce NetworkPolicy.`;
  } else if (disagreements.length > 0) {
    summary += ' See the flagged pairs.';
  }
  return {
    pods: matrix.pods,
    cells,
    policies: matrix.policies,
    protocol: matrix.protocol,
    disagreements,
    policiesNotEnforced,
    summary,
  };
}
