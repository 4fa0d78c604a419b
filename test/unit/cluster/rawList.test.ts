/**
 * `reviveObject` (the informers' cheap stand-in for client-node's `ObjectSerializer.deserialize`)
 * gives the objects client-node's calls give: Dates where the models have date-times, renamed
 * attributes, nested lists and maps, for every kind the cache holds.
 */
import assert from 'node:assert';
import { test } from 'node:test';
import type { V1NetworkPolicy, V1Pod } from '@kubernetes/client-node';
import { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js';
import { continueTokenOf, reviveObject } from '../../../src/cluster/rawList.ts';

const T1 = '2026-01-02T03:04:05Z';
const T2 = '2026-01-02T03:05:00Z';

const SAMPLES: Record<string, object> = {
  V1Pod: {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'web-1',
      namespace: 'shop',
      uid: 'u1',
      resourceVersion: '12',
      creationTimestamp: T1,
      deletionTimestamp: T2,
      labels: { app: 'web' },
      annotations: { note: 'x' },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: 'u0', controller: true },
      ],
    },
    spec: {
      nodeName: 'node-1',
      containers: [
        {
          name: 'web',
          image: 'nginx:1.27',
          ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
          readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 5 },
        },
      ],
    },
    status: {
      phase: 'Running',
      podIP: '10.0.0.1',
      podIPs: [{ ip: '10.0.0.1' }],
      startTime: T1,
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: T2 }],
      containerStatuses: [
        {
          name: 'web',
          ready: true,
          restartCount: 1,
          image: 'nginx:1.27',
          imageID: 'sha',
          state: { running: { startedAt: T2 } },
          lastState: { terminated: { exitCode: 1, startedAt: T1, finishedAt: T2, reason: 'Error' } },
        },
      ],
    },
  },
  V1Service: {
    metadata: { name: 'web', namespace: 'shop', creationTimestamp: T1 },
    spec: {
      selector: { app: 'web' },
      ports: [{ name: 'http', port: 80, targetPort: 'http' }],
      clusterIP: '10.1.0.1',
    },
    status: {
      conditions: [{ type: 'x', status: 'True', lastTransitionTime: T1, reason: 'r', message: 'm' }],
    },
  },
  V1EndpointSlice: {
    addressType: 'IPv4',
    metadata: { name: 'web-x', namespace: 'shop', labels: { 'kubernetes.io/service-name': 'web' } },
    endpoints: [
      {
        addresses: ['10.0.0.1'],
        conditions: { ready: true },
        targetRef: { kind: 'Pod', name: 'web-1', namespace: 'shop' },
      },
    ],
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  },
  V1NetworkPolicy: {
    metadata: { name: 'deny', namespace: 'shop', creationTimestamp: T1 },
    spec: {
      podSelector: { matchLabels: { app: 'web' } },
      ingress: [
        { from: [{ namespaceSelector: { matchLabels: { team: 'shop' } } }], ports: [{ port: 8080 }] },
      ],
      policyTypes: ['Ingress'],
    },
  },
  V1Ingress: {
    metadata: { name: 'shop', namespace: 'shop', creationTimestamp: T1 },
    spec: {
      ingressClassName: 'nginx',
      rules: [
        {
          host: 'shop.example.com',
          http: {
            paths: [
              { path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } },
            ],
          },
        },
      ],
    },
    status: { loadBalancer: { ingress: [{ ip: '127.0.0.5' }] } },
  },
  V1Node: {
    metadata: { name: 'node-1', creationTimestamp: T1 },
    status: {
      conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: T1, lastTransitionTime: T2 }],
      addresses: [{ type: 'InternalIP', address: '127.0.0.2' }],
    },
  },
  V1Namespace: { metadata: { name: 'shop', creationTimestamp: T1 }, status: { phase: 'Active' } },
  V1ListMeta: { resourceVersion: '7', continue: 'token', remainingItemCount: 3 },
};

for (const [model, sample] of Object.entries(SAMPLES)) {
  test(`${model}: revived as client-node deserializes it`, () => {
    const json = JSON.parse(JSON.stringify(sample)) as object;
    const expected = ObjectSerializer.deserialize(structuredClone(json), model, '') as object;
    const revived = reviveObject(structuredClone(json), model);
    // Loose deepEqual: client-node builds class instances, the reviver keeps plain objects.
    assert.deepEqual(revived, expected);
    assert.deepEqual(expected, revived);
  });
}

test('date-times become Dates, renamed attributes move, the object is revived in place', () => {
  const pod = JSON.parse(JSON.stringify(SAMPLES.V1Pod)) as V1Pod;
  const same = reviveObject(pod, 'V1Pod');
  assert.equal(same, pod);
  assert.ok(pod.metadata!.creationTimestamp instanceof Date);
  assert.equal(pod.metadata!.creationTimestamp.toISOString(), '2026-01-02T03:04:05.000Z');
  assert.ok(pod.status!.conditions![0]!.lastTransitionTime instanceof Date);
  assert.ok(pod.status!.containerStatuses![0]!.state!.running!.startedAt instanceof Date);
  assert.ok(pod.status!.containerStatuses![0]!.lastState!.terminated!.finishedAt instanceof Date);
  assert.equal(typeof pod.spec!.containers[0]!.image, 'string');
  const list = reviveObject({ continue: 'token' } as Record<string, unknown>, 'V1ListMeta');
  assert.deepEqual(list, { _continue: 'token' });
  const policy = reviveObject(
    { spec: { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] } } as unknown as V1NetworkPolicy,
    'V1NetworkPolicy',
  );
  const rule = policy.spec!.ingress![0]! as Record<string, unknown>;
  assert.deepEqual(rule._from, [{ podSelector: {} }]);
  assert.equal(rule.from, undefined);
});

test('continueTokenOf reads the continue token from the head of a list whose metadata comes first', () => {
  const head = (body: string) => body.slice(0, 4096);
  assert.equal(
    continueTokenOf(
      head(
        '{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"12","continue":"eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ","remainingItemCount":9},"items":[{"metadata":{"name":"a"}}]}',
      ),
    ),
    'eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ',
  );
  // The last page, an empty token, items before metadata (an item's metadata is not the list's),
  // a token with JSON escapes, and a head cut before the metadata: none.
  assert.equal(
    continueTokenOf('{"kind":"PodList","metadata":{"resourceVersion":"12"},"items":[]}'),
    undefined,
  );
  assert.equal(continueTokenOf('{"kind":"PodList","metadata":{"continue":""},"items":[]}'), undefined);
  assert.equal(
    continueTokenOf('{"kind":"PodList","items":[{"metadata":{"continue":"x"}}],"metadata":{"continue":"y"}}'),
    undefined,
  );
  assert.equal(continueTokenOf('{"metadata":{"continue":"a\\u003db"},"items":[]}'), undefined);
  assert.equal(continueTokenOf('{"kind":"PodList","metad'), undefined);
});
