/**
 * What NetworkPolicy cannot block, per https://kubernetes.io/docs/concepts/services-networking/network-policies/:
 * "Other pods that are allowed (exception: a pod cannot block access to itself)" and "IP blocks
 * (exception: traffic to and from the node where a Pod is running is always allowed, regardless of
 * the IP address of the Pod or the node)". A verdict these rules decide says so (the rule, not a
 * policy, allowed it); a Pod reaching itself through its Service's ClusterIP (hairpin) is where
 * network plugins differ (kubernetes/kubernetes#95879), and the verdict is 'uncertain' there.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Namespace, Pod } from '../../../src/analysis/k8s.ts';
import type { Endpoint, PodEndpoint } from '../../../src/analysis/networkPolicy.ts';
import { evaluateConnection, nodeEndpoint, podEndpoint } from '../../../src/analysis/networkPolicy.ts';
import { policy } from './netpolModel.ts';

const namespaces: Namespace[] = [{ metadata: { name: 'shop' } }, { metadata: { name: 'kube-system' } }];

function onNode(name: string, labels: Record<string, string>, ip: string, node: string, hostIP: string) {
  const pod: Pod = {
    metadata: { namespace: 'shop', name, labels },
    spec: { nodeName: node, containers: [{ name: 'app', ports: [{ name: 'http', containerPort: 8080 }] }] },
    status: { podIP: ip, hostIP },
  };
  return podEndpoint(pod) as PodEndpoint;
}

const web = onNode('web-0', { app: 'web' }, '10.244.1.10', 'node-1', '192.168.0.11');
const api = onNode('api-0', { app: 'api' }, '10.244.1.20', 'node-1', '192.168.0.11');
const denyIngress = policy('shop', 'deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] });
const denyAll = policy('shop', 'deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });

function evaluate(
  policies: Parameters<typeof evaluateConnection>[0]['policies'],
  source: Endpoint,
  destination: Endpoint,
  extra: { throughService?: boolean } = {},
) {
  return evaluateConnection({ policies, namespaces, source, destination, port: 8080, ...extra });
}

describe('a Pod cannot block access to itself', () => {
  test('under default deny in both directions, a Pod reaches its own IP: the rule, not a policy, allows it', () => {
    const verdict = evaluate([denyAll], web, web);
    assert.equal(verdict.allowed, true);
    assert.equal(verdict.outcome, 'allowed');
    for (const side of [verdict.egress, verdict.ingress]) {
      assert.equal(side.allowed, true);
      assert.equal(side.outcome, 'allowed');
      assert.equal(side.isolated, true, 'the policy still isolates it from everyone else');
      assert.deepEqual(side.selectingPolicies, ['shop/deny-all']);
      assert.equal(side.allowedByKubernetes, 'self');
      assert.equal(side.allowedBy, undefined, 'no policy rule admitted it');
      assert.match(side.reason, /a Pod cannot block access to itself/);
      assert.match(side.reason, /the Kubernetes rule, not a policy/);
    }
  });

  test('the rule is only for the Pod itself: its neighbour stays denied', () => {
    assert.equal(evaluate([denyIngress], api, web).outcome, 'denied');
  });

  test('a Pod no policy isolates needs no rule: the reason stays "not restricted"', () => {
    const verdict = evaluate([], web, web);
    assert.equal(verdict.outcome, 'allowed');
    assert.equal(verdict.ingress.allowedByKubernetes, undefined);
  });

  test('through its own Service (hairpin) where policies would deny it: uncertain, not a fact', () => {
    const verdict = evaluate([denyIngress], web, web, { throughService: true });
    assert.equal(verdict.outcome, 'uncertain');
    assert.equal(verdict.allowed, true, 'allowed is what the Kubernetes documentation says');
    assert.equal(verdict.ingress.outcome, 'uncertain');
    assert.equal(verdict.ingress.allowedByKubernetes, 'self');
    assert.match(
      verdict.ingress.reason,
      /some network plugins apply policy to hairpin traffic through a Service/,
    );
    assert.match(verdict.reason, /verify with a probe/);
    assert.equal(verdict.egress.outcome, 'allowed', 'nothing isolates its egress');
  });

  test('through its own Service where a policy admits it anyway: allowed, by that policy', () => {
    const selfAdmitted = policy('shop', 'web-from-web', {
      podSelector: { matchLabels: { app: 'web' } },
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }],
    });
    const verdict = evaluate([denyIngress, selfAdmitted], web, web, { throughService: true });
    assert.equal(verdict.outcome, 'allowed');
    assert.equal(verdict.ingress.allowedBy?.policy, 'shop/web-from-web');
    assert.equal(verdict.ingress.allowedByKubernetes, undefined);
  });

  test('through a Service to another Pod: the policies decide as ever', () => {
    const verdict = evaluate([denyIngress], api, web, { throughService: true });
    assert.equal(verdict.outcome, 'denied');
    assert.equal(verdict.allowed, false);
  });
});

describe('traffic to and from the node where a Pod is running is always allowed', () => {
  test('the kubelet (its node address) probes an isolated Pod on that node', () => {
    const kubelet = nodeEndpoint('node-1', '192.168.0.11');
    const verdict = evaluate([denyIngress], kubelet, web);
    assert.equal(verdict.outcome, 'allowed');
    assert.equal(verdict.ingress.allowedByKubernetes, 'node');
    assert.match(verdict.ingress.reason, /node node-1/);
    assert.match(verdict.ingress.reason, /the Kubernetes rule, not a policy/);
  });

  test('another node is an ordinary address: default deny drops it', () => {
    const otherNode = nodeEndpoint('node-2', '192.168.0.12');
    const verdict = evaluate([denyIngress], otherNode, web);
    assert.equal(verdict.outcome, 'denied');
    assert.equal(verdict.ingress.allowedByKubernetes, undefined);
  });

  test('a node address without a name is matched by the Pod hostIP', () => {
    const verdict = evaluate([denyIngress], { kind: 'external', ip: '192.168.0.11' }, web);
    assert.equal(verdict.ingress.allowedByKubernetes, 'node');
  });

  test('a host-network Pod on the same node is the node: admitted whatever its address', () => {
    const agent = podEndpoint({
      metadata: { namespace: 'kube-system', name: 'agent', labels: { app: 'agent' } },
      spec: { nodeName: 'node-1', hostNetwork: true },
      status: { podIP: '10.99.0.5', hostIP: '192.168.0.11' },
    });
    assert.deepEqual(agent, {
      kind: 'external',
      ip: '10.99.0.5',
      name: 'host-network pod kube-system/agent',
      node: 'node-1',
    });
    assert.equal(evaluate([denyIngress], agent, web).ingress.allowedByKubernetes, 'node');
    const elsewhere = podEndpoint({
      metadata: { namespace: 'kube-system', name: 'agent-2' },
      spec: { nodeName: 'node-2', hostNetwork: true },
      status: { podIP: '192.168.0.12', hostIP: '192.168.0.12' },
    });
    assert.equal(evaluate([denyIngress], elsewhere, web).outcome, 'denied');
  });

  test('egress to the own node under default deny egress is allowed; to another node it is not', () => {
    const verdict = evaluate([denyAll], web, nodeEndpoint('node-1', '192.168.0.11'));
    assert.equal(verdict.outcome, 'allowed');
    assert.equal(verdict.egress.allowedByKubernetes, 'node');
    assert.equal(evaluate([denyAll], web, nodeEndpoint('node-2', '192.168.0.12')).outcome, 'denied');
  });

  test('a Pod endpoint knows its node: name and host address', () => {
    assert.equal(web.node, 'node-1');
    assert.deepEqual(web.hostIPs, ['192.168.0.11']);
  });
});
