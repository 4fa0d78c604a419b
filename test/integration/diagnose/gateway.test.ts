/**
 * "Diagnose External Access" through a Gateway against the demo scenario (issue 15): the Gateway
 * API discovered and read with the real client, the cache for the rest, the request sent to the
 * Gateway's address with its Host header. store.example.com/api passes every hop and answers 200;
 * reports.example.com fails at backendRefs (RefNotPermitted) and the Gateway answers 500; the store
 * host on the internal listener's port fails at the listener and the attachment. Without the CRDs
 * (the minimal scenario), the hop says the group is not served.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CustomObjectsApi } from '@kubernetes/client-node';
import type { ExternalHopId } from '../../../src/analysis/external/index.ts';
import { ClusterCache } from '../../../src/cluster/cache.ts';
import { ExternalDiagnoser } from '../../../src/diagnose/externalDiagnoser.ts';
import type { ExternalReport } from '../../../src/diagnose/externalDiagnoser.ts';
import { readGatewayApi } from '../../../src/diagnose/gatewayRead.ts';
import { Prober } from '../../../src/probe/prober.ts';
import { useSandbox, waitFor } from '../../support/sandbox.ts';

function hop(report: ExternalReport, id: ExternalHopId) {
  const found = report.hops.find((candidate) => candidate.id === id);
  assert.ok(found, `hop ${id}`);
  return found;
}

const via = { kind: 'gateway' as const, namespace: 'infra', name: 'public' };

describe('Diagnose External Access through a Gateway (demo scenario)', () => {
  const fixture = useSandbox({ scenario: 'demo' });
  let cache: ClusterCache;
  let diagnoser: ExternalDiagnoser;

  before(async () => {
    cache = new ClusterCache(fixture.kubeconfig, { contextName: fixture.sandbox.context });
    await waitFor('namespaces synced', () => cache.isSynced());
    diagnoser = new ExternalDiagnoser({
      cache,
      prober: new Prober({ kubeconfig: fixture.kubeconfig, timeoutMs: 1000 }),
      timeoutMs: 1000,
      watchNamespaces: (names) => cache.setWatchedNamespaces(names),
      gatewayApi: (cached) => readGatewayApi(fixture.kubeconfig, cached),
    });
    await diagnoser.diagnose({ kind: 'url', url: 'http://store.example.com/', via }, { probe: false });
    await waitFor('the Gateway programmed, route status written, backends ready', async () => {
      const state = await readGatewayApi(fixture.kubeconfig, { services: [], namespaces: [] });
      if (state.state !== 'served') {
        return false;
      }
      const gateway = state.world.gateways.find((g) => g.metadata.name === 'public');
      const reports = state.world.httpRoutes.find((r) => r.metadata.name === 'reports');
      const ready = (namespace: string, service: string) =>
        cache
          .endpointSlices(namespace, service)
          .some((s) => (s.endpoints ?? []).some((e) => e.conditions?.ready));
      return (
        gateway?.status?.addresses?.[0] !== undefined &&
        (reports?.status?.parents?.length ?? 0) > 0 &&
        ready('store', 'catalog') &&
        ready('analytics', 'reporting')
      );
    });
  });

  after(() => {
    cache?.dispose();
  });

  test('http://store.example.com/api through Gateway infra/public: every hop passes, the Gateway answers 200', async () => {
    const report = await diagnoser.diagnose({ kind: 'url', url: 'http://store.example.com/api/items', via });
    assert.deepEqual(
      report.hops.filter((h) => h.status !== 'passed').map((h) => `${h.id}:${h.status}: ${h.summary}`),
      [],
    );
    assert.equal(report.conclusion.failedHop, undefined);
    assert.match(hop(report, 'rule').summary, /HTTPRoute store\/catalog rule 1 \(PathPrefix \/api/);
    assert.match(hop(report, 'backendRefs').evidence.join('\n'), /weight 90, 90% /);
    assert.match(hop(report, 'attachment').evidence.join('\n'), /agrees with what KubeReach computed/);
    const probe = report.probes.find((p) => p.role === 'gateway');
    assert.equal(probe?.httpStatus, 200, probe?.message);
    assert.match(hop(report, 'probe').summary, /the Gateway address answered 200/);
  });

  test('http://reports.example.com/ fails at backendRefs with RefNotPermitted, and the probe sees 500', async () => {
    // No `via`: no Ingress serves the host, a listener of the Gateway does.
    const report = await diagnoser.diagnose({ kind: 'url', url: 'http://reports.example.com/' });
    assert.equal(report.conclusion.failedHop, 'backendRefs');
    assert.match(hop(report, 'backendRefs').evidence.join('\n'), /RefNotPermitted/);
    assert.match(hop(report, 'backendRefs').fix ?? '', /ReferenceGrant/);
    assert.equal(report.probes.find((p) => p.role === 'gateway')?.httpStatus, 500);
    assert.equal(hop(report, 'probe').status, 'failed');
    assert.match(hop(report, 'probe').summary, /agrees with the static answer \(Route backendRefs\)/);
  });

  test("the store host on the internal listener's port fails at the listener and the attachment (NoMatchingListenerHostname)", async () => {
    const report = await diagnoser.diagnose({ kind: 'url', url: 'http://store.example.com:8080/api' });
    assert.equal(report.conclusion.failedHop, 'listener');
    assert.equal(hop(report, 'attachment').status, 'failed');
    assert.match(hop(report, 'attachment').summary, /NoMatchingListenerHostname/);
    assert.equal(report.probes.find((p) => p.role === 'gateway')?.httpStatus, 404);
  });

  test('starting from HTTPRoute store/catalog, rule 2 (/metrics through its ReferenceGrant)', async () => {
    const report = await diagnoser.diagnose(
      { kind: 'httpRoute', namespace: 'store', name: 'catalog', ruleIndex: 1 },
      { probe: false },
    );
    assert.equal(report.conclusion.failedHop, undefined, report.conclusion.sentence);
    assert.match(
      hop(report, 'backendRefs').evidence.join('\n'),
      /ReferenceGrant analytics\/store-routes-to-metrics/,
    );
  });

  test('starting from a GRPCRoute: the call its rule stands for through the static hops; the probe not performed, said so', async () => {
    await fixture.kubeconfig.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
      group: 'gateway.networking.k8s.io',
      version: 'v1',
      namespace: 'store',
      plural: 'grpcroutes',
      body: {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'GRPCRoute',
        metadata: { name: 'echo', namespace: 'store' },
        spec: {
          parentRefs: [{ name: 'public', namespace: 'infra', sectionName: 'http' }],
          hostnames: ['grpc.example.com'],
          rules: [
            {
              matches: [{ method: { service: 'shop.Echo', method: 'Say' } }],
              backendRefs: [{ name: 'catalog', port: 80 }],
            },
          ],
        },
      },
    });
    // With probes asked for: none may run for a gRPC call.
    const report = await diagnoser.diagnose({ kind: 'grpcRoute', namespace: 'store', name: 'echo' });
    assert.equal(report.label, 'GRPCRoute store/echo rule 1 (gRPC shop.Echo/Say at grpc.example.com:80)');
    assert.deepEqual(
      report.hops.filter((h) => h.status !== 'passed').map((h) => `${h.id}:${h.status}`),
      ['probe:skipped'],
    );
    assert.match(
      hop(report, 'rule').summary,
      /^GRPCRoute store\/echo rule 1 \(.*\) takes POST \/shop\.Echo\/Say/,
    );
    assert.equal(report.service?.name, 'catalog');
    assert.match(hop(report, 'probe').summary, /^Not probed: a gRPC call needs HTTP\/2/);
    assert.deepEqual(report.probes, []);
    assert.equal(report.conclusion.failedHop, undefined, report.conclusion.sentence);
  });
});

describe('Diagnose External Access through a Gateway, the group not served (minimal scenario)', () => {
  const fixture = useSandbox({ scenario: 'minimal' });

  test('the listener hop says the Gateway API is not served, never a guess', async () => {
    const cache = new ClusterCache(fixture.kubeconfig, { contextName: fixture.sandbox.context });
    try {
      await waitFor('namespaces synced', () => cache.isSynced());
      const diagnoser = new ExternalDiagnoser({
        cache,
        watchNamespaces: (names) => cache.setWatchedNamespaces(names),
        gatewayApi: (cached) => readGatewayApi(fixture.kubeconfig, cached),
      });
      const report = await diagnoser.diagnose(
        { kind: 'url', url: 'http://store.example.com/', via },
        { probe: false },
      );
      assert.equal(report.conclusion.failedHop, 'listener');
      assert.match(hop(report, 'listener').summary, /does not serve the Gateway API/);
    } finally {
      cache.dispose();
    }
  });
});
