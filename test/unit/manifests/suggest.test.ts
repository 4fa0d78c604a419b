/** "Did you mean": the edit distance and the choice of a suggestion. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { didYouMean, editDistance } from '../../../src/analysis/manifests/suggest.ts';

describe('editDistance', () => {
  const cases: [string, string, number][] = [
    ['', '', 0],
    ['a', '', 1],
    ['ports', 'ports', 0],
    ['poarts', 'ports', 1],
    ['prots', 'ports', 1],
    ['selecter', 'selector', 1],
    ['targetPoart', 'targetPort', 1],
    ['kitten', 'sitting', 3],
    ['ab', 'ba', 1],
  ];
  for (const [a, b, expected] of cases) {
    test(`${a || '""'} → ${b || '""'}: ${expected}`, () => {
      assert.equal(editDistance(a, b), expected);
      assert.equal(editDistance(b, a), expected);
    });
  }
  test('stops early past the bound', () => {
    assert.equal(editDistance('aaaaaaaa', 'bbbbbbbb', 2), 3);
    assert.equal(editDistance('a', 'abcdef', 2), 3);
  });
});

describe('didYouMean', () => {
  const fields = ['ports', 'selector', 'type', 'clusterIP', 'externalName', 'sessionAffinity'];
  test('typos within reach', () => {
    assert.equal(didYouMean('poarts', fields), 'ports');
    assert.equal(didYouMean('selecter', fields), 'selector');
    assert.equal(didYouMean('clusterip', fields), 'clusterIP');
    assert.equal(didYouMean('sesionAfinity', fields), 'sessionAffinity');
  });
  test('short words allow one edit only', () => {
    assert.equal(didYouMean('typ', fields), 'type');
    assert.equal(didYouMean('tp', fields), undefined);
  });
  test('nothing close, or a tie', () => {
    assert.equal(didYouMean('flavour', fields), undefined);
    assert.equal(didYouMean('ab', ['ac', 'ad']), undefined);
  });
});
