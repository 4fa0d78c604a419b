import * as vscode from 'vscode';
import type { LanguageClient, LanguageClientOptions, ServerOptions } from 'vscode-languageclient/node';
import type { ClusterSession } from '../cluster/session.ts';
import type * as ClientLibrary from './library.ts';
import { LANGUAGE_SERVER_ID } from '../shared/protocol.ts';
import type { InitializationOptions } from '../shared/protocol.ts';

const YAML_SELECTOR = [
  { scheme: 'file', language: 'yaml' },
  { scheme: 'untitled', language: 'yaml' },
];

/** What the client reads of the explorer's session: the context it shows, and when that changes. */
export type ExplorerContext = Pick<ClusterSession, 'context' | 'onDidChange'>;

/** The sibling bundle `dist/languageClient.js`, a plain require esbuild leaves alone (it is external). */
function requireClientLibrary(): typeof ClientLibrary {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./languageClient.js') as typeof ClientLibrary;
}

/**
 * Owns the language client. The server process is started only once a YAML document is open,
 * so activating KubeReach for the explorer alone costs no extra process. The server follows the
 * explorer: a context switch and a grant of workspace trust are passed on as they happen.
 */
export class ManifestLanguageClient implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private starting: Promise<void> | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly serverModule: string;
  private readonly version: string;
  private readonly session: Promise<ExplorerContext>;
  private readonly loadLibrary: () => typeof ClientLibrary;

  /** `session` tells the server which context the explorer shows, so both speak of the same cluster. */
  constructor(
    serverModule: string,
    version: string,
    session: Promise<ExplorerContext>,
    loadLibrary: () => typeof ClientLibrary = requireClientLibrary,
  ) {
    this.serverModule = serverModule;
    this.version = version;
    this.session = session;
    this.loadLibrary = loadLibrary;
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
    this.starting ??= this.startClient().catch(() => {
      // start() rejects if the server cannot be spawned; the client already logs that to its own channel.
    });
  }

  private async startClient(): Promise<void> {
    // Loaded on first use from its own bundle (see library.ts).
    const { LanguageClient, TransportKind, ClusterContextNotification, WorkspaceTrustNotification } =
      this.loadLibrary();
    const serverOptions: ServerOptions = {
      run: { module: this.serverModule, transport: TransportKind.ipc },
      debug: {
        module: this.serverModule,
        transport: TransportKind.ipc,
        options: { execArgv: ['--inspect=6010'] },
      },
    };
    const session = await this.session;
    const initializationOptions: InitializationOptions = {
      clientVersion: this.version,
      workspaceTrusted: vscode.workspace.isTrusted,
      ...(session.context ? { clusterContext: session.context.name } : {}),
    };
    // The server registers its own configuration and file watchers: no `synchronize` here.
    const clientOptions: LanguageClientOptions = {
      documentSelector: YAML_SELECTOR,
      initializationOptions,
    };
    const client = new LanguageClient(
      LANGUAGE_SERVER_ID,
      'KubeReach Language Server',
      serverOptions,
      clientOptions,
    );
    this.client = client;
    await client.start();
    // Both subscriptions start after `start()`: what happened before is in initializationOptions,
    // except a change during the start itself, which the first comparison below catches.
    let sentContext = initializationOptions.clusterContext;
    const sendContext = () => {
      const context = session.context?.name;
      if (context !== sentContext && this.client === client) {
        sentContext = context;
        void client.sendNotification(ClusterContextNotification.type, { context }).catch(() => undefined);
      }
    };
    const unsubscribe = session.onDidChange((event) => {
      if (event.kind === 'context' || event.kind === 'kubeconfig') {
        sendContext();
      }
    });
    this.subscriptions.push(
      { dispose: unsubscribe },
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        if (this.client === client) {
          void client
            .sendNotification(WorkspaceTrustNotification.type, { trusted: true })
            .catch(() => undefined);
        }
      }),
    );
    sendContext();
    if (vscode.workspace.isTrusted && !initializationOptions.workspaceTrusted) {
      void client.sendNotification(WorkspaceTrustNotification.type, { trusted: true }).catch(() => undefined);
    }
  }

  /** Stops the server; what `deactivate` returns so VS Code waits for a clean shutdown. */
  async stop(): Promise<void> {
    await this.starting;
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
