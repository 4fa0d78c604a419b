/** The request from what the user typed, or the tree item chosen. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  externalRequestFromInput,
  externalRequestFromItem,
  splitClientAddress,
} from '../../../../src/analysis/external/index.ts';

const nodes = ['sandbox-node-1', 'sandbox-node-2'];

test('a URL with or without scheme is a URL; host:port is a node port for an IP or a node name', () => {
  assert.deepEqual(externalRequestFromInput(' http://shop.example.com/api ', nodes), {
    kind: 'url',
    url: 'http://shop.example.com/api',
  });
  assert.deepEqual(externalRequestFromInput('shop.example.com/api', nodes), {
    kind: 'url',
    url: 'shop.example.com/api',
  });
  assert.deepEqual(externalRequestFromInput('127.42.0.2:30080', nodes), {
    kind: 'nodePort',
    node: '127.42.0.2',
    port: 30080,
  });
  assert.deepEqual(externalRequestFromInput('sandbox-node-1:30080', nodes), {
    kind: 'nodePort',
    node: 'sandbox-node-1',
    port: 30080,
  });
  assert.deepEqual(externalRequestFromInput('shop.example.com:8080', nodes), {
    kind: 'url',
    url: 'shop.example.com:8080',
  });
  assert.deepEqual(externalRequestFromInput('http://10.0.0.1:30080', nodes), {
    kind: 'url',
    url: 'http://10.0.0.1:30080',
  });
  assert.equal(externalRequestFromInput('10.0.0.1:70000', nodes), undefined);
  assert.equal(externalRequestFromInput('   ', nodes), undefined);
});

test('tree items: an Ingress, a rule by its key (rule/path), the default backend (a request no rule matches), a Service', () => {
  assert.deepEqual(
    externalRequestFromItem({ kind: 'ingressRule', namespace: 'shop', ingress: 'frontend', key: '0/1' }),
    {
      kind: 'ingressRule',
      namespace: 'shop',
      name: 'frontend',
      ruleIndex: 0,
      pathIndex: 1,
    },
  );
  assert.deepEqual(
    externalRequestFromItem({ kind: 'ingressRule', namespace: 'shop', ingress: 'frontend', key: 'default' }),
    {
      kind: 'ingressDefaultBackend',
      namespace: 'shop',
      name: 'frontend',
    },
  );
  assert.deepEqual(externalRequestFromItem({ kind: 'service', namespace: 'shop', name: 'static-site' }), {
    kind: 'service',
    namespace: 'shop',
    name: 'static-site',
  });
});

test('the palette text may end with the client address after "from"; anything else after "from" stays', () => {
  assert.deepEqual(splitClientAddress('http://shop.example.com/ from 203.0.113.7'), {
    text: 'http://shop.example.com/',
    clientIp: '203.0.113.7',
  });
  assert.deepEqual(splitClientAddress('  sandbox-node-1:30080   FROM 2001:db8::1 '), {
    text: 'sandbox-node-1:30080',
    clientIp: '2001:db8::1',
  });
  assert.deepEqual(splitClientAddress('http://shop.example.com/from here'), {
    text: 'http://shop.example.com/from here',
  });
  assert.deepEqual(splitClientAddress('http://shop.example.com/ from somewhere'), {
    text: 'http://shop.example.com/ from somewhere',
  });
});
