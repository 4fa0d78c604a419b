/** `kubereach check`: flags, the run, the output, the exit status. */
import { CODES } from '../analysis/manifests/codes.ts';
import { booleanFlag, choiceFlag, listFlag, parse, stringFlag } from './args.ts';
import { analyzeFiles, fails, loadFiles } from './check.ts';
import type { FailOn } from './check.ts';
import { toJson, toText } from './checkFormat.ts';
import { checkCluster, parseDuration } from './cluster.ts';
import type { ClusterFlags } from './cluster.ts';
import { EXIT_FINDINGS, EXIT_OK, usageError } from './errors.ts';
import { toSarif } from './sarif.ts';
import type { CliIo } from './io.ts';

export const CHECK_HELP = `Check Kubernetes manifests with the rules of KubeReach's language server.

Reads every *.yaml and *.yml file of the given files and folders (default: the current folder)
as the editor reads a workspace: hidden folders, node_modules, vendor, dist, out and target are
skipped, kustomizations decide what is applied together, and patches are read as patches.

Usage:
  kubereach check [PATH...] [flags]

Examples:
  # Check the manifests of a repository
  kubereach check deploy/

  # Also compare them with the live cluster, as SARIF for code scanning
  kubereach check k8s/ --cluster --context staging -o sarif > kubereach.sarif

  # Fail on warnings too, but never on KR3001
  kubereach check . --fail-on warning --disable KR3001

Flags:
  -o, --output FORMAT        text (default; grouped by file, coloured on a terminal), json, or sarif
      --fail-on SEVERITY     exit 1 when a diagnostic is at least: error (default), warning,
                             information, or none (never)
      --disable CODE[,CODE]  do not report these codes (repeatable); in a file, a comment
                             "# kubereach-disable-line CODE", "# kubereach-disable-next-line CODE"
                             or "# kubereach-disable CODE" (a whole YAML document) does the same
      --cluster              also run the cluster-aware checks (KR4xxx, KR52xx, KR62xx)
      --kubeconfig PATH      the kubeconfig file (default: KUBECONFIG, else ~/.kube/config)
      --context NAME         the kubeconfig context (default: its current-context)
      --request-timeout DUR  how long to wait for the cluster (default 30s)
      --no-color             no colours (also when NO_COLOR is set or the output is not a terminal)
  -h, --help                 this help

Exit status: 0 no diagnostic at or above --fail-on, 1 some, 2 an error (bad usage, a missing
path, no or an unreachable cluster).
`;

export function clusterFlags(command: string, parsed: Parameters<typeof stringFlag>[0]): ClusterFlags {
  const timeoutText = stringFlag(parsed, 'request-timeout') ?? '30s';
  const timeoutMs = parseDuration(timeoutText);
  if (timeoutMs === undefined || timeoutMs <= 0) {
    throw usageError(
      command,
      `--request-timeout must be a duration such as 10s or 1m (got "${timeoutText}")`,
    );
  }
  return {
    kubeconfig: stringFlag(parsed, 'kubeconfig'),
    context: stringFlag(parsed, 'context'),
    timeoutMs,
  };
}

export const CLUSTER_OPTIONS = {
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  'request-timeout': { type: 'string' },
} as const;

export async function checkCommand(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parse('check', args, {
    output: { type: 'string', short: 'o' },
    'fail-on': { type: 'string' },
    disable: { type: 'string', multiple: true },
    cluster: { type: 'boolean' },
    'no-color': { type: 'boolean' },
    ...CLUSTER_OPTIONS,
  });
  if (booleanFlag(parsed, 'help')) {
    await io.out(CHECK_HELP);
    return EXIT_OK;
  }
  const output = choiceFlag('check', parsed, 'output', ['text', 'json', 'sarif'] as const, 'text');
  const failOn = choiceFlag<FailOn>(
    'check',
    parsed,
    'fail-on',
    ['error', 'warning', 'information', 'none'],
    'error',
  );
  const disabled = listFlag(parsed, 'disable').map((code) => code.toUpperCase());
  const unknown = disabled.filter((code) => !(code in CODES));
  if (unknown.length > 0) {
    throw usageError('check', `unknown diagnostic code ${unknown.join(', ')} in --disable`);
  }
  const useCluster = booleanFlag(parsed, 'cluster');
  const flags = clusterFlags('check', parsed);
  if (!useCluster && (flags.kubeconfig !== undefined || flags.context !== undefined)) {
    throw usageError('check', '--kubeconfig and --context need --cluster');
  }

  const loaded = await loadFiles(parsed.positionals, io.cwd);
  const cluster = useCluster ? await checkCluster(flags, loaded.namespaces) : undefined;
  let report;
  try {
    report = analyzeFiles(loaded, {
      cwd: io.cwd,
      ...(disabled.length > 0 ? { disabledCodes: new Set(disabled) } : {}),
      ...(cluster ? { cluster: cluster.model } : {}),
    });
  } finally {
    cluster?.dispose();
  }
  switch (output) {
    case 'json':
      await io.out(JSON.stringify(toJson(report, io.version), null, 2) + '\n');
      break;
    case 'sarif':
      await io.out(JSON.stringify(toSarif(report, { version: io.version, cwd: io.cwd }), null, 2) + '\n');
      break;
    default:
      await io.out(toText(report, io.colors(booleanFlag(parsed, 'no-color'))));
  }
  return fails(report, failOn) ? EXIT_FINDINGS : EXIT_OK;
}
