/**
 * Request routing through a Gateway against the specification (apis/v1/httproute_types.go
 * HTTPRouteRule.Matches "precedence", HTTPRouteSpec.Hostnames; gateway_types.go "Listeners that
 * are distinct only by Hostname") and the request tables of the conformance suite
 * (conformance/tests/httproute-*.go), case by case.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildGatewayRouteTable, routeGatewayRequest } from '../../../../src/analysis/gateway/index.ts';
import type {
  GatewayRequest,
  GatewayRouteDecision,
  GatewayWorld,
  HTTPRoute,
} from '../../../../src/analysis/gateway/index.ts';
import { BACKENDS, gateway, http, route, rule, service, world } from './fixtures.ts';

const [V1, V2, V3] = BACKENDS as [string, string, string];

function routed(w: GatewayWorld, request: Partial<GatewayRequest>, gw = 'gw'): GatewayRouteDecision {
  const found = w.gateways.find((g) => g.metadata.name === gw)!;
  return routeGatewayRequest(buildGatewayRouteTable(found, w), { port: 80, path: '/', ...request });
}

/** The backend Service a request reaches, or the status the Gateway answers. */
function outcome(w: GatewayWorld, request: Partial<GatewayRequest>, gw = 'gw'): string | number {
  const decision = routed(w, request, gw);
  if (decision.kind === 'no-listener') {
    return 'refused';
  }
  if (decision.kind !== 'routed') {
    return decision.status;
  }
  if (decision.backends.outcome.kind === 'error') {
    return 500;
  }
  const first = decision.backends.backends.find((b) => b.share > 0 && b.backend.state === 'resolved');
  return first?.backend.state === 'resolved' ? first.backend.service.name : 500;
}

function oneGateway(routes: HTTPRoute[]): GatewayWorld {
  return world({
    gateways: [gateway('gw', [http('http')])],
    httpRoutes: routes,
    services: BACKENDS.map((name) => service('infra', name)),
  });
}

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

describe('PathMatchPathPrefix: element by element, trailing slash ignored (httproute_types.go PathMatchType)', () => {
  const w = oneGateway([
    route('infra', 'r', { rules: [rule(V1, { path: { type: 'PathPrefix', value: '/abc' } })] }),
  ]);
  for (const path of ['/abc', '/abc/', '/abc/def']) {
    test(`/abc matches ${path}`, () => assert.equal(outcome(w, { path }), V1));
  }
  test('/abc does not match /abcd (404), and the reason names whole elements', () => {
    const decision = routed(w, { path: '/abcd' });
    assert.equal(decision.kind, 'no-route');
    assert.match(decision.explanation, /PathPrefix compares whole path elements/);
  });
  test('a PathPrefix with a trailing slash (/abc/) matches /abc', () => {
    const w2 = oneGateway([
      route('infra', 'r', { rules: [rule(V2, { path: { type: 'PathPrefix', value: '/abc/' } })] }),
    ]);
    assert.equal(outcome(w2, { path: '/abc' }), V2);
  });
  test('Exact /abc matches only /abc: not /abc/, /Abc, /abcd (PathMatchExact)', () => {
    const w2 = oneGateway([
      route('infra', 'r', { rules: [rule(V2, { path: { type: 'Exact', value: '/abc' } })] }),
    ]);
    assert.equal(outcome(w2, { path: '/abc' }), V2);
    for (const path of ['/abc/', '/Abc', '/abcd']) {
      assert.equal(outcome(w2, { path }), 404, path);
    }
  });
  test('a rule without matches matches every request (default PathPrefix /)', () => {
    const w2 = oneGateway([route('infra', 'r', { rules: [rule(V3)] })]);
    assert.equal(outcome(w2, { path: '/anything/at/all' }), V3);
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

describe('HTTPRouteMatch precedence: method, then header count (httproute_types.go)', () => {
  const w = oneGateway([
    route('infra', 'r', {
      rules: [
        rule(V1, { path: { type: 'PathPrefix', value: '/' } }),
        rule(V2, { path: { type: 'PathPrefix', value: '/' }, method: 'POST' }),
        rule(V3, {
          path: { type: 'PathPrefix', value: '/' },
          headers: [
            { name: 'a', value: '1' },
            { name: 'b', value: '2' },
          ],
        }),
      ],
    }),
  ]);
  test('a method match beats header matches', () => {
    assert.equal(outcome(w, { method: 'POST', headers: { a: '1', b: '2' } }), V2);
  });
  test('more header matches win over none', () => {
    assert.equal(outcome(w, { method: 'GET', headers: { A: '1', b: '2' } }), V3);
  });
  test('header names are case-insensitive; a later entry with an equivalent name is ignored', () => {
    const w2 = oneGateway([
      route('infra', 'r', {
        rules: [
          rule(V1, {
            headers: [
              { name: 'Version', value: 'one' },
              { name: 'version', value: 'two' },
            ],
          }),
        ],
      }),
    ]);
    assert.equal(outcome(w2, { headers: { VERSION: 'one' } }), V1);
    assert.equal(outcome(w2, { headers: { version: 'two' } }), 404);
  });
  test('method must match exactly', () => {
    const w2 = oneGateway([route('infra', 'r', { rules: [rule(V1, { method: 'POST' })] })]);
    assert.equal(outcome(w2, { method: 'GET' }), 404);
    assert.equal(outcome(w2, { method: 'post' }), V1);
  });
});

describe('Across routes: oldest route, then namespace/name (httproute_types.go; gateway_types.go AllowedRoutes)', () => {
  const match = { path: { type: 'PathPrefix', value: '/same' } };
  test('the oldest route wins a tie', () => {
    const w = oneGateway([
      route('infra', 'a-young', { rules: [rule(V1, match)] }, '2026-03-01T00:00:00Z'),
      route('infra', 'z-old', { rules: [rule(V2, match)] }, '2026-01-01T00:00:00Z'),
    ]);
    assert.equal(outcome(w, { path: '/same' }), V2);
    const decision = routed(w, { path: '/same' });
    assert.ok(decision.kind === 'routed');
    assert.match(decision.losers[0]!.reason, /is older/);
  });
  test('at the same age, namespace/name alphabetically: foo/bar before foo/baz', () => {
    const w = oneGateway([
      route('foo', 'baz', { rules: [rule(V1, match)] }),
      route('foo', 'bar', { rules: [rule(V2, match)] }),
    ]);
    const withServices = {
      ...w,
      services: ['foo'].flatMap((ns) => BACKENDS.map((name) => service(ns, name))),
    };
    assert.equal(outcome(withServices, { path: '/same' }), V2);
  });
  test('within a route, the first matching rule in list order', () => {
    const w = oneGateway([route('infra', 'r', { rules: [rule(V3, match), rule(V1, match)] })]);
    assert.equal(outcome(w, { path: '/same' }), V3);
  });
  test('precedence is by match, not by route: a longer prefix in a younger route wins', () => {
    const w = oneGateway([
      route(
        'infra',
        'old',
        { rules: [rule(V1, { path: { type: 'PathPrefix', value: '/a' } })] },
        '2020-01-01T00:00:00Z',
      ),
      route(
        'infra',
        'young',
        { rules: [rule(V2, { path: { type: 'PathPrefix', value: '/a/b' } })] },
        '2026-01-01T00:00:00Z',
      ),
    ]);
    assert.equal(outcome(w, { path: '/a/b/c' }), V2);
    assert.equal(outcome(w, { path: '/a/c' }), V1);
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

describe('Hostname precedence across routes (HTTPRouteSpec.Hostnames)', () => {
  const w = oneGateway([
    route('infra', 'wild', { hostnames: ['*.example.com'], rules: [rule(V1)] }, '2020-01-01T00:00:00Z'),
    route('infra', 'exact', {
      hostnames: ['foo.example.com'],
      rules: [rule(V2, { path: { type: 'PathPrefix', value: '/api' } })],
    }),
    route('infra', 'deeper', { hostnames: ['*.bar.example.com'], rules: [rule(V3)] }),
  ]);
  test('a non-wildcard hostname wins over a wildcard, whatever the path lengths', () => {
    assert.equal(outcome(w, { host: 'foo.example.com', path: '/api/x' }), V2);
  });
  test('a longer wildcard wins over a shorter one', () => {
    assert.equal(outcome(w, { host: 'x.bar.example.com', path: '/' }), V3);
  });
  test('when the exact hostname route has no matching rule, the wildcard route serves, and the decision names the divergence', () => {
    const decision = routed(w, { host: 'foo.example.com', path: '/other' });
    assert.equal(decision.kind, 'routed');
    if (decision.kind === 'routed') {
      assert.equal(decision.route.name, 'wild');
      assert.match(decision.hostnameFallback ?? '', /one virtual host per hostname/);
    }
  });
  test('a wildcard does not match the bare domain', () => {
    assert.equal(outcome(w, { host: 'example.com', path: '/' }), 404);
  });
});

describe('Listener selection (gateway_types.go "Listeners that are distinct only by Hostname", listener isolation)', () => {
  const w = world({
    gateways: [
      gateway('gw', [
        http('empty', 80),
        http('wild', 80, { hostname: '*.example.com' }),
        http('wild-deeper', 80, { hostname: '*.foo.example.com' }),
        http('exact', 80, { hostname: 'bar.foo.example.com' }),
        http('other-port', 8080),
      ]),
    ],
    services: BACKENDS.map((name) => service('infra', name)),
    httpRoutes: [
      route('infra', 'on-empty', {
        parentRefs: [{ name: 'gw', namespace: 'infra', sectionName: 'empty' }],
        rules: [rule(V1)],
      }),
      route('infra', 'on-wild', {
        parentRefs: [{ name: 'gw', namespace: 'infra', sectionName: 'wild' }],
        rules: [rule(V2)],
      }),
      route('infra', 'on-deeper', {
        parentRefs: [{ name: 'gw', namespace: 'infra', sectionName: 'wild-deeper' }],
        rules: [rule(V3, { path: { type: 'Exact', value: '/only' } })],
      }),
    ],
  });
  const listenerOf = (host: string, path = '/'): string | undefined => {
    const d = routed(w, { host, path });
    return d.kind === 'routed' || d.kind === 'no-route' ? d.listener : undefined;
  };
  test('exact before wildcard before no hostname', () => {
    assert.equal(listenerOf('bar.foo.example.com'), 'exact');
    assert.equal(listenerOf('a.example.com'), 'wild');
    assert.equal(listenerOf('elsewhere.org'), 'empty');
  });
  test('more dots right of the wildcard first: *.foo.example.com before *.example.com', () => {
    assert.equal(listenerOf('x.foo.example.com'), 'wild-deeper');
  });
  test('listener isolation: a request for the deeper wildcard is not served by the routes of *.example.com', () => {
    assert.equal(outcome(w, { host: 'x.foo.example.com', path: '/' }), 404);
    assert.equal(outcome(w, { host: 'x.foo.example.com', path: '/only' }), V3);
  });
  test('the exact listener with no route answers 404 and says so', () => {
    const d = routed(w, { host: 'bar.foo.example.com' });
    assert.equal(d.kind, 'no-route');
    assert.match(d.explanation, /has no attached route/);
  });
  test('no listener on the port: refused', () => {
    assert.equal(outcome(w, { host: 'a.example.com', port: 9999 }), 'refused');
  });
  test('listeners on the port, none for the host: 404 with each listener named', () => {
    const w2 = world({ gateways: [gateway('gw', [http('only', 80, { hostname: 'a.example.com' })])] });
    const d = routed(w2, { host: 'b.example.com' });
    assert.equal(d.kind, 'no-listener-host');
    assert.match(d.explanation, /only: host b.example.com does not match its hostname a.example.com/);
  });
});

describe('RegularExpression is implementation-specific (PathMatchRegularExpression)', () => {
  const w = oneGateway([
    route('infra', 'r', {
      rules: [
        rule(V1, { path: { type: 'RegularExpression', value: '/v[0-9]+/.*' } }),
        rule(V2, { path: { type: 'PathPrefix', value: '/v1' } }),
      ],
    }),
  ]);
  test('a regex matches the whole path and is named implementation-specific', () => {
    const d = routed(w, { path: '/v2/items' });
    assert.ok(d.kind === 'routed');
    assert.equal(d.ruleIndex, 0);
    assert.deepEqual(d.implementationSpecific, ['path regular expression /v[0-9]+/.*']);
    assert.match(d.explanation, /implementation-specific/);
  });
  test('ranked after Exact and before PathPrefix (as Envoy Gateway), and the loss says precedence is implementation-specific', () => {
    const d = routed(w, { path: '/v1/items' });
    assert.ok(d.kind === 'routed');
    assert.equal(d.ruleIndex, 0);
    assert.match(
      d.losers[0]!.reason,
      /RegularExpression path match beats a PathPrefix one \(the precedence of regular expressions is implementation-specific/,
    );
    const exact = oneGateway([
      route('infra', 'r', {
        rules: [
          rule(V1, { path: { type: 'RegularExpression', value: '/v1/.*' } }),
          rule(V2, { path: { type: 'Exact', value: '/v1/items' } }),
        ],
      }),
    ]);
    assert.equal(outcome(exact, { path: '/v1/items' }), V2);
  });
});

describe('Backends and 500s (HTTPRouteRule.BackendRefs; BackendRef.Weight)', () => {
  test('weights split the traffic by weight/sum', () => {
    const w = oneGateway([
      route('infra', 'r', {
        rules: [
          {
            backendRefs: [
              { name: V1, port: 8080, weight: 3 },
              { name: V2, port: 8080, weight: 1 },
              { name: V3, port: 8080, weight: 0 },
            ],
          },
        ],
      }),
    ]);
    const d = routed(w, {});
    assert.ok(d.kind === 'routed');
    assert.deepEqual(
      d.backends.backends.map((b) => b.share),
      [0.75, 0.25, 0],
    );
    assert.deepEqual(d.backends.outcome, { kind: 'forward', errorShare: 0 });
  });
  test('all weights zero: 500', () => {
    const w = oneGateway([
      route('infra', 'r', { rules: [{ backendRefs: [{ name: V1, port: 8080, weight: 0 }] }] }),
    ]);
    assert.equal(outcome(w, {}), 500);
    assert.match(routed(w, {}).explanation, /weight 0/);
  });
  test('no backendRefs and no filter: 500 (conformance HTTPRouteOmittedBackendRefs)', () => {
    const w = oneGateway([
      route('infra', 'r', { rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }] }] }),
    ]);
    assert.equal(outcome(w, {}), 500);
  });
  test('one of two equal backends invalid: half the requests are answered 500', () => {
    const w = oneGateway([
      route('infra', 'r', {
        rules: [
          {
            backendRefs: [
              { name: V1, port: 8080 },
              { name: 'missing', port: 8080 },
            ],
          },
        ],
      }),
    ]);
    const d = routed(w, {});
    assert.ok(d.kind === 'routed');
    assert.deepEqual(d.backends.outcome, { kind: 'forward', errorShare: 0.5 });
  });
  test('a redirect filter without backends answers itself', () => {
    const w = oneGateway([
      route('infra', 'r', {
        rules: [{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https' } }] }],
      }),
    ]);
    const d = routed(w, {});
    assert.ok(d.kind === 'routed');
    assert.deepEqual(d.backends.outcome, { kind: 'filter', filters: ['RequestRedirect'] });
  });
});

describe('GRPCRoute (grpcroute_types.go GRPCRouteRule.Matches precedence)', () => {
  test('gRPC requests go to GRPCRoutes: longer service beats shorter, then method', () => {
    const w = world({
      gateways: [gateway('gw', [http('http')])],
      services: BACKENDS.map((name) => service('infra', name)),
      grpcRoutes: [
        {
          metadata: { name: 'g', namespace: 'infra', creationTimestamp: '2026-01-01T00:00:00Z' },
          spec: {
            parentRefs: [{ name: 'gw', namespace: 'infra' }],
            rules: [
              { matches: [{ method: { service: 'shop.Cart' } }], backendRefs: [{ name: V1, port: 8080 }] },
              {
                matches: [{ method: { service: 'shop.Cart', method: 'Add' } }],
                backendRefs: [{ name: V2, port: 8080 }],
              },
              { backendRefs: [{ name: V3, port: 8080 }] },
            ],
          },
        },
      ],
    });
    const grpc = { method: 'POST', headers: { 'content-type': 'application/grpc' } };
    assert.equal(outcome(w, { path: '/shop.Cart/Add', ...grpc }), V2);
    assert.equal(outcome(w, { path: '/shop.Cart/Remove', ...grpc }), V1);
    assert.equal(outcome(w, { path: '/shop.Other/Get', ...grpc }), V3);
    assert.equal(outcome(w, { path: '/shop.Cart/Add' }), 404, 'a plain HTTP request is not a gRPC call');
  });
});
