/**
 * The informers' lists come in pages (`listObjects`, rawList.ts), as client-go's and kubectl's do:
 * against the sandbox the paged list is the unpaged one, object for object, with the first page's
 * resourceVersion; a continue token the server no longer honours (410) ends in one list without
 * pages, as client-go falls back.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import type { V1Pod } from '@kubernetes/client-node';
import { slimObject } from '../../../src/cluster/compact.ts';
import { listObjects } from '../../../src/cluster/rawList.ts';
import { useSandbox } from '../../support/sandbox.ts';

describe('paged lists against the sandbox', () => {
  const fixture = useSandbox({ scenario: 'demo' });

  test('pages of 1, 2 and 3 Pods make the list that one request gives, in order, with its resourceVersion', async () => {
    const whole = await listObjects<V1Pod>(fixture.kubeconfig, '/api/v1/pods', 'V1Pod', slimObject, 0);
    assert.ok(whole.items.length > 6, `${whole.items.length} Pods`);
    const names = whole.items.map((pod) => `${pod.metadata!.namespace}/${pod.metadata!.name}`);
    for (const pageSize of [1, 2, 3]) {
      const paged = await listObjects<V1Pod>(
        fixture.kubeconfig,
        '/api/v1/pods',
        'V1Pod',
        slimObject,
        pageSize,
      );
      assert.deepEqual(
        paged.items.map((pod) => `${pod.metadata!.namespace}/${pod.metadata!.name}`),
        names,
        `pages of ${pageSize}`,
      );
      assert.deepEqual(paged.items, whole.items);
      assert.equal(paged.metadata?.resourceVersion, whole.metadata?.resourceVersion);
      assert.equal(paged.metadata?._continue, undefined);
      assert.equal(paged.metadata?.remainingItemCount, undefined);
    }
    // A path with a query of its own keeps it.
    const web = await listObjects<V1Pod>(
      fixture.kubeconfig,
      '/api/v1/namespaces/shop/pods?labelSelector=app%3Dfrontend',
      'V1Pod',
      slimObject,
      1,
    );
    assert.ok(web.items.length >= 1);
    assert.ok(web.items.every((pod) => pod.metadata?.labels?.app === 'frontend'));
  });
});

describe('paged lists against a server that expires the continue token', () => {
  test('410 on a continued page: one list without pages; every page authenticated', async () => {
    const requests: string[] = [];
    const authorizations = new Set<string | undefined>();
    const pod = (name: string) => ({
      metadata: { name, namespace: 'web', creationTimestamp: '2026-01-01T00:00:00Z' },
    });
    const server = createServer((req, res) => {
      requests.push(req.url!);
      authorizations.add(req.headers.authorization);
      const url = new URL(req.url!, 'http://x');
      res.setHeader('Content-Type', 'application/json');
      if (url.searchParams.has('continue')) {
        res.statusCode = 410;
        res.end(
          JSON.stringify({
            kind: 'Status',
            apiVersion: 'v1',
            status: 'Failure',
            reason: 'Expired',
            code: 410,
          }),
        );
      } else if (url.searchParams.has('limit')) {
        res.end(
          JSON.stringify({
            kind: 'PodList',
            metadata: { resourceVersion: '5', continue: 'tok' },
            items: [pod('a')],
          }),
        );
      } else {
        res.end(
          JSON.stringify({
            kind: 'PodList',
            metadata: { resourceVersion: '9' },
            items: [pod('a'), pod('b')],
          }),
        );
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const kubeConfig = new KubeConfig();
      kubeConfig.loadFromOptions({
        clusters: [
          {
            name: 'c',
            server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
            // client-node refuses plain HTTP unless told the server is not verified.
            skipTLSVerify: true,
          },
        ],
        users: [{ name: 'u', token: 'secret' }],
        contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
        currentContext: 'x',
      });
      const list = await listObjects<V1Pod>(kubeConfig, '/api/v1/pods', 'V1Pod');
      assert.deepEqual(
        list.items.map((item) => item.metadata?.name),
        ['a', 'b'],
      );
      assert.equal(list.metadata?.resourceVersion, '9');
      assert.ok(list.items[0]!.metadata!.creationTimestamp instanceof Date);
      assert.deepEqual(requests, [
        '/api/v1/pods?limit=500',
        '/api/v1/pods?limit=500&continue=tok',
        '/api/v1/pods',
      ]);
      // Every page is authenticated as the first was.
      assert.deepEqual([...authorizations], ['Bearer secret']);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
