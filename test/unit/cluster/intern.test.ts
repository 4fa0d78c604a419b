/**
 * `internStrings`: repeated values go into the table once; values unique per object (uids,
 * resourceVersions, addresses, container IDs, the object's own name) never do; the object reads the
 * same afterwards, Dates included.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { internStrings, internedCount } from '../../../src/cluster/intern.ts';

const pod = (i: number) => ({
  metadata: {
    name: `web-${i}`,
    namespace: 'shop-intern-test',
    uid: `uid-${i}`,
    resourceVersion: String(100 + i),
    creationTimestamp: new Date(0),
    labels: { app: 'web-intern-test' },
  },
  spec: {
    nodeName: 'node-intern-test',
    containers: [{ name: 'web', image: 'nginx:intern-test', args: ['--a', '--b'] }],
  },
  status: {
    podIP: `10.9.0.${i}`,
    podIPs: [{ ip: `10.9.0.${i}` }],
    containerStatuses: [{ name: 'web', containerID: `containerd://${i}` }],
  },
});

test('repeated values are interned once; unique ones stay out of the table; objects read the same', () => {
  const before = internedCount();
  const first = internStrings(pod(1));
  const afterOne = internedCount();
  const objects = Array.from({ length: 50 }, (_, i) => internStrings(pod(i + 2)));
  // The 50 Pods added no entry: every value they could share was already there, and the unique ones are never added.
  assert.equal(internedCount(), afterOne);
  assert.ok(afterOne > before);
  assert.deepEqual(first, pod(1));
  assert.deepEqual(objects[9], pod(11));
  assert.ok(objects[0]!.metadata.creationTimestamp instanceof Date);
});

test('frozen parts (the shared copies of compactObject) are left as they are, and do not throw', () => {
  const labels = Object.freeze({ app: 'web-frozen-test' });
  const object = internStrings({
    metadata: { name: 'frozen', namespace: 'shop-intern-test', labels },
    spec: { containers: Object.freeze([Object.freeze({ name: 'web', image: 'nginx:frozen-test' })]) },
  });
  assert.equal(object.metadata.labels, labels);
  assert.deepEqual(object.spec.containers, [{ name: 'web', image: 'nginx:frozen-test' }]);
});
