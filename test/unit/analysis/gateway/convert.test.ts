/**
 * Ingress → Gateway API conversion, as round trips: each Ingress and its HTTPRoute(s) route every
 * request of a generated table (hosts, paths and their neighbours) the same way, or the
 * difference is listed with its cause named (regex paths, ImplementationSpecific, default
 * backends, wildcard hosts, host-less rules); controller annotations with no standard equivalent
 * are named in the notes.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Ingress } from '../../../../src/analysis/ingress.ts';
import type { Service } from '../../../../src/analysis/k8s.ts';
import { parseAllDocuments } from 'yaml';
import { conversionYaml } from '../../../../src/analysis/gateway/convertYaml.ts';
import {
  compareIngressConversion,
  computeGatewayStatuses,
  convertIngress,
  generateRequests,
  groupDifferences,
  outcomeText,
} from '../../../../src/analysis/gateway/index.ts';
import type {
  ComparedRequest,
  ConvertOptions,
  RouteTableComparison,
} from '../../../../src/analysis/gateway/index.ts';

const services: Service[] = [
  { metadata: { name: 'web', namespace: 'shop' }, spec: { ports: [{ name: 'http', port: 80 }] } },
  {
    metadata: { name: 'api', namespace: 'shop' },
    spec: { ports: [{ name: 'grpc', port: 9090 }, { port: 8080 }] },
  },
  { metadata: { name: 'fallback', namespace: 'shop' }, spec: { ports: [{ port: 80 }] } },
  { metadata: { name: 'health', namespace: 'shop' }, spec: { ports: [{ port: 80 }] } },
];

type Path = NonNullable<NonNullable<NonNullable<Ingress['spec']>['rules']>[number]['http']>['paths'] extends
  readonly (infer P)[] | undefined
  ? P
  : never;

function path(p: string, pathType: string, service: string, port: number | string): Path {
  return {
    path: p,
    pathType,
    backend: {
      service: { name: service, port: typeof port === 'number' ? { number: port } : { name: port } },
    },
  };
}

function ingress(spec: Ingress['spec'], annotations?: Record<string, string>): Ingress {
  return {
    metadata: {
      name: 'shop',
      namespace: 'shop',
      creationTimestamp: '2026-01-01T00:00:00Z',
      ...(annotations === undefined ? {} : { annotations }),
    },
    spec: { ingressClassName: 'nginx', ...spec },
  };
}

function roundTrip(
  source: Ingress,
  options: ConvertOptions = {},
): RouteTableComparison & { notes: string[] } {
  const conversion = convertIngress(source, { services, ...options });
  const comparison = compareIngressConversion({ ingress: source, conversion, services });
  return { ...comparison, notes: conversion.notes.map((n) => `${n.kind}: ${n.message}`) };
}

function show(requests: readonly ComparedRequest[]): string[] {
  return requests.map(
    (r) => `${r.host ?? '(none)'}${r.path}: ${outcomeText(r.ingress)} → ${outcomeText(r.gateway)}`,
  );
}

describe('Round trips with no difference', () => {
  test('hosts with Exact and Prefix paths and numbered ports route every generated request the same', () => {
    const source = ingress({
      rules: [
        {
          host: 'shop.example.com',
          http: {
            paths: [
              path('/', 'Prefix', 'web', 80),
              path('/api', 'Prefix', 'api', 8080),
              path('/api/v2/', 'Prefix', 'api', 9090),
              path('/login', 'Exact', 'web', 80),
            ],
          },
        },
        { host: 'admin.example.com', http: { paths: [path('/admin', 'Prefix', 'web', 80)] } },
      ],
    });
    const result = roundTrip(source);
    assert.ok(result.requests.length >= 30, `only ${result.requests.length} requests generated`);
    assert.deepEqual(show(result.differences), []);
    assert.deepEqual(result.sameWithCaveats, []);
    const served = new Set(result.requests.map((r) => outcomeText(r.gateway)));
    assert.deepEqual(
      [...served].sort(),
      ['404', 'Service shop/api:8080', 'Service shop/api:9090', 'Service shop/web:80'],
      'the table reaches every backend and the 404',
    );
    const loginx = result.requests.find((r) => r.host === 'shop.example.com' && r.path === '/loginx')!;
    assert.equal(
      outcomeText(loginx.gateway),
      'Service shop/web:80',
      '/loginx is not /login (Exact): the / prefix takes it',
    );
  });

  test('a named Service port becomes its number, noted; routing unchanged', () => {
    const source = ingress({
      rules: [{ host: 'shop.example.com', http: { paths: [path('/', 'Prefix', 'web', 'http')] } }],
    });
    const result = roundTrip(source);
    assert.deepEqual(show(result.differences), []);
    assert.ok(result.notes.some((n) => /named-port: .*Service port "http" is port 80/.test(n)));
  });

  test('a named port the Service does not have: the backendRef is left without a port and noted', () => {
    const conversion = convertIngress(
      ingress({ rules: [{ host: 'a.example.com', http: { paths: [path('/', 'Prefix', 'web', 'nope')] } }] }),
      { services },
    );
    assert.deepEqual(conversion.httpRoutes[0]!.spec!.rules![0]!.backendRefs, [{ name: 'web' }]);
    assert.match(conversion.notes.map((n) => n.message).join('\n'), /could not be resolved to a number/);
  });

  test("defaultBackend of an Ingress with hosts: a last PathPrefix / rule on each host's route", () => {
    const source = ingress({
      defaultBackend: { service: { name: 'fallback', port: { number: 80 } } },
      rules: [{ host: 'shop.example.com', http: { paths: [path('/api', 'Prefix', 'api', 8080)] } }],
    });
    const result = roundTrip(source);
    assert.deepEqual(show(result.differences), []);
    const fallback = result.sameWithCaveats.find((r) => r.host === 'shop.example.com' && r.path === '/other');
    assert.equal(fallback, undefined, '/other is not generated; /kubereach-unmatched-path is');
    const unmatched = result.sameWithCaveats.find(
      (r) => r.host === 'shop.example.com' && r.path === '/kubereach-unmatched-path',
    )!;
    assert.equal(outcomeText(unmatched.gateway), 'Service shop/fallback:80');
    assert.match(unmatched.causes.join('\n'), /default backend \(for its own hosts\)/);
    assert.match(unmatched.causes.join('\n'), /converted to the last rule/);
    const otherHost = result.requests.find((r) => r.host === 'unmatched-host.invalid' && r.path === '/')!;
    assert.equal(outcomeText(otherHost.gateway), '404');
  });

  test('an Ingress with only a defaultBackend: a route without hostnames takes every host', () => {
    const source = ingress({ defaultBackend: { service: { name: 'fallback', port: { number: 80 } } } });
    const result = roundTrip(source);
    assert.deepEqual(show(result.differences), []);
    assert.equal(
      result.requests.every((r) => outcomeText(r.gateway) === 'Service shop/fallback:80'),
      true,
    );
    assert.equal(convertIngress(source).httpRoutes[0]!.spec!.hostnames, undefined);
  });

  test('a host without paths gets no HTTPRoute (one without rules would answer 500), and says so', () => {
    const source = ingress({
      rules: [
        { host: 'empty.example.com' },
        { host: 'shop.example.com', http: { paths: [path('/', 'Prefix', 'web', 80)] } },
      ],
    });
    const result = roundTrip(source);
    assert.deepEqual(show(result.differences), []);
    assert.deepEqual(
      convertIngress(source).httpRoutes.map((r) => r.spec!.hostnames),
      [['shop.example.com']],
    );
    assert.ok(
      result.notes.some((n) => /host empty.example.com has no paths; no HTTPRoute is written/.test(n)),
    );
  });
});

describe('Differences, each with its cause named', () => {
  test('a regex path (ImplementationSpecific): the Ingress read it literally, the HTTPRoute as RegularExpression', () => {
    const source = ingress({
      defaultBackend: { service: { name: 'fallback', port: { number: 80 } } },
      rules: [
        {
          host: 'shop.example.com',
          http: { paths: [path('/v[0-9]+/items', 'ImplementationSpecific', 'api', 8080)] },
        },
      ],
    });
    const result = roundTrip(source);
    const diff = result.differences.find((r) => r.path === '/v1/items')!;
    assert.ok(diff, show(result.differences).join('\n'));
    assert.equal(outcomeText(diff.ingress), 'Service shop/fallback:80');
    assert.equal(outcomeText(diff.gateway), 'Service shop/api:8080');
    assert.match(
      diff.causes.join('\n'),
      /implementation-specific in the Gateway API: path regular expression \/v\[0-9\]\+\/items/,
    );
    assert.ok(result.notes.some((n) => n.startsWith('regex-path: ')));
  });

  test('ImplementationSpecific without regex: same routing here, listed with the ingress-nginx string-prefix caveat', () => {
    const source = ingress({
      rules: [
        { host: 'shop.example.com', http: { paths: [path('/static', 'ImplementationSpecific', 'web', 80)] } },
      ],
    });
    const result = roundTrip(source);
    assert.deepEqual(show(result.differences), []);
    const caveat = result.sameWithCaveats.find((r) => r.path === '/static/sub')!;
    assert.match(
      caveat.causes.join('\n'),
      /ImplementationSpecific path \/static: read as a prefix by element here, as a string prefix by ingress-nginx/,
    );
    assert.ok(
      result.notes.some((n) => /implementation-specific: .*\/staticx would have matched there/.test(n)),
    );
  });

  test('a wildcard host covers one label in an Ingress and more in an HTTPRoute', () => {
    const source = ingress({
      rules: [{ host: '*.example.org', http: { paths: [path('/', 'Prefix', 'web', 80)] } }],
    });
    const result = roundTrip(source);
    assert.ok(result.differences.length > 0);
    for (const diff of result.differences) {
      assert.equal(diff.host, 'two.labels.example.org', show([diff])[0]);
      assert.equal(outcomeText(diff.ingress), '404');
      assert.equal(outcomeText(diff.gateway), 'Service shop/web:80');
      assert.match(
        diff.causes.join('\n'),
        /wildcard host \*\.example\.org: one label in an Ingress, one or more in an HTTPRoute/,
      );
    }
    const one = result.requests.find((r) => r.host === 'one.example.org' && r.path === '/')!;
    assert.equal(one.same, true);
  });

  test('host-less rules: an Ingress does not consult them for a host with rules; a route without hostnames does', () => {
    const source = ingress({
      rules: [
        { host: 'shop.example.com', http: { paths: [path('/api', 'Prefix', 'api', 8080)] } },
        { http: { paths: [path('/health', 'Exact', 'health', 80)] } },
      ],
    });
    const result = roundTrip(source);
    const diff = result.differences.find((r) => r.host === 'shop.example.com' && r.path === '/health')!;
    assert.ok(diff, show(result.differences).join('\n'));
    assert.equal(outcomeText(diff.ingress), '404');
    assert.equal(outcomeText(diff.gateway), 'Service shop/health:80');
    assert.match(diff.causes.join('\n'), /host-less rules/);
    const elsewhere = result.requests.find(
      (r) => r.host === 'unmatched-host.invalid' && r.path === '/health',
    )!;
    assert.equal(elsewhere.same, true);
  });
});

describe('Controller annotations with no standard equivalent are named', () => {
  test('rewrite-target, ssl-redirect, an unknown nginx annotation, a Traefik one, the class annotation', () => {
    const conversion = convertIngress(
      ingress(
        { rules: [{ host: 'a.example.com', http: { paths: [path('/', 'Prefix', 'web', 80)] } }] },
        {
          'nginx.ingress.kubernetes.io/rewrite-target': '/$2',
          'nginx.ingress.kubernetes.io/ssl-redirect': 'true',
          'nginx.ingress.kubernetes.io/some-new-thing': 'on',
          'traefik.ingress.kubernetes.io/router.middlewares': 'x',
          'kubernetes.io/ingress.class': 'nginx',
          'example.com/unrelated': 'kept silent',
        },
      ),
    );
    const messages = conversion.notes.filter((n) => n.kind === 'annotation').map((n) => n.message);
    assert.equal(messages.length, 5);
    assert.match(
      messages[0]!,
      /rewrite-target: "\/\$2" has no standard equivalent: the URLRewrite filter .* not regex capture groups/,
    );
    assert.match(
      messages[1]!,
      /ssl-redirect: "true" not converted: .*RequestRedirect filter \(scheme: https/,
    );
    assert.match(
      messages[2]!,
      /some-new-thing: "on" is an ingress-nginx annotation with no standard equivalent; not converted/,
    );
    assert.match(
      messages[3]!,
      /traefik.* is a controller annotation with no standard equivalent; not converted/,
    );
    assert.match(messages[4]!, /becomes the Gateway's gatewayClassName/);
  });
});

describe('Generated Gateway', () => {
  const source = ingress({
    tls: [{ hosts: ['shop.example.com'], secretName: 'shop-tls' }],
    rules: [
      { host: 'shop.example.com', http: { paths: [path('/', 'Prefix', 'web', 80)] } },
      { host: 'blog.example.com', http: { paths: [path('/', 'Prefix', 'web', 80)] } },
    ],
  });

  test('an HTTP listener and an HTTPS listener per TLS host; the routes attach and are accepted', () => {
    const conversion = convertIngress(source, { createGateway: true, services });
    const gateway = conversion.gateway!;
    assert.deepEqual(
      gateway.spec!.listeners!.map((l) => [
        l.name,
        l.port,
        l.protocol,
        l.hostname,
        l.tls?.certificateRefs?.[0]?.name,
      ]),
      [
        ['http', 80, 'HTTP', undefined, undefined],
        ['https-shop-example-com', 443, 'HTTPS', 'shop.example.com', 'shop-tls'],
      ],
    );
    assert.deepEqual(
      conversion.httpRoutes.map((r) => [r.metadata.name, r.spec!.hostnames, r.spec!.parentRefs]),
      [
        ['shop-shop-example-com', ['shop.example.com'], [{ name: 'nginx' }]],
        ['shop-blog-example-com', ['blog.example.com'], [{ name: 'nginx' }]],
      ],
    );
    const status = computeGatewayStatuses(
      {
        gatewayClasses: [{ metadata: { name: 'nginx' }, spec: { controllerName: 'x/y' } }],
        gateways: [gateway],
        httpRoutes: conversion.httpRoutes,
        grpcRoutes: [],
        referenceGrants: [],
        services,
        namespaces: [],
      },
      { controllerName: 'x/y', addresses: () => [{ value: '127.0.0.1' }] },
    );
    assert.deepEqual(
      status.routes.map((r) => r.parents[0]!.conditions!.map((c) => `${c.type}=${c.status}`).join(',')),
      ['Accepted=True,ResolvedRefs=True', 'Accepted=True,ResolvedRefs=True'],
    );
    assert.deepEqual(
      status.gateways[0]!.status.listeners.map((l) => [l.name, l.attachedRoutes]),
      [
        ['http', 2],
        ['https-shop-example-com', 1],
      ],
    );
  });

  test('a Gateway in another namespace: parentRefs name it, listeners select the Ingress namespace, the certificate needs a ReferenceGrant', () => {
    const conversion = convertIngress(source, {
      createGateway: true,
      gateway: { namespace: 'infra', name: 'public' },
    });
    assert.deepEqual(conversion.httpRoutes[0]!.spec!.parentRefs, [{ name: 'public', namespace: 'infra' }]);
    assert.deepEqual(conversion.gateway!.spec!.listeners![0]!.allowedRoutes, {
      namespaces: { from: 'Selector', selector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } } },
    });
    assert.match(
      conversion.notes.map((n) => n.message).join('\n'),
      /needs a ReferenceGrant in shop from Gateways in infra to Secrets/,
    );
  });
});

describe('Generated request table', () => {
  test('hosts, wildcard instances and the bare suffix, paths with their neighbours', () => {
    const requests = generateRequests(
      ingress({
        rules: [
          { host: '*.example.org', http: { paths: [path('/api/v1', 'Prefix', 'api', 8080)] } },
          { host: 'shop.example.com', http: { paths: [path('/login', 'Exact', 'web', 80)] } },
        ],
      }),
    );
    const hosts = [...new Set(requests.map((r) => r.host))];
    assert.deepEqual(hosts, [
      'one.example.org',
      'two.labels.example.org',
      'example.org',
      'shop.example.com',
      'unmatched-host.invalid',
    ]);
    const paths = [...new Set(requests.map((r) => r.path))];
    for (const wanted of [
      '/',
      '/api/v1',
      '/api/v1/',
      '/api/v1/sub',
      '/api/v1x',
      '/api',
      '/login',
      '/loginx',
      '/kubereach-unmatched-path',
    ]) {
      assert.ok(paths.includes(wanted), wanted);
    }
  });
});

describe('The written YAML (convertYaml.ts)', () => {
  test('documents parse back to the conversion; the header names the notes and the differences by cause', () => {
    const source = ingress(
      {
        rules: [
          { host: '*.example.org', http: { paths: [path('/', 'Prefix', 'web', 80)] } },
          {
            host: 'shop.example.com',
            http: { paths: [path('/static', 'ImplementationSpecific', 'web', 80)] },
          },
        ],
      },
      { 'nginx.ingress.kubernetes.io/rewrite-target': '/' },
    );
    const conversion = convertIngress(source, { createGateway: true, services });
    const comparison = compareIngressConversion({ ingress: source, conversion, services });
    const text = conversionYaml(source, conversion, comparison);
    const documents = parseAllDocuments(text).map((d) => d.toJS() as unknown);
    assert.deepEqual(documents, [conversion.gateway, ...conversion.httpRoutes]);
    const header = text.slice(0, text.indexOf('apiVersion'));
    assert.match(header, /^# Converted from Ingress shop\/shop by KubeReach\./);
    assert.match(header, /# - nginx.ingress.kubernetes.io\/rewrite-target: "\/" has no standard equivalent/);
    assert.match(header, /# \d+ of \d+ generated requests are routed differently \(Ingress → HTTPRoute\):/);
    assert.match(
      header,
      /# - wildcard host \*\.example\.org: one label in an Ingress, one or more in an HTTPRoute/,
    );
    assert.match(header, /#     two\.labels\.example\.org\/: 404 → Service shop\/web:80/);
    assert.match(header, /#     … and \d+ more/);
    assert.match(
      header,
      /# Routed to the same backend, but worth knowing:\n# - .*rewrite-target "\/": under ingress-nginx the backend received the rewritten path.* \(\d+ requests, e\.g\. /,
    );
    assert.doesNotMatch(text, /creationTimestamp/, 'server-set fields stay out of a manifest');
  });

  test('no differences: the header says every request is routed the same', () => {
    const source = ingress({
      rules: [{ host: 'a.example.com', http: { paths: [path('/', 'Prefix', 'web', 80)] } }],
    });
    const conversion = convertIngress(source);
    const comparison = compareIngressConversion({ ingress: source, conversion, services });
    assert.match(
      conversionYaml(source, conversion, comparison),
      /# All \d+ generated requests are routed the same/,
    );
    assert.deepEqual(groupDifferences(comparison), []);
  });
});

describe('ingress-nginx annotations, named on the requests they touch', () => {
  test('rewrite-target, ssl-redirect for a TLS host, canary: named per request; the comparison lists the annotations', () => {
    const source = ingress(
      {
        tls: [{ hosts: ['secure.example.com'], secretName: 'tls' }],
        rules: [
          { host: 'secure.example.com', http: { paths: [path('/', 'Prefix', 'web', 80)] } },
          { host: 'plain.example.com', http: { paths: [path('/', 'Prefix', 'web', 80)] } },
        ],
      },
      { 'nginx.ingress.kubernetes.io/rewrite-target': '/', 'nginx.ingress.kubernetes.io/canary': 'true' },
    );
    const result = roundTrip(source);
    assert.deepEqual(show(result.differences), []);
    const secure = result.requests.find((r) => r.host === 'secure.example.com' && r.path === '/sub')!;
    const causes = secure.causes.join('\n');
    assert.match(
      causes,
      /ssl-redirect \(on by default for a TLS host\): ingress-nginx answers this plain-HTTP request with a 308 redirect/,
    );
    assert.match(
      causes,
      /rewrite-target "\/": under ingress-nginx the backend received the rewritten path; the HTTPRoute sends the request's path unchanged/,
    );
    assert.match(causes, /canary: this Ingress took only a share/);
    const plain = result.requests.find((r) => r.host === 'plain.example.com' && r.path === '/sub')!;
    assert.doesNotMatch(plain.causes.join('\n'), /ssl-redirect/);
    assert.ok(result.sameWithCaveats.includes(secure));
    const conversion = convertIngress(source);
    const comparison = compareIngressConversion({ ingress: source, conversion, services });
    assert.deepEqual(
      comparison.annotations.map((n) => n.annotation),
      ['nginx.ingress.kubernetes.io/rewrite-target', 'nginx.ingress.kubernetes.io/canary'],
    );
  });

  test('ssl-redirect: "false" turns the TLS-host redirect off; another class without nginx annotations names none', () => {
    const tls = {
      tls: [{ hosts: ['secure.example.com'], secretName: 'tls' }],
      rules: [{ host: 'secure.example.com', http: { paths: [path('/', 'Prefix', 'web', 80)] } }],
    };
    const off = roundTrip(ingress(tls, { 'nginx.ingress.kubernetes.io/ssl-redirect': 'false' }));
    assert.equal(
      off.sameWithCaveats.some((r) => r.causes.some((c) => /ssl-redirect/.test(c))),
      false,
    );
    const traefik = roundTrip({
      ...ingress(tls),
      spec: { ...ingress(tls).spec, ingressClassName: 'traefik' },
    });
    assert.deepEqual(traefik.sameWithCaveats, []);
  });
});
