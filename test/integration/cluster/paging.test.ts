/**
 * The informers' lists come in pages (`listObjects`, rawList.ts), as client-go's and kubectl's do:
 * against the sandbox the paged list is the unpaged one, object for object, with the first page's
 * resourceVersion; a continue token the server no longer honours (410) ends in one list without
 * pages, as client-go falls back. The next page is asked for as soon as the head of a page names
 * it, at most two pages ahead of the one being finished, and each page is finished (`after`)
 * before pages further on are asked for.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import type { V1Pod } from '@kubernetes/client-node';
import { slimObject } from '../../../src/cluster/compact.ts';
import { ListAbandoned, listObjects } from '../../../src/cluster/rawList.ts';
import { useSandbox } from '../../support/sandbox.ts';

/**
 * A kubeconfig whose authentication sets no undici dispatcher, as client-node's does for some
 * set-ups: the list then goes through client-node's fetch, whose body streams as WHATWG chunks.
 */
class WithoutDispatcher extends KubeConfig {
  override async applySecurityAuthentication(context: {
    setHeaderParam(name: string, value: string): void;
  }): Promise<void> {
    context.setHeaderParam('Authorization', 'Bearer secret');
  }
}

/** A kubeconfig for a plain-HTTP server on loopback, and its stop. */
async function serve(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  options: { withoutDispatcher?: boolean } = {},
): Promise<{ kubeConfig: KubeConfig; close: () => Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const kubeConfig = options.withoutDispatcher ? new WithoutDispatcher() : new KubeConfig();
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
  return {
    kubeConfig,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Pods p00…p{n-1} in pages of `size`, the continue token being the index of the page's first Pod. */
function podPages(count: number, size: number, metadataFirst = true) {
  // A Pod of about 3 KB, so that a page of two has a head (4 KB) that comes before its end.
  const pod = (i: number) => ({
    metadata: {
      name: `p${String(i).padStart(2, '0')}`,
      namespace: 'web',
      annotations: { note: 'x'.repeat(3000) },
    },
  });
  return (url: URL): string => {
    const from = Number(url.searchParams.get('continue') ?? 0);
    const items = Array.from({ length: Math.min(size, count - from) }, (_, i) => pod(from + i));
    const metadata = {
      resourceVersion: '7',
      ...(from + size < count ? { continue: String(from + size) } : {}),
    };
    return JSON.stringify(
      metadataFirst ? { kind: 'PodList', metadata, items } : { kind: 'PodList', items, metadata },
    );
  };
}

describe('paged lists read ahead', () => {
  test('the next page is asked for while the body of the page before it is still coming', async () => {
    const page = podPages(6, 2);
    let unblock: (() => void) | undefined;
    const secondAsked = new Promise<void>((resolve) => (unblock = resolve));
    const { kubeConfig, close } = await serve((req, res) => {
      const url = new URL(req.url!, 'http://x');
      const body = page(url);
      res.setHeader('Content-Type', 'application/json');
      if (url.searchParams.has('continue')) {
        if (url.searchParams.get('continue') === '2') {
          unblock!();
        }
        res.end(body);
        return;
      }
      // The first page's head, then its end only once the second page has been asked for (or
      // after 5 s, which the assertion below tells apart).
      res.write(body.slice(0, 4200));
      const timeout = setTimeout(() => unblock!(), 5_000);
      void secondAsked.then(() => {
        clearTimeout(timeout);
        res.end(body.slice(4200));
      });
    });
    try {
      const t0 = performance.now();
      const list = await listObjects<V1Pod>(kubeConfig, '/api/v1/pods', 'V1Pod', { pageSize: 2 });
      assert.equal(list.items.length, 6);
      assert.ok(
        performance.now() - t0 < 4_000,
        `the second page waited for the first: ${performance.now() - t0} ms`,
      );
    } finally {
      await close();
    }
  });

  test('at most two pages ahead of the one being finished: a page is finished before the page three after it is asked for', async () => {
    const pageSize = 2;
    const page = podPages(20, pageSize);
    let finished = 0;
    const finishedAtRequest: Array<{ from: number; finished: number }> = [];
    const { kubeConfig, close } = await serve((req, res) => {
      const url = new URL(req.url!, 'http://x');
      finishedAtRequest.push({ from: Number(url.searchParams.get('continue') ?? 0), finished });
      res.setHeader('Content-Type', 'application/json');
      res.end(page(url));
    });
    try {
      const list = await listObjects<V1Pod>(kubeConfig, '/api/v1/pods', 'V1Pod', {
        pageSize,
        after: (pod) => {
          finished++;
          return pod;
        },
      });
      assert.deepEqual(
        list.items.map((pod) => pod.metadata?.name),
        Array.from({ length: 20 }, (_, i) => `p${String(i).padStart(2, '0')}`),
      );
      assert.deepEqual(
        finishedAtRequest.map((request) => request.from),
        Array.from({ length: 10 }, (_, i) => i * pageSize),
      );
      for (const { from, finished } of finishedAtRequest) {
        // Page k (from = k · size) is asked for once page k - 3 is finished.
        assert.ok(
          finished >= from - 2 * pageSize,
          `page from ${from} asked for with ${finished} Pods finished`,
        );
      }
    } finally {
      await close();
    }
  });

  for (const withoutDispatcher of [false, true]) {
    const path = withoutDispatcher ? "client-node's fetch" : 'the dispatcher';
    test(`a head naming another token than the page's metadata: the list is still the list, in order (${path})`, async () => {
      const page = podPages(9, 2);
      const requests: string[] = [];
      const { kubeConfig, close } = await serve(
        (req, res) => {
          requests.push(req.url!);
          const url = new URL(req.url!, 'http://x');
          if (url.searchParams.get('continue')?.startsWith('H')) {
            res.statusCode = 400;
            res.end('{"kind":"Status","code":400}');
            return;
          }
          // A first metadata naming token Hn, then the real one: JSON.parse keeps the last.
          const body = JSON.parse(page(url)) as { metadata: { continue?: string } };
          const head = body.metadata.continue
            ? { ...body.metadata, continue: `H${body.metadata.continue}` }
            : body.metadata;
          res.setHeader('Content-Type', 'application/json');
          res.end(`{"kind":"PodList","metadata":${JSON.stringify(head)},${JSON.stringify(body).slice(1)}`);
        },
        { withoutDispatcher },
      );
      try {
        const list = await listObjects<V1Pod>(kubeConfig, '/api/v1/pods', 'V1Pod', { pageSize: 2 });
        assert.deepEqual(
          list.items.map((pod) => pod.metadata?.name),
          Array.from({ length: 9 }, (_, i) => `p${String(i).padStart(2, '0')}`),
        );
        // Every page was asked for by its real token too.
        for (const from of [2, 4, 6, 8]) {
          assert.ok(requests.includes(`/api/v1/pods?limit=2&continue=${from}`), requests.join('\n'));
        }
      } finally {
        await close();
      }
    });
  }

  test("an error on a page read ahead is the list's error, and no rejection goes unhandled", async () => {
    const page = podPages(20, 2);
    const unhandled: unknown[] = [];
    const onUnhandled = (error: unknown) => unhandled.push(error);
    process.on('unhandledRejection', onUnhandled);
    const { kubeConfig, close } = await serve((req, res) => {
      const url = new URL(req.url!, 'http://x');
      if (url.searchParams.get('continue') === '6') {
        res.statusCode = 500;
        res.end('{"kind":"Status","code":500}');
        return;
      }
      res.setHeader('Content-Type', 'application/json');
      res.end(page(url));
    });
    try {
      await assert.rejects(
        listObjects<V1Pod>(kubeConfig, '/api/v1/pods', 'V1Pod', { pageSize: 2 }),
        /HTTP 500/,
      );
      // Rejections are reported after the microtasks of the turn: let two turns pass.
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await close();
    }
  });

  test('a list nobody wants any more stops reading pages', async () => {
    const page = podPages(100, 2);
    const requests: string[] = [];
    const { kubeConfig, close } = await serve((req, res) => {
      requests.push(req.url!);
      res.setHeader('Content-Type', 'application/json');
      res.end(page(new URL(req.url!, 'http://x')));
    });
    let finished = 0;
    try {
      await assert.rejects(
        listObjects<V1Pod>(kubeConfig, '/api/v1/pods', 'V1Pod', {
          pageSize: 2,
          after: (pod) => {
            finished++;
            return pod;
          },
          abandoned: () => finished >= 4,
        }),
        ListAbandoned,
      );
      // Two pages finished, at most two more read ahead: not the 50 pages of the list.
      assert.ok(requests.length <= 5, `${requests.length} pages asked for`);
    } finally {
      await close();
    }
  });

  test('a list whose metadata follows its items is read page after page', async () => {
    const page = podPages(7, 3, false);
    const requests: string[] = [];
    const { kubeConfig, close } = await serve((req, res) => {
      requests.push(req.url!);
      res.setHeader('Content-Type', 'application/json');
      res.end(page(new URL(req.url!, 'http://x')));
    });
    try {
      const list = await listObjects<V1Pod>(kubeConfig, '/api/v1/pods', 'V1Pod', { pageSize: 3 });
      assert.equal(list.items.length, 7);
      assert.deepEqual(requests, [
        '/api/v1/pods?limit=3',
        '/api/v1/pods?limit=3&continue=3',
        '/api/v1/pods?limit=3&continue=6',
      ]);
      assert.equal(list.metadata?.resourceVersion, '7');
    } finally {
      await close();
    }
  });
});
describe('paged lists against the sandbox', () => {
  const fixture = useSandbox({ scenario: 'demo' });

  test('pages of 1, 2 and 3 Pods make the list that one request gives, in order, with its resourceVersion', async () => {
    const whole = await listObjects<V1Pod>(fixture.kubeconfig, '/api/v1/pods', 'V1Pod', {
      before: slimObject,
      pageSize: 0,
    });
    assert.ok(whole.items.length > 6, `${whole.items.length} Pods`);
    const names = whole.items.map((pod) => `${pod.metadata!.namespace}/${pod.metadata!.name}`);
    for (const pageSize of [1, 2, 3]) {
      const paged = await listObjects<V1Pod>(fixture.kubeconfig, '/api/v1/pods', 'V1Pod', {
        before: slimObject,
        pageSize,
      });
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
      { before: slimObject, pageSize: 1 },
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
    const { kubeConfig, close } = await serve((req, res) => {
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
    try {
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
      await close();
    }
  });
});
