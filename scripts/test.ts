/**
 * `npm test`: type-check, lint, build, then every test layer with node:test, in order, stopping at
 * the first failure. `--only LAYER` runs one layer (unit, integration, conformance, e2e) without the
 * static checks. Layers whose folder holds no test yet are reported and skipped.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const LAYERS = ['unit', 'conformance', 'integration', 'e2e'] as const;
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;

console.log(`KubeReach tests on Node ${process.version} (${process.execPath})`);

function run(title: string, command: string, args: string[]): void {
  console.log(`\n▶ ${title}: ${[command, ...args].join(' ')}`);
  const started = performance.now();
  const result = spawnSync(command, args, { stdio: 'inherit' });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (result.status !== 0) {
    console.error(`✘ ${title} failed after ${seconds}s (exit ${result.status ?? result.signal})`);
    process.exit(1);
  }
  console.log(`✔ ${title} (${seconds}s)`);
}

function testFiles(layer: string): string[] {
  const dir = join('test', layer);
  if (!existsSync(dir)) {
    return [];
  }
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.ts'))
    .map((file) => join(dir, file))
    .sort();
}

if (only === undefined) {
  run('type-check', 'tsc', ['--noEmit']);
  run('lint', 'npm', ['run', '--silent', 'lint']);
}
run('build', 'node', ['esbuild.js']);

for (const layer of LAYERS) {
  if (only !== undefined && only !== layer) {
    continue;
  }
  const files = testFiles(layer);
  if (files.length === 0) {
    console.log(`\n- ${layer}: no tests yet`);
    continue;
  }
  run(`${layer} tests`, 'node', ['--test', '--test-reporter=spec', '--test-concurrency=1', ...files]);
}
console.log(`\nAll tests passed on Node ${process.version}.`);
