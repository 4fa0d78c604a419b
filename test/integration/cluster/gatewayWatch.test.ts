/**
 * The cache's Gateway API watches (gatewayWatch.ts) against the sandbox: on the demo, Gateways and
 * routes of the watched namespaces once discovery says the group is served, and a new HTTPRoute
 * arriving by the watch; an identity limited to one namespace is refused (403), which is its own
 * state, not an empty list; on the minimal scenario (no CRDs) the state is "not served".
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { ClusterCache } from '../../../src/cluster/cache.ts';
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
    assert.deepEqual(names(watch.objects('gateways', 'infra')), ['public']);
    assert.deepEqual(names(watch.objects('httproutes', 'store')), ['catalog', 'reports']);
    assert.ok(watch.clusterObjects('gatewayclasses').length > 0);
    assert.deepEqual(watch.objects('httproutes', 'data'), [], 'a namespace not watched holds nothing');
    assert.equal(watch.status('data').state, 'loading', 'not watched: nothing is known of it');
    assert.ok(changes.includes(true));

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

  test('an identity limited to one namespace is refused (403): forbidden, not an empty list', async () => {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(fixture.sandbox.kubeconfigFor('shop-viewer'));
    const cache = open(kubeConfig);
    cache.setWatchedNamespaces(['shop']);
    const watch = cache.gatewayApi!;
    await waitFor('an answer', () => watch.status('shop').state !== 'loading', 15_000);
    const status = watch.status('shop');
    assert.equal(status.state, 'forbidden');
    assert.match(status.state === 'forbidden' ? status.message : '', /forbidden|403|not allowed|may not/i);
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
