/**
 * The cache's Gateway API watches (gatewayWatch.ts) against the sandbox: on the demo, Gateways and
 * routes of the watched namespaces once discovery says the group is served, and a new HTTPRoute
 * arriving by the watch; an identity limited to one namespace reads that namespace's Gateways and
 * routes while refused (403) the cluster-wide GatewayClasses and ReferenceGrants, each kind its own
 * state, never an empty list; on the minimal scenario (no CRDs) the state is "not served".
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { ClusterCache } from '../../../src/cluster/cache.ts';
import { createShopGatewayObjects } from '../../support/gatewayShop.ts';
import { useSandbox, waitFor } from '../../support/sandbox.ts';

const names = (objects: readonly { metadata?: { name?: string } }[]) =>
  objects.map((o) => o.metadata?.name ?? '').sort();

describe('ClusterCache: Gateway API on the demo', () => {
  const fixture = useSandbox({ scenario: 'demo' });
  const caches: ClusterCache[] = [];
  after(() => caches.forEach((cache) => cache.dispose()));

  const open = (kubeConfig: KubeConfig) => {
    const cache = new ClusterCache(kubeConfig, { contextName: fixture.sandbox.context });
    caches.push(cache);
    return cache;
  };

  test('watches Gateways and routes of the watched namespaces, and sees a new HTTPRoute', async () => {
    const cache = open(fixture.kubeconfig);
    const changes: boolean[] = [];
    cache.onDidChange((change) => changes.push(change.gatewayApi));
    cache.setWatchedNamespaces(['infra', 'store']);
    const watch = cache.gatewayApi!;
    await waitFor('the Gateway API of store ready', () => watch.status('store').state === 'ready');
    await waitFor('infra ready', () => watch.status('infra').state === 'ready');
    // The cluster-wide lists have states of their own (status(namespace) does not wait for them).
    await waitFor('GatewayClasses listed', () => watch.kindStatus('gatewayclasses').state === 'ready');
    assert.deepEqual(names(watch.objects('gateways', 'infra')), ['public']);
    assert.deepEqual(names(watch.objects('httproutes', 'store')), ['catalog', 'reports']);
    assert.ok(watch.clusterObjects('gatewayclasses').length > 0);
    assert.deepEqual(watch.objects('httproutes', 'data'), [], 'a namespace not watched holds nothing');
    assert.equal(watch.status('data').state, 'loading', 'not watched: nothing is known of it');
    // Changes are delivered coalesced, a moment after the state they announce is readable.
    await waitFor('a gatewayApi change delivered', () => changes.includes(true));

    const custom = fixture.kubeconfig.makeApiClient(CustomObjectsApi);
    await custom.createNamespacedCustomObject({
      group: 'gateway.networking.k8s.io',
      version: 'v1',
      namespace: 'store',
      plural: 'httproutes',
      body: {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: { name: 'extra', namespace: 'store' },
        spec: { parentRefs: [{ name: 'public', namespace: 'infra' }], rules: [{}] },
      },
    });
    await waitFor('the new HTTPRoute in the cache', () =>
      names(watch.objects('httproutes', 'store')).includes('extra'),
    );
  });

  test('an identity limited to one namespace: its Gateways and routes ready, the cluster-wide lists forbidden, each kind its own state', async () => {
    await createShopGatewayObjects(fixture.kubeconfig);
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(fixture.sandbox.kubeconfigFor('shop-viewer'));
    const cache = open(kubeConfig);
    cache.setWatchedNamespaces(['shop']);
    const watch = cache.gatewayApi!;
    await waitFor('an answer', () => watch.status('shop').state !== 'loading', 15_000);
    assert.equal(
      watch.status('shop').state,
      'ready',
      'the 403 on the cluster-wide lists hides nothing of shop',
    );
    assert.deepEqual(names(watch.objects('gateways', 'shop')), ['edge']);
    assert.deepEqual(names(watch.objects('httproutes', 'shop')), ['web']);
    assert.equal(watch.kindStatus('httproutes', 'shop').state, 'ready');
    await waitFor('the cluster-wide answers', () =>
      (['gatewayclasses', 'referencegrants'] as const).every((p) => watch.kindStatus(p).state !== 'loading'),
    );
    for (const plural of ['gatewayclasses', 'referencegrants'] as const) {
      const status = watch.kindStatus(plural);
      assert.equal(status.state, 'forbidden', plural);
      assert.match(status.state === 'forbidden' ? status.message : '', /forbidden|403|not allowed|may not/i);
      assert.deepEqual(watch.clusterObjects(plural), [], 'refused: nothing held, and the state says why');
    }
  });
});

describe('ClusterCache: Gateway API where it is not served', () => {
  const fixture = useSandbox({ scenario: 'minimal' });
  let cache: ClusterCache | undefined;
  after(() => cache?.dispose());

  test('discovery says not served: its own state, with no watches', async () => {
    cache = new ClusterCache(fixture.kubeconfig, { contextName: fixture.sandbox.context });
    cache.setWatchedNamespaces(['web']);
    const watch = cache.gatewayApi!;
    await waitFor('discovery answered', () => watch.status('web').state !== 'loading');
    assert.equal(watch.status('web').state, 'notServed');
    assert.deepEqual(watch.objects('httproutes', 'web'), []);
  });
});
