/**
 * "Diagnose Connectivity…" (from a Pod, a probe result's "Why?", or the palette) and "Show Policy
 * Matrix" (the static verdict of every pair, with probes laid over it on request).
 */
import { matrixPodLabel } from './matrixLabel.ts';
import * as vscode from 'vscode';
import type { KubeReachContext } from '../context.ts';
import type { ExplorerNode } from '../explorer/nodes.ts';
import { isExplorerNode } from '../explorer/nodes.ts';
import { pickPod, pickTarget, targetThenSource } from '../probe/probeCommands.ts';
import type { ProbeRecord } from '../probe/resultsView.ts';
import type { ProbeTarget } from '../probe/types.ts';
import { probeSettings } from '../config/settings.ts';
import { verdictLabel } from '../probe/matrix.ts';
import { showReport } from './reportPanel.ts';
import type { DiagnosisSource, DiagnosisTarget, PolicyMatrix, PolicyOverlay } from './types.ts';
import { redactStrings } from '../logging/redact.ts';
import {
  externalRequestFromInput,
  externalRequestFromItem,
  requestText,
  splitClientAddress,
} from '../analysis/external/request.ts';
import type { ExternalRequest } from '../analysis/external/types.ts';
import { cspNonce, escapeHtml, portHtml } from '../ui/html.ts';

type Handler = (context: KubeReachContext, ...args: unknown[]) => unknown;

export const DIAGNOSE_COMMANDS: Readonly<Record<string, Handler>> = {
  'kubereach.diagnose': (context, node) => diagnoseFrom(context, isExplorerNode(node) ? node : undefined),
  'kubereach.diagnoseProbe': async (context, record) => {
    if (isRecord(record)) {
      await runDiagnosis(
        context,
        { namespace: record.source.namespace, pod: record.source.pod },
        toDiagnosisTarget(record.target),
      );
    }
  },
  'kubereach.diagnoseExternal': (context, node) =>
    diagnoseExternalFrom(context, isExplorerNode(node) ? node : undefined),
  'kubereach.showPolicyMatrix': (context, node, selected) =>
    showPolicyMatrix(
      context,
      Array.isArray(selected) ? selected.filter(isExplorerNode) : isExplorerNode(node) ? [node] : [],
    ),
};

function isRecord(value: unknown): value is ProbeRecord {
  return typeof value === 'object' && value !== null && 'result' in value && 'target' in value;
}

/** What the user picked to probe, as the diagnosis reads it. */
export function toDiagnosisTarget(target: ProbeTarget): DiagnosisTarget {
  switch (target.kind) {
    case 'service':
      return { kind: 'service', namespace: target.namespace, name: target.name, port: target.port };
    case 'pod':
      return { kind: 'pod', namespace: target.namespace, name: target.name, port: target.port };
    case 'address':
      return { kind: 'dns', name: target.host, port: target.port };
    case 'url': {
      const url = new URL(target.url);
      return {
        kind: 'dns',
        name: url.hostname,
        port: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80,
      };
    }
  }
}

async function diagnoseFrom(context: KubeReachContext, node: ExplorerNode | undefined): Promise<void> {
  const session = await context.session;
  if (node?.kind === 'service' || node?.kind === 'endpoint') {
    const chosen = session.cache ? await targetThenSource(session, node, 'Diagnose Connectivity') : undefined;
    if (chosen) {
      await runDiagnosis(context, chosen.source, toDiagnosisTarget(chosen.target));
    }
    return;
  }
  let source: DiagnosisSource | undefined;
  if (node?.kind === 'pod') {
    source = { namespace: node.namespace, pod: node.name };
  } else if (node?.kind === 'container') {
    source = { namespace: node.namespace, pod: node.pod, container: node.container };
  } else {
    source = await pickPod(session, { title: 'Diagnose Connectivity', placeHolder: 'From which Pod?' });
  }
  if (!source) {
    return;
  }
  const target = await pickTarget(session, source.namespace, {
    title: `Diagnose Connectivity from ${source.namespace}/${source.pod}`,
    placeHolder: 'To which target?',
  });
  if (target) {
    await runDiagnosis(context, source, toDiagnosisTarget(target));
  }
}

async function runDiagnosis(
  context: KubeReachContext,
  source: DiagnosisSource,
  target: DiagnosisTarget,
): Promise<void> {
  const session = await context.session;
  const cache = session.cache;
  if (!cache) {
    return;
  }
  const { Diagnoser, definitionLine, readinessEventReader } = await context.layer;
  const diagnoser = new Diagnoser({
    cache,
    prober: await context.prober(),
    ...(cache.kubeConfig === undefined ? {} : { readinessEvents: readinessEventReader(cache.kubeConfig) }),
    // A dropped connection is evident after 2 s; waiting the full probe timeout would only slow the report.
    timeoutMs: Math.min(probeSettings().timeoutMs, 2000),
    watchNamespaces: (names) => session.setAdditionalNamespaces(names, 'diagnosis'),
  });
  const report = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `Diagnosing ${source.pod} → ${describe(target)}…`,
      cancellable: true,
    },
    (_progress, token) => {
      const controller = new AbortController();
      token.onCancellationRequested(() => controller.abort());
      return diagnoser.diagnose(source, target, { signal: controller.signal });
    },
  );
  context.log.info(
    `Diagnosis ${source.namespace}/${source.pod} → ${report.targetLabel}: ${report.conclusion.sentence}`,
  );
  showReport({ ...report, context: session.context?.name }, definitionLine);
}

/** "Diagnose External Access…": from an Ingress, a rule, a NodePort or LoadBalancer Service, or a typed URL or node:port. */
async function diagnoseExternalFrom(
  context: KubeReachContext,
  node: ExplorerNode | undefined,
): Promise<void> {
  const session = await context.session;
  const cache = session.cache;
  if (!cache) {
    return;
  }
  let request: ExternalRequest | undefined;
  let clientIp: string | undefined;
  if (node?.kind === 'ingress' || node?.kind === 'ingressRule' || node?.kind === 'service') {
    request = externalRequestFromItem(node);
  } else if (
    node?.kind === 'gatewayApi' &&
    (node.parts[1] === 'HTTPRoute' || node.parts[1] === 'GRPCRoute') &&
    node.parts[2] !== undefined
  ) {
    // A route item, or one of its rules (or a rule's backendRef): the request (for a GRPCRoute, the
    // gRPC call) that rule stands for.
    const rule = node.parts[3] === undefined ? undefined : Number(node.parts[3]);
    const route = {
      namespace: node.namespace,
      name: node.parts[2],
      ...(rule === undefined || !Number.isInteger(rule) ? {} : { ruleIndex: rule }),
    };
    request =
      node.parts[1] === 'GRPCRoute' ? { kind: 'grpcRoute', ...route } : { kind: 'httpRoute', ...route };
  } else {
    const text = await vscode.window.showInputBox({
      title: 'Diagnose External Access',
      prompt:
        'A URL served by an Ingress or a Gateway, or a node and a node port; optionally "from" the client address (loadBalancerSourceRanges and NetworkPolicy ipBlocks are read against it)',
      placeHolder: 'http://shop.example.com/api  or  sandbox-node-1:30080  [from 203.0.113.7]',
      ignoreFocusOut: true,
    });
    if (text === undefined) {
      return;
    }
    const split = splitClientAddress(text);
    clientIp = split.clientIp;
    request = externalRequestFromInput(
      split.text,
      cache.nodes().map((item) => item.metadata?.name ?? ''),
    );
    if (request === undefined) {
      void vscode.window.showWarningMessage(`Not a URL or node:port: ${text}`);
      return;
    }
  }
  const { ExternalDiagnoser, definitionLine, forwardThroughPod, readGatewayApi } = await context.layer;
  const kubeConfig = session.kubeConfig;
  const diagnoser = new ExternalDiagnoser({
    cache,
    prober: await context.prober(),
    // The end-to-end probe through a port-forward to the controller: it works from a machine that
    // cannot reach the Ingress's address.
    ...(kubeConfig === undefined
      ? {}
      : { forward: forwardThroughPod({ cache, kubeConfig: () => session.kubeConfig ?? kubeConfig }) }),
    timeoutMs: Math.min(probeSettings().timeoutMs, 2000),
    watchNamespaces: (names) => session.setAdditionalNamespaces(names, 'diagnosis'),
    // Gateways and HTTPRoutes, read once per diagnosis after discovery (issue 15).
    ...(kubeConfig === undefined
      ? {}
      : {
          gatewayApi: (cached: Parameters<typeof readGatewayApi>[1]) =>
            readGatewayApi(session.kubeConfig ?? kubeConfig, cached),
        }),
  });
  const chosen = request;
  const report = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `Diagnosing external access to ${requestText(chosen)}…`,
      cancellable: true,
    },
    (_progress, token) => {
      const controller = new AbortController();
      token.onCancellationRequested(() => controller.abort());
      return diagnoser.diagnose(chosen, {
        signal: controller.signal,
        ...(clientIp === undefined ? {} : { clientIp }),
      });
    },
  );
  context.log.info(`External access diagnosis ${report.label}: ${report.conclusion.sentence}`);
  showReport(
    { ...report, ...(session.context?.name === undefined ? {} : { context: session.context.name }) },
    definitionLine,
  );
}

function describe(target: DiagnosisTarget): string {
  return target.kind === 'dns'
    ? `${target.name}:${target.port}`
    : `${target.namespace}/${target.name}:${target.port}`;
}

async function showPolicyMatrix(context: KubeReachContext, selected: ExplorerNode[]): Promise<void> {
  const session = await context.session;
  const cache = session.cache;
  if (!cache) {
    return;
  }
  const { cellPods, matrixProbeSets, overlayProbes, policyMatrix } = await context.layer;
  const chosen = selected.filter((node) => node.kind === 'pod');
  const pods =
    chosen.length >= 2
      ? chosen.flatMap((node) =>
          node.kind === 'pod' ? [cache.pod(node.namespace, node.name)].filter((p) => p !== undefined) : [],
        )
      : session.selectedNamespaces().flatMap((namespace) => [...cache.pods(namespace)]);
  // A namespace's matrix has a row per workload (1,000 Pods make a million cells otherwise); Pods
  // the user picked one by one, a row each. The panel's button switches.
  let matrix = policyMatrix(pods, cache, { groupBy: chosen.length >= 2 ? 'pod' : 'workload' });
  const panel = vscode.window.createWebviewPanel(
    'kubereach.policyMatrix',
    'Policy Matrix',
    vscode.ViewColumn.Active,
    {
      enableScripts: true,
      localResourceRoots: [],
    },
  );
  const nonce = cspNonce();
  panel.webview.html = policyMatrixHtml(matrix, undefined, nonce, panel.webview.cspSource);
  panel.webview.onDidReceiveMessage(async (message: { type?: string; row?: unknown; column?: unknown }) => {
    if (message.type === 'group') {
      matrix = policyMatrix(pods, cache, { groupBy: matrix.groupBy === 'workload' ? 'pod' : 'workload' });
      panel.webview.html = policyMatrixHtml(matrix, undefined, nonce, panel.webview.cspSource);
      return;
    }
    const pair = cellPods(matrix, Number(message.row), Number(message.column));
    if (message.type === 'diagnose' && pair !== undefined) {
      const { source: from, destination: to } = pair;
      // The diagnosis of the pair: the static verdict with its probes and the fix.
      await runDiagnosis(
        context,
        { namespace: from.namespace, pod: from.name },
        { kind: 'pod', namespace: to.namespace, name: to.name, port: to.port },
      );
      return;
    }
    if (message.type !== 'probe') {
      return;
    }
    const prober = await context.prober();
    const { sources, targets } = matrixProbeSets(matrix);
    const grid = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Probing every pair…', cancellable: true },
      (_progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        const settings = probeSettings();
        return prober.runMatrix(sources, targets, {
          concurrency: settings.matrixConcurrency,
          timeoutMs: settings.timeoutMs,
          signal: controller.signal,
        });
      },
    );
    panel.webview.html = policyMatrixHtml(
      matrix,
      overlayProbes(matrix, grid),
      nonce,
      panel.webview.cspSource,
    );
  });
}

/**
 * The policy matrix page: pure. With an overlay, each cell also shows the probe and flags
 * disagreements. Everything from the cluster is escaped; a port that is not a number from 1 to
 * 65535 (an API object may hold anything) is shown escaped and flagged.
 */
export function policyMatrixHtml(
  rawMatrix: PolicyMatrix,
  rawOverlay: PolicyOverlay | undefined,
  nonce: string,
  cspSource: string,
): string {
  const matrix = redactStrings(rawMatrix);
  const overlay = redactStrings(rawOverlay);
  const name = matrixPodLabel;
  const members = (pod: PolicyMatrix['pods'][number]) =>
    pod.workload === undefined
      ? ''
      : ` title="${escapeHtml(
          `${pod.workload.pods
            .slice(0, 20)
            .map((member) => member.name)
            .join(
              ', ',
            )}${pod.workload.pods.length > 20 ? `, and ${pod.workload.pods.length - 20} more` : ''}`,
        )}"`;
  const header = matrix.pods
    .map(
      (pod) =>
        `<th scope="col" class="target"${members(pod)}>${escapeHtml(name(pod))}:${portHtml(pod.port)}</th>`,
    )
    .join('');
  const rows = matrix.pods
    .map((pod, row) => {
      const cells = matrix.pods
        .map((_, column) => {
          const cell = matrix.cells[row]![column]!;
          const over = overlay?.cells[row]?.[column];
          const cls = over?.agreement === 'disagree' ? 'disagree' : cell.allowed ? 'ok' : 'bad';
          const probe = over?.probe ? ` · probe ${verdictLabel(over.probe.verdict)}` : '';
          const stands =
            cell.pairs === undefined
              ? ''
              : `Shown for ${cell.source} → ${cell.destination}; the same verdict holds for all ${cell.pairs} pair${cell.pairs === 1 ? '' : 's'} of two different Pods of these rows${row === column ? ' (each Pod may always reach itself)' : ''}.\n`;
          const title = `${stands}${cell.reason}${cell.deciding ? ` (decided by ${cell.deciding})` : ''}${over?.explanation ? `\n${over.explanation}` : ''}`;
          return `<td class="${cls}" tabindex="0" data-row="${row}" data-column="${column}" title="${escapeHtml(title)}">${cell.allowed ? 'allow' : 'deny'}${escapeHtml(probe)}${over?.agreement === 'disagree' ? ' ⚠' : ''}</td>`;
        })
        .join('');
      return `<tr><th scope="row"${members(pod)}>${escapeHtml(name(pod))}</th>${cells}</tr>`;
    })
    .join('');
  const disagreements = overlay
    ? overlay.cells.flat().filter((cell) => cell.agreement === 'disagree').length
    : 0;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${cspSource} 'nonce-${nonce}'; script-src 'nonce-${nonce}';">
<style nonce="${nonce}">
  body { color: var(--vscode-foreground); background: var(--vscode-editor-background); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); }
  table { border-collapse: collapse; }
  th, td { border: 1px solid var(--vscode-panel-border); padding: 4px 8px; text-align: left; white-space: nowrap; }
  th { background: var(--vscode-editorWidget-background); font-weight: 600; }
  th.target { white-space: normal; overflow-wrap: anywhere; max-width: 11em; vertical-align: bottom; }
  td { cursor: pointer; }
  .legend { display: flex; gap: 12px; flex-wrap: wrap; color: var(--vscode-descriptionForeground); }
  .swatch { display: inline-block; width: 0.9em; height: 0.9em; vertical-align: middle; margin-right: 4px; border: 1px solid var(--vscode-panel-border); }
  td.ok, .swatch.ok { background: color-mix(in srgb, var(--vscode-testing-iconPassed) 22%, transparent); }
  td.bad, .swatch.bad { background: color-mix(in srgb, var(--vscode-editorError-foreground) 22%, transparent); }
  .invalid-port { color: var(--vscode-errorForeground); text-decoration: underline wavy; }
  td.disagree, .swatch.disagree { background: color-mix(in srgb, var(--vscode-editorWarning-foreground) 40%, transparent); font-weight: 600; }
  td:focus { outline: 2px solid var(--vscode-focusBorder); }
  button { color: var(--vscode-button-foreground); background: var(--vscode-button-background); border: none; padding: 4px 10px; cursor: pointer; }
</style></head><body>
<p>Static NetworkPolicy verdicts (rows: sources, columns: destinations and the port evaluated). Policies involved: ${escapeHtml(matrix.policies.join(', ') || 'none')}.
${matrix.groupBy === 'workload' ? 'A row and a column per workload: the Pods of one owner with equal labels that no policy tells apart; a cell is evaluated for its first Pods and holds for every pair of them (hover for which). ' : ''}${overlay ? `<strong>${disagreements} disagreement${disagreements === 1 ? '' : 's'} between the policies and the probes.</strong>` : '<button id="probe">Run probes and compare</button>'}
<button id="group">${matrix.groupBy === 'workload' ? 'Show each Pod' : 'Group by workload'}</button></p>
<div class="legend" aria-label="Legend"><span><span class="swatch ok"></span>allowed by the policies</span><span><span class="swatch bad"></span>denied</span><span><span class="swatch disagree"></span>the probe disagrees ⚠</span><span>Click or Enter on a cell: the diagnosis of that pair</span></div>
<table role="grid" aria-label="Policy matrix"><thead><tr><th scope="col">source \\ destination</th>${header}</tr></thead><tbody>${rows}</tbody></table>
<script nonce="${nonce}">
  const vscode = acquireVsCodeApi();
  const button = document.getElementById('probe');
  if (button) { button.addEventListener('click', () => { button.disabled = true; vscode.postMessage({ type: 'probe' }); }); }
  const group = document.getElementById('group');
  group.addEventListener('click', () => { group.disabled = true; vscode.postMessage({ type: 'group' }); });
  const diagnose = (cell) => vscode.postMessage({ type: 'diagnose', row: Number(cell.dataset.row), column: Number(cell.dataset.column) });
  for (const cell of document.querySelectorAll('td[data-row]')) {
    cell.addEventListener('click', () => diagnose(cell));
    cell.addEventListener('keydown', (event) => { if (event.key === 'Enter') { diagnose(cell); } });
  }
</script>
</body></html>`;
}
