/**
 * Cluster-aware diagnostics follow changes wherever they happen, through the real language server
 * (dist/server.js over stdio) against the sandbox's demo: an Ingress in namespace quiet (created
 * empty, so nothing else changes there) claiming the host and path of the live Ingress blog/blog
 * (KR5206) loses the finding within a second of that Ingress being deleted; an Ingress naming no class gains KR5205
 * within a second of the IngressClass losing its default annotation (cluster scope).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CoreV1Api, NetworkingV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { useSandbox } from '../../support/sandbox.ts';
import { LspClient, uriOf } from './lspClient.ts';
import type { Diagnostic } from './lspClient.ts';

/** How promptly a change elsewhere must show. */
const PROMPT_MS = 1000;

const CLAIMS_BLOG = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: blog-mirror, namespace: quiet }
spec:
  ingressClassName: sandbox
  rules:
    - host: blog.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend: { service: { name: mirror, port: { name: http } } }
`;

/** Makes the server watch namespace blog: the open documents name the namespaces it watches. */
const IN_BLOG = `apiVersion: v1
kind: Service
metadata: { name: blog, namespace: blog }
spec:
  selector: { app: blog }
  ports: [{ name: http, port: 80, targetPort: http }]
`;

const NO_CLASS = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: classless, namespace: shop }
spec:
  rules:
    - host: classless.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend: { service: { name: frontend, port: { name: http } } }
`;

function has(code: string) {
  return (list: Diagnostic[]) => list.some((diagnostic) => diagnostic.code === code);
}

describe('cluster-aware diagnostics follow changes in other namespaces and at cluster scope', () => {
  const fixture = useSandbox({ scenario: 'demo' });
  let client: LspClient;
  let workspace: string;
  let networking: NetworkingV1Api;

  before(async () => {
    networking = fixture.kubeconfig.makeApiClient(NetworkingV1Api);
    await fixture.kubeconfig
      .makeApiClient(CoreV1Api)
      .createNamespace({ body: { metadata: { name: 'quiet' } } });
    workspace = mkdtempSync(join(tmpdir(), 'kubereach-cross-namespace-'));
    client = await LspClient.start({
      workspace,
      env: { KUBECONFIG: fixture.sandbox.kubeconfigPath },
      settings: { clusterAware: true },
      initializationOptions: { workspaceTrusted: false },
    });
  });

  after(async () => {
    const code = await client.stop();
    rmSync(workspace, { recursive: true, force: true });
    assert.equal(code, 0);
  });

  test('KR5206 goes within a second of the rival Ingress in namespace blog being deleted', async () => {
    const mirror = uriOf(join(workspace, 'mirror.yaml'));
    await client.open(uriOf(join(workspace, 'blog.yaml')), IN_BLOG);
    await client.open(mirror, CLAIMS_BLOG);
    const before = await client.diagnostics(mirror, has('KR5206'), { timeoutMs: 15_000 });
    assert.match(
      before.find((d) => d.code === 'KR5206')!.message,
      /already claimed by live Ingress blog\/blog of class sandbox/,
    );
    // Settled: both namespaces synced, then one more validation (an edit) that saw them so. From
    // here on only a cluster change validates the mirror again.
    let synced: readonly string[] = [];
    for (let i = 0; i < 400 && !(synced.includes('blog') && synced.includes('quiet')); i++) {
      await new Promise((done) => setTimeout(done, 25));
      synced = (await client.status()).cluster.syncedNamespaces;
    }
    assert.ok(synced.includes('blog') && synced.includes('quiet'), `synced: ${synced.join(', ')}`);
    await client.change(mirror, 2, [{ text: `${CLAIMS_BLOG}# settled\n` }]);
    await client.diagnostics(mirror, has('KR5206'), { version: 2, timeoutMs: 5_000 });
    const published = client.published.get(mirror)?.length ?? 0;
    const started = performance.now();
    await networking.deleteNamespacedIngress({ namespace: 'blog', name: 'blog' });
    await client.waitUntil(
      'diagnostics of the mirror without KR5206',
      () => {
        const list = client.published.get(mirror) ?? [];
        return list.length > published && !has('KR5206')(list.at(-1)!.diagnostics) ? true : undefined;
      },
      5_000,
    );
    const elapsed = performance.now() - started;
    assert.ok(elapsed < PROMPT_MS, `${Math.round(elapsed)} ms`);
  });

  test('KR5205 comes within a second of the default IngressClass losing its annotation', async () => {
    const classless = uriOf(join(workspace, 'classless.yaml'));
    await client.open(classless, NO_CLASS);
    const first = await client.diagnostics(classless, () => true, { timeoutMs: 15_000 });
    assert.ok(!has('KR5205')(first), JSON.stringify(first));
    const started = performance.now();
    await networking.patchIngressClass(
      {
        name: 'sandbox',
        body: { metadata: { annotations: { 'ingressclass.kubernetes.io/is-default-class': null } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await client.diagnostics(classless, has('KR5205'), { timeoutMs: 5_000 });
    const elapsed = performance.now() - started;
    assert.ok(elapsed < PROMPT_MS, `${Math.round(elapsed)} ms`);
  });
});
