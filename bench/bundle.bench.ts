/**
 * Bundle sizes of a production build (what `npm run package` ships), raw and gzipped, and the
 * size of the .vsix. Baseline in the same run: the development build of the same sources.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { metric, report } from './lib.ts';

const startedAt = new Date();
const root = resolve(import.meta.dirname, '..');
const kib = (bytes: number) => bytes / 1024;

function sizes(): Record<string, { raw: number; gzip: number }> {
  const result: Record<string, { raw: number; gzip: number }> = {};
  for (const name of ['extension.js', 'cluster.js', 'languageClient.js', 'server.js']) {
    const content = readFileSync(resolve(root, 'dist', name));
    result[name] = { raw: content.length, gzip: gzipSync(content).length };
  }
  return result;
}

execFileSync(process.execPath, ['esbuild.js'], { cwd: root });
const development = sizes();
execFileSync('npm', ['run', '--silent', 'package'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
const production = sizes();
const vsix = statSync(resolve(root, 'kubereach.vsix')).size;
// Leave a development build behind, as `npm run build` would.
execFileSync(process.execPath, ['esbuild.js'], { cwd: root });

report(
  {
    benchmark: 'bundle-size',
    metrics: [
      ...Object.entries(production).flatMap(([name, size]) => [
        metric(`dist/${name} (production)`, 'KiB', kib(size.raw), {
          name: 'development build',
          value: kib(development[name]!.raw),
        }),
        metric(`dist/${name} gzipped`, 'KiB', kib(size.gzip)),
      ]),
      metric('kubereach.vsix', 'KiB', kib(vsix), undefined, {
        description: '.vsix under 3 MB',
        met: vsix < 3 * 1024 * 1024,
      }),
    ],
  },
  startedAt,
);
