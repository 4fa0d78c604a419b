/**
 * Gateway API hostnames against the specification: apis/v1/shared_types.go `Hostname` (syntax),
 * httproute_types.go `HTTPRouteSpec.Hostnames` (listener × route intersection, the examples in its
 * comment, route precedence) and gateway_types.go `Listener.Hostname` (suffix wildcards).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  bestHostnameMatch,
  hostnameMatches,
  intersectHostname,
  intersectListenerAndRoute,
  listenerHostnameRank,
  validateHostname,
} from '../../../../src/analysis/gateway/index.ts';

describe('Hostname syntax (shared_types.go Hostname)', () => {
  for (const valid of ['example.com', 'foo.example.com', '*.example.com', 'a-b.c1.io', 'localhost']) {
    test(`${valid} is valid`, () => assert.deepEqual(validateHostname(valid), []));
  }
  const invalid: [string, RegExp][] = [
    ['10.0.0.1', /IP address/],
    ['Foo.example.com', /upper-case/],
    ['foo.*.example.com', /wildcard .* must be the whole first label/],
    ['*foo.example.com', /wildcard/],
    ['*', /wildcard/],
    ['-foo.example.com', /RFC 1123/],
    ['foo_bar.example.com', /RFC 1123/],
    ['', /empty/],
  ];
  for (const [hostname, message] of invalid) {
    test(`${JSON.stringify(hostname)} is invalid`, () =>
      assert.match(validateHostname(hostname).join('; '), message));
  }
});

describe('Wildcards are suffix matches of one or more labels (Listener.Hostname)', () => {
  test('*.example.com matches test.example.com and foo.test.example.com, not example.com', () => {
    assert.equal(hostnameMatches('*.example.com', 'test.example.com'), true);
    assert.equal(hostnameMatches('*.example.com', 'foo.test.example.com'), true);
    assert.equal(hostnameMatches('*.example.com', 'example.com'), false);
    assert.equal(hostnameMatches('*.example.com', 'badexample.com'), false);
  });
  test('precise names compare equal only', () => {
    assert.equal(hostnameMatches('foo.example.com', 'foo.example.com'), true);
    assert.equal(hostnameMatches('foo.example.com', 'bar.foo.example.com'), false);
  });
});

describe('Listener × route intersection (HTTPRouteSpec.Hostnames examples)', () => {
  test('listener test.example.com: routes with no hostnames, test.example.com or *.example.com match', () => {
    assert.deepEqual(intersectListenerAndRoute('test.example.com', undefined), {
      kind: 'some',
      hostnames: ['test.example.com'],
      ignored: [],
    });
    assert.deepEqual(intersectListenerAndRoute('test.example.com', ['test.example.com']).kind, 'some');
    assert.deepEqual(intersectListenerAndRoute('test.example.com', ['*.example.com']), {
      kind: 'some',
      hostnames: ['test.example.com'],
      ignored: [],
    });
  });
  test('listener *.example.com: *.example.com, test.example.com, foo.test.example.com match; example.com, test.example.net do not', () => {
    const result = intersectListenerAndRoute('*.example.com', [
      '*.example.com',
      'test.example.com',
      'foo.test.example.com',
      'example.com',
      'test.example.net',
    ]);
    assert.deepEqual(result, {
      kind: 'some',
      hostnames: ['*.example.com', 'test.example.com', 'foo.test.example.com'],
      ignored: ['example.com', 'test.example.net'],
    });
  });
  test('no intersection: the reason quotes both sides', () => {
    assert.deepEqual(intersectListenerAndRoute('*.internal.example.com', ['shop.example.com']), {
      kind: 'none',
      reason: 'hostname shop.example.com does not match *.internal.example.com',
    });
  });
  test('neither side names a hostname: every host', () => {
    assert.deepEqual(intersectListenerAndRoute(undefined, []), { kind: 'any' });
  });
  test('wildcard against wildcard: the more specific one', () => {
    assert.equal(intersectHostname('*.example.com', '*.foo.example.com'), '*.foo.example.com');
    assert.equal(intersectHostname('*.foo.example.com', '*.example.com'), '*.foo.example.com');
    assert.equal(intersectHostname('*.example.com', '*.example.org'), undefined);
  });
});

describe('Precedence', () => {
  test('listeners: exact, then wildcards by dots right of the *, then none (gateway_types.go)', () => {
    const ranked = ['', '*.example.com', 'foo.example.com', '*.foo.example.com']
      .map((h) => ({ h, rank: listenerHostnameRank(h === '' ? undefined : h) }))
      .sort((a, b) => b.rank - a.rank)
      .map((x) => x.h);
    assert.deepEqual(ranked, ['foo.example.com', '*.foo.example.com', '*.example.com', '']);
  });
  test('routes: characters of a matching non-wildcard hostname, then of a matching hostname (HTTPRouteSpec.Hostnames)', () => {
    const served = {
      kind: 'some' as const,
      hostnames: ['*.example.com', '*.foo.example.com', 'bar.foo.example.com'],
      ignored: [],
    };
    assert.deepEqual(bestHostnameMatch(served, 'bar.foo.example.com'), {
      preciseLength: 19,
      length: 19,
      hostname: 'bar.foo.example.com',
    });
    assert.deepEqual(bestHostnameMatch(served, 'x.foo.example.com'), {
      preciseLength: 0,
      length: 17,
      hostname: '*.foo.example.com',
    });
    assert.equal(bestHostnameMatch(served, 'example.com'), undefined);
  });
});
