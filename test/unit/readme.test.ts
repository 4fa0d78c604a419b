/**
 * The README is the user's page and the installed extension's page: it documents every setting,
 * shows its screenshots as relative PNGs of the repository (VS Code's extension page shows only https
 * images: CONTRIBUTING.md, "Package"), and its links, like those of CONTRIBUTING.md and docs/, lead
 * somewhere.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';

const root = resolve(import.meta.dirname, '../..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const readme = read('README.md');
const manifest = JSON.parse(read('package.json')) as {
  contributes: { configuration: { properties: Record<string, { default: unknown; scope?: string }> } };
};

test('the README has the sections a user looks for, in order', () => {
  const headings = [...readme.matchAll(/^## (.+)$/gm)].map((match) => match[1]);
  const wanted = [
    'Requirements',
    'Install',
    'Quick start',
    'Features',
    'Commands',
    'Settings',
    'Troubleshooting',
  ];
  assert.deepEqual(
    headings.filter((heading) => wanted.includes(heading!)),
    wanted,
  );
});

test('every setting is in the README with its scope and default', () => {
  for (const [key, setting] of Object.entries(manifest.contributes.configuration.properties)) {
    const row = readme.split('\n').find((line) => line.startsWith(`| \`${key}\` |`));
    assert.ok(row, `${key} has a row in the README's settings table`);
    const cells = row.split(' | ').map((cell) => cell.replace(/^\| |\|$/g, '').trim());
    assert.equal(cells[1], setting.scope ?? 'window', `${key}: scope`);
    const shown = setting.default === '' ? '""' : String(setting.default);
    assert.equal(cells[2], `\`${shown}\``, `${key}: default`);
    assert.ok(cells[3]!.length > 10, `${key}: meaning`);
  }
});

test('the README opens with three screenshots; every image is a relative PNG that exists', () => {
  const top = readme.slice(0, readme.indexOf('\n## '));
  assert.equal([...top.matchAll(/!\[[^\]]*\]\(/g)].length, 3, 'three screenshots before the first section');
  const images = [...readme.matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)].map((match) => match[1]!);
  for (const image of images) {
    assert.match(image, /^docs\/screenshots\/[\w-]+\.png$/, `${image}: a relative PNG`);
    assert.ok(existsSync(join(root, image)), `${image} exists`);
  }
});

/** GitHub's anchor for a heading. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

test('the relative links of README.md, CONTRIBUTING.md and docs/ lead to files and headings that exist', () => {
  const pages = [
    'README.md',
    'CONTRIBUTING.md',
    ...readdirSync(join(root, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
  ];
  for (const page of pages) {
    const text = read(page);
    // Links outside code spans and blocks.
    const prose = text.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
    for (const [, target] of prose.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target!)) {
        continue;
      }
      const [path, anchor] = target!.split('#');
      const file = path ? join(root, dirname(page), path) : join(root, page);
      assert.ok(existsSync(file), `${page}: ${target} leads to a file`);
      if (anchor) {
        const headings = [...readFileSync(file, 'utf8').matchAll(/^#+ (.+)$/gm)].map((match) =>
          slug(match[1]!),
        );
        assert.ok(
          headings.includes(anchor),
          `${page}: ${target} leads to a heading (${headings.join(', ')})`,
        );
      }
    }
  }
});
