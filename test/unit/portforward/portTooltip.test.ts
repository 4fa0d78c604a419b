import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forwardPortTooltip } from '../../../src/portforward/portTooltip.ts';
import type { PortForwardInfo } from '../../../src/portforward/types.ts';

const forward = {
  id: 'f1',
  spec: { target: { kind: 'Service', namespace: 'shop', name: 'backend' }, ports: [{ remote: 80 }] },
  title: 'Service shop/backend',
  state: 'active',
  reason: undefined,
  errorCode: undefined,
  pod: { namespace: 'shop', name: 'backend-abc', ip: '10.0.0.7', ready: true },
  address: '127.0.0.1',
  ports: [
    {
      remote: 80,
      local: { address: '127.0.0.1', port: 8080 },
      containerPort: 8080,
      servicePort: 80,
      remoteAddress: '10.0.0.7:8080',
      connections: 1,
      totalConnections: 3,
      bytesIn: 2048,
      bytesOut: 12,
      lastError: 'connection refused <by> the Pod',
    },
  ],
  connections: 1,
  bytesIn: 2048,
  bytesOut: 12,
  startedAt: 0,
} as unknown as PortForwardInfo;

test('a forwarded port says where it listens, where it goes, its traffic and last error (escaped)', () => {
  const text = forwardPortTooltip(forward, 0);
  assert.match(
    text,
    /^\*\*`127\.0\.0\.1:8080`\*\* → Service shop\/backend, Service port `80` → container port 8080/,
  );
  assert.match(text, /Pod `shop\/backend-abc` at `10\.0\.0\.7:8080`/);
  assert.match(text, /Connections: 1 open, 3 in all · received 2\.0 KB · sent 12 B/);
  assert.match(text, /Last error: connection refused \\<by\\> the Pod/);
  assert.match(text, /Click to copy the address\./);
  assert.equal(forwardPortTooltip(forward, 5), '');
});
