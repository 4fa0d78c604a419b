/**
 * Garbage collection by owner reference (background propagation): when an owner goes, what it
 * owns goes after it, Pods gracefully.
 */
import type { Cluster } from '../cluster.ts';

export class GarbageCollector {
  private readonly unsubscribe: () => void;
  private readonly cluster: Cluster;

  constructor(cluster: Cluster) {
    this.cluster = cluster;
    this.unsubscribe = cluster.store.subscribe((event) => {
      if (event.type === 'DELETED' && event.namespace !== '') {
        const uid = event.object.metadata.uid;
        setImmediate(() => this.collect(event.namespace, uid));
      }
    });
  }

  stop(): void {
    this.unsubscribe();
  }

  private collect(namespace: string, ownerUid: string | undefined): void {
    if (!ownerUid) {
      return;
    }
    for (const resource of this.cluster.storedTypes()) {
      if (!resource.namespaced) {
        continue;
      }
      for (const { object } of this.cluster.store.list(resource, namespace)) {
        if (object.metadata.ownerReferences?.some((ref) => ref.uid === ownerUid)) {
          try {
            this.cluster.delete(resource, namespace, object.metadata.name!);
          } catch {
            // Already gone: another path deleted it first.
          }
        }
      }
    }
  }
}
