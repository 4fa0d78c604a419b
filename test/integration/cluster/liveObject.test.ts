/**
 * What the cache keeps of an object and what "Show YAML" reads, against the sandbox: objects enter
 * the cache slimmed (no managedFields, last-applied-configuration, container env or volumes), in
 * the list and in watch events, while `liveObject` reads the object from the API server in full.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import type { V1Pod } from '@kubernetes/client-node';
import { ClusterCache } from '../../../src/cluster/cache.ts';
import { useSandbox, waitFor } from '../../support/sandbox.ts';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

describe('ClusterCache: slimmed objects, live objects in full', () => {
  const fixture = useSandbox({ scenario: 'minimal' });
  const caches: ClusterCache[] = [];
  after(() => caches.forEach((cache) => cache.dispose()));

  test('the cache holds a slimmed Pod; liveObject reads it in full; a missing one is undefined', async () => {
    const kubeConfig = fixture.kubeconfig;
    const cache = new ClusterCache(kubeConfig, { contextName: kubeConfig.getCurrentContext() });
    caches.push(cache);
    const core = kubeConfig.makeApiClient(CoreV1Api);
    const body: V1Pod = {
      metadata: {
        name: 'full-pod',
        namespace: 'default',
        labels: { app: 'full' },
        annotations: { [LAST_APPLIED]: '{"kind":"Pod"}', note: 'kept' },
      },
      spec: {
        containers: [
          {
            name: 'web',
            image: 'registry.example/echo:1.0',
            env: [{ name: 'GREETING', value: 'hello' }],
            volumeMounts: [{ name: 'data', mountPath: '/data' }],
            ports: [{ name: 'http', containerPort: 8080 }],
          },
        ],
        volumes: [{ name: 'data', emptyDir: {} }],
      },
    };
    // Listed first (the list path), then created while watched (the watch path).
    await core.createNamespacedPod({
      namespace: 'default',
      body: { ...body, metadata: { ...body.metadata, name: 'listed-pod' } },
    });
    await waitFor('namespaces', () => cache.isSynced());
    cache.setWatchedNamespaces(['default']);
    await waitFor('default synced', () => cache.isSynced('default'));
    await core.createNamespacedPod({ namespace: 'default', body });
    const watched = await waitFor('the watched Pod', () => cache.pod('default', 'full-pod'));
    const listed = cache.pod('default', 'listed-pod')!;
    for (const pod of [listed, watched]) {
      assert.equal(pod.metadata?.managedFields, undefined);
      assert.deepEqual(pod.metadata?.annotations, { note: 'kept' });
      assert.equal(pod.spec?.volumes, undefined);
      assert.equal(pod.spec?.containers[0]?.env, undefined);
      assert.equal(pod.spec?.containers[0]?.volumeMounts, undefined);
      // What the features read stays, in client-node's shapes.
      assert.equal(pod.spec?.containers[0]?.ports?.[0]?.containerPort, 8080);
      assert.ok(pod.metadata?.creationTimestamp instanceof Date);
    }
    const server = await core.readNamespacedPod({ namespace: 'default', name: 'full-pod' });
    assert.ok((server.metadata?.managedFields ?? []).length > 0, 'the sandbox writes managedFields');

    const live = (await cache.liveObject('Pod', 'default', 'full-pod')) as V1Pod;
    assert.equal(live.metadata?.annotations?.[LAST_APPLIED], '{"kind":"Pod"}');
    assert.deepEqual(live.spec?.containers[0]?.env, [{ name: 'GREETING', value: 'hello' }]);
    assert.deepEqual(live.spec?.volumes?.[0]?.name, 'data');
    assert.equal(live.metadata?.managedFields, undefined, 'left out, as kubectl does');
    assert.ok(live.metadata?.creationTimestamp instanceof Date);
    // The cached copy is not touched by reading the live one.
    assert.equal(cache.pod('default', 'full-pod')?.spec?.volumes, undefined);

    assert.equal(await cache.liveObject('Pod', 'default', 'no-such-pod'), undefined);
    const node = fixture.sandbox.cluster.nodes[0]!.name;
    assert.equal((await cache.liveObject('Node', '', node))?.metadata?.name, node);
  });
});
