/**
 * What the extension host and the language server share: settings shapes and initialization
 * options. Nothing here may import `vscode` or Node's network modules; both processes bundle it,
 * and the extension imports it at activation, so it imports nothing at all. The custom LSP
 * messages live in `messages.ts`, which the client loads with the language client.
 */

/** The language server's id, used by the client for its output channel and `kubereach.trace.server`. */
export const LANGUAGE_SERVER_ID = 'kubereach';

/** The section of `workspace/configuration` the server asks for. */
export const SETTINGS_SECTION = 'kubereach';

/**
 * Settings the server reads through `workspace/configuration` (section `kubereach`), per document
 * (`scopeUri` is the document's URI), cached until `workspace/didChangeConfiguration`.
 */
export interface ServerSettings {
  /** `kubereach.clusterAware`: check manifests against the live cluster as well as the workspace. */
  readonly clusterAware: boolean;
}

export const DEFAULT_SERVER_SETTINGS: ServerSettings = { clusterAware: true };

/**
 * Settings the server reads once for the whole window (`workspace/configuration` without a scope).
 * `kubeconfig` is honoured only while the client says the workspace is trusted.
 */
export interface ServerGlobalSettings {
  /** `kubereach.kubeconfig`: used when neither KUBECONFIG nor ~/.kube/config provides a kubeconfig. */
  readonly kubeconfig: string | undefined;
}

/** Options the client passes in `initializationOptions`. */
export interface InitializationOptions {
  /** The extension's version, so the server can refuse a mismatched client. */
  readonly clientVersion: string;
  /**
   * `vscode.workspace.isTrusted`. The `kubereach.kubeconfig` setting can name a kubeconfig whose
   * exec plugins run commands, so the server ignores it unless this is true. Absent means false.
   * Later grants arrive as `WorkspaceTrustNotification`.
   */
  readonly workspaceTrusted?: boolean;
  /**
   * The context the cluster explorer shows (KubeReach's own choice, which may differ from the
   * kubeconfig's current-context). Absent: the kubeconfig's current-context. Later switches
   * arrive as `ClusterContextNotification`.
   */
  readonly clusterContext?: string;
}
