/**
 * "Diagnose External Access" against the demo scenario, through the real cache and real probes
 * (exec from the Ingress controller's Pod; connections from this process to the sandbox's node
 * addresses, load-balancer pool and Ingress address): each outside-in case of the demo is named at
 * the right hop, and the live probes agree with the static answer.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { HopStatus } from '../../../src/analysis/diagnosis/index.ts';
import type { ExternalHopId } from '../../../src/analysis/external/index.ts';
import { ClusterCache } from '../../../src/cluster/cache.ts';
import { NetworkingV1Api } from '@kubernetes/client-node';
import { externalRequestFromItem } from '../../../src/analysis/external/index.ts';
import { ExternalDiagnoser } from '../../../src/diagnose/externalDiagnoser.ts';
import type { ExternalReport } from '../../../src/diagnose/externalDiagnoser.ts';
import { forwardThroughPod } from '../../../src/diagnose/externalForward.ts';
import { Prober } from '../../../src/probe/prober.ts';
import { useSandbox, waitFor } from '../../support/sandbox.ts';

function statuses(report: ExternalReport): Partial<Record<ExternalHopId, HopStatus>> {
  return Object.fromEntries(report.hops.map((hop) => [hop.id, hop.status]));
}

function hop(report: ExternalReport, id: ExternalHopId) {
  return report.hops.find((candidate) => candidate.id === id)!;
}

describe('Diagnose External Access (demo scenario)', () => {
  const fixture = useSandbox({ scenario: 'demo' });
  let cache: ClusterCache;
  let diagnoser: ExternalDiagnoser;

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
    // The first diagnosis watches the namespaces; wait until what the cases read is there.
    await diagnoser.diagnose({ kind: 'url', url: 'http://shop.example.com/' }, { probe: false });
    await waitFor('Ingress addresses, ready endpoints and the load balancer address', () => {
      const ingress = cache.ingresses('blog').find((i) => i.metadata?.name === 'blog');
      const lb = cache.services('shop').find((s) => s.metadata?.name === 'frontend-public');
      const site = cache.endpointSlices('shop', 'static-site');
      const blog = cache.endpointSlices('blog', 'blog');
      const ready = (slices: typeof site) =>
        slices.some((s) => (s.endpoints ?? []).some((e) => e.conditions?.ready));
      return (
        ingress?.status?.loadBalancer?.ingress?.[0] !== undefined &&
        lb?.status?.loadBalancer?.ingress?.[0] !== undefined &&
        ready(site) &&
        ready(blog) &&
        cache.nodes().length === 3
      );
    });
  });

  after(() => {
    cache?.dispose();
  });

  test('http://shop.example.com/ passes every hop, and the probes agree', async () => {
    const report = await diagnoser.diagnose({ kind: 'url', url: 'http://shop.example.com/' });
    assert.deepEqual(statuses(report), {
      route: 'passed',
      class: 'passed',
      address: 'passed',
      nodePort: 'skipped',
      service: 'passed',
      selector: 'passed',
      endpoints: 'passed',
      port: 'passed',
      policy: 'passed',
      probe: 'passed',
    });
    assert.equal(report.conclusion.failedHop, undefined);
    assert.ok(report.probes.some((p) => p.role === 'backend' && p.reached));
    assert.equal(report.probes.find((p) => p.role === 'ingress')?.httpStatus, 200);
    assert.equal(report.probes.find((p) => p.role === 'forwarded')?.httpStatus, 200);
    assert.match(hop(report, 'probe').summary, /agrees with the static hops/);
  });

  test('http://shop.example.com/admin fails at the backend Service port; the Ingress answers 503', async () => {
    const report = await diagnoser.diagnose({ kind: 'url', url: 'http://shop.example.com/admin' });
    assert.equal(report.conclusion.failedHop, 'service');
    assert.match(hop(report, 'service').summary, /no TCP port 8443/);
    assert.equal(report.probes.find((p) => p.role === 'ingress')?.httpStatus, 503);
    assert.equal(hop(report, 'probe').status, 'failed');
    assert.match(hop(report, 'probe').summary, /agrees with the static answer/);
  });

  test("http://blog.example.com/ fails at NetworkPolicy: the controller's probe to the blog Pod times out", async () => {
    const report = await diagnoser.diagnose({ kind: 'url', url: 'http://blog.example.com/' });
    assert.equal(report.conclusion.failedHop, 'policy');
    assert.equal(hop(report, 'policy').manifest?.namespace, 'blog');
    const backend = report.probes.find((p) => p.role === 'backend');
    assert.equal(backend?.result?.verdict, 'timeout');
    assert.equal(report.probes.find((p) => p.role === 'ingress')?.httpStatus, 504);
    assert.equal(hop(report, 'probe').status, 'failed');
  });

  test("static-site's node port answers only on sandbox-node-2, as the static answer says", async () => {
    const report = await diagnoser.diagnose({ kind: 'service', namespace: 'shop', name: 'static-site' });
    assert.equal(hop(report, 'nodePort').status, 'passed');
    assert.match(hop(report, 'nodePort').summary, /answers only on sandbox-node-2/);
    assert.deepEqual(
      report.probes.filter((p) => p.role === 'node').map((p) => [p.node, p.reached]),
      [
        ['sandbox-node-1', false],
        ['sandbox-node-2', true],
        ['sandbox-node-3', false],
      ],
    );
    // From a Pod, kube-proxy serves the node port as Cluster: every node answers.
    assert.deepEqual(
      report.probes.filter((p) => p.role === 'podNode').map((p) => [p.node, p.reached, p.staticAnswer]),
      [
        ['sandbox-node-1', true, 'answers'],
        ['sandbox-node-2', true, 'answers'],
        ['sandbox-node-3', true, 'answers'],
      ],
    );
    assert.match(hop(report, 'probe').summary, /the node port answered on 3 of 3 nodes/);
    assert.equal(hop(report, 'probe').status, 'passed');
    const asked = await diagnoser.diagnose({ kind: 'nodePort', node: 'sandbox-node-1', port: 30080 });
    assert.equal(asked.conclusion.failedHop, 'nodePort');
    assert.equal(hop(asked, 'probe').status, 'failed');
  });

  test('frontend-cloud is pending at the address hop; frontend-public answers on its address', async () => {
    const cloud = await diagnoser.diagnose({ kind: 'service', namespace: 'shop', name: 'frontend-cloud' });
    assert.equal(cloud.conclusion.failedHop, 'address');
    assert.match(hop(cloud, 'address').evidence.join(' '), /service\.k8s\.aws\/nlb/);
    const pub = await diagnoser.diagnose({ kind: 'service', namespace: 'shop', name: 'frontend-public' });
    assert.equal(pub.conclusion.failedHop, undefined);
    assert.equal(pub.probes.find((p) => p.role === 'address')?.reached, true);
    assert.ok(pub.timings.totalMs < 3000, `${pub.timings.totalMs} ms`);
  });

  test("the default backend item: a request no rule matches, answered by that backend (not the Ingress's first rule)", async () => {
    const networking = fixture.kubeconfig.makeApiClient(NetworkingV1Api);
    await networking.createNamespacedIngress({
      namespace: 'shop',
      body: {
        metadata: { name: 'fallback', namespace: 'shop' },
        spec: {
          ingressClassName: 'sandbox',
          defaultBackend: { service: { name: 'frontend', port: { name: 'http' } } },
        },
      },
    });
    await waitFor(
      'the fallback Ingress with an address',
      () =>
        cache.ingresses('shop').find((i) => i.metadata?.name === 'fallback')?.status?.loadBalancer
          ?.ingress?.[0],
    );
    const request = externalRequestFromItem({
      kind: 'ingressRule',
      namespace: 'shop',
      ingress: 'fallback',
      key: 'default',
    });
    const report = await diagnoser.diagnose(request);
    assert.equal(report.conclusion.failedHop, undefined, report.conclusion.sentence);
    assert.match(
      hop(report, 'route').summary,
      /the default backend of shop\/fallback \(service shop\/frontend:http\) takes it/,
    );
    assert.deepEqual(report.plan.http, { host: 'no-rule.invalid', path: '/' });
    // The controller routes the same request to the same backend: the echo answers 200, both ways.
    assert.equal(report.probes.find((p) => p.role === 'ingress')?.httpStatus, 200);
    assert.equal(report.probes.find((p) => p.role === 'forwarded')?.httpStatus, 200);
    assert.equal(hop(report, 'probe').status, 'passed');
  });
});
