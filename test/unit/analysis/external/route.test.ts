/** Hop 1, Route: the Ingress rule for a URL, the Service holding a node port, or why none. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diagnoseExternal } from '../../../../src/analysis/external/index.ts';
import type { ExternalDiagnosis, ExternalHopId } from '../../../../src/analysis/external/index.ts';
import type { Ingress } from '../../../../src/analysis/ingress.ts';
import { frontendIngress, world } from './world.ts';

function hop(diagnosis: ExternalDiagnosis, id: ExternalHopId) {
  return diagnosis.hops.find((candidate) => candidate.id === id)!;
}

test('a URL is routed by host and the longest path: /admin wins over / and names its backend', () => {
  const d = diagnoseExternal(world({ kind: 'url', url: 'http://shop.example.com/admin/users' }));
  const route = hop(d, 'route');
  assert.equal(route.status, 'passed');
  assert.match(route.summary, /\/admin \(Prefix\) in rule 0 of shop\/frontend/);
  assert.match(route.summary, /service shop\/frontend:8443/);
  assert.deepEqual(d.ingress, { namespace: 'shop', name: 'frontend' });
  assert.deepEqual(d.service, { namespace: 'shop', name: 'frontend', port: 8443 });
  assert.deepEqual(d.plan.http, { host: 'shop.example.com', path: '/admin/users' });
});

test('a path is matched as nginx normalises it: /x/../admin is /admin', () => {
  const d = diagnoseExternal(world({ kind: 'url', url: 'shop.example.com/x/../admin' }));
  assert.deepEqual(d.service, { namespace: 'shop', name: 'frontend', port: 8443 });
});

test('a path above the root fails the route: the controller answers 400', () => {
  const d = diagnoseExternal(world({ kind: 'url', url: 'http://shop.example.com/%zz' }));
  assert.equal(hop(d, 'route').status, 'failed');
  assert.match(hop(d, 'route').summary, /400/);
});

test('a host no rule serves fails the route with the 404 of the default backend and a fix', () => {
  const d = diagnoseExternal(world({ kind: 'url', url: 'http://shopp.example.com/' }));
  const route = hop(d, 'route');
  assert.equal(route.status, 'failed');
  assert.match(
    route.summary,
    /No Ingress rule serves host shopp\.example\.com and path \/: the controller answers 404/,
  );
  assert.ok(route.fix);
  assert.equal(d.conclusion.failedHop, 'route');
  assert.equal(hop(d, 'service').status, 'skipped');
});

test("no rule found while some namespace's Ingresses could not be read: unknown, not failed", () => {
  const d = diagnoseExternal(
    world({ kind: 'url', url: 'http://shopp.example.com/' }, { unreadable: { ingresses: ['team-a'] } }),
  );
  assert.equal(hop(d, 'route').status, 'unknown');
  assert.match(hop(d, 'route').summary, /team-a/);
});

test('node:port finds the node by address or name and the Service holding that node port', () => {
  for (const node of ['127.42.0.2', 'sandbox-node-2']) {
    const d = diagnoseExternal(world({ kind: 'nodePort', node, port: 30080 }));
    assert.equal(hop(d, 'route').status, 'passed', node);
    assert.match(hop(d, 'route').summary, /Node port 30080 belongs to Service shop\/static-site/);
    assert.deepEqual(d.service, { namespace: 'shop', name: 'static-site', port: 80 });
  }
});

test('a node port no Service holds fails the route: the node refuses', () => {
  const d = diagnoseExternal(world({ kind: 'nodePort', node: 'sandbox-node-1', port: 30999 }));
  assert.equal(hop(d, 'route').status, 'failed');
  assert.match(hop(d, 'route').summary, /No Service .* holds node port 30999/);
});

test("a node that is no node of the cluster fails the route with the nodes' addresses", () => {
  const d = diagnoseExternal(world({ kind: 'nodePort', node: 'sandbox-node-9', port: 30080 }));
  assert.equal(hop(d, 'route').status, 'failed');
  assert.match(hop(d, 'route').fix ?? '', /127\.42\.0\.1/);
});

test('an Ingress rule from the tree is routed as its own host and path; shadowed by another Ingress it fails', () => {
  const ok = diagnoseExternal(
    world({ kind: 'ingressRule', namespace: 'shop', name: 'frontend', ruleIndex: 0, pathIndex: 1 }),
  );
  assert.equal(hop(ok, 'route').status, 'passed');
  assert.equal(ok.label, 'http://shop.example.com/admin');
  const older = {
    ...frontendIngress,
    metadata: { namespace: 'shop', name: 'old-admin', creationTimestamp: '2025-01-01T00:00:00Z' },
    spec: {
      ingressClassName: 'sandbox',
      rules: [
        {
          host: 'shop.example.com',
          http: {
            paths: [
              {
                path: '/admin',
                pathType: 'Exact',
                backend: { service: { name: 'admin', port: { number: 80 } } },
              },
            ],
          },
        },
      ],
    },
  };
  const shadowed = diagnoseExternal(
    world(
      { kind: 'ingressRule', namespace: 'shop', name: 'frontend', ruleIndex: 0, pathIndex: 1 },
      {
        ingresses: [frontendIngress, older],
      },
    ),
  );
  assert.equal(hop(shadowed, 'route').status, 'failed');
  assert.match(hop(shadowed, 'route').summary, /do not reach this rule/);
  assert.deepEqual(hop(shadowed, 'route').manifest, { kind: 'Ingress', namespace: 'shop', name: 'frontend' });
});

test('a ClusterIP Service chosen as the entry fails the route: nothing outside reaches it', () => {
  const d = diagnoseExternal(world({ kind: 'service', namespace: 'shop', name: 'frontend' }));
  assert.equal(hop(d, 'route').status, 'failed');
  assert.match(hop(d, 'route').fix ?? '', /NodePort or LoadBalancer/);
});

const fallback: Ingress = {
  metadata: { namespace: 'shop', name: 'fallback', creationTimestamp: '2026-01-02T00:00:00Z' },
  spec: {
    ingressClassName: 'sandbox',
    defaultBackend: { service: { name: 'frontend', port: { name: 'http' } } },
  },
  status: frontendIngress.status!,
};

const api: Ingress = {
  metadata: { namespace: 'shop', name: 'api', creationTimestamp: '2026-01-03T00:00:00Z' },
  spec: {
    ingressClassName: 'sandbox',
    defaultBackend: { service: { name: 'frontend', port: { name: 'http' } } },
    rules: [
      {
        host: 'api.example.com',
        http: {
          paths: [
            {
              path: '/v1',
              pathType: 'Prefix',
              backend: { service: { name: 'frontend', port: { number: 8443 } } },
            },
          ],
        },
      },
    ],
  },
  status: frontendIngress.status!,
};

test('the default backend of an Ingress without hosts is diagnosed with a request for a host no rule names', () => {
  const request = { kind: 'ingressDefaultBackend', namespace: 'shop', name: 'fallback' } as const;
  const base = world(request);
  const d = diagnoseExternal({ ...base, ingresses: [...base.ingresses, fallback] });
  const route = hop(d, 'route');
  assert.equal(route.status, 'passed', route.summary);
  assert.match(
    route.summary,
    /the default backend of shop\/fallback \(service shop\/frontend:http\) takes it/,
  );
  assert.match(
    route.evidence[0]!,
    /http:\/\/no-rule\.invalid\/, which matches no rule \(a host no rule names\)/,
  );
  assert.equal(d.label, 'the default backend of Ingress shop/fallback');
  assert.deepEqual(d.service, { namespace: 'shop', name: 'frontend', port: 'http' });
  assert.deepEqual(d.plan.http, { host: 'no-rule.invalid', path: '/' });
  assert.equal(d.conclusion.failedHop, undefined);
});

test("the default backend of an Ingress with hosts takes its hosts' unmatched paths, not its first rule's", () => {
  const request = { kind: 'ingressDefaultBackend', namespace: 'shop', name: 'api' } as const;
  const base = world(request);
  const d = diagnoseExternal({ ...base, ingresses: [...base.ingresses, api] });
  assert.equal(hop(d, 'route').status, 'passed');
  assert.deepEqual(d.plan.http, { host: 'api.example.com', path: '/' });
  // The first rule's backend names port 8443, which the Service lacks; the default backend's port is fine.
  assert.deepEqual(d.service, { namespace: 'shop', name: 'frontend', port: 'http' });
  assert.equal(hop(d, 'service').status, 'passed');
  const rule = diagnoseExternal({
    ...world({ kind: 'ingress', namespace: 'shop', name: 'api' }),
    ingresses: [...base.ingresses, api],
  });
  assert.equal(rule.conclusion.failedHop, 'service');
});

test('a default backend no request reaches (a Prefix / rule takes every path of the host) fails the route', () => {
  const request = { kind: 'ingressDefaultBackend', namespace: 'shop', name: 'frontend' } as const;
  const base = world(request);
  const withDefault: Ingress = {
    ...frontendIngress,
    spec: {
      ...frontendIngress.spec,
      defaultBackend: { service: { name: 'frontend', port: { name: 'http' } } },
    },
  };
  const d = diagnoseExternal({
    ...base,
    ingresses: base.ingresses.map((ingress) => (ingress === frontendIngress ? withDefault : ingress)),
  });
  const route = hop(d, 'route');
  assert.equal(route.status, 'failed');
  assert.match(route.summary, /No request reaches the default backend of Ingress shop\/frontend/);
  assert.match(route.fix!, /path \/ \(Prefix\)/);
  assert.ok(
    route.evidence.some((line) =>
      /http:\/\/shop\.example\.com\/: host shop\.example\.com matches/.test(line),
    ),
  );
  assert.equal(d.conclusion.failedHop, 'route');
});
