/**
 * Getting the namespaces a diagnosis reads watched and synced, for the Pod-to-Service and the
 * external-access diagnosers alike. No `vscode`.
 */
import type { DiagnosisCache } from './snapshot.ts';

export class NamespaceWatcher {
  private readonly cache: Pick<DiagnosisCache, 'watchedNamespaces' | 'isSynced' | 'onDidChange'>;
  private readonly watchNamespaces: ((names: readonly string[]) => void) | undefined;
  private readonly syncTimeoutMs: number;
  /** Namespaces asked for, kept across diagnoses. */
  private readonly requested = new Set<string>();

  constructor(
    cache: Pick<DiagnosisCache, 'watchedNamespaces' | 'isSynced' | 'onDidChange'>,
    watchNamespaces: ((names: readonly string[]) => void) | undefined,
    syncTimeoutMs: number,
  ) {
    this.cache = cache;
    this.watchNamespaces = watchNamespaces;
    this.syncTimeoutMs = syncTimeoutMs;
  }

  /**
   * Makes sure the namespaces are watched and synced, when a `watchNamespaces` hook was given;
   * returns as soon as they are, or after the sync timeout (the hops then say "unknown").
   */
  async ensureWatched(names: readonly string[], signal: AbortSignal | undefined): Promise<void> {
    const watched = new Set(this.cache.watchedNamespaces());
    const missing = names.filter((name) => !watched.has(name));
    if (missing.length > 0 && this.watchNamespaces !== undefined) {
      for (const name of missing) {
        this.requested.add(name);
      }
      this.watchNamespaces([...this.requested].sort());
    }
    // With a hook, every needed namespace is awaited (the hook may apply the change later);
    // without one, only those already watched.
    const awaited = this.watchNamespaces !== undefined ? names : names.filter((name) => watched.has(name));
    const pending = () => awaited.filter((name) => !this.cache.isSynced(name));
    if (pending().length === 0 || signal?.aborted === true) {
      return;
    }
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        unsubscribe();
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, this.syncTimeoutMs);
      const unsubscribe = this.cache.onDidChange(() => {
        if (pending().length === 0) {
          done();
        }
      });
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}
