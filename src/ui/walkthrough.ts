/**
 * The Get Started walkthrough (`contributes.walkthroughs` in package.json) completes each step on
 * what the user really did, not on a button pressed: the extension raises one context key per step
 * when its event happens, and the step's `completionEvents` name the key (`onContext:…`).
 *
 * - connected: the cluster of the context in view answered (the cache turned `connected`, or the
 *   view was shown while it is);
 * - forwarded: a port-forward became `active` (its first connection to the Pod succeeded);
 * - probed: a probe result arrived in Probe Results;
 * - diagnosed: a diagnosis report (Diagnose Connectivity or External Access) opened or came to front;
 * - manifestOpened: a Service, NetworkPolicy or Ingress manifest came to front in an editor.
 * Opening the view completes its step by `onView:kubereach.explorer`, which VS Code fires itself.
 *
 * The keys are true only for a moment (a pulse). VS Code completes a step when its key *becomes*
 * true after it registered the walkthrough, which it does lazily, when the walkthrough is first
 * shown; a key that was already true then would never complete its step in that window.
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

const PULSE_MS = 1500;

export function trackWalkthrough(context: KubeReachContext): vscode.Disposable {
  const timers = new Map<string, NodeJS.Timeout>();
  const pulse = (key: string) => {
    void vscode.commands.executeCommand('setContext', key, true);
    clearTimeout(timers.get(key));
    timers.set(
      key,
      setTimeout(() => void vscode.commands.executeCommand('setContext', key, false), PULSE_MS),
    );
  };
  const disposables: vscode.Disposable[] = [
    { dispose: () => timers.forEach((timer) => clearTimeout(timer)) },
  ];

  let connected = false;
  void context.session.then((session) => {
    const check = () => {
      const now = session.cache?.state().kind === 'connected';
      if (now && !connected) {
        pulse(WALKTHROUGH_KEYS.connected);
      }
      connected = now;
    };
    check();
    disposables.push({ dispose: session.onDidChange(check) });
  });
  disposables.push(
    context.treeView.onDidChangeVisibility((event) => {
      if (event.visible && connected) {
        pulse(WALKTHROUGH_KEYS.connected);
      }
    }),
  );
  void context.forwards.then((forwards) => {
    const active = new Set<string>();
    disposables.push({
      dispose: forwards.onDidChange((event) => {
        if (event.type === 'added' || event.type === 'changed') {
          if (event.forward.state === 'active' && !active.has(event.forward.id)) {
            pulse(WALKTHROUGH_KEYS.forwarded);
          }
          if (event.forward.state === 'active') {
            active.add(event.forward.id);
          } else {
            active.delete(event.forward.id);
          }
        } else if (event.type === 'removed') {
          active.delete(event.id);
        }
      }),
    });
  });
  let probes = 0;
  disposables.push(
    context.probeResults.onDidChangeTreeData(() => {
      const count = context.probeResults.getChildren().length;
      if (count > probes) {
        pulse(WALKTHROUGH_KEYS.probed);
      }
      probes = count;
    }),
  );

  // VS Code prefixes the type it reports for a webview tab (`mainThreadWebview-…`).
  const isReport = (tab: vscode.Tab) =>
    tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith(REPORT_VIEW_TYPE);
  disposables.push(
    vscode.window.tabGroups.onDidChangeTabs((event) => {
      if ([...event.opened, ...event.changed].some((tab) => tab.isActive && isReport(tab))) {
        pulse(WALKTHROUGH_KEYS.diagnosed);
      }
    }),
    vscode.window.onDidChangeActiveTextEditor((editor) => {
      if (editor && isCheckedManifest(editor.document.languageId, editor.document.getText())) {
        pulse(WALKTHROUGH_KEYS.manifestOpened);
      }
    }),
  );
  return { dispose: () => disposables.forEach((disposable) => disposable.dispose()) };
}
