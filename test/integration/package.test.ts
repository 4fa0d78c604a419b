import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
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
  // VS Code 1.139's extension page shows only https: images (CONTRIBUTING.md, "The README's images"):
  // screenshots in the .vsix would be dead weight.
  assert.ok(!files.some((file) => file.startsWith('docs/')), 'no screenshots shipped');
  assert.ok(!files.some((file) => file.endsWith('.map')), 'production build ships no source maps');
  assert.ok(!files.includes('media/icon.svg'), "the icon's source stays out");
  assert.ok(!files.includes('dist/cli.js'), 'the command line is not the extension’s');
  // Leave a development build, as the other tests expect.
  execFileSync(process.execPath, ['esbuild.js'], { cwd: root });
});
