/**
 * The connectivity matrix: every source against every target with bounded concurrency, progress
 * and cancellation, and its exports (Markdown, CSV). The scheduler is generic over what a source
 * and a target are and takes the probe as a function (the engine passes `Prober.probe`), so this
 * file is pure: no network, no `vscode`.
 */
import { redactGrid } from './redaction.ts';
import type { ProbeResult, ProbeVerdict } from './types.ts';

export const DEFAULT_MATRIX_CONCURRENCY = 8;

export interface MatrixProgress {
  /** Cells finished so far, this one included. */
  readonly done: number;
  readonly total: number;
  readonly row: number;
  readonly column: number;
  readonly result: ProbeResult;
}

export interface MatrixOptions {
  /** Probes in flight at once; default 8. */
  readonly concurrency?: number;
  /** Per-probe timeout, passed to each probe. */
  readonly timeoutMs?: number;
  /** Cancels the matrix: nothing more is launched, and the probes in flight are closed. */
  readonly signal?: AbortSignal;
  /** Called as each cell finishes. */
  readonly onProgress?: (progress: MatrixProgress) => void;
}

export interface MatrixProbeContext {
  readonly signal: AbortSignal;
  readonly timeoutMs?: number;
  readonly row: number;
  readonly column: number;
}

/** Runs one cell. It must not throw: failures are verdicts. */
export type MatrixProbe<S, T> = (source: S, target: T, context: MatrixProbeContext) => Promise<ProbeResult>;

export interface MatrixGrid {
  /** Row headers, one per source. */
  readonly sources: readonly string[];
  /** Column headers, one per target. */
  readonly targets: readonly string[];
  /** cells[row][column]; null for a cell never run (the matrix was cancelled first). */
  readonly cells: readonly (readonly (ProbeResult | null)[])[];
  readonly cancelled: boolean;
  readonly completed: number;
  readonly total: number;
  readonly concurrency: number;
  readonly elapsedMs: number;
  /** ISO 8601. */
  readonly startedAt: string;
}

export interface RunMatrixOptions<S, T> extends MatrixOptions {
  readonly probe: MatrixProbe<S, T>;
  readonly sourceLabel: (source: S) => string;
  readonly targetLabel: (target: T) => string;
}

/**
 * The order cells are launched in: diagonal by diagonal, so that the probes in flight at any time
 * come from different sources and aim at different targets (no one Pod gets all the execs at once).
 */
export function launchOrder(rows: number, columns: number): Array<[number, number]> {
  const order: Array<[number, number]> = [];
  for (let k = 0; k < rows * columns; k++) {
    const row = k % rows;
    order.push([row, (Math.floor(k / rows) + row) % columns]);
  }
  return order;
}

/** Every source against every target; resolves (also when cancelled) with the grid so far. */
export async function runMatrix<S, T>(
  sources: readonly S[],
  targets: readonly T[],
  options: RunMatrixOptions<S, T>,
): Promise<MatrixGrid> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? DEFAULT_MATRIX_CONCURRENCY));
  const cells: (ProbeResult | null)[][] = sources.map(() => targets.map(() => null));
  const order = launchOrder(sources.length, targets.length);
  const total = order.length;
  const controller = new AbortController();
  const outer = options.signal;
  const onAbort = (): void => controller.abort(outer?.reason);
  if (outer?.aborted) {
    onAbort();
  } else {
    outer?.addEventListener('abort', onAbort, { once: true });
  }
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (!controller.signal.aborted && next < order.length) {
      const [row, column] = order[next++]!;
      const result = await options.probe(sources[row]!, targets[column]!, {
        signal: controller.signal,
        ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
        row,
        column,
      });
      cells[row]![column] = result;
      done++;
      options.onProgress?.({ done, total, row, column, result });
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, total)) }, worker));
  } catch (error) {
    controller.abort(error);
    throw error;
  } finally {
    outer?.removeEventListener('abort', onAbort);
  }
  return {
    sources: sources.map(options.sourceLabel),
    targets: targets.map(options.targetLabel),
    cells,
    cancelled: controller.signal.aborted,
    completed: done,
    total,
    concurrency,
    elapsedMs: Math.round(performance.now() - started),
    startedAt,
  };
}

// --- exports ------------------------------------------------------------------------------------

const SHORT: Readonly<Record<ProbeVerdict, string>> = {
  reachable: 'reachable',
  'http-error-status': 'unexpected status',
  refused: 'refused',
  timeout: 'timed out',
  dns: 'name not resolved',
  tls: 'TLS error',
  reset: 'reset',
  'empty-reply': 'empty reply',
  'protocol-error': 'not HTTP',
  unreachable: 'no route',
  'invalid-target': 'invalid target',
  'no-tool': 'no probing tool',
  'exec-failed': 'exec failed',
  cancelled: 'cancelled',
  error: 'error',
};

/** A few words for a verdict (legends, cells). */
export function verdictLabel(verdict: ProbeVerdict): string {
  return SHORT[verdict];
}

/** The time to show for a result: curl's total when there is one, else the exec's wall time. */
export function resultTimeMs(result: ProbeResult): number {
  return result.timings?.totalMs ?? result.elapsedMs;
}

/** What a cell says: verdict, HTTP status, time; e.g. `reachable 200 (12 ms)`, `timed out`. */
export function cellText(result: ProbeResult | null): string {
  if (result === null) {
    return 'not run';
  }
  const time = ` (${Math.round(resultTimeMs(result))} ms)`;
  switch (result.verdict) {
    case 'reachable':
      return `reachable ${result.httpStatus ?? 'tcp'}${time}`;
    case 'http-error-status':
      return `HTTP ${result.httpStatus ?? '?'}, expected ${result.expectedStatus ?? '?'}${time}`;
    default:
      return verdictLabel(result.verdict);
  }
}

function markdownCell(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r?\n/g, ' ');
}

/** The grid as a GitHub-flavoured Markdown table (rows: sources, columns: targets) and a summary line. */
export function toMarkdown(raw: MatrixGrid): string {
  const grid = redactGrid(raw);
  const header = ['source / target', ...grid.targets].map(markdownCell);
  const lines = [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...grid.sources.map(
      (source, row) =>
        `| ${[markdownCell(source), ...grid.targets.map((_, column) => markdownCell(cellText(grid.cells[row]?.[column] ?? null)))].join(' | ')} |`,
    ),
  ];
  const results = grid.cells.flat().filter((cell): cell is ProbeResult => cell !== null);
  const reachable = results.filter((cell) => cell.verdict === 'reachable').length;
  const summary =
    `${reachable} of ${grid.total} reachable; ${grid.completed} of ${grid.total} probed` +
    `${grid.cancelled ? ' (cancelled)' : ''} in ${(grid.elapsedMs / 1000).toFixed(1)} s, ${grid.concurrency} at a time.`;
  return `${lines.join('\n')}\n\n${summary}\n`;
}

/** RFC 4180 field; a leading = + - @ is defused so that spreadsheets do not run cluster data as a formula. */
function csvField(value: string | number | boolean | undefined): string {
  let text = value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) {
    text = `'${text}`;
  }
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export interface CsvOptions {
  /**
   * `long` (default): one line per cell with every field (verdict, status, tool, time, message,
   * command). `grid`: the table as shown, sources down and targets across.
   */
  readonly layout?: 'long' | 'grid';
}

export const CSV_COLUMNS = [
  'source',
  'target',
  'verdict',
  'reachable',
  'http_status',
  'expected_status',
  'tool',
  'time_ms',
  'message',
  'command',
] as const;

export function toCsv(raw: MatrixGrid, options: CsvOptions = {}): string {
  const grid = redactGrid(raw);
  const rows: string[][] = [];
  if (options.layout === 'grid') {
    rows.push(['source', ...grid.targets].map(csvField));
    grid.sources.forEach((source, row) =>
      rows.push(
        [source, ...grid.targets.map((_, column) => cellText(grid.cells[row]?.[column] ?? null))].map(
          csvField,
        ),
      ),
    );
  } else {
    rows.push([...CSV_COLUMNS]);
    grid.sources.forEach((source, row) =>
      grid.targets.forEach((target, column) => {
        const cell = grid.cells[row]?.[column] ?? null;
        rows.push(
          [
            source,
            target,
            cell?.verdict ?? 'not-run',
            cell === null ? undefined : cell.reachable,
            cell?.httpStatus,
            cell?.expectedStatus,
            cell?.tool,
            cell === null ? undefined : Math.round(resultTimeMs(cell)),
            cell?.message,
            cell?.command,
          ].map(csvField),
        );
      }),
    );
  }
  return rows.map((row) => row.join(',')).join('\r\n') + '\r\n';
}
