/**
 * The Get Started walkthrough (`contributes.walkthroughs` in package.json) completes each step on
 * what the user really did, not on a button pressed: the extension sets one context key per step
 * when its event happens, and the step's `completionEvents` name the key (`onContext:…`).
 *
 * - connected: the cluster of the context in view answered (the cache is `connected`);
 * - forwarded: a port-forward became `active` (its first connection to the Pod succeeded);
 * - probed: a probe result arrived in Probe Results;
 * - diagnosed: a diagnosis report (Diagnose Connectivity or External Access) is open;
 * - manifestOpened: a Service, NetworkPolicy or Ingress manifest is open in an editor.
 * Opening the view completes its step by `onView:kubereach.explorer`, which VS Code fires itself.
 */
import * as vscode from 'vscode';
import type { KubeReachContext } from '../context.ts';

export const WALKTHROUGH_KEYS = {
  connected: 'kubereach.walkthrough.connected',
  forwarded: 'kubereach.walkthrough.forwarded',
  probed: 'kubereach.walkthrough.probed',
  diagnosed: 'kubereach.walkthrough.diagnosed',
  manifestOpened: 'kubereach.walkthrough.manifestOpened',
} as const;

/** The webview type of diagnosis reports (src/diagnose/reportPanel.ts). */
const REPORT_VIEW_TYPE = 'kubereach.diagnosis';
const MANIFEST_KIND = /^kind:\s*["']?(Service|NetworkPolicy|Ingress)["']?\s*$/m;

/** Whether a document is a manifest the language server checks (by language and `kind`). */
export function isCheckedManifest(languageId: string, text: string): boolean {
  return languageId === 'yaml' && MANIFEST_KIND.test(text);
}

export function trackWalkthrough(context: KubeReachContext): vscode.Disposable {
  const done = new Set<string>();
  const mark = (key: string) => {
    if (!done.has(key)) {
      done.add(key);
      void vscode.commands.executeCommand('setContext', key, true);
    }
  };
  const disposables: vscode.Disposable[] = [];

  void context.session.then((session) => {
    const check = () => {
      if (session.cache?.state().kind === 'connected') {
        mark(WALKTHROUGH_KEYS.connected);
      }
    };
    check();
    disposables.push({ dispose: session.onDidChange(check) });
  });
  void context.forwards.then((forwards) => {
    disposables.push({
      dispose: forwards.onDidChange((event) => {
        if ((event.type === 'added' || event.type === 'changed') && event.forward.state === 'active') {
          mark(WALKTHROUGH_KEYS.forwarded);
        }
      }),
    });
  });
  disposables.push(
    context.probeResults.onDidChangeTreeData(() => {
      if (context.probeResults.getChildren().length > 0) {
        mark(WALKTHROUGH_KEYS.probed);
      }
    }),
  );

  const checkTabs = () => {
    const report = vscode.window.tabGroups.all
      .flatMap((group) => group.tabs)
      .some(
        // VS Code prefixes the type it reports for a webview tab (`mainThreadWebview-…`).
        (tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith(REPORT_VIEW_TYPE),
      );
    if (report) {
      mark(WALKTHROUGH_KEYS.diagnosed);
    }
  };
  const checkEditor = (editor: vscode.TextEditor | undefined) => {
    if (editor && isCheckedManifest(editor.document.languageId, editor.document.getText())) {
      mark(WALKTHROUGH_KEYS.manifestOpened);
    }
  };
  checkTabs();
  checkEditor(vscode.window.activeTextEditor);
  disposables.push(
    vscode.window.tabGroups.onDidChangeTabs(checkTabs),
    vscode.window.onDidChangeActiveTextEditor(checkEditor),
  );
  return { dispose: () => disposables.forEach((disposable) => disposable.dispose()) };
}
