/**
 * A fix in the diagnosis report: its sentences as text, and the YAML it suggests (a NetworkPolicy
 * rule) as a monospace block with a Copy button. Pure: rendered and checked without VS Code.
 */
import { escapeHtml } from '../ui/html.ts';

export type FixPart =
  { readonly kind: 'text'; readonly text: string } | { readonly kind: 'yaml'; readonly text: string };

/** A YAML line of a suggestion: a list item (`- from: …`) or an indented continuation. */
const YAML_LINE = /^(- |\s{2,}\S)/;

/** Splits a fix into runs of sentences and of YAML lines, in order. */
export function fixParts(fix: string): FixPart[] {
  const parts: Array<{ kind: 'text' | 'yaml'; lines: string[] }> = [];
  for (const line of fix.split('\n')) {
    const kind = YAML_LINE.test(line) ? 'yaml' : 'text';
    const last = parts.at(-1);
    if (last?.kind === kind) {
      last.lines.push(line);
    } else {
      parts.push({ kind, lines: [line] });
    }
  }
  return parts.map((part) => ({ kind: part.kind, text: part.lines.join('\n') }));
}

/** The fix as HTML: sentences in `<p>`, YAML in `<pre>` with a Copy button (`data-copy`). */
export function fixHtml(fix: string, label = 'Fix:'): string {
  return fixParts(fix)
    .map((part, index) =>
      part.kind === 'text'
        ? `<p class="fix">${index === 0 ? `<strong>${escapeHtml(label)}</strong> ` : ''}${escapeHtml(part.text)}</p>`
        : `<div class="yaml"><pre><code>${escapeHtml(part.text)}</code></pre><button class="copy" data-copy title="Copy the YAML">Copy</button></div>`,
    )
    .join('');
}
