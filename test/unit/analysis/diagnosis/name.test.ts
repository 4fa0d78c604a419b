/**
 * Hop 1, name resolution (name.ts, dns.ts): the search path, short and qualified names, typos,
 * names outside the cluster, IPs, Pod A records, namespaces not in view, DNS egress, Pod targets.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DiagnosisTarget, HopId, StaticDiagnosis } from '../../../../src/analysis/diagnosis/index.ts';
import { diagnoseStatic, searchPath } from '../../../../src/analysis/diagnosis/index.ts';
import type { NetworkPolicy } from '../../../../src/analysis/k8s.ts';
import { input, pod, pods } from './world.ts';

const backend: DiagnosisTarget = { kind: 'service', namespace: 'shop', name: 'backend', port: 80 };

function hop(report: StaticDiagnosis, id: HopId) {
  return report.hops.find((candidate) => candidate.id === id)!;
}

describe('hop 1: name resolution', () => {
  test('the search path of the source namespace, ndots 5', () => {
    assert.deepEqual(searchPath('backend', 'shop'), [
      'backend.shop.svc.cluster.local',
      'backend.svc.cluster.local',
      'backend.cluster.local',
      'backend',
    ]);
    assert.deepEqual(searchPath('backend.shop.', 'shop'), ['backend.shop']);
    assert.deepEqual(searchPath('a.b.c.d.e.f', 'shop', 'corp.internal').slice(0, 2), [
      'a.b.c.d.e.f',
      'a.b.c.d.e.f.shop.svc.corp.internal',
    ]);
  });

  for (const name of [
    'backend',
    'backend.shop',
    'backend.shop.svc',
    'backend.shop.svc.cluster.local',
    'backend.shop.svc.cluster.local.',
    'Backend.Shop',
  ]) {
    test(`${name} reaches Service shop/backend`, () => {
      const report = diagnoseStatic(input({ kind: 'dns', name, port: 80 }));
      assert.equal(hop(report, 'name').status, 'passed');
      assert.equal(report.resolved.kind === 'service' && report.resolved.name, 'backend');
      assert.equal(report.conclusion.failedHop, undefined);
    });
  }

  test('a short name only works from the Service namespace', () => {
    const fromTools = diagnoseStatic(
      input(
        { kind: 'dns', name: 'backend', port: 80 },
        { source: pods.find((p) => p.metadata.name === 'busybox')! },
      ),
    );
    assert.equal(fromTools.conclusion.failedHop, 'name');
    assert.equal(
      fromTools.conclusion.fix,
      'Service backend is in namespace shop: from tools, use backend.shop.',
    );
  });

  test('a misspelt name fails with the close one suggested', () => {
    const report = diagnoseStatic(input({ kind: 'dns', name: 'bakend', port: 80 }));
    const name = hop(report, 'name');
    assert.equal(name.status, 'failed');
    assert.equal(name.summary, 'bakend does not resolve: there is no Service bakend in namespace shop.');
    assert.equal(name.fix, 'Did you mean backend? Use backend or backend.shop (Service shop/backend).');
    assert.ok(
      name.evidence.some((line) => line.includes('bakend.shop.svc.cluster.local, bakend.svc.cluster.local')),
    );
    assert.equal(report.conclusion.failedHop, 'name');
    assert.equal(
      report.conclusion.sentence,
      'shop/frontend-7d9c-abcde cannot reach bakend:80 because bakend does not resolve: there is no Service bakend in namespace shop.',
    );
    for (const id of ['service', 'selector', 'endpoints', 'port', 'egress', 'ingress'] as const) {
      assert.equal(hop(report, id).status, 'skipped', id);
    }
    // The application's name is still probed: the probe shows what it sees.
    assert.deepEqual(report.plan.primary, { label: 'bakend:80', host: 'bakend', port: 80 });
  });

  test('a misspelt Service target, and one in another namespace', () => {
    const typo = diagnoseStatic(input({ kind: 'service', namespace: 'shop', name: 'bakend', port: 80 }));
    assert.equal(typo.conclusion.failedHop, 'name');
    assert.match(typo.conclusion.fix!, /^Did you mean backend\?/);
    const qualified = diagnoseStatic(input({ kind: 'dns', name: 'bakend.shop', port: 80 }));
    assert.equal(qualified.conclusion.failedHop, 'name');
    assert.match(qualified.conclusion.fix!, /^Did you mean backend\? Use backend or backend\.shop/);
  });

  test('a name outside the cluster is unknown, not failed', () => {
    const report = diagnoseStatic(input({ kind: 'dns', name: 'api.example.com', port: 443 }));
    assert.equal(hop(report, 'name').status, 'unknown');
    assert.match(hop(report, 'name').summary, /not a name of the cluster: upstream DNS resolves it/);
    assert.equal(report.resolved.kind, 'external');
    assert.equal(hop(report, 'egress').status, 'passed');
    assert.equal(hop(report, 'ingress').status, 'skipped');
    assert.equal(report.conclusion.failedHop, undefined);
  });

  test('an IP is matched to a Pod, to a ClusterIP, or taken as an outside address', () => {
    const podIp = diagnoseStatic(input({ kind: 'dns', name: '10.244.2.10', port: 5432 }));
    assert.equal(hop(podIp, 'name').summary, '10.244.2.10 is the address of Pod data/db-0.');
    assert.equal(podIp.resolved.kind, 'pod');
    assert.equal(podIp.conclusion.failedHop, 'ingress');
    const clusterIp = diagnoseStatic(input({ kind: 'dns', name: '10.96.1.2', port: 80 }));
    assert.equal(hop(clusterIp, 'name').summary, '10.96.1.2 is the ClusterIP of Service shop/backend.');
    assert.deepEqual(clusterIp.plan.primary, {
      label: '10.96.1.2:80',
      host: '10.96.1.2',
      port: 80,
      service: { namespace: 'shop', name: 'backend' },
    });
    const outside = diagnoseStatic(input({ kind: 'dns', name: '203.0.113.9', port: 443 }));
    assert.equal(hop(outside, 'name').status, 'unknown');
    assert.deepEqual(outside.resolved, {
      kind: 'external',
      host: '203.0.113.9',
      port: 443,
      ip: '203.0.113.9',
    });
  });

  test('a Pod A record, a-b-c-d.ns.pod.cluster.local', () => {
    const report = diagnoseStatic(
      input({ kind: 'dns', name: '10-244-1-30.shop.pod.cluster.local', port: 8080 }),
    );
    assert.equal(report.resolved.kind === 'pod' && report.resolved.name, 'checkout');
  });

  test('a namespace not in view gives unknown', () => {
    const report = diagnoseStatic(
      input(
        { kind: 'service', namespace: 'data', name: 'db', port: 5432 },
        { knownNamespaces: ['shop', 'tools'] },
      ),
    );
    assert.equal(hop(report, 'name').status, 'unknown');
    const byName = diagnoseStatic(
      input({ kind: 'dns', name: 'db.data', port: 5432 }, { knownNamespaces: ['shop'] }),
    );
    assert.equal(hop(byName, 'name').status, 'unknown');
    assert.match(hop(byName, 'name').summary, /namespace data, which is not in view/);
  });

  test('an egress policy of the source that admits no DNS makes a name unknown', () => {
    const onlyBackend: NetworkPolicy = {
      metadata: { namespace: 'shop', name: 'frontend-egress' },
      spec: {
        podSelector: { matchLabels: { app: 'frontend' } },
        policyTypes: ['Egress'],
        egress: [{ to: [{ podSelector: { matchLabels: { app: 'backend' } } }] }],
      },
    };
    const report = diagnoseStatic(input(backend, { networkPolicies: [onlyBackend] }));
    assert.equal(hop(report, 'name').status, 'unknown');
    assert.match(hop(report, 'name').summary, /no rule admits DNS \(UDP 53 to kube-system\/kube-dns\)/);
    assert.match(hop(report, 'name').fix!, /k8s-app: kube-dns/);
    assert.equal(hop(report, 'egress').status, 'passed');
    const withDns: NetworkPolicy = {
      metadata: { namespace: 'shop', name: 'dns' },
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{ ports: [{ protocol: 'UDP', port: 53 }] }],
      },
    };
    assert.equal(
      hop(diagnoseStatic(input(backend, { networkPolicies: [onlyBackend, withDns] })), 'name').status,
      'passed',
    );
  });

  test('a Pod target: missing, or without an IP yet', () => {
    const missing = diagnoseStatic(input({ kind: 'pod', namespace: 'data', name: 'db-1', port: 5432 }));
    assert.equal(missing.conclusion.failedHop, 'name');
    assert.match(missing.conclusion.fix!, /Did you mean Pod db-0\?/);
    const pending = pod('shop', 'pending-1', { app: 'x' }, { phase: 'Pending' });
    const noIp = diagnoseStatic(
      input({ kind: 'pod', namespace: 'shop', name: 'pending-1', port: 80 }, { pods: [...pods, pending] }),
    );
    assert.equal(noIp.conclusion.failedHop, 'name');
    assert.match(noIp.conclusion.sentence, /has no IP address yet/);
    assert.equal(noIp.plan.primary, undefined);
  });
});
