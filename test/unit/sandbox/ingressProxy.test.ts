/**
 * The sandbox Ingress controller's settings, read from its container's args with ingress-nginx's
 * flag names (the proxy itself is driven over real sockets in test/conformance/ingressController.test.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { controllerSettings } from '../../../sandbox/dataplane/ingressProxy.ts';

test('defaults: class sandbox, no published Service, ingress-nginx timeouts (5 s connect, 60 s read)', () => {
  assert.deepEqual(controllerSettings(undefined), {
    ingressClass: 'sandbox',
    publishService: undefined,
    connectTimeoutMs: 5_000,
    readTimeoutMs: 60_000,
  });
});

test('--flag=value and --flag value; timeouts in seconds or with a unit', () => {
  assert.deepEqual(
    controllerSettings([
      '/nginx-ingress-controller',
      '--ingress-class=edge',
      '--publish-service',
      'ingress-sandbox/ingress-sandbox-controller',
      '--proxy-connect-timeout=1s',
      '--proxy-read-timeout=2.5',
    ]),
    {
      ingressClass: 'edge',
      publishService: { namespace: 'ingress-sandbox', name: 'ingress-sandbox-controller' },
      connectTimeoutMs: 1_000,
      readTimeoutMs: 2_500,
    },
  );
  assert.equal(controllerSettings(['--proxy-connect-timeout=500ms']).connectTimeoutMs, 500);
});

test('unreadable values fall back to the defaults', () => {
  const settings = controllerSettings([
    '--proxy-connect-timeout=soon',
    '--publish-service=no-slash',
    '--ingress-class=',
  ]);
  assert.equal(settings.connectTimeoutMs, 5_000);
  assert.equal(settings.publishService, undefined);
  assert.equal(settings.ingressClass, 'sandbox');
});
