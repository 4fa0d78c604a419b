/**
 * The connectivity matrix as a webview: rows are sources, columns targets, each cell coloured by
 * verdict (a legend says how) with its timings in a tooltip; keyboard accessible (arrow keys move
 * between cells); a click or Enter on a cell opens the diagnosis of that pair, R re-runs it;
 * themed with VS Code's CSS variables; exportable as Markdown and CSV.
 */
import * as vscode from 'vscode';
import type { MatrixGrid } from './matrix.ts';
import type { ProbeResult } from './types.ts';
import { timingsText } from './resultText.ts';
import { cellText, toCsv, toMarkdown } from './matrix.ts';
import { cspNonce, escapeHtml } from '../ui/html.ts';
import { redactGrid } from './redaction.ts';

const VERDICT_CLASS: Record<string, string> = {
  reachable: 'ok',
  'http-error-status': 'warn',
  'no-tool': 'warn',
  cancelled: 'none',
};

/** The page for a grid: pure, so the e2e suite and tests can render it without VS Code. */
export function matrixHtml(raw: MatrixGrid, nonce: string, cspSource: string): string {
  const grid = redactGrid(raw);
  const header = grid.targets.map((t) => `<th scope="col" class="target">${escapeHtml(t)}</th>`).join('');
  const rows = grid.sources
    .map((source, row) => {
      const cells = grid.targets
        .map((_, column) => {
          const result = grid.cells[row]?.[column] ?? null;
          const cls = result ? (VERDICT_CLASS[result.verdict] ?? 'bad') : 'none';
          const title = result
            ? `${result.message}${result.timings ? ` (${timingsText(result.timings)})` : ''}${result.command ? `\n${result.command}` : ''}`
            : 'not run';
          return `<td class="${cls}" tabindex="-1" data-row="${row}" data-column="${column}" title="${escapeHtml(title)}">${escapeHtml(cellText(result))}</td>`;
        })
        .join('');
      return `<tr><th scope="row">${escapeHtml(source)}</th>${cells}</tr>`;
    })
    .join('');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${cspSource} 'nonce-${nonce}'; script-src 'nonce-${nonce}';">
<style nonce="${nonce}">
  body { color: var(--vscode-foreground); background: var(--vscode-editor-background); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); }
  table { border-collapse: collapse; margin-top: 8px; }
  th, td { border: 1px solid var(--vscode-panel-border); padding: 4px 8px; text-align: left; white-space: nowrap; }
  /* Long Pod names wrap instead of widening every column. */
  th.target { white-space: normal; overflow-wrap: anywhere; max-width: 11em; vertical-align: bottom; }
  td { cursor: pointer; }
  .legend { display: flex; gap: 12px; flex-wrap: wrap; margin-top: 8px; color: var(--vscode-descriptionForeground); }
  .swatch { display: inline-block; width: 0.9em; height: 0.9em; vertical-align: middle; margin-right: 4px; border: 1px solid var(--vscode-panel-border); }
  th { background: var(--vscode-editorWidget-background); font-weight: 600; }
  td.ok, .swatch.ok { background: color-mix(in srgb, var(--vscode-testing-iconPassed) 25%, transparent); }
  td.warn, .swatch.warn { background: color-mix(in srgb, var(--vscode-editorWarning-foreground) 25%, transparent); }
  td.bad, .swatch.bad { background: color-mix(in srgb, var(--vscode-editorError-foreground) 25%, transparent); }
  td.none { color: var(--vscode-disabledForeground); }
  td:focus { outline: 2px solid var(--vscode-focusBorder); outline-offset: -2px; }
  .bar { display: flex; gap: 8px; align-items: center; }
  button { color: var(--vscode-button-foreground); background: var(--vscode-button-background); border: none; padding: 4px 10px; cursor: pointer; }
  button:hover { background: var(--vscode-button-hoverBackground); }
</style></head>
<body>
<div class="bar">
  <strong>${grid.completed}/${grid.total} probes</strong>
  <span>${(grid.elapsedMs / 1000).toFixed(1)} s · concurrency ${grid.concurrency}${grid.cancelled ? ' · cancelled' : ''}</span>
  <button id="markdown">Export Markdown</button><button id="csv">Export CSV</button>
</div>
<div class="legend" aria-label="Legend">
  <span><span class="swatch ok"></span>reachable</span>
  <span><span class="swatch warn"></span>unexpected HTTP status or no probing tool</span>
  <span><span class="swatch bad"></span>not reachable (refused, timed out, name not resolved…)</span>
  <span><span class="swatch none"></span>not run</span>
  <span>Click or Enter on a cell: why (its diagnosis) · R: run it again</span>
</div>
<table role="grid" aria-label="Connectivity matrix: rows are sources, columns are targets">
<thead><tr><th scope="col">source \\ target</th>${header}</tr></thead>
<tbody>${rows}</tbody></table>
<script nonce="${nonce}">
  const vscode = acquireVsCodeApi();
  document.getElementById('markdown').addEventListener('click', () => vscode.postMessage({ type: 'export', format: 'markdown' }));
  document.getElementById('csv').addEventListener('click', () => vscode.postMessage({ type: 'export', format: 'csv' }));
  const cells = [...document.querySelectorAll('td[data-row]')];
  if (cells[0]) { cells[0].tabIndex = 0; }
  const at = (r, c) => document.querySelector('td[data-row="' + r + '"][data-column="' + c + '"]');
  document.addEventListener('keydown', (event) => {
    const cell = document.activeElement;
    if (!cell || !cell.dataset || cell.dataset.row === undefined) { return; }
    const r = Number(cell.dataset.row), c = Number(cell.dataset.column);
    const next = { ArrowUp: at(r - 1, c), ArrowDown: at(r + 1, c), ArrowLeft: at(r, c - 1), ArrowRight: at(r, c + 1) }[event.key];
    if (next) { cell.tabIndex = -1; next.tabIndex = 0; next.focus(); event.preventDefault(); }
    if (event.key === 'Enter') { vscode.postMessage({ type: 'diagnose', row: r, column: c }); event.preventDefault(); }
    if (event.key === 'r' || event.key === 'R') { vscode.postMessage({ type: 'rerun', row: r, column: c }); event.preventDefault(); }
  });
  for (const cell of cells) {
    cell.addEventListener('click', () => vscode.postMessage({ type: 'diagnose', row: Number(cell.dataset.row), column: Number(cell.dataset.column) }));
  }
</script>
</body></html>`;
}

/** What a cell can do: open the diagnosis of its pair, probe it again. */
export interface MatrixCellActions {
  diagnose(row: number, column: number, result: ProbeResult | null): PromiseLike<unknown>;
  rerun(row: number, column: number): Promise<ProbeResult>;
}

export function showMatrix(first: MatrixGrid, actions?: MatrixCellActions): vscode.WebviewPanel {
  let grid = first;
  const panel = vscode.window.createWebviewPanel(
    'kubereach.matrix',
    'Connectivity Matrix',
    vscode.ViewColumn.Active,
    {
      enableScripts: true,
      localResourceRoots: [],
    },
  );
  const nonce = cspNonce();
  panel.webview.html = matrixHtml(grid, nonce, panel.webview.cspSource);
  panel.webview.onDidReceiveMessage(
    async (message: { type?: string; format?: string; row?: unknown; column?: unknown }) => {
      const row = Number(message.row);
      const column = Number(message.column);
      const inGrid =
        Number.isInteger(row) && Number.isInteger(column) && grid.cells[row]?.[column] !== undefined;
      if (message.type === 'diagnose' && actions && inGrid) {
        await actions.diagnose(row, column, grid.cells[row]![column]!);
        return;
      }
      if (message.type === 'rerun' && actions && inGrid) {
        const result = await actions.rerun(row, column);
        grid = withCell(grid, row, column, result);
        panel.webview.html = matrixHtml(grid, nonce, panel.webview.cspSource);
        return;
      }
      if (message.type !== 'export') {
        return;
      }
      const markdown = message.format === 'markdown';
      const document = await vscode.workspace.openTextDocument({
        content: markdown ? toMarkdown(grid) : toCsv(grid),
        language: markdown ? 'markdown' : 'csv',
      });
      await vscode.window.showTextDocument(document, { preview: false });
    },
  );
  return panel;
}

/** The grid with one cell replaced (a cell run again). */
export function withCell(grid: MatrixGrid, row: number, column: number, result: ProbeResult): MatrixGrid {
  const wasRun = grid.cells[row]?.[column] !== null;
  return {
    ...grid,
    cells: grid.cells.map((cells, r) =>
      r === row ? cells.map((cell, c) => (c === column ? result : cell)) : cells,
    ),
    completed: grid.completed + (wasRun ? 0 : 1),
  };
}
