/** The external diagnosis's probe hop (what the probes saw against the static answer) and its namespaces. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diagnoseExternal } from '../../../src/analysis/external/index.ts';
import { namespacesForRequest, probeHopOf } from '../../../src/diagnose/externalDiagnoser.ts';
import type { ExternalProbe } from '../../../src/diagnose/externalDiagnoser.ts';
import { world } from '../analysis/external/world.ts';

function node(name: string, reached: boolean, expected: 'answers' | 'drops'): ExternalProbe {
  const index = name.at(-1);
  return {
    role: 'node',
    node: name,
    label: `${name} 127.42.0.${index}:30080`,
    reached,
    expected,
    message: '',
  };
}

test('node probes that match the static answer (Local: one node answers) pass the probe hop', () => {
  const d = diagnoseExternal(world({ kind: 'service', namespace: 'shop', name: 'static-site' }));
  const hop = probeHopOf(
    d,
    [
      node('sandbox-node-1', false, 'drops'),
      node('sandbox-node-2', true, 'answers'),
      node('sandbox-node-3', false, 'drops'),
    ],
    true,
  );
  assert.equal(hop.status, 'passed');
  assert.match(hop.summary, /answered on sandbox-node-2\. This agrees with the static hops/);
});

test('the node asked not answering fails the probe hop, asked by name or by address', () => {
  for (const asked of ['sandbox-node-1', '127.42.0.1']) {
    const d = diagnoseExternal(world({ kind: 'nodePort', node: asked, port: 30080 }));
    const hop = probeHopOf(
      d,
      [node('sandbox-node-1', false, 'drops'), node('sandbox-node-2', true, 'answers')],
      true,
    );
    assert.equal(hop.status, 'failed', asked);
    assert.match(hop.summary, /agrees with the static answer \(Node port\)/);
  }
});

test('a node the static answer expects to drop that answers is named as a surprise', () => {
  const d = diagnoseExternal(world({ kind: 'service', namespace: 'shop', name: 'static-site' }));
  const hop = probeHopOf(
    d,
    [node('sandbox-node-1', true, 'drops'), node('sandbox-node-2', true, 'answers')],
    true,
  );
  assert.ok(hop.evidence.some((line) => /sandbox-node-1: the static answer said it drops/.test(line)));
  assert.match(hop.summary, /something the cluster state does not show|static hops found nothing wrong/);
});

test('a backend probe that reaches the Pod despite a static NetworkPolicy failure says the plugin may not enforce it', () => {
  const d = diagnoseExternal(world({ kind: 'url', url: 'http://blog.example.com/' }));
  const probe: ExternalProbe = {
    role: 'backend',
    label: 'controller → blog',
    reached: true,
    message: 'Connected.',
  };
  const hop = probeHopOf(d, [probe], true);
  assert.equal(hop.status, 'passed');
  assert.match(hop.summary, /may not enforce/);
});

test('the Ingress answering 503 fails the probe hop; probes not asked leave it skipped', () => {
  const d = diagnoseExternal(world({ kind: 'url', url: 'http://shop.example.com/admin' }));
  const ingress: ExternalProbe = {
    role: 'ingress',
    label: 'http://127.42.1.1/admin',
    reached: true,
    httpStatus: 503,
    message: 'HTTP 503.',
  };
  assert.equal(probeHopOf(d, [ingress], true).status, 'failed');
  assert.equal(probeHopOf(d, [], false).status, 'skipped');
});

test("namespaces to watch: the request's own and the controllers'; for a URL every namespace up to the cap", () => {
  const all = ['blog', 'default', 'ingress-nginx', 'shop', 'tools'];
  assert.deepEqual(namespacesForRequest({ kind: 'ingress', namespace: 'shop', name: 'frontend' }, all, 50), [
    'shop',
    'ingress-nginx',
  ]);
  assert.deepEqual(namespacesForRequest({ kind: 'url', url: 'shop.example.com' }, all, 3), [
    'ingress-nginx',
    'blog',
    'default',
  ]);
});

function forwarded(status: number | undefined, extra: Partial<ExternalProbe> = {}): ExternalProbe {
  return {
    role: 'forwarded',
    label: 'http://shop.example.com/ through a port-forward to ingress-sandbox/controller:80',
    reached: status !== undefined,
    ...(status === undefined ? {} : { httpStatus: status }),
    message: status === undefined ? 'No answer.' : `HTTP ${status}.`,
    ...extra,
  };
}

const unreachableAddress: ExternalProbe = {
  role: 'ingress',
  label: 'http://127.42.1.1/ (Host: shop.example.com)',
  reached: false,
  message: 'No answer within 3000 ms.',
};

test('the Ingress address unreachable from here while the forwarded request answers 200: passed, the address named as unreachable from this machine', () => {
  const d = diagnoseExternal(world({ kind: 'url', url: 'http://shop.example.com/' }));
  const hop = probeHopOf(d, [unreachableAddress, forwarded(200)], true);
  assert.equal(hop.status, 'passed');
  assert.match(hop.summary, /port-forward to the controller's Pod, the request answered 200/);
  assert.match(hop.summary, /did not answer from this machine/);
  assert.match(hop.summary, /agrees with the static hops/);
  assert.ok(
    hop.evidence.some((line) => /through a port-forward .*: answered 200; static answer: answers/.test(line)),
  );
});

test('the forwarded request answering 503 for the broken path agrees with the static answer, both shown', () => {
  const d = diagnoseExternal(world({ kind: 'url', url: 'http://shop.example.com/admin' }));
  const hop = probeHopOf(d, [unreachableAddress, forwarded(503)], true);
  assert.equal(hop.status, 'failed');
  assert.match(hop.summary, /agrees with the static answer \(Backend Service and port\)/);
  assert.ok(
    hop.evidence.some((line) => /answered 503; static answer: fails at Backend Service and port/.test(line)),
  );
});

test('a forward that failed says nothing of the route: the address probe decides', () => {
  const d = diagnoseExternal(world({ kind: 'url', url: 'http://shop.example.com/' }));
  const direct: ExternalProbe = {
    ...unreachableAddress,
    reached: true,
    httpStatus: 200,
    message: 'HTTP 200.',
  };
  const hop = probeHopOf(
    d,
    [direct, forwarded(undefined, { forwardFailed: true, message: 'The port-forward failed: 403.' })],
    true,
  );
  assert.equal(hop.status, 'passed');
  assert.match(hop.summary, /port-forward to the controller's Pod failed/);
  assert.equal(probeHopOf(d, [forwarded(undefined, { forwardFailed: true })], true).status, 'unknown');
});

test('a pending address fails statically; the forwarded request, which does not pass it, answering 200 agrees', () => {
  const pending = world({ kind: 'url', url: 'http://shop.example.com/' });
  const d = diagnoseExternal({
    ...pending,
    ingresses: pending.ingresses.map((ingress) => ({ ...ingress, status: {} })),
  });
  assert.equal(d.conclusion.failedHop, 'address');
  const hop = probeHopOf(d, [forwarded(200)], true);
  assert.equal(hop.status, 'passed');
  assert.match(hop.summary, /do not pass the Address hop/);
});

test('a forwarded request failing where every static hop passes is a surprise', () => {
  const d = diagnoseExternal(world({ kind: 'url', url: 'http://shop.example.com/' }));
  const hop = probeHopOf(d, [forwarded(502)], true);
  assert.equal(hop.status, 'failed');
  assert.match(hop.summary, /static hops found nothing wrong/);
});

function podNode(name: string, reached: boolean): ExternalProbe {
  return {
    role: 'podNode',
    node: name,
    label: `shop/frontend-5c6b-abc → ${name} 127.42.0.${name.at(-1)}:30080`,
    reached,
    message: reached ? 'HTTP 200.' : 'Timed out.',
  };
}

test('no node answering this machine while every node answers a Pod: passed, the nodes named as unreachable from here', () => {
  const d = diagnoseExternal(world({ kind: 'service', namespace: 'shop', name: 'static-site' }));
  const hop = probeHopOf(
    d,
    [
      node('sandbox-node-1', false, 'drops'),
      node('sandbox-node-2', false, 'answers'),
      node('sandbox-node-3', false, 'drops'),
      podNode('sandbox-node-1', true),
      podNode('sandbox-node-2', true),
      podNode('sandbox-node-3', true),
    ],
    true,
  );
  assert.equal(hop.status, 'passed');
  assert.match(hop.summary, /from Pod shop\/frontend-5c6b-abc, the node port answered on 3 of 3 nodes/);
  assert.match(hop.summary, /No node answered this machine on the node port while nodes answered a Pod/);
  assert.ok(hop.evidence.some((line) => /→ sandbox-node-1 .*: answered; static answer: answers/.test(line)));
});

test('a node port no node answers from a Pod fails the probe hop', () => {
  const d = diagnoseExternal(world({ kind: 'service', namespace: 'shop', name: 'static-site' }));
  const hop = probeHopOf(d, [podNode('sandbox-node-1', false), podNode('sandbox-node-2', false)], true);
  assert.equal(hop.status, 'failed');
  assert.match(hop.summary, /static hops found nothing wrong/);
});
