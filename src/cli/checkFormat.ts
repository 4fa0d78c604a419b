/**
 * `kubereach check`'s text and JSON outputs. Text is grouped by file, one line per diagnostic with
 * its 1-based line and column (as editors and `file:line:col` matchers read them), the severity,
 * the message and the code, then a summary line; JSON carries the same with LSP's 0-based range.
 */
import type { ManifestDiagnostic } from '../analysis/manifests/analyze.ts';
import type { Severity } from '../analysis/manifests/codes.ts';
import { countsOf } from './check.ts';
import type { CheckReport } from './check.ts';
import type { Colors } from './terminal.ts';

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function severityText(severity: Severity, colors: Colors): string {
  const padded = severity.padEnd(12);
  switch (severity) {
    case 'error':
      return colors.red(padded);
    case 'warning':
      return colors.yellow(padded);
    default:
      return colors.blue(padded);
  }
}

export function toText(report: CheckReport, colors: Colors): string {
  const lines: string[] = [];
  for (const file of report.files) {
    if (file.diagnostics.length === 0) {
      continue;
    }
    lines.push(colors.underline(file.displayPath));
    const positions = file.diagnostics.map(
      (diagnostic) => `${diagnostic.range.start.line + 1}:${diagnostic.range.start.character + 1}`,
    );
    const width = Math.max(...positions.map((position) => position.length));
    file.diagnostics.forEach((diagnostic, i) => {
      lines.push(
        `  ${colors.dim(positions[i]!.padEnd(width))}  ${severityText(diagnostic.severity, colors)}${oneLine(diagnostic.message)}  ${colors.dim(diagnostic.code)}`,
      );
    });
    lines.push('');
  }
  const counts = countsOf(report);
  const problems = counts.error + counts.warning + counts.information + counts.hint;
  if (problems === 0) {
    lines.push(colors.green(`✔ No problems in ${plural(counts.files, 'manifest file')}.`));
  } else {
    const parts = [plural(counts.error, 'error'), plural(counts.warning, 'warning')];
    parts.push(`${counts.information} information`);
    if (counts.hint > 0) {
      parts.push(plural(counts.hint, 'hint'));
    }
    const summary = `✖ ${plural(problems, 'problem')} (${parts.join(', ')}) in ${plural(counts.filesWithProblems, 'file')} of ${counts.files} checked.`;
    lines.push(counts.error > 0 ? colors.red(colors.bold(summary)) : colors.bold(summary));
  }
  return lines.join('\n') + '\n';
}

/** Messages are sentences; a line break in one would break the `file:line:col` layout. */
function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ');
}

export interface JsonDiagnostic {
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  /** 1-based, as shown in the text output. */
  readonly line: number;
  readonly column: number;
  /** 0-based, as LSP's. */
  readonly range: ManifestDiagnostic['range'];
  readonly object?: ManifestDiagnostic['object'];
}

export interface JsonReport {
  readonly version: string;
  readonly files: readonly {
    readonly path: string;
    readonly diagnostics: readonly JsonDiagnostic[];
  }[];
  readonly summary: ReturnType<typeof countsOf>;
}

export function toJson(report: CheckReport, version: string): JsonReport {
  return {
    version,
    files: report.files.map((file) => ({
      path: file.displayPath,
      diagnostics: file.diagnostics.map((diagnostic) => ({
        code: diagnostic.code,
        severity: diagnostic.severity,
        message: diagnostic.message,
        line: diagnostic.range.start.line + 1,
        column: diagnostic.range.start.character + 1,
        range: diagnostic.range,
        ...(diagnostic.object ? { object: diagnostic.object } : {}),
      })),
    })),
    summary: countsOf(report),
  };
}
