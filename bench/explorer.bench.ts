/**
 * The cluster explorer at 10,000 Pods in 50 namespaces (`KUBEREACH_BENCH_PODS`), through the real
 * tree provider and cache over real sockets, with a stand-in for the few VS Code classes it builds:
 * - opening the view until every namespace node shows its Pod count (the user chose all 50),
 *   against `kubectl get pods -A -o json` on the same sandbox;
 * - getChildren of the 1,000-Pod namespace's Pods from the warm cache;
 * - heap held by the cache;
 * - tree refresh events for 1,000 Pod updates in about a second.
 */
import { execFileSync } from 'node:child_process';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { spawnSandbox } from '../sandbox/spawn.ts';
import { createVscodeStandIn, installVscodeStandInForEsm } from '../test/support/vscodeStandIn.ts';
import { median, metric, report } from './lib.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const startedAt = new Date();
const pods = Number(process.env.KUBEREACH_BENCH_PODS ?? 10_000);
const { api } = createVscodeStandIn();
installVscodeStandInForEsm(api);
const { ClusterSession } = await import('../src/cluster/session.ts');
const { ClusterTreeProvider } = await import('../src/explorer/tree.ts');

const sandbox = await spawnSandbox(['--scenario', 'scale', '--pods', String(pods)], { timeoutMs: 300_000 });
try {
  const kubectl = () => {
    const t0 = performance.now();
    execFileSync('kubectl', ['get', 'pods', '-A', '-o', 'json'], {
      env: { ...process.env, KUBECONFIG: sandbox.kubeconfigPath },
      maxBuffer: 1 << 30,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    return performance.now() - t0;
  };
  const kubectlTimes = [kubectl(), kubectl(), kubectl()];

  const namespaces = Array.from(
    { length: Math.max(1, Math.min(50, Math.round(pods / 200))) },
    (_, i) => `scale-${String(i).padStart(2, '0')}`,
  );
  const memory = new Map<string, unknown>([['namespaces:kubereach-sandbox', namespaces]]);
  gc();
  const heapBefore = process.memoryUsage().heapUsed;

  const t0 = performance.now();
  const session = new ClusterSession({
    settings: () => ({ kubeconfigSetting: undefined, trusted: true }),
    memory: { get: (key) => memory.get(key), set: (key, value) => void memory.set(key, value) },
    env: { KUBECONFIG: sandbox.kubeconfigPath },
  });
  const tree = new ClusterTreeProvider(session);
  let events = 0;
  tree.onDidChangeTreeData(() => (events += 1));
  const context = tree.getChildren()[0]!;
  // Rendered = every namespace node's item carries its Pod count.
  const rendered = () => {
    const children = tree.getChildren(context).filter((node) => node.kind === 'namespace');
    return (
      children.length === namespaces.length &&
      children.every((node) =>
        /\d+ pods?/.test(String((tree.getTreeItem(node) as { description?: string }).description)),
      )
    );
  };
  await new Promise<void>((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error('the tree never rendered every namespace')), 120_000);
    const check = () => {
      if (rendered()) {
        clearTimeout(deadline);
        resolve();
      }
    };
    session.onDidChange(check);
    check();
  });
  const openMs = performance.now() - t0;

  const large = tree
    .getChildren(context)
    .find((node) => node.kind === 'namespace' && node.namespace === namespaces[0])!;
  const podsGroup = tree.getChildren(large)[0]!;
  const childTimes: number[] = [];
  const renderTimes: number[] = [];
  let childCount = 0;
  for (let i = 0; i < 20; i++) {
    const c0 = performance.now();
    const children = tree.getChildren(podsGroup);
    const c1 = performance.now();
    for (const child of children) {
      tree.getTreeItem(child);
    }
    childTimes.push(c1 - c0);
    renderTimes.push(performance.now() - c0);
    childCount = children.length;
  }

  gc();
  const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 1e6;

  // 1,000 readiness flips over about a second, through the sandbox's admin endpoint.
  const flipTargets = session
    .cache!.pods(namespaces[0]!)
    .slice(0, 50)
    .map((pod) => pod.metadata!.name!);
  const eventsBefore = events;
  const f0 = performance.now();
  for (let batch = 0; batch < 10; batch++) {
    const updates = Array.from({ length: 100 }, (_, i) => ({
      namespace: namespaces[0],
      name: flipTargets[(batch * 100 + i) % flipTargets.length],
      ready: (batch + i) % 2 === 0,
    }));
    const response = await fetch(`${sandbox.admin.url}/faults/pods/readiness`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${sandbox.admin.token}` },
      body: JSON.stringify({ updates }),
    });
    await response.arrayBuffer();
    const elapsed = performance.now() - f0;
    if (elapsed < (batch + 1) * 100) {
      await new Promise((resolve) => setTimeout(resolve, (batch + 1) * 100 - elapsed));
    }
  }
  const flipMs = performance.now() - f0;
  await new Promise((resolve) => setTimeout(resolve, 500));
  const refreshEvents = events - eventsBefore;
  session.dispose();
  tree.dispose();

  const kubectlMedian = median(kubectlTimes);
  report(
    {
      benchmark: 'explorer',
      metrics: [
        metric(
          `open view → ${namespaces.length} namespaces with Pod counts (${pods} Pods)`,
          'ms',
          openMs,
          { name: 'kubectl get pods -A -o json', value: kubectlMedian },
          {
            description: 'at most kubectl',
            met: openMs <= kubectlMedian,
          },
        ),
        metric(
          `getChildren of a ${childCount}-Pod namespace, warm (median of 20)`,
          'ms',
          median(childTimes),
          undefined,
          {
            description: 'within 20 ms',
            met: median(childTimes) <= 20,
          },
        ),
        metric(
          `getChildren + getTreeItem of each, ${childCount} Pods (median of 20)`,
          'ms',
          median(renderTimes),
        ),
        metric(`cache heap at ${pods} Pods`, 'MB', heapMb, undefined, {
          description: 'within 200 MB',
          met: heapMb <= 200,
        }),
        metric(
          `tree refresh events for 1,000 Pod updates in ${Math.round(flipMs)} ms`,
          'events',
          refreshEvents,
          undefined,
          {
            description: 'at most 10',
            met: refreshEvents <= 10,
          },
        ),
      ],
      details: { kubectlTimes, childTimes, renderTimes, pods, namespaces: namespaces.length },
    },
    startedAt,
  );
} finally {
  await sandbox.stop();
}
