/**
 * definitionLine: where the diagnosis report's "open the manifest" link lands.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { definitionLine } from '../../../src/analysis/manifests/definition.ts';

const FILE = [
  'apiVersion: v1', // 0
  'kind: ConfigMap',
  'metadata: { name: payments }',
  '---',
  '# the Service',
  'apiVersion: v1', // 5
  'kind: Service',
  'metadata:',
  '  name: payments',
  '  namespace: shop',
  'spec: { selector: { app: payments }, ports: [{ port: 80 }] }', // 10
  '---',
  'apiVersion: v1',
  'kind: List',
  'items:',
  '  - apiVersion: networking.k8s.io/v1', // 15
  '    kind: NetworkPolicy',
  '    metadata: { name: db-allow }',
  '    spec: { podSelector: {} }',
  '',
].join('\n');

test('the line of the kind: of the named object, not of a namesake of another kind', () => {
  assert.equal(definitionLine(FILE, { kind: 'Service', namespace: 'shop', name: 'payments' }), 6);
  assert.equal(definitionLine(FILE, { kind: 'ConfigMap', namespace: 'default', name: 'payments' }), 1);
});

test('another namespace does not match; a document without one matches any', () => {
  assert.equal(definitionLine(FILE, { kind: 'Service', namespace: 'web', name: 'payments' }), undefined);
  assert.equal(definitionLine(FILE, { kind: 'ConfigMap', namespace: 'web', name: 'payments' }), 1);
});

test('an item of a kind: List', () => {
  assert.equal(definitionLine(FILE, { kind: 'NetworkPolicy', namespace: 'data', name: 'db-allow' }), 16);
});

test('absent objects, malformed YAML and templates give undefined instead of throwing', () => {
  assert.equal(definitionLine(FILE, { kind: 'Service', namespace: 'shop', name: 'backend' }), undefined);
  const broken = 'apiVersion: v1\nkind: Service\nmetadata: { name: payments\n';
  assert.equal(definitionLine(broken, { kind: 'Service', namespace: 'shop', name: 'payments' }), undefined);
  const template = 'apiVersion: v1\nkind: Service\nmetadata: { name: {{ .Values.name }} } # payments\n';
  assert.equal(definitionLine(template, { kind: 'Service', namespace: 'shop', name: 'payments' }), undefined);
});
