/**
 * "Diagnose Connectivity" against the demo scenario, through the real cache (client-node informers
 * over real sockets) and real probes (exec into the source Pod): each broken case of the scenario is
 * named at the right hop with the right fix, the working case passes every hop including the live
 * probe, and the policy matrix agrees with the data plane.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ClusterCache } from '../../../src/cluster/cache.ts';
import { Diagnoser } from '../../../src/diagnose/diagnoser.ts';
import { readinessEventReader } from '../../../src/diagnose/events.ts';
import { toMarkdown } from '../../../src/diagnose/markdown.ts';
import { matrixProbeSets, overlayProbes, policyMatrix } from '../../../src/diagnose/policyMatrix.ts';
import type { DiagnosisReport, DiagnosisTarget, HopId, HopStatus } from '../../../src/diagnose/types.ts';
import { Prober } from '../../../src/probe/prober.ts';
import { useSandbox, waitFor } from '../../support/sandbox.ts';

const TIMEOUT_MS = 1000;

function statuses(report: DiagnosisReport): Record<HopId, HopStatus> {
  return Object.fromEntries(report.hops.map((hop) => [hop.id, hop.status])) as Record<HopId, HopStatus>;
}

function hop(report: DiagnosisReport, id: HopId) {
  return report.hops.find((candidate) => candidate.id === id)!;
}

describe('Diagnose Connectivity (demo scenario)', () => {
  const fixture = useSandbox({ scenario: 'demo' });
  let cache: ClusterCache;
  let diagnoser: Diagnoser;
  let frontend: string;

  before(async () => {
    cache = new ClusterCache(fixture.kubeconfig, { contextName: fixture.sandbox.context });
    await waitFor('namespaces synced', () => cache.isSynced());
    cache.setWatchedNamespaces(['shop', 'data', 'tools']);
    await waitFor('shop, data and tools synced', () =>
      ['shop', 'data', 'tools'].every((ns) => cache.isSynced(ns)),
    );
    await waitFor('the frontend Pods ready with IPs', () => {
      const pods = cache.pods('shop').filter((pod) => pod.metadata?.labels?.app === 'frontend');
      return pods.length === 2 && pods.every((pod) => pod.status?.podIP) && pods;
    });
    await waitFor('backend endpoints ready', () =>
      cache
        .endpointSlices('shop', 'backend')
        .some((slice) => (slice.endpoints ?? []).filter((e) => e.conditions?.ready).length === 2),
    );
    frontend = cache
      .pods('shop')
      .filter((pod) => pod.metadata?.labels?.app === 'frontend')
      .map((pod) => pod.metadata!.name!)
      .sort()[0]!;
    diagnoser = new Diagnoser({
      cache,
      prober: new Prober({ kubeconfig: fixture.kubeconfig, timeoutMs: TIMEOUT_MS }),
      readinessEvents: readinessEventReader(fixture.kubeconfig),
    });
  });

  after(() => {
    cache?.dispose();
  });

  const diagnose = (target: DiagnosisTarget) =>
    diagnoser.diagnose({ namespace: 'shop', pod: frontend }, target);

  test('frontend → backend: every hop passes, the live probe included', async () => {
    const report = await diagnose({ kind: 'service', namespace: 'shop', name: 'backend', port: 80 });
    assert.deepEqual(statuses(report), {
      name: 'passed',
      service: 'passed',
      selector: 'passed',
      endpoints: 'passed',
      port: 'passed',
      egress: 'passed',
      ingress: 'passed',
      probe: 'passed',
    });
    assert.equal(report.conclusion.failedHop, undefined);
    assert.match(
      report.conclusion.sentence,
      /reaches backend\.shop:80: every hop checked passed, and so did the live probe/,
    );
    // The Service by name, and each of the two backends directly on the resolved targetPort.
    assert.deepEqual(
      report.probes.map((probe) => [probe.role, probe.result.verdict, probe.result.target.port]),
      [
        ['target', 'reachable', 80],
        ['pod', 'reachable', 8080],
        ['pod', 'reachable', 8080],
      ],
    );
    assert.equal(report.probes[0]!.result.target.host, 'backend');
    assert.equal(report.probes[0]!.result.httpStatus, 200);
    assert.equal(report.resolved.kind, 'service');
    assert.ok(report.timings.staticMs > 0 && report.timings.probeMs > 0);
    assert.ok(report.timings.totalMs >= report.timings.staticMs + report.timings.probeMs - 1);
    const markdown = toMarkdown(report);
    assert.match(markdown, /^# Connectivity diagnosis: shop\/frontend-/);
    assert.match(markdown, /\| 8 \| Live probe \| ✅ passed \|/);
    assert.match(markdown, /kubectl --context kubereach-sandbox exec -n shop/);
  });

  test('shop/legacy-api: the selector matches no Pod', async () => {
    const report = await diagnose({ kind: 'service', namespace: 'shop', name: 'legacy-api', port: 80 });
    assert.equal(report.conclusion.failedHop, 'selector');
    assert.match(report.conclusion.sentence, /Service shop\/legacy-api selects no Pod/);
    assert.match(report.conclusion.fix!, /labelled \{app: legacy-api\}, or change its selector/);
    assert.deepEqual(report.conclusion.manifest, { kind: 'Service', namespace: 'shop', name: 'legacy-api' });
    assert.equal(hop(report, 'endpoints').status, 'failed');
    // No ready endpoint: the ClusterIP refuses, and there is no Pod to probe directly.
    assert.equal(report.probes.length, 1);
    assert.equal(report.probes[0]!.result.verdict, 'refused');
    assert.equal(hop(report, 'probe').status, 'failed');
  });

  test('shop/payments: the named targetPort is declared by no container', async () => {
    const report = await diagnose({ kind: 'service', namespace: 'shop', name: 'payments', port: 9100 });
    assert.equal(report.conclusion.failedHop, 'port');
    assert.match(
      report.conclusion.sentence,
      /targetPort "metrics" of Service shop\/payments port 9100 resolves on none of its 2 Pods/,
    );
    assert.match(
      report.conclusion.fix!,
      /Set targetPort of port 9100 in Service shop\/payments to a port the Pods declare \(http, grpc\)/,
    );
    assert.match(report.conclusion.fix!, /Deployment shop\/backend/);
    assert.deepEqual(report.conclusion.manifest, { kind: 'Service', namespace: 'shop', name: 'payments' });
    assert.deepEqual(
      [hop(report, 'selector').status, hop(report, 'endpoints').status],
      ['passed', 'passed'],
      'the Pods are there and ready; only the port is wrong',
    );
    assert.equal(report.probes[0]!.result.verdict, 'refused');
  });

  test('frontend → data/db: dropped by NetworkPolicy data/db-allow-backend-only', async () => {
    const report = await diagnose({ kind: 'service', namespace: 'data', name: 'db', port: 5432 });
    assert.equal(report.conclusion.failedHop, 'ingress');
    assert.equal(hop(report, 'egress').status, 'passed');
    assert.match(
      report.conclusion.sentence,
      /policy data\/db-allow-backend-only isolates db-0 for ingress and no rule admits shop\/frontend-\S+ on TCP 5432/,
    );
    assert.deepEqual(report.conclusion.manifest, {
      kind: 'NetworkPolicy',
      namespace: 'data',
      name: 'db-allow-backend-only',
    });
    assert.match(
      report.conclusion.fix!,
      /- from: \[\{namespaceSelector: \{matchLabels: \{kubernetes\.io\/metadata\.name: shop\}\}, podSelector: \{matchLabels: \{app: frontend\}\}\}\]\n {2}ports: \[\{protocol: TCP, port: 5432\}\]/,
    );
    // The live probe agrees: both the Service and the Pod directly time out (dropped).
    assert.deepEqual(
      report.probes.map((probe) => [probe.role, probe.result.verdict]),
      [
        ['target', 'timeout'],
        ['pod', 'timeout'],
      ],
    );
    assert.equal(report.probes[0]!.result.target.host, 'db.data');
  });

  test('shop/checkout: its only Pod never becomes ready', async () => {
    const report = await diagnose({ kind: 'service', namespace: 'shop', name: 'checkout', port: 80 });
    assert.equal(report.conclusion.failedHop, 'selector');
    assert.match(report.conclusion.sentence, /selects 1 Pod and none is ready/);
    assert.match(report.conclusion.sentence, /readiness probe \(HTTP GET \/healthz on port http\)/);
    // The kubelet's own words, from the Pod's latest Unhealthy event (what kubectl describe shows).
    assert.match(
      report.conclusion.sentence,
      /the kubelet reports "Readiness probe failed: HTTP probe failed with statuscode: 503"/,
    );
    assert.match(report.conclusion.fix!, /pass its readiness probe/);
    assert.deepEqual(report.conclusion.manifest, { kind: 'Pod', namespace: 'shop', name: 'checkout' });
    // Through the Service: refused (no ready endpoint); the Pod directly answers (it listens, 503).
    const [service, pod] = report.probes;
    assert.equal(service!.result.verdict, 'refused');
    assert.equal(pod!.role, 'pod');
    assert.equal(pod!.result.reachable, true);
    assert.equal(pod!.result.httpStatus, 503);
    assert.match(
      hop(report, 'probe').summary,
      /its Pod answers directly on the targetPort: it is not ready, so the Service sends it nothing/,
    );
  });

  test('a misspelt Service name, bakend: the name does not resolve, and backend is suggested', async () => {
    const report = await diagnose({ kind: 'dns', name: 'bakend', port: 80 });
    assert.equal(report.conclusion.failedHop, 'name');
    assert.match(
      report.conclusion.sentence,
      /bakend does not resolve: there is no Service bakend in namespace shop/,
    );
    assert.equal(
      report.conclusion.fix,
      'Did you mean backend? Use backend or backend.shop (Service shop/backend).',
    );
    assert.equal(report.probes[0]!.result.verdict, 'dns');
    assert.equal(hop(report, 'probe').status, 'failed');
  });

  test('names through the search path, a ClusterIP, a Pod IP, and a Pod by name', async () => {
    for (const name of ['backend', 'backend.shop', 'backend.shop.svc', 'backend.shop.svc.cluster.local']) {
      const report = await diagnoser.diagnose(
        { namespace: 'shop', pod: frontend },
        { kind: 'dns', name, port: 80 },
        { probe: false },
      );
      assert.equal(report.resolved.kind === 'service' && report.resolved.name, 'backend', name);
      assert.equal(report.conclusion.failedHop, undefined, name);
    }
    const clusterIP = cache.service('shop', 'backend')!.spec!.clusterIP!;
    const byIp = await diagnose({ kind: 'dns', name: clusterIP, port: 80 });
    assert.equal(byIp.resolved.kind, 'service');
    assert.equal(hop(byIp, 'probe').status, 'passed');
    const db = cache.pod('data', 'db-0')!;
    const podByIp = await diagnose({ kind: 'dns', name: db.status!.podIP!, port: 5432 });
    assert.equal(podByIp.resolved.kind, 'pod');
    assert.equal(podByIp.conclusion.failedHop, 'ingress');
    const byPod = await diagnose({ kind: 'pod', namespace: 'data', name: 'db-0', port: 'postgres' });
    assert.equal(byPod.conclusion.failedHop, 'ingress');
    assert.equal(byPod.probes[0]!.result.verdict, 'timeout');
    // From a backend Pod the policy admits it.
    const backend = cache.pods('shop').find((pod) => pod.metadata?.labels?.app === 'backend')!;
    const admitted = await diagnoser.diagnose(
      { namespace: 'shop', pod: backend.metadata!.name! },
      { kind: 'dns', name: 'db.data', port: 5432 },
    );
    assert.equal(admitted.conclusion.failedHop, undefined, admitted.conclusion.sentence);
    assert.match(
      hop(admitted, 'ingress').summary,
      /policy data\/db-allow-backend-only admits this connection \(ingress\[0\]\.from\[0\]\.ports\[0\]\)/,
    );
    assert.equal(hop(admitted, 'probe').status, 'passed');
  });

  test('cancellation ends the probes and says so', async () => {
    const controller = new AbortController();
    const pending = diagnoser.diagnose(
      { namespace: 'shop', pod: frontend },
      { kind: 'service', namespace: 'data', name: 'db', port: 5432 },
      { signal: controller.signal, timeoutMs: 5000 },
    );
    setTimeout(() => controller.abort(), 100);
    const started = performance.now();
    const report = await pending;
    assert.ok(performance.now() - started < 2000);
    assert.equal(report.cancelled, true);
    assert.ok(report.probes.every((probe) => probe.result.verdict === 'cancelled'));
    assert.equal(hop(report, 'probe').status, 'unknown');
    assert.equal(report.conclusion.failedHop, 'ingress');
  });

  test('the policy matrix agrees with the data plane pair by pair', async () => {
    const pods = ['shop', 'data', 'tools']
      .flatMap((ns) => cache.pods(ns))
      .filter((pod) => pod.metadata!.name !== 'static-site');
    const matrix = policyMatrix(pods, cache);
    const names = matrix.pods.map((pod) => `${pod.namespace}/${pod.name}`);
    const db = names.indexOf('data/db-0');
    const frontendRow = names.indexOf(`shop/${frontend}`);
    const backendRow = names.findIndex((name) => name.startsWith('shop/backend-'));
    assert.equal(matrix.cells[frontendRow]![db]!.allowed, false);
    assert.equal(matrix.cells[frontendRow]![db]!.deciding, 'data/db-allow-backend-only');
    assert.equal(matrix.cells[backendRow]![db]!.allowed, true);
    assert.equal(matrix.cells[backendRow]![db]!.ingress.rule, 'ingress[0].from[0].ports[0]');
    assert.deepEqual(matrix.policies, ['data/db-allow-backend-only']);
    const { sources, targets } = matrixProbeSets(matrix);
    const prober = new Prober({ kubeconfig: fixture.kubeconfig, timeoutMs: TIMEOUT_MS });
    const grid = await prober.runMatrix(sources, targets, { concurrency: 8 });
    const overlay = overlayProbes(matrix, grid);
    assert.equal(
      overlay.disagreements.length,
      0,
      overlay.disagreements.map((cell) => cell.explanation).join('\n'),
    );
    assert.equal(overlay.policiesNotEnforced, false);
    assert.equal(overlay.cells[frontendRow]![db]!.agreement, 'agree');
    assert.equal(overlay.cells[frontendRow]![db]!.probe?.verdict, 'timeout');
    assert.match(overlay.summary, /0 disagree/);
  });
});
