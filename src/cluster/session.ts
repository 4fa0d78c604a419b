/**
 * The cluster session of one process: which kubeconfig files are in force, which context KubeReach
 * looks at (its own choice; the kubeconfig's current-context is only changed when asked), which
 * namespaces are in view, and the one ClusterCache for that context. Kubeconfig edits are picked
 * up without a reload. No `vscode` here: the extension host and the language server both use it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { parseDocument } from 'yaml';
import { ClusterCache } from './cache.ts';
import type { KubeConfig } from '@kubernetes/client-node';
import type { ClusterChange } from './changes.ts';
import {
  KubeconfigError,
  loadKubeconfig,
  resolveKubeconfigSources,
  watchKubeconfigFiles,
} from './kubeconfig.ts';
import type { KubeconfigContext, KubeconfigSources, LoadedKubeconfig } from './kubeconfig.ts';
import { redact } from '../logging/redact.ts';

export interface SessionSettings {
  /** The `kubereach.kubeconfig` setting. */
  readonly kubeconfigSetting: string | undefined;
  readonly trusted: boolean;
}

/** Remembers choices per context (the extension host backs it with globalState). */
export interface SessionMemory {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
}

export type SessionEvent =
  | { readonly kind: 'kubeconfig' }
  | { readonly kind: 'context' }
  | { readonly kind: 'namespaces' }
  | { readonly kind: 'cache'; readonly change: ClusterChange };

/** The cache's change coalescing window for the UI. */
export const COALESCE_MS = 120;

/** With more namespaces than this and no choice made, only the context's namespace is shown. */
export const DEFAULT_ALL_NAMESPACES_LIMIT = 30;

export class ClusterSession {
  private loaded: LoadedKubeconfig | undefined;
  private loadError: string | undefined;
  private sources: KubeconfigSources | undefined;
  private contextName: string | undefined;
  private cacheInstance: ClusterCache | undefined;
  private unsubscribeCache: (() => void) | undefined;
  private stopWatchingFiles: (() => void) | undefined;
  private readonly listeners = new Set<(event: SessionEvent) => void>();
  private readonly settings: () => SessionSettings;
  private readonly memory: SessionMemory;
  private readonly log: (line: string) => void;
  private readonly env: Readonly<Record<string, string | undefined>>;
  private disposed = false;
  private readonly additionalNamespaces = new Map<string, string[]>();

  constructor(options: {
    settings: () => SessionSettings;
    memory: SessionMemory;
    log?: (line: string) => void;
    env?: Readonly<Record<string, string | undefined>>;
  }) {
    this.settings = options.settings;
    this.memory = options.memory;
    this.log = options.log ?? (() => undefined);
    this.env = options.env ?? process.env;
    this.reload();
  }

  onDidChange(listener: (event: SessionEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Re-reads the kubeconfig (after an edit or a settings change) and keeps the chosen context if it still exists. */
  reload(): void {
    if (this.disposed) {
      return;
    }
    const settings = this.settings();
    this.sources = resolveKubeconfigSources({
      env: this.env,
      homeDir: homedir(),
      settingPath: settings.kubeconfigSetting,
      trusted: settings.trusted,
    });
    if (this.sources.settingIgnored) {
      this.log('The kubereach.kubeconfig setting is ignored: this workspace is not trusted.');
    }
    this.stopWatchingFiles?.();
    this.stopWatchingFiles = watchKubeconfigFiles(this.sources.watch, () => {
      this.log('kubeconfig changed on disk; reloading');
      this.reload();
    });
    try {
      this.loaded = this.sources.files.length > 0 ? loadKubeconfig(this.sources) : undefined;
      this.loadError = undefined;
    } catch (error) {
      this.loaded = undefined;
      this.loadError =
        error instanceof KubeconfigError
          ? error.message
          : redact(`The kubeconfig could not be read: ${String(error)}`);
      this.log(this.loadError);
    }
    const names = this.contexts().map((c) => c.name);
    const keep =
      this.contextName !== undefined && names.includes(this.contextName) ? this.contextName : undefined;
    const next = keep ?? this.loaded?.currentContextName ?? names[0];
    this.useContext(next === undefined || !names.includes(next) ? undefined : next, true);
    this.emit({ kind: 'kubeconfig' });
  }

  /** The files in force and where they came from. */
  get kubeconfigSources(): KubeconfigSources | undefined {
    return this.sources;
  }

  /** A plain sentence when the kubeconfig could not be read; undefined otherwise. */
  get kubeconfigError(): string | undefined {
    return this.loadError;
  }

  contexts(): readonly KubeconfigContext[] {
    return this.loaded?.contexts ?? [];
  }

  /** The kubeconfig's own current-context. */
  get kubeconfigCurrentContext(): string | undefined {
    return this.loaded?.currentContextName;
  }

  /** The context KubeReach is looking at. */
  get context(): KubeconfigContext | undefined {
    return this.contexts().find((c) => c.name === this.contextName);
  }

  get cache(): ClusterCache | undefined {
    return this.cacheInstance;
  }

  /** The merged kubeconfig (its own current-context; the cache works on the chosen one). */
  get kubeConfig(): KubeConfig | undefined {
    return this.loaded?.kubeConfig;
  }

  /**
   * Namespaces another feature needs watched besides those in view (a port-forward's target, a
   * diagnosis's); they are watched but not shown. Each feature (`owner`) sets its own set.
   */
  setAdditionalNamespaces(names: ReadonlySet<string> | readonly string[], owner = 'default'): void {
    const next = [...names].sort();
    if (next.join() === (this.additionalNamespaces.get(owner) ?? []).join()) {
      return;
    }
    this.additionalNamespaces.set(owner, next);
    this.applyWatchedNamespaces();
  }

  /** Switches KubeReach's view; with `writeKubeconfig`, also sets current-context in the first kubeconfig file. */
  switchContext(name: string, options: { writeKubeconfig?: boolean } = {}): void {
    if (!this.contexts().some((c) => c.name === name)) {
      throw new Error(`There is no context named "${name}" in the kubeconfig.`);
    }
    if (options.writeKubeconfig) {
      this.writeCurrentContext(name);
    }
    this.useContext(name, false);
    this.emit({ kind: 'context' });
  }

  /** The namespaces in view: the user's choice for this context, or a default. */
  selectedNamespaces(): readonly string[] {
    const chosen = this.chosenNamespaces();
    if (chosen) {
      return chosen;
    }
    const all =
      this.cacheInstance
        ?.namespaces()
        .map((ns) => ns.metadata?.name ?? '')
        .filter(Boolean) ?? [];
    const fallback = this.context?.namespace ?? 'default';
    if (all.length === 0) {
      return [fallback];
    }
    return all.length <= DEFAULT_ALL_NAMESPACES_LIMIT ? all : [fallback];
  }

  /** Whether the user chose the namespaces (rather than the default applying). */
  get namespacesChosen(): boolean {
    return this.chosenNamespaces() !== undefined;
  }

  setSelectedNamespaces(names: readonly string[] | undefined): void {
    if (this.contextName === undefined) {
      return;
    }
    this.memory.set(`namespaces:${this.contextName}`, names ? [...names] : undefined);
    this.applyWatchedNamespaces();
    this.emit({ kind: 'namespaces' });
  }

  /** The Pod label filter of this context, if any. */
  podFilter(): string | undefined {
    const value =
      this.contextName === undefined ? undefined : this.memory.get(`podFilter:${this.contextName}`);
    return typeof value === 'string' && value !== '' ? value : undefined;
  }

  setPodFilter(selector: string | undefined): void {
    if (this.contextName !== undefined) {
      this.memory.set(`podFilter:${this.contextName}`, selector || undefined);
      this.emit({ kind: 'namespaces' });
    }
  }

  dispose(): void {
    this.disposed = true;
    this.stopWatchingFiles?.();
    this.unsubscribeCache?.();
    this.cacheInstance?.dispose();
    this.cacheInstance = undefined;
    this.listeners.clear();
  }

  private chosenNamespaces(): readonly string[] | undefined {
    if (this.contextName === undefined) {
      return undefined;
    }
    const value = this.memory.get(`namespaces:${this.contextName}`);
    return Array.isArray(value) ? (value as string[]) : undefined;
  }

  private useContext(name: string | undefined, kubeconfigReloaded: boolean): void {
    if (name === this.contextName && !kubeconfigReloaded && this.cacheInstance) {
      return;
    }
    this.unsubscribeCache?.();
    this.unsubscribeCache = undefined;
    this.cacheInstance?.dispose();
    this.cacheInstance = undefined;
    this.contextName = name;
    if (name === undefined || !this.loaded) {
      return;
    }
    // 120 ms: a change reaches the UI within 120 ms (at once after a quiet spell), and a second of
    // churn makes at most 9 deliveries.
    const cache = new ClusterCache(this.loaded.kubeConfig, {
      contextName: name,
      log: this.log,
      coalesceMs: COALESCE_MS,
    });
    this.cacheInstance = cache;
    this.unsubscribeCache = cache.onDidChange((change) => {
      if (change.namespaces && !this.namespacesChosen) {
        // The default selection depends on the namespace list.
        this.applyWatchedNamespaces();
      }
      this.emit({ kind: 'cache', change });
    });
    this.applyWatchedNamespaces();
  }

  private applyWatchedNamespaces(): void {
    const additional = [...this.additionalNamespaces.values()].flat();
    this.cacheInstance?.setWatchedNamespaces([...new Set([...this.selectedNamespaces(), ...additional])]);
  }

  private writeCurrentContext(name: string): void {
    const file = this.sources?.files[0];
    if (!file) {
      throw new Error('There is no kubeconfig file to write.');
    }
    // Edit the document in place so the user's comments and layout survive.
    const document = parseDocument(readFileSync(file, 'utf8'));
    document.set('current-context', name);
    writeFileSync(file, String(document));
    this.log(`Set current-context to "${name}" in ${file}.`);
  }

  private emit(event: SessionEvent): void {
    for (const listener of [...this.listeners]) {
      listener(event);
    }
  }
}
