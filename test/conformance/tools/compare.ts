/**
 * How a row's two runs are compared: the exit code exactly; stdout exactly where it is deterministic
 * (curl's timing values by presence); stderr by message class, that is each message line with what the
 * machine decides masked (numbers, durations, speeds, dates, versions) and progress output left out; the
 * prober's verdict exactly. And the table of documented differences in docs/sandbox-tools.md, parsed.
 */
import { readFileSync } from 'node:fs';
import type { Outcome } from './sides.ts';

export type Aspect = 'exit' | 'stdout' | 'stderr' | 'verdict';
export const ASPECTS: readonly Aspect[] = ['exit', 'stdout', 'stderr', 'verdict'];

/** curl's `-w` timing values (seconds with six decimals) compare by presence. */
export function stdoutClass(text: string): string {
  return text.replace(/\b\d+\.\d{6}\b/g, '<time>');
}

/** The message lines of a tool's stderr, each reduced to its class. */
export function stderrClass(text: string): string[] {
  return (
    text
      // curl's progress meter redraws with \r: only its last state is a line.
      .split('\n')
      .map((line) => line.slice(line.lastIndexOf('\r') + 1))
      // GNU wget's dot progress ("     0K .......... 17%  261M 0s") and busybox's meter ("-  8% |**  |  8
      // 0:00:11 ETA"), which busybox draws only when the clock's second has turned: both are progress.
      .filter((line) => !/^\s*\d+K[ .]/.test(line) && !/ (ETA|- stalled -)$/.test(line))
      .map((line) =>
        line
          .replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/g, '<date>')
          .replace(/\b(BusyBox|OpenSSL\/?|curl) v?\d+(\.\d+)+[^\s)]*( \([^)]*\))?/g, '$1 <version>')
          // A transfer rate's unit follows the machine's speed.
          .replace(/\d+(\.\d+)? [KMG]?B\/s/g, '<rate>')
          .replace(/\d+(\.\d+)?[KMG]?(B\/s|=[\d.]+m?s)?/g, 'N')
          .replace(/\s+/g, ' ')
          .trim(),
      )
      .filter((line) => line !== '')
  );
}

export interface Compared {
  readonly aspects: ReadonlySet<Aspect>;
  readonly details: readonly string[];
}

export function compare(
  real: Outcome,
  emulated: Outcome,
  options: { stdout: 'exact' | 'ignore'; verdicts?: { real: string; emulated: string } },
): Compared {
  const aspects = new Set<Aspect>();
  const details: string[] = [];
  if (real.code !== emulated.code) {
    aspects.add('exit');
    details.push(`exit: real ${real.code}, sandbox ${emulated.code}`);
  }
  if (options.stdout === 'exact' && stdoutClass(real.stdout) !== stdoutClass(emulated.stdout)) {
    aspects.add('stdout');
    details.push(
      `stdout: real ${JSON.stringify(real.stdout.slice(0, 300))}, sandbox ${JSON.stringify(emulated.stdout.slice(0, 300))}`,
    );
  }
  const realErr = stderrClass(real.stderr);
  const emulatedErr = stderrClass(emulated.stderr);
  if (realErr.join('\n') !== emulatedErr.join('\n')) {
    aspects.add('stderr');
    const at = realErr.findIndex((line, i) => line !== emulatedErr[i]);
    const i = at < 0 ? realErr.length : at;
    details.push(
      `stderr: line ${i + 1} real ${JSON.stringify(realErr[i] ?? '(none)')}, sandbox ${JSON.stringify(emulatedErr[i] ?? '(none)')}`,
    );
  }
  if (options.verdicts !== undefined && options.verdicts.real !== options.verdicts.emulated) {
    aspects.add('verdict');
    details.push(`verdict: real ${options.verdicts.real}, sandbox ${options.verdicts.emulated}`);
  }
  return { aspects, details };
}

/** One line of the table in docs/sandbox-tools.md. */
export interface DocumentedDifference {
  /** The rows it covers: a row id, `*` standing for any text. */
  readonly rows: string;
  readonly aspects: ReadonlySet<Aspect>;
  readonly why: string;
  matches(rowId: string): boolean;
}

export const DIFFERENCES_HEADING = "## Where the sandbox's tools differ from the real ones";

/**
 * The table under `DIFFERENCES_HEADING`: `| Rows | Differs in | Why |`, the rows pattern in backticks,
 * the aspects comma-separated.
 */
export function documentedDifferences(markdown: string): DocumentedDifference[] {
  const start = markdown.indexOf(DIFFERENCES_HEADING);
  if (start < 0) {
    throw new Error(`docs/sandbox-tools.md has no "${DIFFERENCES_HEADING}" section`);
  }
  const section = markdown.slice(start + DIFFERENCES_HEADING.length).split(/\n## /)[0]!;
  const lines = section.split('\n').filter((line) => line.startsWith('|'));
  const [header, , ...body] = lines;
  if (header === undefined || !/^\|\s*Rows\s*\|\s*Differs in\s*\|\s*Why\s*\|$/.test(header)) {
    throw new Error(`the differences table's header is not "| Rows | Differs in | Why |": ${header}`);
  }
  return body.map((line) => {
    const cells = line
      .slice(1, -1)
      .split(/(?<!\\)\|/)
      .map((cell) => cell.trim().replace(/\\\|/g, '|'));
    const [rowsCell, aspectsCell, why] = cells;
    const rows = /^`(.+)`$/.exec(rowsCell ?? '')?.[1];
    if (rows === undefined || why === undefined || why === '') {
      throw new Error(`a differences row needs a \`rows\` pattern and a reason: ${line}`);
    }
    const aspects = new Set(
      (aspectsCell ?? '').split(',').map((aspect) => {
        const trimmed = aspect.trim() as Aspect;
        if (!ASPECTS.includes(trimmed)) {
          throw new Error(`unknown aspect "${trimmed}" in: ${line}`);
        }
        return trimmed;
      }),
    );
    const pattern = new RegExp(
      `^${rows
        .split('*')
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
    );
    return { rows, aspects, why, matches: (rowId: string) => pattern.test(rowId) };
  });
}

export function readDocumentedDifferences(path: string): DocumentedDifference[] {
  return documentedDifferences(readFileSync(path, 'utf8'));
}
