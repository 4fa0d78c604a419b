/**
 * Active Forwards and Probe Results start collapsed (empty, they would take the sidebar from the
 * cluster tree). Their first item opens them: an item added while such a view is collapsed is
 * revealed, without focus, when the user is looking at KubeReach's sidebar (never switching it).
 */
import type * as vscode from 'vscode';

export function revealNewItems<T>(
  view: vscode.TreeView<T>,
  added: vscode.Event<T>,
  sidebar: vscode.TreeView<unknown>,
): vscode.Disposable {
  return added((item) => {
    if (!view.visible && sidebar.visible) {
      void Promise.resolve(view.reveal(item, { select: false, focus: false })).catch(() => undefined);
    }
  });
}
