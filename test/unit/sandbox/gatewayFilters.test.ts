/** The HTTPRoute filters of the sandbox's gateway proxy, as the specification words them. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  filterOf,
  modifyHeaders,
  modifyPath,
  redirectOf,
} from '../../../sandbox/dataplane/gatewayFilters.ts';

test('path modifiers: ReplaceFullPath, ReplacePrefixMatch by path element, the query kept', () => {
  assert.equal(
    modifyPath('/old/x?q=1', { type: 'ReplaceFullPath', replaceFullPath: '/new' }, '/old'),
    '/new?q=1',
  );
  assert.equal(
    modifyPath('/old/x?q=1', { type: 'ReplacePrefixMatch', replacePrefixMatch: '/new' }, '/old'),
    '/new/x?q=1',
  );
  assert.equal(modifyPath('/old', { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' }, '/old'), '/');
  assert.equal(
    modifyPath('/old/', { type: 'ReplacePrefixMatch', replacePrefixMatch: '/new/' }, '/old/'),
    '/new/',
  );
  assert.equal(modifyPath('/a/b', { type: 'ReplacePrefixMatch', replacePrefixMatch: '/x' }, '/'), '/x/a/b');
  assert.equal(modifyPath('/a', undefined, '/'), '/a');
});

test('redirects: the port follows the scheme, well-known ports are left out of Location, 302 by default', () => {
  const request = { host: 'shop.example.com:8080', target: '/p?x=1', listenerPort: 8080, matchedPrefix: '/' };
  assert.deepEqual(redirectOf({}, request), { status: 302, location: 'http://shop.example.com:8080/p?x=1' });
  assert.deepEqual(redirectOf({ scheme: 'https', statusCode: 301 }, request), {
    status: 301,
    location: 'https://shop.example.com/p?x=1',
  });
  assert.deepEqual(redirectOf({ hostname: 'other.example.com', port: 80 }, request), {
    status: 302,
    location: 'http://other.example.com/p?x=1',
  });
  assert.deepEqual(redirectOf({ scheme: 'https', port: 8443 }, request), {
    status: 302,
    location: 'https://shop.example.com:8443/p?x=1',
  });
});

test('header modifiers: set overwrites, add appends, remove drops, names case-insensitive', () => {
  const headers: Record<string, string | string[] | undefined> = { 'x-a': '1', 'x-b': '2', 'x-c': '3' };
  modifyHeaders(headers, {
    set: [{ name: 'X-A', value: 'one' }],
    add: [
      { name: 'X-B', value: 'two' },
      { name: 'X-New', value: 'n' },
    ],
    remove: ['X-C'],
  });
  assert.deepEqual(headers, { 'x-a': 'one', 'x-b': '2,two', 'x-new': 'n' });
});

test('a filter is found by type, its settings under the field the API names', () => {
  const filters = [
    { type: 'URLRewrite', urlRewrite: { hostname: 'h' } },
    { type: 'RequestRedirect', requestRedirect: { scheme: 'https' } },
  ];
  assert.deepEqual(filterOf(filters, 'URLRewrite'), { hostname: 'h' });
  assert.deepEqual(filterOf(filters, 'RequestRedirect'), { scheme: 'https' });
  assert.equal(filterOf(filters, 'RequestMirror'), undefined);
});
