/**
 * Request routing against the request tables of the Gateway API conformance suite
 * (conformance/tests/httproute-*.go and their manifests), case by case: path match order, query
 * params, methods, hostname intersection, listener hostnames.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  BACKENDS,
  gateway,
  http,
  oneGateway,
  outcome,
  route,
  routed,
  rule,
  service,
  world,
} from './fixtures.ts';

const [V1, V2, V3] = BACKENDS as [string, string, string];

describe('HTTPRouteRule.Matches precedence: conformance HTTPRoutePathMatchOrder', () => {
  const w = oneGateway([
    route('infra', 'path-matching-order', {
      rules: [
        rule(V1, { path: { type: 'Exact', value: '/match' } }),
        rule(V2, { path: { type: 'Exact', value: '/match/exact' } }),
        rule(V3, { path: { type: 'Exact', value: '/match/exact/one' } }),
        rule(V3, { path: { type: 'PathPrefix', value: '/match/' } }),
        rule(V1, { path: { type: 'PathPrefix', value: '/match/prefix/' } }),
        rule(V2, { path: { type: 'PathPrefix', value: '/match/prefix/one' } }),
      ],
    }),
  ]);
  const cases: [string, string][] = [
    ['/match/exact/one', V3],
    ['/match/exact', V2],
    ['/match', V1],
    ['/match/prefix/one/any', V2],
    ['/match/prefix/any', V1],
    ['/match/any', V3],
  ];
  for (const [path, backend] of cases) {
    test(`${path} → ${backend}`, () => {
      assert.equal(outcome(w, { host: 'example.com', path }), backend);
    });
  }
  test('an Exact match beats a longer PathPrefix, and the loser says so', () => {
    const decision = routed(w, { path: '/match/exact' });
    assert.equal(decision.kind, 'routed');
    if (decision.kind === 'routed') {
      assert.equal(decision.ruleIndex, 1);
      const prefix = decision.losers.find((l) => l.ruleIndex === 3)!;
      assert.match(prefix.reason, /an Exact path match beats a PathPrefix one/);
    }
  });
});

describe('HTTPRouteMatch query params and precedence: conformance HTTPRouteQueryParamMatching', () => {
  const w = oneGateway([
    route('infra', 'query-param-matching', {
      rules: [
        rule(V1, { queryParams: [{ name: 'animal', value: 'whale' }] }),
        rule(V2, { queryParams: [{ name: 'animal', value: 'dolphin' }] }),
        rule(
          V3,
          {
            queryParams: [
              { name: 'animal', value: 'dolphin' },
              { name: 'color', value: 'blue' },
            ],
          },
          { queryParams: [{ name: 'ANIMAL', value: 'Whale' }] },
        ),
        rule(V1, {
          path: { type: 'PathPrefix', value: '/path1' },
          queryParams: [{ name: 'animal', value: 'whale' }],
        }),
        rule(V2, {
          headers: [{ name: 'version', value: 'one' }],
          queryParams: [{ name: 'animal', value: 'whale' }],
        }),
        rule(V3, {
          path: { type: 'PathPrefix', value: '/path2' },
          headers: [{ name: 'version', value: 'two' }],
          queryParams: [{ name: 'animal', value: 'whale' }],
        }),
        rule(
          V1,
          {
            path: { type: 'PathPrefix', value: '/path3' },
            queryParams: [{ name: 'animal', value: 'shark' }],
          },
          {
            path: { type: 'PathPrefix', value: '/path4' },
            headers: [{ name: 'version', value: 'three' }],
            queryParams: [{ name: 'animal', value: 'kraken' }],
          },
        ),
        rule(V1, { path: { type: 'PathPrefix', value: '/path5' } }),
        rule(V2, { queryParams: [{ name: 'animal', value: 'hydra' }] }),
        rule(V3, { headers: [{ name: 'version', value: 'four' }] }),
      ],
    }),
  ]);
  const cases: [string, Record<string, string>, string | number][] = [
    ['/?animal=whale', {}, V1],
    ['/?animal=dolphin', {}, V2],
    ['/?animal=dolphin&color=blue', {}, V3],
    ['/?ANIMAL=Whale', {}, V3],
    ['/?animal=whale&otherparam=irrelevant', {}, V1],
    ['/?animal=dolphin&color=yellow', {}, V2],
    ['/?color=blue', {}, 404],
    ['/?animal=dog', {}, 404],
    ['/?animal=whaledolphin', {}, 404],
    ['/', {}, 404],
    ['/path1?animal=whale', {}, V1],
    ['/?animal=whale', { version: 'one' }, V2],
    ['/path2?animal=whale', { version: 'two' }, V3],
    ['/path3?animal=shark', {}, V1],
    ['/path4?animal=kraken', { version: 'three' }, V1],
    ['/?animal=shark', {}, 404],
    ['/path4?animal=kraken', {}, 404],
    ['/path5?animal=hydra', {}, V1],
    ['/?animal=hydra', { version: 'four' }, V3],
  ];
  for (const [path, headers, expected] of cases) {
    test(`${path} ${JSON.stringify(headers)} → ${expected}`, () => {
      assert.equal(outcome(w, { path, headers }), expected);
    });
  }
  test('more query param matches win, and the loser is told why', () => {
    const decision = routed(w, { path: '/?animal=dolphin&color=blue' });
    assert.equal(decision.kind, 'routed');
    if (decision.kind === 'routed') {
      assert.match(
        decision.losers.find((l) => l.ruleIndex === 1)!.reason,
        /more query param matches \(2 against 1\)/,
      );
    }
  });
});

describe('Hostnames: conformance HTTPRouteHostnameIntersection', () => {
  const listeners = [
    http('listener-1', 80, {
      hostname: 'very.specific.com',
      allowedRoutes: { namespaces: { from: 'Same' } },
    }),
    http('listener-2', 80, { hostname: '*.wildcard.io', allowedRoutes: { namespaces: { from: 'Same' } } }),
    http('listener-3', 80, {
      hostname: '*.anotherwildcard.io',
      allowedRoutes: { namespaces: { from: 'Same' } },
    }),
  ];
  const parentRefs = [{ name: 'gw', namespace: 'infra' }];
  const w = world({
    gateways: [gateway('gw', listeners)],
    services: BACKENDS.map((name) => service('infra', name)),
    httpRoutes: [
      route('infra', 'specific-host-matches-listener-specific-host', {
        parentRefs,
        hostnames: ['non.matching.com', '*.nonmatchingwildcard.io', 'very.specific.com'],
        rules: [rule(V1, { path: { type: 'PathPrefix', value: '/s1' } })],
      }),
      route('infra', 'specific-host-matches-listener-wildcard-host', {
        parentRefs,
        hostnames: [
          'non.matching.com',
          'wildcard.io',
          'foo.wildcard.io',
          'bar.wildcard.io',
          'foo.bar.wildcard.io',
        ],
        rules: [rule(V2, { path: { type: 'PathPrefix', value: '/s2' } })],
      }),
      route('infra', 'wildcard-host-matches-listener-specific-host', {
        parentRefs,
        hostnames: ['non.matching.com', '*.specific.com'],
        rules: [rule(V3, { path: { type: 'PathPrefix', value: '/s3' } })],
      }),
      route('infra', 'wildcard-host-matches-listener-wildcard-host', {
        parentRefs,
        hostnames: ['*.anotherwildcard.io'],
        rules: [rule(V1, { path: { type: 'PathPrefix', value: '/s4' } })],
      }),
      route('infra', 'no-intersecting-hosts', {
        parentRefs,
        hostnames: ['specific.but.wrong.com', 'wildcard.io'],
        rules: [rule(V2, { path: { type: 'PathPrefix', value: '/s5' } })],
      }),
    ],
  });
  const cases: [string, string, string | number][] = [
    ['very.specific.com', '/s1', V1],
    ['very.specific.com:1234', '/s1', V1],
    ['non.matching.com', '/s1', 404],
    ['foo.nonmatchingwildcard.io', '/s1', 404],
    ['foo.wildcard.io', '/s1', 404],
    ['very.specific.com', '/non-matching-prefix', 404],
    ['foo.wildcard.io', '/s2', V2],
    ['bar.wildcard.io', '/s2', V2],
    ['foo.bar.wildcard.io', '/s2', V2],
    ['non.matching.com', '/s2', 404],
    ['wildcard.io', '/s2', 404],
    ['very.specific.com', '/s2', 404],
    ['very.specific.com', '/s3', V3],
    ['non.matching.com', '/s3', 404],
    ['foo.specific.com', '/s3', 404],
    ['foo.wildcard.io', '/s3', 404],
    ['foo.anotherwildcard.io', '/s4', V1],
    ['bar.anotherwildcard.io', '/s4', V1],
    ['foo.bar.anotherwildcard.io', '/s4', V1],
    ['anotherwildcard.io', '/s4', 404],
    ['foo.wildcard.io', '/s4', 404],
    ['very.specific.com', '/s4', 404],
    ['specific.but.wrong.com', '/s5', 404],
    ['wildcard.io', '/s5', 404],
  ];
  for (const [host, path, expected] of cases) {
    test(`${host}${path} → ${expected}`, () => assert.equal(outcome(w, { host, path }), expected));
  }
});

describe('Listener hostnames: conformance HTTPRouteListenerHostnameMatching', () => {
  const gw = gateway('httproute-listener-hostname-matching', [
    http('listener-1', 80, { hostname: 'bar.com' }),
    http('listener-2', 80, { hostname: 'foo.bar.com' }),
    http('listener-3', 80, { hostname: '*.bar.com' }),
    http('listener-4', 80, { hostname: '*.foo.com' }),
  ]);
  const parent = (sectionName: string) => ({
    name: 'httproute-listener-hostname-matching',
    namespace: 'infra',
    sectionName,
  });
  const w = world({
    gateways: [gw],
    services: BACKENDS.map((name) => service('infra', name)),
    httpRoutes: [
      route('infra', 'backend-v1', { parentRefs: [parent('listener-1')], rules: [rule(V1)] }),
      route('infra', 'backend-v2', { parentRefs: [parent('listener-2')], rules: [rule(V2)] }),
      route('infra', 'backend-v3', {
        parentRefs: [parent('listener-3'), parent('listener-4')],
        rules: [rule(V3)],
      }),
    ],
  });
  const cases: [string, string | number][] = [
    ['bar.com', V1],
    ['foo.bar.com', V2],
    ['baz.bar.com', V3],
    ['boo.bar.com', V3],
    ['multiple.prefixes.bar.com', V3],
    ['multiple.prefixes.foo.com', V3],
    ['foo.com', 404],
    ['no.matching.host', 404],
  ];
  for (const [host, expected] of cases) {
    test(`${host} → ${expected}`, () =>
      assert.equal(outcome(w, { host }, 'httproute-listener-hostname-matching'), expected));
  }
});

describe('HTTPRouteMatch method and precedence: conformance HTTPRouteMethodMatching', () => {
  const w = oneGateway([
    route('infra', 'method-matching', {
      rules: [
        rule(V1, { method: 'POST' }),
        rule(V2, { method: 'GET' }),
        rule(V1, { path: { type: 'PathPrefix', value: '/path1' }, method: 'GET' }),
        rule(V2, { headers: [{ name: 'version', value: 'one' }], method: 'PUT' }),
        rule(V3, {
          path: { type: 'PathPrefix', value: '/path2' },
          headers: [{ name: 'version', value: 'two' }],
          method: 'POST',
        }),
        rule(
          V1,
          { path: { type: 'PathPrefix', value: '/path3' }, method: 'PATCH' },
          {
            path: { type: 'PathPrefix', value: '/path4' },
            headers: [{ name: 'version', value: 'three' }],
            method: 'DELETE',
          },
        ),
        rule(V1, { path: { type: 'PathPrefix', value: '/path5' } }),
        rule(V2, { method: 'PATCH' }),
        rule(V3, { headers: [{ name: 'version', value: 'four' }] }),
      ],
    }),
  ]);
  const cases: [string, string, Record<string, string>, string | number][] = [
    ['POST', '/', {}, V1],
    ['GET', '/', {}, V2],
    ['HEAD', '/', {}, 404],
    ['GET', '/path1', {}, V1],
    ['PUT', '/', { version: 'one' }, V2],
    ['POST', '/path2', { version: 'two' }, V3],
    ['PATCH', '/path3', {}, V1],
    ['DELETE', '/path4', { version: 'three' }, V1],
    ['PUT', '/', {}, 404],
    ['DELETE', '/path4', {}, 404],
    ['PATCH', '/path5', {}, V1],
    ['PATCH', '/', { version: 'four' }, V2],
  ];
  for (const [method, path, headers, expected] of cases) {
    test(`${method} ${path} ${JSON.stringify(headers)} → ${expected}`, () => {
      assert.equal(outcome(w, { method, path, headers }), expected);
    });
  }
});
