/**
 * The explorer's Nodes: readiness, addresses, the Pods on each among the watched namespaces, and
 * what is said when some namespaces' Pods are not known.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { V1Node } from '@kubernetes/client-node';
import { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js';
import { unreadableMessage } from '../../../src/explorer/access.ts';
import type { Knowledge } from '../../../src/explorer/access.ts';
import {
  countPodsPerNode,
  nodePresentation,
  nodeReadiness,
  nodesGroupDescription,
} from '../../../src/explorer/nodeFormat.ts';
import type { NodeInput } from '../../../src/explorer/nodeFormat.ts';

const KNOWN: Knowledge = { state: 'known', stale: false };
const FORBIDDEN: Knowledge = { state: 'forbidden', reason: 'pods is forbidden' };

const worker: NodeInput = {
  metadata: { name: 'worker-1' },
  status: {
    addresses: [
      { type: 'InternalIP', address: '127.0.1.1' },
      { type: 'ExternalIP', address: '203.0.113.10' },
      { type: 'Hostname', address: 'worker-1' },
    ],
    conditions: [
      { type: 'MemoryPressure', status: 'False' },
      { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
    ],
    nodeInfo: { kubeletVersion: 'v1.31.0' },
  },
};

const onNode = (node: string) => ({ spec: { nodeName: node } });
const counts = countPodsPerNode([
  {
    namespace: 'web',
    pods: [onNode('worker-1'), onNode('worker-1'), onNode('worker-2'), {}],
    knowledge: KNOWN,
  },
  { namespace: 'db', pods: [onNode('worker-1')], knowledge: KNOWN },
]);

describe('countPodsPerNode', () => {
  test('counts Pods by node over the namespaces whose Pods are known; unscheduled Pods count nowhere', () => {
    assert.deepEqual(
      new Map(counts.byNode),
      new Map([
        ['worker-1', 3],
        ['worker-2', 1],
      ]),
    );
    assert.deepEqual(counts.counted, ['db', 'web']);
    assert.deepEqual(counts.uncounted, []);
  });

  test('a namespace whose Pods are not known is left out and named', () => {
    const partial = countPodsPerNode([
      { namespace: 'web', pods: [onNode('worker-1')], knowledge: KNOWN },
      { namespace: 'secret', pods: [], knowledge: FORBIDDEN },
    ]);
    assert.equal(partial.byNode.get('worker-1'), 1);
    assert.deepEqual(partial.counted, ['web']);
    assert.deepEqual(partial.uncounted, [{ namespace: 'secret', knowledge: FORBIDDEN }]);
  });
});

describe('nodePresentation', () => {
  test('a Ready node, in full', () => {
    assert.deepEqual(nodePresentation(worker, counts), {
      label: 'worker-1',
      description: 'Ready · 127.0.1.1 · external 203.0.113.10 · 3 pods',
      tooltip: [
        '**Node** `worker-1`',
        '**Ready:** yes (KubeletReady: kubelet is posting ready status) · **Schedulable:** yes',
        '**Addresses:** InternalIP `127.0.1.1`, ExternalIP `203.0.113.10`, Hostname `worker-1`',
        '**Pods:** 3 in the watched namespaces `db`, `web`; Pods of other namespaces are not counted.',
        '**Kubelet:** `v1.31.0`',
      ].join('\n\n'),
      icon: { id: 'server', color: 'testing.iconPassed' },
      contextValue: 'node',
    });
  });

  test('NotReady, Unknown, cordoned, tainted, no addresses', () => {
    const notReady: NodeInput = {
      metadata: { name: 'worker-2' },
      spec: { unschedulable: true, taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }] },
      status: { conditions: [{ type: 'Ready', status: 'False', reason: 'KubeletNotReady' }] },
    };
    const presentation = nodePresentation(notReady, counts);
    assert.equal(presentation.description, 'NotReady,SchedulingDisabled · 1 pod');
    assert.deepEqual(presentation.icon, { id: 'server', color: 'list.errorForeground' });
    assert.match(presentation.tooltip, /\*\*Ready:\*\* no \(KubeletNotReady\)/);
    assert.match(presentation.tooltip, /\*\*Schedulable:\*\* no \(cordoned: new Pods are not placed here\)/);
    assert.match(presentation.tooltip, /\*\*Addresses:\*\* none reported/);
    assert.match(presentation.tooltip, /\*\*Taints:\*\* `node\.kubernetes\.io\/unreachable:NoExecute`/);

    const unknown: NodeInput = {
      metadata: { name: 'worker-3' },
      status: { conditions: [{ type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown' }] },
    };
    assert.equal(nodeReadiness(unknown), 'Unknown');
    assert.equal(nodeReadiness({}), 'Unknown');
    assert.deepEqual(nodePresentation(unknown, counts).icon, {
      id: 'server',
      color: 'list.warningForeground',
    });
    assert.equal(nodePresentation(unknown, counts).description, 'Unknown · 0 pods');
  });

  test('some watched namespaces unknown: "≥" and the namespaces named; none known: the reason', () => {
    const partial = countPodsPerNode([
      { namespace: 'web', pods: [onNode('worker-1')], knowledge: KNOWN },
      { namespace: 'secret', pods: [], knowledge: FORBIDDEN },
    ]);
    const presentation = nodePresentation(worker, partial);
    assert.equal(presentation.description, 'Ready · 127.0.1.1 · external 203.0.113.10 · ≥1 pod');
    assert.ok(
      presentation.tooltip.includes(
        '**Pods:** 1 in the watched namespace `web`; Pods of other namespaces are not counted.\n- `secret`: no access',
      ),
      presentation.tooltip,
    );
    const none = countPodsPerNode([{ namespace: 'secret', pods: [], knowledge: FORBIDDEN }]);
    assert.equal(
      nodePresentation(worker, none).description,
      'Ready · 127.0.1.1 · external 203.0.113.10 · pods: no access',
    );
    assert.match(nodePresentation(worker, none).tooltip, /\*\*Pods:\*\* not counted/);
    const nothingWatched = countPodsPerNode([]);
    assert.equal(
      nodePresentation(worker, nothingWatched).description,
      'Ready · 127.0.1.1 · external 203.0.113.10',
    );
  });

  test('cluster text in the tooltip is escaped and redacted', () => {
    const node: NodeInput = {
      metadata: { name: 'n' },
      status: {
        conditions: [
          {
            type: 'Ready',
            status: 'False',
            reason: 'Err',
            message: 'kubelet: token=abc123 [x](https://e.example)',
          },
        ],
      },
    };
    const tooltip = nodePresentation(node, counts).tooltip;
    assert.doesNotMatch(tooltip, /abc123/);
    assert.match(tooltip, /\\\[x\\\]\(https:\/\/e\.example\)/);
  });

  test('a client-node V1Node fits', () => {
    const node = ObjectSerializer.deserialize(
      {
        metadata: { name: 'worker-1', creationTimestamp: '2025-03-01T11:00:00Z' },
        status: {
          addresses: [{ type: 'InternalIP', address: '127.0.1.1' }],
          conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: '2025-03-01T11:59:00Z' }],
        },
      },
      'V1Node',
      '',
    ) as V1Node;
    assert.equal(nodePresentation(node, counts).description, 'Ready · 127.0.1.1 · 3 pods');
  });
});

test('the Nodes group says its count, or why there is none', () => {
  assert.equal(nodesGroupDescription(3, KNOWN), '3');
  assert.equal(nodesGroupDescription(3, { state: 'known', stale: true }), '3 · last known');
  assert.equal(nodesGroupDescription(0, { state: 'forbidden', reason: 'nodes is forbidden' }), 'no access');
  assert.equal(nodesGroupDescription(0, { state: 'loading' }), 'loading…');
});

test('a cluster-scoped kind that cannot be listed says "in the cluster"', () => {
  const message = unreadableMessage(
    { state: 'forbidden', reason: 'nodes is forbidden: User "dev" cannot list resource "nodes"' },
    'Nodes',
    undefined,
  );
  assert.deepEqual(message, {
    text: 'Forbidden: no access to Nodes',
    detail:
      'This identity may not list Nodes in the cluster (403). The server said: nodes is forbidden: User "dev" cannot list resource "nodes"',
    severity: 'warning',
  });
  assert.equal(
    unreadableMessage({ state: 'loading' }, 'Nodes', undefined)?.detail,
    'Listing Nodes in the cluster…',
  );
  assert.equal(
    unreadableMessage({ state: 'loading' }, 'Pods', 'web')?.detail,
    'Listing Pods in namespace web…',
  );
});

test('nodeFormat.ts stays pure', () => {
  const source = readFileSync(new URL('../../../src/explorer/nodeFormat.ts', import.meta.url), 'utf8');
  for (const [, specifier] of source.matchAll(/ from '([^']+)';/g)) {
    assert.match(
      specifier!,
      /^(\.\.\/analysis\/[a-zA-Z0-9]+|\.\/access|\.\/format|\.\.\/logging\/redact)\.ts$/,
      specifier,
    );
  }
  assert.ok(!/from 'vscode'|require\(/.test(source));
});
