/**
 * The diagnosis report as a webview: the hops as a chain coloured by status, evidence folded under
 * each (native <details>, so keyboard accessible), the conclusion with its fix and a link to the
 * workspace manifest that defines the object to change; theme-aware; exportable as Markdown.
 */
import * as vscode from 'vscode';
import { toMarkdown } from './markdown.ts';
import { externalToMarkdown } from './externalMarkdown.ts';
import type { ExternalReport } from './externalDiagnoser.ts';
import type { DiagnosisReport, ManifestReference } from './types.ts';
import { redact, redactStrings } from '../logging/redact.ts';
import { cspNonce, escapeHtml } from '../ui/html.ts';
import { fixHtml } from './fixHtml.ts';
import type { definitionLine } from '../analysis/manifests/definition.ts';

/** `definitionLine`, handed in from the cluster layer: it parses YAML, which activation does not load. */
export type DefinitionFinder = typeof definitionLine;

const STATUS_MARK: Record<string, string> = { passed: '✔', failed: '✘', unknown: '?', skipped: '–' };

/** A Pod-to-Service diagnosis, or an external-access one ("Diagnose External Access"). */
export type AnyReport = DiagnosisReport | ExternalReport;

function isExternal(report: AnyReport): report is ExternalReport {
  return 'request' in report;
}

/** The heading: source → target, or the request entering the cluster. */
function headingOf(report: AnyReport): string {
  return isExternal(report)
    ? `Outside the cluster → ${report.label}`
    : `${report.source.namespace}/${report.source.name} → ${report.targetLabel}`;
}

/** The page for a report: pure, so it can be rendered and checked without VS Code. */
export function reportHtml(raw: AnyReport, nonce: string, cspSource: string): string {
  // Probe messages, commands and errors are shown: nothing of a credential may be among them.
  const report = redactStrings(raw);
  const hops = report.hops
    .map((hop, index) => {
      const open = hop.status === 'failed' ? ' open' : '';
      const evidence =
        hop.evidence.length > 0
          ? `<ul>${hop.evidence.map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul>`
          : '';
      // The conclusion states the fix of the failed hop: printed once, there.
      const fix = hop.fix && hop.fix !== report.conclusion.fix ? fixHtml(hop.fix) : '';
      const manifest = hop.manifest ? manifestLink(hop.manifest) : '';
      return `<li class="hop ${hop.status}"><details${open}><summary><span class="mark" aria-label="${hop.status}">${STATUS_MARK[hop.status] ?? ''}</span> <strong>${index + 1}. ${escapeHtml(hop.title)}</strong> — ${escapeHtml(hop.summary)}</summary>${evidence}${fix}${manifest}</details></li>`;
    })
    .join('');
  const conclusion = report.conclusion;
  const failed = conclusion.failedHop !== undefined;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${cspSource} 'nonce-${nonce}'; script-src 'nonce-${nonce}';">
<style nonce="${nonce}">
  body { color: var(--vscode-foreground); background: var(--vscode-editor-background); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); padding: 0 16px; }
  .conclusion { border-left: 4px solid var(--vscode-testing-iconPassed); padding: 8px 12px; background: var(--vscode-editorWidget-background); }
  .conclusion.failed { border-left-color: var(--vscode-editorError-foreground); }
  ol.chain { list-style: none; padding: 0; }
  li.hop { border-left: 3px solid var(--vscode-panel-border); margin: 0 0 6px 8px; padding: 4px 10px; }
  li.hop.passed { border-left-color: var(--vscode-testing-iconPassed); }
  li.hop.failed { border-left-color: var(--vscode-editorError-foreground); }
  li.hop.unknown { border-left-color: var(--vscode-editorWarning-foreground); }
  li.hop.skipped { color: var(--vscode-disabledForeground); }
  .mark { display: inline-block; width: 1.2em; }
  summary { cursor: pointer; }
  summary:focus-visible, button:focus-visible, a:focus-visible { outline: 1px solid var(--vscode-focusBorder); }
  .fix, .conclusion p { margin: 4px 0; white-space: pre-wrap; }
  button { color: var(--vscode-button-foreground); background: var(--vscode-button-background); border: none; padding: 4px 10px; cursor: pointer; }
  a { color: var(--vscode-textLink-foreground); cursor: pointer; }
  .meta { color: var(--vscode-descriptionForeground); }
  .yaml { display: flex; gap: 6px; align-items: flex-start; margin: 4px 0; }
  .yaml pre { font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size); background: var(--vscode-textCodeBlock-background); padding: 6px 8px; margin: 0; overflow-x: auto; }
  .yaml pre { flex: 1; }
</style></head>
<body>
<h2>${escapeHtml(headingOf(report))}</h2>
<p class="meta">${report.context ? `Context ${escapeHtml(report.context)} · ` : ''}${report.timings.totalMs.toFixed(0)} ms (static ${report.timings.staticMs.toFixed(1)} ms, probes ${report.timings.probeMs.toFixed(0)} ms)${report.cancelled ? ' · cancelled' : ''} · <button id="export">Export Markdown</button></p>
<div class="conclusion${failed ? ' failed' : ''}" role="status"><strong>${escapeHtml(conclusion.sentence)}</strong>${conclusion.fix ? fixHtml(conclusion.fix) : ''}${conclusion.manifest ? manifestLink(conclusion.manifest) : ''}</div>
<ol class="chain">${hops}</ol>
<script nonce="${nonce}">
  const vscode = acquireVsCodeApi();
  document.getElementById('export').addEventListener('click', () => vscode.postMessage({ type: 'export' }));
  for (const button of document.querySelectorAll('button[data-copy]')) {
    button.addEventListener('click', () => {
      vscode.postMessage({ type: 'copy', text: button.previousElementSibling.textContent });
      button.textContent = 'Copied';
    });
  }
  for (const link of document.querySelectorAll('a[data-kind]')) {
    const open = () => vscode.postMessage({ type: 'openManifest', kind: link.dataset.kind, namespace: link.dataset.namespace, name: link.dataset.name });
    link.addEventListener('click', open);
    link.addEventListener('keydown', (event) => { if (event.key === 'Enter') { open(); } });
  }
</script>
</body></html>`;
}

function manifestLink(manifest: ManifestReference): string {
  return `<p><a tabindex="0" data-kind="${escapeHtml(manifest.kind)}" data-namespace="${escapeHtml(manifest.namespace)}" data-name="${escapeHtml(manifest.name)}">Open the ${escapeHtml(manifest.kind)} ${escapeHtml(manifest.namespace)}/${escapeHtml(manifest.name)} manifest in the workspace</a></p>`;
}

/** The workspace YAML file that defines an object, and the line of its `kind:`. */
async function findManifest(
  reference: ManifestReference,
  definitionLine: DefinitionFinder,
): Promise<{ uri: vscode.Uri; line: number } | undefined> {
  const files = await vscode.workspace.findFiles('**/*.{yaml,yml}', '**/node_modules/**', 500);
  for (const uri of files) {
    const line = definitionLine(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)), reference);
    if (line !== undefined) {
      return { uri, line };
    }
  }
  return undefined;
}

/** The open report panels by title: the same pair diagnosed again reveals its panel, with the new report. */
const openPanels = new Map<string, { panel: vscode.WebviewPanel; report: AnyReport }>();

export function showReport(report: AnyReport, definitionLine: DefinitionFinder): vscode.WebviewPanel {
  const title = redact(
    isExternal(report)
      ? `Diagnosis: outside → ${report.label}`
      : `Diagnosis: ${report.source.namespace}/${report.source.name} → ${report.targetLabel}`,
  );
  const open = openPanels.get(title);
  if (open) {
    open.report = report;
    open.panel.webview.html = reportHtml(report, cspNonce(), open.panel.webview.cspSource);
    open.panel.reveal();
    return open.panel;
  }
  const panel = vscode.window.createWebviewPanel('kubereach.diagnosis', title, vscode.ViewColumn.Active, {
    enableScripts: true,
    localResourceRoots: [],
  });
  const entry = { panel, report };
  openPanels.set(title, entry);
  panel.onDidDispose(() => openPanels.delete(title));
  panel.webview.html = reportHtml(report, cspNonce(), panel.webview.cspSource);
  panel.webview.onDidReceiveMessage(
    async (message: { type?: string; text?: unknown } & Partial<ManifestReference>) => {
      const report = entry.report;
      if (message.type === 'copy' && typeof message.text === 'string') {
        await vscode.env.clipboard.writeText(message.text);
        vscode.window.setStatusBarMessage('Copied the YAML of the fix', 3000);
      } else if (message.type === 'export') {
        const document = await vscode.workspace.openTextDocument({
          content: isExternal(report) ? externalToMarkdown(report) : toMarkdown(report),
          language: 'markdown',
        });
        await vscode.window.showTextDocument(document, { preview: false });
      } else if (message.type === 'openManifest' && message.kind && message.name) {
        const found = await findManifest(
          { kind: message.kind, namespace: message.namespace ?? 'default', name: message.name },
          definitionLine,
        );
        if (!found) {
          void vscode.window.showInformationMessage(
            `No manifest of ${message.kind} ${message.namespace}/${message.name} in this workspace.`,
          );
          return;
        }
        const editor = await vscode.window.showTextDocument(found.uri, {
          preview: false,
          viewColumn: vscode.ViewColumn.Beside,
        });
        const position = new vscode.Position(found.line, 0);
        editor.selection = new vscode.Selection(position, position);
        editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenter);
      }
    },
  );
  return panel;
}
