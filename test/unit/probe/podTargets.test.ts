/**
 * "Probe from Pod…" and the probe matrix offer a Pod's declared containerPorts: only those that
 * are port numbers. An API object may hold anything there (issue 13, item 8).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import { podPortTargets } from '../../../src/probe/targetOfNode.ts';

function pod(
  ports: Array<{ containerPort: unknown; name?: unknown }>,
  ip: string | null = '10.0.0.7',
): V1Pod {
  return {
    metadata: { name: 'web-1', namespace: 'shop' },
    spec: {
      containers: [
        { name: 'main', image: 'x', ports: ports.slice(0, 4) as never },
        { name: 'side', image: 'y', ports: ports.slice(4) as never },
      ],
    },
    status: { phase: 'Running', ...(ip ? { podIP: ip } : {}) },
  };
}

test('only numeric containerPorts are offered, with their names and the protocol to probe', () => {
  const choices = podPortTargets(
    pod([
      { containerPort: 8080, name: 'http' },
      { containerPort: '<img src=x onerror=alert(1)>', name: 'evil' },
      { containerPort: '9090' },
      { containerPort: 0 },
      { containerPort: 70000 },
      { containerPort: 80.5 },
      { containerPort: 5432, name: { not: 'a string' } },
      { containerPort: Number.NaN },
    ]),
    'shop',
  );
  assert.deepEqual(choices, [
    {
      target: { kind: 'pod', namespace: 'shop', name: 'web-1', ip: '10.0.0.7', port: 8080, protocol: 'http' },
      portName: 'http',
    },
    {
      target: { kind: 'pod', namespace: 'shop', name: 'web-1', ip: '10.0.0.7', port: 5432, protocol: 'tcp' },
      portName: undefined,
    },
  ]);
});

test('a Pod without an IP, or without ports, offers nothing', () => {
  assert.deepEqual(podPortTargets(pod([{ containerPort: 8080 }], null), 'shop'), []);
  assert.deepEqual(podPortTargets({ metadata: { name: 'bare' }, status: { podIP: '10.0.0.8' } }, 'shop'), []);
});
