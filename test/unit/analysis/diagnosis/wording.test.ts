/**
 * How objects read in sentences and fixes (wording.ts): the manifest that owns a Pod, the labels
 * a suggested rule names a Pod by, names a typo away.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { podManifest, similarNames, stableLabels } from '../../../../src/analysis/diagnosis/index.ts';
import { db, frontend } from './world.ts';

describe('wording', () => {
  test('the manifest that owns a Pod', () => {
    assert.deepEqual(podManifest(frontend), { kind: 'Deployment', namespace: 'shop', name: 'frontend' });
    assert.deepEqual(podManifest(db), { kind: 'Pod', namespace: 'data', name: 'db-0' });
  });

  test('stable labels and similar names', () => {
    assert.deepEqual(stableLabels({ app: 'web', 'pod-template-hash': 'abc', tier: 'x' }), { app: 'web' });
    assert.deepEqual(stableLabels({ role: 'db', 'pod-template-hash': 'abc' }), { role: 'db' });
    assert.deepEqual(similarNames('bakend', ['backend', 'frontend', 'bakery']), ['backend', 'bakery']);
    assert.deepEqual(similarNames('db', ['dc', 'web']), ['dc']);
  });
});
