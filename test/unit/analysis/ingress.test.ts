/**
 * Ingress routing against the Kubernetes Ingress documentation (concepts/services-networking/
 * ingress): the "Examples" table of path matching, row by row; "Multiple matches"; "Hostname
 * wildcards"; the default backend; class membership (ingressClassName, the deprecated annotation,
 * the default IngressClass).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  backendRef,
  ingressClassOf,
  ingressesOfClass,
  ingressRequestFromUrl,
  matchHost,
  matchPath,
  normalizeRequestHost,
  normalizeUriPath,
  routeIngressRequest,
} from '../../../src/analysis/ingress.ts';
import type { HTTPIngressPath, Ingress, IngressClass, IngressRoute } from '../../../src/analysis/ingress.ts';

const sandboxClass: IngressClass = {
  metadata: { name: 'sandbox', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
  spec: { controller: 'sandbox.kubereach.dev/ingress-controller' },
};
const nginxClass: IngressClass = {
  metadata: { name: 'nginx' },
  spec: { controller: 'k8s.io/ingress-nginx' },
};
const classes = [sandboxClass, nginxClass];

/** A path whose backend Service is named after the path and its type, so a route says which one won. */
function p(path: string, pathType: string): HTTPIngressPath {
  return { path, pathType, backend: { service: { name: serviceFor(path, pathType), port: { number: 80 } } } };
}

function serviceFor(path: string, pathType: string): string {
  return `${pathType.toLowerCase()}${path.replace(/\//g, '-') || '-'}`;
}

function ingress(
  name: string,
  rules: Array<{ host?: string; paths: HTTPIngressPath[] }>,
  extra: { created?: string; defaultBackend?: string; className?: string | null; annotation?: string } = {},
): Ingress {
  return {
    metadata: {
      name,
      namespace: 'shop',
      creationTimestamp: extra.created ?? '2026-01-01T00:00:00Z',
      ...(extra.annotation ? { annotations: { 'kubernetes.io/ingress.class': extra.annotation } } : {}),
    },
    spec: {
      ...(extra.className === null ? {} : { ingressClassName: extra.className ?? 'sandbox' }),
      ...(extra.defaultBackend
        ? { defaultBackend: { service: { name: extra.defaultBackend, port: { name: 'http' } } } }
        : {}),
      rules: rules.map((rule) => ({
        ...(rule.host ? { host: rule.host } : {}),
        http: { paths: rule.paths },
      })),
    },
  };
}

/** `host` null: a request without Host header; left out: shop.example.com. */
function route(ingresses: Ingress[], path: string, host: string | null = 'shop.example.com'): IngressRoute {
  return routeIngressRequest({
    ingresses,
    ingressClasses: classes,
    ingressClass: 'sandbox',
    request: { host: host ?? undefined, path },
  });
}

/** The Service a request reaches, or `default:<name>` / `none`. */
function served(ingresses: Ingress[], path: string, host?: string | null): string {
  const result = route(ingresses, path, host);
  if (result.kind === 'none') {
    return 'none';
  }
  const backend = result.backend;
  const name = backend.kind === 'service' ? backend.name : backend.kind;
  return result.kind === 'rule' ? name : `default:${name}`;
}

function single(paths: HTTPIngressPath[]): Ingress[] {
  return [ingress('site', [{ paths }], { defaultBackend: 'fallback' })];
}

describe("the documentation's path-matching examples, row by row", () => {
  test('Prefix / matches all paths', () => {
    for (const path of ['/', '/foo', '/foo/bar', '/a/b/c/', '/foo?x=1']) {
      assert.equal(served(single([p('/', 'Prefix')]), path), 'prefix-', path);
    }
  });

  test('Exact /foo matches /foo', () => {
    assert.equal(served(single([p('/foo', 'Exact')]), '/foo'), 'exact-foo');
  });

  test('Exact /foo does not match /bar', () => {
    assert.equal(served(single([p('/foo', 'Exact')]), '/bar'), 'default:fallback');
  });

  test('Exact /foo does not match /foo/', () => {
    assert.equal(served(single([p('/foo', 'Exact')]), '/foo/'), 'default:fallback');
  });

  test('Exact /foo/ does not match /foo', () => {
    assert.equal(served(single([p('/foo/', 'Exact')]), '/foo'), 'default:fallback');
  });

  test('Prefix /foo matches /foo and /foo/', () => {
    assert.equal(served(single([p('/foo', 'Prefix')]), '/foo'), 'prefix-foo');
    assert.equal(served(single([p('/foo', 'Prefix')]), '/foo/'), 'prefix-foo');
  });

  test('Prefix /foo/ matches /foo and /foo/', () => {
    assert.equal(served(single([p('/foo/', 'Prefix')]), '/foo'), 'prefix-foo-');
    assert.equal(served(single([p('/foo/', 'Prefix')]), '/foo/'), 'prefix-foo-');
  });

  test('Prefix /aaa/bb does not match /aaa/bbb', () => {
    assert.equal(served(single([p('/aaa/bb', 'Prefix')]), '/aaa/bbb'), 'default:fallback');
  });

  test('Prefix /aaa/bbb matches /aaa/bbb', () => {
    assert.equal(served(single([p('/aaa/bbb', 'Prefix')]), '/aaa/bbb'), 'prefix-aaa-bbb');
  });

  test('Prefix /aaa/bbb/ matches /aaa/bbb (ignores trailing slash)', () => {
    assert.equal(served(single([p('/aaa/bbb/', 'Prefix')]), '/aaa/bbb'), 'prefix-aaa-bbb-');
  });

  test('Prefix /aaa/bbb matches /aaa/bbb/ (matches trailing slash)', () => {
    assert.equal(served(single([p('/aaa/bbb', 'Prefix')]), '/aaa/bbb/'), 'prefix-aaa-bbb');
  });

  test('Prefix /aaa/bbb matches /aaa/bbb/ccc (matches subpath)', () => {
    assert.equal(served(single([p('/aaa/bbb', 'Prefix')]), '/aaa/bbb/ccc'), 'prefix-aaa-bbb');
  });

  test('Prefix /aaa/bbb does not match /aaa/bbbxyz (does not match string prefix)', () => {
    assert.equal(served(single([p('/aaa/bbb', 'Prefix')]), '/aaa/bbbxyz'), 'default:fallback');
    const result = route(single([p('/aaa/bbb', 'Prefix')]), '/aaa/bbbxyz');
    assert.equal(result.kind, 'default-backend');
    assert.match(
      result.kind === 'default-backend' ? result.reasons[0]!.message : '',
      /"bbb" is a string prefix of "bbbxyz", not the whole path element/,
    );
  });

  test('Prefix /, /aaa: /aaa/ccc matches /aaa', () => {
    assert.equal(served(single([p('/', 'Prefix'), p('/aaa', 'Prefix')]), '/aaa/ccc'), 'prefix-aaa');
  });

  test('Prefix /, /aaa, /aaa/bbb: /aaa/bbb matches /aaa/bbb, not / or /aaa', () => {
    const paths = [p('/', 'Prefix'), p('/aaa', 'Prefix'), p('/aaa/bbb', 'Prefix')];
    assert.equal(served(single(paths), '/aaa/bbb'), 'prefix-aaa-bbb');
    const result = route(single(paths), '/aaa/bbb');
    assert.equal(result.kind, 'rule');
    assert.deepEqual(
      result.kind === 'rule' ? result.shadowed.map((c) => c.path) : [],
      ['/aaa', '/'],
      'the losers, best first',
    );
  });

  test('Prefix /, /aaa, /aaa/bbb: /ccc matches /', () => {
    const paths = [p('/', 'Prefix'), p('/aaa', 'Prefix'), p('/aaa/bbb', 'Prefix')];
    assert.equal(served(single(paths), '/ccc'), 'prefix-');
  });

  test('Prefix /aaa: /ccc uses the default backend', () => {
    assert.equal(served(single([p('/aaa', 'Prefix')]), '/ccc'), 'default:fallback');
  });

  test('Mixed /foo (Prefix), /foo (Exact): /foo prefers Exact, whatever the order', () => {
    assert.equal(served(single([p('/foo', 'Prefix'), p('/foo', 'Exact')]), '/foo'), 'exact-foo');
    assert.equal(served(single([p('/foo', 'Exact'), p('/foo', 'Prefix')]), '/foo'), 'exact-foo');
    assert.equal(served(single([p('/foo', 'Exact'), p('/foo', 'Prefix')]), '/foo/x'), 'prefix-foo');
  });
});

describe('more path matching', () => {
  test('matching is case-sensitive', () => {
    assert.equal(served(single([p('/Foo', 'Prefix')]), '/foo'), 'default:fallback');
    assert.equal(served(single([p('/foo', 'Exact')]), '/FOO'), 'default:fallback');
  });

  test('ImplementationSpecific is read as Prefix (element by element)', () => {
    assert.equal(
      served(single([p('/foo', 'ImplementationSpecific')]), '/foo/bar'),
      'implementationspecific-foo',
    );
    assert.equal(served(single([p('/foo', 'ImplementationSpecific')]), '/foobar'), 'default:fallback');
    assert.deepEqual(matchPath('/foo', 'ImplementationSpecific', '/foo/x'), {
      matches: true,
      as: 'Prefix',
      length: 4,
    });
  });

  test('Exact /foo wins over Prefix /foo/ at equal length (the trailing slash does not count)', () => {
    assert.equal(served(single([p('/foo/', 'Prefix'), p('/foo', 'Exact')]), '/foo'), 'exact-foo');
  });

  test('a missing pathType is read as ImplementationSpecific; a missing path of that type as /', () => {
    assert.deepEqual(matchPath('/a', undefined, '/a/b'), { matches: true, as: 'Prefix', length: 2 });
    assert.deepEqual(matchPath(undefined, 'ImplementationSpecific', '/x'), {
      matches: true,
      as: 'Prefix',
      length: 0,
    });
  });

  test('invalid paths and path types never match, and say why', () => {
    assert.deepEqual(matchPath('foo', 'Prefix', '/foo'), {
      matches: false,
      reason: 'path "foo" is not absolute (it must begin with "/")',
    });
    assert.equal(matchPath(undefined, 'Exact', '/').matches, false);
    assert.match(
      (matchPath('/a', 'Regex', '/a') as { reason: string }).reason,
      /none of Exact, Prefix, ImplementationSpecific/,
    );
  });

  test('the query string is not part of the path', () => {
    assert.equal(served(single([p('/search', 'Exact')]), '/search?q=shoes'), 'exact-search');
  });
});

describe('multiple matches across Ingresses of the class', () => {
  test('the longest path wins across Ingresses, whichever is older', () => {
    const old = ingress('old', [{ host: 'shop.example.com', paths: [p('/api', 'Prefix')] }], {
      created: '2026-01-01T00:00:00Z',
    });
    const young = ingress('young', [{ host: 'shop.example.com', paths: [p('/api/v2', 'Prefix')] }], {
      created: '2026-02-01T00:00:00Z',
    });
    const result = route([old, young], '/api/v2/items');
    assert.equal(result.kind, 'rule');
    assert.deepEqual(result.kind === 'rule' ? result.ingress : undefined, {
      namespace: 'shop',
      name: 'young',
    });
  });

  test('the same host and path in two Ingresses: the oldest wins, in any input order', () => {
    const old = ingress('old', [{ host: 'shop.example.com', paths: [p('/api', 'Prefix')] }], {
      created: '2026-01-01T00:00:00Z',
    });
    const young = ingress('young', [{ host: 'shop.example.com', paths: [p('/api', 'Prefix')] }], {
      created: '2026-02-01T00:00:00Z',
    });
    for (const order of [
      [old, young],
      [young, old],
    ]) {
      const result = route(order, '/api');
      assert.deepEqual(result.kind === 'rule' ? result.ingress.name : undefined, 'old');
      assert.deepEqual(result.kind === 'rule' ? result.shadowed.map((c) => c.ingress.name) : [], ['young']);
    }
  });

  test('the result names the Ingress, rule index, path index and backend Service port', () => {
    const site = ingress('site', [
      { host: 'other.example.com', paths: [p('/', 'Prefix')] },
      {
        host: 'shop.example.com',
        paths: [
          p('/', 'Prefix'),
          {
            path: '/api',
            pathType: 'Prefix',
            backend: { service: { name: 'backend', port: { name: 'http' } } },
          },
        ],
      },
    ]);
    const result = route([site], '/api/items');
    assert.equal(result.kind, 'rule');
    if (result.kind === 'rule') {
      assert.deepEqual(
        {
          ingress: result.ingress,
          ruleIndex: result.ruleIndex,
          pathIndex: result.pathIndex,
          host: result.host,
          hostMatch: result.hostMatch,
          path: result.path,
          pathType: result.pathType,
          backend: result.backend,
        },
        {
          ingress: { namespace: 'shop', name: 'site' },
          ruleIndex: 1,
          pathIndex: 1,
          host: 'shop.example.com',
          hostMatch: 'exact',
          path: '/api',
          pathType: 'Prefix',
          backend: { kind: 'service', namespace: 'shop', name: 'backend', port: { name: 'http' } },
        },
      );
      assert.match(
        result.explanation,
        /host shop\.example\.com matches shop\.example\.com; path \/api \(Prefix\) in rule 1 of shop\/site is the best match/,
      );
    }
  });
});

describe('hosts', () => {
  test("the documentation's wildcard table", () => {
    assert.deepEqual(matchHost('*.foo.com', 'bar.foo.com'), { match: 'wildcard' });
    assert.deepEqual(matchHost('*.foo.com', 'baz.bar.foo.com'), {
      match: undefined,
      reason:
        'host baz.bar.foo.com has 2 labels before foo.com, and the wildcard *.foo.com covers exactly one',
    });
    assert.deepEqual(matchHost('*.foo.com', 'foo.com'), {
      match: undefined,
      reason: 'host foo.com has no label before foo.com, and the wildcard *.foo.com needs exactly one',
    });
    assert.equal(matchHost('*.foo.com', 'barfoo.com').match, undefined);
  });

  test("the documentation's ingress-wildcard-host example, end to end", () => {
    const wildcard = ingress('ingress-wildcard-host', [
      { host: 'foo.bar.com', paths: [p('/bar', 'Prefix')] },
      { host: '*.foo.com', paths: [p('/foo', 'Prefix')] },
    ]);
    assert.equal(served([wildcard], '/bar', 'foo.bar.com'), 'prefix-bar');
    assert.equal(served([wildcard], '/foo', 'bar.foo.com'), 'prefix-foo');
    assert.equal(served([wildcard], '/foo', 'baz.bar.foo.com'), 'none');
    assert.equal(served([wildcard], '/foo', 'foo.com'), 'none');
    const miss = route([wildcard], '/foo', 'baz.bar.foo.com');
    assert.equal(miss.kind, 'none');
    assert.ok(
      miss.kind === 'none' &&
        miss.reasons.some((r) => r.ruleIndex === 1 && /covers exactly one/.test(r.message)),
      JSON.stringify(miss),
    );
  });

  test('the Host header compares case-insensitively, without its port', () => {
    assert.equal(normalizeRequestHost('Shop.Example.COM:8080'), 'shop.example.com');
    assert.equal(normalizeRequestHost('shop.example.com.'), 'shop.example.com');
    assert.equal(normalizeRequestHost('[::1]:80'), '[::1]');
    const site = ingress('site', [{ host: 'shop.example.com', paths: [p('/', 'Prefix')] }]);
    assert.equal(served([site], '/', 'SHOP.example.com:80'), 'prefix-');
  });

  test('a precise host wins over a wildcard, a wildcard over rules without host', () => {
    const all = ingress('all', [
      { paths: [p('/', 'Prefix')] },
      { host: '*.example.com', paths: [p('/wild', 'Prefix')] },
      { host: 'shop.example.com', paths: [p('/shop', 'Prefix')] },
    ]);
    assert.equal(served([all], '/shop', 'shop.example.com'), 'prefix-shop');
    assert.equal(served([all], '/wild', 'blog.example.com'), 'prefix-wild');
    assert.equal(served([all], '/', 'example.org'), 'prefix-');
    assert.equal(served([all], '/', null), 'prefix-');
  });

  test('a host with rules of its own does not fall back to the rules without host (as ingress-nginx)', () => {
    const all = ingress('all', [
      { paths: [p('/', 'Prefix')] },
      { host: 'shop.example.com', paths: [p('/shop', 'Prefix')] },
    ]);
    const result = route([all], '/other', 'shop.example.com');
    assert.equal(result.kind, 'none');
    assert.ok(
      result.kind === 'none' &&
        result.reasons.some((r) => /rules without host .* are not consulted/.test(r.message)),
      JSON.stringify(result),
    );
  });
});

describe('default backends', () => {
  test('an Ingress with only a defaultBackend takes every request', () => {
    const only: Ingress = {
      metadata: { name: 'only', namespace: 'web', creationTimestamp: '2026-01-01T00:00:00Z' },
      spec: {
        ingressClassName: 'sandbox',
        defaultBackend: { service: { name: 'site', port: { number: 8080 } } },
      },
    };
    const result = route([only], '/anything', 'any.example');
    assert.equal(result.kind, 'default-backend');
    if (result.kind === 'default-backend') {
      assert.equal(result.scope, 'catch-all');
      assert.deepEqual(result.backend, {
        kind: 'service',
        namespace: 'web',
        name: 'site',
        port: { number: 8080 },
      });
      assert.deepEqual(result.ingress, { namespace: 'web', name: 'only' });
    }
  });

  test("an Ingress's defaultBackend serves its own hosts' unmatched paths", () => {
    const shop = ingress('shop', [{ host: 'shop.example.com', paths: [p('/api', 'Prefix')] }], {
      defaultBackend: 'shop-fallback',
    });
    const catchAll = ingress('catch-all', [], {
      defaultBackend: 'global-fallback',
      created: '2025-01-01T00:00:00Z',
    });
    assert.equal(served([shop, catchAll], '/x', 'shop.example.com'), 'default:shop-fallback');
    assert.equal(served([shop, catchAll], '/x', 'blog.example.com'), 'default:global-fallback');
    const result = route([shop, catchAll], '/x', 'shop.example.com');
    assert.equal(result.kind === 'default-backend' ? result.scope : undefined, 'host');
  });

  test('with no default backend: none, with every reason', () => {
    const shop = ingress('shop', [
      { host: 'shop.example.com', paths: [p('/api', 'Prefix'), p('/cart', 'Exact')] },
    ]);
    const result = route([shop], '/cart/items', 'shop.example.com');
    assert.equal(result.kind, 'none');
    if (result.kind === 'none') {
      assert.deepEqual(
        result.reasons.map((r) => [r.ruleIndex, r.pathIndex, r.message]),
        [
          [
            0,
            0,
            '/api (Prefix) in rule 0 of shop/shop: /cart/items is not under /api (Prefix): element "cart" is not "api"',
          ],
          [0, 1, '/cart (Exact) in rule 0 of shop/shop: /cart/items is not exactly /cart (Exact)'],
          [undefined, undefined, 'no Ingress of class "sandbox" has a defaultBackend'],
        ],
      );
    }
  });
});

describe('classes', () => {
  test('ingressClassName, else the deprecated annotation, else the default IngressClass', () => {
    assert.deepEqual(ingressClassOf(ingress('a', [], { className: 'nginx' }), classes), {
      source: 'field',
      className: 'nginx',
    });
    assert.deepEqual(ingressClassOf(ingress('b', [], { className: null, annotation: 'nginx' }), classes), {
      source: 'annotation',
      className: 'nginx',
    });
    assert.deepEqual(ingressClassOf(ingress('c', [], { className: null }), classes), {
      source: 'default',
      className: 'sandbox',
    });
    assert.deepEqual(ingressClassOf(ingress('d', [], { className: null }), [nginxClass]), { source: 'none' });
  });

  test('only the Ingresses of the served class route, and the others are listed with why', () => {
    const mine = ingress('mine', [{ host: 'shop.example.com', paths: [p('/', 'Prefix')] }]);
    const classless = ingress('classless', [{ host: 'shop.example.com', paths: [p('/a', 'Prefix')] }], {
      className: null,
    });
    const nginx = ingress('nginx', [{ host: 'shop.example.com', paths: [p('/a/b', 'Prefix')] }], {
      className: 'nginx',
    });
    const legacy = ingress('legacy', [{ host: 'shop.example.com', paths: [p('/a/b/c', 'Prefix')] }], {
      className: null,
      annotation: 'nginx',
    });
    const ghost = ingress('ghost', [], { className: 'traefik' });
    const { members, excluded } = ingressesOfClass(
      [mine, classless, nginx, legacy, ghost],
      classes,
      'sandbox',
    );
    assert.deepEqual(
      members.map((m) => m.metadata.name),
      ['mine', 'classless'],
    );
    assert.deepEqual(excluded, [
      { ingress: { namespace: 'shop', name: 'nginx' }, reason: 'its ingressClassName is "nginx"' },
      {
        ingress: { namespace: 'shop', name: 'legacy' },
        reason: 'its kubernetes.io/ingress.class annotation is "nginx"',
      },
      { ingress: { namespace: 'shop', name: 'ghost' }, reason: 'its ingressClassName is "traefik"' },
    ]);
    assert.equal(served([mine, classless, nginx, legacy], '/a/b/c/d'), 'prefix-a');
  });

  test('an ingressClassName naming an IngressClass that does not exist is served by nobody', () => {
    const orphan = ingress('orphan', [{ paths: [p('/', 'Prefix')] }], { className: 'sandbox' });
    const result = routeIngressRequest({
      ingresses: [orphan],
      ingressClasses: [nginxClass],
      ingressClass: 'sandbox',
      request: { host: 'x', path: '/' },
    });
    assert.equal(result.kind, 'none');
    assert.match(
      result.kind === 'none' ? result.reasons[0]!.message : '',
      /shop\/orphan: its ingressClassName "sandbox" names no IngressClass that exists/,
    );
  });

  test('no Ingress at all', () => {
    const result = route([], '/');
    assert.equal(result.kind, 'none');
    assert.equal(
      result.kind === 'none' ? result.reasons[0]!.message : '',
      'no Ingress exists for class "sandbox"',
    );
  });
});

describe('backends', () => {
  test('a service port gives exactly one of name and number', () => {
    assert.deepEqual(backendRef({ service: { name: 's', port: { number: 80 } } }, 'ns'), {
      kind: 'service',
      namespace: 'ns',
      name: 's',
      port: { number: 80 },
    });
    assert.equal(
      backendRef({ service: { name: 's', port: { number: 80, name: 'http' } } }, 'ns').kind,
      'invalid',
    );
    assert.equal(backendRef({ service: { name: 's' } }, 'ns').kind, 'invalid');
    assert.equal(
      backendRef(
        { service: { name: 's', port: { number: 80 } }, resource: { kind: 'Bucket', name: 'b' } },
        'ns',
      ).kind,
      'invalid',
    );
    assert.deepEqual(
      backendRef({ resource: { apiGroup: 'k8s.example.com', kind: 'StorageBucket', name: 'icons' } }, 'ns'),
      {
        kind: 'resource',
        namespace: 'ns',
        apiGroup: 'k8s.example.com',
        resourceKind: 'StorageBucket',
        name: 'icons',
      },
    );
  });
});

describe('requests from what a user types', () => {
  test('a URL, with or without scheme, port, query', () => {
    assert.deepEqual(ingressRequestFromUrl('http://shop.example.com/api'), {
      host: 'shop.example.com',
      path: '/api',
    });
    assert.deepEqual(ingressRequestFromUrl('shop.example.com/api/items?q=1'), {
      host: 'shop.example.com',
      path: '/api/items',
    });
    assert.deepEqual(ingressRequestFromUrl('https://Shop.Example.com:8443'), {
      host: 'shop.example.com',
      path: '/',
    });
    assert.equal(ingressRequestFromUrl('http://'), undefined);
    assert.equal(ingressRequestFromUrl(''), undefined);
  });
});

describe('paths as nginx normalizes them before matching', () => {
  test('dot segments, repeated slashes, percent-encoding; the trailing slash kept', () => {
    const cases: Array<[string, string]> = [
      ['/x/../api/items', '/api/items'],
      ['//api//items', '/api/items'],
      ['/%61pi/items', '/api/items'],
      ['/api/./items/', '/api/items/'],
      ['/a/b/..', '/a/'],
      ['/caf%C3%A9?x=%zz', '/café'],
      ['/', '/'],
      ['/.', '/'],
    ];
    for (const [input, expected] of cases) {
      assert.deepEqual(normalizeUriPath(input), { ok: true, path: expected }, input);
    }
  });

  test('above the root, or a broken percent-encoding, is invalid', () => {
    assert.equal(normalizeUriPath('/../etc/passwd').ok, false);
    assert.equal(normalizeUriPath('/a/../../b').ok, false);
    assert.equal(normalizeUriPath('/100%').ok, false);
    assert.equal(normalizeUriPath('/%zz').ok, false);
  });
});
