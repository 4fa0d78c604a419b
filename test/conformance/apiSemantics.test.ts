/**
 * List, watch and update semantics side by side with a real API server: the initial events of a
 * watch, optimistic concurrency on PUT, `resourceVersion=0` lists, future resourceVersions, the
 * plain-text 404 of an unknown API group, and the order of checks of a plain exec request. Where
 * kubectl shows the behaviour, kubectl itself is the client.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { type } from '../../sandbox/cluster.ts';
import { rawRequest } from '../support/rawRequest.ts';
import { kubectl, kubectlAvailable, useSandbox } from '../support/sandbox.ts';

interface ListBody {
  metadata: { resourceVersion: string; continue?: string };
  items: Array<{ metadata: { name: string } }>;
}

const WAIT_MS = 300;

describe('API semantics of a real server', { skip: !kubectlAvailable && 'kubectl not installed' }, () => {
  const fixture = useSandbox({ scenario: 'minimal', resourceVersionWaitMs: WAIT_MS });
  const run = (...args: string[]) => kubectl(fixture.sandbox.kubeconfigPath, args);

  /** One HTTPS request as the current user; the whole body, however long the server takes. */
  const raw = (method: string, path: string) =>
    rawRequest(fixture.sandbox.server, fixture.kubeconfig, method, path);

  test('a watch from resourceVersion 0, or none, sends every current object as ADDED', async () => {
    const cluster = fixture.sandbox.cluster;
    cluster.create(type('namespaces'), { metadata: { name: 'order' } });
    // Key order is a, b, c; revision order is b, c, a: a watch must not drop what sorts after a.
    for (const name of ['a', 'b', 'c']) {
      cluster.create(type('services'), {
        metadata: { name, namespace: 'order' },
        spec: { ports: [{ port: 80 }] },
      });
    }
    const a = cluster.store.get(type('services'), 'order', 'a')!;
    a.metadata.labels = { touched: 'yes' };
    cluster.store.update(type('services'), a);

    for (const query of ['resourceVersion=0&', '']) {
      const result = await run(
        'get',
        '--raw',
        `/api/v1/namespaces/order/services?watch=true&${query}timeoutSeconds=1`,
      );
      assert.equal(result.code, 0, result.stderr);
      const events = result.stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { type: string; object: { metadata: { name: string } } });
      assert.deepEqual(
        events.map((event) => `${event.type} ${event.object.metadata.name}`).sort(),
        ['ADDED a', 'ADDED b', 'ADDED c'],
        `watch with ${query || 'no resourceVersion'}`,
      );
    }
  });

  test('each resource has its own watch window: churn in Services does not expire a Pod watch', async (t) => {
    const store = fixture.sandbox.cluster.store;
    const previous = store.historyLimit;
    store.historyLimit = 50;
    t.after(() => {
      store.historyLimit = previous;
    });
    const from = store.currentRevision;
    for (let n = 0; n < 100; n++) {
      const service = store.get(type('services'), 'web', 'web')!;
      service.metadata.annotations = { churn: String(n) };
      store.update(type('services'), service);
    }
    const firstEvent = async (plural: string) => {
      const response = await raw(
        'GET',
        `/api/v1/namespaces/web/${plural}?watch=true&resourceVersion=${from}&timeoutSeconds=1`,
      );
      return response.body
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { type: string; object: { code?: number } })[0];
    };
    const services = await firstEvent('services');
    assert.equal(services?.type, 'ERROR');
    assert.equal(services?.object.code, 410);
    const pods = await firstEvent('pods');
    assert.notEqual(pods?.type, 'ERROR', 'the Pod watch got 410 for churn in Services');
  });

  test('kubectl replace with a stale resourceVersion gets 409 Conflict, worded as a real server words it', async () => {
    const stale = await run('get', 'service', 'web', '-n', 'web', '-o', 'json');
    assert.equal(stale.code, 0, stale.stderr);
    const labelled = await run('label', 'service', 'web', '-n', 'web', 'changed=yes');
    assert.equal(labelled.code, 0, labelled.stderr);
    const file = join(fixture.sandbox.kubeconfigPath, '..', 'stale-service.json');
    writeFileSync(file, stale.stdout);

    const replaced = await run('replace', '--validate=false', '-f', file);
    assert.notEqual(replaced.code, 0);
    assert.match(
      replaced.stderr,
      /Error from server \(Conflict\): error when replacing ".*stale-service\.json": Operation cannot be fulfilled on services "web": the object has been modified; please apply your changes to the latest version and try again/,
    );
    assert.equal(
      fixture.sandbox.cluster.store.get(type('services'), 'web', 'web')!.metadata.labels?.changed,
      'yes',
    );
  });

  test('a list with resourceVersion=0 ignores limit: the whole list, no continue', async () => {
    const all = JSON.parse((await raw('GET', '/api/v1/pods')).body) as ListBody;
    assert.ok(all.items.length > 1);
    const result = await run('get', '--raw', '/api/v1/pods?limit=1&resourceVersion=0');
    assert.equal(result.code, 0, result.stderr);
    const list = JSON.parse(result.stdout) as ListBody;
    assert.equal(list.items.length, all.items.length);
    assert.equal(list.metadata.continue, undefined);
    // Without resourceVersion=0, limit pages.
    const paged = JSON.parse((await raw('GET', '/api/v1/pods?limit=1')).body) as ListBody;
    assert.equal(paged.items.length, 1);
    assert.ok(paged.metadata.continue);
  });

  test('paging by limit and continue: every object once, in key order; remainingItemCount only without selectors', async () => {
    type Page = ListBody & { metadata: { remainingItemCount?: number } };
    const all = JSON.parse((await raw('GET', '/api/v1/pods')).body) as ListBody;
    const key = (item: { metadata: { name: string; namespace?: string } }) =>
      `${item.metadata.namespace}/${item.metadata.name}`;
    for (const limit of [1, 2, 3]) {
      const seen: string[] = [];
      let token: string | undefined;
      do {
        const path = `/api/v1/pods?limit=${limit}${token ? `&continue=${encodeURIComponent(token)}` : ''}`;
        const page = JSON.parse((await raw('GET', path)).body) as Page;
        seen.push(...page.items.map(key));
        token = page.metadata.continue;
        assert.equal(page.metadata.remainingItemCount, token ? all.items.length - seen.length : undefined);
      } while (token);
      assert.deepEqual(seen, all.items.map(key), `limit ${limit}`);
    }
    // Namespaced, and with a label selector (kubectl's own chunked list) the count is left out.
    const web = JSON.parse((await raw('GET', '/api/v1/namespaces/web/pods')).body) as ListBody;
    const first = JSON.parse((await raw('GET', '/api/v1/namespaces/web/pods?limit=1')).body) as Page;
    assert.equal(first.metadata.remainingItemCount, web.items.length - 1);
    const selected = JSON.parse(
      (await raw('GET', '/api/v1/pods?limit=1&labelSelector=app%21%3Dnone')).body,
    ) as Page;
    assert.equal(selected.items.length, 1);
    assert.ok(selected.metadata.continue);
    assert.equal(selected.metadata.remainingItemCount, undefined);
    const result = await run('get', 'pods', '-A', '--chunk-size=1', '-o', 'name');
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim().split('\n').length, all.items.length);
  });

  test('a future resourceVersion waits for it, then answers 504 Timeout with cause ResourceVersionTooLarge', async () => {
    const future = fixture.sandbox.cluster.store.currentRevision + 1_000_000;
    for (const path of [
      `/api/v1/namespaces/web/pods?resourceVersion=${future}`,
      `/api/v1/namespaces/web/pods?watch=true&resourceVersion=${future}`,
    ]) {
      const response = await raw('GET', path);
      const current = fixture.sandbox.cluster.store.currentRevision;
      assert.equal(response.status, 504, path);
      assert.ok(response.ms >= WAIT_MS - 20, `answered after ${response.ms} ms, before the wait`);
      assert.deepEqual(JSON.parse(response.body), {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `Timeout: Too large resource version: ${future}, current: ${current}`,
        reason: 'Timeout',
        details: {
          causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
          retryAfterSeconds: 1,
        },
        code: 504,
      });
    }
    const result = await run('get', '--raw', `/api/v1/namespaces/web/pods?resourceVersion=${future}`);
    assert.notEqual(result.code, 0);
    assert.match(
      result.stderr,
      /Error from server \(Timeout\): Timeout: Too large resource version: \d+, current: \d+/,
    );
  });

  test('a resourceVersion reached during the wait is served', async () => {
    const store = fixture.sandbox.cluster.store;
    const next = store.currentRevision + 1;
    const pending = raw('GET', `/api/v1/namespaces/web/services?resourceVersion=${next}`);
    const service = store.get(type('services'), 'web', 'web')!;
    service.metadata.annotations = { bumped: String(next) };
    store.update(type('services'), service);
    const response = await pending;
    assert.equal(response.status, 200, response.body);
    assert.ok(Number((JSON.parse(response.body) as ListBody).metadata.resourceVersion) >= next);
  });

  test('an unknown API group or version answers 404 page not found as text/plain', async () => {
    for (const path of ['/apis/nope.example.com/v1/things', '/apis/apps/v9/deployments', '/api/v2/pods']) {
      const response = await raw('GET', path);
      assert.equal(response.status, 404, path);
      assert.equal(response.contentType, 'text/plain; charset=utf-8', path);
      assert.equal(response.body, '404 page not found\n', path);
    }
    // A known group and version without that resource answers a Status, as a real server does.
    const status = await raw('GET', '/apis/apps/v1/nothings');
    assert.equal(status.status, 404);
    assert.equal(status.contentType, 'application/json');
    assert.equal(
      (JSON.parse(status.body) as { message: string }).message,
      'the server could not find the requested resource',
    );
  });

  test('exec without an upgrade names a bad container before asking for the upgrade', async () => {
    const bad = await raw(
      'POST',
      '/api/v1/namespaces/web/pods/client/exec?container=nope&command=ls&stdout=true',
    );
    assert.equal(bad.status, 400);
    assert.equal(
      (JSON.parse(bad.body) as { message: string }).message,
      'container nope is not valid for pod client',
    );
    const missing = await raw('POST', '/api/v1/namespaces/web/pods/ghost/exec?command=ls&stdout=true');
    assert.equal(missing.status, 404);
    assert.equal((JSON.parse(missing.body) as { message: string }).message, 'pods "ghost" not found');
    const good = await raw('POST', '/api/v1/namespaces/web/pods/client/exec?command=ls&stdout=true');
    assert.equal(good.status, 400);
    assert.equal((JSON.parse(good.body) as { message: string }).message, 'Upgrade request required');
  });
});
