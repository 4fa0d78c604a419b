/** A Service's live Pods through the label index are the Pods a full scan finds, in the same order. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from '../../../src/analysis/k8s.ts';
import { podLabelIndex, selectorCandidates } from '../../../src/analysis/labels.ts';
import { selectedPods } from '../../../src/analysis/manifests/cluster.ts';

function pod(name: string, labels: Record<string, string>, phase: 'Running' | 'Succeeded' = 'Running'): Pod {
  return { metadata: { name, namespace: 'shop', labels }, status: { phase, podIP: '10.0.0.1' } };
}

test('selectedPods with a label index agrees with a scan of every Pod', () => {
  const pods = [
    pod('a', { app: 'web', tier: 'front' }),
    pod('b', { app: 'web', tier: 'back' }),
    pod('c', { app: 'api', tier: 'front' }),
    pod('d', { app: 'web', tier: 'front' }, 'Succeeded'),
    pod('e', { tier: 'front' }),
  ];
  const live = { pods, podsWithLabel: podLabelIndex(pods), endpointSlices: () => [], networkPolicies: [] };
  const selectors: Record<string, string>[] = [
    { app: 'web' },
    { tier: 'front', app: 'web' },
    { app: 'none' },
    {},
    { tier: 'front' },
  ];
  for (const selector of selectors) {
    assert.deepEqual(
      selectedPods(live, selector).map((p) => p.metadata.name),
      selectedPods(pods, selector).map((p) => p.metadata.name),
      JSON.stringify(selector),
    );
  }
  assert.deepEqual(
    selectedPods(live, { tier: 'front', app: 'web' }).map((p) => p.metadata.name),
    ['a'],
    'a terminal Pod is not selected; every label must match',
  );
  assert.deepEqual(selectedPods(live, {}), [], 'an empty selector picks nothing');
});

test('selectorCandidates reads the rarest of the selector labels; an empty selector reads none', () => {
  const pods = [
    pod('a', { app: 'web', tier: 'front' }),
    pod('b', { app: 'web', tier: 'back' }),
    pod('c', { app: 'web', tier: 'front' }),
    pod('d', { app: 'api', tier: 'back' }),
  ];
  const withLabel = podLabelIndex(pods);
  const names = (selector: Record<string, string>) =>
    selectorCandidates(withLabel, selector).map((p) => p.metadata.name);
  assert.deepEqual(names({ app: 'web', tier: 'back' }), ['b', 'd'], 'tier=back (2) before app=web (3)');
  assert.deepEqual(names({ tier: 'front', app: 'api' }), ['d']);
  assert.deepEqual(names({ app: 'none', tier: 'front' }), []);
  assert.deepEqual(names({}), []);
});
