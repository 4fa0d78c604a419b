/**
 * Activation only: build the context, register each feature, and hand VS Code what to dispose.
 * Features live in their own folders; nothing here computes.
 */
import type * as vscode from 'vscode';
import { registerCommands } from './commands.ts';
import type { KubeReachContext } from './context.ts';
import { ManifestLanguageClient } from './language/client.ts';
import { Log } from './logging/log.ts';

let active: KubeReachContext | undefined;

export function activate(extension: vscode.ExtensionContext): void {
  const log = new Log();
  const version = String((extension.extension.packageJSON as { version?: unknown }).version ?? 'dev');
  const languageClient = new ManifestLanguageClient(extension.asAbsolutePath('dist/server.js'), version);
  const context: KubeReachContext = { extension, log, languageClient };
  extension.subscriptions.push(log, languageClient, ...registerCommands(context));
  active = context;
  log.info(`KubeReach ${version} activated (extension host Node ${process.version})`);
}

export function deactivate(): Promise<void> | undefined {
  const context = active;
  active = undefined;
  return context?.languageClient.stop();
}
