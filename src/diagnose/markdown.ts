/**
 * A diagnosis report as Markdown, for "Export as Markdown" (an issue, a chat, a runbook): the
 * conclusion and fix first, a table of the hops, each hop's evidence, the probes with their
 * copyable commands, and the timings. Pure. Cluster data and tool output are escaped or fenced.
 */
import type { Hop, HopStatus } from '../analysis/diagnosis/index.ts';
import { redactStrings } from '../logging/redact.ts';
import type { DiagnosisReport } from './types.ts';

const MARK: Readonly<Record<HopStatus, string>> = {
  passed: '✅ passed',
  failed: '❌ failed',
  unknown: '❔ unknown',
  skipped: '➖ skipped',
};

/** Escapes what Markdown would act on in inline text. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>|#~]/g, (char) => `\\${char}`).replace(/\r?\n/g, ' ');
}

/** Prose with `code spans` kept as code spans and the rest escaped. */
function prose(text: string): string {
  return text
    .split(/(`[^`\n]+`)/)
    .map((part, index) => (index % 2 === 1 ? part : escapeMarkdown(part)))
    .join('');
}

/** A fenced block that no backtick run in `text` can close. */
function fenced(text: string, language = ''): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${language}\n${text}\n${fence}`;
}

/** A fix: prose, then any YAML lines it carries (they start with "- " or two spaces) as a block. */
function fixMarkdown(fix: string): string {
  const lines = fix.split('\n');
  const text: string[] = [];
  const yaml: string[] = [];
  const after: string[] = [];
  for (const line of lines) {
    if (/^(- |  )/.test(line) && after.length === 0) {
      yaml.push(line);
    } else if (yaml.length > 0) {
      after.push(line);
    } else {
      text.push(line);
    }
  }
  const parts = [prose(text.join(' '))];
  if (yaml.length > 0) {
    parts.push(fenced(yaml.join('\n'), 'yaml'));
  }
  if (after.length > 0) {
    parts.push(prose(after.join(' ')));
  }
  return parts.join('\n\n');
}

function hopSection(hop: Hop<string>, index: number): string {
  const parts = [
    `### ${index + 1}. ${escapeMarkdown(hop.title)}: ${MARK[hop.status]}`,
    '',
    escapeMarkdown(hop.summary),
  ];
  if (hop.evidence.length > 0) {
    parts.push('', ...hop.evidence.map((line) => `- ${escapeMarkdown(line)}`));
  }
  if (hop.fix !== undefined) {
    parts.push('', `**Fix:** ${fixMarkdown(hop.fix)}`);
  }
  if (hop.manifest !== undefined && (hop.status === 'failed' || hop.status === 'unknown')) {
    parts.push(
      '',
      `**Object to change:** ${escapeMarkdown(`${hop.manifest.kind} ${hop.manifest.namespace}/${hop.manifest.name}`)}`,
    );
  }
  return parts.join('\n');
}

/** What the head of either export reads: a report's context, conclusion and hops. */
export interface ReportHead {
  readonly context?: string;
  readonly startedAt: string;
  readonly cancelled: boolean;
  readonly conclusion: {
    readonly sentence: string;
    readonly fix?: string;
    readonly manifest?: { readonly kind: string; readonly namespace: string; readonly name: string };
  };
  readonly hops: readonly Hop<string>[];
}

/**
 * The title, the context line, the conclusion with its fix and object, the table of hops and each
 * hop's section: what the Pod-to-Service and the external-access exports share.
 */
export function reportHeadMarkdown(title: string, report: ReportHead): string[] {
  const lines: string[] = [
    `# ${title}`,
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
  return lines;
}

export function toMarkdown(raw: DiagnosisReport): string {
  // An export is pasted into issues and chats: no credential a probe or an error echoed.
  const report = redactStrings(raw);
  const source = `${report.source.namespace}/${report.source.name}`;
  const lines = reportHeadMarkdown(
    `Connectivity diagnosis: ${escapeMarkdown(source)} → ${escapeMarkdown(report.targetLabel)}`,
    report,
  );
  if (report.probes.length > 0) {
    lines.push(
      '',
      '## Probes',
      '',
      '| Probe | Verdict | Time | Message |',
      '|-------|---------|------|---------|',
    );
    for (const probe of report.probes) {
      const who = probe.role === 'pod' ? `Pod ${probe.pod?.name ?? ''} at ${probe.label}` : probe.label;
      const status = probe.result.httpStatus === undefined ? '' : ` ${probe.result.httpStatus}`;
      lines.push(
        `| ${escapeMarkdown(who)} | ${probe.result.verdict}${status} | ${probe.result.elapsedMs} ms | ${escapeMarkdown(probe.result.message)} |`,
      );
    }
    const commands = report.probes.filter((probe) => probe.result.command !== undefined);
    if (commands.length > 0) {
      lines.push(
        '',
        'Commands, to run them again:',
        '',
        fenced(commands.map((probe) => probe.result.command!).join('\n'), 'sh'),
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
