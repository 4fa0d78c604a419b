/**
 * The engine around diagnoseStatic, without a cluster: the probe hop read against the static hops
 * (Service problem versus Pod problem, contradictions), the Diagnoser over a stand-in cache and
 * prober (concurrency, cancellation, namespaces to watch, timings), the policy matrix and the
 * probes laid over it, the Markdown export, and the snapshot helpers.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import type { DiagnosisTarget, StaticDiagnosis } from '../../../src/analysis/diagnosis/index.ts';
import { diagnoseStatic } from '../../../src/analysis/diagnosis/index.ts';
import type { NetworkPolicy } from '../../../src/analysis/k8s.ts';
import type { ClusterChange } from '../../../src/cluster/changes.ts';
import { Diagnoser, DiagnoseError, plannedProbes } from '../../../src/diagnose/diagnoser.ts';
import type { ProbeRunner } from '../../../src/diagnose/diagnoser.ts';
import { escapeMarkdown, toMarkdown } from '../../../src/diagnose/markdown.ts';
import { matrixProbeSets, overlayProbes, policyMatrix } from '../../../src/diagnose/policyMatrix.ts';
import { concludeWithProbe, probeHop } from '../../../src/diagnose/probeHop.ts';
import { namespacesFor, networkPolicyFromModel } from '../../../src/diagnose/snapshot.ts';
import type { DiagnosisCache } from '../../../src/diagnose/snapshot.ts';
import type { DiagnosisProbe } from '../../../src/diagnose/types.ts';
import type { MatrixGrid } from '../../../src/probe/matrix.ts';
import type { ProbeResult, ProbeTarget, ProbeVerdict } from '../../../src/probe/types.ts';
import {
  dbAllowBackendOnly,
  input,
  namespaces,
  pods,
  services,
  slicesFor,
} from '../analysis/diagnosis/world.ts';

function result(
  verdict: ProbeVerdict,
  host: string,
  port: number,
  extra: Partial<ProbeResult> = {},
  source = { namespace: 'shop', pod: 'frontend-7d9c-abcde' },
): ProbeResult {
  const reachable = verdict === 'reachable' || verdict === 'http-error-status';
  return {
    source: { ...source, debugContainer: false },
    target: { label: `${host}:${port}`, protocol: 'tcp', host, port },
    verdict,
    reachable,
    message: `${verdict} at ${host}:${port}.`,
    elapsedMs: 12,
    stdout: '',
    stderr: '',
    notes: [],
    startedAt: '2024-01-01T00:00:00.000Z',
    command: `kubectl exec -n shop frontend -- nc -z ${host} ${port}`,
    ...extra,
  };
}

/** The probes a static diagnosis plans, each answered with the verdict `answer` gives. */
function probesFor(
  diagnosis: StaticDiagnosis,
  answer: (host: string, port: number) => ProbeVerdict,
): DiagnosisProbe[] {
  return plannedProbes(diagnosis.plan).map(({ probe, target }) => {
    const host = target.kind === 'pod' ? target.ip : target.kind === 'address' ? target.host : '';
    const port = target.kind === 'url' ? 0 : target.port;
    return { ...probe, result: result(answer(host, port), host, port) };
  });
}

function probeHopOf(
  target: DiagnosisTarget,
  answer: (host: string, port: number) => ProbeVerdict,
  policies?: NetworkPolicy[],
) {
  const diagnosis = diagnoseStatic(
    input(target, policies === undefined ? {} : { networkPolicies: policies }),
  );
  const probes = probesFor(diagnosis, answer);
  const hop = probeHop(diagnosis, probes);
  const hops = diagnosis.hops.map((candidate) => (candidate.id === 'probe' ? hop : candidate));
  return { diagnosis, hop, conclusion: concludeWithProbe(diagnosis, hops) };
}

const backend: DiagnosisTarget = { kind: 'service', namespace: 'shop', name: 'backend', port: 80 };

describe('the probe hop', () => {
  test('the Service and each Pod answer: passed', () => {
    const { hop, conclusion } = probeHopOf(backend, () => 'reachable');
    assert.equal(hop.status, 'passed');
    assert.equal(hop.summary, 'backend:80 answered in 12 ms, and so did each of its 2 Pods directly.');
    assert.equal(hop.evidence.length, 3);
    assert.equal(
      conclusion.sentence,
      'shop/frontend-7d9c-abcde reaches backend.shop:80: every hop checked passed, and so did the live probe.',
    );
  });

  test('the Pods answer directly and the Service does not: a Service problem', () => {
    const { hop, conclusion } = probeHopOf(backend, (host) => (host === 'backend' ? 'refused' : 'reachable'));
    assert.equal(hop.status, 'failed');
    assert.match(hop.summary, /its 2 Pods answer directly on the targetPort: the problem is in the Service/);
    assert.equal(conclusion.failedHop, 'probe');
  });

  test('neither answers: a Pod problem; refused means nothing listens there', () => {
    const { hop } = probeHopOf(backend, () => 'refused');
    assert.match(
      hop.summary,
      /and its 2 Pods refused the connection when probed directly too: the problem is at the Pods/,
    );
    assert.match(hop.summary, /refused means nothing listens on port 8080/);
    assert.match(hop.fix!, /listens on that port on every interface \(0\.0\.0\.0\)/);
  });

  test('one Pod does not answer: connections the Service sends there fail', () => {
    const { hop } = probeHopOf(backend, (host) => (host === '10.244.1.21' ? 'timeout' : 'reachable'));
    assert.equal(hop.status, 'failed');
    assert.match(hop.summary, /^backend:80 answered, but backend-5f6a-bbbbb timed out when probed directly/);
  });

  test('timeouts the NetworkPolicies predict, and ones they do not explain', () => {
    const db: DiagnosisTarget = { kind: 'service', namespace: 'data', name: 'db', port: 5432 };
    const predicted = probeHopOf(db, () => 'timeout');
    assert.match(predicted.hop.summary, /the packets are dropped, as the NetworkPolicy verdict predicts/);
    assert.equal(predicted.conclusion.failedHop, 'ingress');
    const unexplained = probeHopOf(db, () => 'timeout', []);
    assert.equal(unexplained.conclusion.failedHop, 'probe');
    assert.ok(
      unexplained.hop.evidence.some((line) =>
        /timed out though no NetworkPolicy in view denies it/.test(line),
      ),
    );
    assert.match(unexplained.hop.fix!, /Calico GlobalNetworkPolicy/);
  });

  test('a probe that gets through what the policies deny: the plugin may not enforce them', () => {
    const { hop, conclusion } = probeHopOf(
      { kind: 'service', namespace: 'data', name: 'db', port: 5432 },
      () => 'reachable',
    );
    assert.equal(hop.status, 'passed');
    assert.match(hop.summary, /the network plugin of this cluster may not enforce NetworkPolicy/);
    assert.equal(conclusion.failedHop, 'ingress');
    assert.match(
      conclusion.sentence,
      /Yet the live probe got through: the network plugin may not enforce NetworkPolicy\.$/,
    );
  });

  test('the not-ready Pod answers directly: readiness, not the network', () => {
    const { hop } = probeHopOf({ kind: 'service', namespace: 'shop', name: 'checkout', port: 80 }, (host) =>
      host === 'checkout' ? 'refused' : 'reachable',
    );
    assert.match(
      hop.summary,
      /it is not ready, so the Service sends it nothing\. Readiness, not the network, is the problem\./,
    );
  });

  test('a name that does not resolve', () => {
    const { hop } = probeHopOf({ kind: 'dns', name: 'bakend', port: 80 }, () => 'dns');
    assert.equal(hop.status, 'failed');
    assert.match(hop.summary, /^bakend:80 does not resolve from frontend-7d9c-abcde/);
  });

  test('no tool to probe with: unknown, with the debug container offer', () => {
    const diagnosis = diagnoseStatic(input(backend));
    const probes = plannedProbes(diagnosis.plan).map(({ probe }) => ({
      ...probe,
      result: result('no-tool', 'x', 1, {
        suggestion: {
          kind: 'add-debug-container',
          image: 'nicolaka/netshoot',
          message: 'Add a debug container?',
        },
      }),
    }));
    const hop = probeHop(diagnosis, probes);
    assert.equal(hop.status, 'unknown');
    assert.equal(hop.fix, 'Add a debug container?');
    const hops = diagnosis.hops.map((candidate) => (candidate.id === 'probe' ? hop : candidate));
    assert.match(
      concludeWithProbe(diagnosis, hops).sentence,
      /^Nothing in the cluster state stops .* but the live probe could not tell/,
    );
  });

  test('nothing to probe', () => {
    const diagnosis = diagnoseStatic(input({ kind: 'pod', namespace: 'shop', name: 'nope', port: 80 }));
    assert.equal(
      probeHop(diagnosis, []).summary,
      'Nothing to probe: the target has no address and port to connect to.',
    );
  });

  test('planned probes: the target by the name the application uses, the Pods by IP, HTTP when the port says so', () => {
    const diagnosis = diagnoseStatic(input(backend));
    const planned = plannedProbes(diagnosis.plan);
    assert.deepEqual(
      planned.map(({ target }) => target),
      [
        { kind: 'address', host: 'backend', port: 80, label: 'backend:80', protocol: 'http' },
        {
          kind: 'pod',
          namespace: 'shop',
          name: 'backend-5f6a-aaaaa',
          ip: '10.244.1.20',
          port: 8080,
          label: '10.244.1.20:8080',
          protocol: 'http',
        },
        {
          kind: 'pod',
          namespace: 'shop',
          name: 'backend-5f6a-bbbbb',
          ip: '10.244.1.21',
          port: 8080,
          label: '10.244.1.21:8080',
          protocol: 'http',
        },
      ],
    );
    const tcp = plannedProbes(diagnosis.plan, { protocol: 'tcp' });
    assert.ok(tcp.every(({ target }) => target.protocol === 'tcp'));
    const withPath = plannedProbes(diagnosis.plan, { http: { path: '/healthz', expectedStatus: 200 } });
    assert.deepEqual(withPath[0]!.target.http, { path: '/healthz', expectedStatus: 200 });
  });
});

// --- the Diagnoser over stand-ins ---------------------------------------------------------------

interface StandIn {
  cache: DiagnosisCache;
  watched: Set<string>;
  synced: Set<string>;
  emit(): void;
}

/** `forbidden`: watched namespaces whose Pods and Services the identity may not list (settled, empty). */
function standInCache(watched = ['shop', 'data', 'tools'], forbidden: readonly string[] = []): StandIn {
  const slices = slicesFor(services, pods);
  const watchedSet = new Set(watched);
  const synced = new Set(watched);
  const listeners = new Set<(change: ClusterChange) => void>();
  const inNs = <T extends { metadata?: { namespace?: string } | null }>(list: readonly T[], ns: string) =>
    watchedSet.has(ns) && !forbidden.includes(ns)
      ? list.filter((item) => item.metadata?.namespace === ns)
      : [];
  const refused = { status: 'forbidden', message: 'pods is forbidden', listed: false };
  const cache = {
    contextName: 'stand-in',
    pods: (ns: string) => inNs(pods, ns),
    pod: (ns: string, name: string) => inNs(pods, ns).find((p) => p.metadata.name === name),
    services: (ns: string) => inNs(services, ns),
    endpointSlices: (ns: string, svc?: string) =>
      inNs(slices, ns).filter(
        (s) => svc === undefined || s.metadata?.labels?.['kubernetes.io/service-name'] === svc,
      ),
    networkPolicies: (ns: string) => inNs([dbAllowBackendOnly], ns),
    namespaces: () => namespaces,
    watchedNamespaces: () => [...watchedSet],
    isSynced: (ns?: string) => ns === undefined || synced.has(ns),
    namespaceStatus: (ns: string) =>
      watchedSet.has(ns)
        ? {
            pods: forbidden.includes(ns) ? refused : { status: 'synced' },
            services: forbidden.includes(ns) ? refused : { status: 'synced' },
            endpointSlices: { status: 'synced' },
            networkPolicies: { status: ns === 'tools' ? 'forbidden' : 'synced' },
          }
        : undefined,
    onDidChange: (listener: (change: ClusterChange) => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  } as unknown as DiagnosisCache;
  return {
    cache,
    watched: watchedSet,
    synced,
    emit: () => {
      for (const listener of listeners) {
        listener({} as ClusterChange);
      }
    },
  };
}

/** A prober answering from a table, after `delayMs`, honouring the signal; it counts what is in flight. */
function standInProber(answer: (target: ProbeTarget) => ProbeVerdict, delayMs = 20) {
  const calls: ProbeTarget[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const prober: ProbeRunner = {
    probe: (source, target, options = {}) => {
      calls.push(target);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const host = target.kind === 'pod' ? target.ip : target.kind === 'address' ? target.host : 'x';
      const port = target.kind === 'url' ? 0 : target.port;
      return new Promise<ProbeResult>((resolve) => {
        const finish = (verdict: ProbeVerdict) => {
          clearTimeout(timer);
          inFlight--;
          resolve(result(verdict, host, port, {}, { namespace: source.namespace, pod: source.pod }));
        };
        const timer = setTimeout(() => finish(answer(target)), delayMs);
        options.signal?.addEventListener('abort', () => finish('cancelled'), { once: true });
      });
    },
  };
  return { prober, calls, maxInFlight: () => maxInFlight };
}

const source = { namespace: 'shop', pod: 'frontend-7d9c-abcde' };

describe('the Diagnoser', () => {
  test('static hops, probes in parallel, conclusion and timings', async () => {
    const { cache } = standInCache();
    const { prober, calls, maxInFlight } = standInProber(() => 'reachable');
    const diagnoser = new Diagnoser({ cache, prober, timeoutMs: 1000 });
    const report = await diagnoser.diagnose(source, backend);
    assert.equal(report.conclusion.failedHop, undefined);
    assert.equal(report.hops.find((h) => h.id === 'probe')!.status, 'passed');
    assert.equal(calls.length, 3);
    assert.equal(maxInFlight(), 3, 'the probes run at once');
    assert.equal(report.context, 'stand-in');
    assert.equal(report.cancelled, false);
    assert.ok(report.timings.probeMs >= 15 && report.timings.probeMs < 1000, String(report.timings.probeMs));
    assert.ok(report.timings.staticMs < report.timings.totalMs);
    assert.ok(!Number.isNaN(Date.parse(report.startedAt)));
  });

  test('a target namespace the identity may not read: the hops say "unknown", never "not found"', async () => {
    const { cache } = standInCache(['shop', 'data', 'tools'], ['data']);
    const db: DiagnosisTarget = { kind: 'service', namespace: 'data', name: 'db', port: 5432 };
    const report = await new Diagnoser({ cache }).diagnose(source, db);
    const name = report.hops.find((h) => h.id === 'name')!;
    assert.equal(name.status, 'unknown', name.summary);
    assert.match(name.summary, /^This identity may not read the Pods or Services of namespace data \(403\)/);
    assert.equal(report.conclusion.failedHop, undefined, report.conclusion.sentence);
    assert.doesNotMatch(report.conclusion.sentence, /not found|does not exist|no Service/i);
  });

  test('concurrency bounds the probes in flight', async () => {
    const { cache } = standInCache();
    const { prober, maxInFlight } = standInProber(() => 'reachable');
    await new Diagnoser({ cache, prober, concurrency: 1 }).diagnose(source, backend);
    assert.equal(maxInFlight(), 1);
  });

  test('without a prober, or with probe: false, only the static hops', async () => {
    const { cache } = standInCache();
    const report = await new Diagnoser({ cache }).diagnose(source, backend);
    assert.deepEqual(report.probes, []);
    assert.equal(report.timings.probeMs, 0);
    assert.equal(report.hops.find((h) => h.id === 'probe')!.status, 'skipped');
    const { prober, calls } = standInProber(() => 'reachable');
    await new Diagnoser({ cache, prober }).diagnose(source, backend, { probe: false });
    assert.equal(calls.length, 0);
  });

  test('a UDP target is not probed over TCP', async () => {
    const { cache } = standInCache();
    const { prober, calls } = standInProber(() => 'reachable');
    const report = await new Diagnoser({ cache, prober }).diagnose(source, {
      kind: 'pod',
      namespace: 'shop',
      name: 'checkout',
      port: 8125,
      protocol: 'UDP',
    });
    assert.equal(calls.length, 0);
    assert.equal(
      report.hops.find((h) => h.id === 'probe')!.summary,
      'The probe tools connect over TCP; a UDP port cannot be checked live.',
    );
  });

  test('cancellation: the probes in flight end, the report says so', async () => {
    const { cache } = standInCache();
    const { prober } = standInProber(() => 'timeout', 5000);
    const controller = new AbortController();
    const pending = new Diagnoser({ cache, prober }).diagnose(source, backend, { signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    const report = await pending;
    assert.equal(report.cancelled, true);
    assert.ok(report.probes.every((probe) => probe.result.verdict === 'cancelled'));
    assert.equal(report.hops.find((h) => h.id === 'probe')!.status, 'unknown');
  });

  test('a source Pod that is not in the cache is a DiagnoseError', async () => {
    const { cache } = standInCache();
    await assert.rejects(
      new Diagnoser({ cache }).diagnose({ namespace: 'shop', pod: 'gone' }, backend),
      (error: unknown) =>
        error instanceof DiagnoseError && /Pod shop\/gone is not in the cache/.test(error.message),
    );
  });

  test('namespaces not watched are asked for and awaited, then diagnosed', async () => {
    const standIn = standInCache(['shop']);
    const asked: string[][] = [];
    const diagnoser = new Diagnoser({
      cache: standIn.cache,
      watchNamespaces: (names) => {
        asked.push([...names]);
        setTimeout(() => {
          for (const name of names) {
            standIn.watched.add(name);
          }
          standIn.emit();
        }, 10);
      },
    });
    for (const name of ['data']) {
      standIn.synced.delete(name);
    }
    const pending = diagnoser.diagnose(source, { kind: 'dns', name: 'db.data', port: 5432 });
    setTimeout(() => {
      standIn.synced.add('data');
      standIn.emit();
    }, 30);
    const report = await pending;
    assert.deepEqual(asked, [['data']]);
    assert.equal(report.conclusion.failedHop, 'ingress');
  });

  test('without the hook, a namespace not in view gives unknown hops rather than a wrong answer', async () => {
    const { cache } = standInCache(['shop']);
    const report = await new Diagnoser({ cache, syncTimeoutMs: 50 }).diagnose(source, {
      kind: 'service',
      namespace: 'data',
      name: 'db',
      port: 5432,
    });
    assert.equal(report.hops[0]!.status, 'unknown');
    assert.equal(report.conclusion.failedHop, undefined);
  });

  test('NetworkPolicies that may not be read give unknown', async () => {
    const { cache } = standInCache();
    const report = await new Diagnoser({ cache }).diagnose(source, {
      kind: 'pod',
      namespace: 'tools',
      name: 'busybox',
      port: 80,
    });
    assert.equal(report.hops.find((h) => h.id === 'ingress')!.status, 'unknown');
  });

  test('the static part alone, synchronously', () => {
    const { cache } = standInCache();
    const { diagnosis, staticMs } = new Diagnoser({ cache }).diagnoseStatic(source, {
      kind: 'service',
      namespace: 'shop',
      name: 'payments',
      port: 9100,
    });
    assert.equal(diagnosis.conclusion.failedHop, 'port');
    assert.ok(staticMs >= 0 && staticMs < 1000);
  });
});

describe('snapshot helpers', () => {
  test("client-node's _from becomes from", () => {
    const model = {
      metadata: { namespace: 'data', name: 'p' },
      spec: {
        podSelector: {},
        ingress: [
          { _from: [{ podSelector: { matchLabels: { app: 'x' } } }], ports: [{ port: 80 }] },
          { ports: [] },
        ],
      },
    };
    assert.deepEqual(networkPolicyFromModel(model).spec?.ingress, [
      { from: [{ podSelector: { matchLabels: { app: 'x' } } }], ports: [{ port: 80 }] },
      { ports: [] },
    ]);
    const plain = { metadata: { name: 'q' }, spec: { ingress: [{ from: [] }] } };
    assert.equal(networkPolicyFromModel(plain), plain);
  });

  test('the namespaces a target needs', () => {
    assert.deepEqual(namespacesFor('shop', { kind: 'service', namespace: 'data', name: 'db', port: 1 }), [
      'shop',
      'data',
    ]);
    assert.deepEqual(namespacesFor('shop', { kind: 'dns', name: 'db.data', port: 1 }), ['shop', 'data']);
    assert.deepEqual(namespacesFor('shop', { kind: 'dns', name: 'db.data.svc.cluster.local', port: 1 }), [
      'shop',
      'data',
    ]);
    assert.deepEqual(namespacesFor('shop', { kind: 'dns', name: 'backend', port: 1 }), ['shop']);
    // example.com is first looked up as example.com.svc.cluster.local: Service example in namespace com.
    assert.deepEqual(namespacesFor('shop', { kind: 'dns', name: 'example.com', port: 1 }), ['shop', 'com']);
    assert.deepEqual(namespacesFor('shop', { kind: 'dns', name: '10.0.0.1', port: 1 }), ['shop']);
  });
});

// --- the policy matrix -------------------------------------------------------------------------

describe('the policy matrix', () => {
  const view = {
    networkPolicies: (ns: string) => (ns === 'data' ? [dbAllowBackendOnly] : []),
    namespaces: () => namespaces,
  } as unknown as Parameters<typeof policyMatrix>[1];
  const matrixPods = pods.filter((p) =>
    ['frontend-7d9c-abcde', 'backend-5f6a-aaaaa', 'db-0'].includes(p.metadata.name!),
  );
  const matrix = policyMatrix(matrixPods, view);

  test('every ordered pair with its verdict and the deciding policy and rule', () => {
    assert.deepEqual(
      matrix.pods.map((p) => [p.name, p.port, p.declared]),
      [
        ['frontend-7d9c-abcde', 8080, true],
        ['backend-5f6a-aaaaa', 8080, true],
        ['db-0', 5432, true],
      ],
    );
    assert.deepEqual(
      matrix.cells.map((row) => row.map((cell) => (cell.allowed ? '.' : 'X')).join('')),
      ['..X', '...', '...'],
    );
    const denied = matrix.cells[0]![2]!;
    assert.equal(denied.deciding, 'data/db-allow-backend-only');
    assert.deepEqual(denied.ingress.isolatedBy, ['data/db-allow-backend-only']);
    assert.match(denied.reason, /no rule admits shop\/frontend-7d9c-abcde on TCP 5432/);
    const admitted = matrix.cells[1]![2]!;
    assert.equal(admitted.ingress.rule, 'ingress[0].from[0].ports[0]');
    assert.equal(admitted.deciding, 'data/db-allow-backend-only');
    assert.equal(matrix.cells[0]![1]!.deciding, undefined, 'no policy involved');
    assert.equal(matrix.cells[2]![2]!.allowed, true, 'a Pod cannot block access to itself');
    assert.deepEqual(matrix.policies, ['data/db-allow-backend-only']);
  });

  test('one port for every pair, and a default for Pods that declare none', () => {
    assert.ok(
      policyMatrix(matrixPods, view, { port: 9999 }).pods.every((p) => p.port === 9999 && !p.declared),
    );
    const busybox = pods.find((p) => p.metadata.name === 'busybox')!;
    assert.equal(policyMatrix([busybox], view, { defaultPort: 7 }).pods[0]!.port, 7);
  });

  test('probe sets: every Pod a source, every Pod with an IP a TCP target on its matrix port', () => {
    const { sources, targets } = matrixProbeSets(matrix);
    assert.equal(sources.length, 3);
    assert.deepEqual(targets[2], {
      kind: 'pod',
      namespace: 'data',
      name: 'db-0',
      ip: '10.244.2.10',
      port: 5432,
      protocol: 'tcp',
    });
  });

  function grid(verdict: (row: number, column: number) => ProbeVerdict | null): MatrixGrid {
    const { sources, targets } = matrixProbeSets(matrix);
    // A shuffled grid: the overlay matches cells by source Pod and target address, not by position.
    const order = [...targets].reverse();
    return {
      sources: sources.map((s) => s.pod),
      targets: order.map((t) => (t.kind === 'pod' ? t.name : '')),
      cells: sources.map((s, row) =>
        order.map((t) => {
          const column = targets.indexOf(t);
          const v = verdict(row, column);
          return v === null || t.kind !== 'pod'
            ? null
            : result(v, t.ip, t.port, {}, { namespace: s.namespace, pod: s.pod });
        }),
      ),
      cancelled: false,
      completed: 9,
      total: 9,
      concurrency: 8,
      elapsedMs: 100,
      startedAt: '2024-01-01T00:00:00.000Z',
    };
  }

  test('probes that do what the policies say agree', () => {
    const overlay = overlayProbes(
      matrix,
      grid((row, column) => (column === 2 && row === 0 ? 'timeout' : 'reachable')),
    );
    assert.equal(overlay.disagreements.length, 0);
    assert.equal(overlay.policiesNotEnforced, false);
    assert.equal(overlay.summary, '9 of 9 pairs agree with the NetworkPolicies, 0 disagree.');
  });

  test('a plugin that does not enforce policies: every denied pair got through', () => {
    const overlay = overlayProbes(
      matrix,
      grid(() => 'reachable'),
    );
    assert.equal(overlay.policiesNotEnforced, true);
    assert.equal(overlay.disagreements.length, 1);
    assert.match(
      overlay.disagreements[0]!.explanation!,
      /^Policy data\/db-allow-backend-only denies this connection, but the probe got through/,
    );
    assert.match(overlay.summary, /does not seem to enforce NetworkPolicy/);
  });

  test('a drop no policy explains, refusals, inconclusive and missing cells', () => {
    const overlay = overlayProbes(
      matrix,
      grid((row, column) => {
        if (row === 1 && column === 0) {
          return 'timeout';
        }
        if (row === 2 && column === 0) {
          return 'refused';
        }
        if (row === 2 && column === 1) {
          return 'no-tool';
        }
        if (row === 0 && column === 2) {
          return 'refused';
        }
        return row === 2 && column === 2 ? null : 'reachable';
      }),
    );
    const cell = (row: number, column: number) => overlay.cells[row]![column]!;
    assert.equal(cell(1, 0).agreement, 'disagree');
    assert.match(cell(1, 0).explanation!, /allow this connection, but the probe timed out/);
    assert.equal(cell(2, 0).agreement, 'agree', 'refused: the connection got to the Pod');
    assert.equal(cell(2, 1).agreement, 'inconclusive');
    assert.equal(cell(0, 2).agreement, 'inconclusive', 'denied but refused rather than dropped');
    assert.equal(cell(2, 2).agreement, 'not-probed');
    assert.match(
      overlay.summary,
      /, 1 disagree, 2 could not be told, 1 were not probed\. See the flagged pairs\.$/,
    );
  });

  test('client-node models: policies read through _from', () => {
    const model = {
      metadata: dbAllowBackendOnly.metadata,
      spec: {
        ...dbAllowBackendOnly.spec,
        ingress: [
          {
            _from: dbAllowBackendOnly.spec!.ingress![0]!.from,
            ports: dbAllowBackendOnly.spec!.ingress![0]!.ports,
          },
        ],
      },
    };
    const modelView = {
      networkPolicies: (ns: string) => (ns === 'data' ? [model] : []),
      namespaces: () => namespaces,
    } as unknown as Parameters<typeof policyMatrix>[1];
    const fromModels = policyMatrix(matrixPods as unknown as V1Pod[], modelView);
    assert.equal(fromModels.cells[0]![2]!.allowed, false);
    assert.equal(fromModels.cells[1]![2]!.allowed, true);
  });
});

// --- Markdown -----------------------------------------------------------------------------------

describe('Markdown export', () => {
  test('the conclusion, fix with its YAML, hops, probes with their commands, timings', async () => {
    const { cache } = standInCache();
    const { prober } = standInProber(() => 'timeout');
    const report = await new Diagnoser({ cache, prober }).diagnose(source, {
      kind: 'service',
      namespace: 'data',
      name: 'db',
      port: 5432,
    });
    const markdown = toMarkdown(report);
    assert.match(
      markdown,
      /^# Connectivity diagnosis: shop\/frontend-7d9c-abcde → db\.data:5432\n\nContext stand-in, /,
    );
    assert.match(
      markdown,
      /\*\*Conclusion:\*\* shop\/frontend-7d9c-abcde cannot reach db\.data:5432 because policy data\/db-allow-backend-only/,
    );
    assert.match(
      markdown,
      /\*\*Fix:\*\* Add a rule to NetworkPolicy data\/db-allow-backend-only .*spec\.ingress:\n\n```yaml\n- from: \[\{namespaceSelector: .*\n {2}ports: \[\{protocol: TCP, port: 5432\}\]\n```\n\nOr connect from a Pod the policy already admits\./,
    );
    assert.match(markdown, /\*\*Object to change:\*\* NetworkPolicy data\/db-allow-backend-only/);
    assert.match(
      markdown,
      /\| 7 \| NetworkPolicy ingress of the target \| ❌ failed \| Policy data\/db-allow-backend-only/,
    );
    assert.match(markdown, /\| 8 \| Live probe \| ❌ failed \|/);
    assert.match(markdown, /## Probes\n\n\| Probe \| Verdict \| Time \| Message \|/);
    assert.match(markdown, /```sh\nkubectl exec -n shop frontend -- nc -z db\.data 5432\n/);
    assert.match(markdown, /Static part [\d.]+ ms, probes [\d.]+ ms, total [\d.]+ ms\.\n$/);
    // Passed hops do not call their object one "to change".
    assert.equal(
      markdown.match(/\*\*Object to change:\*\*/g)!.length,
      2,
      'the conclusion and the failed hop',
    );
  });

  test('cluster data cannot inject Markdown; code spans in fixes stay code', async () => {
    assert.equal(escapeMarkdown('a|b *c* [d](e) <f> `g`\nh'), 'a\\|b \\*c\\* \\[d\\](e) \\<f\\> \\`g\\` h');
    const { cache } = standInCache();
    const report = await new Diagnoser({ cache }).diagnose(source, {
      kind: 'service',
      namespace: 'shop',
      name: 'checkout',
      port: 80,
    });
    assert.match(toMarkdown(report), /`kubectl describe pod -n shop checkout` shows its failures/);
  });
});
