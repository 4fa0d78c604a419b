import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import { ChangeCoalescer, objectKey } from '../../../src/cluster/changes.ts';
import type { ClusterChange } from '../../../src/cluster/changes.ts';
import { slimObject } from '../../../src/cluster/compact.ts';

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('one delivery for everything within a window, sets merged', async () => {
  const delivered: ClusterChange[] = [];
  const coalescer = new ChangeCoalescer(30, (change) => delivered.push(change));
  coalescer.resource('pods', 'web', 'a');
  coalescer.resource('pods', 'web', 'b');
  coalescer.resource('services', 'shop');
  coalescer.namespaces();
  coalescer.connection();
  assert.equal(delivered.length, 0, 'nothing synchronously');
  await delay(60);
  assert.equal(delivered.length, 1);
  const change = delivered[0]!;
  assert.equal(change.namespaces, true);
  assert.equal(change.connection, true);
  assert.deepEqual([...change.pods], ['web']);
  assert.deepEqual([...change.services], ['shop']);
  assert.deepEqual([...change.endpointSlices], []);
  assert.deepEqual([...change.objects].sort(), ['Pod/web/a', 'Pod/web/b']);
  coalescer.dispose();
});

test('a steady stream: deliveries at least a window apart, each change within a window', async () => {
  const windowMs = 40;
  const deliveries: number[] = [];
  const coalescer = new ChangeCoalescer(windowMs, () => deliveries.push(performance.now()));
  const started = performance.now();
  let last = started;
  while (performance.now() - started < 400) {
    coalescer.resource('pods', 'web', String(Math.random()));
    last = performance.now();
    await delay(2);
  }
  await delay(windowMs * 2);
  const duration = last - started;
  assert.ok(deliveries.length >= 2);
  // The deliveries run from the first change (delivered at once) to at most a window after the last.
  assert.ok(
    deliveries.length <= Math.ceil(duration / windowMs) + 2,
    `${deliveries.length} deliveries in ${duration.toFixed(0)} ms`,
  );
  for (let i = 1; i < deliveries.length; i++) {
    assert.ok(deliveries[i]! - deliveries[i - 1]! >= windowMs - 2);
  }
  // The last change was delivered (at most a window plus timer slack after it).
  assert.ok(deliveries.at(-1)! >= last);
  coalescer.dispose();
});

/** Waits until `done()` holds, looking every 2 ms, for at most `ms`. */
async function until(done: () => boolean, ms: number): Promise<void> {
  const deadline = performance.now() + ms;
  while (!done() && performance.now() < deadline) {
    await delay(2);
  }
}

test('after a quiet window a change is delivered as the turn ends; the next waits for the window', async () => {
  // A long window, so that "at once" and "a window later" stay far apart on a loaded machine.
  const windowMs = 1000;
  const deliveries: Array<{ at: number; pods: string[] }> = [];
  const coalescer = new ChangeCoalescer(windowMs, (change) =>
    deliveries.push({ at: performance.now(), pods: [...change.pods] }),
  );
  const started = performance.now();
  // A list applied in one turn: one delivery, right after it.
  for (let i = 0; i < 1000; i++) {
    coalescer.resource('pods', `ns-${i % 3}`, `p-${i}`);
  }
  assert.equal(deliveries.length, 0, 'nothing synchronously');
  await until(() => deliveries.length > 0, windowMs);
  assert.equal(deliveries.length, 1);
  assert.deepEqual(deliveries[0]!.pods.sort(), ['ns-0', 'ns-1', 'ns-2']);
  assert.ok(deliveries[0]!.at - started < windowMs / 2, `${deliveries[0]!.at - started} ms`);
  // A change within the window of that delivery waits for the window's end.
  coalescer.resource('pods', 'web');
  await delay(30);
  assert.equal(deliveries.length, 1);
  await until(() => deliveries.length > 1, 2 * windowMs);
  assert.equal(deliveries.length, 2);
  assert.ok(deliveries[1]!.at - deliveries[0]!.at >= windowMs - 2);
  coalescer.dispose();
});

test('soon(): what is pending goes as the turn ends, inside the window of the last delivery', async () => {
  const windowMs = 5000;
  const deliveries: Array<{ pods: string[] }> = [];
  const coalescer = new ChangeCoalescer(windowMs, (change) => deliveries.push({ pods: [...change.pods] }));
  coalescer.resource('services', 'web');
  await until(() => deliveries.length > 0, 1000);
  assert.equal(deliveries.length, 1);
  // Within the window: a change waits for it, unless soon() is called (a first list is in).
  coalescer.resource('pods', 'web', 'a');
  await delay(20);
  assert.equal(deliveries.length, 1);
  coalescer.resource('pods', 'shop');
  coalescer.soon();
  coalescer.soon();
  assert.equal(deliveries.length, 1, 'nothing synchronously');
  await until(() => deliveries.length > 1, 1000);
  assert.equal(deliveries.length, 2);
  assert.deepEqual(deliveries[1]!.pods.sort(), ['shop', 'web']);
  // With nothing pending, soon() delivers nothing (no empty change).
  coalescer.soon();
  await delay(20);
  assert.equal(deliveries.length, 2);
  // After it, changes are throttled by the window again.
  coalescer.resource('pods', 'web', 'b');
  await delay(20);
  assert.equal(deliveries.length, 2);
  coalescer.dispose();
});

test('flush delivers now; dispose drops what is pending', async () => {
  const delivered: ClusterChange[] = [];
  const coalescer = new ChangeCoalescer(1000, (change) => delivered.push(change));
  coalescer.resource('networkPolicies', 'web', 'deny');
  coalescer.flush();
  assert.equal(delivered.length, 1);
  assert.deepEqual([...delivered[0]!.objects], ['NetworkPolicy/web/deny']);
  coalescer.resource('pods', 'web');
  coalescer.dispose();
  coalescer.resource('pods', 'web');
  await delay(20);
  assert.equal(delivered.length, 1);
});

test('objectKey', () => {
  assert.equal(objectKey('EndpointSlice', 'web', 'web-abc'), 'EndpointSlice/web/web-abc');
});

test('slimObject drops what no feature reads and keeps the rest', () => {
  const pod = {
    metadata: {
      name: 'p',
      namespace: 'web',
      labels: { app: 'web' },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: '1', controller: true },
      ],
      managedFields: [{ manager: 'kubectl', operation: 'Apply' }],
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{…}' },
    },
    spec: {
      volumes: [{ name: 'data' }],
      initContainers: [{ name: 'init', image: 'busybox', env: [{ name: 'A', value: 'b' }] }],
      containers: [
        {
          name: 'web',
          image: 'nginx',
          ports: [{ containerPort: 80 }],
          readinessProbe: { httpGet: { path: '/', port: 80 } },
          env: [{ name: 'PASSWORD', value: 'hunter2' }],
          envFrom: [{ secretRef: { name: 's' } }],
          volumeMounts: [{ name: 'data', mountPath: '/data' }],
        },
      ],
    },
    status: { podIP: '10.0.0.1', conditions: [{ type: 'Ready', status: 'True' }] },
  } as unknown as V1Pod;
  const slim = slimObject(pod);
  assert.equal(slim, pod, 'in place');
  assert.deepEqual(slim, {
    metadata: {
      name: 'p',
      namespace: 'web',
      labels: { app: 'web' },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: '1', controller: true },
      ],
    },
    spec: {
      initContainers: [{ name: 'init', image: 'busybox' }],
      containers: [
        {
          name: 'web',
          image: 'nginx',
          ports: [{ containerPort: 80 }],
          readinessProbe: { httpGet: { path: '/', port: 80 } },
        },
      ],
    },
    status: { podIP: '10.0.0.1', conditions: [{ type: 'Ready', status: 'True' }] },
  });
  // Other kinds: only metadata is touched.
  const service = slimObject({
    metadata: { name: 's', annotations: { keep: 'me' }, managedFields: [] },
    spec: { selector: { app: 'web' }, ports: [{ port: 80 }] },
  } as unknown as V1Pod);
  assert.deepEqual(service, {
    metadata: { name: 's', annotations: { keep: 'me' } },
    spec: { selector: { app: 'web' }, ports: [{ port: 80 }] },
  });
});

test('cluster-scoped changes: Nodes and IngressClasses, keys with an empty namespace; Ingresses per namespace', () => {
  const delivered: ClusterChange[] = [];
  const coalescer = new ChangeCoalescer(1000, (change) => delivered.push(change));
  coalescer.clusterResource('nodes', 'worker-1');
  coalescer.clusterResource('ingressClasses');
  coalescer.resource('ingresses', 'web', 'shop');
  coalescer.flush();
  const [change] = delivered;
  assert.equal(change?.nodes, true);
  assert.equal(change?.ingressClasses, true);
  assert.deepEqual([...change!.ingresses], ['web']);
  assert.deepEqual([...change!.objects].sort(), ['Ingress/web/shop', 'Node//worker-1']);
  assert.equal(objectKey('IngressClass', '', 'nginx'), 'IngressClass//nginx');
  coalescer.resource('pods', 'web');
  coalescer.flush();
  assert.equal(delivered[1]?.nodes, false);
  assert.equal(delivered[1]?.ingressClasses, false);
  coalescer.dispose();
});

test("slimObject drops a Node's image list and keeps its addresses and conditions", () => {
  const node = slimObject({
    metadata: { name: 'worker-1', managedFields: [] },
    status: {
      addresses: [{ type: 'InternalIP', address: '10.0.0.1' }],
      conditions: [{ type: 'Ready', status: 'True' }],
      images: [{ names: ['registry.example/echo@sha256:abc', 'registry.example/echo:1.0'], sizeBytes: 1 }],
      nodeInfo: { kubeletVersion: 'v1.31.0' },
    },
  } as unknown as V1Pod);
  assert.deepEqual(node, {
    metadata: { name: 'worker-1' },
    status: {
      addresses: [{ type: 'InternalIP', address: '10.0.0.1' }],
      conditions: [{ type: 'Ready', status: 'True' }],
      nodeInfo: { kubeletVersion: 'v1.31.0' },
    },
  });
});
