/**
 * ClusterCache with limited or wrong credentials, against the sandbox: the kubectl-like namespace
 * fallback on a 403, resources the user may not read, a rejected token, an untrusted certificate,
 * a context that does not exist.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { parse, stringify } from 'yaml';
import { ClusterCache } from '../../../src/cluster/cache.ts';
import { useSandbox, waitFor } from '../../support/sandbox.ts';

interface KubeconfigYaml {
  users: Array<{ name: string; user: Record<string, unknown> }>;
  clusters: Array<{ name: string; cluster: Record<string, unknown> }>;
  contexts: Array<{ name: string; context: Record<string, unknown> }>;
  'current-context': string;
}

describe('ClusterCache with limited credentials', () => {
  const fixture = useSandbox({ scenario: 'minimal' });
  const caches: ClusterCache[] = [];
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'kubereach-access-'));
  });
  after(() => {
    caches.forEach((cache) => cache.dispose());
    rmSync(dir, { recursive: true, force: true });
  });

  /** A kubeconfig derived from one of the sandbox's, edited. */
  const variant = (source: string, name: string, edit: (config: KubeconfigYaml) => void): KubeConfig => {
    const config = parse(readFileSync(source, 'utf8')) as KubeconfigYaml;
    edit(config);
    const path = join(dir, name);
    writeFileSync(path, stringify(config));
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(path);
    return kubeConfig;
  };

  const open = (kubeConfig: KubeConfig, contextName = fixture.sandbox.context) => {
    const lines: string[] = [];
    const cache = new ClusterCache(kubeConfig, {
      contextName,
      backoff: { initialMs: 100, maxMs: 400 },
      log: (line) => lines.push(line),
    });
    caches.push(cache);
    return { cache, lines };
  };

  test('falls back to the context namespace when namespaces cannot be listed, as kubectl does', async () => {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(fixture.sandbox.kubeconfigFor('restricted'));
    const { cache, lines } = open(kubeConfig);
    let namespaceChanges = 0;
    cache.onDidChange((change) => (namespaceChanges += change.namespaces ? 1 : 0));
    await waitFor('the namespace fallback', () => cache.namespaceFallback);
    assert.ok(cache.isSynced());
    assert.match(cache.namespaceFallback!.reason, /namespaces is forbidden/);
    assert.deepEqual(
      cache.namespaces().map((n) => n.metadata?.name),
      ['default'],
    );
    await waitFor('a namespaces change', () => namespaceChanges > 0);
    assert.equal(cache.state().kind, 'connected', 'a 403 is an answer: the server is there');
    assert.ok(lines.some((line) => line.includes('showing namespace default only')));

    // Nothing readable in `default`: the state says so, and nothing is retried.
    cache.setWatchedNamespaces(['default']);
    await waitFor('state forbidden', () => cache.state().kind === 'forbidden');
    assert.ok(cache.isSynced('default'));
    assert.match(cache.state().message ?? '', /pods is forbidden/);
    assert.equal(cache.state().retryAt, undefined);
    assert.deepEqual(cache.pods('default'), []);
    assert.equal(cache.podCount('default'), undefined);

    // In `web` the user may read Pods, Services and EndpointSlices, not NetworkPolicies.
    cache.setWatchedNamespaces(['web']);
    await waitFor('web synced', () => cache.isSynced('web'));
    await waitFor('connected', () => cache.state().kind === 'connected');
    assert.equal(cache.pods('web').length, 3);
    assert.equal(cache.podCount('web'), 3);
    assert.equal(cache.services('web').length, 1);
    assert.ok(cache.endpointSlices('web', 'web').length >= 1);
    assert.deepEqual(cache.networkPolicies('web'), []);
    const status = cache.namespaceStatus('web')!;
    assert.equal(status.pods.status, 'synced');
    assert.equal(status.networkPolicies.status, 'forbidden');
    assert.match(status.networkPolicies.message ?? '', /networkpolicies/);

    // Live: a readiness flip arrives through the restricted watch.
    const pod = cache.pods('web').find((p) => p.metadata?.labels?.app === 'web')!.metadata!.name!;
    fixture.sandbox.faults.setPodReady('web', pod, false);
    await waitFor('the flip', () =>
      cache.pod('web', pod)?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'False'),
    );
    fixture.sandbox.faults.setPodReady('web', pod, true);
  });

  test("the fallback is the context's namespace when it names one", async () => {
    const kubeConfig = variant(fixture.sandbox.kubeconfigFor('restricted'), 'restricted-web', (config) => {
      config.contexts.forEach((context) => (context.context.namespace = 'web'));
    });
    const { cache } = open(kubeConfig);
    await waitFor('the namespace fallback', () => cache.namespaceFallback);
    assert.deepEqual(
      cache.namespaces().map((n) => n.metadata?.name),
      ['web'],
    );
  });

  test('a rejected token: unauthorized, retried with backoff', async () => {
    const kubeConfig = variant(fixture.sandbox.kubeconfigPath, 'bad-token', (config) => {
      config.users.forEach((user) => (user.user.token = 'not-a-valid-token'));
    });
    const { cache } = open(kubeConfig);
    const state = await waitFor('unauthorized', () =>
      cache.state().kind === 'unauthorized' ? cache.state() : undefined,
    );
    assert.match(state.message ?? '', /rejected the credentials of this context \(401 Unauthorized\)/);
    assert.ok(!state.message?.includes('not-a-valid-token'));
    assert.ok(typeof state.retryAt === 'number');
    await waitFor('a later retry', () => (cache.state().retryAt ?? 0) > state.retryAt!);
    assert.equal(cache.isSynced(), false);
  });

  test('an API server certificate the kubeconfig does not trust: tls', async () => {
    const kubeConfig = variant(fixture.sandbox.kubeconfigPath, 'no-ca', (config) => {
      config.clusters.forEach((cluster) => delete cluster.cluster['certificate-authority-data']);
    });
    const { cache } = open(kubeConfig);
    const state = await waitFor('tls', () => (cache.state().kind === 'tls' ? cache.state() : undefined));
    assert.match(state.message ?? '', /certificate/);
    assert.ok(!/\n|\bat \w+ \(/.test(state.message ?? ''), 'no stack trace');
  });

  test('a context that does not exist: an error, and nothing started', () => {
    const { cache } = open(fixture.kubeconfig, 'nope');
    assert.deepEqual(cache.state(), { kind: 'error', message: 'The kubeconfig has no context named nope.' });
    cache.setWatchedNamespaces(['web']);
    assert.deepEqual(cache.pods('web'), []);
    assert.deepEqual(cache.namespaces(), []);
  });
});
