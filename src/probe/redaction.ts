/**
 * Probe results as the user may see them: every text a result carries (the target's label and URL,
 * the message, the command, the raw output, the notes) passes through `redact`, so that a URL typed
 * with credentials (`http://user:pass@host`) or an error echoing an authorization reaches no view,
 * notification, webview or export. The engine redacts each result it makes; the UI redacts again
 * what it shows (idempotent), so that a result from elsewhere is covered too. Pure.
 */
import { redact } from '../logging/redact.ts';
import type { MatrixGrid } from './matrix.ts';
import type { ProbeResult } from './types.ts';

export { redact };

export function redactProbeResult(result: ProbeResult): ProbeResult {
  return {
    ...result,
    target: {
      ...result.target,
      label: redact(result.target.label),
      host: redact(result.target.host),
      ...(result.target.url !== undefined ? { url: redact(result.target.url) } : {}),
    },
    message: redact(result.message),
    ...(result.argv !== undefined ? { argv: result.argv.map(redact) } : {}),
    ...(result.stdin !== undefined ? { stdin: redact(result.stdin) } : {}),
    ...(result.command !== undefined ? { command: redact(result.command) } : {}),
    stdout: redact(result.stdout),
    stderr: redact(result.stderr),
    notes: result.notes.map(redact),
    ...(result.suggestion !== undefined
      ? { suggestion: { ...result.suggestion, message: redact(result.suggestion.message) } }
      : {}),
  };
}

export function redactGrid(grid: MatrixGrid): MatrixGrid {
  return {
    ...grid,
    sources: grid.sources.map(redact),
    targets: grid.targets.map(redact),
    cells: grid.cells.map((row) => row.map((cell) => (cell === null ? null : redactProbeResult(cell)))),
  };
}
