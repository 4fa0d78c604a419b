/**
 * The manifest language server: wires documents, settings, the workspace index and the cluster
 * to the pure analysis in `src/analysis/manifests/`, and answers diagnostics (pushed), hovers and
 * quick fixes.
 *
 * Responsiveness: parsing and analysis are generators run by one Slicer, a few milliseconds per
 * turn of the event loop for all documents together, so a 10 MB file never holds a hover or the
 * diagnostics of another document for long; a newer version of a document abandons the pass that
 * was validating an older one. Edits re-parse only the documents (between `---`) that changed.
 * Validations run side by side; what they share (the workspace index, the cluster snapshot) is
 * only touched between steps.
 */
import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  MarkupKind,
  TextDocuments,
  TextDocumentSyncKind,
} from 'vscode-languageserver/node';
import type {
  CodeAction,
  CodeActionParams,
  Connection,
  Hover,
  HoverParams,
  InitializeParams,
  InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyzeSteps } from '../analysis/manifests/analyze.ts';
import type { ManifestDiagnostic } from '../analysis/manifests/analyze.ts';
import { ChunkCache, parseManifestFile, parseManifestFileSteps } from '../analysis/manifests/document.ts';
import type { ManifestFile } from '../analysis/manifests/document.ts';
import { hoverAt } from '../analysis/manifests/hover.ts';
import { redact } from '../logging/redact.ts';
import {
  ClusterContextNotification,
  ServerStatusRequest,
  WorkspaceTrustNotification,
} from '../shared/messages.ts';
import type { ServerStatus } from '../shared/messages.ts';
import type { InitializationOptions } from '../shared/protocol.ts';
import { ServerCluster } from './cluster.ts';
import { affectedBy, namespacesOf, NO_READS, recordReads } from './clusterReads.ts';
import type { ClusterChangeScope, ClusterReads } from './clusterReads.ts';
import { DIAGNOSTIC_SOURCE, sameDiagnostic, toCodeAction, toLspDiagnostic } from './convert.ts';
import { SettingsCache } from './settings.ts';
import { Slicer } from './slicer.ts';
import { WorkspaceIndex } from './workspaceIndex.ts';
import { ingressConversionAction } from './gatewayAction.ts';

/** How long parsing and analysis may hold the event loop per turn, all documents together. */
const SLICE_MS = 4;

/** A hover on a version not parsed yet parses it on the spot up to this size; beyond, it waits. */
const HOVER_PARSE_LIMIT = 512 * 1024;

interface DocumentState {
  generation: number;
  readonly cache: ChunkCache;
  file: ManifestFile | undefined;
  fileVersion: number | undefined;
  diagnostics: readonly ManifestDiagnostic[];
  diagnosticsVersion: number | undefined;
  /** Namespaces of the Services, NetworkPolicies and Ingresses in the document (undefined: none written). */
  namespaces: ReadonlySet<string | undefined>;
  clusterAware: boolean;
  /** What the last cluster-aware validation read of the cluster: a change there validates again. */
  clusterReads: ClusterReads;
}

export interface ServerOptions {
  readonly version: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export class ManifestServer {
  private readonly connection: Connection;
  private readonly documents = new TextDocuments(TextDocument);
  private readonly states = new Map<string, DocumentState>();
  private readonly settings: SettingsCache;
  private readonly index: WorkspaceIndex;
  private readonly cluster: ServerCluster;
  private readonly version: string;
  private readonly pending = new Set<string>();
  private readonly slicer = new Slicer(SLICE_MS);
  private flushScheduled = false;
  private folders: string[] = [];
  private trusted = false;
  private context: string | undefined;
  private kubeconfigSetting: string | undefined;
  private capabilities = {
    configuration: false,
    watchedFiles: false,
    configurationChange: false,
    documentChanges: false,
    createFiles: false,
    folders: false,
  };

  constructor(connection: Connection, options: ServerOptions) {
    this.connection = connection;
    this.version = options.version;
    const log = (line: string) => this.log(line);
    this.settings = new SettingsCache(connection, log);
    this.index = new WorkspaceIndex({ log });
    this.cluster = new ServerCluster({
      log: (line) => this.log(`cluster: ${line}`),
      onChange: (scope) => this.clusterChanged(scope),
      ...(options.env ? { env: options.env } : {}),
    });
    this.index.onDidChange(() => this.scheduleAll());

    connection.onInitialize((params) => this.initialize(params));
    connection.onInitialized(() => void this.initialized());
    connection.onShutdown(() => this.cluster.dispose());
    connection.onDidChangeConfiguration((params) => void this.configurationChanged(params.settings));
    connection.onDidChangeWatchedFiles((params) => {
      for (const change of params.changes) {
        if (change.type === FileChangeType.Deleted) {
          this.index.fileDeleted(change.uri);
        } else {
          void this.index.fileChanged(change.uri);
        }
      }
    });
    connection.onHover((params) => this.guard('hover', () => this.hover(params), null));
    connection.onCodeAction((params) => this.guard('code actions', () => this.codeActions(params), []));
    connection.onRequest(ServerStatusRequest.type, () => this.status());
    connection.onNotification(WorkspaceTrustNotification.type, (params) => {
      this.trusted = params.trusted === true;
      this.configureCluster();
    });
    connection.onNotification(ClusterContextNotification.type, (params) => {
      this.context = typeof params.context === 'string' && params.context !== '' ? params.context : undefined;
      this.configureCluster();
    });

    this.documents.onDidChangeContent((event) => this.schedule(event.document.uri));
    this.documents.onDidClose((event) => this.closed(event.document.uri));
    this.documents.listen(connection);
  }

  // -------------------------------------------------------------------------------------------
  // Lifecycle

  private initialize(params: InitializeParams): InitializeResult {
    const options = (params.initializationOptions ?? {}) as Partial<InitializationOptions>;
    this.trusted = options.workspaceTrusted === true;
    this.context =
      typeof options.clusterContext === 'string' && options.clusterContext !== ''
        ? options.clusterContext
        : undefined;
    const workspace = params.capabilities.workspace;
    this.capabilities = {
      configuration: workspace?.configuration === true,
      watchedFiles: workspace?.didChangeWatchedFiles?.dynamicRegistration === true,
      configurationChange: workspace?.didChangeConfiguration?.dynamicRegistration === true,
      documentChanges: workspace?.workspaceEdit?.documentChanges === true,
      createFiles:
        workspace?.workspaceEdit?.documentChanges === true &&
        (workspace.workspaceEdit.resourceOperations ?? []).includes('create'),
      folders: workspace?.workspaceFolders === true,
    };
    this.settings.enablePull(this.capabilities.configuration);
    this.folders =
      params.workspaceFolders?.map((folder) => folder.uri) ?? (params.rootUri ? [params.rootUri] : []);
    this.log(
      `KubeReach language server ${this.version} started (client ${options.clientVersion ?? 'unknown'}, Node ${process.version}, workspace ${this.trusted ? 'trusted' : 'not trusted'})`,
    );
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        hoverProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.RefactorRewrite] },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'KubeReach', version: this.version },
    };
  }

  private async initialized(): Promise<void> {
    try {
      if (this.capabilities.watchedFiles) {
        await this.connection.client.register(DidChangeWatchedFilesNotification.type, {
          watchers: [{ globPattern: '**/*.{yaml,yml}' }, { globPattern: '**/Kustomization' }],
        });
      }
      if (this.capabilities.configurationChange) {
        await this.connection.client.register(DidChangeConfigurationNotification.type, {
          section: 'kubereach',
        });
      }
      if (this.capabilities.folders) {
        this.connection.workspace.onDidChangeWorkspaceFolders((event) => {
          this.folders = [
            ...this.folders.filter((uri) => !event.removed.some((folder) => folder.uri === uri)),
            ...event.added.map((folder) => folder.uri),
          ];
          void this.index.scan(this.folders);
        });
      }
    } catch (error) {
      this.log(`Could not register for change notifications: ${String(error)}`);
    }
    this.kubeconfigSetting = (await this.settings.global()).kubeconfig;
    this.configureCluster();
    await this.index.scan(this.folders);
  }

  private async configurationChanged(pushed: unknown): Promise<void> {
    this.settings.changed(pushed);
    this.kubeconfigSetting = (await this.settings.global()).kubeconfig;
    this.configureCluster();
    this.scheduleAll();
  }

  private configureCluster(): void {
    this.cluster.configure({
      kubeconfig: this.kubeconfigSetting,
      trusted: this.trusted,
      context: this.context,
    });
  }

  private closed(uri: string): void {
    const state = this.states.get(uri);
    if (state) {
      state.generation++;
    }
    this.states.delete(uri);
    this.pending.delete(uri);
    this.settings.forget(uri);
    this.index.closeOpen(uri);
    this.updateWatch();
    void this.connection.sendDiagnostics({ uri, diagnostics: [] });
  }

  // -------------------------------------------------------------------------------------------
  // Validation

  private schedule(uri: string): void {
    this.pending.add(uri);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private scheduleAll(except?: string): void {
    for (const document of this.documents.all()) {
      if (document.uri !== except) {
        this.schedule(document.uri);
      }
    }
  }

  private clusterChanged(scope: ClusterChangeScope): void {
    const fallback = this.cluster.model()?.defaultNamespace ?? 'default';
    for (const [uri, state] of this.states) {
      if (!state.clusterAware) {
        continue;
      }
      if (
        affectedBy(state.clusterReads, scope) ||
        (scope !== 'all' &&
          [...state.namespaces].some((namespace) => scope.namespaces.has(namespace ?? fallback)))
      ) {
        this.schedule(uri);
      }
    }
  }

  /**
   * Starts a validation of every pending document. They run side by side, each in slices, so a
   * 10 MB file being read does not hold back the diagnostics of the file being edited.
   */
  private flush(): void {
    this.flushScheduled = false;
    const uris = [...this.pending];
    this.pending.clear();
    for (const uri of uris) {
      this.validate(uri).catch((error: unknown) => {
        this.log(
          `Validating ${uri} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
      });
    }
  }

  private stateFor(uri: string): DocumentState {
    let state = this.states.get(uri);
    if (state === undefined) {
      state = {
        generation: 0,
        cache: new ChunkCache(),
        file: undefined,
        fileVersion: undefined,
        diagnostics: [],
        diagnosticsVersion: undefined,
        namespaces: new Set(),
        clusterAware: false,
        clusterReads: NO_READS,
      };
      this.states.set(uri, state);
    }
    return state;
  }

  private async validate(uri: string): Promise<void> {
    const document = this.documents.get(uri);
    if (document === undefined) {
      return;
    }
    const state = this.stateFor(uri);
    const generation = ++state.generation;
    const version = document.version;
    const stale = () => state.generation !== generation || this.documents.get(uri)?.version !== version;
    const settings = await this.settings.get(uri);
    if (stale()) {
      return;
    }
    if (WorkspaceIndex.isKustomization(uri)) {
      this.index.setOpenKustomization(uri, document.getText());
      await this.publish(uri, version, state, []);
      return;
    }
    const file = await this.parse(state, document, stale);
    if (file === undefined) {
      return;
    }
    if (!file.chunks.some((placed) => placed.chunk.status === 'syntax-error')) {
      // While a document does not parse, its workloads stay what they were: typing in a
      // Deployment must not make the Services of other documents flicker.
      this.index.setOpen(uri, file);
    }
    state.namespaces = namespacesOf(file);
    state.clusterAware = settings.clusterAware;
    this.updateWatch();
    if (settings.clusterAware && state.namespaces.size > 0) {
      void this.cluster.start();
    }
    const live = settings.clusterAware ? this.cluster.model() : undefined;
    const recorded = live === undefined ? undefined : recordReads(live);
    const diagnostics = await this.slicer.run(
      analyzeSteps(file, {
        workspace: this.index.forDocument(uri),
        ...(settings.clusterAware ? { cluster: recorded?.model } : {}),
      }),
      stale,
    );
    if (diagnostics === undefined || stale()) {
      return;
    }
    state.clusterReads = recorded?.reads ?? NO_READS;
    await this.publish(uri, version, state, diagnostics);
  }

  private async publish(
    uri: string,
    version: number,
    state: DocumentState,
    diagnostics: readonly ManifestDiagnostic[],
  ): Promise<void> {
    state.diagnostics = diagnostics;
    state.diagnosticsVersion = version;
    await this.connection.sendDiagnostics({ uri, version, diagnostics: diagnostics.map(toLspDiagnostic) });
  }

  private async parse(
    state: DocumentState,
    document: TextDocument,
    stale: () => boolean,
  ): Promise<ManifestFile | undefined> {
    const isPatch = this.index.isPatch(document.uri);
    if (
      state.file !== undefined &&
      state.fileVersion === document.version &&
      state.file.isPatch === isPatch
    ) {
      return state.file;
    }
    const version = document.version;
    const file = await this.slicer.run(
      parseManifestFileSteps(document.getText(), { isPatch, cache: state.cache }),
      stale,
    );
    if (file !== undefined) {
      state.file = file;
      state.fileVersion = version;
    }
    return file;
  }

  /** Watches the namespaces named by open documents that want cluster-aware checks. */
  private updateWatch(): void {
    const namespaces = new Set<string | undefined>();
    for (const state of this.states.values()) {
      if (state.clusterAware) {
        for (const namespace of state.namespaces) {
          namespaces.add(namespace);
        }
      }
    }
    this.cluster.watch(namespaces);
  }

  // -------------------------------------------------------------------------------------------
  // Hover and code actions

  /** The parse of the document's current version, parsing it now if it is small enough. */
  private currentFile(uri: string): { document: TextDocument; file: ManifestFile } | undefined {
    const document = this.documents.get(uri);
    if (document === undefined) {
      return undefined;
    }
    const state = this.stateFor(uri);
    if (state.file !== undefined && state.fileVersion === document.version) {
      return { document, file: state.file };
    }
    const text = document.getText();
    if (text.length > HOVER_PARSE_LIMIT) {
      return undefined;
    }
    const file = parseManifestFile(text, { isPatch: this.index.isPatch(uri), cache: state.cache });
    state.file = file;
    state.fileVersion = document.version;
    return { document, file };
  }

  private async hover(params: HoverParams): Promise<Hover | null> {
    const current = this.currentFile(params.textDocument.uri);
    if (current === undefined) {
      return null;
    }
    const settings = await this.settings.get(params.textDocument.uri);
    const cluster = settings.clusterAware ? this.cluster.model() : undefined;
    const note = settings.clusterAware
      ? this.cluster.note()
      : 'cluster-aware checks are off (kubereach.clusterAware).';
    const result = hoverAt(current.file, current.document.offsetAt(params.position), {
      workspace: this.index.forDocument(params.textDocument.uri),
      ...(cluster ? { cluster } : {}),
      ...(note ? { clusterNote: note } : {}),
    });
    if (result === undefined) {
      return null;
    }
    return { contents: { kind: MarkupKind.Markdown, value: result.markdown }, range: result.range };
  }

  private async codeActions(params: CodeActionParams): Promise<CodeAction[]> {
    const only = params.context.only;
    const wants = (kind: string) =>
      only === undefined ||
      only.some(
        (wanted) => wanted === kind || kind.startsWith(`${wanted}.`) || wanted === CodeActionKind.Empty,
      );
    const actions = wants(CodeActionKind.QuickFix) ? this.quickFixes(params) : [];
    if (wants(CodeActionKind.RefactorRewrite) && this.capabilities.createFiles) {
      const current = this.currentFile(params.textDocument.uri);
      if (current !== undefined) {
        const conversion = await ingressConversionAction({
          uri: params.textDocument.uri,
          file: current.file,
          offset: current.document.offsetAt(params.range.start),
          workspace: this.index.forDocument(params.textDocument.uri),
          isOpen: (uri) => this.documents.get(uri) !== undefined,
        });
        if (conversion !== undefined) {
          actions.push(conversion);
        }
      }
    }
    return actions;
  }

  private quickFixes(params: CodeActionParams): CodeAction[] {
    const uri = params.textDocument.uri;
    const state = this.states.get(uri);
    if (state === undefined) {
      return [];
    }
    // One action per distinct edit: a workspace check and a cluster check can flag the same
    // targetPort and offer the same fixes (KR3002 citing the Deployment, KR4003 a live Pod). The
    // first title stands, and the action names both diagnostics.
    const actions = new Map<string, CodeAction>();
    for (const diagnostic of params.context.diagnostics) {
      if (diagnostic.source !== DIAGNOSTIC_SOURCE) {
        continue;
      }
      const ours = state.diagnostics.find((candidate) => sameDiagnostic(diagnostic, candidate));
      for (const fix of ours?.fixes ?? []) {
        const key = JSON.stringify(fix.edits);
        const same = actions.get(key);
        if (same) {
          same.diagnostics!.push(diagnostic);
          same.isPreferred ||= fix.preferred;
        } else {
          actions.set(
            key,
            toCodeAction(fix, diagnostic, uri, state.diagnosticsVersion, this.capabilities.documentChanges),
          );
        }
      }
    }
    return [...actions.values()];
  }

  private status(): ServerStatus {
    return {
      workspace: {
        complete: this.index.complete,
        files: this.index.fileCount,
        openDocuments: this.documents.all().length,
        workloads: this.index.all().length,
      },
      cluster: this.cluster.status(),
      memory: { heapUsed: process.memoryUsage().heapUsed, rss: process.memoryUsage.rss() },
    };
  }

  // -------------------------------------------------------------------------------------------

  private async guard<T>(what: string, run: () => T | Promise<T>, fallback: T): Promise<T> {
    try {
      return await run();
    } catch (error) {
      this.log(`${what} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      return fallback;
    }
  }

  private log(line: string): void {
    this.connection.console.info(redact(line));
  }
}
