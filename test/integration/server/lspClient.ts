/**
 * A small LSP client for tests and benchmarks: starts `dist/server.js --stdio` in its own process
 * and talks to it over vscode-jsonrpc, as an editor would. It answers the server's requests
 * (`workspace/configuration`, `client/registerCapability`) and records what the server pushes
 * (diagnostics, log lines).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import type { MessageConnection } from 'vscode-jsonrpc/node';
import type { ServerStatus } from '../../../src/shared/messages.ts';

export const root = resolve(import.meta.dirname, '../../..');
export const serverPath = resolve(root, 'dist/server.js');
export const fixtureWorkspace = resolve(root, 'test/fixtures/workspace');

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export interface Diagnostic {
  range: Range;
  severity?: number;
  code?: string | number;
  source?: string;
  message: string;
}

export interface Published {
  version: number | undefined;
  diagnostics: Diagnostic[];
  at: number;
}

export interface TextEdit {
  range: Range;
  newText: string;
}

export interface CodeAction {
  title: string;
  kind?: string;
  isPreferred?: boolean;
  diagnostics?: Diagnostic[];
  edit?: {
    changes?: Record<string, TextEdit[]>;
    documentChanges?: { textDocument: { uri: string; version: number }; edits: TextEdit[] }[];
  };
}

export interface StartOptions {
  /** Workspace folder path; none when undefined. */
  readonly workspace?: string;
  /** Environment of the server process (KUBECONFIG…); HOME is a fresh empty folder unless given. */
  readonly env?: Record<string, string>;
  /** What `workspace/configuration` answers for section `kubereach`. */
  readonly settings?: Record<string, unknown>;
  readonly initializationOptions?: Record<string, unknown>;
  /** The server bundle to run; default dist/server.js (it needs dist/cluster.js beside it). */
  readonly serverPath?: string;
  /** Node options for the server process (e.g. --cpu-prof). */
  readonly execArgv?: readonly string[];
  /** `workspace.workspaceEdit.resourceOperations` of the client (none when undefined). */
  readonly resourceOperations?: readonly string[];
}

export class LspClient {
  readonly connection: MessageConnection;
  readonly process: ChildProcess;
  readonly published = new Map<string, Published[]>();
  readonly logs: string[] = [];
  settings: Record<string, unknown>;
  private readonly waiters = new Set<() => void>();
  private readonly home: string;
  private readonly exited: Promise<number | null>;

  private constructor(child: ChildProcess, settings: Record<string, unknown>, home: string) {
    this.process = child;
    this.settings = settings;
    this.home = home;
    this.exited = new Promise((done) => child.once('exit', (code) => done(code)));
    this.connection = createMessageConnection(
      new StreamMessageReader(child.stdout!),
      new StreamMessageWriter(child.stdin!),
    );
    this.connection.onNotification(
      'textDocument/publishDiagnostics',
      (params: { uri: string; version?: number; diagnostics: Diagnostic[] }) => {
        const list = this.published.get(params.uri) ?? [];
        list.push({ version: params.version, diagnostics: params.diagnostics, at: performance.now() });
        this.published.set(params.uri, list);
        this.notify();
      },
    );
    this.connection.onNotification('window/logMessage', (params: { message: string }) => {
      this.logs.push(params.message);
      if (process.env.KUBEREACH_TEST_SERVER_LOG) {
        console.error(`[server] ${params.message}`);
      }
    });
    this.connection.onRequest('workspace/configuration', (params: { items: { section?: string }[] }) =>
      params.items.map((item) => (item.section === 'kubereach' ? this.settings : null)),
    );
    this.connection.onRequest('client/registerCapability', () => null);
    this.connection.onRequest('client/unregisterCapability', () => null);
    this.connection.onRequest('window/workDoneProgress/create', () => null);
    this.connection.listen();
  }

  static async start(options: StartOptions = {}): Promise<LspClient> {
    const home = mkdtempSync(join(tmpdir(), 'kubereach-lsp-home-'));
    const child = spawn(
      process.execPath,
      [...(options.execArgv ?? []), options.serverPath ?? serverPath, '--stdio'],
      {
        stdio: ['pipe', 'pipe', 'inherit'],
        env: {
          PATH: process.env.PATH ?? '',
          HOME: home,
          KUBECONFIG: join(home, 'no-kubeconfig'),
          ...options.env,
        },
      },
    );
    const client = new LspClient(child, options.settings ?? {}, home);
    const folder = options.workspace;
    await client.connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: folder ? uriOf(folder) : null,
      workspaceFolders: folder ? [{ uri: uriOf(folder), name: 'fixture' }] : null,
      capabilities: {
        workspace: {
          configuration: true,
          workspaceFolders: true,
          didChangeConfiguration: { dynamicRegistration: true },
          didChangeWatchedFiles: { dynamicRegistration: true },
          workspaceEdit: {
            documentChanges: true,
            ...(options.resourceOperations ? { resourceOperations: options.resourceOperations } : {}),
          },
        },
        textDocument: {
          publishDiagnostics: { versionSupport: true },
          hover: { contentFormat: ['markdown', 'plaintext'] },
          codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix'] } } },
        },
      },
      initializationOptions: { clientVersion: 'test', ...options.initializationOptions },
    });
    await client.connection.sendNotification('initialized', {});
    return client;
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) {
      waiter();
    }
  }

  /** Resolves with the first value `check` returns other than undefined, re-checked on each push. */
  waitUntil<T>(description: string, check: () => T | undefined, timeoutMs = 10_000): Promise<T> {
    return new Promise((resolveValue, reject) => {
      const attempt = () => {
        let value: T | undefined;
        try {
          value = check();
        } catch (error) {
          finish();
          reject(error as Error);
          return;
        }
        if (value !== undefined) {
          finish();
          resolveValue(value);
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${description}`));
      }, timeoutMs);
      const poll = setInterval(attempt, 50);
      const finish = () => {
        clearTimeout(timer);
        clearInterval(poll);
        this.waiters.delete(attempt);
      };
      this.waiters.add(attempt);
      attempt();
    });
  }

  latest(uri: string): Published | undefined {
    return this.published.get(uri)?.at(-1);
  }

  /** Waits for diagnostics of `uri` (at `version`, when given) that satisfy `predicate`. */
  diagnostics(
    uri: string,
    predicate: (diagnostics: Diagnostic[]) => boolean = () => true,
    options: { version?: number; timeoutMs?: number } = {},
  ): Promise<Diagnostic[]> {
    return this.waitUntil(
      `diagnostics of ${uri}`,
      () => {
        const latest = this.latest(uri);
        if (latest === undefined || (options.version !== undefined && latest.version !== options.version)) {
          return undefined;
        }
        return predicate(latest.diagnostics) ? latest.diagnostics : undefined;
      },
      options.timeoutMs,
    );
  }

  async open(uri: string, text: string, version = 1): Promise<void> {
    await this.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'yaml', version, text },
    });
  }

  async change(
    uri: string,
    version: number,
    changes: ({ range: Range; text: string } | { text: string })[],
  ): Promise<void> {
    await this.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version },
      contentChanges: changes,
    });
  }

  async close(uri: string): Promise<void> {
    await this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  hover(
    uri: string,
    position: Position,
  ): Promise<{ contents: { kind: string; value: string }; range?: Range } | null> {
    return this.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position });
  }

  codeActions(uri: string, range: Range, diagnostics: Diagnostic[]): Promise<CodeAction[]> {
    return this.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range,
      context: { diagnostics, only: ['quickfix'] },
    });
  }

  /** Code actions of the given kinds at a range, with no diagnostics in the context. */
  codeActionsOfKind(uri: string, range: Range, only: readonly string[]): Promise<CodeAction[]> {
    return this.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range,
      context: { diagnostics: [], only },
    });
  }

  status(): Promise<ServerStatus> {
    return this.connection.sendRequest('kubereach/serverStatus');
  }

  async stop(): Promise<number | null> {
    try {
      await this.connection.sendRequest('shutdown');
      await this.connection.sendNotification('exit');
    } catch {
      this.process.kill();
    }
    const code = await Promise.race([
      this.exited,
      new Promise<'timeout'>((done) => setTimeout(() => done('timeout'), 5000)),
    ]);
    if (code === 'timeout') {
      this.process.kill('SIGKILL');
    }
    this.connection.dispose();
    rmSync(this.home, { recursive: true, force: true });
    return code === 'timeout' ? null : code;
  }
}

export function uriOf(path: string): string {
  return pathToFileURL(path).toString();
}

/** Applies LSP edits to a text (edits must not overlap). */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) {
    if (text.charAt(i) === '\n') {
      lineStarts.push(i + 1);
    }
  }
  const offset = (position: Position) => (lineStarts[position.line] ?? text.length) + position.character;
  return [...edits]
    .sort((a, b) => offset(b.range.start) - offset(a.range.start))
    .reduce(
      (result, edit) =>
        result.slice(0, offset(edit.range.start)) + edit.newText + result.slice(offset(edit.range.end)),
      text,
    );
}

/** The text at a range. */
export function textAt(text: string, range: Range): string {
  const lines = text.split('\n');
  if (range.start.line === range.end.line) {
    return (lines[range.start.line] ?? '').slice(range.start.character, range.end.character);
  }
  return [
    (lines[range.start.line] ?? '').slice(range.start.character),
    ...lines.slice(range.start.line + 1, range.end.line),
    (lines[range.end.line] ?? '').slice(0, range.end.character),
  ].join('\n');
}

/** The position of the `occurrence`-th (0-based) `needle` in `text`, plus `delta` characters. */
export function positionOf(text: string, needle: string, delta = 0, occurrence = 0): Position {
  let index = -1;
  for (let i = 0; i <= occurrence; i++) {
    index = text.indexOf(needle, index + 1);
    if (index < 0) {
      throw new Error(`"${needle}" not found`);
    }
  }
  const before = text.slice(0, index + delta);
  const line = before.split('\n').length - 1;
  return { line, character: before.length - before.lastIndexOf('\n') - 1 };
}

/**
 * Copies the fixture workspace to a temporary folder, renaming `*.yaml.tmpl` to `*.yaml` (files
 * Prettier cannot format live under that name in the repository). Returns the folder.
 */
export function copyFixtureWorkspace(): string {
  const target = mkdtempSync(join(tmpdir(), 'kubereach-workspace-'));
  cpSync(fixtureWorkspace, target, { recursive: true });
  for (const entry of readdirSync(target, { recursive: true, encoding: 'utf8' })) {
    if (entry.endsWith('.yaml.tmpl')) {
      renameSync(join(target, entry), join(target, entry.slice(0, -'.tmpl'.length)));
    }
  }
  return target;
}
