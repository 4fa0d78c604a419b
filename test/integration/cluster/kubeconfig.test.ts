/**
 * Kubeconfig files merged as kubectl merges them, used against the sandbox; files that do not parse;
 * edits picked up by the file watcher, including editors that replace the file.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse, stringify } from 'yaml';
import { ClusterCache } from '../../../src/cluster/cache.ts';
import {
  KubeconfigError,
  loadKubeconfig,
  resolveKubeconfigSources,
  watchKubeconfigFiles,
} from '../../../src/cluster/kubeconfig.ts';
import { useSandbox, waitFor } from '../../support/sandbox.ts';

interface SandboxKubeconfig {
  clusters: Array<{ name: string; cluster: { server: string; 'certificate-authority-data': string } }>;
  users: Array<{ name: string; user: { token: string } }>;
}

describe('kubeconfig files', () => {
  const fixture = useSandbox({ scenario: 'minimal' });
  let dir: string;
  let server: string;
  let caData: string;
  let tokens: Map<string, string>;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'kubereach-kubeconfig-'));
    const sandboxConfig = parse(readFileSync(fixture.sandbox.kubeconfigPath, 'utf8')) as SandboxKubeconfig;
    server = sandboxConfig.clusters[0]!.cluster.server;
    caData = sandboxConfig.clusters[0]!.cluster['certificate-authority-data'];
    tokens = new Map(sandboxConfig.users.map((u) => [u.name, u.user.token]));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const write = (name: string, content: unknown) => {
    const path = join(dir, name);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, typeof content === 'string' ? content : stringify(content));
    return path;
  };

  test('two files, two contexts, merged as kubectl does, each context usable', async () => {
    // The CA as a file, named relative to the kubeconfig that names it.
    write('second/ca.crt', Buffer.from(caData, 'base64').toString());
    const first = write('first.yaml', {
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'admin',
      clusters: [{ name: 'sandbox', cluster: { server, 'certificate-authority-data': caData } }],
      users: [{ name: 'admin', user: { token: tokens.get('kubereach-admin') } }],
      contexts: [{ name: 'admin', context: { cluster: 'sandbox', user: 'admin', namespace: 'web' } }],
    });
    const second = write('second/config', {
      apiVersion: 'v1',
      kind: 'Config',
      // Ignored: the first file already set current-context.
      'current-context': 'restricted',
      clusters: [
        // Ignored: the first file already defines `sandbox`.
        { name: 'sandbox', cluster: { server: 'https://127.0.0.1:1' } },
        { name: 'sandbox-by-file', cluster: { server, 'certificate-authority': 'ca.crt' } },
      ],
      users: [{ name: 'restricted', user: { token: tokens.get('restricted') } }],
      contexts: [
        { name: 'restricted', context: { cluster: 'sandbox-by-file', user: 'restricted' } },
        // Ignored: the first file already defines `admin`.
        { name: 'admin', context: { cluster: 'sandbox', user: 'restricted', namespace: 'elsewhere' } },
      ],
    });
    const sources = resolveKubeconfigSources({
      env: { KUBECONFIG: [first, join(dir, 'missing.yaml'), second].join(':') },
      homeDir: dir,
      trusted: true,
      delimiter: ':',
    });
    assert.equal(sources.from, 'env');
    const loaded = loadKubeconfig(sources);
    assert.deepEqual(loaded.files, [first, second]);
    assert.deepEqual(loaded.missing, [join(dir, 'missing.yaml')]);
    assert.equal(loaded.currentContextName, 'admin');
    assert.deepEqual(loaded.contexts, [
      { name: 'admin', cluster: 'sandbox', user: 'admin', namespace: 'web', server },
      { name: 'restricted', cluster: 'sandbox-by-file', user: 'restricted', namespace: undefined, server },
    ]);
    assert.deepEqual(loaded.currentContext, loaded.contexts[0]);
    assert.equal(loaded.kubeConfig.getCurrentContext(), 'admin');
    assert.equal(loaded.kubeConfig.getCluster('sandbox-by-file')?.caFile, join(dir, 'second', 'ca.crt'));

    const admin = new ClusterCache(loaded.kubeConfig, { contextName: 'admin' });
    const restricted = new ClusterCache(loaded.kubeConfig, { contextName: 'restricted' });
    try {
      await waitFor('admin lists namespaces', () =>
        admin.namespaces().some((n) => n.metadata?.name === 'web'),
      );
      assert.equal(admin.namespaceFallback, undefined);
      await waitFor('restricted falls back', () => restricted.namespaceFallback);
      restricted.setWatchedNamespaces(['web']);
      await waitFor('restricted reads Pods of web', () => restricted.pods('web').length === 3);
      assert.equal(restricted.state().kind, 'connected');
      // The caches work on copies: the loaded KubeConfig still has its own current context.
      assert.equal(loaded.kubeConfig.getCurrentContext(), 'admin');
    } finally {
      admin.dispose();
      restricted.dispose();
    }

    // Without current-context in the first file, the second file's wins (client-node's
    // loadFromDefault would keep none, or let a later file override an earlier one).
    const noCurrent = write('no-current.yaml', { apiVersion: 'v1', kind: 'Config', clusters: [], users: [] });
    const merged = loadKubeconfig({ files: [noCurrent, second], from: 'env' });
    assert.equal(merged.currentContextName, 'restricted');
  });

  test('a file that does not parse: a plain error naming the file and the line', () => {
    const good = write('good.yaml', { apiVersion: 'v1', kind: 'Config', 'current-context': 'x' });
    const broken = write(
      'broken.yaml',
      'apiVersion: v1\nkind: Config\nclusters:\n  - name: a\n   cluster:\n      server: https://x\n',
    );
    assert.throws(
      () => loadKubeconfig({ files: [good, broken], from: 'env' }),
      (error: unknown) => {
        assert.ok(error instanceof KubeconfigError);
        assert.equal(error.file, broken);
        assert.equal(error.line, 5);
        assert.equal(
          error.message,
          `The kubeconfig file ${broken} does not parse: line 5: Sequence item without - indicator.`,
        );
        return true;
      },
    );

    const invalid = write(
      'invalid.yaml',
      'apiVersion: v1\nkind: Config\nclusters:\n  - name: ok\n    cluster: { server: https://a }\n  - name: no-server\n    cluster: {}\n',
    );
    assert.throws(
      () => loadKubeconfig({ files: [invalid], from: 'home' }),
      (error: unknown) => {
        assert.ok(error instanceof KubeconfigError);
        assert.equal(error.line, 6);
        assert.equal(
          error.message,
          `The kubeconfig file ${invalid} is not valid: line 6: clusters[1].cluster.server is missing.`,
        );
        return true;
      },
    );

    const notAMap = write('list.yaml', '- a\n- b\n');
    assert.throws(() => loadKubeconfig({ files: [notAMap], from: 'env' }), /is not a kubeconfig: line 1/);

    // Empty files are empty configurations, as for kubectl.
    const empty = write('empty.yaml', '\n');
    assert.deepEqual(loadKubeconfig({ files: [empty], from: 'env' }).contexts, []);

    // The setting names a file that does not exist: said plainly.
    assert.throws(
      () => loadKubeconfig({ files: [join(dir, 'nowhere')], from: 'setting' }),
      (error: unknown) =>
        error instanceof KubeconfigError &&
        error.message ===
          `Cannot read the kubeconfig file ${join(dir, 'nowhere')} (named by the kubereach.kubeconfig setting): it does not exist.`,
    );
  });

  test('the watcher sees in-place edits, replacement by rename, and creation', async () => {
    const watched = join(dir, 'watched', 'config');
    const created = join(dir, 'watched', 'later');
    write('watched/config', 'a: 1\n');
    const seen: string[][] = [];
    const dispose = watchKubeconfigFiles([watched, created], (changed) => seen.push([...changed]), {
      debounceMs: 50,
    });
    try {
      writeFileSync(watched, 'a: 2\n');
      await waitFor('an in-place edit', () => seen.some((batch) => batch.includes(watched)));

      // As editors save: write a temporary file, rename it over the original.
      let count = seen.length;
      writeFileSync(join(dir, 'watched', 'config.tmp'), 'a: 3\n');
      renameSync(join(dir, 'watched', 'config.tmp'), watched);
      await waitFor('a replacement', () => seen.slice(count).some((batch) => batch.includes(watched)));

      // The new file is watched too.
      count = seen.length;
      writeFileSync(watched, 'a: 4\n');
      await waitFor('an edit after the replacement', () =>
        seen.slice(count).some((batch) => batch.includes(watched)),
      );

      count = seen.length;
      writeFileSync(created, 'b: 1\n');
      await waitFor('a file appearing', () => seen.slice(count).some((batch) => batch.includes(created)));

      // A burst of writes is one call.
      count = seen.length;
      for (let i = 0; i < 20; i++) {
        writeFileSync(watched, `a: ${i}\n`);
      }
      await waitFor('the burst', () => seen.length > count);
      await new Promise((resolve) => setTimeout(resolve, 150));
      assert.equal(seen.length, count + 1, 'debounced into one call');
    } finally {
      dispose();
    }
    const count = seen.length;
    writeFileSync(watched, 'a: 5\n');
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(seen.length, count, 'nothing after dispose');
  });
});
