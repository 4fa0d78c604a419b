/**
 * `kubereach matrix`: the static NetworkPolicy matrix of "Show Policy Matrix" over a namespace's
 * Pods (or those a label selector picks), by the extension's own `policyMatrix`; with `--probe`,
 * every pair probed from inside its source Pod (`Prober.runMatrix`) and compared (`overlayProbes`).
 * Text, CSV or Markdown.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { matchesRequirements, parseLabelSelectorString } from '../analysis/labels.ts';
import type { OverlayCell, PolicyMatrix, PolicyMatrixCell, PolicyOverlay } from '../diagnose/types.ts';
import { escapeMarkdown } from '../diagnose/markdown.ts';
import { matrixPodLabel } from '../diagnose/matrixLabel.ts';
import { redactStrings } from '../logging/redact.ts';
import { booleanFlag, choiceFlag, parse, stringFlag } from './args.ts';
import { CLUSTER_OPTIONS, clusterFlags } from './checkCommand.ts';
import { CliError, EXIT_FINDINGS, EXIT_OK, usageError } from './errors.ts';
import type { CliIo } from './io.ts';
import { openSession } from './session.ts';

export const MATRIX_HELP = `Show which Pods of a namespace NetworkPolicies let reach which, pair by pair.

The static verdict of every ordered pair (egress of the source, ingress of the destination, on
the destination's first declared port), with the deciding policy; with --probe, every pair is
also probed from inside its source Pod and compared with the verdict.

As the editor's namespace-wide matrix, a row and a column stand for a workload: the Pods of one
owner with equal labels, which no policy tells apart (a workload whose Pods a policy does tell
apart, by an ipBlock or a node, has a row per part, said so). --group-by pod gives every Pod its
own row.

Usage:
  kubereach matrix [flags]

Examples:
  kubereach matrix -n shop
  kubereach matrix -n shop -l 'app in (frontend,backend)' --probe -o markdown

Flags:
  -n, --namespace NS         the namespace (default: the context's)
  -l, --selector SELECTOR    only the Pods this label selector picks (kubectl's syntax)
      --group-by workload|pod  a row per workload (default) or per Pod
      --port PORT            evaluate every pair on this port
      --probe                probe every pair live and compare (commands run in the Pods)
  -o, --output FORMAT        text (default), csv, or markdown
      --kubeconfig PATH      the kubeconfig file (default: KUBECONFIG, else ~/.kube/config)
      --context NAME         the kubeconfig context (default: its current-context)
      --request-timeout DUR  how long to wait for the cluster (default 30s)
  -h, --help                 this help

Exit status: 0, or 1 when --probe finds a pair that disagrees with the policies; 2 an error.
`;

const SYMBOL: Readonly<Record<string, string>> = { allowed: 'allow', denied: 'deny', uncertain: '?' };

function cellText(cell: PolicyMatrixCell | OverlayCell): string {
  const verdict = SYMBOL[cell.outcome] ?? cell.outcome;
  if (!('agreement' in cell) || cell.agreement === 'not-probed') {
    return verdict;
  }
  const probe = cell.probe?.reachable === true ? 'reached' : (cell.probe?.verdict ?? 'no probe');
  return `${verdict}/${probe}${cell.agreement === 'disagree' ? ' ✖' : cell.agreement === 'inconclusive' ? ' ?' : ''}`;
}

const label = matrixPodLabel;

export function matrixText(matrix: PolicyMatrix | PolicyOverlay): string {
  const headers = matrix.pods.map((pod) => `${label(pod)}:${pod.port}`);
  const rows = matrix.cells.map((row) => row.map(cellText));
  const first = Math.max(...headers.map((header) => header.length), 'from \\ to'.length);
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => row[column]!.length)),
  );
  const lines = [
    ['from \\ to'.padEnd(first), ...headers.map((header, i) => header.padEnd(widths[i]!))]
      .join('  ')
      .trimEnd(),
    ...rows.map((row, r) =>
      [headers[r]!.padEnd(first), ...row.map((cell, i) => cell.padEnd(widths[i]!))].join('  ').trimEnd(),
    ),
  ];
  lines.push(
    '',
    `Policies: ${matrix.policies.length === 0 ? 'none' : matrix.policies.join(', ')} (${matrix.protocol}).`,
  );
  if ('disagreements' in matrix) {
    lines.push(
      matrix.disagreements.length === 0
        ? 'Every probed pair agrees with the policies.'
        : `${matrix.disagreements.length} pair(s) disagree with the policies:`,
    );
    for (const cell of matrix.disagreements) {
      lines.push(`  ${cell.source} → ${cell.destination}:${cell.port}: ${cell.explanation ?? cell.reason}`);
    }
  }
  return lines.join('\n') + '\n';
}

function csvField(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One line per ordered pair (of workloads, or of Pods), for spreadsheets and scripts. */
export function matrixCsv(matrix: PolicyMatrix | PolicyOverlay): string {
  const probed = 'disagreements' in matrix;
  const lines = [
    [
      'source',
      'destination',
      'port',
      'verdict',
      'deciding policy',
      ...(probed ? ['probe', 'agreement'] : []),
      'reason',
    ].join(','),
  ];
  for (const [r, row] of matrix.cells.entries()) {
    for (const [c, cell] of row.entries()) {
      const overlay = cell as OverlayCell;
      lines.push(
        [
          // A workload's row names the workload; the reason names the Pods evaluated for it.
          label(matrix.pods[r]!),
          label(matrix.pods[c]!),
          String(cell.port),
          cell.outcome,
          cell.deciding ?? '',
          ...(probed ? [overlay.probe?.verdict ?? '', overlay.agreement] : []),
          cell.reason,
        ]
          .map(csvField)
          .join(','),
      );
    }
  }
  return lines.join('\n') + '\n';
}

export function matrixMarkdown(matrix: PolicyMatrix | PolicyOverlay): string {
  const headers = matrix.pods.map((pod) => escapeMarkdown(`${label(pod)}:${pod.port}`));
  const lines = [
    `| from \\ to | ${headers.join(' | ')} |`,
    `|---|${headers.map(() => '---').join('|')}|`,
    ...matrix.cells.map(
      (row, r) => `| ${headers[r]} | ${row.map((cell) => escapeMarkdown(cellText(cell))).join(' | ')} |`,
    ),
    '',
    `Policies: ${matrix.policies.length === 0 ? 'none' : matrix.policies.map(escapeMarkdown).join(', ')} (${matrix.protocol}).`,
  ];
  if ('disagreements' in matrix) {
    for (const cell of matrix.disagreements) {
      lines.push(
        '',
        `- ${escapeMarkdown(`${cell.source} → ${cell.destination}:${cell.port}: ${cell.explanation ?? cell.reason}`)}`,
      );
    }
  }
  return lines.join('\n') + '\n';
}

export async function matrixCommand(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parse('matrix', args, {
    namespace: { type: 'string', short: 'n' },
    selector: { type: 'string', short: 'l' },
    'group-by': { type: 'string' },
    port: { type: 'string' },
    probe: { type: 'boolean' },
    output: { type: 'string', short: 'o' },
    ...CLUSTER_OPTIONS,
  });
  if (booleanFlag(parsed, 'help')) {
    await io.out(MATRIX_HELP);
    return EXIT_OK;
  }
  if (parsed.positionals.length > 0) {
    throw usageError('matrix', `matrix takes no arguments (got "${parsed.positionals[0]}")`);
  }
  const output = choiceFlag('matrix', parsed, 'output', ['text', 'csv', 'markdown'] as const, 'text');
  const groupBy = choiceFlag('matrix', parsed, 'group-by', ['workload', 'pod'] as const, 'workload');
  const portText = stringFlag(parsed, 'port');
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && !(Number.isInteger(port) && port >= 1 && port <= 65535)) {
    throw usageError('matrix', `--port must be a port number 1-65535 (got "${portText}")`);
  }
  const selectorText = stringFlag(parsed, 'selector');
  let requirements: ReturnType<typeof parseLabelSelectorString> | undefined;
  try {
    requirements = selectorText === undefined ? undefined : parseLabelSelectorString(selectorText);
  } catch (error) {
    throw usageError('matrix', `--selector: ${error instanceof Error ? error.message : String(error)}`);
  }
  const flags = clusterFlags('matrix', parsed);
  const namespaceFlag = stringFlag(parsed, 'namespace');
  const opened = await openSession(flags, (fallback) => [namespaceFlag ?? fallback]);
  try {
    const namespace = namespaceFlag ?? opened.defaultNamespace;
    const pods = opened.cache
      .pods(namespace)
      .filter(
        (pod: V1Pod) => requirements === undefined || matchesRequirements(requirements, pod.metadata?.labels),
      )
      .filter((pod: V1Pod) => pod.status?.phase === 'Running' || pod.status?.phase === 'Pending');
    if (pods.length === 0) {
      throw new CliError(
        `no Pod in namespace ${namespace}${selectorText === undefined ? '' : ` matches ${selectorText}`} in context "${opened.context}"`,
      );
    }
    const { policyMatrix, overlayProbes, matrixProbeSets, Prober } = opened.layer;
    const matrix = policyMatrix(pods, opened.cache, { groupBy, ...(port === undefined ? {} : { port }) });
    let shown: PolicyMatrix | PolicyOverlay = matrix;
    if (booleanFlag(parsed, 'probe')) {
      const kubeConfig = opened.cache.kubeConfig;
      if (kubeConfig === undefined) {
        throw new CliError('no cluster: the kubeconfig has no usable context');
      }
      const { sources, targets } = matrixProbeSets(matrix);
      const grid = await new Prober({ kubeconfig: kubeConfig }).runMatrix(sources, targets, {
        concurrency: 4,
        timeoutMs: 2000,
      });
      shown = overlayProbes(matrix, grid);
    }
    const safe = redactStrings(shown);
    await io.out(
      output === 'csv' ? matrixCsv(safe) : output === 'markdown' ? matrixMarkdown(safe) : matrixText(safe),
    );
    return 'disagreements' in shown && shown.disagreements.length > 0 ? EXIT_FINDINGS : EXIT_OK;
  } finally {
    opened.dispose();
  }
}
