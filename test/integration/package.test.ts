import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';

const root = resolve(import.meta.dirname, '../..');

test('npm run package makes a .vsix under 3 MB holding only what the extension needs', () => {
  execFileSync('npm', ['run', '--silent', 'package'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  const vsix = resolve(root, 'kubereach.vsix');
  assert.ok(statSync(vsix).size < 3 * 1024 * 1024, 'under 3 MB');

  const listing = execFileSync('unzip', ['-Z1', vsix], { encoding: 'utf8' }).trim().split('\n');
  const files = listing.filter((entry) => entry.startsWith('extension/')).map((entry) => entry.slice(10));
  const allowed = [
    /^dist\/[^/]+\.js$/,
    /^dist\/package\.json$/,
    /^media\//,
    /^docs\/screenshots\/[^/]+\.png$/,
    /^package\.json$/,
    /^readme\.md$/i,
    /^changelog\.md$/i,
    /^LICENSE(\.txt)?$/,
  ];
  const unexpected = files.filter((file) => !allowed.some((pattern) => pattern.test(file)));
  assert.deepEqual(unexpected, [], 'nothing outside the allow-list');
  // The bundles required after activation too: missing, they would fail only at run time.
  for (const required of [
    'dist/extension.js',
    'dist/cluster.js',
    'dist/languageClient.js',
    'dist/server.js',
    'package.json',
    'media/kubereach.svg',
    'media/icon.png',
  ]) {
    assert.ok(files.includes(required), `${required} is packaged`);
  }
  assert.ok(
    files.some((file) => /^readme\.md$/i.test(file)),
    'README is packaged',
  );
  assert.ok(
    files.some((file) => /^changelog\.md$/i.test(file)),
    'CHANGELOG is packaged',
  );
  // Relative links are not rewritten (--no-rewrite-relative-links): the README's images must be inside.
  const readme = readFileSync(resolve(root, 'README.md'), 'utf8');
  const images = [...readme.matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)].map((match) => match[1]!);
  assert.ok(images.length > 0, 'the README shows images');
  for (const image of images) {
    assert.ok(files.includes(image), `${image}, shown by the README, is packaged`);
  }
  const screenshots = files.filter((file) => file.startsWith('docs/'));
  assert.deepEqual(screenshots.sort(), [...new Set(images)].sort(), 'no screenshot the README does not show');
  assert.ok(!files.some((file) => file.endsWith('.map')), 'production build ships no source maps');
  assert.ok(!files.includes('media/icon.svg'), "the icon's source stays out");
  // Leave a development build, as the other tests expect.
  execFileSync(process.execPath, ['esbuild.js'], { cwd: root });
});
