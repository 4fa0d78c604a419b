/**
 * Port-forward commands: start from a Pod, a container port or a Service in the explorer (or from
 * the palette, with QuickPicks), and Stop, Restart, Open in Browser, Copy Address on a forward.
 */
import * as vscode from 'vscode';
import type { V1Pod } from '@kubernetes/client-node';
import type { ClusterSession } from '../cluster/session.ts';
import { portForwardSettings } from '../config/settings.ts';
import type { KubeReachContext } from '../context.ts';
import type { ExplorerNode } from '../explorer/nodes.ts';
import { isExplorerNode } from '../explorer/nodes.ts';
import type {
  ForwardPortSpec,
  ForwardSpec,
  PortForwardEvent,
  PortForwardInfo,
  PortForwardManager,
} from './engine.ts';
import type { ForwardNode } from './view.ts';
import { localAddress } from './view.ts';
import { podPortChoices, servicePortChoices } from './portChoices.ts';
import { pickForwardPorts } from './portPicker.ts';
import type { Log } from '../logging/log.ts';
import { redact } from '../logging/redact.ts';

type Handler = (context: KubeReachContext, ...args: unknown[]) => unknown;

export const PORT_FORWARD_COMMANDS: Readonly<Record<string, Handler>> = {
  'kubereach.portForward': (context, node) => startForward(context, isExplorerNode(node) ? node : undefined),
  'kubereach.stopForward': async (context, node) => {
    const forward = await forwardOf(context, node);
    if (forward) {
      await (await context.forwards).stop(forward.id);
    }
  },
  'kubereach.stopAllForwards': async (context) => {
    const manager = await context.forwards;
    await Promise.all(manager.list().map((forward) => manager.stop(forward.id)));
  },
  'kubereach.restartForward': async (context, node) => {
    const forward = await forwardOf(context, node);
    if (forward) {
      await (await context.forwards).restart(forward.id);
    }
  },
  'kubereach.openForwardInBrowser': async (context, node) => {
    const target = await portOf(context, node);
    if (!target) {
      return;
    }
    const { forward, index } = target;
    const address = localAddress(forward, index);
    if (!address) {
      return;
    }
    const port = forward.ports[index]!;
    const secure = [443, 8443].includes(port.containerPort ?? 0) || /https|tls/i.test(String(port.remote));
    const scheme = secure ? 'https' : 'http';
    const host = address.startsWith('0.0.0.0') ? address.replace('0.0.0.0', '127.0.0.1') : address;
    await vscode.env.openExternal(vscode.Uri.parse(`${scheme}://${host}/`));
  },
  'kubereach.copyForwardAddress': async (context, node) => {
    const target = await portOf(context, node);
    const address = target ? localAddress(target.forward, target.index) : undefined;
    if (address) {
      await vscode.env.clipboard.writeText(address);
      vscode.window.setStatusBarMessage(`Copied ${address}`, 3000);
    }
  },
  'kubereach.showForwards': async (context) => {
    const manager = await context.forwards;
    const picked = await vscode.window.showQuickPick(
      manager.list().map((forward) => ({
        label: forward.title,
        description: `${forward.state} · ${forward.ports
          .map((_, i) => localAddress(forward, i))
          .filter(Boolean)
          .join(', ')}`,
        detail: forward.reason,
        forward,
      })),
      {
        title: 'Port forwards',
        placeHolder: manager.list().length === 0 ? 'No forwards' : 'Pick one to copy its address',
      },
    );
    const address = picked ? localAddress(picked.forward, 0) : undefined;
    if (address) {
      await vscode.env.clipboard.writeText(address);
      vscode.window.setStatusBarMessage(`Copied ${address}`, 3000);
    }
  },
};

/** An engine notice as a quiet message (never modal): info in the status bar, warnings as notifications. */
export function showForwardNotice(event: Extract<PortForwardEvent, { type: 'notice' }>, log: Log): void {
  // The engine's sentences quote what the API server said: redacted like every surface.
  const message = redact(event.message);
  if (event.severity === 'info') {
    log.info(message);
    vscode.window.setStatusBarMessage(`$(plug) ${message}`, 5000);
  } else {
    log.warn(message);
    void vscode.window.showWarningMessage(message);
  }
}

function isForwardNode(value: unknown): value is ForwardNode {
  return (
    typeof value === 'object' &&
    value !== null &&
    'kind' in value &&
    (value.kind === 'forward' || value.kind === 'forwardPort')
  );
}

async function forwardOf(context: KubeReachContext, node: unknown): Promise<PortForwardInfo | undefined> {
  const manager = await context.forwards;
  if (isForwardNode(node)) {
    return manager.get(node.kind === 'forward' ? node.id : node.forward);
  }
  return pickForward(manager);
}

async function portOf(
  context: KubeReachContext,
  node: unknown,
): Promise<{ forward: PortForwardInfo; index: number } | undefined> {
  const manager = await context.forwards;
  if (isForwardNode(node)) {
    const forward = manager.get(node.kind === 'forward' ? node.id : node.forward);
    return forward ? { forward, index: node.kind === 'forwardPort' ? node.index : 0 } : undefined;
  }
  const forward = await pickForward(manager);
  return forward ? { forward, index: 0 } : undefined;
}

async function pickForward(manager: PortForwardManager): Promise<PortForwardInfo | undefined> {
  if (manager.list().length === 0) {
    void vscode.window.showInformationMessage('There are no port forwards.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    manager.list().map((forward) => ({ label: forward.title, description: forward.state, forward })),
    { title: 'Port forwards', placeHolder: 'Which port forward?' },
  );
  return picked?.forward;
}

/** From a tree node, or from the palette with QuickPicks for the target and its ports. */
async function startForward(context: KubeReachContext, node: ExplorerNode | undefined): Promise<void> {
  const session = await context.session;
  const cache = session.cache;
  if (!cache) {
    void vscode.window.showInformationMessage('KubeReach has no cluster context to forward to.');
    return;
  }
  let target: ForwardSpec['target'] | undefined;
  let preset: Array<number | string> | undefined;
  if (node?.kind === 'pod') {
    target = { kind: 'Pod', namespace: node.namespace, name: node.name };
  } else if (node?.kind === 'containerPort') {
    target = { kind: 'Pod', namespace: node.namespace, name: node.pod };
    const port = cache.pod(node.namespace, node.pod)?.spec?.containers.find((c) => c.name === node.container)
      ?.ports?.[node.index];
    preset = port ? [port.containerPort] : undefined;
  } else if (node?.kind === 'service') {
    target = { kind: 'Service', namespace: node.namespace, name: node.name };
  } else if (node?.kind === 'endpoint' && node.pod) {
    target = { kind: 'Pod', namespace: node.namespace, name: node.pod };
  } else {
    target = await pickTarget(session);
  }
  if (!target) {
    return;
  }
  const remotes = preset ?? (await pickPorts(session, target));
  if (!remotes || remotes.length === 0) {
    return;
  }
  const settings = portForwardSettings();
  const ports: ForwardPortSpec[] = remotes.map((remote) => ({ remote }));
  const spec: ForwardSpec = { target, ports, address: settings.bindAddress };
  await startWithRecovery(context, spec);
}

async function startWithRecovery(context: KubeReachContext, spec: ForwardSpec): Promise<void> {
  const manager = await context.forwards;
  try {
    const forward = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Window,
        title: `Forwarding ${spec.target.kind} ${spec.target.namespace}/${spec.target.name}`,
      },
      () => manager.start(spec),
    );
    const addresses = forward.ports.map((_, i) => localAddress(forward, i)).filter(Boolean);
    vscode.window.setStatusBarMessage(`$(plug) ${forward.title} on ${addresses.join(', ')}`, 5000);
    context.log.info(`Port-forward ${forward.title} listening on ${addresses.join(', ')}`);
  } catch (error) {
    const message = redact(error instanceof Error ? error.message : String(error));
    const code = (error as { code?: string }).code;
    const suggested = (error as { suggestedLocalPort?: number }).suggestedLocalPort;
    if (code === 'local-port-in-use' && suggested) {
      const choice = await vscode.window.showWarningMessage(message, `Use ${suggested}`, 'Choose a Port…');
      let local: number | undefined;
      if (choice === `Use ${suggested}`) {
        local = suggested;
      } else if (choice === 'Choose a Port…') {
        const typed = await vscode.window.showInputBox({
          prompt: 'Local port',
          validateInput: (text) =>
            /^\d+$/.test(text) && Number(text) > 0 && Number(text) < 65536
              ? undefined
              : 'A port number, 1-65535',
        });
        local = typed ? Number(typed) : undefined;
      }
      if (local !== undefined) {
        const busy =
          spec.ports.findIndex((p) => p.local !== undefined) >= 0
            ? spec.ports.findIndex((p) => p.local !== undefined)
            : 0;
        await startWithRecovery(context, {
          ...spec,
          ports: spec.ports.map((p, i) => (i === busy ? { ...p, local } : p)),
        });
      }
      return;
    }
    await context.log.notifyError(
      `Port-forward to ${spec.target.kind} ${spec.target.namespace}/${spec.target.name} failed: ${message}`,
    );
  }
}

async function pickTarget(session: ClusterSession): Promise<ForwardSpec['target'] | undefined> {
  const cache = session.cache!;
  const items: Array<vscode.QuickPickItem & { target?: ForwardSpec['target'] }> = [];
  for (const namespace of session.selectedNamespaces()) {
    items.push({ label: namespace, kind: vscode.QuickPickItemKind.Separator });
    for (const service of cache.services(namespace)) {
      items.push({
        label: `$(symbol-interface) ${service.metadata?.name}`,
        description: `Service · ${(service.spec?.ports ?? []).map((p) => p.port).join(', ')}`,
        target: { kind: 'Service', namespace, name: service.metadata!.name! },
      });
    }
    for (const pod of cache.pods(namespace)) {
      items.push({
        label: `$(symbol-module) ${pod.metadata?.name}`,
        description: `Pod · ${declared(pod).join(', ') || 'no declared ports'}`,
        target: { kind: 'Pod', namespace, name: pod.metadata!.name! },
      });
    }
  }
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Port-forward to…',
    placeHolder: 'Service or Pod',
    matchOnDescription: true,
  });
  return picked?.target;
}

function declared(pod: V1Pod): string[] {
  return (pod.spec?.containers ?? []).flatMap((c) =>
    (c.ports ?? []).map((p) => `${p.containerPort}${p.name ? ` (${p.name})` : ''}`),
  );
}

async function pickPorts(
  session: ClusterSession,
  target: ForwardSpec['target'],
): Promise<Array<number | string> | undefined> {
  const cache = session.cache!;
  const choices =
    target.kind === 'Service'
      ? servicePortChoices(cache.service(target.namespace, target.name))
      : podPortChoices(cache.pod(target.namespace, target.name));
  return pickForwardPorts(target, choices);
}
