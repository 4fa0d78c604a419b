/**
 * A controller's work queue: keys added many times before the next turn of the event loop are
 * reconciled once, as client-go's workqueue deduplicates them.
 */
export class WorkQueue {
  private readonly pending = new Set<string>();
  private scheduled: NodeJS.Immediate | undefined;
  private readonly reconcile: (key: string) => void;
  private readonly onError: (key: string, error: unknown) => void;
  private stopped = false;

  constructor(reconcile: (key: string) => void, onError: (key: string, error: unknown) => void) {
    this.reconcile = reconcile;
    this.onError = onError;
  }

  add(key: string): void {
    if (this.stopped) {
      return;
    }
    this.pending.add(key);
    this.scheduled ??= setImmediate(() => this.drain());
  }

  stop(): void {
    this.stopped = true;
    if (this.scheduled) {
      clearImmediate(this.scheduled);
    }
    this.pending.clear();
  }

  private drain(): void {
    this.scheduled = undefined;
    const keys = [...this.pending];
    this.pending.clear();
    for (const key of keys) {
      try {
        this.reconcile(key);
      } catch (error) {
        this.onError(key, error);
      }
    }
  }
}

export function splitKey(key: string): [string, string] {
  const slash = key.indexOf('/');
  return [key.slice(0, slash), key.slice(slash + 1)];
}

/** The uid of an object's controlling owner of the given kind, if any. */
export function controllerUid(
  metadata: { ownerReferences?: Array<Record<string, unknown>> },
  kind: string,
): string | undefined {
  const owner = metadata.ownerReferences?.find((ref) => ref.kind === kind && ref.controller === true);
  return owner ? String(owner.uid) : undefined;
}
