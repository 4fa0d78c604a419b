/**
 * Every diagnostic code is documented in docs/diagnostics.md, with an example and a fix, and nothing
 * else is; the README names every family of codes and links that page.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { CODES } from '../../../src/analysis/manifests/codes.ts';

const markdown = readFileSync(resolve(import.meta.dirname, '../../../docs/diagnostics.md'), 'utf8');
const readme = readFileSync(resolve(import.meta.dirname, '../../../README.md'), 'utf8');
const rows = new Map(
  markdown
    .split('\n')
    .filter((line) => /^\| KR\d{4} \|/.test(line))
    .map((line) => {
      const cells = line.split(' | ').map((cell) => cell.replace(/^\| /, '').replace(/ \|$/, '').trim());
      return [cells[0]!, cells] as const;
    }),
);

test('every code has a row with severity, description, example and fix', () => {
  for (const [code, info] of Object.entries(CODES)) {
    const row = rows.get(code);
    assert.ok(row, `${code} is not documented in docs/diagnostics.md`);
    assert.equal(row.length, 5, `${code}: Code | Severity | What | Example | Fix`);
    assert.ok(row[1]!.startsWith(info.severity), `${code}: severity ${info.severity}, documented ${row[1]}`);
    for (const cell of row.slice(2)) {
      assert.ok(cell.length > 3, `${code} has an empty cell`);
    }
  }
});

test('the document lists no code that does not exist, in order', () => {
  assert.deepEqual([...rows.keys()], Object.keys(CODES));
});

test('codes are numbered by family', () => {
  for (const code of Object.keys(CODES)) {
    assert.match(code, /^KR[0-6]\d{3}$/);
  }
});

test('the README links the codes and names each family', () => {
  assert.match(readme, /\]\(docs\/diagnostics\.md\)/);
  const families = new Set(Object.keys(CODES).map((code) => code.slice(0, 3)));
  for (const family of families) {
    assert.match(
      readme,
      new RegExp(`^\\| ${family}xxx \\|`, 'm'),
      `${family}xxx in the README's table of codes`,
    );
  }
});
