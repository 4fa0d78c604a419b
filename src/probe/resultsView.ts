/**
 * The "Probe Results" view: every probe of this window, newest first, with its verdict, timings and
 * exact command; Re-run and Copy Command on each.
 */
import * as vscode from 'vscode';
import { redact, redactProbeResult } from './redaction.ts';
import type { ProbeResult, ProbeSource, ProbeTarget } from './types.ts';
import { timingsText, wrapCommand } from './resultText.ts';
import { escapeMarkdown } from '../analysis/markdown.ts';

export interface ProbeRecord {
  readonly id: number;
  readonly source: ProbeSource;
  readonly target: ProbeTarget;
  readonly result: ProbeResult;
}

const HISTORY_LIMIT = 200;

const VERDICT_ICON: Record<string, [string, string]> = {
  reachable: ['pass-filled', 'testing.iconPassed'],
  'http-error-status': ['warning', 'list.warningForeground'],
  refused: ['error', 'list.errorForeground'],
  timeout: ['watch', 'list.errorForeground'],
  dns: ['question', 'list.errorForeground'],
  tls: ['lock', 'list.errorForeground'],
  reset: ['error', 'list.errorForeground'],
  'empty-reply': ['error', 'list.errorForeground'],
  'no-tool': ['tools', 'list.warningForeground'],
  'exec-failed': ['error', 'list.errorForeground'],
  cancelled: ['circle-slash', 'disabledForeground'],
};

export function probeSummary(result: ProbeResult): string {
  const time = result.timings
    ? `${Math.round(result.timings.totalMs)} ms`
    : `${Math.round(result.elapsedMs)} ms exec`;
  const status = result.httpStatus ? `HTTP ${result.httpStatus}` : result.verdict;
  return `${status} · ${time}${result.tool ? ` · ${result.tool}` : ''}`;
}

export function probeTooltip(raw: ProbeResult): vscode.MarkdownString {
  const result = redactProbeResult(raw);
  const markdown = new vscode.MarkdownString();
  markdown.appendMarkdown(`**${result.source.namespace}/${result.source.pod} → ${result.target.label}**\n\n`);
  // Escaped, not appendText: appendText turns every space into &nbsp;, and the line never wraps.
  markdown.appendMarkdown(escapeMarkdown(result.message));
  markdown.appendMarkdown('\n\n');
  if (result.timings) {
    markdown.appendMarkdown(`${timingsText(result.timings)}\n\n`);
  }
  if (result.command) {
    // Wrapped: a tooltip does not scroll sideways.
    markdown.appendCodeblock(wrapCommand(result.command), 'sh');
  }
  for (const note of result.notes) {
    markdown.appendMarkdown(`\n\n_${note.replace(/[_*`]/g, '\\$&')}_`);
  }
  return markdown;
}

export class ProbeResultsProvider implements vscode.TreeDataProvider<ProbeRecord>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ProbeRecord | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly added = new vscode.EventEmitter<ProbeRecord>();
  readonly onDidAdd = this.added.event;
  private readonly records: ProbeRecord[] = [];
  private nextId = 1;

  add(source: ProbeSource, target: ProbeTarget, result: ProbeResult): ProbeRecord {
    const record = { id: this.nextId++, source, target, result };
    this.records.unshift(record);
    this.records.splice(HISTORY_LIMIT);
    this.changed.fire(undefined);
    this.added.fire(record);
    return record;
  }

  clear(): void {
    this.records.length = 0;
    this.changed.fire(undefined);
  }

  getChildren(record?: ProbeRecord): ProbeRecord[] {
    return record ? [] : [...this.records];
  }

  /** Every record is at the top (needed by `reveal`). */
  getParent(): undefined {
    return undefined;
  }

  getTreeItem(record: ProbeRecord): vscode.TreeItem {
    const { result } = record;
    const item = new vscode.TreeItem(
      redact(`${result.source.pod} → ${result.target.label}`),
      vscode.TreeItemCollapsibleState.None,
    );
    item.id = `probe/${record.id}`;
    item.description = redact(probeSummary(result));
    const [icon, color] = VERDICT_ICON[result.verdict] ?? ['circle-outline', 'foreground'];
    item.iconPath = new vscode.ThemeIcon(icon, new vscode.ThemeColor(color));
    item.tooltip = probeTooltip(result);
    item.contextValue = result.command ? 'probeResult.withCommand' : 'probeResult';
    return item;
  }

  dispose(): void {
    this.changed.dispose();
    this.added.dispose();
  }
}
