/**
 * Issue 17's floors at scale, against baseline L measured in the same run: one HTTP GET of every Pod
 * (`/api/v1/pods`, compact JSON) plus `JSON.parse`, in this process, against the same sandbox.
 *
 * Default 10,000 Pods in 50 namespaces; `KUBEREACH_SCALE_PODS=100000 KUBEREACH_SCALE_NAMESPACES=500`
 * for the large case (the sandbox then takes a minute or more to start). `KUBEREACH_BENCH_RUNS`
 * rounds (default 3), each with a fresh session and tree over real sockets (the sandbox runs in a
 * process of its own), medians reported:
 * - opening the view until every namespace node shows its Pod count (the user chose them all);
 * - then opening the first namespace: until its Pods group's items are built;
 * - heap held by the session, cache and tree (after GC), and RSS growth of this process (first round);
 * - getChildren of the large namespace's Pods (median of 20), and with a label filter.
 * Then churn (`KUBEREACH_CHURN_RATE` Pod updates a second, default 1,000, for `KUBEREACH_CHURN_SECONDS`,
 * default 60; 0 skips it), made by the sandbox itself (`POST /faults/pods/churn`) while a session
 * and tree are open with the large namespace's Pods listed: tree refresh events a second (floor
 * 10), this process's CPU over the burst in cores (floor 0.5; baseline: the same session idle for
 * 10 s before), and its heap after GC some seconds after the burst against before it (no growth).
 */
import { request } from 'node:https';
import type { RequestOptions } from 'node:https';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { KubeConfig } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSandbox } from '../sandbox/spawn.ts';
import type { SandboxProcess } from '../sandbox/spawn.ts';
import { createVscodeStandIn, installVscodeStandInForEsm } from '../test/support/vscodeStandIn.ts';
import { median, metric, report } from './lib.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const startedAt = new Date();
const pods = Number(process.env.KUBEREACH_SCALE_PODS ?? 10_000);
const namespaceCount = Number(
  process.env.KUBEREACH_SCALE_NAMESPACES ?? Math.max(1, Math.min(50, Math.round(pods / 200))),
);
const runs = Number(process.env.KUBEREACH_BENCH_RUNS ?? 3);
const { api } = createVscodeStandIn();
installVscodeStandInForEsm(api);
const { ClusterSession } = await import('../src/cluster/session.ts');
const { ClusterTreeProvider } = await import('../src/explorer/tree.ts');
type Tree = InstanceType<typeof ClusterTreeProvider>;
type TreeNode = ReturnType<Tree['getChildren']>[number];

const digits = Math.max(2, String(namespaceCount - 1).length);
const namespaces = Array.from(
  { length: namespaceCount },
  (_, i) => `scale-${String(i).padStart(digits, '0')}`,
);

function heapUsed(): number {
  for (let i = 0; i < 3; i++) {
    gc();
  }
  return process.memoryUsage().heapUsed;
}

/** Baseline L: one GET of every Pod as JSON, parsed; the Pod count read back to prove it. */
async function listAllPods(kubeConfig: KubeConfig): Promise<{ ms: number; count: number; bytes: number }> {
  const server = new URL(kubeConfig.getCurrentCluster()!.server);
  const options: RequestOptions = {
    host: server.hostname,
    port: server.port,
    path: '/api/v1/pods',
    headers: { Accept: 'application/json' },
    agent: false,
  };
  await kubeConfig.applyToHTTPSOptions(options);
  const t0 = performance.now();
  const body = await new Promise<Buffer>((resolve, reject) => {
    request(options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`HTTP ${res.statusCode}`)),
      );
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
  const list = JSON.parse(body.toString('utf8')) as { items: unknown[] };
  return { ms: performance.now() - t0, count: list.items.length, bytes: body.length };
}

/**
 * A second for the sandbox to finish what the last measurement left it (closing connections,
 * collecting the garbage of a list of every Pod), so that neither the rounds nor L start while it
 * is still busy with the other.
 */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Number(process.env.KUBEREACH_SETTLE_MS ?? 1000)));
}

function rss(): number {
  return process.memoryUsage().rss;
}

interface Round {
  openMs: number;
  firstNamespaceMs: number;
  /** From opening the view until every namespace in view has all its kinds listed. */
  syncedMs: number;
  firstNamespacePods: number;
  heapMb: number;
  rssGrowthMb: number;
  childMs: number;
  /** The large namespace's Services group drawn (getChildren and each row's getTreeItem). */
  servicesMs: number;
  largeServices: number;
  largePods: number;
  filterMs: number;
  filtered: number;
  mode: string;
  /** process.memoryUsage() after the namespace was opened (after GC), in MB: where the RSS went. */
  memoryMb: Record<string, number>;
}

/** Resolves at the first change of the session after which `done()` holds (at once if it holds now). */
function changedUntil(
  session: InstanceType<typeof ClusterSession>,
  done: () => boolean,
  failure: string,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (done()) {
      resolve();
      return;
    }
    const deadline = setTimeout(() => reject(new Error(failure)), 300_000);
    const stop = session.onDidChange(() => {
      if (done()) {
        clearTimeout(deadline);
        stop();
        resolve();
      }
    });
  });
}

async function round(kubeconfigPath: string): Promise<Round> {
  const memory = new Map<string, unknown>([['namespaces:kubereach-sandbox', namespaces]]);
  const heapBefore = heapUsed();
  const rssBefore = rss();
  const t0 = performance.now();
  const session = new ClusterSession({
    settings: () => ({ kubeconfigSetting: undefined, trusted: true }),
    memory: { get: (key) => memory.get(key), set: (key, value) => void memory.set(key, value) },
    env: { KUBECONFIG: kubeconfigPath },
  });
  const tree = new ClusterTreeProvider(session);
  try {
    const context = tree.getChildren()[0]!;
    const namespaceNodes = () => tree.getChildren(context).filter((node) => node.kind === 'namespace');
    const rendered = () => {
      const children = namespaceNodes();
      return (
        children.length === namespaces.length &&
        children.every((node) =>
          /\d+ pods?/.test(String((tree.getTreeItem(node) as { description?: string }).description)),
        )
      );
    };
    await changedUntil(session, rendered, 'the tree never rendered every namespace');
    const openMs = performance.now() - t0;

    // Opening the first namespace, then its Pods group: what the user waits for after a click.
    const o0 = performance.now();
    const first = namespaceNodes()[0]!;
    const podsGroup = tree.getChildren(first).find((node) => node.kind === 'group')!;
    tree.getTreeItem(podsGroup);
    const firstPods = tree.getChildren(podsGroup);
    for (const child of firstPods) {
      tree.getTreeItem(child);
    }
    const firstNamespaceMs = performance.now() - o0;

    // Everything else of the namespaces in view listed (EndpointSlices wait for the Pods list), so
    // that the heap below holds all of it.
    const cache = session.cache!;
    await changedUntil(
      session,
      () => namespaces.every((namespace) => cache.isSynced(namespace)),
      'the namespaces never settled',
    );
    const syncedMs = performance.now() - t0;

    const heapMb = (heapUsed() - heapBefore) / 1e6;
    const rssGrowthMb = (rss() - rssBefore) / 1e6;
    const memoryMb = Object.fromEntries(
      Object.entries(process.memoryUsage()).map(([key, bytes]) => [key, Math.round(bytes / 1e6)]),
    );

    const timed = (node: TreeNode) => {
      const times: number[] = [];
      let count = 0;
      for (let i = 0; i < 20; i++) {
        const c0 = performance.now();
        count = tree.getChildren(node).length;
        times.push(performance.now() - c0);
      }
      return { ms: median(times), count };
    };
    const children = timed(podsGroup);
    // Its Services drawn once, as VS Code draws an expanded group after a change: each row's item
    // (a Service's warnings read the Pods its selector picks).
    const servicesGroup = tree
      .getChildren(first)
      .find((node) => node.kind === 'group' && node.group === 'services')!;
    const s0 = performance.now();
    const serviceRows = tree.getChildren(servicesGroup);
    for (const row of serviceRows) {
      tree.getTreeItem(row);
    }
    const servicesMs = performance.now() - s0;
    session.setPodFilter('app in (app-001,app-002,app-003)');
    const filteredChildren = timed(podsGroup);
    session.setPodFilter(undefined);
    return {
      openMs,
      firstNamespaceMs,
      syncedMs,
      firstNamespacePods: firstPods.length,
      heapMb,
      rssGrowthMb,
      childMs: children.ms,
      largePods: children.count,
      servicesMs,
      largeServices: serviceRows.length,
      filterMs: filteredChildren.ms,
      filtered: filteredChildren.count,
      mode: session.cache?.watchScope('pods') ?? 'none',
      memoryMb,
    };
  } finally {
    session.dispose();
    tree.dispose();
  }
}

interface ChurnResult {
  updates: number;
  seconds: number;
  refreshesPerSecond: number;
  busyCores: number;
  idleCores: number;
  heapBeforeMb: number;
  heapAfterMb: number;
  cacheEventsSeen: number;
}

const churnRate = Number(process.env.KUBEREACH_CHURN_RATE ?? 1_000);
const churnSeconds = Number(process.env.KUBEREACH_CHURN_SECONDS ?? 60);

async function churn(kubeconfigPath: string, admin: { url: string; token: string }): Promise<ChurnResult> {
  const memory = new Map<string, unknown>([['namespaces:kubereach-sandbox', namespaces]]);
  const session = new ClusterSession({
    settings: () => ({ kubeconfigSetting: undefined, trusted: true }),
    memory: { get: (key) => memory.get(key), set: (key, value) => void memory.set(key, value) },
    env: { KUBECONFIG: kubeconfigPath },
  });
  const tree = new ClusterTreeProvider(session);
  const call = async (path: string, body?: unknown) => {
    const response = await fetch(`${admin.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { Authorization: `Bearer ${admin.token}`, 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) {
      throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
    }
    return (await response.json()) as { churn?: { running: boolean; updates: number } };
  };
  try {
    const context = tree.getChildren()[0]!;
    await new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error('the tree never rendered')), 600_000);
      const check = () => {
        const children = tree.getChildren(context).filter((node) => node.kind === 'namespace');
        return (
          children.length === namespaces.length &&
          children.every((node) =>
            /\d+ pods?/.test(String((tree.getTreeItem(node) as { description?: string }).description)),
          )
        );
      };
      const stop = session.onDidChange(() => {
        if (check()) {
          clearTimeout(deadline);
          stop();
          resolve();
        }
      });
    });
    // The large namespace open, its Pods listed, as a user watching it would have it.
    const first = tree.getChildren(context).find((node) => node.kind === 'namespace')!;
    const podsGroup = tree.getChildren(first).find((node) => node.kind === 'group')!;
    const redraw = () => {
      for (const child of tree.getChildren(podsGroup)) {
        tree.getTreeItem(child);
      }
    };
    redraw();
    let refreshes = 0;
    tree.onDidChangeTreeData(() => {
      refreshes += 1;
      redraw(); // what VS Code does on a refresh of the visible part
    });
    let cacheEvents = 0;
    session.onDidChange(() => (cacheEvents += 1));
    const idleCpu = process.cpuUsage();
    const idle0 = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    const idleUsage = process.cpuUsage(idleCpu);
    const idleCores = (idleUsage.user + idleUsage.system) / 1e3 / (performance.now() - idle0);
    const heapBefore = heapUsed();
    refreshes = 0;
    cacheEvents = 0;
    const cpu = process.cpuUsage();
    const t0 = performance.now();
    await call('/faults/pods/churn', { rate: churnRate, seconds: churnSeconds });
    let updates = 0;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      // A sandbox busy with 100,000 Pods may answer late (408): ask again.
      const status = await call('/status').catch(() => undefined);
      if (status === undefined) {
        continue;
      }
      updates = status.churn?.updates ?? 0;
      if (status.churn?.running !== true) {
        break;
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    const usage = process.cpuUsage(cpu);
    const busyCores = (usage.user + usage.system) / 1e3 / (performance.now() - t0);
    const refreshesPerSecond = refreshes / seconds;
    const seen = cacheEvents;
    // Let the last changes land, then measure what stays.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const heapAfter = heapUsed();
    return {
      updates,
      seconds,
      refreshesPerSecond,
      busyCores,
      idleCores,
      heapBeforeMb: heapBefore / 1e6,
      heapAfterMb: heapAfter / 1e6,
      cacheEventsSeen: seen,
    };
  } finally {
    session.dispose();
    tree.dispose();
  }
}

/**
 * `KUBEREACH_SCALE_STATE_DIR`: the state folder of a `scale` sandbox already running with the same
 * `--pods` and `--namespaces` (`npm run sandbox -- --scenario scale … --state-dir DIR`), so that
 * repeated runs need not start 100,000 Pods each time; the sandbox is then left running.
 */
const reused = process.env.KUBEREACH_SCALE_STATE_DIR;
const sandbox: Pick<SandboxProcess, 'kubeconfigPath' | 'admin' | 'startupMs' | 'rssBytes' | 'stop'> =
  reused === undefined
    ? await spawnSandbox(
        ['--scenario', 'scale', '--pods', String(pods), '--namespaces', String(namespaceCount)],
        { timeoutMs: 900_000 },
      )
    : {
        kubeconfigPath: join(reused, 'kubeconfig'),
        admin: JSON.parse(readFileSync(join(reused, 'admin.json'), 'utf8')) as SandboxProcess['admin'],
        startupMs: Number.NaN,
        rssBytes: () => Number.NaN,
        stop: async () => undefined,
      };
try {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(sandbox.kubeconfigPath);
  const rounds: Round[] = [];
  const baselines: { ms: number; count: number; bytes: number }[] = [];
  for (let i = 0; i < runs; i++) {
    // The first round comes before any baseline so that its RSS growth is the cache's alone.
    await settle();
    rounds.push(await round(sandbox.kubeconfigPath));
    // From a collected heap and a settled sandbox, as each round starts: the round's garbage is not
    // L's to collect, nor L's the next round's.
    await settle();
    heapUsed();
    const baseline = await listAllPods(kubeConfig);
    if (baseline.count !== pods) {
      throw new Error(`the baseline listed ${baseline.count} Pods, expected ${pods}`);
    }
    baselines.push(baseline);
    console.error(
      `round ${i + 1}: L ${baseline.ms.toFixed(0)} ms, open ${rounds[i]!.openMs.toFixed(0)} ms, ` +
        `heap ${rounds[i]!.heapMb.toFixed(1)} MB (${rounds[i]!.mode})`,
    );
  }
  const L = median(baselines.map((b) => b.ms));
  const baseline = { name: 'L: GET /api/v1/pods + JSON.parse', value: L };
  const med = (pick: (r: Round) => number) => median(rounds.map(pick));
  const openMs = med((r) => r.openMs);
  const firstMs = med((r) => r.firstNamespaceMs);
  const heapMb = med((r) => r.heapMb);
  const rssGrowthMb = rounds[0]!.rssGrowthMb;
  const childMs = med((r) => r.childMs);
  const filterMs = med((r) => r.filterMs);
  const large = rounds[0]!;
  const churned = churnSeconds > 0 ? await churn(sandbox.kubeconfigPath, sandbox.admin) : undefined;
  if (churned !== undefined) {
    console.error(
      `churn: ${churned.updates} updates in ${churned.seconds.toFixed(1)} s, ${churned.refreshesPerSecond.toFixed(1)} refreshes/s, ` +
        `${churned.busyCores.toFixed(2)} cores (idle ${churned.idleCores.toFixed(2)}), heap ${churned.heapBeforeMb.toFixed(1)} → ${churned.heapAfterMb.toFixed(1)} MB`,
    );
  }
  report(
    {
      benchmark: 'scale',
      metrics: [
        metric(
          `open view → ${namespaceCount} namespaces with Pod counts (${pods} Pods)`,
          'ms',
          openMs,
          baseline,
          {
            description: 'within 1.5 × L',
            met: openMs <= 1.5 * L,
          },
        ),
        // No floor: how long the rest (Services, EndpointSlices, policies, Ingresses) takes after the counts.
        metric(
          `open view → every namespace fully listed (${pods} Pods)`,
          'ms',
          med((r) => r.syncedMs),
          baseline,
        ),
        metric(
          `open the first namespace → its ${large.firstNamespacePods} Pods listed`,
          'ms',
          firstMs,
          baseline,
          { description: 'within 0.5 × L', met: firstMs <= 0.5 * L },
        ),
        metric(`heap of session, cache and tree at ${pods} Pods`, 'MB', heapMb, undefined, {
          description: 'at most 250 MB',
          met: heapMb <= 250,
        }),
        metric(`RSS growth of this process at ${pods} Pods (first round)`, 'MB', rssGrowthMb, undefined, {
          description: 'at most 400 MB',
          met: rssGrowthMb <= 400,
        }),
        // No floor: the issue sets none for Services; reported so that a regression shows.
        metric(
          `its ${large.largeServices} Services drawn (getChildren and each row's item)`,
          'ms',
          med((r) => r.servicesMs),
        ),
        metric(`getChildren of a ${large.largePods}-Pod namespace (median of 20)`, 'ms', childMs, undefined, {
          description: 'within 20 ms',
          met: childMs <= 20,
        }),
        metric(`label filter over it (${large.filtered} match, median of 20)`, 'ms', filterMs, undefined, {
          description: 'within 50 ms',
          met: filterMs <= 50,
        }),
        ...(churned === undefined
          ? []
          : [
              metric(
                `tree refreshes a second under ${churned.updates} Pod updates in ${churned.seconds.toFixed(0)} s`,
                'refreshes/s',
                churned.refreshesPerSecond,
                { name: 'Pod updates a second', value: churned.updates / churned.seconds },
                { description: 'at most 10 a second', met: churned.refreshesPerSecond <= 10 },
              ),
              metric(
                'CPU of this process during the churn',
                'cores',
                churned.busyCores,
                { name: 'the same session idle', value: churned.idleCores },
                { description: 'under half a core', met: churned.busyCores < 0.5 },
              ),
              metric(
                'heap after the churn (after GC)',
                'MB',
                churned.heapAfterMb,
                { name: 'heap before it', value: churned.heapBeforeMb },
                {
                  description: 'no growth (within 5 %)',
                  met: churned.heapAfterMb <= churned.heapBeforeMb * 1.05,
                },
              ),
            ]),
      ],
      details: {
        pods,
        churn: churned ?? 'skipped',
        loadAverage: (await import('node:os')).loadavg(),
        namespaces: namespaceCount,
        runs,
        sandboxStartupMs: sandbox.startupMs,
        sandboxRssMb: sandbox.rssBytes() / 1e6,
        baselineBytes: baselines[0]!.bytes,
        baselineTimes: baselines.map((b) => b.ms),
        rounds,
      },
    },
    startedAt,
  );
} finally {
  await sandbox.stop();
}
