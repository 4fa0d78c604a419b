/**
 * An external-access report as Markdown, for "Export Markdown": the conclusion and fix first, a
 * table of the hops, each hop's evidence (the sections of the Pod-to-Service export, markdown.ts),
 * and the probes. Pure.
 */
import { redactStrings } from '../logging/redact.ts';
import type { ExternalReport } from './externalDiagnoser.ts';
import { escapeMarkdown, fixMarkdown, hopSection, MARK } from './markdown.ts';

export function externalToMarkdown(raw: ExternalReport): string {
  const report = redactStrings(raw);
  const lines: string[] = [
    `# External access diagnosis: ${escapeMarkdown(report.label)}`,
    '',
    `${report.context === undefined ? '' : `Context ${escapeMarkdown(report.context)}, `}${report.startedAt}${report.cancelled ? ' (cancelled)' : ''}.`,
    '',
    `**Conclusion:** ${escapeMarkdown(report.conclusion.sentence)}`,
  ];
  if (report.conclusion.fix !== undefined) {
    lines.push('', `**Fix:** ${fixMarkdown(report.conclusion.fix)}`);
  }
  if (report.conclusion.manifest !== undefined) {
    const { kind, namespace, name } = report.conclusion.manifest;
    lines.push('', `**Object to change:** ${escapeMarkdown(`${kind} ${namespace}/${name}`)}`);
  }
  lines.push('', '| # | Hop | Status | Summary |', '|---|-----|--------|---------|');
  report.hops.forEach((hop, index) => {
    lines.push(
      `| ${index + 1} | ${escapeMarkdown(hop.title)} | ${MARK[hop.status]} | ${escapeMarkdown(hop.summary)} |`,
    );
  });
  lines.push('', '## Hops');
  report.hops.forEach((hop, index) => {
    lines.push('', hopSection(hop, index));
  });
  if (report.probes.length > 0) {
    lines.push('', '## Probes', '', '| Probe | Answered | Message |', '|-------|----------|---------|');
    for (const probe of report.probes) {
      const answered = probe.reached
        ? `yes${probe.httpStatus === undefined ? '' : ` (${probe.httpStatus})`}`
        : 'no';
      lines.push(`| ${escapeMarkdown(probe.label)} | ${answered} | ${escapeMarkdown(probe.message)} |`);
    }
  }
  lines.push(
    '',
    `Static part ${report.timings.staticMs} ms, probes ${report.timings.probeMs} ms, total ${report.timings.totalMs} ms.`,
    '',
  );
  return lines.join('\n');
}
