/**
 * "Probe from Pod…", "Probe Matrix", and the actions on a probe result. The engine (`prober.ts`)
 * runs the tools; this file asks the user what to probe, shows progress and results.
 */
import * as vscode from 'vscode';
import type { V1Pod } from '@kubernetes/client-node';
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
import { isPortNumber } from '../ui/html.ts';
import type { ProbeResult, ProbeSource, ProbeTarget } from './types.ts';

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

const HTTP_PORT_NAMES = /^(http|https|web|metrics|grpc-web)/;

function looksHttp(port: number, name: string | undefined): boolean {
  return HTTP_PORT_NAMES.test(name ?? '') || [80, 443, 8000, 8080, 8443, 3000, 9090].includes(port);
}

async function probeFromPod(context: KubeReachContext, node: ExplorerNode | undefined): Promise<void> {
  const session = await context.session;
  const cache = session.cache;
  if (!cache) {
    return;
  }
  let source: ProbeSource | undefined;
  if (node?.kind === 'pod') {
    source = { namespace: node.namespace, pod: node.name };
  } else if (node?.kind === 'container') {
    source = { namespace: node.namespace, pod: node.pod, container: node.container };
  } else {
    source = await pickPod(session, 'Probe from which Pod?');
  }
  if (!source) {
    return;
  }
  const pod = cache.pod(source.namespace, source.pod);
  if (!source.container && (pod?.spec?.containers.length ?? 0) > 1) {
    const container = await vscode.window.showQuickPick(
      pod!.spec!.containers.map((c) => ({ label: c.name, description: c.image })),
      {
        placeHolder: 'Source container',
      },
    );
    if (!container) {
      return;
    }
    source = { ...source, container: container.label };
  }
  const target = await pickTarget(session, source.namespace);
  if (!target) {
    return;
  }
  await runProbe(context, source, target);
}

export async function pickPod(
  session: ClusterSession,
  placeHolder: string,
): Promise<ProbeSource | undefined> {
  const items = session.selectedNamespaces().flatMap((namespace) =>
    (session.cache?.pods(namespace) ?? []).map((pod) => ({
      label: pod.metadata?.name ?? '',
      description: `${namespace} · ${pod.status?.podIP ?? 'no IP'}`,
      source: { namespace, pod: pod.metadata?.name ?? '' },
    })),
  );
  return (await vscode.window.showQuickPick(items, { placeHolder, matchOnDescription: true }))?.source;
}

/** Services by DNS name and port, Pods by IP and declared port, or anything typed. */
export async function pickTarget(
  session: ClusterSession,
  sourceNamespace: string,
): Promise<ProbeTarget | undefined> {
  const cache = session.cache!;
  type Item = vscode.QuickPickItem & { target?: ProbeTarget };
  const items: Item[] = [];
  for (const namespace of session.selectedNamespaces()) {
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
      const ip = pod.status?.podIP;
      if (!ip) {
        continue;
      }
      for (const port of declaredPorts(pod)) {
        const http = looksHttp(port.port, port.name);
        items.push({
          label: `$(symbol-module) ${pod.metadata?.name} ${ip}:${port.port}`,
          description: `Pod · ${http ? 'HTTP' : 'TCP'}${port.name ? ` · ${port.name}` : ''}`,
          target: {
            kind: 'pod',
            namespace,
            name: pod.metadata?.name ?? '',
            ip,
            port: port.port,
            protocol: http ? 'http' : 'tcp',
          },
        });
      }
    }
  }
  const typed: Item = { label: '$(edit) A URL or host:port…', alwaysShow: true };
  const picked = await vscode.window.showQuickPick([typed, ...items], {
    placeHolder: 'Probe which target?',
    matchOnDescription: true,
  });
  if (!picked) {
    return undefined;
  }
  if (picked.target) {
    return picked.target;
  }
  const text = await vscode.window.showInputBox({
    prompt: 'http(s)://host[:port]/path for HTTP, or host:port for TCP',
    validateInput: (value) =>
      /^(https?:\/\/\S+|[^\s:/]+:\d{1,5})$/.test(value.trim()) ? undefined : 'A URL or host:port',
  });
  if (!text) {
    return undefined;
  }
  const value = text.trim();
  if (/^https?:\/\//.test(value)) {
    return { kind: 'url', url: value, protocol: 'http' };
  }
  const [host, port] = [
    value.slice(0, value.lastIndexOf(':')),
    Number(value.slice(value.lastIndexOf(':') + 1)),
  ];
  return { kind: 'address', host, port, protocol: 'tcp' };
}

/** The Pod's declared ports; a containerPort that is not a port number (an API object may hold anything) is skipped. */
function declaredPorts(pod: V1Pod): Array<{ port: number; name: string | undefined }> {
  return (pod.spec?.containers ?? []).flatMap((c) =>
    (c.ports ?? [])
      .filter((p) => isPortNumber(p.containerPort))
      .map((p) => ({ port: p.containerPort, name: typeof p.name === 'string' ? p.name : undefined })),
  );
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
  report(context, source, target, result);
  if (result.verdict === 'no-tool' && result.suggestion) {
    const add = `Add debug container (${settings.debugImage})`;
    const choice = await vscode.window.showWarningMessage(
      redact(`${result.message} ${result.suggestion.message}`),
      { modal: false },
      add,
    );
    if (choice === add) {
      await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: `Adding a debug container to ${source.pod}…`,
        },
        () =>
          prober.addDebugContainer({ namespace: source.namespace, name: source.pod }, settings.debugImage),
      );
      await runProbe(context, source, target);
    }
  }
}

function report(
  context: KubeReachContext,
  source: ProbeSource,
  target: ProbeTarget,
  result: ProbeResult,
): void {
  context.probeResults.add(source, target, result);
  // Raw output goes to the log, redacted: a URL typed with credentials must not be kept there.
  context.log.info(
    redact(
      `Probe ${source.namespace}/${source.pod} → ${result.target.label}: ${result.verdict} (${probeSummary(result)})\n` +
        `  ${result.command ?? '(no command)'}\n  exit ${result.exitCode ?? '-'}\n  stdout: ${result.stdout.trim()}\n  stderr: ${result.stderr.trim()}`,
    ),
  );
  const text = redact(`${result.source.pod} → ${result.target.label}: ${result.message}`);
  const copy = 'Copy Command';
  const show = result.reachable ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
  void Promise.resolve(show(text, ...(result.command ? [copy] : []))).then(async (choice) => {
    if (choice === copy && result.command) {
      await vscode.env.clipboard.writeText(result.command);
    }
  });
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
      const port = pod ? declaredPorts(pod)[0] : undefined;
      if (pod?.status?.podIP && port) {
        targets.push({
          kind: 'pod',
          namespace: node.namespace,
          name: node.name,
          ip: pod.status.podIP,
          port: port.port,
          protocol: looksHttp(port.port, port.name) ? 'http' : 'tcp',
        });
      }
    }
  }
  if (sources.length === 0 || targets.length === 0) {
    // Nothing selected: every Pod in view against every Pod and Service in view.
    sources = session
      .selectedNamespaces()
      .flatMap((ns) => cache.pods(ns).map((pod) => ({ namespace: ns, pod: pod.metadata?.name ?? '' })));
    targets = session.selectedNamespaces().flatMap((ns) =>
      cache.pods(ns).flatMap((pod) => {
        const port = declaredPorts(pod)[0];
        return pod.status?.podIP && port
          ? [
              {
                kind: 'pod' as const,
                namespace: ns,
                name: pod.metadata?.name ?? '',
                ip: pod.status.podIP,
                port: port.port,
                protocol: looksHttp(port.port, port.name) ? ('http' as const) : ('tcp' as const),
              },
            ]
          : [];
      }),
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
  showMatrix(grid);
}

export type { Prober };
