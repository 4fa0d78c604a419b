/** `kubereach diagnose` without a Pod: which one-argument targets are the outside-in diagnosis's. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseClientAddress, parseExternalTarget, parseVia } from '../../../src/cli/diagnoseExternal.ts';
import { CliError } from '../../../src/cli/errors.ts';

test('URLs and NODE:PORT are read after the nodes are known; kinds become requests at once', () => {
  assert.deepEqual(parseExternalTarget('http://shop.example.com/api', undefined), {
    kind: 'text',
    text: 'http://shop.example.com/api',
  });
  assert.deepEqual(parseExternalTarget('shop.example.com/api', undefined), {
    kind: 'text',
    text: 'shop.example.com/api',
  });
  assert.deepEqual(parseExternalTarget('sandbox-node-1:30080', undefined), {
    kind: 'text',
    text: 'sandbox-node-1:30080',
  });
  assert.deepEqual(parseExternalTarget('shop/svc/frontend:http', undefined), {
    kind: 'request',
    request: { kind: 'service', namespace: 'shop', name: 'frontend', port: 'http' },
  });
  assert.deepEqual(parseExternalTarget('svc/frontend:8080', 'shop'), {
    kind: 'request',
    request: { kind: 'service', namespace: 'shop', name: 'frontend', port: 8080 },
  });
  // No namespace yet: the context's is filled in once the session is open.
  assert.deepEqual(parseExternalTarget('ingress/blog', undefined), {
    kind: 'request',
    request: { kind: 'ingress', namespace: '', name: 'blog' },
  });
  assert.deepEqual(parseExternalTarget('store/httproute/catalog#2', undefined), {
    kind: 'request',
    request: { kind: 'httpRoute', namespace: 'store', name: 'catalog', ruleIndex: 1 },
  });
  assert.deepEqual(parseExternalTarget('grpcroute/echo', 'store'), {
    kind: 'request',
    request: { kind: 'grpcRoute', namespace: 'store', name: 'echo' },
  });
});

test('a Pod-like or malformed single argument is a usage error, not a URL', () => {
  for (const text of [
    'shop/checkout',
    'checkout',
    'ftp://x.example.com/',
    'httproute/catalog#0',
    'svc/:80',
  ]) {
    assert.throws(
      () => parseExternalTarget(text, undefined),
      (error: unknown) => error instanceof CliError && error.exitCode === 2 && error.hint !== undefined,
      text,
    );
  }
});

test('--via and --from', () => {
  assert.deepEqual(parseVia('infra/public'), { namespace: 'infra', name: 'public' });
  assert.equal(parseVia(undefined), undefined);
  assert.throws(() => parseVia('public'), CliError);
  assert.equal(parseClientAddress('203.0.113.7'), '203.0.113.7');
  assert.equal(parseClientAddress('2001:db8::1'), '2001:db8::1');
  assert.throws(() => parseClientAddress('somewhere'), CliError);
});
