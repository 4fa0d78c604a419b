/**
 * A quiet namespace's watch on a busy cluster, as a real API server treats it: every resource has
 * a bounded watch window, and a watch that asked for bookmarks gets one every period and one 2 s
 * before its deadline. The informer must resume from its bookmarks (no 410, no relist) and must not
 * drop a quiet watch between two bookmarks (client-node's own idle timeout is 30 s; a real server's
 * bookmark period is a minute).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import type { KubernetesObject } from '@kubernetes/client-node';
import { Informer } from '../../../src/cluster/informer.ts';
import { type } from '../../../sandbox/cluster.ts';
import { useSandbox, waitFor } from '../../support/sandbox.ts';

/** Polls `check` until it returns true; an assertion it throws fails the test at once. */
async function until(description: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Longer than client-node's 30 s idle timeout, as a real server's minute is. */
const BOOKMARK_PERIOD_MS = 35_000;

interface Observed {
  lists: number;
  established: number;
  errors: unknown[];
}

describe('a quiet watch on a busy cluster', { concurrency: true }, () => {
  const fixture = useSandbox({
    scenario: 'minimal',
    bookmarkIntervalMs: BOOKMARK_PERIOD_MS,
    // Each resource keeps its last 500 changes: 10 s of the churn below.
    watchWindow: 500,
  });
  const informers: Array<Informer<KubernetesObject>> = [];
  let churn: NodeJS.Timeout | undefined;

  before(() => {
    // Another namespace's Service changes 50 times a second: the Services window moves on.
    const cluster = fixture.sandbox.cluster;
    cluster.create(type('namespaces'), { metadata: { name: 'busy' } });
    cluster.create(type('services'), {
      metadata: { name: 'churn', namespace: 'busy' },
      spec: { ports: [{ port: 80 }] },
    });
    let n = 0;
    churn = setInterval(() => {
      const service = cluster.store.get(type('services'), 'busy', 'churn')!;
      service.metadata.annotations = { churn: String((n += 1)) };
      cluster.store.update(type('services'), service);
    }, 20);
  });

  after(() => {
    clearInterval(churn);
    for (const informer of informers) {
      informer.stop();
    }
  });

  function watchQuiet(
    plural: 'services' | 'pods',
    watchTimeouts?: { minServerTimeoutSeconds: number },
  ): Observed {
    const core = fixture.kubeconfig.makeApiClient(CoreV1Api);
    const observed: Observed = { lists: 0, established: 0, errors: [] };
    const informer = new Informer<KubernetesObject>({
      kubeConfig: fixture.kubeconfig,
      path: `/api/v1/namespaces/web/${plural}`,
      list: () => {
        observed.lists += 1;
        return plural === 'services'
          ? core.listNamespacedService({ namespace: 'web' })
          : core.listNamespacedPod({ namespace: 'web' });
      },
      model: plural === 'services' ? 'V1Service' : 'V1Pod',
      ...(watchTimeouts ? { watchTimeouts } : {}),
      hooks: {
        onObject: () => undefined,
        onSynced: () => undefined,
        onEstablished: () => {
          observed.established += 1;
        },
        onError: (error) => observed.errors.push(error),
        onStalled: (error) => observed.errors.push(error),
      },
    });
    informers.push(informer as Informer<KubernetesObject>);
    informer.start();
    return observed;
  }

  test('its watch ends with the server-side timeout and resumes from the last bookmark, without a relist', async () => {
    // Server-side timeouts of 3 to 6 s instead of client-go's 5 to 10 min, so that the test sees
    // several watches end; the bookmark 2 s before each deadline carries the revision to resume from.
    const observed = watchQuiet('services', { minServerTimeoutSeconds: 3 });
    await until(
      'three watches in a row',
      () => {
        assert.equal(observed.lists, 1, 'the informer relisted: its resourceVersion fell out of the window');
        assert.deepEqual(observed.errors, []);
        return observed.established >= 3;
      },
      60_000,
    );
  });

  test('its watch outlives a bookmark period longer than 30 s', async () => {
    const observed = watchQuiet('pods');
    await waitFor('the first watch', () => observed.established === 1);
    // Past client-node's 30 s idle timeout and past the first bookmark.
    const quietUntil = Date.now() + BOOKMARK_PERIOD_MS + 1_000;
    await until(
      'a silence longer than client-node 30 s idle timeout',
      () => {
        assert.equal(observed.established, 1, 'the quiet watch was dropped and opened again');
        assert.equal(observed.lists, 1);
        assert.deepEqual(observed.errors, []);
        return Date.now() > quietUntil;
      },
      40_000,
    );
  });
});

describe('a watch whose response headers do not come', () => {
  const fixture = useSandbox({ scenario: 'minimal' });

  test('is reported stalled after the connect timeout, not the idle timeout', async (t) => {
    const stalled: unknown[] = [];
    let listed = false;
    const core = fixture.kubeconfig.makeApiClient(CoreV1Api);
    const informer = new Informer({
      kubeConfig: fixture.kubeconfig,
      path: '/api/v1/namespaces/web/services',
      list: async () => {
        const list = await core.listNamespacedService({ namespace: 'web' });
        // From now on the API server takes a second for every answer, the watch's headers included.
        fixture.sandbox.faults.setApiLatency(1_000);
        listed = true;
        return list;
      },
      model: 'V1Service',
      watchTimeouts: { connectTimeoutMs: 300 },
      hooks: {
        onObject: () => undefined,
        onSynced: () => undefined,
        onEstablished: () => undefined,
        onError: () => undefined,
        onStalled: (error) => stalled.push(error),
      },
    });
    t.after(() => {
      informer.stop();
      fixture.sandbox.faults.setApiLatency(0);
    });
    informer.start();
    await waitFor('the list', () => listed);
    await waitFor('a stalled watch', () => stalled.length > 0, 5_000);
    assert.equal((stalled[0] as Error).name, 'TimeoutError');
  });
});
