/**
 * A credential inside an error must reach none of the places a user reads: the cache's state
 * message (the explorer, the status bar, the language server), its log lines, classifyError.
 * Real client-node, a real exec credential plugin (a Node script), a real local HTTP server.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ClusterCache } from '../../../src/cluster/cache.ts';
import type { ConnectionState } from '../../../src/cluster/cache.ts';
import { classifyError } from '../../../src/cluster/errors.ts';
import { loadKubeconfig } from '../../../src/cluster/kubeconfig.ts';
import { forgetSecrets } from '../../../src/logging/redact.ts';

const folder = mkdtempSync(join(tmpdir(), 'kubereach-leaks-'));
after(() => {
  rmSync(folder, { recursive: true, force: true });
  forgetSecrets();
});

function kubeconfigFile(name: string, server: string, user: Record<string, unknown>): string {
  const file = join(folder, name);
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: 'c',
          cluster: { server, ...(server.startsWith('http:') ? { 'insecure-skip-tls-verify': true } : {}) },
        },
      ],
      users: [{ name: 'u', user }],
      contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'ctx',
    }),
  );
  return file;
}

/** Waits (bounded) for the cache to leave `connecting`. */
function settled(cache: ClusterCache): Promise<ConnectionState> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still ${cache.state().kind}`)), 10_000);
    const check = () => {
      const state = cache.state();
      if (state.kind !== 'connecting' && state.kind !== 'connected') {
        clearTimeout(timer);
        stop();
        resolve(state);
      }
    };
    const stop = cache.onDidChange(check);
    check();
  });
}

test("an exec credential plugin's stderr echoing its env secret reaches neither the state nor the log", async () => {
  const secret = 'pl4in-S3cret-from-env';
  const file = kubeconfigFile('exec.yaml', 'https://127.0.0.1:1', {
    exec: {
      apiVersion: 'client.authentication.k8s.io/v1',
      command: process.execPath,
      args: [
        '-e',
        'process.stderr.write("login failed for " + process.env.PLUGIN_TOKEN + "\\n"); process.exit(1)',
      ],
      env: [{ name: 'PLUGIN_TOKEN', value: secret }],
      interactiveMode: 'Never',
    },
  });
  const loaded = loadKubeconfig({ files: [file], from: 'setting' });
  const lines: string[] = [];
  const cache = new ClusterCache(loaded.kubeConfig, {
    contextName: 'ctx',
    log: (line) => lines.push(line),
    backoff: { initialMs: 60_000, maxMs: 60_000 },
  });
  try {
    const state = await settled(cache);
    assert.match(state.message ?? '', /login failed for <redacted>/);
    for (const text of [state.message ?? '', ...lines]) {
      assert.ok(!text.includes(secret), `leaked: ${text}`);
    }
  } finally {
    cache.dispose();
  }
});

test('a Status message echoing a Basic authorization, and userinfo in the server URL, reach no state message', async () => {
  const server = createServer((_request, response) => {
    response.writeHead(500, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        message: 'webhook rejected {"authorization":"Basic YWRtaW46aHVudGVyMg=="}',
        code: 500,
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const caches: ClusterCache[] = [];
  try {
    for (const [name, url] of [
      ['basic.yaml', `http://127.0.0.1:${port}`],
      // fetch refuses such a URL, quoting it: the quote must be redacted too.
      ['userinfo.yaml', `http://admin:hunter2hunter2@127.0.0.1:${port}`],
    ] as const) {
      const file = kubeconfigFile(name, url, { username: 'admin', password: 'hunter2hunter2' });
      const loaded = loadKubeconfig({ files: [file], from: 'setting' });
      const lines: string[] = [];
      const cache = new ClusterCache(loaded.kubeConfig, {
        contextName: 'ctx',
        log: (line) => lines.push(line),
        backoff: { initialMs: 60_000, maxMs: 60_000 },
      });
      caches.push(cache);
      const state = await settled(cache);
      if (name === 'basic.yaml') {
        assert.match(state.message ?? '', /500 Internal Server Error: webhook rejected/);
      }
      for (const text of [state.message ?? '', ...lines]) {
        assert.ok(
          !text.includes('YWRtaW46aHVudGVyMg') && !text.includes('hunter2hunter2'),
          `leaked: ${text}`,
        );
      }
    }
  } finally {
    caches.forEach((cache) => cache.dispose());
    server.close();
  }
});

test('classifyError redacts the server URL it is given and the Status message it reads', () => {
  const error = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
  const refused = classifyError(error, { server: 'https://admin:pa55word@10.0.0.1:6443' });
  assert.equal(
    refused.message,
    'The API server at https://admin:<redacted>@10.0.0.1:6443 refused the connection.',
  );
  const status = classifyError({
    statusCode: 403,
    body: JSON.stringify({ kind: 'Status', message: "denied: token: 'abc def ghi'" }),
  });
  assert.ok(!status.message.includes('def ghi'), status.message);
});
