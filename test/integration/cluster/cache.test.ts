/**
 * ClusterCache against the sandbox over real sockets (client-node's informers, real watches):
 * objects and change events follow the cluster, only watched namespaces are held, a forced 410
 * relists without losing state, bursts are coalesced, and a stopped API server is survived.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CoreV1Api, NetworkingV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { V1Pod } from '@kubernetes/client-node';
import { ClusterCache } from '../../../src/cluster/cache.ts';
import type { ClusterChange } from '../../../src/cluster/changes.ts';
import { useSandbox, waitFor } from '../../support/sandbox.ts';

const podBody = (name: string, labels: Record<string, string> = {}): V1Pod => ({
  metadata: { name, labels },
  spec: {
    containers: [
      { name: 'web', image: 'registry.example/echo:1.0', ports: [{ name: 'http', containerPort: 8080 }] },
    ],
  },
});

const isReady = (pod: V1Pod | undefined) =>
  pod?.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';

describe('ClusterCache', () => {
  const fixture = useSandbox({ scenario: 'minimal' });
  const core = () => fixture.kubeconfig.makeApiClient(CoreV1Api);
  let cache: ClusterCache;
  const changes: Array<{ at: number; change: ClusterChange }> = [];
  const logs: string[] = [];
  /** Waits until no change has been delivered for two coalescing windows (pending ones included). */
  const quiet = () => {
    const since = performance.now();
    return waitFor(
      'no change for 200 ms',
      () => performance.now() - Math.max(since, changes.at(-1)?.at ?? 0) > 200,
    );
  };
  const changedSince = (index: number, predicate: (change: ClusterChange) => boolean) =>
    changes.slice(index).some(({ change }) => predicate(change));

  before(async () => {
    cache = new ClusterCache(fixture.kubeconfig, {
      contextName: fixture.sandbox.context,
      backoff: { initialMs: 100, maxMs: 400 },
      log: (line) => logs.push(line),
    });
    cache.onDidChange((change) => changes.push({ at: performance.now(), change }));
    await waitFor('namespaces synced', () => cache.isSynced());
    cache.setWatchedNamespaces(['web']);
    assert.equal(cache.isSynced('web'), false);
    await waitFor('web synced', () => cache.isSynced('web'));
    await waitFor('connected', () => cache.state().kind === 'connected');
  });

  after(() => {
    cache?.dispose();
  });

  test('lists namespaces and syncs the watched namespace', async () => {
    assert.equal(cache.namespaceFallback, undefined);
    const names = cache.namespaces().map((ns) => ns.metadata?.name);
    assert.ok(names.includes('web') && names.includes('default'), names.join(','));
    await waitFor('a namespaces change event', () => changes.some(({ change }) => change.namespaces));
    // Connected may be announced in the window after the namespace list (the watch is opened after it).
    await waitFor('a connection change event', () => changes.some(({ change }) => change.connection));
    assert.deepEqual(cache.watchedNamespaces(), ['web']);
    assert.equal(cache.pods('web').length, 3);
    assert.equal(cache.podCount('web'), 3);
    assert.ok(cache.pod('web', 'client'));
    assert.ok(cache.service('web', 'web'));
    assert.deepEqual(
      cache.services('web').map((s) => s.metadata?.name),
      ['web'],
    );
    assert.ok(cache.endpointSlices('web', 'web').length >= 1);
    assert.equal(cache.endpointSlices('web', 'nothing').length, 0);
    assert.deepEqual(cache.networkPolicies('web'), []);
    assert.deepEqual(cache.namespaceStatus('web'), {
      pods: { status: 'synced', listed: true },
      services: { status: 'synced', listed: true },
      endpointSlices: { status: 'synced', listed: true },
      networkPolicies: { status: 'synced', listed: true },
      ingresses: { status: 'synced', listed: true },
    });
    // Typed models, as client-node's lists give them.
    assert.ok(cache.pod('web', 'client')?.metadata?.creationTimestamp instanceof Date);
  });

  test('a Pod added, flipping readiness and deleted shows in the cache and in change events', async () => {
    let mark = changes.length;
    await core().createNamespacedPod({
      namespace: 'web',
      body: {
        ...podBody('added', { app: 'added' }),
        metadata: {
          name: 'added',
          labels: { app: 'added' },
          annotations: {
            'kubectl.kubernetes.io/last-applied-configuration': '{"big":"copy"}',
            keep: 'me',
          },
        },
        spec: {
          containers: [
            {
              name: 'web',
              image: 'registry.example/echo:1.0',
              env: [{ name: 'PASSWORD', value: 'hunter2' }],
              ports: [{ containerPort: 8080 }],
            },
          ],
        },
      },
    });
    await waitFor(
      'the new Pod running in the cache',
      () => cache.pod('web', 'added')?.status?.phase === 'Running',
    );
    await waitFor('a change event naming it', () =>
      changedSince(mark, (c) => c.pods.has('web') && c.objects.has('Pod/web/added')),
    );
    // Watch objects are typed models too, and slimmed.
    const added = cache.pod('web', 'added')!;
    assert.ok(added.metadata?.creationTimestamp instanceof Date);
    assert.deepEqual(added.metadata?.annotations, { keep: 'me' });
    assert.equal(added.metadata?.managedFields, undefined);
    assert.equal(added.spec?.containers[0]?.env, undefined);
    assert.equal(added.spec?.containers[0]?.ports?.[0]?.containerPort, 8080);
    await waitFor('ready', () => isReady(cache.pod('web', 'added')));

    mark = changes.length;
    fixture.sandbox.faults.setPodReady('web', 'added', false);
    await waitFor('not ready in the cache', () => !isReady(cache.pod('web', 'added')));
    await waitFor('a change event for the flip', () =>
      changedSince(mark, (c) => c.objects.has('Pod/web/added')),
    );
    fixture.sandbox.faults.setPodReady('web', 'added', true);
    await waitFor('ready again', () => isReady(cache.pod('web', 'added')));

    mark = changes.length;
    await core().deleteNamespacedPod({ namespace: 'web', name: 'added', gracePeriodSeconds: 0 });
    await waitFor('gone from the cache', () => cache.pod('web', 'added') === undefined);
    await waitFor('a change event for the delete', () =>
      changedSince(mark, (c) => c.objects.has('Pod/web/added')),
    );
    assert.equal(cache.podCount('web'), 3);
  });

  test("a Service's EndpointSlices follow its Pods", async () => {
    await core().createNamespacedService({
      namespace: 'web',
      body: {
        metadata: { name: 'followed' },
        spec: { selector: { app: 'web' }, ports: [{ port: 81, targetPort: 'http' }] },
      },
    });
    const endpoints = () => cache.endpointSlices('web', 'followed').flatMap((slice) => slice.endpoints ?? []);
    await waitFor('two endpoints', () => endpoints().length === 2);
    assert.ok(cache.service('web', 'followed'));
    const victim = endpoints()[0]!.targetRef!.name!;

    const mark = changes.length;
    fixture.sandbox.faults.setPodReady('web', victim, false);
    await waitFor('the endpoint not ready', () =>
      endpoints().some((e) => e.targetRef?.name === victim && e.conditions?.ready === false),
    );
    await waitFor('an endpointSlices change', () => changedSince(mark, (c) => c.endpointSlices.has('web')));
    fixture.sandbox.faults.setPodReady('web', victim, true);
    await waitFor('ready again', () =>
      endpoints().every((e) => e.conditions?.ready === true && endpoints().length === 2),
    );

    fixture.sandbox.faults.setServiceEndpointsRemoved('web', 'followed', true);
    await waitFor('no endpoints', () => endpoints().length === 0);
    fixture.sandbox.faults.setServiceEndpointsRemoved('web', 'followed', false);
    await waitFor('endpoints back', () => endpoints().length === 2);

    await core().deleteNamespacedService({ namespace: 'web', name: 'followed' });
    await waitFor('service gone', () => cache.service('web', 'followed') === undefined);
    await waitFor('its slices gone', () => cache.endpointSlices('web', 'followed').length === 0);
  });

  test('NetworkPolicies are watched too', async () => {
    const networking = fixture.kubeconfig.makeApiClient(NetworkingV1Api);
    const mark = changes.length;
    await networking.createNamespacedNetworkPolicy({
      namespace: 'web',
      body: {
        metadata: { name: 'deny-all' },
        spec: { podSelector: {}, policyTypes: ['Ingress'] },
      },
    });
    await waitFor('the policy cached', () => cache.networkPolicies('web').length === 1);
    const policy = cache.networkPolicies('web')[0]!;
    assert.deepEqual(policy.spec?.policyTypes, ['Ingress']);
    assert.ok(policy.metadata?.creationTimestamp instanceof Date);
    await waitFor('a change event', () =>
      changedSince(mark, (c) => c.networkPolicies.has('web') && c.objects.has('NetworkPolicy/web/deny-all')),
    );
    await networking.deleteNamespacedNetworkPolicy({ namespace: 'web', name: 'deny-all' });
    await waitFor('the policy gone', () => cache.networkPolicies('web').length === 0);
  });

  test('holds only the watched namespaces; counts the others on request', async () => {
    await core().createNamespace({ body: { metadata: { name: 'other' } } });
    await core().createNamespacedPod({ namespace: 'other', body: podBody('lonely') });
    await core().createNamespacedPod({ namespace: 'other', body: podBody('lonelier') });
    await waitFor('namespace other listed', () =>
      cache.namespaces().some((n) => n.metadata?.name === 'other'),
    );
    assert.deepEqual(cache.pods('other'), []);
    assert.equal(cache.pod('other', 'lonely'), undefined);
    assert.equal(cache.isSynced('other'), false);
    assert.equal(cache.podCount('other'), undefined);
    assert.equal(cache.namespaceStatus('other'), undefined);

    const mark = changes.length;
    assert.equal(await cache.refreshPodCount('other'), 2);
    assert.equal(cache.podCount('other'), 2);
    await waitFor('a pods change for the count', () => changedSince(mark, (c) => c.pods.has('other')));

    const watchesBefore = fixture.sandbox.api.watchCount;
    cache.setWatchedNamespaces(['other']);
    await waitFor('other synced', () => cache.isSynced('other'));
    assert.equal(cache.pods('other').length, 2);
    assert.deepEqual(cache.pods('web'), [], 'web is no longer held');
    assert.equal(cache.isSynced('web'), false);
    assert.equal(cache.podCount('web'), 3, 'the last live count stays as a snapshot');
    await waitFor('the same number of watches (4 stopped, 4 started)', () =>
      fixture.sandbox.api.watchCount === watchesBefore ? true : undefined,
    );

    // Pods of a namespace not watched do not reach the cache.
    await core().createNamespacedPod({ namespace: 'web', body: podBody('unseen') });
    cache.setWatchedNamespaces(['web', 'other']);
    await waitFor('both synced', () => cache.isSynced('web') && cache.isSynced('other'));
    assert.ok(cache.pod('web', 'unseen'));
    assert.equal(cache.podCount('web'), 4);
    await core().deleteNamespacedPod({ namespace: 'web', name: 'unseen', gracePeriodSeconds: 0 });
    await waitFor('unseen gone', () => cache.pod('web', 'unseen') === undefined);
  });

  test('a forced 410 relists without losing or churning state', async () => {
    await core().createNamespacedPod({ namespace: 'web', body: podBody('doomed') });
    await waitFor('doomed cached', () => cache.pod('web', 'doomed'));
    await quiet();
    const before = new Map(cache.pods('web').map((p) => [p.metadata!.name!, p.metadata!.resourceVersion]));
    const lost: string[] = [];
    const stopChecking = cache.onDidChange(() => {
      for (const name of before.keys()) {
        if (name !== 'doomed' && !cache.pod('web', name)) {
          lost.push(name);
        }
      }
    });
    const mark = changes.length;
    const watches = fixture.sandbox.api.watchCount;
    fixture.sandbox.faults.expireWatches();
    // Changes right after the expiry must arrive, through the relist or the new watch.
    await core().patchNamespacedPod(
      { namespace: 'web', name: 'client', body: { metadata: { labels: { relisted: 'yes' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await core().deleteNamespacedPod({ namespace: 'web', name: 'doomed', gracePeriodSeconds: 0 });
    await waitFor('the patch seen', () => cache.pod('web', 'client')?.metadata?.labels?.relisted === 'yes');
    await waitFor('the deletion seen', () => cache.pod('web', 'doomed') === undefined);
    await waitFor('every watch re-established', () => fixture.sandbox.api.watchCount === watches);
    await quiet();
    stopChecking();
    assert.deepEqual(lost, []);
    before.delete('doomed');
    assert.deepEqual(
      cache
        .pods('web')
        .map((p) => p.metadata!.name!)
        .sort(),
      [...before.keys()].sort(),
    );
    assert.equal(cache.state().kind, 'connected');
    // Unchanged Pods were not reported by the relist (client-node diffs by resourceVersion).
    const reported = new Set(changes.slice(mark).flatMap(({ change }) => [...change.objects]));
    for (const [name, resourceVersion] of before) {
      if (cache.pod('web', name)?.metadata?.resourceVersion === resourceVersion) {
        assert.ok(!reported.has(`Pod/web/${name}`), `Pod/web/${name} reported without a change`);
      }
    }
    assert.ok(reported.has('Pod/web/client') && reported.has('Pod/web/doomed'));
  });

  test('coalesces a burst of 1,000 readiness flips in one second into at most 10 deliveries', async (t) => {
    const pods = cache.pods('web').map((p) => p.metadata!.name!);
    assert.ok(pods.length >= 3);
    const ready = new Map(pods.map((name) => [name, true]));
    await quiet();
    const mark = changes.length;
    const total = 1000;
    const spanMs = 900;
    const started = performance.now();
    let done = 0;
    // Paced by the clock, so the burst spans ~900 ms however the timers are scheduled.
    await new Promise<void>((resolve) => {
      const tick = () => {
        const due = Math.min(total, Math.ceil(((performance.now() - started) / spanMs) * total));
        for (; done < due; done++) {
          const name = pods[done % pods.length]!;
          const next = !ready.get(name);
          ready.set(name, next);
          fixture.sandbox.faults.setPodReady('web', name, next);
        }
        if (done < total) {
          setTimeout(tick, 5);
        } else {
          resolve();
        }
      };
      tick();
    });
    const burstMs = performance.now() - started;
    await waitFor('the cache at the final readiness', () =>
      pods.every((name) => isReady(cache.pod('web', name)) === ready.get(name)),
    );
    await quiet();
    const deliveries = changes.slice(mark).filter(({ change }) => change.pods.has('web'));
    t.diagnostic(`${deliveries.length} deliveries for ${total} flips in ${burstMs.toFixed(0)} ms`);
    const first = deliveries[0]!.at;
    const last = deliveries.at(-1)!.at;
    assert.ok(
      deliveries.length <= 10,
      `${deliveries.length} deliveries for ${total} updates in ${burstMs.toFixed(0)} ms`,
    );
    assert.ok(deliveries.length <= Math.ceil((last - first) / 100) + 1);
    for (let i = 1; i < deliveries.length; i++) {
      assert.ok(deliveries[i]!.at - deliveries[i - 1]!.at >= 95, 'deliveries at least a window apart');
    }
    // Restore readiness for the tests that follow.
    for (const name of pods) {
      fixture.sandbox.faults.setPodReady('web', name, true);
    }
    await waitFor('all ready', () => pods.every((name) => isReady(cache.pod('web', name))));
  });

  test('survives the API server going away: disconnected, then connected by itself, missing nothing', async () => {
    const mark = changes.length;
    await fixture.sandbox.faults.stopApiServer();
    const down = await waitFor('disconnected', () =>
      cache.state().kind === 'disconnected' ? cache.state() : undefined,
    );
    assert.match(down.message ?? '', /refused the connection|was lost/);
    assert.ok(down.message?.includes(fixture.sandbox.server), down.message);
    assert.ok(typeof down.retryAt === 'number');
    await waitFor('a connection change event', () => changedSince(mark, (c) => c.connection));
    // Reads keep answering from memory.
    assert.ok(cache.pod('web', 'client'));

    // Changes made while the API server is down.
    fixture.sandbox.faults.setPodReady('web', 'client', false);
    fixture.sandbox.faults.deletePod('other', 'lonely', 0);
    // Several failed reconnection attempts, spaced by the backoff.
    await waitFor('a later retry scheduled', () => (cache.state().retryAt ?? 0) > (down.retryAt ?? 0));
    await fixture.sandbox.faults.startApiServer();
    await waitFor('connected again', () => cache.state().kind === 'connected', 10_000);
    assert.equal(cache.state().retryAt, undefined);
    await waitFor('the readiness change made while down', () => !isReady(cache.pod('web', 'client')));
    await waitFor('the deletion made while down', () => cache.pod('other', 'lonely') === undefined);
    assert.ok(cache.pod('other', 'lonelier'));
    assert.ok(logs.some((line) => line.includes('disconnected')));
    assert.ok(logs.some((line) => line.includes('connected') && !line.includes('disconnected')));

    // And the watches are live again.
    fixture.sandbox.faults.setPodReady('web', 'client', true);
    await waitFor('live again', () => isReady(cache.pod('web', 'client')));
  });

  test('dispose stops every watch and every delivery', async () => {
    const mark = changes.length;
    await waitFor('watches open', () => fixture.sandbox.api.watchCount > 0);
    cache.dispose();
    await waitFor('no watch left on the server', () => fixture.sandbox.api.watchCount === 0);
    fixture.sandbox.faults.setPodReady('web', 'client', false);
    // Nothing can arrive any more; give a would-be delivery two windows to show up.
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(changes.length, mark);
  });
});
