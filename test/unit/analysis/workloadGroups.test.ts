/**
 * Grouping Pods by workload for the policy matrix: one owner with equal labels is one row, and a
 * row is only ever a set of Pods the NetworkPolicy evaluator cannot tell apart. The strongest check
 * is the last one: in every world here, each Pod pair's verdict in the per-Pod matrix equals the
 * verdict of the grouped cell its Pods fall in.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DiagnosisPod } from '../../../src/analysis/diagnosis/index.ts';
import type { NetworkPolicy } from '../../../src/analysis/k8s.ts';
import { groupByWorkload } from '../../../src/analysis/workloadGroups.ts';
import {
  cellPods,
  matrixProbeSets,
  overlayProbes,
  policyMatrix,
} from '../../../src/diagnose/policyMatrix.ts';
import type { PolicyMatrix } from '../../../src/diagnose/types.ts';
import type { MatrixGrid } from '../../../src/probe/matrix.ts';
import type { ProbeResult } from '../../../src/probe/types.ts';
import { namespaces, pod } from './diagnosis/world.ts';

const ports = [{ name: 'http', containerPort: 8080 }];

function replica(
  owner: string,
  index: number,
  ip: string,
  labels: Record<string, string> = {},
): DiagnosisPod {
  return pod('shop', `${owner}-${index}`, { app: owner, ...labels }, { ip, owner, hash: 'h1', ports });
}

function onNode(base: DiagnosisPod, node: string): DiagnosisPod {
  return { ...base, spec: { ...base.spec, nodeName: node } };
}

function view(policies: readonly NetworkPolicy[]): Parameters<typeof policyMatrix>[1] {
  return {
    networkPolicies: (ns: string) => policies.filter((policy) => policy.metadata.namespace === ns),
    namespaces: () => namespaces,
  } as unknown as Parameters<typeof policyMatrix>[1];
}

const denyAll: NetworkPolicy = {
  metadata: { namespace: 'shop', name: 'deny-all' },
  spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
};
const webToApi: NetworkPolicy = {
  metadata: { namespace: 'shop', name: 'web-to-api' },
  spec: {
    podSelector: { matchLabels: { app: 'api' } },
    policyTypes: ['Ingress'],
    ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 'http' }] }],
  },
};
const webEgress: NetworkPolicy = {
  metadata: { namespace: 'shop', name: 'web-egress' },
  spec: {
    podSelector: { matchLabels: { app: 'web' } },
    policyTypes: ['Egress'],
    egress: [{ to: [{ podSelector: { matchLabels: { app: 'api' } } }] }],
  },
};
// Admits only the api Pods whose IPs are in 10.244.2.0/24 (a policy that names Pod IPs by block).
const halfByIp: NetworkPolicy = {
  metadata: { namespace: 'shop', name: 'half-by-ip' },
  spec: {
    podSelector: { matchLabels: { app: 'web' } },
    policyTypes: ['Egress'],
    egress: [{ to: [{ ipBlock: { cidr: '10.244.2.0/24' } }] }],
  },
};

const web = [1, 2, 3].map((index) => replica('web', index, `10.244.1.${index}`));
const api = [1, 2, 3, 4].map((index) => replica('api', index, `10.244.${index <= 2 ? 1 : 2}.${10 + index}`));

/** Every pair of the per-Pod matrix agrees with the grouped cell its two Pods fall in. */
function assertGroupedAgrees(
  pods: readonly DiagnosisPod[],
  policies: readonly NetworkPolicy[],
): PolicyMatrix {
  const perPod = policyMatrix(pods, view(policies));
  const grouped = policyMatrix(pods, view(policies), { groupBy: 'workload' });
  const rowOf = new Map<string, number>();
  grouped.pods.forEach((row, index) => {
    for (const member of row.workload!.pods) {
      rowOf.set(member.name, index);
    }
  });
  assert.equal(rowOf.size, pods.length, 'every Pod is in exactly one row');
  perPod.cells.forEach((cells, row) =>
    cells.forEach((cell, column) => {
      if (row === column) {
        return; // a Pod to itself: the rule of Kubernetes, not a cell of the grouped matrix
      }
      const groupedCell =
        grouped.cells[rowOf.get(perPod.pods[row]!.name)!]![rowOf.get(perPod.pods[column]!.name)!]!;
      assert.deepEqual(
        [
          groupedCell.outcome,
          groupedCell.deciding,
          groupedCell.egress.isolatedBy,
          groupedCell.ingress.isolatedBy,
        ],
        [cell.outcome, cell.deciding, cell.egress.isolatedBy, cell.ingress.isolatedBy],
        `${cell.source} → ${cell.destination}`,
      );
    }),
  );
  return grouped;
}

describe('grouping Pods by workload', () => {
  test('the Pods of one ReplicaSet with equal labels are one group; another owner or other labels is another', () => {
    const relabelled = replica('web', 4, '10.244.1.4', { canary: 'true' });
    const sameLabelsOtherOwner = pod(
      'shop',
      'web-copy-1',
      { app: 'web', 'pod-template-hash': 'h1' },
      {
        ip: '10.244.1.5',
        owner: 'web-copy',
        ports,
      },
    );
    const bare = pod('shop', 'debug', { app: 'web', 'pod-template-hash': 'h1' }, { ip: '10.244.1.6', ports });
    const groups = groupByWorkload([...web, relabelled, sameLabelsOtherOwner, bare, ...api], [denyAll]);
    assert.deepEqual(
      groups.map((group) => [
        group.owner?.name ?? '(none)',
        group.pods.map((member) => member.metadata.name),
      ]),
      [
        ['web', ['web-1', 'web-2', 'web-3']],
        ['web', ['web-4']],
        ['web-copy', ['web-copy-1']],
        ['(none)', ['debug']],
        ['api', ['api-1', 'api-2', 'api-3', 'api-4']],
      ],
    );
    assert.deepEqual(groups[0]!.owner, { kind: 'ReplicaSet', name: 'web' });
    assert.equal(groups[3]!.owner, undefined, 'a Pod without a controller is a row of its own');
    assert.ok(groups.every((group) => group.split === undefined));
  });

  test('Pods whose declared ports differ are not grouped (a named port resolves against them)', () => {
    const other = pod(
      'shop',
      'web-9',
      { app: 'web', 'pod-template-hash': 'h1' },
      {
        ip: '10.244.1.9',
        owner: 'web',
        ports: [{ name: 'http', containerPort: 9090 }],
      },
    );
    assert.equal(groupByWorkload([...web, other], []).length, 2);
  });

  test("an ipBlock that holds some of a workload's IPs splits it, and says so", () => {
    const groups = groupByWorkload([...web, ...api], [halfByIp]);
    const apiGroups = groups.filter((group) => group.owner?.name === 'api');
    assert.deepEqual(
      apiGroups.map((group) => group.pods.map((member) => member.metadata.name)),
      [
        ['api-1', 'api-2'],
        ['api-3', 'api-4'],
      ],
    );
    assert.ok(apiGroups.every((group) => group.split === 'ipBlock'));
    assert.equal(groups.find((group) => group.owner?.name === 'web')?.split, undefined);
  });

  test('with a host-network Pod in view, Pods are told apart by node', () => {
    const agent = onNode(
      pod('shop', 'agent-a', { app: 'agent' }, { ip: '192.168.0.11', hostNetwork: true }),
      'node-a',
    );
    const spread = [onNode(web[0]!, 'node-a'), onNode(web[1]!, 'node-b'), onNode(web[2]!, 'node-b')];
    const groups = groupByWorkload([...spread, agent], [denyAll]);
    assert.deepEqual(
      groups.map((group) => group.pods.map((member) => member.metadata.name)),
      [['web-1'], ['web-2', 'web-3'], ['agent-a']],
    );
    assert.equal(groups[0]!.split, 'node');
    // Without one, the node does not matter.
    assert.equal(groupByWorkload(spread, [denyAll]).length, 1);
  });
});

describe('the policy matrix grouped by workload', () => {
  test('every Pod pair agrees with its grouped cell: labels and named ports', () => {
    const grouped = assertGroupedAgrees([...web, ...api], [denyAll, webToApi, webEgress]);
    assert.equal(grouped.groupBy, 'workload');
    assert.deepEqual(
      grouped.pods.map((row) => [row.workload?.owner?.name, row.workload?.pods.length]),
      [
        ['web', 3],
        ['api', 4],
      ],
    );
    const webToApiCell = grouped.cells[0]![1]!;
    assert.equal(webToApiCell.allowed, true);
    assert.equal(webToApiCell.pairs, 12);
    assert.equal(grouped.cells[1]![0]!.allowed, false);
  });

  test('every Pod pair agrees with its grouped cell: an ipBlock over Pod IPs', () => {
    const grouped = assertGroupedAgrees([...web, ...api], [halfByIp, webToApi]);
    assert.equal(grouped.pods.length, 3, 'web, and api split in two by the ipBlock');
  });

  test('every Pod pair agrees with its grouped cell: host-network Pods and nodes', () => {
    const agent = onNode(
      pod('shop', 'agent-a', { app: 'agent' }, { ip: '192.168.0.11', hostNetwork: true }),
      'node-a',
    );
    const spread = [onNode(web[0]!, 'node-a'), onNode(web[1]!, 'node-b'), onNode(web[2]!, 'node-b'), ...api];
    assertGroupedAgrees([...spread, agent], [denyAll, webToApi]);
  });

  test("a workload's cell to itself is two different Pods of it; each Pod reaching itself stays the rule", () => {
    const grouped = policyMatrix([...web, ...api], view([denyAll]), { groupBy: 'workload' });
    const self = grouped.cells[0]![0]!;
    assert.equal(self.allowed, false, 'deny-all: web-1 may not reach web-2');
    assert.equal(self.source, 'shop/web-1');
    assert.equal(self.destination, 'shop/web-2');
    assert.equal(self.pairs, 6);
    assert.deepEqual(cellPods(grouped, 0, 0)?.destination, {
      namespace: 'shop',
      name: 'web-2',
      ip: '10.244.1.2',
      port: 8080,
    });
    // A Pod alone in its row: its cell to itself is the Pod itself.
    const single = policyMatrix([web[0]!, ...api], view([denyAll]), { groupBy: 'workload' });
    assert.equal(single.cells[0]![0]!.ingress.allowedByKubernetes, 'self');
  });

  test("probes target a workload's second Pod for its cell to itself, and the overlay reads that probe", () => {
    const grouped = policyMatrix([...web, ...api], view([denyAll]), { groupBy: 'workload' });
    const sets = matrixProbeSets(grouped);
    const { sources } = sets;
    const targets = sets.targets as readonly { name: string; ip: string; port: number }[];
    assert.deepEqual(
      sources.map((source) => source.pod),
      ['web-1', 'api-1'],
    );
    assert.deepEqual(
      targets.map((target) => target.name),
      ['web-1', 'api-1', 'web-2', 'api-2'],
    );
    const result = (target: (typeof targets)[number], reachable: boolean): ProbeResult =>
      ({
        source: { namespace: 'shop', pod: 'web-1' },
        target: { kind: 'pod', host: target.ip, port: target.port },
        reachable,
        verdict: reachable ? 'reachable' : 'timeout',
        message: reachable ? 'connected' : 'timed out',
        elapsedMs: 1,
      }) as unknown as ProbeResult;
    // web-1 reaches web-2 (the deny-all is not enforced) but not itself: only the former is read.
    const grid = {
      cells: [[result(targets[0]!, false), result(targets[2]!, true)]],
    } as unknown as MatrixGrid;
    const overlay = overlayProbes(grouped, grid);
    assert.equal(overlay.cells[0]![0]!.agreement, 'disagree');
    assert.equal(overlay.cells[0]![0]!.probe?.reachable, true);
  });
});
