/**
 * Request routing through a Gateway against the specification's rules, case by case
 * (apis/v1/httproute_types.go HTTPRouteRule.Matches "precedence", PathMatchType, HTTPRouteSpec.Hostnames;
 * gateway_types.go "Listeners that are distinct only by Hostname"; grpcroute_types.go). The
 * conformance suite's request tables are in routing.conformance.test.ts.
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
