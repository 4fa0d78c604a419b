/**
 * What the extension host and the language server share: settings shapes and custom LSP messages.
 * Nothing here may import `vscode` or Node's network modules; both processes bundle it.
 */

/** The language server's id, used by the client for its output channel and `kubereach.trace.server`. */
export const LANGUAGE_SERVER_ID = 'kubereach';

/** The section of `workspace/configuration` the server asks for. */
export const SETTINGS_SECTION = 'kubereach';

/** Settings the server reads through `workspace/configuration`, per document. */
export interface ServerSettings {
  /** Check manifests against the live cluster as well as the workspace. */
  readonly clusterAware: boolean;
}

export const DEFAULT_SERVER_SETTINGS: ServerSettings = { clusterAware: true };

/** Options the client passes in `initializationOptions`. */
export interface InitializationOptions {
  /** The extension's version, so the server can refuse a mismatched client. */
  readonly clientVersion: string;
}
