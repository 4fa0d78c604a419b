/** Shared pieces of the benchmarks: statistics, the JSON each benchmark prints, and an HTTP download. */
import { get } from 'node:http';

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) {
    return Number.NaN;
  }
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return sorted[lower]! + (sorted[upper]! - sorted[lower]!) * (position - lower);
}

export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** One row of the summary table: what was measured, ours against the baseline of the same run. */
export interface Metric {
  readonly name: string;
  readonly unit: string;
  readonly value: number;
  readonly baseline?: { readonly name: string; readonly value: number };
  /** value / baseline.value, or undefined without a baseline. */
  readonly ratio?: number;
  /** The floor from the issue, if any, and whether this run met it. */
  readonly floor?: { readonly description: string; readonly met: boolean };
}

export interface BenchResult {
  readonly benchmark: string;
  readonly node: string;
  readonly startedAt: string;
  readonly metrics: readonly Metric[];
  readonly details?: Record<string, unknown>;
}

export function metric(
  name: string,
  unit: string,
  value: number,
  baseline?: { name: string; value: number },
  floor?: { description: string; met: boolean },
): Metric {
  return {
    name,
    unit,
    value: round(value, 3),
    ...(baseline ? { baseline: { name: baseline.name, value: round(baseline.value, 3) } } : {}),
    ...(baseline && baseline.value !== 0 ? { ratio: round(value / baseline.value, 3) } : {}),
    ...(floor ? { floor } : {}),
  };
}

/** A benchmark prints exactly one JSON document on stdout, as its last line; bench/run.ts collects it. */
export function report(result: Omit<BenchResult, 'node' | 'startedAt'>, startedAt: Date): void {
  const full: BenchResult = { ...result, node: process.version, startedAt: startedAt.toISOString() };
  process.stdout.write(JSON.stringify(full) + '\n');
}

/**
 * MB/s of one HTTP download of `bytes` from the sandbox echo's `GET /bytes/N` at host:port, on a
 * fresh connection; rejects if fewer bytes arrive.
 */
export function downloadRate(host: string, port: number, bytes: number): Promise<number> {
  return new Promise((resolveRate, reject) => {
    const t0 = performance.now();
    get({ host, port, path: `/bytes/${bytes}`, agent: false }, (res) => {
      let received = 0;
      res.on('data', (chunk: Buffer) => (received += chunk.length));
      res.on('end', () => {
        if (received !== bytes) {
          reject(new Error(`received ${received} of ${bytes} bytes`));
          return;
        }
        resolveRate(bytes / 1e6 / ((performance.now() - t0) / 1000));
      });
      res.on('error', reject);
    }).on('error', reject);
  });
}

/** Polls `check` every 20 ms until it holds; rejects naming `what` after `timeoutMs`. */
export async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
