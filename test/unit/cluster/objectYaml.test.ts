import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'yaml';
import { objectYaml } from '../../../src/cluster/objectYaml.ts';

test('apiVersion and kind first, dates as kubectl prints them, long strings unfolded', () => {
  const created = new Date('2026-11-27T01:02:03Z');
  const command = 'x'.repeat(200);
  const text = objectYaml('NetworkPolicy', {
    metadata: { name: 'db-allow', namespace: 'data', creationTimestamp: created },
    spec: { podSelector: {}, note: command },
  });
  const lines = text.split('\n');
  assert.deepEqual(lines.slice(0, 2), ['apiVersion: networking.k8s.io/v1', 'kind: NetworkPolicy']);
  assert.ok(lines.includes('  creationTimestamp: 2026-11-27T01:02:03.000Z'), text);
  assert.ok(lines.includes(`  note: ${command}`), 'one line, however long');
  assert.equal(parse(text).metadata.name, 'db-allow');
});
