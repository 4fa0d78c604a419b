/**
 * The language server with cluster-aware checks while a manifest of a 5,000-Pod namespace is open
 * (issue 17): a real LSP client over stdio and the production bundle, the sandbox's `scale` scenario
 * with one namespace of `KUBEREACH_LS_PODS` Pods (default 5,000; the server watches only the
 * namespaces its open documents name, so the rest of a large cluster does not reach it).
 * - Diagnostics after an edit of a manifest of 100 Services and 20 NetworkPolicies of that
 *   namespace (each Service selects ten live Pods), median of 40. Floor 50 ms. Baseline: the same
 *   round trip for a one-line document.
 * - The server's heap with the namespace's Pods cached (`heapUsed` from `kubereach/serverStatus`,
 *   garbage not yet collected included, so an upper bound). Floor: heap ≤ 150 MB. Its resident
 *   memory too, against its resident memory before the manifest was opened.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSandbox } from '../sandbox/spawn.ts';
import { LspClient } from '../test/integration/server/lspClient.ts';
import { median, metric, report } from './lib.ts';

const startedAt = new Date();
const root = resolve(import.meta.dirname, '..');
const PODS = Number(process.env.KUBEREACH_LS_PODS ?? 5_000);
const NAMESPACE = 'scale-00';

function manifest(): string {
  const documents: string[] = [];
  for (let i = 0; i < 100; i++) {
    const app = `app-${String((i * 5) % Math.floor(PODS / 10)).padStart(3, '0')}`;
    documents.push(
      [
        '---',
        'apiVersion: v1',
        'kind: Service',
        'metadata:',
        `  name: svc-${String(i).padStart(3, '0')}`,
        `  namespace: ${NAMESPACE}`,
        'spec:',
        '  selector:',
        `    app: ${app}`,
        '  ports:',
        '    - name: http',
        '      port: 80',
        '      targetPort: http',
      ].join('\n'),
    );
  }
  for (let i = 0; i < 20; i++) {
    documents.push(
      [
        '---',
        'apiVersion: networking.k8s.io/v1',
        'kind: NetworkPolicy',
        'metadata:',
        `  name: allow-${i}`,
        `  namespace: ${NAMESPACE}`,
        'spec:',
        '  podSelector:',
        '    matchLabels:',
        `      app: app-${String(i).padStart(3, '0')}`,
        '  ingress:',
        '    - from:',
        '        - podSelector:',
        '            matchLabels:',
        `              app: app-${String(i + 1).padStart(3, '0')}`,
        '      ports:',
        '        - port: http',
      ].join('\n'),
    );
  }
  return documents.join('\n') + '\n';
}

function rssMb(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;
}

const build = mkdtempSync(join(tmpdir(), 'kubereach-bench-build-'));
execFileSync(process.execPath, ['esbuild.js', '--production', '--outdir', build], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'inherit'],
});
const sandbox = await spawnSandbox(['--scenario', 'scale', '--pods', String(PODS), '--namespaces', '1'], {
  timeoutMs: 600_000,
});
const workspace = mkdtempSync(join(tmpdir(), 'kubereach-bench-workspace-'));
const client = await LspClient.start({
  workspace,
  serverPath: join(build, 'server.js'),
  env: { KUBECONFIG: sandbox.kubeconfigPath },
  settings: { clusterAware: true },
});

try {
  const pid = client.process.pid!;
  // The server started, nothing open yet.
  const tinyUri = `file://${workspace}/tiny.yaml`;
  await client.open(tinyUri, 'a: 1\n', 1);
  await client.diagnostics(tinyUri, undefined, { version: 1 });
  const rssIdle = rssMb(pid);

  const text = manifest();
  const uri = `file://${workspace}/services.yaml`;
  await client.open(uri, text, 1);
  const deadline = Date.now() + 120_000;
  while (!(await client.status()).cluster.syncedNamespaces.includes(NAMESPACE)) {
    if (Date.now() > deadline) {
      throw new Error(`namespace ${NAMESPACE} was never cached`);
    }
    await new Promise((resolveWait) => setTimeout(resolveWait, 100));
  }
  // Cluster findings arrive: svc-000 selects live Pods, so a finding about the cluster proves it was read.
  await client.diagnostics(uri, undefined, { timeoutMs: 60_000 });

  const lines = text.split('\n');
  const portLine = lines.findIndex((line) => line.includes('name: svc-050')) + 6;
  const character = lines[portLine]!.indexOf('80') + 1;
  const editTimes: number[] = [];
  let version = 1;
  for (let i = 0; i < 40; i++) {
    version++;
    const next = i % 2 === 0 ? '1' : '0';
    const sent = performance.now();
    await client.change(uri, version, [
      {
        range: { start: { line: portLine, character }, end: { line: portLine, character: character + 1 } },
        text: next,
      },
    ]);
    await client.diagnostics(uri, undefined, { version, timeoutMs: 10_000 });
    editTimes.push(performance.now() - sent);
  }
  const rssWarm = rssMb(pid);
  // The server's own heap, garbage not yet collected included: an upper bound of the heap it holds.
  const heapWarm = (await client.status()).memory.heapUsed / 1e6;

  const tinyTimes: number[] = [];
  for (let i = 2; i < 42; i++) {
    const sent = performance.now();
    await client.change(tinyUri, i, [{ text: `a: ${i}\n` }]);
    await client.diagnostics(tinyUri, undefined, { version: i });
    tinyTimes.push(performance.now() - sent);
  }
  const status = await client.status();
  const edit = median(editTimes.slice(5));
  report(
    {
      benchmark: 'language-server-scale',
      metrics: [
        metric(
          `diagnostics after an edit, 120 documents of a ${PODS}-Pod namespace, cluster-aware (median of 35)`,
          'ms',
          edit,
          { name: 'the same round trip for a one-line document', value: median(tinyTimes.slice(5)) },
          { description: 'within 50 ms', met: edit <= 50 },
        ),
        metric(
          `server heap with the ${PODS} Pods cached (heapUsed, uncollected garbage included: an upper bound)`,
          'MB',
          heapWarm,
          undefined,
          { description: 'heap at most 150 MB', met: heapWarm <= 150 },
        ),
        metric(`server resident memory with the ${PODS} Pods cached`, 'MB', rssWarm, {
          name: 'its resident memory before the manifest was opened',
          value: rssIdle,
        }),
      ],
      details: {
        pods: PODS,
        editMs: editTimes.map((ms) => Math.round(ms * 10) / 10),
        syncedNamespaces: status.cluster.syncedNamespaces,
        loadAverage: loadavg(),
      },
    },
    startedAt,
  );
} finally {
  await client.stop();
  await sandbox.stop();
  rmSync(workspace, { recursive: true, force: true });
  rmSync(build, { recursive: true, force: true });
}
