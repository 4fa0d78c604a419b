/**
 * Hops 6 and 7, NetworkPolicy egress of the source and ingress of the target (policy.ts): the
 * isolating policy and the rule to add, the deciding policy and rule, a policy admitting only some
 * backing Pods, policies that may not be read, an address outside the cluster.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DiagnosisTarget, HopId, StaticDiagnosis } from '../../../../src/analysis/diagnosis/index.ts';
import { diagnoseStatic } from '../../../../src/analysis/diagnosis/index.ts';
import type { NetworkPolicy } from '../../../../src/analysis/k8s.ts';
import { backend1, backend2, frontend, input, pod } from './world.ts';

const backend: DiagnosisTarget = { kind: 'service', namespace: 'shop', name: 'backend', port: 80 };

function hop(report: StaticDiagnosis, id: HopId) {
  return report.hops.find((candidate) => candidate.id === id)!;
}

describe('hops 6 and 7: NetworkPolicy egress of the source and ingress of the target', () => {
  test('the ingress of the target: the isolating policy, and a rule to add', () => {
    const report = diagnoseStatic(input({ kind: 'service', namespace: 'data', name: 'db', port: 5432 }));
    assert.equal(hop(report, 'egress').status, 'passed');
    const ingress = hop(report, 'ingress');
    assert.equal(ingress.status, 'failed');
    assert.equal(
      ingress.summary,
      'Policy data/db-allow-backend-only isolates db-0 for ingress and no rule admits shop/frontend-7d9c-abcde on TCP 5432.',
    );
    assert.equal(
      ingress.fix,
      'Add a rule to NetworkPolicy data/db-allow-backend-only that admits shop/frontend-7d9c-abcde on TCP 5432, under spec.ingress:\n' +
        '- from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}}, podSelector: {matchLabels: {app: frontend}}}]\n' +
        '  ports: [{protocol: TCP, port: 5432}]\n' +
        'Or connect from a Pod the policy already admits.',
    );
    assert.deepEqual(report.conclusion.manifest, {
      kind: 'NetworkPolicy',
      namespace: 'data',
      name: 'db-allow-backend-only',
    });
    assert.equal(
      report.conclusion.sentence,
      'shop/frontend-7d9c-abcde cannot reach db.data:5432 because policy data/db-allow-backend-only isolates db-0 for ingress and no rule admits shop/frontend-7d9c-abcde on TCP 5432.',
    );
  });

  test('an admitted connection names the deciding policy and rule', () => {
    const report = diagnoseStatic(
      input({ kind: 'service', namespace: 'data', name: 'db', port: 5432 }, { source: backend1 }),
    );
    assert.equal(
      hop(report, 'ingress').summary,
      'The ingress of data/db-0 is restricted, and policy data/db-allow-backend-only admits this connection (ingress[0].from[0].ports[0]).',
    );
    assert.equal(report.conclusion.failedHop, undefined);
  });

  test('the egress of the source: a default deny with no rules', () => {
    const denyEgress: NetworkPolicy = {
      metadata: { namespace: 'shop', name: 'deny-egress' },
      spec: { podSelector: {}, policyTypes: ['Egress'] },
    };
    const report = diagnoseStatic(input(backend, { networkPolicies: [denyEgress] }));
    const egress = hop(report, 'egress');
    assert.equal(egress.status, 'failed');
    assert.equal(
      egress.summary,
      'Policy shop/deny-egress isolates frontend-7d9c-abcde for egress and has no egress rules, so it may not connect anywhere.',
    );
    assert.match(
      egress.fix!,
      /^Add an egress rule to NetworkPolicy shop\/deny-egress that lets it reach shop\/backend-5f6a-aaaaa on TCP 8080/,
    );
    assert.match(egress.fix!, /- to: \[\{podSelector: \{matchLabels: \{app: backend\}\}\}\]/);
    assert.equal(report.conclusion.failedHop, 'egress');
    assert.equal(hop(report, 'name').status, 'unknown', 'the DNS query leaves the Pod too');
  });

  test('a policy that admits only some of the backing Pods: connections fail at random', () => {
    const onlyOne: NetworkPolicy = {
      metadata: { namespace: 'shop', name: 'backend-a-only' },
      spec: {
        podSelector: { matchLabels: { app: 'backend' } },
        ingress: [{ from: [{ ipBlock: { cidr: '10.244.1.10/32' } }] }],
      },
    };
    const odd = pod(
      'shop',
      'backend-5f6a-zzzzz',
      { app: 'backend', tier: 'api' },
      {
        ip: '10.244.1.23',
        ports: [{ name: 'http', containerPort: 8080 }],
      },
    );
    const other: NetworkPolicy = {
      metadata: { namespace: 'shop', name: 'zzzzz-closed' },
      spec: { podSelector: { matchLabels: { tier: 'api' } }, ingress: [] },
    };
    const report = diagnoseStatic(
      input(backend, { pods: [frontend, backend2, odd], networkPolicies: [onlyOne, other] }),
    );
    // Both are selected by both policies; the ipBlock admits frontend's address to either.
    assert.equal(hop(report, 'ingress').status, 'passed');
    const narrower: NetworkPolicy = {
      metadata: { namespace: 'shop', name: 'zzzzz-only-closed' },
      spec: {
        podSelector: {
          matchLabels: { app: 'backend' },
          matchExpressions: [{ key: 'pod', operator: 'Exists' }],
        },
        ingress: [],
      },
    };
    const marked = { ...odd, metadata: { ...odd.metadata, labels: { ...odd.metadata.labels, pod: 'z' } } };
    const partial = diagnoseStatic(
      input(backend, { pods: [frontend, backend2, marked], networkPolicies: [narrower] }),
    );
    assert.equal(hop(partial, 'ingress').status, 'failed');
    assert.match(
      hop(partial, 'ingress').summary,
      /\(1 of 2 backing Pods denied: connections through the Service fail at random\)\.$/,
    );
  });

  test('NetworkPolicies that may not be read', () => {
    const report = diagnoseStatic(
      input(
        { kind: 'service', namespace: 'data', name: 'db', port: 5432 },
        { unreadable: { networkPolicies: ['data'] } },
      ),
    );
    assert.equal(hop(report, 'ingress').status, 'unknown');
    assert.equal(hop(report, 'egress').status, 'passed');
  });

  test('an address outside the cluster: egress only, with the ipBlock caveat for names', () => {
    const outbound: NetworkPolicy = {
      metadata: { namespace: 'shop', name: 'frontend-out' },
      spec: {
        podSelector: { matchLabels: { app: 'frontend' } },
        policyTypes: ['Egress'],
        egress: [
          { ports: [{ protocol: 'UDP', port: 53 }] },
          { to: [{ ipBlock: { cidr: '198.51.100.0/24' } }], ports: [{ port: 443 }] },
        ],
      },
    };
    const byIp = diagnoseStatic(
      input({ kind: 'dns', name: '198.51.100.7', port: 443 }, { networkPolicies: [outbound] }),
    );
    assert.equal(hop(byIp, 'egress').status, 'passed');
    assert.equal(hop(byIp, 'ingress').status, 'skipped');
    const elsewhere = diagnoseStatic(
      input({ kind: 'dns', name: '203.0.113.7', port: 443 }, { networkPolicies: [outbound] }),
    );
    assert.equal(elsewhere.conclusion.failedHop, 'egress');
    assert.deepEqual(elsewhere.conclusion.manifest, {
      kind: 'NetworkPolicy',
      namespace: 'shop',
      name: 'frontend-out',
    });
    const byName = diagnoseStatic(
      input({ kind: 'dns', name: 'api.example.com', port: 443 }, { networkPolicies: [outbound] }),
    );
    assert.equal(hop(byName, 'egress').status, 'unknown');
    assert.match(
      hop(byName, 'egress').summary,
      /whose ipBlocks may or may not hold the address api\.example\.com resolves to/,
    );
  });
});
