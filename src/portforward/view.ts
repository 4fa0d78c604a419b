/**
 * The "Active Forwards" view and status bar item: each forward with its state, addresses,
 * connections and bytes; a child per port with Open in Browser and Copy Address.
 */
import * as vscode from 'vscode';
import type { PortForwardEvent, PortForwardInfo, PortForwardManager } from './engine.ts';
import { forwardPortTooltip } from './portTooltip.ts';

export type ForwardNode =
  | { readonly kind: 'forward'; readonly id: string }
  | { readonly kind: 'forwardPort'; readonly id: string; readonly forward: string; readonly index: number };

export function formatBytes(bytes: number): string {
  if (bytes < 1024) {
    return `${bytes} B`;
  }
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export function localAddress(forward: PortForwardInfo, index: number): string | undefined {
  const local = forward.ports[index]?.local;
  if (!local) {
    return undefined;
  }
  const host = local.address.includes(':') ? `[${local.address}]` : local.address;
  return `${host}:${local.port}`;
}

const STATE_ICON: Record<PortForwardInfo['state'], [string, string | undefined]> = {
  starting: ['loading~spin', undefined],
  active: ['pass-filled', 'testing.iconPassed'],
  reconnecting: ['sync~spin', 'list.warningForeground'],
  failed: ['error', 'list.errorForeground'],
};

export class ForwardsTreeProvider implements vscode.TreeDataProvider<ForwardNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ForwardNode | ForwardNode[] | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly added = new vscode.EventEmitter<ForwardNode>();
  readonly onDidAdd = this.added.event;
  private manager: PortForwardManager | undefined;
  private unsubscribe: () => void = () => undefined;
  private readonly nodes = new Map<string, ForwardNode>();

  attach(manager: PortForwardManager): void {
    this.unsubscribe();
    this.manager = manager;
    this.unsubscribe = manager.onDidChange((event) => this.onEvent(event));
    this.changed.fire(undefined);
  }

  getChildren(node?: ForwardNode): ForwardNode[] {
    const manager = this.manager;
    if (!manager) {
      return [];
    }
    if (!node) {
      return manager.list().map((forward) => this.forwardNode(forward.id));
    }
    if (node.kind === 'forward') {
      const forward = manager.get(node.id);
      return (forward?.ports ?? []).map((_, index) => this.portNode(node.id, index));
    }
    return [];
  }

  getParent(node: ForwardNode): ForwardNode | undefined {
    return node.kind === 'forwardPort' ? this.forwardNode(node.forward) : undefined;
  }

  getTreeItem(node: ForwardNode): vscode.TreeItem {
    const forward = this.manager?.get(node.kind === 'forward' ? node.id : node.forward);
    if (!forward) {
      return new vscode.TreeItem('(stopped)');
    }
    if (node.kind === 'forward') {
      const item = new vscode.TreeItem(forward.title, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `fwd/${forward.id}`;
      const addresses = forward.ports.map((_, i) => localAddress(forward, i)).filter(Boolean);
      item.description = [
        forward.state === 'active' ? addresses.join(', ') : forward.state,
        forward.pod ? `→ ${forward.pod.name}` : undefined,
        `${forward.connections} conn`,
        `↓${formatBytes(forward.bytesIn)} ↑${formatBytes(forward.bytesOut)}`,
      ]
        .filter(Boolean)
        .join(' · ');
      const [icon, color] = STATE_ICON[forward.state];
      item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
      const tooltip = new vscode.MarkdownString();
      tooltip.appendMarkdown(`**${forward.title}** (${forward.spec.context ?? 'current context'})\n\n`);
      tooltip.appendMarkdown(`State: ${forward.state}${forward.reason ? ` — ${forward.reason}` : ''}\n\n`);
      if (forward.pod) {
        tooltip.appendMarkdown(
          `Pod: \`${forward.pod.namespace}/${forward.pod.name}\` (${forward.pod.ip}, ${forward.pod.ready ? 'ready' : 'not ready'})\n\n`,
        );
      }
      tooltip.appendMarkdown(
        `Connections: ${forward.connections} open · received ${formatBytes(forward.bytesIn)} · sent ${formatBytes(forward.bytesOut)}`,
      );
      item.tooltip = tooltip;
      item.contextValue = `forward.${forward.state}`;
      return item;
    }
    const port = forward.ports[node.index];
    const address = localAddress(forward, node.index);
    const item = new vscode.TreeItem(address ?? 'not listening', vscode.TreeItemCollapsibleState.None);
    item.id = `fwd/${forward.id}/${node.index}`;
    item.description = [
      `→ ${port?.remoteAddress ?? (forward.pod ? forward.pod.name : '?')}${port?.containerPort ? '' : `:${String(port?.remote)}`}`,
      typeof port?.remote === 'string' ? `(${port.remote})` : undefined,
      port && port.connections > 0 ? `${port.connections} open` : undefined,
      port?.lastError ? `last error: ${port.lastError}` : undefined,
    ]
      .filter(Boolean)
      .join(' ');
    item.iconPath = new vscode.ThemeIcon('plug');
    item.tooltip = new vscode.MarkdownString(forwardPortTooltip(forward, node.index));
    item.contextValue = address ? 'forwardPort' : 'forwardPort.unbound';
    item.command = address
      ? { command: 'kubereach.copyForwardAddress', title: 'Copy Address', arguments: [node] }
      : undefined;
    return item;
  }

  dispose(): void {
    this.unsubscribe();
    this.changed.dispose();
    this.added.dispose();
  }

  private onEvent(event: PortForwardEvent): void {
    if (event.type === 'changed') {
      this.changed.fire(this.forwardNode(event.forward.id));
    } else if (event.type === 'added' || event.type === 'removed') {
      this.changed.fire(undefined);
      if (event.type === 'added') {
        this.added.fire(this.forwardNode(event.forward.id));
      }
    }
  }

  private forwardNode(id: string): ForwardNode {
    const key = `f/${id}`;
    let node = this.nodes.get(key);
    if (!node) {
      node = { kind: 'forward', id };
      this.nodes.set(key, node);
    }
    return node;
  }

  private portNode(forward: string, index: number): ForwardNode {
    const key = `p/${forward}/${index}`;
    let node = this.nodes.get(key);
    if (!node) {
      node = { kind: 'forwardPort', id: key, forward, index };
      this.nodes.set(key, node);
    }
    return node;
  }
}

/** "$(plug) 2 forwards"; a click lists them. Hidden when there are none. */
export class ForwardsStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(
    'kubereach.forwards',
    vscode.StatusBarAlignment.Left,
    49,
  );
  private readonly unsubscribe: () => void;
  private readonly manager: PortForwardManager;

  constructor(manager: PortForwardManager) {
    this.manager = manager;
    this.item.name = 'KubeReach Port Forwards';
    this.item.command = 'kubereach.showForwards';
    this.unsubscribe = manager.onDidChange(() => this.update());
    this.update();
  }

  private update(): void {
    const forwards = this.manager.list();
    const active = forwards.filter((f) => f.state === 'active').length;
    if (forwards.length === 0) {
      this.item.hide();
      return;
    }
    const troubled = forwards.length - active;
    this.item.text = `$(plug) ${active} forward${active === 1 ? '' : 's'}${troubled > 0 ? ` $(warning) ${troubled}` : ''}`;
    this.item.tooltip = forwards.map((f) => `${f.title}: ${f.state}`).join('\n');
    this.item.show();
  }

  dispose(): void {
    this.unsubscribe();
    this.item.dispose();
  }
}
