import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixHtml, fixParts } from '../../../src/diagnose/fixHtml.ts';

const FIX =
  'Add an ingress rule to NetworkPolicy data/db-allow-backend-only that admits shop/frontend on TCP 5432, under spec.ingress:\n' +
  '- from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}}, podSelector: {matchLabels: {app: frontend}}}]\n' +
  '  ports: [{protocol: TCP, port: 5432}]\n' +
  'Or connect from a Pod the policy already admits.';

test('a fix splits into its sentences and the YAML it suggests, in order', () => {
  assert.deepEqual(
    fixParts(FIX).map((part) => [part.kind, part.text.split('\n').length]),
    [
      ['text', 1],
      ['yaml', 2],
      ['text', 1],
    ],
  );
  assert.deepEqual(fixParts('Set targetPort to http.'), [{ kind: 'text', text: 'Set targetPort to http.' }]);
});

test('the YAML is a monospace block with a Copy button, escaped; the label once', () => {
  const html = fixHtml(FIX.replace('frontend}', '<frontend>}'));
  assert.equal(html.match(/<pre><code>/g)?.length, 1);
  assert.equal(html.match(/data-copy/g)?.length, 1);
  assert.equal(html.match(/Fix:/g)?.length, 1);
  assert.match(html, /&lt;frontend&gt;/);
  assert.doesNotMatch(html, /<frontend>/);
  assert.match(html, /<pre><code>- from: .*\n {2}ports: \[\{protocol: TCP, port: 5432\}\]<\/code><\/pre>/);
});
