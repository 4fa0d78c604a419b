/**
 * `npm test`: type-check, lint, build, then every test layer with node:test, in order, stopping at
 * the first failure. `--only LAYER` runs one layer (unit, integration, conformance, e2e) without the
 * static checks. Layers whose folder holds no test yet are reported and skipped.
 *
 * Every layer has a time budget (LAYER_BUDGET_MINUTES) and every test one of its own: a test that
 * hangs fails its layer with its name instead of holding CI until CI's own limit cuts everything.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const LAYERS = ['unit', 'conformance', 'integration', 'e2e'] as const;
/**
 * Minutes a layer may take before it is stopped, about five times what it takes on a quiet machine
 * of ours (unit 1, conformance 1, integration 4, e2e 3 plus code-server's first install, 4); the sum
 * stays within CI's 90. `KUBEREACH_TEST_BUDGET_SCALE` stretches them on a slower machine.
 */
const LAYER_BUDGET_MINUTES: Record<(typeof LAYERS)[number], number> = {
  unit: 8,
  conformance: 8,
  integration: 25,
  e2e: 30,
};
/** A single test (not a hook) that runs longer than this fails with its name; the slowest take about one. */
const TEST_TIMEOUT_MS = 5 * 60_000;
const budgetScale = Number(process.env.KUBEREACH_TEST_BUDGET_SCALE ?? 1) || 1;
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

/**
 * Runs a layer in a process group of its own, so that when its budget runs out the runner, every
 * test file's process and whatever they started (sandboxes, code-server, Chromium) stop together.
 */
async function runBounded(title: string, minutes: number, command: string, args: string[]): Promise<void> {
  console.log(`\n▶ ${title}: ${[command, ...args].join(' ')} (budget ${minutes} min)`);
  const started = performance.now();
  const child = spawn(command, args, { stdio: 'inherit', detached: true });
  const stopGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // The group has ended already.
    }
  };
  // Ctrl-C or CI stopping `npm test` stops the layer too.
  const forward = (signal: NodeJS.Signals) => stopGroup(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  let overBudget = false;
  const timer = setTimeout(() => {
    overBudget = true;
    console.error(
      `\n✘ ${title}: still running after its budget of ${minutes} min; stopping it (the test running now is above)`,
    );
    stopGroup('SIGTERM');
    setTimeout(() => stopGroup('SIGKILL'), 10_000).unref();
  }, minutes * 60_000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((done) =>
    child.once('exit', (exitCode, exitSignal) => done([exitCode, exitSignal])),
  );
  clearTimeout(timer);
  process.off('SIGINT', forward);
  process.off('SIGTERM', forward);
  // Whatever a test file left running (it should leave nothing) ends with its layer.
  stopGroup('SIGKILL');
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (code !== 0 || overBudget) {
    const why = overBudget ? `over its budget of ${minutes} min` : `exit ${code ?? signal}`;
    console.error(`✘ ${title} failed after ${seconds}s (${why})`);
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
  await runBounded(`${layer} tests`, LAYER_BUDGET_MINUTES[layer] * budgetScale, 'node', [
    '--test',
    '--test-reporter=spec',
    '--test-concurrency=1',
    `--test-timeout=${TEST_TIMEOUT_MS}`,
    ...files,
  ]);
}
console.log(`\nAll tests passed on Node ${process.version}.`);
