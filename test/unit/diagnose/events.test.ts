/** A not-ready Pod's latest Unhealthy event, as the diagnosis quotes it. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CoreV1Event } from '@kubernetes/client-node';
import { latestReadinessEvent } from '../../../src/diagnose/events.ts';

const event = (fields: Partial<CoreV1Event>): CoreV1Event =>
  ({ involvedObject: { kind: 'Pod', name: 'checkout' }, metadata: {}, ...fields }) as CoreV1Event;

test('the latest Unhealthy event wins; its container comes from the field path', () => {
  const latest = latestReadinessEvent([
    event({
      reason: 'Unhealthy',
      message: 'Readiness probe failed: HTTP probe failed with statuscode: 500',
      lastTimestamp: new Date('2026-12-07T03:00:00Z'),
      count: 2,
    }),
    event({
      reason: 'Unhealthy',
      message: 'Readiness probe failed: HTTP probe failed with statuscode: 503\n',
      lastTimestamp: new Date('2026-12-07T03:05:00Z'),
      count: 31,
      involvedObject: { kind: 'Pod', name: 'checkout', fieldPath: 'spec.containers{checkout}' },
    }),
    event({
      reason: 'Started',
      message: 'Started container checkout',
      lastTimestamp: new Date('2026-12-07T03:09:00Z'),
    }),
  ]);
  assert.deepEqual(latest, {
    message: 'Readiness probe failed: HTTP probe failed with statuscode: 503',
    container: 'checkout',
    count: 31,
    lastTimestamp: '2026-12-07T03:05:00.000Z',
  });
});

test('no Unhealthy event: nothing to quote', () => {
  assert.equal(
    latestReadinessEvent([event({ reason: 'Scheduled', message: 'Successfully assigned' })]),
    undefined,
  );
  assert.equal(latestReadinessEvent([]), undefined);
});
