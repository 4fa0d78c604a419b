/**
 * A hop-by-hop report as terminal text, for the Pod-to-Service and the outside-in diagnosis alike:
 * every hop with its mark, summary and evidence, a failed hop's fix, then the conclusion. And when
 * such a report says the path works (the exit status).
 */
import type { Colors } from './terminal.ts';

const MARKS: Readonly<Record<string, string>> = { passed: '✔', failed: '✖', unknown: '?', skipped: '–' };

interface TextHop {
  readonly id: string;
  readonly title: string;
  readonly status: string;
  readonly summary: string;
  readonly evidence: readonly string[];
  readonly fix?: string;
}

interface TextConclusion {
  readonly failedHop?: string;
  readonly sentence: string;
  readonly fix?: string;
}

export function hopsText(
  heading: string,
  context: string | undefined,
  hops: readonly TextHop[],
  conclusion: TextConclusion,
  colors: Colors,
): string {
  const paint = (status: string, text: string) =>
    status === 'passed'
      ? colors.green(text)
      : status === 'failed'
        ? colors.red(text)
        : status === 'unknown'
          ? colors.yellow(text)
          : colors.dim(text);
  const lines = [
    colors.bold(heading) + (context === undefined ? '' : colors.dim(`  (context ${context})`)),
    '',
  ];
  const width = Math.max(...hops.map((hop) => hop.title.length));
  for (const hop of hops) {
    lines.push(
      `${paint(hop.status, `${MARKS[hop.status] ?? '?'} ${hop.title.padEnd(width)}`)}  ${hop.summary}`,
    );
    for (const line of hop.evidence) {
      lines.push(`    ${colors.dim(line)}`);
    }
    if (hop.fix !== undefined && hop.status === 'failed') {
      lines.push(`    Fix: ${hop.fix.split('\n').join('\n         ')}`);
    }
  }
  lines.push('', `${conclusion.failedHop === undefined ? '' : '✖ '}${conclusion.sentence}`);
  if (conclusion.fix !== undefined) {
    lines.push(`Fix: ${conclusion.fix}`);
  }
  return lines.join('\n') + '\n';
}

/** The path works: no hop failed, and the live probe passed (or, without probes, every hop passed). */
export function pathWorks(
  hops: readonly { readonly id: string; readonly status: string }[],
  probed: boolean,
): boolean {
  if (hops.some((hop) => hop.status === 'failed')) {
    return false;
  }
  if (probed) {
    return hops.find((hop) => hop.id === 'probe')?.status === 'passed';
  }
  return hops.every((hop) => hop.status === 'passed' || hop.id === 'probe' || hop.status === 'skipped');
}
