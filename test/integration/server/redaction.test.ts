/**
 * The language server quotes the kubeconfig's error in hovers, its status and its log: without
 * the credentials in it (issue 13, item 5). dist/server.js over stdio; the kubereach.kubeconfig
 * setting holds a URL with a password, pasted where a file path belongs, in a trusted workspace.
 * (The extension host's surfaces: test/unit/surfaceRedaction.test.ts.) Its status names such a
 * kubeconfig, and one without a context, as what they are, not as "connecting".
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { LspClient, positionOf, uriOf } from './lspClient.ts';

const PASSWORD = 'Sup3r-s3cret-pw';
const SERVICE = `apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector:
    app: web
  ports:
    - port: 80
`;

test('a hover on a selector quotes the kubeconfig error with its password redacted', async () => {
  const client = await LspClient.start({
    env: { KUBECONFIG: '' },
    settings: { clusterAware: true, kubeconfig: `https://admin:${PASSWORD}@example.com/kubeconfig` },
    initializationOptions: { workspaceTrusted: true },
  });
  try {
    const uri = uriOf(join(tmpdir(), 'kubereach-redaction-test', 'web.yaml'));
    await client.open(uri, SERVICE);
    // The hover answers "connecting…" until the cluster session has tried the kubeconfig.
    let value = '';
    for (let i = 0; i < 200 && !/Cannot read the kubeconfig/.test(value); i++) {
      value = (await client.hover(uri, positionOf(SERVICE, 'selector:', 1)))?.contents.value ?? '';
      if (!/Cannot read the kubeconfig/.test(value)) {
        await new Promise((done) => setTimeout(done, 25));
      }
    }
    assert.match(
      value,
      // Markdown-escaped: `\<redacted\>`.
      /\*\*Cluster\*\*: Cannot read the kubeconfig file .*https:\/admin:\\<redacted\\>@example\.com/,
    );
    const status = await client.status();
    // Not "connecting": nothing is being connected to.
    assert.equal(status.cluster.state, 'error');
    assert.match(status.cluster.message ?? '', /Cannot read the kubeconfig/);
    const said = [value, status.cluster.message ?? '', ...client.logs].join('\n');
    assert.ok(!said.includes(PASSWORD), said);
  } finally {
    assert.equal(await client.stop(), 0);
  }
});

test('a kubeconfig with no context: the server says so, not "connecting"', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'kubereach-no-context-'));
  const kubeconfig = join(folder, 'config');
  writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n');
  const client = await LspClient.start({
    env: { KUBECONFIG: kubeconfig },
    settings: { clusterAware: true },
    initializationOptions: { workspaceTrusted: true },
  });
  try {
    await client.open(uriOf(join(folder, 'web.yaml')), SERVICE);
    let state = 'connecting';
    for (let i = 0; i < 200 && (state === 'connecting' || state === 'off'); i++) {
      state = (await client.status()).cluster.state;
      if (state === 'connecting' || state === 'off') {
        await new Promise((done) => setTimeout(done, 25));
      }
    }
    assert.equal(state, 'no-context');
  } finally {
    assert.equal(await client.stop(), 0);
    rmSync(folder, { recursive: true, force: true });
  }
});
