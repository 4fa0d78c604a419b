/**
 * The sandbox at 10,000 Pods (`--pods` via KUBEREACH_BENCH_PODS, `--namespaces` via
 * KUBEREACH_BENCH_NAMESPACES): its start-up time and CPU, its resident memory (peak), and the
 * time client-node takes to list every Pod against the time of `kubectl get pods -A -o json`
 * against the same sandbox, interleaved, median of several runs each. Floors (issue 17) at 100,000
 * Pods: starts within 90 s, under 3 GB; at fewer, under 500 MB.
 */
import { execFileSync } from 'node:child_process';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { SANDBOX_NODE_FLAGS, spawnSandbox } from '../sandbox/spawn.ts';
import { median, metric, report } from './lib.ts';

const startedAt = new Date();
const pods = Number(process.env.KUBEREACH_BENCH_PODS ?? 10_000);
const runs = Number(process.env.KUBEREACH_BENCH_RUNS ?? 5);
const namespaces = process.env.KUBEREACH_BENCH_NAMESPACES;
const sandbox = await spawnSandbox(
  [
    '--scenario',
    'scale',
    '--pods',
    String(pods),
    ...(namespaces === undefined ? [] : ['--namespaces', namespaces]),
  ],
  { timeoutMs: 900_000 },
);
const startupMs = sandbox.startupMs;
const startupCpuSeconds = sandbox.cpuSeconds();
const large = pods >= 100_000;

try {
  const kubeconfigPath = sandbox.kubeconfigPath;
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const core = kc.makeApiClient(CoreV1Api);

  const rss = () => sandbox.rssBytes();
  const rssAfterStart = rss();

  const kubectlAvailable = (() => {
    try {
      execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  if (!kubectlAvailable) {
    console.error('*** kubectl is not installed: the kubectl baseline is missing ***');
  }

  const clientNodeTimes: number[] = [];
  const kubectlTimes: number[] = [];
  let listed = 0;
  // One warm-up of each, not counted.
  await core.listPodForAllNamespaces();
  for (let i = 0; i < runs; i++) {
    let t0 = performance.now();
    const list = await core.listPodForAllNamespaces();
    clientNodeTimes.push(performance.now() - t0);
    listed = list.items.length;
    if (kubectlAvailable) {
      t0 = performance.now();
      execFileSync('kubectl', ['get', 'pods', '-A', '-o', 'json'], {
        env: { ...process.env, KUBECONFIG: kubeconfigPath },
        maxBuffer: 1024 * 1024 * 1024,
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      kubectlTimes.push(performance.now() - t0);
    }
  }
  const rssAfterLists = rss();
  if (listed !== pods) {
    throw new Error(`listed ${listed} pods, expected ${pods}`);
  }
  const clientNodeMedian = median(clientNodeTimes);
  const kubectlMedian = median(kubectlTimes);
  const peakRss = Math.max(rssAfterStart, rssAfterLists, sandbox.peakRssBytes());
  const status = (await (
    await fetch(`${sandbox.admin.url}/status`, {
      headers: { Authorization: `Bearer ${sandbox.admin.token}` },
    })
  ).json()) as { listeners: number };
  report(
    {
      benchmark: 'sandbox-scale',
      metrics: [
        metric(
          `client-node list ${pods} Pods (median of ${runs})`,
          'ms',
          clientNodeMedian,
          kubectlAvailable ? { name: 'kubectl get pods -A -o json', value: kubectlMedian } : undefined,
          kubectlAvailable
            ? { description: 'at most 1.5x kubectl', met: clientNodeMedian <= 1.5 * kubectlMedian }
            : undefined,
        ),
        metric(`sandbox peak RSS at ${pods} Pods`, 'MB', peakRss / 1e6, undefined, {
          description: large ? 'under 3 GB' : 'under 500 MB',
          met: peakRss < (large ? 3e9 : 500e6),
        }),
        metric(
          `sandbox start-up (its CPU: ${startupCpuSeconds.toFixed(1)} s)`,
          'ms',
          startupMs,
          undefined,
          large ? { description: 'within 90 s', met: startupMs <= 90_000 } : undefined,
        ),
      ],
      details: {
        pods,
        runs,
        clientNodeTimes,
        kubectlTimes,
        rssAfterStart,
        rssAfterLists,
        namespaces: namespaces ?? 'default',
        startupCpuSeconds,
        loadAverage: (await import('node:os')).loadavg(),
        listeningSockets: status.listeners,
        listeners:
          'the scale scenario listens on demand (a Pod port opens at the first connection the cluster makes to it); one socket per Service port; one shared HTTP parser',
        nodeFlags: SANDBOX_NODE_FLAGS,
      },
    },
    startedAt,
  );
} finally {
  await sandbox.stop();
}
