/** Hop 4, Node port: the nodes that answer, under externalTrafficPolicy Cluster and Local. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diagnoseExternal } from '../../../../src/analysis/external/index.ts';
import type { NetworkPolicy } from '../../../../src/analysis/k8s.ts';
import type { ExternalDiagnosis, ExternalHopId } from '../../../../src/analysis/external/index.ts';
import { services, staticSite, world } from './world.ts';

function hop(diagnosis: ExternalDiagnosis, id: ExternalHopId) {
  return diagnosis.hops.find((candidate) => candidate.id === id)!;
}

const staticSiteService = { kind: 'service', namespace: 'shop', name: 'static-site' } as const;

test('Local: the node port answers only on the node with a ready endpoint; the others drop', () => {
  const d = diagnoseExternal(world(staticSiteService));
  const nodePort = hop(d, 'nodePort');
  assert.equal(nodePort.status, 'passed');
  assert.match(nodePort.summary, /answers only on sandbox-node-2/);
  assert.match(nodePort.summary, /sandbox-node-1, sandbox-node-3 drop/);
  assert.deepEqual(
    d.plan.nodePorts.map((n) => [n.node, n.address, n.port, n.answers]),
    [
      ['sandbox-node-1', '127.42.0.1', 30080, false],
      ['sandbox-node-2', '127.42.0.2', 30080, true],
      ['sandbox-node-3', '127.42.0.3', 30080, false],
    ],
  );
  assert.equal(hop(d, 'address').status, 'skipped');
});

test('Local, asked on a node without an endpoint: the node-port hop fails and names the node that answers', () => {
  const d = diagnoseExternal(world({ kind: 'nodePort', node: 'sandbox-node-1', port: 30080 }));
  const nodePort = hop(d, 'nodePort');
  assert.equal(nodePort.status, 'failed');
  assert.match(nodePort.summary, /sandbox-node-1 drops connections to node port 30080/);
  assert.match(nodePort.fix ?? '', /127\.42\.0\.2:30080/);
  assert.equal(d.conclusion.failedHop, 'nodePort');
  const good = diagnoseExternal(world({ kind: 'nodePort', node: '127.42.0.2', port: 30080 }));
  assert.equal(hop(good, 'nodePort').status, 'passed');
  assert.equal(good.conclusion.failedHop, undefined);
});

test('Cluster: every node answers while some endpoint is ready', () => {
  const cluster = services.map((s) =>
    s.metadata.name === 'static-site' ? { ...s, spec: { ...s.spec, externalTrafficPolicy: 'Cluster' } } : s,
  );
  const d = diagnoseExternal(
    world({ kind: 'nodePort', node: 'sandbox-node-1', port: 30080 }, { services: cluster }),
  );
  assert.equal(hop(d, 'nodePort').status, 'passed');
  assert.match(hop(d, 'nodePort').summary, /answers on every node/);
});

test('no ready endpoint anywhere: every node drops, the node-port hop fails', () => {
  const notReady = {
    ...staticSite,
    status: { ...staticSite.status, conditions: [{ type: 'Ready', status: 'False' as const }] },
  };
  const base = world(staticSiteService);
  const slices = base.endpointSlices.map((s) =>
    s.metadata?.name?.startsWith('static-site')
      ? { ...s, endpoints: s.endpoints!.map((e) => ({ ...e, conditions: { ready: false } })) }
      : s,
  );
  const d = diagnoseExternal(
    world(staticSiteService, {
      pods: base.pods.map((p) => (p === staticSite ? notReady : p)),
      endpointSlices: slices,
    }),
  );
  assert.equal(hop(d, 'nodePort').status, 'failed');
  assert.match(hop(d, 'nodePort').summary, /every node drops/);
});

test('Local with EndpointSlices that may not be read, or Nodes that may not be read: unknown', () => {
  const slices = diagnoseExternal(world(staticSiteService, { unreadable: { endpointSlices: ['shop'] } }));
  assert.equal(hop(slices, 'nodePort').status, 'unknown');
  const nodes = diagnoseExternal(world(staticSiteService, { unreadable: { nodes: true }, nodes: [] }));
  assert.equal(hop(nodes, 'nodePort').status, 'unknown');
});

test('an Ingress request has no node-port hop of its own', () => {
  const d = diagnoseExternal(world({ kind: 'url', url: 'http://shop.example.com/' }));
  assert.equal(hop(d, 'nodePort').status, 'skipped');
});

test('internalTrafficPolicy Local: the node-port hop says which nodes in-cluster callers of the ClusterIP are served on', () => {
  const internal = services.map((s) =>
    s.metadata.name === 'static-site' ? { ...s, spec: { ...s.spec, internalTrafficPolicy: 'Local' } } : s,
  );
  const d = diagnoseExternal(world(staticSiteService, { services: internal }));
  assert.ok(
    hop(d, 'nodePort').evidence.some((line) =>
      /internalTrafficPolicy Local: Pods calling the ClusterIP are served only on sandbox-node-2; Pods on sandbox-node-1, sandbox-node-3 get no answer/.test(
        line,
      ),
    ),
    hop(d, 'nodePort').evidence.join('\n'),
  );
  const plain = diagnoseExternal(world(staticSiteService));
  assert.ok(!plain.hops.some((h) => h.evidence.some((line) => /internalTrafficPolicy/.test(line))));
});

test("a node port's live probe source: a ready Pod not behind the Service, from its namespace first", () => {
  const site = diagnoseExternal(world({ kind: 'service', namespace: 'shop', name: 'static-site' }));
  assert.deepEqual(site.plan.nodePortSource, { namespace: 'shop', name: 'frontend-5c6b-abc' });
  const pub = diagnoseExternal(world({ kind: 'service', namespace: 'shop', name: 'frontend-public' }));
  assert.deepEqual(pub.plan.nodePortSource, { namespace: 'shop', name: 'static-site' });
  const ingress = diagnoseExternal(world({ kind: 'url', url: 'http://shop.example.com/' }));
  assert.equal(ingress.plan.nodePortSource, undefined);
});

test("the probe source avoids a Pod whose egress a NetworkPolicy restricts, or whose policies can't be read", () => {
  const denyShopEgress: NetworkPolicy = {
    metadata: { namespace: 'shop', name: 'deny-egress' },
    spec: { podSelector: { matchLabels: { app: 'frontend' } }, policyTypes: ['Egress'] },
  };
  const base = world({ kind: 'service', namespace: 'shop', name: 'static-site' });
  const restricted = diagnoseExternal({
    ...base,
    networkPolicies: [...base.networkPolicies, denyShopEgress],
  });
  // frontend (shop) is restricted, static-site is behind the Service: a Pod of another namespace.
  assert.notEqual(restricted.plan.nodePortSource?.name, 'frontend-5c6b-abc');
  assert.notEqual(restricted.plan.nodePortSource?.namespace, 'shop');
  const unknown = diagnoseExternal({ ...base, unreadable: { networkPolicies: ['shop'] } });
  assert.notEqual(unknown.plan.nodePortSource?.namespace, 'shop');
});
