/**
 * A list is streamed (chunked), its metadata first, as a real API server streams one (the streaming
 * collection encoding of Kubernetes 1.33), and reads the same as its pages: every Pod once, in key
 * order. A page's first bytes name the next page.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { startSandbox } from '../../sandbox/index.ts';
import type { Sandbox } from '../../sandbox/index.ts';
import { rawRequest } from '../support/rawRequest.ts';

const PODS = 2_500;
let sandbox: Sandbox;
let kubeconfig: KubeConfig;
before(async () => {
  sandbox = await startSandbox({ scenario: 'scale', pods: PODS, namespaces: 5 });
  kubeconfig = new KubeConfig();
  kubeconfig.loadFromFile(sandbox.kubeconfigPath);
});
after(async () => {
  await sandbox?.stop();
});

const get = (path: string) => rawRequest(sandbox.server, kubeconfig, 'GET', path);

interface PodList {
  metadata: { resourceVersion: string; continue?: string };
  items: Array<{ metadata: { namespace: string; name: string } }>;
}

const key = (item: PodList['items'][number]) => `${item.metadata.namespace}/${item.metadata.name}`;

test(`a list of ${PODS} Pods is streamed and equals its pages`, { timeout: 60_000 }, async () => {
  const whole = await get('/api/v1/pods');
  assert.equal(whole.headers['transfer-encoding'], 'chunked');
  assert.equal(whole.headers['content-length'], undefined);
  const list = JSON.parse(whole.body) as PodList;
  assert.equal(list.items.length, PODS);
  const keys = list.items.map(key);
  assert.deepEqual(
    keys,
    [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  const paged: string[] = [];
  let token: string | undefined;
  do {
    const page = JSON.parse(
      (await get(`/api/v1/pods?limit=700${token ? `&continue=${encodeURIComponent(token)}` : ''}`)).body,
    ) as PodList;
    paged.push(...page.items.map(key));
    token = page.metadata.continue;
  } while (token);
  assert.deepEqual(paged, keys);
  // A page's head, its metadata with the continue token, comes in its first chunk.
  const page = await get('/api/v1/namespaces/scale-00/pods?limit=10');
  assert.equal(page.headers['transfer-encoding'], 'chunked');
  assert.match(
    page.first,
    /^\{"kind":"PodList","apiVersion":"v1","metadata":\{[^{}]*"continue":"[^"]+"[^{}]*\},"items":\[/,
  );
  assert.equal((JSON.parse(page.body) as PodList).items.length, 10);
  // An empty list is written at once, with its Content-Length.
  const empty = await get('/api/v1/namespaces/no-such-namespace/pods');
  assert.ok(Number(empty.headers['content-length']) > 0);
  assert.deepEqual((JSON.parse(empty.body) as PodList).items, []);
  // client-node reads the streamed list as any other.
  const read = await kubeconfig.makeApiClient(CoreV1Api).listPodForAllNamespaces();
  assert.equal(read.items.length, PODS);
});
