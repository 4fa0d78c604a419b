/**
 * `npm run bench [-- NAME...]`: runs every bench/*.bench.ts (or the named ones) in its own process,
 * writes each one's JSON to bench/results/NAME.json and prints a summary table.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { BenchResult } from './lib.ts';

const dir = import.meta.dirname;
const wanted = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((file) => file.endsWith('.bench.ts'))
  .filter((file) => wanted.length === 0 || wanted.includes(basename(file, '.bench.ts')))
  .sort();
mkdirSync(resolve(dir, 'results'), { recursive: true });

const rows: string[][] = [['benchmark', 'metric', 'value', 'baseline', 'ratio', 'floor']];
let failed = false;
for (const file of files) {
  const name = basename(file, '.bench.ts');
  console.error(`▶ ${name}`);
  const run = spawnSync(process.execPath, [resolve(dir, file)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const last = run.stdout.trim().split('\n').at(-1) ?? '';
  if (run.status !== 0 || !last.startsWith('{')) {
    console.error(`✘ ${name} failed (exit ${run.status})`);
    failed = true;
    continue;
  }
  const result = JSON.parse(last) as BenchResult;
  writeFileSync(resolve(dir, 'results', `${name}.json`), JSON.stringify(result, null, 2) + '\n');
  for (const m of result.metrics) {
    rows.push([
      result.benchmark,
      m.name,
      `${m.value} ${m.unit}`,
      m.baseline ? `${m.baseline.value} ${m.unit} (${m.baseline.name})` : '',
      m.ratio === undefined ? '' : `${m.ratio}x`,
      m.floor ? `${m.floor.met ? 'met' : 'MISSED'}: ${m.floor.description}` : '',
    ]);
  }
}

const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
for (const row of rows) {
  console.log(
    row
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd(),
  );
}
console.log(`\nJSON results in ${resolve(dir, 'results')}`);
process.exit(failed ? 1 : 0);
