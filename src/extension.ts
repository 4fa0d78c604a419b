/**
 * Activation only: build the context, register each feature, and hand VS Code what to dispose.
 * Features live in their own folders; nothing here computes.
 */
import * as vscode from 'vscode';
import { ClusterSession } from './cluster/session.ts';
import { registerCommands } from './commands.ts';
import { kubeconfigSetting } from './config/settings.ts';
import type { KubeReachContext } from './context.ts';
import { ContextStatusBar } from './explorer/statusBar.ts';
import { ClusterTreeProvider } from './explorer/tree.ts';
import { LiveObjectDocuments, YAML_SCHEME } from './explorer/yamlDocuments.ts';
import { ManifestLanguageClient } from './language/client.ts';
import { Log } from './logging/log.ts';

let active: KubeReachContext | undefined;

export function activate(extension: vscode.ExtensionContext): void {
  const log = new Log();
  const version = String((extension.extension.packageJSON as { version?: unknown }).version ?? 'dev');
  const languageClient = new ManifestLanguageClient(extension.asAbsolutePath('dist/server.js'), version);
  const session = new ClusterSession({
    settings: () => ({ kubeconfigSetting: kubeconfigSetting().path, trusted: vscode.workspace.isTrusted }),
    memory: {
      get: (key) => extension.globalState.get(key),
      set: (key, value) => void extension.globalState.update(key, value),
    },
    log: (line) => log.info(line),
  });
  const explorer = new ClusterTreeProvider(session);
  const treeView = vscode.window.createTreeView('kubereach.explorer', {
    treeDataProvider: explorer,
    showCollapseAll: true,
  });
  const context: KubeReachContext = { extension, log, languageClient, session, explorer, treeView };
  const documents = new LiveObjectDocuments(session);
  extension.subscriptions.push(
    log,
    languageClient,
    { dispose: () => session.dispose() },
    explorer,
    treeView,
    documents,
    vscode.workspace.registerTextDocumentContentProvider(YAML_SCHEME, documents),
    new ContextStatusBar(session),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('kubereach.kubeconfig')) {
        session.reload();
      }
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => session.reload()),
    ...registerCommands(context),
  );
  active = context;
  log.info(`KubeReach ${version} activated (extension host Node ${process.version})`);
}

export function deactivate(): Promise<void> | undefined {
  const context = active;
  active = undefined;
  return context?.languageClient.stop();
}
