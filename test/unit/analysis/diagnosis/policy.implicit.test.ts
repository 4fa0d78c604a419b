/**
 * Hops 6 and 7 where NetworkPolicy cannot decide: a Pod's traffic to itself and traffic from the
 * node it runs on are allowed by the Kubernetes rule (the hop says the rule, not a policy, allowed
 * it); a Pod reaching itself through its own Service is where network plugins differ, and the hop
 * says "unknown: verify with a probe" instead of deciding.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DiagnosisPod, HopId, StaticDiagnosis } from '../../../../src/analysis/diagnosis/index.ts';
import { diagnoseStatic } from '../../../../src/analysis/diagnosis/index.ts';
import type { NetworkPolicy } from '../../../../src/analysis/k8s.ts';
import { backend1, backend2, checkout, db, frontend, input, pod } from './world.ts';

function hop(report: StaticDiagnosis, id: HopId) {
  return report.hops.find((candidate) => candidate.id === id)!;
}

const denyAllShop: NetworkPolicy = {
  metadata: { namespace: 'shop', name: 'deny-all' },
  spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
};
const denyIngressShop: NetworkPolicy = {
  metadata: { namespace: 'shop', name: 'deny-ingress' },
  spec: { podSelector: {}, policyTypes: ['Ingress'] },
};

describe('a Pod cannot block access to itself', () => {
  test('a Pod connecting to its own IP under default deny: both hops pass, by the rule', () => {
    const report = diagnoseStatic(
      input(
        { kind: 'pod', namespace: 'shop', name: backend1.metadata.name!, port: 8080 },
        { source: backend1, networkPolicies: [denyAllShop] },
      ),
    );
    for (const id of ['egress', 'ingress'] as const) {
      assert.equal(hop(report, id).status, 'passed', id);
      assert.match(hop(report, id).summary, /a Pod cannot block access to itself/);
      assert.match(hop(report, id).summary, /the Kubernetes rule, not a policy, allows this connection/);
      assert.match(hop(report, id).summary, /shop\/deny-all/);
    }
    assert.equal(report.conclusion.failedHop, undefined);
  });

  test('a Pod reaching itself through its own Service under default deny: unknown, verify with a probe', () => {
    const report = diagnoseStatic(
      input(
        { kind: 'service', namespace: 'shop', name: 'backend', port: 80 },
        {
          source: backend1,
          pods: [frontend, backend1, checkout, db],
          networkPolicies: [denyIngressShop],
        },
      ),
    );
    const ingress = hop(report, 'ingress');
    assert.equal(ingress.status, 'unknown');
    assert.match(ingress.summary, /allowed by the Kubernetes rule/);
    assert.match(ingress.summary, /some network plugins apply policy to hairpin traffic through a Service/);
    assert.match(ingress.summary, /verify with a probe/);
    assert.match(
      ingress.fix!,
      /^To have it allowed on every network plugin, add a rule to NetworkPolicy shop\/deny-ingress/,
    );
    assert.match(ingress.fix!, /- from: \[\{podSelector: \{matchLabels: \{app: backend\}\}\}\]/);
    assert.deepEqual(ingress.manifest, { kind: 'NetworkPolicy', namespace: 'shop', name: 'deny-ingress' });
    assert.equal(hop(report, 'egress').status, 'passed');
    assert.equal(report.conclusion.failedHop, undefined, 'not a failure shown as fact');
    assert.match(
      report.conclusion.sentence,
      /1 hop could not be checked \(networkpolicy ingress of the target\)\. Run the live probe to confirm\.$/,
    );
  });

  test('through its Service with a second Pod behind it: that Pod is denied, itself uncertain', () => {
    const report = diagnoseStatic(
      input(
        { kind: 'service', namespace: 'shop', name: 'backend', port: 80 },
        { source: backend1, networkPolicies: [denyIngressShop] },
      ),
    );
    const ingress = hop(report, 'ingress');
    assert.equal(ingress.status, 'failed');
    assert.match(ingress.summary, /^Policy shop\/deny-ingress isolates backend-5f6a-bbbbb for ingress/);
    assert.ok(
      ingress.evidence.some((line) => line.startsWith(`shop/${backend2.metadata.name!} on TCP 8080: denied`)),
    );
    assert.ok(
      ingress.evidence.some((line) =>
        line.startsWith(
          `shop/${backend1.metadata.name!} on TCP 8080: uncertain (allowed by the Kubernetes rule)`,
        ),
      ),
    );
  });
});

describe('traffic from the node where a Pod is running is always allowed', () => {
  function agent(node: string, ip: string): DiagnosisPod {
    const base = pod('kube-system', 'node-agent', { app: 'agent' }, { ip, hostNetwork: true });
    return { ...base, spec: { ...base.spec, nodeName: node } };
  }

  test('a host-network Pod on the same node reaches an isolated Pod by the rule; from another node it is denied', () => {
    const db = { kind: 'service', namespace: 'data', name: 'db', port: 5432 } as const;
    const sameNode = diagnoseStatic(input(db, { source: agent('node-1', '192.168.0.11') }));
    const ingress = hop(sameNode, 'ingress');
    assert.equal(ingress.status, 'passed');
    assert.match(ingress.summary, /traffic to and from the node where a Pod is running is always allowed/);
    assert.match(ingress.summary, /the Kubernetes rule, not a policy, allows this connection/);

    const otherNode = diagnoseStatic(input(db, { source: agent('node-2', '192.168.0.12') }));
    assert.equal(hop(otherNode, 'ingress').status, 'failed');
    assert.match(hop(otherNode, 'ingress').fix!, /ipBlock: \{cidr: 192\.168\.0\.12\/32\}/);
  });
});
