/**
 * The Gateway API items' words: a Gateway's listeners with port, protocol, hostname, allowed
 * routes and attached routes; a route's parents, hostnames and the warning sentence of
 * warnings.ts; rules and backendRefs with weights; user data escaped in tooltips.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Gateway, HTTPRoute } from '../../../src/analysis/gateway/index.ts';
import {
  backendRefPresentation,
  gatewayPresentation,
  listenerPresentation,
  routePresentation,
  rulePresentation,
} from '../../../src/explorer/gatewayFormat.ts';
import { gatewayNodeName } from '../../../src/explorer/gatewayItems.ts';
import { gateway, http, route, service, world } from '../analysis/gateway/fixtures.ts';

const publicGateway: Gateway = {
  ...gateway('public', [
    http('http', 80, { hostname: '*.example.com' }),
    http('https', 8443, {
      hostname: '*.internal.example.com',
      allowedRoutes: { namespaces: { from: 'Same' } },
    }),
  ]),
  status: {
    addresses: [{ type: 'IPAddress', value: '127.0.9.1' }],
    conditions: [{ type: 'Programmed', status: 'True', reason: 'Programmed', message: 'ok *now*' }],
    listeners: [
      { name: 'http', supportedKinds: [{ kind: 'HTTPRoute' }], attachedRoutes: 2, conditions: [] },
      { name: 'https', supportedKinds: [{ kind: 'HTTPRoute' }], attachedRoutes: 0, conditions: [] },
    ],
  },
};

const shop: HTTPRoute = route('store', 'shop', {
  parentRefs: [{ name: 'public', namespace: 'infra' }],
  hostnames: ['shop.example.com'],
  rules: [
    {
      matches: [{ path: { type: 'PathPrefix', value: '/api' }, method: 'GET' }],
      backendRefs: [
        { name: 'web', port: 8080, weight: 3 },
        { name: 'stats', namespace: 'analytics', port: 80, weight: 1 },
      ],
    },
  ],
});

const w = world({
  gateways: [publicGateway],
  httpRoutes: [shop],
  services: [service('store', 'web'), service('analytics', 'stats', [80])],
});

describe('gatewayPresentation', () => {
  test('class, listeners with ports and the address; tooltip lists listeners and escapes messages', () => {
    const p = gatewayPresentation(publicGateway, w);
    assert.equal(p.label, 'public');
    assert.equal(p.description, 'sandbox · http:80, https:8443 · 127.0.9.1');
    assert.equal(p.contextValue, 'gateway');
    assert.match(p.tooltip, /`http`: HTTP 80 · \\\*\.example\.com · 2 routes, routes from all namespaces/);
    assert.match(
      p.tooltip,
      /`https`: HTTP 8443 · \\\*\.internal\.example\.com · 0 routes, routes from the same namespace/,
    );
    assert.match(p.tooltip, /ok \\\*now\\\*/);
    assert.deepEqual(p.warnings, []);
    assert.equal(p.icon.id, 'server-environment');
  });

  test('a missing GatewayClass is a warning with the warning icon', () => {
    const p = gatewayPresentation(
      { ...publicGateway, spec: { ...publicGateway.spec, gatewayClassName: 'gone' } },
      w,
    );
    assert.deepEqual(p.warnings, ['GatewayClass gone does not exist: no controller serves this Gateway']);
    assert.equal(p.icon.id, 'warning');
  });

  test('no status yet: "routes: not reported", no address', () => {
    const bare = gateway('bare', [http('http', 80)]);
    const p = gatewayPresentation(bare, world({ gateways: [bare] }));
    assert.equal(p.description, 'sandbox · http:80 · no address');
    assert.match(p.tooltip, /routes: not reported/);
    assert.match(p.tooltip, /none written/);
  });

  test('a listener: its line and its attached-route count', () => {
    const p = listenerPresentation(publicGateway, publicGateway.spec!.listeners![1]!, w);
    assert.equal(p.label, 'https');
    assert.equal(p.description, 'HTTP 8443 · *.internal.example.com · 0 routes');
    assert.equal(p.contextValue, 'gatewayListener');
  });
});

describe('routePresentation', () => {
  test('parents, hostnames, and the warnings in plain words', () => {
    const p = routePresentation({ kind: 'HTTPRoute', route: shop }, w);
    assert.equal(p.label, 'shop');
    assert.equal(p.description, 'shop.example.com · → infra/public');
    assert.equal(p.contextValue, 'httpRoute');
    assert.equal(p.icon.id, 'warning');
    assert.ok(
      p.warnings.some((x) => x.startsWith('not attached to listener https of Gateway infra/public')),
      p.warnings.join('\n'),
    );
    assert.ok(
      p.warnings.some((x) => x.includes('RefNotPermitted')),
      p.warnings.join('\n'),
    );
    assert.match(p.tooltip, /\*\*Warnings\*\*/);
  });

  test('a GRPCRoute says gRPC and has its own contextValue', () => {
    const grpc = { ...shop, kind: 'GRPCRoute', spec: { ...shop.spec, rules: [] } };
    const p = routePresentation({ kind: 'GRPCRoute', route: grpc }, w);
    assert.equal(p.description.split(' · ')[0], 'gRPC');
    assert.equal(p.contextValue, 'grpcRoute');
  });

  test('a rule: its matches as label, backends and weights below', () => {
    const any = { kind: 'HTTPRoute' as const, route: shop };
    const r = rulePresentation(any, 0);
    assert.equal(r.label, 'GET PathPrefix /api');
    assert.equal(r.description, 'rule 1 · 2 backends');
    const warnings = routePresentation(any, w).warnings;
    const web = backendRefPresentation(any, 0, 0, warnings);
    assert.equal(web.label, 'web:8080');
    assert.equal(web.description, 'weight 3 · 75%');
    assert.equal(web.icon.id, 'symbol-interface');
    const stats = backendRefPresentation(any, 0, 1, warnings);
    assert.equal(stats.label, 'analytics/stats:80');
    assert.equal(stats.description, 'weight 1 · 25%');
    assert.equal(stats.icon.id, 'warning');
    assert.match(stats.tooltip, /RefNotPermitted/);
  });
});

describe('gatewayNodeName (Copy Name)', () => {
  test('a Gateway, a listener and a route have a name; groups, rules and backends none', () => {
    assert.equal(gatewayNodeName({ parts: ['gateways', 'public'] }), 'public');
    assert.equal(gatewayNodeName({ parts: ['gateways', 'public', 'l', 'https'] }), 'https');
    assert.equal(gatewayNodeName({ parts: ['routes', 'HTTPRoute', 'catalog'] }), 'catalog');
    assert.equal(gatewayNodeName({ parts: ['gateways'] }), undefined);
    assert.equal(gatewayNodeName({ parts: ['routes', 'HTTPRoute', 'catalog', '0'] }), undefined);
    assert.equal(gatewayNodeName({ parts: ['routes', 'HTTPRoute', 'catalog', '0', '1'] }), undefined);
  });
});

describe('references into namespaces whose objects were not read', () => {
  // The explorer reads Services and Gateways in the namespaces in view only: store is in view,
  // analytics and edge are not.
  const unread = {
    services: (ns: string) => (ns === 'store' ? undefined : 'not loaded: its namespace is not in view'),
    gateways: (ns: string) => (ns === 'infra' ? undefined : 'not loaded: its namespace is not in view'),
  };
  const crossing: HTTPRoute = route('store', 'cross', {
    parentRefs: [
      { name: 'public', namespace: 'infra' },
      { name: 'outer', namespace: 'edge' },
    ],
    hostnames: ['shop.example.com'],
    rules: [
      {
        backendRefs: [
          { name: 'web', port: 8080 },
          { name: 'stats', namespace: 'analytics', port: 80 },
        ],
      },
    ],
  });
  const grant = {
    metadata: { name: 'from-store', namespace: 'analytics' },
    spec: {
      from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'store' }],
      to: [{ group: '', kind: 'Service' }],
    },
  };
  // What the explorer's world holds: store's Services only, infra's Gateways only.
  const partial = world({
    gateways: [publicGateway],
    httpRoutes: [crossing],
    services: [service('store', 'web')],
    referenceGrants: [grant],
  });

  test('a backendRef into a namespace not in view: not known, never BackendNotFound', () => {
    const p = routePresentation({ kind: 'HTTPRoute', route: crossing }, partial, unread);
    assert.ok(!p.warnings.some((w) => /BackendNotFound/.test(w)), p.warnings.join('\n'));
    assert.match(
      p.tooltip,
      /\*\*Not known:\*\* the Services of namespace `analytics` are not read \(not loaded: its namespace is not in view\): whether `analytics\/stats:80` exists/,
    );
    const backend = backendRefPresentation({ kind: 'HTTPRoute', route: crossing }, 0, 1, p.warnings, unread);
    assert.notEqual(backend.icon.id, 'warning');
    assert.match(backend.tooltip, /Services of namespace `analytics` are not read/);
  });

  test('a parentRef into a namespace not in view: not known, never "does not exist"', () => {
    const p = routePresentation({ kind: 'HTTPRoute', route: crossing }, partial, unread);
    assert.ok(!p.warnings.some((w) => /edge\/outer/.test(w)), p.warnings.join('\n'));
    assert.match(p.tooltip, /the Gateways of namespace `edge` are not read .*: whether `edge\/outer` exists/);
  });

  test('read namespaces still warn: a Service missing from one in view is BackendNotFound', () => {
    const missing: HTTPRoute = route('store', 'missing', {
      parentRefs: [{ name: 'public', namespace: 'infra' }],
      hostnames: ['shop.example.com'],
      rules: [{ backendRefs: [{ name: 'gone', port: 80 }] }],
    });
    const p = routePresentation({ kind: 'HTTPRoute', route: missing }, partial, unread);
    assert.ok(
      p.warnings.some((w) => /gone.*BackendNotFound/.test(w)),
      p.warnings.join('\n'),
    );
    // Without the words (the old explorer), the unread namespace read as a missing Service.
    const old = routePresentation({ kind: 'HTTPRoute', route: crossing }, partial);
    assert.ok(
      old.warnings.some((w) => /analytics\/stats.*BackendNotFound/.test(w)),
      old.warnings.join('\n'),
    );
  });
});
