/**
 * Plain-words warnings for explorer items: the example sentence for a route refused by
 * one listener, missing Gateways, backends, conflicted listeners, a missing GatewayClass.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { gatewayWarnings, routeWarnings } from '../../../../src/analysis/gateway/index.ts';
import type { HTTPRoute, Listener } from '../../../../src/analysis/gateway/index.ts';
import { gateway, grant, http, route, rule, service, world } from './fixtures.ts';

const publicGateway = gateway('public', [
  http('http', 80, { hostname: '*.example.com' }),
  http('https', 8443, { hostname: '*.internal.example.com' }),
  {
    name: 'tls',
    port: 9443,
    protocol: 'TLS',
    tls: { mode: 'Passthrough' },
    allowedRoutes: { namespaces: { from: 'All' } },
  },
]);

function shop(extra: Partial<NonNullable<HTTPRoute['spec']>> = {}): HTTPRoute {
  return route('store', 'shop', {
    parentRefs: [{ name: 'public', namespace: 'infra' }],
    hostnames: ['shop.example.com'],
    rules: [rule('web')],
    ...extra,
  });
}

describe('routeWarnings', () => {
  test('attached to one listener, refused by another: the issue example, and nothing about the TLS listener', () => {
    const w = world({ gateways: [publicGateway], httpRoutes: [shop()], services: [service('store', 'web')] });
    assert.deepEqual(routeWarnings({ kind: 'HTTPRoute', route: w.httpRoutes[0]! }, w), [
      'not attached to listener https of Gateway infra/public: hostname shop.example.com does not match *.internal.example.com',
    ]);
  });

  test('a sectionName that picks the matching listener: no warning', () => {
    const r = shop({ parentRefs: [{ name: 'public', namespace: 'infra', sectionName: 'http' }] });
    const w = world({ gateways: [publicGateway], httpRoutes: [r], services: [service('store', 'web')] });
    assert.deepEqual(routeWarnings({ kind: 'HTTPRoute', route: r }, w), []);
  });

  test('a missing Gateway, a missing backend and a cross-namespace backend without grant', () => {
    const r = shop({
      parentRefs: [{ name: 'nope', namespace: 'infra' }],
      rules: [
        {
          backendRefs: [
            { name: 'gone', port: 80 },
            { name: 'stats', namespace: 'analytics', port: 80 },
          ],
        },
      ],
    });
    const w = world({
      gateways: [publicGateway],
      httpRoutes: [r],
      services: [service('analytics', 'stats', [80])],
    });
    assert.deepEqual(routeWarnings({ kind: 'HTTPRoute', route: r }, w), [
      'Gateway infra/nope does not exist',
      'backendRef Service store/gone port 80: Service store/gone does not exist (ResolvedRefs BackendNotFound)',
      'backendRef Service analytics/stats port 80 is in another namespace than the HTTPRoute (store), and no ReferenceGrant in analytics allows HTTPRoutes from store to refer to Services (ResolvedRefs RefNotPermitted)',
    ]);
    const granted = { ...w, referenceGrants: [grant('analytics', 'store')] };
    assert.equal(routeWarnings({ kind: 'HTTPRoute', route: r }, granted).length, 2);
    // The Services of analytics and the Gateways of infra not read (a namespace not in view): their
    // absence from the world proves nothing, so neither "does not exist" is said there.
    const notRead = { ...granted, gateways: [], services: [] };
    const unread = { services: (ns: string) => ns !== 'store', gateways: (ns: string) => ns === 'infra' };
    assert.deepEqual(routeWarnings({ kind: 'HTTPRoute', route: r }, notRead, undefined, unread), [
      'backendRef Service store/gone port 80: Service store/gone does not exist (ResolvedRefs BackendNotFound)',
    ]);
    assert.equal(routeWarnings({ kind: 'HTTPRoute', route: r }, notRead).length, 3);
  });

  test('refused by every listener: each says why', () => {
    const sameOnly = gateway('public', [
      http('http', 80, { allowedRoutes: { namespaces: { from: 'Same' } } }),
    ]);
    const w = world({ gateways: [sameOnly], httpRoutes: [shop()], services: [service('store', 'web')] });
    assert.deepEqual(routeWarnings({ kind: 'HTTPRoute', route: w.httpRoutes[0]! }, w), [
      'not attached to listener http of Gateway infra/public: it admits routes from its own namespace infra only (allowedRoutes.namespaces.from: Same), and the route is in store',
    ]);
  });

  test('a sectionName no listener has: the NoMatchingParent sentence', () => {
    const r = shop({ parentRefs: [{ name: 'public', namespace: 'infra', sectionName: 'web' }] });
    const w = world({ gateways: [publicGateway], httpRoutes: [r], services: [service('store', 'web')] });
    const [warning] = routeWarnings({ kind: 'HTTPRoute', route: r }, w);
    assert.match(
      warning!,
      /^not attached to Gateway infra\/public: Gateway infra\/public has no listener with sectionName web/,
    );
  });
});

describe('gatewayWarnings', () => {
  test('a healthy Gateway: none', () => {
    assert.deepEqual(gatewayWarnings(publicGateway, world({ gateways: [publicGateway] })), []);
  });
  test('conflicted listeners, said once each', () => {
    const clash: Listener[] = [
      http('a', 80, { hostname: 'x.example.com' }),
      http('b', 80, { hostname: 'x.example.com' }),
    ];
    const g = gateway('gw', clash);
    const warnings = gatewayWarnings(g, world({ gateways: [g] }));
    assert.equal(warnings.length, 2);
    assert.match(
      warnings[0]!,
      /^listener a: conflicted: listener b also has port 80, protocol HTTP and hostname x.example.com \(Accepted False, HostnameConflict\)$/,
    );
  });
  test('a GatewayClass that does not exist', () => {
    const g = { ...publicGateway, spec: { ...publicGateway.spec, gatewayClassName: 'missing' } };
    assert.deepEqual(gatewayWarnings(g, world({ gateways: [g] })), [
      'GatewayClass missing does not exist: no controller serves this Gateway',
    ]);
  });
});

describe('warnings when a cluster-wide list could not be read', () => {
  test('ReferenceGrants unread: no RefNotPermitted (their absence proves nothing); other warnings stay', () => {
    const r = shop({
      rules: [
        {
          backendRefs: [
            { name: 'gone', port: 80 },
            { name: 'stats', namespace: 'analytics', port: 80 },
          ],
        },
      ],
    });
    const w = world({
      gateways: [publicGateway],
      httpRoutes: [r],
      services: [service('analytics', 'stats', [80])],
    });
    const unread = routeWarnings({ kind: 'HTTPRoute', route: r }, w, undefined, { referenceGrants: true });
    assert.ok(!unread.some((warning) => /RefNotPermitted/.test(warning)), unread.join('\n'));
    assert.ok(unread.some((warning) => /store\/gone does not exist/.test(warning)));
    assert.ok(
      routeWarnings({ kind: 'HTTPRoute', route: r }, w).some((warning) => /RefNotPermitted/.test(warning)),
      'read and empty: the grant is missing',
    );
  });

  test('GatewayClasses unread: no "does not exist", and the listeners are still checked', () => {
    const clash = gateway('gw', [
      http('a', 80, { hostname: 'x.example.com' }),
      http('b', 80, { hostname: 'x.example.com' }),
    ]);
    const unreadWorld = { ...world({ gateways: [clash] }), gatewayClasses: [] };
    const warnings = gatewayWarnings(clash, unreadWorld, undefined, { gatewayClasses: true });
    assert.equal(warnings.length, 2);
    assert.ok(
      warnings.every((warning) => /HostnameConflict/.test(warning)),
      warnings.join('\n'),
    );
    assert.deepEqual(
      gatewayWarnings(publicGateway, { ...unreadWorld, gateways: [publicGateway] }, undefined, {
        gatewayClasses: true,
      }),
      [],
    );
    assert.match(gatewayWarnings(clash, unreadWorld)[0]!, /does not exist/);
  });
});
