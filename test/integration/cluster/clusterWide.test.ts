/**
 * ClusterCache with many namespaces in view, against the demo sandbox: one cluster-wide list and
 * watch per resource when the identity may list across namespaces, one informer per namespace under
 * the limited `shop-viewer` identity (the cluster-wide list is refused with 403), and handovers
 * between the two that never show a known namespace as loading.
 */
import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import { after, describe, test } from 'node:test';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { ClusterCache } from '../../../src/cluster/cache.ts';
import type { ClusterChange } from '../../../src/cluster/changes.ts';
import { useSandbox, waitFor } from '../../support/sandbox.ts';

const RESOURCES = ['pods', 'services', 'endpointSlices', 'networkPolicies', 'ingresses'] as const;

describe('ClusterCache watching many namespaces', () => {
  const fixture = useSandbox({ scenario: 'demo' });
  const caches: ClusterCache[] = [];
  after(() => caches.forEach((cache) => cache.dispose()));

  const open = (kubeConfig: KubeConfig, clusterWideFrom: number) => {
    const lines: string[] = [];
    const changes: ClusterChange[] = [];
    const cache = new ClusterCache(kubeConfig, {
      contextName: kubeConfig.getCurrentContext(),
      coalesceMs: 20,
      clusterWideFrom,
      log: (line) => lines.push(line),
    });
    cache.onDidChange((change) => changes.push(change));
    caches.push(cache);
    return { cache, lines, changes };
  };
  const namespaceNames = (cache: ClusterCache) => cache.namespaces().map((ns) => ns.metadata!.name!);
  const podNames = (cache: ClusterCache, namespace: string) =>
    cache
      .pods(namespace)
      .map((pod) => pod.metadata!.name!)
      .sort();

  test('many namespaces in view: one cluster-wide informer per resource, reads as per namespace', async () => {
    const { cache, lines, changes } = open(fixture.kubeconfig, 3);
    await waitFor('namespaces', () => cache.isSynced());
    const all = namespaceNames(cache);
    assert.ok(all.length >= 4, all.join());
    const watched = all.filter((name) => name !== 'tools');
    cache.setWatchedNamespaces(watched);
    await waitFor('every namespace synced', () => watched.every((ns) => cache.isSynced(ns)));
    await waitFor('cluster-wide scope', () => RESOURCES.every((r) => cache.watchScope(r) === 'cluster-wide'));
    for (const resource of RESOURCES) {
      assert.ok(
        lines.some((line) => line.includes(`across namespaces (${watched.length} namespaces in view)`)),
        `${resource}: ${lines.join('\n')}`,
      );
    }

    // The same objects as the server lists namespace by namespace.
    const core = fixture.kubeconfig.makeApiClient(CoreV1Api);
    for (const namespace of watched) {
      const listed = (await core.listNamespacedPod({ namespace })).items
        .map((pod) => pod.metadata!.name!)
        .sort();
      assert.deepEqual(podNames(cache, namespace), listed, namespace);
      assert.equal(cache.podCount(namespace), listed.length);
      assert.equal(cache.namespaceStatus(namespace)!.pods.status, 'synced');
    }
    assert.ok(podNames(cache, 'shop').length > 0);
    // A namespace not in view is not read, though the cluster-wide informer holds its objects.
    assert.deepEqual(cache.pods('tools'), []);
    assert.equal(cache.namespaceStatus('tools'), undefined);

    // Changes arrive for watched namespaces only, named as before.
    changes.length = 0;
    const pod = (namespace: string, name: string) => ({
      metadata: { name, namespace, labels: { app: 'cluster-wide-test' } },
      spec: { containers: [{ name: 'c', image: 'registry.example/echo:1.0' }] },
    });
    await core.createNamespacedPod({ namespace: 'tools', body: pod('tools', 'unwatched-1') });
    await core.createNamespacedPod({ namespace: 'shop', body: pod('shop', 'watched-1') });
    await waitFor('the new Pod', () => cache.pod('shop', 'watched-1'));
    await waitFor('its change', () => changes.some((change) => change.objects.has('Pod/shop/watched-1')));
    assert.ok(!changes.some((change) => change.pods.has('tools')));
    assert.equal(cache.pod('tools', 'unwatched-1'), undefined);

    // A namespace added to the view is known at once: the cluster-wide informer holds it.
    cache.setWatchedNamespaces([...watched, 'tools']);
    assert.ok(cache.isSynced('tools'));
    assert.ok(podNames(cache, 'tools').includes('unwatched-1'));

    // Back to few namespaces: per-namespace informers take over, and until they have listed the
    // cluster-wide one keeps answering (no namespace falls back to loading).
    cache.setWatchedNamespaces(['shop', 'data']);
    assert.ok(cache.isSynced('shop') && cache.isSynced('data'));
    assert.ok(podNames(cache, 'shop').includes('watched-1'));
    await waitFor('per-namespace scope', () =>
      RESOURCES.every((r) => cache.watchScope(r) === 'per-namespace'),
    );
    await waitFor('the cluster-wide informers stopped', () =>
      lines.some((line) => line.includes('watching pods namespace by namespace')),
    );
    assert.ok(podNames(cache, 'shop').includes('watched-1'));
    await core.deleteNamespacedPod({ namespace: 'shop', name: 'watched-1', gracePeriodSeconds: 0 });
    await core.deleteNamespacedPod({ namespace: 'tools', name: 'unwatched-1', gracePeriodSeconds: 0 });
    await waitFor('the deletion', () => cache.pod('shop', 'watched-1') === undefined);
    assert.equal(cache.state().kind, 'connected');
  });

  test('EndpointSlices across namespaces are listed once the Pods list is in, and read as loading until then', async () => {
    const { cache, changes } = open(fixture.kubeconfig, 3);
    await waitFor('namespaces', () => cache.isSynced());
    const watched = namespaceNames(cache);
    // What the cache says of each namespace whenever it asks for a page of Pods or of EndpointSlices.
    const seen: Array<{ path: string; podsListed: boolean; slices: string[] }> = [];
    const onRequest = (message: unknown) => {
      const path = (message as { request: { path: string } }).request.path;
      if (/^\/(api\/v1\/pods|apis\/discovery\.k8s\.io\/v1\/endpointslices)\?limit=/.test(path)) {
        seen.push({
          path,
          podsListed: cache.watchScope('pods') === 'cluster-wide',
          slices: watched.map((ns) => cache.namespaceStatus(ns)!.endpointSlices.status),
        });
      }
    };
    diagnostics.subscribe('undici:request:create', onRequest);
    try {
      cache.setWatchedNamespaces(watched);
      await waitFor('every namespace synced', () => watched.every((ns) => cache.isSynced(ns)));
    } finally {
      diagnostics.unsubscribe('undici:request:create', onRequest);
    }
    const pods = seen.filter((request) => request.path.startsWith('/api/v1/pods'));
    const slices = seen.filter((request) => request.path.startsWith('/apis/discovery.k8s.io'));
    assert.ok(pods.length > 0 && slices.length > 0, JSON.stringify(seen));
    // While the Pods were listed, no namespace read its EndpointSlices as listed (and so empty).
    for (const request of pods) {
      assert.deepEqual(new Set(request.slices), new Set(['syncing']), JSON.stringify(request));
    }
    assert.ok(
      slices.every((request) => request.podsListed),
      `EndpointSlices asked for before the Pods list was in: ${JSON.stringify(seen)}`,
    );
    assert.ok(cache.endpointSlices('shop').length > 0);
    // The first lists were announced by namespace, as wholes, not object by object.
    assert.ok(changes.some((change) => change.pods.has('shop')));
    assert.deepEqual(
      changes.flatMap((change) => [...change.objects]),
      [],
      'no object named by a first list',
    );
  });

  test('the cluster-wide list forbidden (shop-viewer): one informer per namespace, each truthful', async () => {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(fixture.sandbox.kubeconfigFor('shop-viewer'));
    const { cache, lines } = open(kubeConfig, 2);
    await waitFor('namespaces', () => cache.isSynced());
    assert.equal(cache.namespaceFallback, undefined, 'shop-viewer may list namespaces');
    const watched = namespaceNames(cache);
    cache.setWatchedNamespaces(watched);
    await waitFor('every namespace settled', () => watched.every((ns) => cache.isSynced(ns)), 15_000);
    for (const resource of RESOURCES) {
      assert.equal(cache.watchScope(resource), 'per-namespace', resource);
    }
    assert.ok(
      lines.some((line) => /pods across namespaces: .*watching each namespace instead/.test(line)),
      lines.join('\n'),
    );
    assert.equal(cache.namespaceStatus('shop')!.pods.status, 'synced');
    assert.ok(cache.pods('shop').length > 0);
    assert.equal(cache.namespaceStatus('data')!.pods.status, 'forbidden');
    assert.equal(cache.podCount('data'), undefined);
    assert.deepEqual(cache.pods('data'), []);
    assert.equal(cache.state().kind, 'connected');
  });
});
