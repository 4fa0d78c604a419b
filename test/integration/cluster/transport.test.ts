/**
 * One connection pool per context (src/cluster/transport.ts), against the demo sandbox over TLS:
 * a cache's requests reuse its connections, new TLS material gets a new pool, and a watch on the
 * old pool carries on until it ends.
 */
import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import { after, describe, test } from 'node:test';
import { CoreV1Api, HttpMethod, RequestContext, Watch } from '@kubernetes/client-node';
import { generate } from 'selfsigned';
import { ClusterCache } from '../../../src/cluster/cache.ts';
import { listObjects } from '../../../src/cluster/rawList.ts';
import { SharedTransportKubeConfig } from '../../../src/cluster/transport.ts';
import { useSandbox, waitFor } from '../../support/sandbox.ts';

/** Counts undici's new connections and requests while `body` runs. */
async function counting<T>(
  body: () => Promise<T>,
): Promise<{ result: T; connections: number; requests: number }> {
  let connections = 0;
  let requests = 0;
  const connected = () => connections++;
  const created = () => requests++;
  diagnostics.subscribe('undici:client:connected', connected);
  diagnostics.subscribe('undici:request:create', created);
  try {
    const result = await body();
    return { result, connections, requests };
  } finally {
    diagnostics.unsubscribe('undici:client:connected', connected);
    diagnostics.unsubscribe('undici:request:create', created);
  }
}

/** The dispatcher client-node's authentication gives a request of `kubeConfig`. */
async function dispatcherOf(kubeConfig: SharedTransportKubeConfig): Promise<unknown> {
  const context = new RequestContext(
    `${kubeConfig.getCurrentCluster()!.server}/api/v1/namespaces`,
    HttpMethod.GET,
  );
  await kubeConfig.applySecurityAuthentication(context);
  return context.getDispatcher();
}

describe('one connection pool per context', () => {
  const fixture = useSandbox({ scenario: 'demo' });
  const disposers: Array<() => void> = [];
  after(() => disposers.forEach((dispose) => dispose()));

  test("a context's requests reuse its connections instead of opening one each", async () => {
    const kubeConfig = new SharedTransportKubeConfig();
    kubeConfig.loadFromFile(fixture.sandbox.kubeconfigPath);
    disposers.push(() => kubeConfig.dispose());
    const { result, connections, requests } = await counting(async () => {
      const counts: number[] = [];
      for (let i = 0; i < 8; i++) {
        counts.push((await listObjects(kubeConfig, '/api/v1/namespaces/shop/pods', 'V1Pod')).items.length);
      }
      return counts;
    });
    assert.equal(requests, 8);
    assert.ok(
      result.every((count) => count > 0 && count === result[0]),
      result.join(),
    );
    // With a dispatcher per request, each list opened a connection of its own (8). In one pool the
    // second may open one more: undici can take a request before it has seen the end of the
    // previous response on the first connection.
    assert.ok(connections <= 2, `${connections} connections for ${requests} lists one after the other`);

    const cache = new ClusterCache(fixture.kubeconfig, {
      contextName: fixture.kubeconfig.getCurrentContext(),
    });
    cache.dispose();
    assert.ok(cache.kubeConfig instanceof SharedTransportKubeConfig, 'a cache asks through one pool');
  });

  test("the pool's one TLS context still verifies the server against the kubeconfig's CA", async () => {
    const other = await generate([{ name: 'commonName', value: 'another-ca' }], {
      keyType: 'ec',
      curve: 'P-256',
      extensions: [{ name: 'basicConstraints', cA: true, critical: true }],
    });
    const kubeConfig = new SharedTransportKubeConfig();
    kubeConfig.loadFromFile(fixture.sandbox.kubeconfigPath);
    kubeConfig.loadFromOptions({
      users: kubeConfig.users,
      contexts: kubeConfig.contexts,
      currentContext: kubeConfig.getCurrentContext(),
      clusters: kubeConfig.clusters.map((cluster) => ({
        ...cluster,
        caData: Buffer.from(other.cert).toString('base64'),
        caFile: undefined,
      })),
    });
    disposers.push(() => kubeConfig.dispose());
    await assert.rejects(
      listObjects(kubeConfig, '/api/v1/namespaces', 'V1Namespace'),
      (error: Error & { code?: string; cause?: { code?: string } }) =>
        /CERT|certificate|self.signed|verify/i.test(`${error.code} ${error.cause?.code} ${error.message}`),
    );
  });

  test('new TLS material gets a new pool; a watch on the old one carries on', async () => {
    const kubeConfig = new SharedTransportKubeConfig();
    kubeConfig.loadFromFile(fixture.sandbox.kubeconfigPath);
    disposers.push(() => kubeConfig.dispose());
    const first = await dispatcherOf(kubeConfig);
    assert.ok(first, 'a TLS cluster has a dispatcher');
    assert.equal(await dispatcherOf(kubeConfig), first, 'the same material, the same pool');

    // A watch on the first pool, as an informer holds one.
    const events: string[] = [];
    const watching = await new Watch(kubeConfig).watch(
      '/api/v1/namespaces',
      {},
      (type, object: { metadata?: { name?: string } }) => events.push(`${type} ${object.metadata?.name}`),
      () => undefined,
    );
    disposers.push(() => watching.abort());

    // The user's client certificate changes (an exec plugin's credential renewed).
    const client = await generate([{ name: 'commonName', value: 'rotated' }], {
      keyType: 'ec',
      curve: 'P-256',
    });
    const user = kubeConfig.getCurrentUser()!;
    kubeConfig.loadFromOptions({
      clusters: kubeConfig.clusters,
      contexts: kubeConfig.contexts,
      currentContext: kubeConfig.getCurrentContext(),
      users: kubeConfig.users.map((each) =>
        each.name === user.name
          ? {
              ...each,
              certData: Buffer.from(client.cert).toString('base64'),
              keyData: Buffer.from(client.private).toString('base64'),
            }
          : each,
      ),
    });
    const second = await dispatcherOf(kubeConfig);
    assert.notEqual(second, first, 'new material, a new pool');
    assert.equal((first as { closed: boolean }).closed, true, 'the old pool takes no new requests');

    // Requests work through the new pool, and the watch on the old one still delivers.
    const listed = await listObjects(kubeConfig, '/api/v1/namespaces', 'V1Namespace');
    assert.ok(listed.items.some((ns) => ns.metadata?.name === 'shop'));
    await kubeConfig
      .makeApiClient(CoreV1Api)
      .createNamespace({ body: { metadata: { name: 'transport-test' } } });
    await waitFor('the watch event', () => events.includes('ADDED transport-test'));
  });
});
