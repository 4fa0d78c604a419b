/**
 * compact.ts: slimming without dictionary-mode objects, one `Date` per timestamp, and shared frozen
 * copies of the parts Pods and EndpointSlices repeat, with every object reading as before.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import type { V1EndpointSlice, V1Pod } from '@kubernetes/client-node';
import { compactObject, compactTableSizes, dateOf, slimObject } from '../../../src/cluster/compact.ts';
import { internedCount } from '../../../src/cluster/intern.ts';
import { reviveObject } from '../../../src/cluster/rawList.ts';

setFlagsFromString('--allow-natives-syntax');
// Compiled after the flag is set: V8's own test of whether an object is a hash table.
const hasFastProperties = new Function('object', 'return %HasFastProperties(object)') as (
  o: object,
) => boolean;

/** A Pod as a real API server sends it: managedFields first, then the rest. */
function podJson(name: string, options: { node?: string; started?: string; app?: string } = {}): V1Pod {
  const started = options.started ?? '2026-12-07T17:17:10Z';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      managedFields: [
        { manager: 'kubelet', operation: 'Update', time: started, fieldsV1: { 'f:status': {} } },
      ],
      name,
      namespace: 'shop',
      uid: `uid-${name}`,
      resourceVersion: '42',
      creationTimestamp: started,
      labels: { app: options.app ?? 'web', 'pod-template-hash': '7d9f' },
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"big":"copy"}', team: 'shop' },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-7d9f', uid: 'rs-1', controller: true },
      ],
    },
    spec: {
      volumes: [{ name: 'token', projected: { sources: [] } }],
      containers: [
        {
          name: 'web',
          image: 'nginx:1.27',
          imagePullPolicy: 'IfNotPresent',
          ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
          readinessProbe: { httpGet: { path: '/healthz', port: 8080 } },
          env: [{ name: 'PASSWORD', value: 'hunter2' }],
          resources: { requests: { cpu: '100m' } },
          terminationMessagePath: '/dev/termination-log',
          volumeMounts: [{ name: 'token', mountPath: '/var/run/secrets' }],
        },
      ],
      nodeName: options.node ?? 'node-1',
      tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' }],
      serviceAccountName: 'default',
    },
    status: {
      phase: 'Running',
      conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({
        type,
        status: 'True',
        lastProbeTime: null,
        lastTransitionTime: started,
      })),
      hostIP: '10.0.0.1',
      hostIPs: [{ ip: options.node === 'node-2' ? '10.0.0.2' : '10.0.0.1' }],
      podIP: `10.1.0.${name.length}`,
      podIPs: [{ ip: `10.1.0.${name.length}` }],
      qosClass: 'Burstable',
      startTime: started,
      containerStatuses: [
        {
          name: 'web',
          image: 'nginx:1.27',
          imageID: 'docker.io/library/nginx@sha256:abc',
          containerID: `containerd://${name}`,
          ready: true,
          restartCount: 0,
          started: true,
          state: { running: { startedAt: started } },
          lastState: {},
        },
      ],
    },
  } as unknown as V1Pod;
}

/** What the informers do to each listed object (rawList + informer.ts). */
function cached(pod: V1Pod): V1Pod {
  return compactObject(reviveObject(slimObject(pod), 'V1Pod'));
}

test('slimObject drops what no feature reads without leaving any object a hash table', () => {
  const pod = cached(podJson('a'));
  assert.equal(pod.metadata?.managedFields, undefined);
  assert.deepEqual(pod.metadata?.annotations, { team: 'shop' });
  assert.equal(pod.spec?.volumes, undefined);
  assert.equal(pod.spec?.tolerations, undefined);
  assert.deepEqual(pod.spec?.containers[0], {
    name: 'web',
    image: 'nginx:1.27',
    ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
    readinessProbe: { httpGet: { path: '/healthz', port: 8080 } },
  });
  assert.equal(pod.status?.containerStatuses?.[0]?.containerID, undefined);
  assert.equal(pod.status?.qosClass, undefined);
  for (const part of [
    pod.metadata!,
    pod.spec!,
    pod.status!,
    pod.spec!.containers[0]!,
    pod.status!.containerStatuses![0]!,
  ]) {
    assert.ok(hasFastProperties(part), `${Object.keys(part).join(',')} is a hash table`);
  }
  // An object with nothing to drop is left as it is.
  const service = { metadata: { name: 's', labels: { app: 'web' } }, spec: { ports: [{ port: 80 }] } };
  const metadata = service.metadata;
  slimObject(service as never);
  assert.equal(service.metadata, metadata);
});

test('the Pods of one template share their labels, owner, containers, conditions and states, frozen; each reads as before', () => {
  const first = cached(podJson('web-1'));
  const second = cached(podJson('web-22'));
  const elsewhere = cached(
    podJson('web-333', { node: 'node-2', started: '2026-12-07T18:00:00Z', app: 'api' }),
  );
  assert.equal(second.metadata!.labels, first.metadata!.labels);
  assert.equal(second.metadata!.ownerReferences, first.metadata!.ownerReferences);
  assert.equal(second.spec!.containers, first.spec!.containers);
  assert.equal(second.status!.conditions, first.status!.conditions);
  assert.equal(second.status!.hostIPs, first.status!.hostIPs);
  assert.equal(second.status!.containerStatuses![0]!.state, first.status!.containerStatuses![0]!.state);
  assert.equal(
    second.metadata!.creationTimestamp,
    first.metadata!.creationTimestamp,
    'one Date per timestamp',
  );
  assert.ok(first.metadata!.creationTimestamp instanceof Date);
  // What differs is not shared.
  assert.notEqual(elsewhere.metadata!.labels, first.metadata!.labels);
  assert.notEqual(elsewhere.status!.conditions, first.status!.conditions);
  assert.notEqual(elsewhere.status!.hostIPs, first.status!.hostIPs);
  assert.notEqual(
    second.status!.containerStatuses,
    first.status!.containerStatuses,
    'each has its own statuses',
  );
  assert.equal(second.status!.podIPs![0]!.ip, second.status!.podIP);
  // Each Pod reads exactly as its JSON revived without compaction.
  const plain = (name: string) => reviveObject(slimObject(podJson(name)), 'V1Pod');
  assert.deepEqual(second, plain('web-22'));
  assert.deepEqual(first, plain('web-1'));
  // Shared parts are read-only: a write throws instead of changing every Pod that shares them.
  assert.ok(Object.isFrozen(first.spec!.containers[0]!.ports![0]));
  assert.throws(() => {
    (first.metadata!.labels as Record<string, string>).app = 'changed';
  }, TypeError);
  assert.equal(second.metadata!.labels!.app, 'web');
});

test('values that only look alike are never shared', () => {
  const a = compactObject({ metadata: { name: 'a', labels: { x: '1', y: '2' } } } as never) as V1Pod;
  const b = compactObject({ metadata: { name: 'b', labels: { x: '1y2' } } } as never) as V1Pod;
  const c = compactObject({ metadata: { name: 'c', labels: { 'x1:y': '2' } } } as never) as V1Pod;
  const d = compactObject({ metadata: { name: 'd', labels: { x: 1 } } } as never) as V1Pod;
  const e = compactObject({ metadata: { name: 'e', labels: { x: '1' } } } as never) as V1Pod;
  const labels = [a, b, c, d, e].map((pod) => pod.metadata!.labels);
  assert.equal(new Set(labels).size, 5);
  assert.deepEqual(labels, [{ x: '1', y: '2' }, { x: '1y2' }, { 'x1:y': '2' }, { x: 1 }, { x: '1' }]);
});

test("EndpointSlices share their ports and their endpoints' conditions", () => {
  const slice = (name: string): V1EndpointSlice =>
    compactObject({
      metadata: { name, namespace: 'shop', labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4',
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      endpoints: [
        { addresses: ['10.1.0.1'], conditions: { ready: true, serving: true, terminating: false } },
        { addresses: ['10.1.0.2'], conditions: { ready: false, serving: false, terminating: false } },
      ],
    } as V1EndpointSlice);
  const [one, two] = [slice('web-a'), slice('web-b')];
  assert.equal(one.ports, two.ports);
  assert.equal(one.endpoints![0]!.conditions, two.endpoints![0]!.conditions);
  assert.notEqual(one.endpoints![0]!.conditions, one.endpoints![1]!.conditions);
  assert.deepEqual(one.endpoints![1]!.conditions, { ready: false, serving: false, terminating: false });
});

test('dateOf: one Date per timestamp, and its tables stay bounded', () => {
  assert.equal(dateOf('2026-01-01T00:00:00Z'), dateOf('2026-01-01T00:00:00Z'));
  assert.equal(dateOf('2026-01-01T00:00:00Z').toISOString(), '2026-01-01T00:00:00.000Z');
  for (let i = 0; i < 120_000; i++) {
    dateOf(new Date(Date.UTC(2020, 0, 1, 0, 0, i)).toISOString());
  }
  const sizes = compactTableSizes();
  assert.ok(sizes.dates > 0 && sizes.dates <= 50_000, `${sizes.dates} dates`);
  assert.ok(sizes.structures <= 100_000);
});

test('objects with parts missing compact without throwing (a Pending Pod has no IP, a new one no status)', () => {
  const shapes = [
    {},
    { metadata: {} },
    { metadata: { name: 'p' }, spec: { containers: [] } },
    { metadata: { name: 'p' }, spec: { containers: [] }, status: { phase: 'Pending' } },
    { metadata: { name: 'p' }, spec: { containers: [] }, status: { phase: 'Pending', podIPs: [] } },
    {
      metadata: { name: 'p' },
      spec: { containers: [{ name: 'a' }] },
      status: { containerStatuses: [{ name: 'a' }] },
    },
    { metadata: { name: 's' }, endpoints: [{ addresses: [] }] },
    { metadata: { name: 's', labels: null }, endpoints: null },
  ];
  for (const shape of shapes) {
    const copy = structuredClone(shape);
    assert.deepEqual(compactObject(slimObject(shape as never)), copy);
  }
});

test('a part equal to the last one seen at its place is that shared copy; one equal to an older one is found by its key', () => {
  const pod = (name: string, app: string, time: string) =>
    compactObject({
      metadata: { name, labels: { app, tier: 'web' } },
      spec: { containers: [{ name: 'c', image: `${app}:1` }] },
      status: { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date(time) }] },
    } as never) as V1Pod;
  const a = pod('a', 'shop-last', '2026-12-07T10:00:00Z');
  const b = pod('b', 'shop-last', '2026-12-07T10:00:00Z');
  const c = pod('c', 'cart-last', '2026-12-07T11:00:00Z');
  const d = pod('d', 'shop-last', '2026-12-07T10:00:00Z');
  // Equal Dates are distinct objects here (no dateOf): they compare by time.
  assert.equal(b.status!.conditions, a.status!.conditions);
  assert.equal(b.metadata!.labels, a.metadata!.labels);
  assert.equal(b.spec!.containers, a.spec!.containers);
  assert.notEqual(c.metadata!.labels, a.metadata!.labels);
  assert.notEqual(c.status!.conditions, a.status!.conditions);
  // After c, d's parts are no longer the last seen, and are found in the table.
  assert.equal(d.metadata!.labels, a.metadata!.labels);
  assert.equal(d.spec!.containers, a.spec!.containers);
  assert.equal(d.status!.conditions, a.status!.conditions);
  // The same keys and values in another order read the same: the last copy seen is taken. (A real
  // server writes maps with sorted keys and structs in field order, so it never sends this.)
  const e = compactObject({
    metadata: { name: 'e', labels: { tier: 'web', app: 'shop-last' } },
  } as never) as V1Pod;
  assert.equal(e.metadata!.labels, a.metadata!.labels);
  // One key more or fewer is another value, whichever side has it.
  const more = compactObject({
    metadata: { name: 'more', labels: { app: 'shop-last', tier: 'web', extra: 'x' } },
  } as never) as V1Pod;
  assert.notEqual(more.metadata!.labels, a.metadata!.labels);
  assert.deepEqual(Object.keys(more.metadata!.labels!), ['app', 'tier', 'extra']);
  const fewer = compactObject({
    metadata: { name: 'fewer', labels: { app: 'shop-last' } },
  } as never) as V1Pod;
  assert.deepEqual(fewer.metadata!.labels, { app: 'shop-last' });
  // A Date and a string of the same instant are not equal.
  const f = compactObject({
    metadata: { name: 'f', labels: { at: '2026-12-07T10:00:00.000Z' } },
  } as never) as V1Pod;
  const g = compactObject({
    metadata: { name: 'g', labels: { at: new Date('2026-12-07T10:00:00Z') } },
  } as never) as V1Pod;
  assert.notEqual(f.metadata!.labels, g.metadata!.labels);
});

test("a part's strings are interned once, when it becomes a shared copy (internStrings skips frozen parts)", () => {
  const before = internedCount();
  const pod = compactObject({
    metadata: { name: 'interned-on-share', labels: { team: 'intern-on-share-team' } },
  } as never) as V1Pod;
  assert.ok(Object.isFrozen(pod.metadata!.labels));
  assert.ok(internedCount() > before, 'the label value went into the table as the labels were shared');
});
