import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contextPresentation } from '../../../src/explorer/format.ts';
import { contextRowPresentation } from '../../../src/explorer/contextShown.ts';

const kind = { name: 'kind-dev', cluster: 'kind-dev', user: 'kind-dev', namespace: 'team-a' };

test('"shown" and "current in kubeconfig" are two words, and the filled icon follows what is shown', () => {
  const both = contextRowPresentation(contextPresentation(kind, true), { shown: true, current: true });
  assert.equal(both.description, 'shown · current in kubeconfig · ns team-a');
  assert.deepEqual(both.icon, { id: 'vm-active', color: 'testing.iconPassed' });

  const shownOnly = contextRowPresentation(contextPresentation(kind, false), { shown: true, current: false });
  assert.equal(shownOnly.description, 'shown · ns team-a');
  assert.deepEqual(shownOnly.icon, { id: 'vm-active', color: 'testing.iconPassed' });
  assert.match(shownOnly.tooltip, /Not the kubeconfig's current-context/);

  const currentOnly = contextRowPresentation(contextPresentation(kind, true), {
    shown: false,
    current: true,
  });
  assert.equal(currentOnly.description, 'current in kubeconfig · ns team-a');
  assert.deepEqual(currentOnly.icon, { id: 'vm-outline' });
  assert.match(currentOnly.tooltip, /\*\*Not shown:\*\* click to show it/);
  assert.match(currentOnly.tooltip, /kubectl uses it/);
});
