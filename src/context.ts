import type * as vscode from 'vscode';
import type { ManifestLanguageClient } from './language/client.ts';
import type { Log } from './logging/log.ts';

/**
 * The long-lived state of one activation, handed to every feature. Features register what they
 * create in `subscriptions`, which VS Code disposes on deactivation.
 */
export interface KubeReachContext {
  readonly extension: vscode.ExtensionContext;
  readonly log: Log;
  readonly languageClient: ManifestLanguageClient;
}
