/**
 * Activation time of the production dist/extension.js: `require` + `activate` with the stand-in `vscode` module,
 * in 20 fresh processes. Baseline, in the same run: a minimal extension bundled the same way
 * (activate registers one command), which is the floor any extension pays.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { median, metric, report } from './lib.ts';

const startedAt = new Date();
const root = resolve(import.meta.dirname, '..');
const runs = Number(process.env.KUBEREACH_BENCH_RUNS ?? 20);

const baselineDir = mkdtempSync(join(tmpdir(), 'kubereach-bench-'));
writeFileSync(
  join(baselineDir, 'extension.ts'),
  `import * as vscode from 'vscode';
export function activate(context: vscode.ExtensionContext) {
  context.subscriptions.push(vscode.commands.registerCommand('baseline.hello', () => undefined));
}`,
);
const baselineBundle = join(baselineDir, 'dist', 'extension.js');
buildSync({
  entryPoints: [join(baselineDir, 'extension.ts')],
  outfile: baselineBundle,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  external: ['vscode'],
  logLevel: 'error',
});
writeFileSync(join(baselineDir, 'dist', 'package.json'), '{"type":"commonjs"}');

function sample(
  bundle: string,
  packageJson?: string,
): Array<{
  requireMs: number;
  activateMs: number;
  clusterRequireMs?: number;
  languageClientRequireMs?: number;
}> {
  const probe = resolve(import.meta.dirname, 'support/activateOnce.ts');
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const args = [probe, bundle, ...(packageJson ? [packageJson] : [])];
    samples.push(JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8' })));
  }
  return samples;
}

// Measure what ships: a production build of the current sources, made aside so dist/ is left alone.
const productionDir = join(baselineDir, 'kubereach', 'dist');
execFileSync(process.execPath, ['esbuild.js', '--production', '--outdir', productionDir], { cwd: root });
const ours = sample(join(productionDir, 'extension.js'), join(root, 'package.json'));
const baseline = sample(baselineBundle);
const total = (s: { requireMs: number; activateMs: number }) => s.requireMs + s.activateMs;

report(
  {
    benchmark: 'activation',
    metrics: [
      metric('require + activate (median)', 'ms', median(ours.map(total)), {
        name: 'minimal extension',
        value: median(baseline.map(total)),
      }),
      metric('require (median)', 'ms', median(ours.map((s) => s.requireMs))),
      metric('activate (median)', 'ms', median(ours.map((s) => s.activateMs))),
      metric(
        'deferred after activation: require dist/cluster.js (median)',
        'ms',
        median(ours.map((s) => s.clusterRequireMs ?? 0)),
      ),
      metric(
        'deferred to the first YAML document: require dist/languageClient.js (median)',
        'ms',
        median(ours.map((s) => s.languageClientRequireMs ?? 0)),
      ),
    ],
    details: { runs, samples: ours, baselineSamples: baseline },
  },
  startedAt,
);
