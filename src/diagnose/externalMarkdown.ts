/**
 * An external-access report as Markdown, for "Export Markdown": the conclusion and fix first, a
 * table of the hops, each hop's evidence (the sections of the Pod-to-Service export, markdown.ts),
 * and the probes, each beside what the static hops on its path expect. Pure.
 */
import { redactStrings } from '../logging/redact.ts';
import type { ExternalReport } from './externalDiagnoser.ts';
import { escapeMarkdown, reportHeadMarkdown } from './markdown.ts';

export function externalToMarkdown(raw: ExternalReport): string {
  const report = redactStrings(raw);
  const lines = reportHeadMarkdown(`External access diagnosis: ${escapeMarkdown(report.label)}`, report);
  if (report.probes.length > 0) {
    lines.push(
      '',
      '## Probes',
      '',
      '| Probe | Answered | Static answer | Message |',
      '|-------|----------|---------------|---------|',
    );
    for (const probe of report.probes) {
      const answered = probe.reached
        ? `yes${probe.httpStatus === undefined ? '' : ` (${probe.httpStatus})`}`
        : 'no';
      lines.push(
        `| ${escapeMarkdown(probe.label)} | ${answered} | ${escapeMarkdown(probe.staticAnswer ?? '')} | ${escapeMarkdown(probe.message)} |`,
      );
    }
  }
  lines.push(
    '',
    `Static part ${report.timings.staticMs} ms, probes ${report.timings.probeMs} ms, total ${report.timings.totalMs} ms.`,
    '',
  );
  return lines.join('\n');
}
