/**
 * Readiness and why not (readiness.ts), the explanation hop 3 gives of a Pod.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readiness } from '../../../../src/analysis/diagnosis/index.ts';
import { db, pod } from './world.ts';

describe('readiness', () => {
  test('readiness of a ready Pod and of a Pending one', () => {
    assert.deepEqual(readiness(db), { ready: true, status: 'Running', reasons: [] });
    const pending = readiness(pod('shop', 'p', {}, { phase: 'Pending' }));
    assert.equal(pending.ready, false);
    assert.ok(pending.reasons.includes('PodScheduled=False (Unschedulable: 0/3 nodes are available)'));
    assert.match(pending.fix!, /`kubectl describe pod -n shop p` shows what it waits for/);
  });
});
