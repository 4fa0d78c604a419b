/**
 * The resource types one cluster serves: the built-in `RESOURCES` plus the versions of every
 * established CustomResourceDefinition. Each Cluster has its own, so sandboxes in one process never
 * see each other's CRDs. Routing, discovery, OpenAPI and the scenario loader read it at request time.
 */
import type { ResourceType } from './resources.ts';
import { apiVersionOf, RESOURCES } from './resources.ts';

export class ResourceRegistry {
  /** CRD name → the types of its served versions, in the CRD's order of version priority. */
  private readonly custom = new Map<string, readonly ResourceType[]>();
  private cached: readonly ResourceType[] | undefined;
  private readonly listeners = new Set<(crd: string) => void>();

  /** Every served type: built-ins first, then custom resources in the order their CRDs were established. */
  all(): readonly ResourceType[] {
    this.cached ??= [...RESOURCES, ...[...this.custom.values()].flat()];
    return this.cached;
  }

  find(group: string, version: string, plural: string): ResourceType | undefined {
    return this.all().find((r) => r.group === group && r.version === version && r.plural === plural);
  }

  /** The type of a manifest: by apiVersion and kind, or by kind alone when apiVersion is absent. */
  byKind(kind: string, apiVersion?: string): ResourceType | undefined {
    return this.all().find(
      (r) => r.kind === kind && (apiVersion === undefined || apiVersionOf(r) === apiVersion),
    );
  }

  servesGroupVersion(group: string, version: string): boolean {
    return this.all().some((r) => r.group === group && r.version === version);
  }

  /** The custom types a CRD serves now (empty when none). */
  customTypes(crd: string): readonly ResourceType[] {
    return this.custom.get(crd) ?? [];
  }

  /** Serves (or re-serves, after a change) a CRD's versions; an empty list stops serving them. */
  setCustom(crd: string, types: readonly ResourceType[]): void {
    if (types.length === 0) {
      if (!this.custom.delete(crd)) {
        return;
      }
    } else {
      // Every CRD event comes here (its status, a label): only a change of what is served counts.
      if (JSON.stringify(this.custom.get(crd)) === JSON.stringify(types)) {
        return;
      }
      this.custom.set(crd, types);
    }
    this.cached = undefined;
    for (const listener of [...this.listeners]) {
      listener(crd);
    }
  }

  /** Called after a CRD's served types change, so that open watches of removed types can end. */
  onChange(listener: (crd: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
