/**
 * The cache at 10,000 Pods (`KUBEREACH_CACHE_PODS` to change it): every namespace of the sandbox's
 * `scale` scenario watched, the heap the cache holds stays within 200 MB. The sandbox runs in a
 * process of its own so that only the cache is measured.
 */
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { after, before, describe, test } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { ClusterCache } from '../../../src/cluster/cache.ts';
import { spawnSandbox } from '../../../sandbox/spawn.ts';
import type { SandboxProcess } from '../../../sandbox/spawn.ts';
import { waitFor } from '../../support/sandbox.ts';

const POD_COUNT = Number(process.env.KUBEREACH_CACHE_PODS ?? 10_000);
const HEAP_LIMIT_MB = 200;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapUsed(): number {
  for (let i = 0; i < 3; i++) {
    gc();
  }
  return process.memoryUsage().heapUsed;
}

describe(`ClusterCache at ${POD_COUNT} Pods`, () => {
  let sandbox: SandboxProcess;
  before(async () => {
    sandbox = await spawnSandbox(['--scenario', 'scale', '--pods', String(POD_COUNT)], {
      timeoutMs: 180_000,
    });
  });
  after(async () => {
    await sandbox?.stop();
  });

  test(`holds every Pod within ${HEAP_LIMIT_MB} MB of heap`, async () => {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(sandbox.kubeconfigPath);
    const baseline = heapUsed();
    const started = performance.now();
    const cache = new ClusterCache(kubeConfig, { contextName: kubeConfig.getCurrentContext() });
    try {
      await waitFor('namespaces', () => cache.isSynced(), 20_000);
      const namespaces = cache
        .namespaces()
        .map((n) => n.metadata!.name!)
        .filter((name) => name.startsWith('scale-'));
      cache.setWatchedNamespaces(namespaces);
      await waitFor('every namespace synced', () => namespaces.every((ns) => cache.isSynced(ns)), 30_000);
      const syncMs = performance.now() - started;
      const pods = namespaces.reduce((sum, ns) => sum + (cache.podCount(ns) ?? 0), 0);
      assert.equal(pods, POD_COUNT);
      const services = namespaces.reduce((sum, ns) => sum + cache.services(ns).length, 0);
      const slices = namespaces.reduce((sum, ns) => sum + cache.endpointSlices(ns).length, 0);
      const heapMb = (heapUsed() - baseline) / 1e6;
      console.log(
        `cache: ${pods} Pods, ${services} Services, ${slices} EndpointSlices in ${namespaces.length} namespaces; ` +
          `synced in ${syncMs.toFixed(0)} ms; heap ${heapMb.toFixed(1)} MB`,
      );
      assert.ok(heapMb < HEAP_LIMIT_MB, `${heapMb.toFixed(1)} MB`);
      const pod = cache.pods(namespaces[0]!)[0]!;
      assert.equal(pod.metadata?.managedFields, undefined);
    } finally {
      cache.dispose();
    }
  });
});
