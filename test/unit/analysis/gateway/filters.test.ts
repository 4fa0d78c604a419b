/**
 * HTTPRoute filters against the specification (apis/v1/httproute_types.go HTTPPathModifier's
 * ReplacePrefixMatch table, row by row; HTTPRequestRedirectFilter's port and scheme rules;
 * URLRewrite; header modifiers), and the path match a routing decision hands them.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyFilters, modifyPath } from '../../../../src/analysis/gateway/index.ts';
import type { FilterRequest } from '../../../../src/analysis/gateway/index.ts';
import { oneGateway, route, routed } from './fixtures.ts';

describe('ReplacePrefixMatch (HTTPPathModifier table)', () => {
  const rows: [string, string, string, string][] = [
    ['/foo/bar', '/foo', '/xyz', '/xyz/bar'],
    ['/foo/bar', '/foo', '/xyz/', '/xyz/bar'],
    ['/foo/bar', '/foo/', '/xyz', '/xyz/bar'],
    ['/foo/bar', '/foo/', '/xyz/', '/xyz/bar'],
    ['/foo', '/foo', '/xyz', '/xyz'],
    ['/foo/', '/foo', '/xyz', '/xyz/'],
    ['/foo/bar', '/foo', '', '/bar'],
    ['/foo/', '/foo', '', '/'],
    ['/foo', '/foo', '', '/'],
    ['/foo/', '/foo', '/', '/'],
    ['/foo', '/foo', '/', '/'],
  ];
  for (const [path, prefix, replace, expected] of rows) {
    test(`${path} | ${prefix} | ${JSON.stringify(replace)} → ${expected}`, () => {
      assert.equal(
        modifyPath(path, { type: 'ReplacePrefixMatch', replacePrefixMatch: replace }, prefix),
        expected,
      );
    });
  }
  test('ReplaceFullPath replaces everything; ReplacePrefixMatch without a prefix match does not apply', () => {
    assert.equal(modifyPath('/a/b', { type: 'ReplaceFullPath', replaceFullPath: '/x' }, undefined), '/x');
    assert.equal(
      modifyPath('/a/b', { type: 'ReplacePrefixMatch', replacePrefixMatch: '/x' }, undefined),
      undefined,
    );
  });
});

describe('RequestRedirect (HTTPRequestRedirectFilter)', () => {
  const request: FilterRequest = {
    scheme: 'http',
    host: 'shop.example.com',
    port: 8080,
    target: '/cart?id=1',
    matchedPrefix: '/',
  };
  const redirect = (requestRedirect: Record<string, unknown>, r: FilterRequest = request) =>
    applyFilters([{ type: 'RequestRedirect', requestRedirect }], r);
  test('scheme https: the well-known port 443, left out of the Location; 302 by default; query kept', () => {
    assert.deepEqual(redirect({ scheme: 'https' }), {
      kind: 'redirect',
      statusCode: 302,
      location: 'https://shop.example.com/cart?id=1',
    });
  });
  test('no scheme: the listener port, shown unless it is the scheme default', () => {
    assert.equal(
      (redirect({ hostname: 'www.example.com' }) as { location: string }).location,
      'http://www.example.com:8080/cart?id=1',
    );
    assert.equal(
      (redirect({ hostname: 'www.example.com' }, { ...request, port: 80 }) as { location: string }).location,
      'http://www.example.com/cart?id=1',
    );
  });
  test('an explicit port and status code; a path prefix replaced', () => {
    const effect = redirect(
      {
        port: 8443,
        scheme: 'https',
        statusCode: 301,
        path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/shop' },
      },
      { ...request, target: '/cart/items', matchedPrefix: '/cart' },
    );
    assert.deepEqual(effect, {
      kind: 'redirect',
      statusCode: 301,
      location: 'https://shop.example.com:8443/shop/items',
    });
  });
});

describe('URLRewrite and header modifiers', () => {
  test('host and path rewritten for the backend; headers set, added, removed; unknown filters named', () => {
    const effect = applyFilters(
      [
        {
          type: 'URLRewrite',
          urlRewrite: {
            hostname: 'internal.svc',
            path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/v2' },
          },
        },
        {
          type: 'RequestHeaderModifier',
          requestHeaderModifier: { set: [{ name: 'x-env', value: 'prod' }], remove: ['cookie'] },
        },
        { type: 'RequestMirror', requestMirror: {} },
      ],
      { scheme: 'http', host: 'shop.example.com', port: 80, target: '/api/items?q=1', matchedPrefix: '/api' },
    );
    assert.deepEqual(effect, {
      kind: 'forward',
      host: 'internal.svc',
      path: '/v2/items?q=1',
      requestHeaders: { set: [{ name: 'x-env', value: 'prod' }], add: [], remove: ['cookie'] },
      responseHeaders: { set: [], add: [], remove: [] },
      notApplied: ['RequestMirror'],
    });
  });
  test('a routing decision carries the winning path match for ReplacePrefixMatch', () => {
    const w = oneGateway([
      route('infra', 'r', {
        rules: [
          {
            matches: [{ path: { type: 'PathPrefix', value: '/api/' } }],
            backendRefs: [{ name: 'infra-backend-v1', port: 8080 }],
          },
        ],
      }),
    ]);
    const d = routed(w, { path: '/api/items' });
    assert.ok(d.kind === 'routed');
    assert.deepEqual(d.pathMatch, { type: 'PathPrefix', value: '/api/' });
  });
});
