/**
 * "Diagnose External Access" from a machine that cannot reach the Ingress's address: the end-to-end
 * probe forwards (KubeReach's own port-forward engine, in-process) to the demo's controller Pod and
 * sends the request with its Host header. The load-balancer pool is turned off (the sandbox's fault)
 * and the controller's LoadBalancer Service recreated, so it stays pending: the Ingresses lose their
 * address, the old address answers nobody, and whatever the probe hop reports came through the
 * forward.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ExternalHopId } from '../../../src/analysis/external/index.ts';
import { ClusterCache } from '../../../src/cluster/cache.ts';
import { ExternalDiagnoser } from '../../../src/diagnose/externalDiagnoser.ts';
import type { ExternalReport } from '../../../src/diagnose/externalDiagnoser.ts';
import { forwardThroughPod } from '../../../src/diagnose/externalForward.ts';
import { outsideHttp } from '../../../src/diagnose/externalOutside.ts';
import { Prober } from '../../../src/probe/prober.ts';
import { leaveIngressControllerPending } from '../../support/pendingIngress.ts';
import { useSandbox, waitFor } from '../../support/sandbox.ts';

function hop(report: ExternalReport, id: ExternalHopId) {
  return report.hops.find((candidate) => candidate.id === id)!;
}

function forwarded(report: ExternalReport) {
  return report.probes.find((probe) => probe.role === 'forwarded');
}

describe('Diagnose External Access through a port-forward to the controller (demo, no load-balancer address)', () => {
  const fixture = useSandbox({ scenario: 'demo' });
  let cache: ClusterCache;
  let diagnoser: ExternalDiagnoser;
  let oldAddress: string;

  before(async () => {
    cache = new ClusterCache(fixture.kubeconfig, { contextName: fixture.sandbox.context });
    await waitFor('namespaces synced', () => cache.isSynced());
    diagnoser = new ExternalDiagnoser({
      cache,
      prober: new Prober({ kubeconfig: fixture.kubeconfig, timeoutMs: 1000 }),
      forward: forwardThroughPod({ cache, kubeConfig: fixture.kubeconfig }),
      timeoutMs: 1000,
      watchNamespaces: (names) => cache.setWatchedNamespaces(names),
    });
    await diagnoser.diagnose({ kind: 'url', url: 'http://shop.example.com/' }, { probe: false });
    oldAddress = await waitFor(
      'the Ingress address',
      () =>
        cache.ingresses('shop').find((i) => i.metadata?.name === 'frontend')?.status?.loadBalancer
          ?.ingress?.[0]?.ip,
    );
    // The pool off, the controller's Service recreated: it stays pending, and so do the Ingresses.
    await leaveIngressControllerPending(fixture);
    await waitFor(
      'every Ingress without an address, and the backends ready',
      () => {
        const addressed = ['shop', 'blog'].some((ns) =>
          cache.ingresses(ns).some((i) => (i.status?.loadBalancer?.ingress ?? []).length > 0),
        );
        const ready = (ns: string, service: string) =>
          cache.endpointSlices(ns, service).some((s) => (s.endpoints ?? []).some((e) => e.conditions?.ready));
        return !addressed && ready('shop', 'frontend') && ready('blog', 'blog');
      },
      15_000,
    );
  });

  after(() => {
    fixture.sandbox?.faults.setLoadBalancerPool(true);
    cache?.dispose();
  });

  test('the old address answers nobody now', async () => {
    const outcome = await outsideHttp(oldAddress, 80, 'shop.example.com', '/', { timeoutMs: 1000 });
    assert.equal(outcome.status, undefined, outcome.message);
  });

  test('http://shop.example.com/: the address hop fails (pending); the forwarded request answers 200, which agrees', async () => {
    const report = await diagnoser.diagnose({ kind: 'url', url: 'http://shop.example.com/' });
    assert.equal(report.conclusion.failedHop, 'address');
    assert.equal(
      report.probes.find((p) => p.role === 'ingress'),
      undefined,
      'no address to probe',
    );
    const probe = forwarded(report);
    assert.equal(probe?.httpStatus, 200, probe?.message);
    assert.equal(probe?.staticAnswer, 'answers');
    assert.match(
      probe!.label,
      /through a port-forward to ingress-sandbox\/ingress-sandbox-controller-[a-z0-9-]+:80$/,
    );
    const probeHop = hop(report, 'probe');
    assert.equal(probeHop.status, 'passed');
    assert.match(probeHop.summary, /port-forward to the controller's Pod, the request answered 200/);
    assert.match(probeHop.summary, /do not pass the Address hop/);
    assert.ok(probeHop.evidence.some((line) => /answered 200; static answer: answers/.test(line)));
  });

  test('http://shop.example.com/admin: the forwarded request answers 503, as the backend port hop says', async () => {
    const report = await diagnoser.diagnose({ kind: 'url', url: 'http://shop.example.com/admin' });
    assert.equal(forwarded(report)?.httpStatus, 503);
    assert.equal(forwarded(report)?.staticAnswer, 'fails at Backend Service and port');
    assert.equal(hop(report, 'service').status, 'failed');
    assert.equal(hop(report, 'probe').status, 'failed');
    assert.match(hop(report, 'probe').summary, /agrees with the static answer/);
    assert.ok(
      hop(report, 'probe').evidence.some((line) =>
        /answered 503; static answer: fails at Backend Service and port/.test(line),
      ),
    );
  });

  test('http://blog.example.com/: the forwarded request answers 504, blocked by the default-deny', async () => {
    const report = await diagnoser.diagnose({ kind: 'url', url: 'http://blog.example.com/' });
    assert.equal(hop(report, 'policy').status, 'failed');
    assert.equal(forwarded(report)?.httpStatus, 504);
    assert.equal(hop(report, 'probe').status, 'failed');
    assert.ok(report.timings.totalMs < 3000, `${report.timings.totalMs} ms`);
  });
});
