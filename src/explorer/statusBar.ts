/** The status bar item: the context KubeReach shows and its namespaces; a click switches context. */
import * as vscode from 'vscode';
import type { ClusterSession } from '../cluster/session.ts';

export class ContextStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(
    'kubereach.context',
    vscode.StatusBarAlignment.Left,
    50,
  );
  private readonly unsubscribe: () => void;
  private readonly session: ClusterSession;

  constructor(session: ClusterSession) {
    this.session = session;
    this.item.name = 'KubeReach Context';
    this.item.command = 'kubereach.switchContext';
    this.unsubscribe = session.onDidChange((event) => {
      if (event.kind !== 'cache' || event.change.connection || event.change.namespaces) {
        this.update();
      }
    });
    this.update();
  }

  private update(): void {
    const context = this.session.context;
    if (!context) {
      this.item.hide();
      return;
    }
    const namespaces = this.session.selectedNamespaces();
    const shown = namespaces.length <= 2 ? namespaces.join(', ') : `${namespaces.length} namespaces`;
    const state = this.session.cache?.state().kind;
    const icon =
      state === 'connected' ? '$(cloud)' : state === 'connecting' ? '$(sync~spin)' : '$(debug-disconnect)';
    this.item.text = `${icon} ${context.name} · ${shown}`;
    this.item.tooltip = `KubeReach: context ${context.name} (${state ?? 'not connected'}), namespaces ${namespaces.join(', ')}. Click to switch context.`;
    this.item.show();
  }

  dispose(): void {
    this.unsubscribe();
    this.item.dispose();
  }
}
