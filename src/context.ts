import type * as vscode from 'vscode';
import type * as ClusterIndex from './cluster/index.ts';
import type { ClusterSession } from './cluster/session.ts';
import type { ClusterTreeProvider } from './explorer/tree.ts';
import type { ExplorerNode } from './explorer/nodes.ts';
import type { ManifestLanguageClient } from './language/client.ts';
import type { PortForwardManager } from './portforward/engine.ts';
import type { Prober } from './probe/prober.ts';
import type { ProbeResultsProvider } from './probe/resultsView.ts';
import type { Log } from './logging/log.ts';

/** The module of `dist/cluster.js`: client-node and the engines built on it (src/cluster/index.ts). */
export type ClusterLayer = typeof ClusterIndex;

/**
 * The long-lived state of one activation, handed to every feature. Features register what they
 * create in `subscriptions`, which VS Code disposes on deactivation.
 */
export interface KubeReachContext {
  readonly extension: vscode.ExtensionContext;
  readonly log: Log;
  readonly languageClient: ManifestLanguageClient;
  /**
   * The one cluster session (kubeconfig, context, informer cache) of the extension host. It is
   * loaded just after activation (client-node is large), so commands await it.
   */
  readonly session: Promise<ClusterSession>;
  /** The cluster layer's module, for the engines a command creates (the Diagnoser, the policy matrix). */
  readonly layer: Promise<ClusterLayer>;
  /** The one port-forward manager, loaded with the session. */
  readonly forwards: Promise<PortForwardManager>;
  readonly explorer: ClusterTreeProvider;
  /** The prober of the context in view (one per context, keeping its per-image tool cache). */
  readonly prober: () => Promise<Prober>;
  readonly probeResults: ProbeResultsProvider;
  readonly treeView: vscode.TreeView<ExplorerNode>;
}
