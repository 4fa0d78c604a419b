/**
 * "Probe from Pod…", "Probe Matrix", and the actions on a probe result. The engine (`prober.ts`)
 * runs the tools; this file asks the user what to probe, shows progress and results.
 */
import * as vscode from 'vscode';
import type { ClusterSession } from '../cluster/session.ts';
import { probeSettings } from '../config/settings.ts';
import type { KubeReachContext } from '../context.ts';
import type { ExplorerNode } from '../explorer/nodes.ts';
import { isExplorerNode } from '../explorer/nodes.ts';
import { showMatrix } from './matrixPanel.ts';
import type { Prober } from './prober.ts';
import type { ProbeRecord } from './resultsView.ts';
import { probeSummary } from './resultsView.ts';
import { redact, redactProbeResult } from './redaction.ts';
import type { ProbeResult, ProbeSource, ProbeTarget } from './types.ts';
import { addressedFrom, looksHttp, podPortTargets, targetsOfNode, targetText } from './targetOfNode.ts';

type Handler = (context: KubeReachContext, ...args: unknown[]) => unknown;

export const PROBE_COMMANDS: Readonly<Record<string, Handler>> = {
  'kubereach.probeFromPod': (context, node) => probeFromPod(context, isExplorerNode(node) ? node : undefined),
  'kubereach.probeMatrix': (context, node, selected) =>
    probeMatrix(
      context,
      Array.isArray(selected) ? selected.filter(isExplorerNode) : isExplorerNode(node) ? [node] : [],
    ),
  'kubereach.rerunProbe': async (context, record) => {
    if (isRecord(record)) {
      await runProbe(context, record.source, record.target);
    }
  },
  'kubereach.copyProbeCommand': async (_context, record) => {
    if (isRecord(record) && record.result.command) {
      await vscode.env.clipboard.writeText(record.result.command);
      vscode.window.setStatusBarMessage('Copied the probe command', 3000);
    }
  },
  'kubereach.clearProbeResults': (context) => context.probeResults.clear(),
};

function isRecord(value: unknown): value is ProbeRecord {
  return typeof value === 'object' && value !== null && 'result' in value && 'source' in value;
}

async function probeFromPod(context: KubeReachContext, node: ExplorerNode | undefined): Promise<void> {
  const session = await context.session;
  const cache = session.cache;
  if (!cache) {
    return;
  }
  if (node?.kind === 'service' || node?.kind === 'endpoint') {
    const chosen = await targetThenSource(session, node, 'Probe');
    if (chosen) {
      await runProbe(context, chosen.source, chosen.target);
    }
    return;
  }
  let source: ProbeSource | undefined;
  if (node?.kind === 'pod') {
    source = { namespace: node.namespace, pod: node.name };
  } else if (node?.kind === 'container') {
    source = { namespace: node.namespace, pod: node.pod, container: node.container };
  } else {
    source = await pickPod(session, { title: 'Probe from Pod', placeHolder: 'From which Pod?' });
  }
  if (!source) {
    return;
  }
  const pod = cache.pod(source.namespace, source.pod);
  if (!source.container && (pod?.spec?.containers.length ?? 0) > 1) {
    const container = await vscode.window.showQuickPick(
      pod!.spec!.containers.map((c) => ({ label: c.name, description: c.image })),
      {
        title: `Probe from Pod ${source.namespace}/${source.pod}`,
        placeHolder: 'From which container?',
      },
    );
    if (!container) {
      return;
    }
    source = { ...source, container: container.label };
  }
  const target = await pickTarget(session, source.namespace, {
    title: `Probe from ${source.namespace}/${source.pod}${source.container ? ` (${source.container})` : ''}`,
    placeHolder: 'Probe which target?',
  });
  if (!target) {
    return;
  }
  await runProbe(context, source, target);
}

/**
 * From a Service or an endpoint: its port (asked when it has several), then the source Pod, its
 * own namespace first.
 */
export async function targetThenSource(
  session: ClusterSession,
  node: ExplorerNode,
  action: 'Probe' | 'Diagnose Connectivity',
): Promise<{ source: ProbeSource; target: ProbeTarget } | undefined> {
  const targets = targetsOfNode(session.cache!, node);
  if (targets.length === 0) {
    void vscode.window.showInformationMessage(
      `${node.kind === 'service' ? 'This Service' : 'This endpoint'} has no port to ${action === 'Probe' ? 'probe' : 'diagnose'}.`,
    );
    return undefined;
  }
  const target =
    targets.length === 1
      ? targets[0]
      : (
          await vscode.window.showQuickPick(
            targets.map((candidate) => ({ label: targetText(candidate), candidate })),
            { title: `${action} to…`, placeHolder: 'Which port?' },
          )
        )?.candidate;
  if (!target) {
    return undefined;
  }
  const namespace = 'namespace' in target ? target.namespace : undefined;
  const source = await pickPod(
    session,
    { title: `${action} to ${targetText(target)}`, placeHolder: 'From which Pod?' },
    namespace,
  );
  return source ? { source, target: addressedFrom(target, source.namespace) } : undefined;
}

export interface PickerText {
  /** Names the action and, once known, its source Pod. */
  readonly title: string;
  readonly placeHolder: string;
}

export async function pickPod(
  session: ClusterSession,
  text: PickerText,
  firstNamespace?: string,
): Promise<ProbeSource | undefined> {
  const items = sourceFirst(session.selectedNamespaces(), firstNamespace).flatMap((namespace) =>
    (session.cache?.pods(namespace) ?? []).map((pod) => ({
      label: pod.metadata?.name ?? '',
      description: `${namespace} · ${pod.status?.podIP ?? 'no IP'}`,
      source: { namespace, pod: pod.metadata?.name ?? '' },
    })),
  );
  return (await vscode.window.showQuickPick(items, { ...text, matchOnDescription: true }))?.source;
}

/** The namespaces in view, `first` (the source Pod's) at the head: its targets are the likely ones. */
export function sourceFirst(namespaces: readonly string[], first: string | undefined): string[] {
  return first !== undefined && namespaces.includes(first)
    ? [first, ...namespaces.filter((namespace) => namespace !== first)]
    : [...namespaces];
}

/** Services by DNS name and port, Pods by IP and declared port, or anything typed. */
export async function pickTarget(
  session: ClusterSession,
  sourceNamespace: string,
  text: PickerText,
): Promise<ProbeTarget | undefined> {
  const cache = session.cache!;
  type Item = vscode.QuickPickItem & { target?: ProbeTarget };
  const items: Item[] = [];
  for (const namespace of sourceFirst(session.selectedNamespaces(), sourceNamespace)) {
    items.push({ label: namespace, kind: vscode.QuickPickItemKind.Separator });
    for (const service of cache.services(namespace)) {
      for (const port of service.spec?.ports ?? []) {
        const name = service.metadata?.name ?? '';
        const http = looksHttp(port.port, port.name);
        items.push({
          label: `$(symbol-interface) ${namespace === sourceNamespace ? name : `${name}.${namespace}`}:${port.port}`,
          description: `Service · ${http ? 'HTTP' : 'TCP'}${port.name ? ` · ${port.name}` : ''}`,
          target: {
            kind: 'service',
            namespace,
            name,
            port: port.port,
            addressing: namespace === sourceNamespace ? 'short' : 'namespaced',
            protocol: http ? 'http' : 'tcp',
          },
        });
      }
    }
    for (const pod of cache.pods(namespace)) {
      for (const { target, portName } of podPortTargets(pod, namespace)) {
        items.push({
          label: `$(symbol-module) ${target.name} ${target.ip}:${target.port}`,
          description: `Pod · ${target.protocol === 'http' ? 'HTTP' : 'TCP'}${portName ? ` · ${portName}` : ''}`,
          target,
        });
      }
    }
  }
  const typed: Item = { label: '$(edit) A URL or host:port…', alwaysShow: true };
  const picked = await vscode.window.showQuickPick([typed, ...items], {
    ...text,
    matchOnDescription: true,
  });
  if (!picked) {
    return undefined;
  }
  if (picked.target) {
    return picked.target;
  }
  const input = await vscode.window.showInputBox({
    title: text.title,
    prompt: 'http(s)://host[:port]/path for HTTP, or host:port for TCP',
    validateInput: (value) =>
      /^(https?:\/\/\S+|[^\s:/]+:\d{1,5})$/.test(value.trim()) ? undefined : 'A URL or host:port',
  });
  if (!input) {
    return undefined;
  }
  const value = input.trim();
  if (/^https?:\/\//.test(value)) {
    return { kind: 'url', url: value, protocol: 'http' };
  }
  const [host, port] = [
    value.slice(0, value.lastIndexOf(':')),
    Number(value.slice(value.lastIndexOf(':') + 1)),
  ];
  return { kind: 'address', host, port, protocol: 'tcp' };
}

async function runProbe(context: KubeReachContext, source: ProbeSource, target: ProbeTarget): Promise<void> {
  const prober = await context.prober();
  const settings = probeSettings();
  const result = redactProbeResult(
    await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Probing from ${source.pod}…`,
        cancellable: true,
      },
      (_progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        return prober.probe(source, target, { timeoutMs: settings.timeoutMs, signal: controller.signal });
      },
    ),
  );
  const record = report(context, source, target, result);
  if (result.reachable) {
    // The result is in Probe Results; a toast per success would only have to be closed.
    vscode.window.setStatusBarMessage(
      redact(`$(pass) ${result.source.pod} → ${result.target.label}: ${probeSummary(result)}`),
      5000,
    );
    return;
  }
  if (result.verdict === 'cancelled') {
    return;
  }
  // Not awaited: the command is done when the result is shown, not when the notification is closed.
  void offerFailureActions(context, record, settings.debugImage);
}

/** A failure gets one notification, with "Why?" (the diagnosis of that pair) and the fitting actions. */
async function offerFailureActions(
  context: KubeReachContext,
  record: ProbeRecord,
  debugImage: string,
): Promise<void> {
  const { source, target, result } = record;
  const why = 'Why?';
  const copy = 'Copy Command';
  const add = `Add debug container (${debugImage})`;
  const canAdd = result.verdict === 'no-tool' && result.suggestion !== undefined;
  const text = redact(
    `${result.source.pod} → ${result.target.label}: ${result.message}${canAdd ? ` ${result.suggestion!.message}` : ''}`,
  );
  const actions = [...(canAdd ? [add] : []), why, ...(result.command ? [copy] : [])];
  const choice = await vscode.window.showWarningMessage(text, ...actions);
  if (choice === why) {
    await vscode.commands.executeCommand('kubereach.diagnoseProbe', record);
  } else if (choice === copy && result.command) {
    await vscode.env.clipboard.writeText(result.command);
    vscode.window.setStatusBarMessage('Copied the probe command', 3000);
  } else if (choice === add) {
    const prober = await context.prober();
    await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Adding a debug container to ${source.pod}…`,
      },
      () => prober.addDebugContainer({ namespace: source.namespace, name: source.pod }, debugImage),
    );
    await runProbe(context, source, target);
  }
}

/** Keeps the result in Probe Results and the log (redacted). */
function report(
  context: KubeReachContext,
  source: ProbeSource,
  target: ProbeTarget,
  result: ProbeResult,
): ProbeRecord {
  const record = context.probeResults.add(source, target, result);
  // Raw output goes to the log, redacted: a URL typed with credentials must not be kept there.
  context.log.info(
    redact(
      `Probe ${source.namespace}/${source.pod} → ${result.target.label}: ${result.verdict} (${probeSummary(result)})\n` +
        `  ${result.command ?? '(no command)'}\n  exit ${result.exitCode ?? '-'}\n  stdout: ${result.stdout.trim()}\n  stderr: ${result.stderr.trim()}`,
    ),
  );
  return record;
}

async function probeMatrix(context: KubeReachContext, selected: ExplorerNode[]): Promise<void> {
  const session = await context.session;
  const cache = session.cache;
  if (!cache) {
    return;
  }
  let sources: ProbeSource[] = selected
    .filter((n) => n.kind === 'pod')
    .map((n) => ({ namespace: n.namespace, pod: (n as { name: string }).name }));
  let targets: ProbeTarget[] = [];
  for (const node of selected) {
    if (node.kind === 'service') {
      const port = cache.service(node.namespace, node.name)?.spec?.ports?.[0];
      if (port) {
        targets.push({
          kind: 'service',
          namespace: node.namespace,
          name: node.name,
          port: port.port,
          addressing: 'namespaced',
          protocol: looksHttp(port.port, port.name) ? 'http' : 'tcp',
        });
      }
    } else if (node.kind === 'pod') {
      const pod = cache.pod(node.namespace, node.name);
      const first = pod ? podPortTargets(pod, node.namespace)[0] : undefined;
      if (first) {
        targets.push(first.target);
      }
    }
  }
  if (sources.length === 0 || targets.length === 0) {
    // Nothing selected: every Pod in view against every Pod and Service in view.
    sources = session
      .selectedNamespaces()
      .flatMap((ns) => cache.pods(ns).map((pod) => ({ namespace: ns, pod: pod.metadata?.name ?? '' })));
    targets = session.selectedNamespaces().flatMap((ns) =>
      cache.pods(ns).flatMap((pod) =>
        podPortTargets(pod, ns)
          .slice(0, 1)
          .map(({ target }) => target),
      ),
    );
  }
  const prober = await context.prober();
  const settings = probeSettings();
  const grid = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `Probe matrix: ${sources.length} × ${targets.length}`,
      cancellable: true,
    },
    (progress, token) => {
      const controller = new AbortController();
      token.onCancellationRequested(() => controller.abort());
      const total = sources.length * targets.length;
      return prober.runMatrix(sources, targets, {
        concurrency: settings.matrixConcurrency,
        timeoutMs: settings.timeoutMs,
        signal: controller.signal,
        onProgress: (p) => progress.report({ increment: 100 / total, message: `${p.done}/${p.total}` }),
      });
    },
  );
  context.log.info(
    `Probe matrix ${grid.completed}/${grid.total} in ${(grid.elapsedMs / 1000).toFixed(1)} s${grid.cancelled ? ' (cancelled)' : ''}`,
  );
  showMatrix(grid, {
    // "Why?" of the pair: a probe record's shape, which the diagnosis command takes.
    diagnose: (row, column, result) =>
      vscode.commands.executeCommand('kubereach.diagnoseProbe', {
        id: 0,
        source: sources[row]!,
        target: targets[column]!,
        result: result ?? {},
      }),
    rerun: async (row, column) => {
      const result = redactProbeResult(
        await prober.probe(sources[row]!, targets[column]!, { timeoutMs: settings.timeoutMs }),
      );
      report(context, sources[row]!, targets[column]!, result);
      return result;
    },
  });
}

export type { Prober };
