/**
 * "Diagnose Connectivity" where no NetworkPolicy decides, through the real cache and real probes:
 * under a default-deny ingress policy a Pod reaches itself by its IP (the Kubernetes rule, said so
 * in the hops), and through its own Service (hairpin) the static hop says "unknown: verify with a
 * probe" until the live probe settles it for this (sandbox) network plugin.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CoreV1Api, NetworkingV1Api } from '@kubernetes/client-node';
import { ClusterCache } from '../../../src/cluster/cache.ts';
import { Diagnoser } from '../../../src/diagnose/diagnoser.ts';
import type { DiagnosisReport, HopId } from '../../../src/diagnose/types.ts';
import { Prober } from '../../../src/probe/prober.ts';
import { useSandbox, waitFor } from '../../support/sandbox.ts';

function hop(report: DiagnosisReport, id: HopId) {
  return report.hops.find((candidate) => candidate.id === id)!;
}

describe('Diagnose Connectivity: a Pod to itself under default deny', () => {
  const fixture = useSandbox({ scenario: 'demo' });
  let cache: ClusterCache;
  let diagnoser: Diagnoser;

  before(async () => {
    const core = fixture.kubeconfig.makeApiClient(CoreV1Api);
    await fixture.kubeconfig.makeApiClient(NetworkingV1Api).createNamespacedNetworkPolicy({
      namespace: 'shop',
      body: {
        metadata: { name: 'default-deny-ingress', namespace: 'shop' },
        spec: { podSelector: {}, policyTypes: ['Ingress'] },
      },
    });
    await core.createNamespacedPod({
      namespace: 'shop',
      body: {
        // Not named like its Service: a Pod's own name resolves to its IP through /etc/hosts.
        metadata: { name: 'solo-0', namespace: 'shop', labels: { app: 'solo' } },
        spec: {
          containers: [
            { name: 'solo', image: 'curlimages/curl:8.5.0', ports: [{ name: 'http', containerPort: 8080 }] },
          ],
        },
      },
    });
    await core.createNamespacedService({
      namespace: 'shop',
      body: {
        metadata: { name: 'solo', namespace: 'shop' },
        spec: { selector: { app: 'solo' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
      },
    });
    cache = new ClusterCache(fixture.kubeconfig, { contextName: fixture.sandbox.context });
    await waitFor('namespaces synced', () => cache.isSynced());
    cache.setWatchedNamespaces(['shop']);
    await waitFor('shop synced', () => cache.isSynced('shop'));
    await waitFor('solo ready behind its Service', () =>
      cache
        .endpointSlices('shop', 'solo')
        .some((slice) => (slice.endpoints ?? []).some((e) => e.conditions?.ready)),
    );
    await waitFor('the policy in the cache', () => cache.networkPolicies('shop').length === 1);
    diagnoser = new Diagnoser({
      cache,
      prober: new Prober({ kubeconfig: fixture.kubeconfig, timeoutMs: 1000 }),
    });
  });

  after(() => {
    cache?.dispose();
  });

  test('by its Pod IP: both policy hops pass by the Kubernetes rule, and the probe gets through', async () => {
    const report = await diagnoser.diagnose(
      { namespace: 'shop', pod: 'solo-0' },
      { kind: 'pod', namespace: 'shop', name: 'solo-0', port: 8080 },
    );
    assert.equal(hop(report, 'ingress').status, 'passed');
    assert.match(
      hop(report, 'ingress').summary,
      /a Pod cannot block access to itself: the Kubernetes rule, not a policy/,
    );
    assert.equal(hop(report, 'probe').status, 'passed', hop(report, 'probe').summary);
    assert.equal(report.conclusion.failedHop, undefined, report.conclusion.sentence);
  });

  test('through its own Service: unknown from the cluster state, settled by the probe', async () => {
    const report = await diagnoser.diagnose(
      { namespace: 'shop', pod: 'solo-0' },
      { kind: 'service', namespace: 'shop', name: 'solo', port: 80 },
    );
    const ingress = hop(report, 'ingress');
    assert.equal(ingress.status, 'unknown');
    assert.equal(ingress.uncertainty, 'hairpin');
    assert.match(
      ingress.summary,
      /some network plugins apply policy to hairpin traffic through a Service: verify with a probe/,
    );
    assert.equal(hop(report, 'probe').status, 'passed', hop(report, 'probe').summary);
    assert.match(
      report.conclusion.sentence,
      /^shop\/solo-0 reaches solo\.shop:80: the live probe got through, so this cluster's network plugin lets a Pod reach itself through its Service/,
    );
  });
});
