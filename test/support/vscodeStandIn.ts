/**
 * A stand-in for the `vscode` module, for the few tests and benchmarks that load the bundled
 * extension outside VS Code. It implements the calls activation makes, records every disposable
 * it hands out so a test can check that deactivation released them, and answers any other
 * property with an inert class so that libraries which subclass VS Code types at load time work.
 * End-to-end tests use the real VS Code instead.
 */
import Module from 'node:module';
import { createRequire, registerHooks } from 'node:module';

export interface StandInRegistry {
  /** Every disposable handed out, with what it was for. */
  readonly handedOut: Array<{ kind: string; name: string; disposed: boolean }>;
  readonly commands: Map<string, (...args: unknown[]) => unknown>;
  readonly logLines: string[];
}

export function createVscodeStandIn(): { api: Record<string, unknown>; registry: StandInRegistry } {
  const registry: StandInRegistry = { handedOut: [], commands: new Map(), logLines: [] };

  const track = (kind: string, name: string, onDispose: () => void = () => undefined) => {
    const record = { kind, name, disposed: false };
    registry.handedOut.push(record);
    return {
      dispose() {
        record.disposed = true;
        onDispose();
      },
    };
  };

  class Disposable {
    private readonly callOnDispose: () => void;
    constructor(callOnDispose: () => void) {
      this.callOnDispose = callOnDispose;
    }
    static from(...disposables: Array<{ dispose(): unknown }>) {
      return new Disposable(() => disposables.forEach((d) => d.dispose()));
    }
    dispose() {
      this.callOnDispose();
    }
  }

  class EventEmitter<T> {
    private listeners = new Set<(value: T) => void>();
    event = (listener: (value: T) => void) => {
      this.listeners.add(listener);
      return { dispose: () => this.listeners.delete(listener) };
    };
    fire(value: T) {
      this.listeners.forEach((listener) => listener(value));
    }
    dispose() {
      this.listeners.clear();
    }
  }

  const logChannel = (name: string) => {
    const write = (level: string) => (message: string) => registry.logLines.push(`[${level}] ${message}`);
    return {
      name,
      ...track('outputChannel', name),
      trace: write('trace'),
      debug: write('debug'),
      info: write('info'),
      warn: write('warn'),
      error: write('error'),
      append: write('raw'),
      appendLine: write('raw'),
      show: () => undefined,
      hide: () => undefined,
      clear: () => undefined,
    };
  };

  class ThemeIcon {
    readonly id: string;
    readonly color: ThemeColor | undefined;
    constructor(id: string, color?: ThemeColor) {
      this.id = id;
      this.color = color;
    }
  }
  class ThemeColor {
    readonly id: string;
    constructor(id: string) {
      this.id = id;
    }
  }
  class MarkdownString {
    value: string;
    supportThemeIcons = false;
    constructor(value = '') {
      this.value = value;
    }
  }
  class TreeItem {
    label: string;
    collapsibleState: number;
    id?: string;
    description?: string;
    tooltip?: string | MarkdownString;
    iconPath?: ThemeIcon;
    contextValue?: string;
    command?: unknown;
    constructor(label: string, collapsibleState = 0) {
      this.label = label;
      this.collapsibleState = collapsibleState;
    }
  }
  const uri = (scheme: string, path: string) => ({ scheme, path, toString: () => `${scheme}:${path}` });

  const api: Record<string, unknown> = {
    version: '1.105.0',
    Disposable,
    EventEmitter,
    ThemeIcon,
    ThemeColor,
    MarkdownString,
    TreeItem,
    TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
    StatusBarAlignment: { Left: 1, Right: 2 },
    Uri: {
      from: (parts: { scheme: string; path: string }) => uri(parts.scheme, parts.path),
      file: (path: string) => uri('file', path),
    },
    env: { clipboard: { writeText: async () => undefined } },
    languages: { setTextDocumentLanguage: async (document: unknown) => document },
    window: {
      createTreeView: (id: string, options: { treeDataProvider: unknown }) => ({
        ...track('treeView', id),
        reveal: async () => undefined,
        onDidChangeVisibility: () => track('listener', `${id}.onDidChangeVisibility`),
        treeDataProvider: options.treeDataProvider,
      }),
      createStatusBarItem: (id: string) => ({
        ...track('statusBarItem', id),
        text: '',
        show: () => undefined,
        hide: () => undefined,
      }),
      setStatusBarMessage: () => ({ dispose: () => undefined }),
      tabGroups: { all: [], onDidChangeTabs: () => track('listener', 'onDidChangeTabs') },
      onDidChangeActiveTextEditor: () => track('listener', 'onDidChangeActiveTextEditor'),
      createOutputChannel: logChannel,
      showErrorMessage: async () => undefined,
      showInformationMessage: async () => undefined,
      showWarningMessage: async () => undefined,
    },
    commands: {
      registerCommand(id: string, handler: (...args: unknown[]) => unknown) {
        if (registry.commands.has(id)) {
          throw new Error(`command '${id}' already exists`);
        }
        registry.commands.set(id, handler);
        return track('command', id, () => registry.commands.delete(id));
      },
      executeCommand: async (id: string, ...args: unknown[]) => registry.commands.get(id)?.(...args),
    },
    workspace: {
      isTrusted: true,
      textDocuments: [],
      workspaceFolders: undefined,
      onDidOpenTextDocument: () => track('listener', 'onDidOpenTextDocument'),
      onDidChangeConfiguration: () => track('listener', 'onDidChangeConfiguration'),
      onDidGrantWorkspaceTrust: () => track('listener', 'onDidGrantWorkspaceTrust'),
      registerTextDocumentContentProvider: (scheme: string) => track('contentProvider', scheme),
      getConfiguration: () => ({
        get: <T>(_key: string, fallback?: T) => fallback,
        inspect: () => undefined,
      }),
    },
  };

  // Anything else (vscode-languageclient subclasses CompletionItem, CodeLens, ... at load time).
  const inert = new Proxy(api, {
    get(target, property, receiver) {
      if (property in target || typeof property === 'symbol') {
        return Reflect.get(target, property, receiver);
      }
      const placeholder = class {};
      Reflect.set(target, property, placeholder);
      return placeholder;
    },
  });
  return { api: inert, registry };
}

/** Makes `require('vscode')` return `api` in this process. */
export function installVscodeStandIn(api: Record<string, unknown>): void {
  const key = '\0kubereach-vscode-stand-in';
  const moduleInternals = Module as unknown as {
    _resolveFilename: (request: string, ...rest: unknown[]) => string;
  };
  const resolve = moduleInternals._resolveFilename;
  moduleInternals._resolveFilename = function (request: string, ...rest: unknown[]) {
    return request === 'vscode' ? key : resolve.call(this, request, ...rest);
  };
  const require = createRequire(import.meta.url);
  const cached = new Module(key);
  cached.exports = api;
  cached.loaded = true;
  require.cache[key] = cached;
}

/** A minimal `ExtensionContext` for activating the bundle from `root`. */
export function extensionContext(root: string, packageJSON: unknown) {
  const subscriptions: Array<{ dispose(): unknown }> = [];
  return {
    subscriptions,
    extensionPath: root,
    asAbsolutePath: (relative: string) => `${root}/${relative}`,
    extension: { packageJSON, id: 'kubereach.kubereach', extensionPath: root },
    globalState: { get: () => undefined, update: async () => undefined, keys: () => [] },
    workspaceState: { get: () => undefined, update: async () => undefined, keys: () => [] },
  };
}

/**
 * Makes `import * as vscode from 'vscode'` in TypeScript sources run by Node (tests and benchmarks
 * that load `src/` directly) see `api`. Only the top-level names present in `api` when this is
 * called are exported.
 */
export function installVscodeStandInForEsm(api: Record<string, unknown>): void {
  const url = 'kubereach-stand-in:vscode';
  (globalThis as { __kubereachVscodeStandIn?: unknown }).__kubereachVscodeStandIn = api;
  const names = Object.keys(api).filter((name) => /^[A-Za-z_$][\w$]*$/.test(name));
  registerHooks({
    resolve(specifier, context, next) {
      return specifier === 'vscode' ? { url, shortCircuit: true } : next(specifier, context);
    },
    load(target, context, next) {
      if (target !== url) {
        return next(target, context);
      }
      const source =
        'const api = globalThis.__kubereachVscodeStandIn;\nexport default api;\n' +
        names.map((name) => `export const ${name} = api[${JSON.stringify(name)}];`).join('\n');
      return { format: 'module', source, shortCircuit: true };
    },
  });
}
