/**
 * The policy matrix where NetworkPolicy cannot decide: a Pod's cell to itself and a host-network
 * Pod's cells to the Pods of its node are allowed by the Kubernetes rule, and the cell says so
 * (which rule, no deciding policy); a probe that contradicts the rule is flagged with the rule named.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DiagnosisPod } from '../../../src/analysis/diagnosis/index.ts';
import type { NetworkPolicy } from '../../../src/analysis/k8s.ts';
import { matrixProbeSets, overlayProbes, policyMatrix } from '../../../src/diagnose/policyMatrix.ts';
import type { MatrixGrid } from '../../../src/probe/matrix.ts';
import type { ProbeResult, ProbeVerdict } from '../../../src/probe/types.ts';
import { backend1, frontend, namespaces, pod } from '../analysis/diagnosis/world.ts';

const denyAll: NetworkPolicy = {
  metadata: { namespace: 'shop', name: 'deny-all' },
  spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
};

function agent(node: string): DiagnosisPod {
  const base = pod(
    'shop',
    `agent-${node}`,
    { app: 'agent' },
    { ip: `192.168.0.${node === 'node-1' ? 11 : 12}`, hostNetwork: true },
  );
  return { ...base, spec: { ...base.spec, nodeName: node } };
}

const view = {
  networkPolicies: (ns: string) => (ns === 'shop' ? [denyAll] : []),
  namespaces: () => namespaces,
} as unknown as Parameters<typeof policyMatrix>[1];

// Rows and columns: frontend, backend1 (both on node-1), a host-network agent on node-1 and one on node-2.
const matrix = policyMatrix([frontend, backend1, agent('node-1'), agent('node-2')], view);

describe('the policy matrix and the rules of Kubernetes', () => {
  test('under default deny, each Pod reaches itself and its node: the rule decides, not a policy', () => {
    assert.deepEqual(
      matrix.cells.map((row) =>
        row.map((cell) => ({ allowed: '.', denied: 'X', uncertain: '?' })[cell.outcome]).join(''),
      ),
      ['.X.X', 'X..X', '....', 'XX..'],
    );
    const self = matrix.cells[0]![0]!;
    assert.equal(self.outcome, 'allowed');
    assert.equal(self.ingress.allowedByKubernetes, 'self');
    assert.equal(self.egress.allowedByKubernetes, 'self');
    assert.equal(self.deciding, undefined, 'no policy decided it');
    assert.deepEqual(self.ingress.isolatedBy, ['shop/deny-all']);
    assert.match(self.reason, /a Pod cannot block access to itself/);

    const fromNode = matrix.cells[2]![1]!;
    assert.equal(fromNode.ingress.allowedByKubernetes, 'node');
    assert.equal(fromNode.deciding, undefined);
    assert.match(fromNode.reason, /the Kubernetes rule, not a policy/);
    const toNode = matrix.cells[1]![2]!;
    assert.equal(toNode.egress.allowedByKubernetes, 'node');

    const otherNode = matrix.cells[3]![1]!;
    assert.equal(otherNode.outcome, 'denied');
    assert.equal(otherNode.deciding, 'shop/deny-all');
  });

  test('a probe that contradicts the rule is flagged, naming the rule', () => {
    const { sources, targets } = matrixProbeSets(matrix);
    const answer = (row: number, column: number): ProbeVerdict =>
      row === 0 && column === 0 ? 'timeout' : matrix.cells[row]![column]!.allowed ? 'reachable' : 'timeout';
    const grid: MatrixGrid = {
      sources: sources.map((s) => s.pod),
      targets: targets.map((t) => (t.kind === 'pod' ? t.name : '')),
      cells: sources.map((s, row) =>
        targets.map((t, column): ProbeResult | null => {
          if (t.kind !== 'pod') {
            return null;
          }
          const verdict = answer(row, column);
          return {
            source: { namespace: s.namespace, pod: s.pod, debugContainer: false },
            target: { label: `${t.ip}:${t.port}`, protocol: 'tcp', host: t.ip, port: t.port },
            verdict,
            reachable: verdict === 'reachable',
            message: `${verdict} at ${t.ip}:${t.port}.`,
            elapsedMs: 5,
            stdout: '',
            stderr: '',
            notes: [],
            startedAt: '2024-01-01T00:00:00.000Z',
          };
        }),
      ),
      cancelled: false,
      completed: 16,
      total: 16,
      concurrency: 8,
      elapsedMs: 50,
      startedAt: '2024-01-01T00:00:00.000Z',
    };
    const overlay = overlayProbes(matrix, grid);
    assert.equal(overlay.cells[1]![1]!.agreement, 'agree');
    const self = overlay.cells[0]![0]!;
    assert.equal(self.agreement, 'disagree');
    assert.match(
      self.explanation!,
      /^A Pod cannot block access to itself, so the Kubernetes rule allows this connection, but the probe timed out/,
    );
  });
});
