/** Hops 5 and 6: the backend Service's hops (those of the Pod-to-Service diagnosis) and NetworkPolicy. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diagnoseExternal } from '../../../../src/analysis/external/index.ts';
import type { ExternalDiagnosis, ExternalHopId } from '../../../../src/analysis/external/index.ts';
import type { NetworkPolicy } from '../../../../src/analysis/k8s.ts';
import { frontend, policies, world } from './world.ts';

function hop(diagnosis: ExternalDiagnosis, id: ExternalHopId) {
  return diagnosis.hops.find((candidate) => candidate.id === id)!;
}

test('shop.example.com/: every hop passes and the plan names the backend Pod and port', () => {
  const d = diagnoseExternal(world({ kind: 'url', url: 'http://shop.example.com/' }));
  for (const id of [
    'route',
    'class',
    'address',
    'service',
    'selector',
    'endpoints',
    'port',
    'policy',
  ] as const) {
    assert.equal(hop(d, id).status, 'passed', id);
  }
  assert.equal(d.conclusion.failedHop, undefined);
  assert.deepEqual(d.plan.backends, [
    { namespace: 'shop', name: frontend.metadata.name, ip: '10.42.0.10', port: 8080 },
  ]);
});

test('shop.example.com/admin: the backend Service has no port 8443', () => {
  const d = diagnoseExternal(world({ kind: 'url', url: 'http://shop.example.com/admin' }));
  const service = hop(d, 'service');
  assert.equal(service.status, 'failed');
  assert.equal(service.title, 'Backend Service and port');
  assert.match(service.summary, /no TCP port 8443/);
  assert.equal(d.conclusion.failedHop, 'service');
  assert.match(
    d.conclusion.sentence,
    /^A client outside the cluster cannot reach http:\/\/shop\.example\.com\/admin because Service shop\/frontend has no TCP port 8443/,
  );
});

test('a backend whose Pods are not ready fails the selector hop', () => {
  const notReady = {
    ...frontend,
    status: { ...frontend.status, conditions: [{ type: 'Ready', status: 'False' as const }] },
  };
  const base = world({ kind: 'url', url: 'http://shop.example.com/' });
  const d = diagnoseExternal({ ...base, pods: base.pods.map((p) => (p === frontend ? notReady : p)) });
  assert.equal(hop(d, 'selector').status, 'failed');
  assert.equal(d.conclusion.failedHop, 'selector');
});

test('blog.example.com: the default-deny in blog does not admit the controller: the NetworkPolicy hop fails', () => {
  const d = diagnoseExternal(world({ kind: 'url', url: 'http://blog.example.com/' }));
  const policy = hop(d, 'policy');
  assert.equal(policy.status, 'failed');
  assert.match(
    policy.summary,
    /no rule admits ingress-sandbox\/ingress-sandbox-controller-7d9f-x2x on TCP 8080/,
  );
  assert.ok(policy.fix);
  assert.equal(policy.manifest?.kind, 'NetworkPolicy');
  assert.equal(policy.manifest?.namespace, 'blog');
  assert.equal(d.conclusion.failedHop, 'policy');
});

test("a rule admitting the controller's namespace makes the NetworkPolicy hop pass", () => {
  const admit: NetworkPolicy = {
    metadata: { namespace: 'blog', name: 'allow-ingress-controller' },
    spec: {
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [
            { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-sandbox' } } },
          ],
        },
      ],
    },
  };
  const d = diagnoseExternal(
    world({ kind: 'url', url: 'http://blog.example.com/' }, { networkPolicies: [...policies, admit] }),
  );
  assert.equal(hop(d, 'policy').status, 'passed');
});

test('NetworkPolicies that may not be read make the NetworkPolicy hop unknown', () => {
  const d = diagnoseExternal(
    world({ kind: 'url', url: 'http://blog.example.com/' }, { unreadable: { networkPolicies: ['blog'] } }),
  );
  assert.equal(hop(d, 'policy').status, 'unknown');
  assert.equal(d.conclusion.failedHop, undefined);
});

test("node port, Cluster: a default-deny admits the traffic arriving on the Pod's own node only", () => {
  const deny: NetworkPolicy = {
    metadata: { namespace: 'shop', name: 'default-deny' },
    spec: { podSelector: {}, policyTypes: ['Ingress'] },
  };
  const d = diagnoseExternal(
    world(
      { kind: 'service', namespace: 'shop', name: 'frontend-public' },
      { networkPolicies: [...policies, deny] },
    ),
  );
  const policy = hop(d, 'policy');
  assert.equal(policy.status, 'failed');
  assert.match(policy.summary, /from node sandbox-node-2/);
  assert.ok(policy.evidence.some((line) => /^node sandbox-node-1 → /.test(line)));
  assert.deepEqual(policy.manifest, { kind: 'NetworkPolicy', namespace: 'shop', name: 'default-deny' });
});

test('node port, Local: the backend sees the client; without its address an isolating policy is unknown', () => {
  const deny: NetworkPolicy = {
    metadata: { namespace: 'shop', name: 'default-deny' },
    spec: { podSelector: {}, policyTypes: ['Ingress'] },
  };
  const request = { kind: 'nodePort', node: 'sandbox-node-2', port: 30080 } as const;
  const open = diagnoseExternal(world(request));
  assert.equal(hop(open, 'policy').status, 'passed');
  const unknown = diagnoseExternal(world(request, { networkPolicies: [deny] }));
  assert.equal(hop(unknown, 'policy').status, 'unknown');
  const denied = diagnoseExternal(world(request, { networkPolicies: [deny], clientIp: '198.51.100.7' }));
  assert.equal(hop(denied, 'policy').status, 'failed');
  assert.match(hop(denied, 'policy').summary, /client 198\.51\.100\.7/);
});
