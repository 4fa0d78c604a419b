/**
 * Activation only: build the context, register each feature, and hand VS Code what to dispose.
 * Features live in their own folders; nothing here computes.
 */
import * as vscode from 'vscode';
import type { ClusterSession } from './cluster/session.ts';
import { registerCommands } from './commands.ts';
import { kubeconfigSetting } from './config/settings.ts';
import type { ClusterLayer, KubeReachContext } from './context.ts';
import { ContextStatusBar } from './explorer/statusBar.ts';
import { ClusterTreeProvider } from './explorer/tree.ts';
import { LiveObjectDocuments, YAML_SCHEME } from './explorer/yamlDocuments.ts';
import { ManifestLanguageClient } from './language/client.ts';
import { Log } from './logging/log.ts';
import { portForwardSettings, probeSettings } from './config/settings.ts';
import { ProbeResultsProvider } from './probe/resultsView.ts';
import type { PortForwardEvent, PortForwardManager } from './portforward/engine.ts';
import { showForwardNotice } from './portforward/commands.ts';
import { ForwardsStatusBar, ForwardsTreeProvider } from './portforward/view.ts';
import { trackWalkthrough } from './ui/walkthrough.ts';
import { revealNewItems } from './ui/revealNew.ts';

let active: KubeReachContext | undefined;

export function activate(extension: vscode.ExtensionContext): void {
  const log = new Log();
  const version = String((extension.extension.packageJSON as { version?: unknown }).version ?? 'dev');
  let resolveSession: (session: ClusterSession) => void = () => undefined;
  const sessionForClient = new Promise<ClusterSession>((resolve) => (resolveSession = resolve));
  const languageClient = new ManifestLanguageClient(
    extension.asAbsolutePath('dist/server.js'),
    version,
    sessionForClient,
  );
  const explorer = new ClusterTreeProvider();
  const treeView = vscode.window.createTreeView('kubereach.explorer', {
    treeDataProvider: explorer,
    showCollapseAll: true,
    canSelectMany: true,
  });
  const probeResults = new ProbeResultsProvider();
  const forwardsView = new ForwardsTreeProvider();
  extension.subscriptions.push(log, languageClient, explorer, treeView, forwardsView, probeResults);
  const forwardsTree = vscode.window.createTreeView('kubereach.forwards', { treeDataProvider: forwardsView });
  const probeTree = vscode.window.createTreeView('kubereach.probeResults', {
    treeDataProvider: probeResults,
  });
  extension.subscriptions.push(
    forwardsTree,
    probeTree,
    revealNewItems(forwardsTree, forwardsView.onDidAdd, treeView),
    revealNewItems(probeTree, probeResults.onDidAdd, treeView),
  );

  let disposed = false;
  extension.subscriptions.push({ dispose: () => (disposed = true) });
  // client-node is most of the extension: load it on the next turn, not inside activate().
  const loadedLayer = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
    // A plain require of the sibling bundle, which esbuild leaves alone (it is marked external).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const cluster = require('./cluster.js') as ClusterLayer;
    const { ClusterSession: Session, PortForwardManager, Prober } = cluster;
    const loaded = new Session({
      settings: () => ({ kubeconfigSetting: kubeconfigSetting().path, trusted: vscode.workspace.isTrusted }),
      memory: {
        get: (key) => extension.globalState.get(key),
        set: (key, value) => void extension.globalState.update(key, value),
      },
      log: (line) => log.info(line),
    });
    resolveSession(loaded);
    const documents = new LiveObjectDocuments(loaded, cluster.objectYaml);
    const disposables: vscode.Disposable[] = [
      { dispose: () => loaded.dispose() },
      documents,
      vscode.workspace.registerTextDocumentContentProvider(YAML_SCHEME, documents),
      new ContextStatusBar(loaded),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('kubereach.kubeconfig')) {
          loaded.reload();
        }
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => loaded.reload()),
    ];
    const forwards = new PortForwardManager({
      log: (line) => log.info(line),
      watchNamespaces: (namespaces) => loaded.setAdditionalNamespaces(namespaces, 'forwards'),
    });
    const bindCluster = () =>
      forwards.setCluster(
        loaded.cache ? { cache: loaded.cache, kubeConfig: () => loaded.kubeConfig! } : undefined,
      );
    bindCluster();
    disposables.push(
      { dispose: () => void forwards.dispose() },
      {
        dispose: loaded.onDidChange((event) =>
          event.kind === 'context' || event.kind === 'kubeconfig' ? bindCluster() : undefined,
        ),
      },
      { dispose: forwards.onDidChange((event) => onForwardEvent(event, extension, forwards, log)) },
      new ForwardsStatusBar(forwards),
    );
    if (disposed) {
      disposables.forEach((d) => d.dispose());
    } else {
      extension.subscriptions.push(...disposables);
      explorer.attach(loaded);
      forwardsView.attach(forwards);
      if (portForwardSettings().restoreOnReload) {
        void forwards.restore(extension.workspaceState.get('kubereach.forwards')).then((results) => {
          for (const result of results.filter((r) => r.error)) {
            const target = result.spec.target;
            log.warn(
              `Could not restore the forward to ${target.kind} ${target.namespace}/${target.name}: ${result.error}`,
            );
          }
        });
      }
    }
    // One prober per context, so each keeps its per-image cache of detected tools.
    const probers = new Map<string, InstanceType<typeof Prober>>();
    const proberFor = () => {
      const cache = loaded.cache;
      if (!cache?.kubeConfig) {
        throw new Error('KubeReach has no cluster context to probe in.');
      }
      let prober = probers.get(cache.contextName);
      if (!prober) {
        prober = new Prober({ kubeconfig: cache.kubeConfig, debugImage: probeSettings().debugImage });
        probers.set(cache.contextName, prober);
      }
      return prober;
    };
    return { cluster, session: loaded, forwards, proberFor };
  });
  loadedLayer.catch(
    (error: unknown) => void log.notifyError('KubeReach could not load its cluster layer', error),
  );
  const layer = loadedLayer.then((loaded) => loaded.cluster);
  const session = loadedLayer.then((layer) => layer.session);
  const forwards = loadedLayer.then((layer) => layer.forwards);
  const prober = () => loadedLayer.then((layer) => layer.proberFor());

  const context: KubeReachContext = {
    extension,
    log,
    languageClient,
    session,
    layer,
    forwards,
    explorer,
    treeView,
    prober,
    probeResults,
  };
  extension.subscriptions.push(...registerCommands(context), trackWalkthrough(context));
  active = context;
  log.info(`KubeReach ${version} activated (extension host Node ${process.version})`);
}

/** Saves the forwards for the next window, and shows engine notices. */
function onForwardEvent(
  event: PortForwardEvent,
  extension: vscode.ExtensionContext,
  forwards: PortForwardManager,
  log: Log,
): void {
  if (event.type === 'added' || event.type === 'removed') {
    void extension.workspaceState.update('kubereach.forwards', forwards.toJSON());
  }
  if (event.type === 'notice') {
    showForwardNotice(event, log);
  }
}

export function deactivate(): Promise<void> | undefined {
  const context = active;
  active = undefined;
  return context?.languageClient.stop();
}
