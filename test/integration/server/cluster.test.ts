/**
 * Cluster-aware diagnostics and hovers: dist/server.js with its own ClusterSession against the
 * sandbox's demo scenario (KUBECONFIG pointing at the sandbox), the fixture workspace open.
 * Diagnostics follow the cluster: a Pod turning ready clears KR4002 within a second.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { NetworkingV1Api } from '@kubernetes/client-node';
import { useSandbox } from '../../support/sandbox.ts';
import { copyFixtureWorkspace, LspClient, positionOf, textAt, uriOf } from './lspClient.ts';
import type { Diagnostic } from './lspClient.ts';

describe('against the sandbox', () => {
  const fixture = useSandbox({ scenario: 'demo' });
  let client: LspClient;
  let workspace: string;
  let servicesUri: string;
  let servicesText: string;

  const hasCode = (code: string) => (list: Diagnostic[]) => list.some((d) => d.code === code);

  before(async () => {
    workspace = copyFixtureWorkspace();
    client = await LspClient.start({
      workspace,
      env: { KUBECONFIG: fixture.sandbox.kubeconfigPath },
      settings: { clusterAware: true },
      initializationOptions: { workspaceTrusted: false },
    });
    servicesUri = uriOf(join(workspace, 'shop/services.yaml'));
    servicesText = readFileSync(join(workspace, 'shop/services.yaml'), 'utf8');
    await client.open(servicesUri, servicesText);
    for (let i = 0; i < 400; i++) {
      const status = await client.status();
      if (status.cluster.syncedNamespaces.includes('shop') && status.workspace.complete) {
        break;
      }
      await new Promise((done) => setTimeout(done, 25));
    }
  });

  after(async () => {
    const code = await client.stop();
    rmSync(workspace, { recursive: true, force: true });
    assert.equal(code, 0);
  });

  test('the server watches the namespace the open manifests name', async () => {
    const status = await client.status();
    assert.equal(status.cluster.enabled, true);
    assert.equal(status.cluster.context, 'kubereach-sandbox');
    assert.equal(status.cluster.state, 'connected');
    assert.deepEqual(status.cluster.watchedNamespaces, ['shop']);
  });

  test('a selector matching no Pod, a Pod never ready, a port no Pod declares', async () => {
    const diagnostics = await client.diagnostics(servicesUri, hasCode('KR4002'));
    const byCode = (code: string) => diagnostics.filter((d) => d.code === code);
    assert.equal(byCode('KR4001').length, 1);
    assert.equal(byCode('KR4001')[0]!.range.start.line, positionOf(servicesText, 'app: legacy-api').line - 1);
    assert.match(byCode('KR4001')[0]!.message, /namespace shop of context kubereach-sandbox/);
    assert.equal(byCode('KR4002').length, 1);
    assert.match(byCode('KR4002')[0]!.message, /checkout \(running, not ready\)/);
    // And the workspace-aware ones still.
    assert.equal(byCode('KR3001').length, 1);
    assert.equal(byCode('KR3002').length, 1);
  });

  test('the workspace and the cluster finding one targetPort undeclared: one diagnostic naming both, each fix once', async () => {
    const bothSources = (list: Diagnostic[]) =>
      list.some((d) => d.code === 'KR3002' && /context kubereach-sandbox/.test(d.message));
    const diagnostics = await client.diagnostics(servicesUri, bothSources);
    const onPort = diagnostics.filter((d) => textAt(servicesText, d.range) === 'metrics');
    assert.deepEqual(
      onPort.map((d) => d.code),
      ['KR3002'],
      'not KR3002 and KR4003 on one word',
    );
    assert.match(
      onPort[0]!.message,
      /^Nothing declares a TCP port named "metrics": no container of Deployment backend in the workspace, and none of the 2 ready Pods in namespace shop of context kubereach-sandbox\./,
    );
    const actions = await client.codeActions(servicesUri, onPort[0]!.range, onPort);
    const titles = actions.map((action) => action.title);
    assert.deepEqual(titles, [...new Set(titles)], 'no title twice');
    assert.ok(
      titles.some((title) => title.startsWith('Set targetPort to http')),
      titles.join(' | '),
    );
    for (const action of actions) {
      assert.deepEqual(
        action.diagnostics!.map((d) => d.code),
        ['KR3002'],
        action.title,
      );
    }
  });

  test('a Pod turning ready clears the warning within a second, and back', async () => {
    await client.diagnostics(servicesUri, hasCode('KR4002'));
    const flipped = performance.now();
    fixture.sandbox.faults.setPodReady('shop', 'checkout', true);
    await client.diagnostics(servicesUri, (list) => !hasCode('KR4002')(list), { timeoutMs: 5000 });
    const clearedMs = performance.now() - flipped;
    assert.ok(clearedMs < 1000, `cleared after ${Math.round(clearedMs)} ms`);
    fixture.sandbox.faults.setPodReady('shop', 'checkout', false);
    await client.diagnostics(servicesUri, hasCode('KR4002'), { timeoutMs: 5000 });
  });

  test('hover on a selector lists the live Pods with readiness and IPs', async () => {
    const hover = await client.hover(servicesUri, positionOf(servicesText, 'app: backend', 2));
    assert.ok(hover);
    assert.match(
      hover.contents.value,
      /\*\*Cluster\*\* `kubereach-sandbox`, namespace `shop`: 2 Pods, 2 ready/,
    );
    assert.match(hover.contents.value, /- ✓ `backend-[a-z0-9-]+` ready · `127\.\d+\.\d+\.\d+`/);
  });

  test('hover on a port lists the live endpoints', async () => {
    const hover = await client.hover(servicesUri, positionOf(servicesText, 'port: 80', 2));
    assert.ok(hover);
    assert.match(hover.contents.value, /2 endpoints, 2 ready/);
    assert.match(hover.contents.value, /`127\.\d+\.\d+\.\d+:8080` ready · Pod `backend-/);
  });

  test('hover on a targetPort shows the container port of each live Pod', async () => {
    const hover = await client.hover(servicesUri, positionOf(servicesText, 'targetPort: grpc', 13));
    assert.ok(hover);
    assert.match(
      hover.contents.value,
      /`backend-[a-z0-9-]+` ready · `[0-9.]+` · container `backend` port 9090\/TCP/,
    );
  });

  test('a NetworkPolicy that admits no ingress on the targetPort is named', async () => {
    const networking = fixture.kubeconfig.makeApiClient(NetworkingV1Api);
    await networking.createNamespacedNetworkPolicy({
      namespace: 'shop',
      body: {
        metadata: { name: 'backend-deny-all', namespace: 'shop' },
        spec: { podSelector: { matchLabels: { app: 'backend' } }, policyTypes: ['Ingress'] },
      },
    });
    try {
      const diagnostics = await client.diagnostics(servicesUri, hasCode('KR4005'), { timeoutMs: 5000 });
      const blocked = diagnostics.filter((d) => d.code === 'KR4005');
      // backend's two ports; payments' port has no Pod declaring it, so nothing to block.
      assert.deepEqual(
        blocked.map((d) => textAt(servicesText, d.range)),
        ['http', 'grpc'],
      );
      assert.match(blocked[0]!.message, /NetworkPolicy shop\/backend-deny-all isolates all 2 Pods/);
    } finally {
      await networking.deleteNamespacedNetworkPolicy({ namespace: 'shop', name: 'backend-deny-all' });
    }
    await client.diagnostics(servicesUri, (list) => !hasCode('KR4005')(list), { timeoutMs: 5000 });
  });

  test('a document in another namespace starts that namespace being watched', async () => {
    const uri = uriOf(join(workspace, 'data/db.yaml'));
    await client.open(uri, readFileSync(join(workspace, 'data/db.yaml'), 'utf8'));
    for (let i = 0; i < 200; i++) {
      const status = await client.status();
      if (status.cluster.syncedNamespaces.includes('data')) {
        break;
      }
      await new Promise((done) => setTimeout(done, 25));
    }
    const status = await client.status();
    assert.deepEqual(status.cluster.watchedNamespaces, ['data', 'shop']);
    const diagnostics = await client.diagnostics(uri);
    assert.deepEqual(
      diagnostics.map((d) => d.code),
      ['KR3004'],
      'db is served and its policy admits postgres',
    );
    await client.close(uri);
  });

  test('clusterAware: false turns the cluster checks off', async () => {
    client.settings = { clusterAware: false };
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    const diagnostics = await client.diagnostics(
      servicesUri,
      (list) => !list.some((d) => String(d.code).startsWith('KR4')),
    );
    assert.deepEqual(diagnostics.map((d) => d.code).sort(), ['KR3001', 'KR3002']);
    client.settings = { clusterAware: true };
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    await client.diagnostics(servicesUri, hasCode('KR4001'));
  });

  test('a namespace the identity may not read: the status and the hover say "no access", not "not loaded yet"', async () => {
    const viewer = await LspClient.start({
      workspace,
      env: { KUBECONFIG: fixture.sandbox.kubeconfigFor('shop-viewer') },
      settings: { clusterAware: true },
      initializationOptions: { workspaceTrusted: false },
    });
    try {
      const uri = uriOf(join(workspace, 'data/db.yaml'));
      const text = readFileSync(join(workspace, 'data/db.yaml'), 'utf8');
      await viewer.open(uri, text);
      let status = await viewer.status();
      for (
        let i = 0;
        i < 200 && !status.cluster.unreadable.some((entry) => entry.namespace === 'data');
        i++
      ) {
        await new Promise((done) => setTimeout(done, 25));
        status = await viewer.status();
      }
      const pods = status.cluster.unreadable.find(
        (entry) => entry.namespace === 'data' && entry.resource === 'pods',
      );
      assert.equal(pods?.status, 'forbidden', JSON.stringify(status.cluster));
      assert.match(pods.message, /pods is forbidden: User "shop-viewer" cannot list resource "pods"/);
      assert.ok(!status.cluster.syncedNamespaces.includes('data'), 'unreadable is not synced');
      const hover = await viewer.hover(uri, positionOf(text, 'app: db', 2, 2));
      assert.ok(hover);
      assert.match(hover.contents.value, /namespace `data`: no access to Pods \(403\): pods is forbidden/);
      assert.doesNotMatch(hover.contents.value, /not loaded yet/);
      const diagnostics = await viewer.diagnostics(uri);
      assert.ok(
        !diagnostics.some((d) => String(d.code).startsWith('KR4')),
        'no cluster finding from nothing',
      );
    } finally {
      assert.equal(await viewer.stop(), 0);
    }
  });

  test('kubereach.kubeconfig is honoured only once the workspace is trusted', async () => {
    const other = await LspClient.start({
      workspace,
      // No KUBECONFIG and no ~/.kube/config: only the setting could name a kubeconfig.
      env: { KUBECONFIG: '' },
      settings: { clusterAware: true, kubeconfig: fixture.sandbox.kubeconfigPath },
      initializationOptions: { workspaceTrusted: false },
    });
    try {
      await other.open(servicesUri, servicesText);
      const untrusted = await other.diagnostics(servicesUri);
      assert.ok(
        !untrusted.some((d) => String(d.code).startsWith('KR4')),
        'no cluster checks while untrusted',
      );
      const status = await other.status();
      assert.equal(status.cluster.context, undefined);
      assert.ok(other.logs.some((line) => line.includes('ignored: this workspace is not trusted')));

      await other.connection.sendNotification('kubereach/workspaceTrust', { trusted: true });
      await other.diagnostics(servicesUri, hasCode('KR4001'), { timeoutMs: 10_000 });
      assert.equal((await other.status()).cluster.context, 'kubereach-sandbox');

      // The explorer's context choice follows; one the kubeconfig does not have is refused.
      await other.connection.sendNotification('kubereach/clusterContext', { context: 'elsewhere' });
      await other.waitUntil('the refusal', () =>
        other.logs.find((line) => line.includes('context elsewhere is not in the kubeconfig')),
      );
      assert.equal((await other.status()).cluster.context, 'kubereach-sandbox');
    } finally {
      assert.equal(await other.stop(), 0);
    }
  });
});
