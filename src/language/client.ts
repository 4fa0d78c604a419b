import * as vscode from 'vscode';
import { LanguageClient, TransportKind } from 'vscode-languageclient/node';
import type { LanguageClientOptions, ServerOptions } from 'vscode-languageclient/node';
import { LANGUAGE_SERVER_ID, SETTINGS_SECTION } from '../shared/protocol.ts';
import type { InitializationOptions } from '../shared/protocol.ts';

const YAML_SELECTOR = [
  { scheme: 'file', language: 'yaml' },
  { scheme: 'untitled', language: 'yaml' },
];

/**
 * Owns the language client. The server process is started only once a YAML document is open,
 * so activating KubeReach for the explorer alone costs no extra process.
 */
export class ManifestLanguageClient implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly serverModule: string;
  private readonly version: string;

  constructor(serverModule: string, version: string) {
    this.serverModule = serverModule;
    this.version = version;
    if (vscode.workspace.textDocuments.some(isYaml)) {
      this.start();
    } else {
      const listener = vscode.workspace.onDidOpenTextDocument((document) => {
        if (isYaml(document)) {
          listener.dispose();
          this.start();
        }
      });
      this.subscriptions.push(listener);
    }
  }

  private start(): void {
    if (this.client) {
      return;
    }
    const serverOptions: ServerOptions = {
      run: { module: this.serverModule, transport: TransportKind.ipc },
      debug: { module: this.serverModule, transport: TransportKind.ipc, options: { execArgv: ['--inspect=6010'] } },
    };
    const initializationOptions: InitializationOptions = { clientVersion: this.version };
    const clientOptions: LanguageClientOptions = {
      documentSelector: YAML_SELECTOR,
      synchronize: { configurationSection: SETTINGS_SECTION },
      initializationOptions,
    };
    this.client = new LanguageClient(LANGUAGE_SERVER_ID, 'KubeReach Language Server', serverOptions, clientOptions);
    // start() rejects if the server cannot be spawned; the client already logs that to its own channel.
    this.client.start().catch(() => undefined);
  }

  /** Stops the server; what `deactivate` returns so VS Code waits for a clean shutdown. */
  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client?.needsStop()) {
      await client.stop();
    }
  }

  dispose(): void {
    for (const subscription of this.subscriptions.splice(0)) {
      subscription.dispose();
    }
    void this.stop();
  }
}

function isYaml(document: vscode.TextDocument): boolean {
  return document.languageId === 'yaml';
}
