/**
 * Static manifest checks against the CRDs' validation (apis/v1/gateway_types.go Listeners CEL
 * rules, httproute_types.go HTTPPathMatch CEL rules, object_reference_types.go
 * BackendObjectReference, shared_types.go CommonRouteSpec.ParentRefs), case by case.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  pathValueProblems,
  validateGateway,
  validateGRPCRoute,
  validateHTTPRoute,
} from '../../../../src/analysis/gateway/index.ts';
import type { HTTPRoute, Listener, ManifestProblem } from '../../../../src/analysis/gateway/index.ts';
import { gateway, http, route, rule } from './fixtures.ts';

function lines(problems: ManifestProblem[]): string[] {
  return problems.map((p) => `${p.severity} ${p.path.join('.')}: ${p.message}`);
}

describe('Gateway listeners (gateway_types.go GatewaySpec.Listeners validation)', () => {
  test('a valid Gateway has no problem', () => {
    assert.deepEqual(
      lines(
        validateGateway(gateway('gw', [http('http'), http('other', 8080, { hostname: '*.example.com' })])),
      ),
      [],
    );
  });
  test('listener names unique; port, protocol and hostname combination unique', () => {
    const problems = lines(validateGateway(gateway('gw', [http('web'), http('web')])));
    assert.deepEqual(problems, [
      'error spec.listeners.1.name: Listener name must be unique within the Gateway (listener 0 is also "web")',
      'error spec.listeners.1: Combination of port, protocol and hostname must be unique for each listener (listener 0 has the same)',
    ]);
  });
  test('hostname syntax, and no hostname for TCP', () => {
    const tcp: Listener = { name: 'raw', port: 9000, protocol: 'TCP', hostname: 'db.example.com' };
    const problems = lines(
      validateGateway(gateway('gw', [http('a', 80, { hostname: 'Shop.Example.com' }), tcp])),
    );
    assert.match(problems.join('\n'), /spec.listeners.0.hostname: Shop.Example.com has upper-case letters/);
    assert.match(
      problems.join('\n'),
      /spec.listeners.1.hostname: hostname must not be specified for protocols \['TCP', 'UDP'\]/,
    );
  });
  test('tls on HTTP refused; HTTPS without a certificate warned; TLS needs a mode', () => {
    const problems = lines(
      validateGateway(
        gateway('gw', [
          http('a', 80, { tls: { certificateRefs: [{ name: 'c' }] } }),
          { name: 'b', port: 443, protocol: 'HTTPS' },
          { name: 'c', port: 8443, protocol: 'TLS' },
        ]),
      ),
    );
    assert.deepEqual(problems, [
      "error spec.listeners.0.tls: tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']",
      'warning spec.listeners.1.tls: an HTTPS listener needs a certificateRef (the listener is not programmed without one)',
      'error spec.listeners.2.tls: tls mode must be set for protocol TLS',
    ]);
  });
  test('route kinds the protocol does not take: InvalidRouteKinds warned', () => {
    const problems = lines(
      validateGateway(gateway('gw', [http('a', 80, { allowedRoutes: { kinds: [{ kind: 'TCPRoute' }] } })])),
    );
    assert.match(problems.join('\n'), /route kinds TCPRoute are not supported on protocol HTTP/);
  });
});

describe('HTTPRoute (httproute_types.go, object_reference_types.go)', () => {
  const ok = route('infra', 'r', {
    hostnames: ['shop.example.com'],
    rules: [rule('web', { path: { type: 'PathPrefix', value: '/api' } })],
  });
  test('a valid route has no problem', () => assert.deepEqual(lines(validateHTTPRoute(ok)), []));

  const cases: [string, string[]][] = [
    ['api', ["value must be an absolute path and start with '/' when type one of ['Exact', 'PathPrefix']"]],
    ['/a//b', ["must not contain '//' when type one of ['Exact', 'PathPrefix']"]],
    ['/a/./b', ["must not contain '/./' when type one of ['Exact', 'PathPrefix']"]],
    ['/a/%2fb', ["must not contain '%2f' when type one of ['Exact', 'PathPrefix']"]],
    ['/a/..', ["must not end with '/..' when type one of ['Exact', 'PathPrefix']"]],
    [
      '/a b',
      [
        "must only contain valid characters (matching ^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$) for types ['Exact', 'PathPrefix']",
      ],
    ],
    ['/ok/path-1_~', []],
  ];
  for (const [value, expected] of cases) {
    test(`path value ${JSON.stringify(value)} (HTTPPathMatch CEL)`, () =>
      assert.deepEqual(pathValueProblems(value), expected));
  }

  test('a Service backendRef without port: "Must have port for Service reference"; weights in range; all zero warned', () => {
    const r: HTTPRoute = route('infra', 'r', {
      rules: [
        { backendRefs: [{ name: 'web' }, { name: 'api', port: 80, weight: -1 }] },
        { backendRefs: [{ name: 'web', port: 80, weight: 0 }] },
      ],
    });
    assert.deepEqual(lines(validateHTTPRoute(r)), [
      'error spec.rules.0.backendRefs.0: Must have port for Service reference (the Service port, not the target port)',
      'error spec.rules.0.backendRefs.1.weight: weight must be an integer between 0 and 1000000',
      'warning spec.rules.1.backendRefs: every backendRef has weight 0: no backend takes traffic, and requests are answered 500',
    ]);
  });

  test('a regex path is warned as implementation-specific; an unknown type and method refused', () => {
    const r = route('infra', 'r', {
      rules: [
        rule('web', { path: { type: 'RegularExpression', value: '/v[0-9]+' } }),
        rule('web', { path: { type: 'Suffix', value: '/x' }, method: 'FETCH' }),
      ],
    });
    assert.deepEqual(lines(validateHTTPRoute(r)), [
      'warning spec.rules.0.matches.0.path.type: a RegularExpression path is implementation-specific: its dialect and its precedence against other matches vary',
      "error spec.rules.1.matches.0.path.type: type must be one of ['Exact', 'PathPrefix', 'RegularExpression']",
      'error spec.rules.1.matches.0.method: method "FETCH" is none of GET, HEAD, POST, PUT, DELETE, CONNECT, OPTIONS, TRACE, PATCH',
    ]);
  });

  test('header names: valid characters, an equivalent name twice warned (only the first counts)', () => {
    const r = route('infra', 'r', {
      rules: [
        rule('web', {
          headers: [
            { name: 'X-Env', value: 'a' },
            { name: 'x-env', value: 'b' },
            { name: ':method', value: 'GET' },
          ],
        }),
      ],
    });
    assert.deepEqual(lines(validateHTTPRoute(r)), [
      'warning spec.rules.0.matches.0.headers.1.name: header x-env is matched twice: only the first entry counts',
      'error spec.rules.0.matches.0.headers.2.name: ":method" is not a valid header name',
    ]);
  });

  test('parentRefs to one Gateway twice need distinct sectionNames; no parentRefs warned', () => {
    const twice = route('infra', 'r', { parentRefs: [{ name: 'gw' }, { name: 'gw' }], rules: [rule('web')] });
    assert.match(
      lines(validateHTTPRoute(twice)).join('\n'),
      /sectionName must be specified when parentRefs includes 2 or more references to the same parent/,
    );
    const same = route('infra', 'r', {
      parentRefs: [
        { name: 'gw', sectionName: 'a' },
        { name: 'gw', sectionName: 'a' },
      ],
      rules: [rule('web')],
    });
    assert.match(lines(validateHTTPRoute(same)).join('\n'), /sectionName must be unique/);
    const none = route('infra', 'r', { parentRefs: [], rules: [rule('web')] });
    assert.deepEqual(lines(validateHTTPRoute(none)), [
      'warning spec.parentRefs: the route names no parentRefs: no Gateway serves it',
    ]);
  });

  test('RequestRedirect with backendRefs refused', () => {
    const r = route('infra', 'r', {
      rules: [
        { ...rule('web'), filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https' } }] },
      ],
    });
    assert.deepEqual(lines(validateHTTPRoute(r)), [
      'error spec.rules.0.filters: RequestRedirect filter must not be used together with backendRefs',
    ]);
  });
});

describe('GRPCRoute (grpcroute_types.go)', () => {
  test('a method match names a service or a method', () => {
    const problems = validateGRPCRoute({
      metadata: { name: 'g', namespace: 'infra' },
      spec: {
        parentRefs: [{ name: 'gw' }],
        rules: [{ matches: [{ method: {} }], backendRefs: [{ name: 'grpc', port: 9090 }] }],
      },
    });
    assert.deepEqual(lines(problems), [
      "error spec.rules.0.matches.0.method: One or both of 'service' or 'method' must be specified",
    ]);
  });
});

describe('HTTPRoute filters (HTTPRouteFilter and HTTPRouteRule CEL rules)', () => {
  test('RequestRedirect and URLRewrite together; ReplacePrefixMatch needs exactly one PathPrefix match; the filter body is required', () => {
    const r = route('infra', 'r', {
      rules: [
        {
          matches: [{ path: { type: 'Exact', value: '/a' } }],
          filters: [
            {
              type: 'RequestRedirect',
              requestRedirect: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/b' } },
            },
            { type: 'URLRewrite' },
          ],
        },
        { filters: [{ type: 'Bogus' }], backendRefs: [{ name: 'web', port: 80 }] },
      ],
    });
    assert.deepEqual(lines(validateHTTPRoute(r)), [
      'error spec.rules.0.filters: May specify either httpRouteFilterRequestRedirect or httpRouteFilterRequestRewrite, but not both',
      'error spec.rules.0.filters.0.requestRedirect.path: When using RequestRedirect filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified',
      'error spec.rules.0.filters.1: filter.urlRewrite must be specified for URLRewrite filter.type',
      'error spec.rules.1.filters.0.type: filter type "Bogus" is none of RequestHeaderModifier, ResponseHeaderModifier, RequestMirror, RequestRedirect, URLRewrite, ExtensionRef, CORS',
    ]);
  });
  test('ReplacePrefixMatch on a rule with one PathPrefix match (or none: the default) is fine', () => {
    const redirect = {
      type: 'RequestRedirect',
      requestRedirect: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/b' } },
    };
    const ok = route('infra', 'r', {
      rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/a' } }], filters: [redirect] }],
    });
    assert.deepEqual(lines(validateHTTPRoute(ok)), []);
  });
});
