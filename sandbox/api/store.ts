/**
 * The sandbox's etcd and watch cache: every object, one global resourceVersion counter, and per
 * resource a bounded window of recent changes from which watches are served (like the API server's
 * watch cache, which keeps one per resource type: churn in Pods pushes old Pod revisions out, never
 * Service ones). Writes take ownership of the object they are given and
 * return the stored object itself: callers treat both as frozen from then on (the store does not
 * copy them again, which at 10,000 Pods is most of the start-up time). `get` returns a copy.
 */
import { randomUUID } from 'node:crypto';
import type { ResourceType } from './resources.ts';
import { resourceKey } from './resources.ts';

export type KubeObject = {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
};

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: Array<Record<string, unknown>>;
  finalizers?: string[];
  managedFields?: unknown[];
  [key: string]: unknown;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface ChangeEvent {
  readonly type: WatchEventType;
  readonly resource: string;
  readonly resourceVersion: number;
  readonly namespace: string;
  /** The object after the change (for DELETED, the last state with the deletion's resourceVersion). */
  readonly object: KubeObject;
  /** The object before the change, for MODIFIED: lets label-selector watches send ADDED/DELETED. */
  readonly previous?: KubeObject;
}

interface Stored {
  object: KubeObject;
  /** JSON of `object`, computed once per version: lists of 10,000 Pods are served by concatenation. */
  json: string;
}

export class StoreError extends Error {
  readonly reason: 'NotFound' | 'AlreadyExists' | 'Conflict';
  constructor(reason: 'NotFound' | 'AlreadyExists' | 'Conflict', message: string) {
    super(message);
    this.reason = reason;
  }
}

const NAME_SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function randomSuffix(length = 5): string {
  let suffix = '';
  for (let i = 0; i < length; i++) {
    suffix += NAME_SUFFIX_ALPHABET[Math.floor(Math.random() * NAME_SUFFIX_ALPHABET.length)];
  }
  return suffix;
}

/** RFC 3339 with second precision, as the API server writes timestamps. */
export function timestamp(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** One resource's objects: namespace → name → object, with each namespace's sorted names cached. */
class Bucket {
  private readonly namespaces = new Map<string, Map<string, Stored>>();
  private readonly sortedNames = new Map<string, string[]>();
  private sortedNamespaces: string[] | undefined;
  size = 0;

  get(namespace: string, name: string): Stored | undefined {
    return this.namespaces.get(namespace)?.get(name);
  }

  has(namespace: string, name: string): boolean {
    return this.get(namespace, name) !== undefined;
  }

  set(namespace: string, name: string, stored: Stored): void {
    let names = this.namespaces.get(namespace);
    if (!names) {
      names = new Map();
      this.namespaces.set(namespace, names);
      this.sortedNamespaces = undefined;
    }
    if (!names.has(name)) {
      this.size += 1;
      this.sortedNames.delete(namespace);
    }
    names.set(name, stored);
  }

  delete(namespace: string, name: string): void {
    const names = this.namespaces.get(namespace);
    if (names?.delete(name)) {
      this.size -= 1;
      this.sortedNames.delete(namespace);
      if (names.size === 0) {
        this.namespaces.delete(namespace);
        this.sortedNamespaces = undefined;
      }
    }
  }

  /** Objects in key order (namespace, then name), as etcd returns a prefix range. */
  entries(namespace?: string): Generator<Stored> {
    return this.entriesAfter(namespace, undefined);
  }

  /**
   * Objects after `after` (exclusive) in key order: a continued list resumes here by binary search,
   * as etcd resumes a range from a key, instead of walking past every object before it.
   */
  *entriesAfter(namespace: string | undefined, after: StoreKey | undefined): Generator<Stored> {
    const namespaces = namespace !== undefined ? [namespace] : this.namespaceOrder();
    let first = after === undefined ? 0 : firstAbove(namespaces, after.namespace, true);
    if (after !== undefined && namespaces[first] === after.namespace) {
      const names = this.sortedNamesOf(after.namespace);
      const stored = this.namespaces.get(after.namespace)!;
      for (let i = firstAbove(names, after.name, false); i < names.length; i++) {
        yield stored.get(names[i]!)!;
      }
      first += 1;
    }
    for (let n = first; n < namespaces.length; n++) {
      const stored = this.namespaces.get(namespaces[n]!);
      if (!stored) {
        continue;
      }
      for (const name of this.sortedNamesOf(namespaces[n]!)) {
        yield stored.get(name)!;
      }
    }
  }

  /** How many objects come at or before `key` in key order (within `namespace` when given). */
  countThrough(namespace: string | undefined, key: StoreKey): number {
    const namespaces = namespace !== undefined ? [namespace] : this.namespaceOrder();
    const index = firstAbove(namespaces, key.namespace, true);
    let count = 0;
    for (let n = 0; n < index; n++) {
      count += this.namespaces.get(namespaces[n]!)?.size ?? 0;
    }
    if (namespaces[index] === key.namespace && this.namespaces.has(key.namespace)) {
      count += firstAbove(this.sortedNamesOf(key.namespace), key.name, false);
    }
    return count;
  }

  /** The objects of one namespace, or of all when undefined. */
  sizeOf(namespace: string | undefined): number {
    return namespace === undefined ? this.size : (this.namespaces.get(namespace)?.size ?? 0);
  }

  private namespaceOrder(): string[] {
    return (this.sortedNamespaces ??= [...this.namespaces.keys()].sort());
  }

  private sortedNamesOf(namespace: string): string[] {
    let sorted = this.sortedNames.get(namespace);
    if (!sorted) {
      sorted = [...(this.namespaces.get(namespace)?.keys() ?? [])].sort();
      this.sortedNames.set(namespace, sorted);
    }
    return sorted;
  }
}

/** An object's place in key order. */
export interface StoreKey {
  readonly namespace: string;
  readonly name: string;
}

/**
 * The index of the first of `sorted` above `value` (or, with `orEqual`, at or above it): where a
 * range that starts after `value` begins.
 */
function firstAbove(sorted: readonly string[], value: string, orEqual: boolean): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const item = sorted[middle]!;
    if (item < value || (!orEqual && item === value)) {
      low = middle + 1;
    } else {
      high = middle;
    }
  }
  return low;
}

/** One resource's recent changes, oldest first, and the oldest revision a watch may resume from. */
interface Window {
  /** The window is `events` from `start` on; what is before `start` has left it. */
  readonly events: ChangeEvent[];
  start: number;
  /** Watches may resume from any revision >= oldest - 1; older ones get 410 Gone. */
  oldest: number;
}

export class Store {
  private readonly objects = new Map<string, Bucket>();
  private revision = 1;
  private readonly windows = new Map<string, Window>();
  /** Where a window created from now on starts: after the last compaction. */
  private compactedAt = 1;
  private windowSize: number;
  private readonly listeners = new Set<(event: ChangeEvent) => void>();
  private readonly pending: ChangeEvent[] = [];
  private dispatching = false;

  constructor(options: { historyLimit?: number } = {}) {
    this.windowSize = options.historyLimit ?? 5_000;
  }

  get currentRevision(): number {
    return this.revision;
  }

  /** How many changes each resource's window keeps (a real watch cache holds 100 to ~100,000). */
  get historyLimit(): number {
    return this.windowSize;
  }

  set historyLimit(size: number) {
    this.windowSize = size;
    for (const window of this.windows.values()) {
      trim(window, size);
    }
  }

  /** The oldest revision a watch of `resource` (a `resourceKey`) may resume from. */
  oldestRevision(resource: string): number {
    return this.windows.get(resource)?.oldest ?? this.compactedAt;
  }

  /** Every change, synchronously, in revision order (controllers and watches subscribe here). */
  subscribe(listener: (event: ChangeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Changes of `resource` (a `resourceKey`) after `revision`, or undefined when that revision has
   * left the resource's window (410 Gone).
   */
  changesSince(resource: string, revision: number): ChangeEvent[] | undefined {
    if (revision < this.oldestRevision(resource) - 1) {
      return undefined;
    }
    const window = this.windows.get(resource);
    const history = window?.events ?? [];
    // History is sorted by revision; find the first entry after `revision`.
    let low = window?.start ?? 0;
    let high = history.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (history[middle]!.resourceVersion <= revision) {
        low = middle + 1;
      } else {
        high = middle;
      }
    }
    return history.slice(low);
  }

  /** Forgets all history: every watch resuming from an older revision gets 410 Gone. */
  compact(): void {
    this.compactedAt = this.revision + 1;
    for (const window of this.windows.values()) {
      window.events.length = 0;
      window.start = 0;
      window.oldest = this.compactedAt;
    }
  }

  get(type: ResourceType, namespace: string, name: string): KubeObject | undefined {
    const stored = this.bucket(type).get(scope(type, namespace), name);
    return stored ? (JSON.parse(stored.json) as KubeObject) : undefined;
  }

  /** Read-only view for controllers; callers must not mutate the result. */
  peek(type: ResourceType, namespace: string, name: string): KubeObject | undefined {
    return this.bucket(type).get(scope(type, namespace), name)?.object;
  }

  /** All objects of a type in key order (namespace, then name), as etcd would return them. */
  list(type: ResourceType, namespace?: string): Array<{ object: KubeObject; json: string }> {
    return [...this.bucket(type).entries(type.namespaced ? namespace : undefined)];
  }

  /**
   * The objects of a type after `after` in key order, one at a time (a page of a list reads only
   * what it returns), and how many there are in all and at or before `after`.
   */
  listAfter(
    type: ResourceType,
    namespace: string | undefined,
    after: StoreKey | undefined,
  ): { entries: Iterable<{ object: KubeObject; json: string }>; total: number; before: number } {
    const bucket = this.bucket(type);
    const scoped = type.namespaced ? namespace : undefined;
    return {
      entries: bucket.entriesAfter(scoped, after),
      total: bucket.sizeOf(scoped),
      before: after === undefined ? 0 : bucket.countThrough(scoped, after),
    };
  }

  count(type: ResourceType): number {
    return this.bucket(type).size;
  }

  create(type: ResourceType, object: KubeObject, options: { now?: Date } = {}): KubeObject {
    const metadata = object.metadata;
    if (!metadata.name && metadata.generateName) {
      do {
        metadata.name = metadata.generateName + randomSuffix();
      } while (this.bucket(type).has(scope(type, metadata.namespace ?? ''), metadata.name));
    }
    const namespace = scope(type, metadata.namespace ?? '');
    if (this.bucket(type).has(namespace, metadata.name ?? '')) {
      throw new StoreError(
        'AlreadyExists',
        `${type.plural}${type.group ? '.' + type.group : ''} "${metadata.name}" already exists`,
      );
    }
    metadata.uid = randomUUID();
    metadata.creationTimestamp = timestamp(options.now);
    if (type.hasGeneration) {
      metadata.generation = 1;
    }
    delete metadata.deletionTimestamp;
    delete metadata.deletionGracePeriodSeconds;
    return this.commit(type, 'ADDED', namespace, object);
  }

  /**
   * Replaces an object. `expectedResourceVersion`, when given, must match (optimistic concurrency,
   * 409 Conflict otherwise). Identity fields are kept from the stored object.
   */
  update(
    type: ResourceType,
    object: KubeObject,
    options: { expectedResourceVersion?: string; bumpGeneration?: boolean } = {},
  ): KubeObject {
    const namespace = scope(type, object.metadata.namespace ?? '');
    const existing = this.bucket(type).get(namespace, object.metadata.name ?? '');
    if (!existing) {
      throw new StoreError('NotFound', `${qualified(type)} "${object.metadata.name}" not found`);
    }
    if (
      options.expectedResourceVersion !== undefined &&
      options.expectedResourceVersion !== '' &&
      options.expectedResourceVersion !== existing.object.metadata.resourceVersion
    ) {
      throw new StoreError(
        'Conflict',
        `Operation cannot be fulfilled on ${qualified(type)} "${object.metadata.name}": the object has been modified; please apply your changes to the latest version and try again`,
      );
    }
    const previous = existing.object.metadata;
    object.metadata.uid = previous.uid;
    object.metadata.creationTimestamp = previous.creationTimestamp;
    if (previous.deletionTimestamp) {
      object.metadata.deletionTimestamp = previous.deletionTimestamp;
      object.metadata.deletionGracePeriodSeconds = previous.deletionGracePeriodSeconds;
    }
    if (type.hasGeneration) {
      object.metadata.generation = (previous.generation ?? 1) + (options.bumpGeneration ? 1 : 0);
    }
    if (sameContent(existing.object, object)) {
      // A no-op update does not bump resourceVersion, as with a real API server.
      return existing.object;
    }
    return this.commit(type, 'MODIFIED', namespace, object, existing.object);
  }

  delete(type: ResourceType, namespace: string, name: string): KubeObject {
    const existing = this.bucket(type).get(scope(type, namespace), name);
    if (!existing) {
      throw new StoreError('NotFound', `${qualified(type)} "${name}" not found`);
    }
    this.bucket(type).delete(scope(type, namespace), name);
    const object = { ...existing.object, metadata: { ...existing.object.metadata } };
    this.revision += 1;
    object.metadata.resourceVersion = String(this.revision);
    this.record({
      type: 'DELETED',
      resource: resourceKey(type),
      resourceVersion: this.revision,
      namespace,
      object,
    });
    return object;
  }

  private commit(
    type: ResourceType,
    kind: 'ADDED' | 'MODIFIED',
    namespace: string,
    object: KubeObject,
    previous?: KubeObject,
  ): KubeObject {
    // Stored without kind and apiVersion, as list items are served; the API server adds them back.
    delete object.kind;
    delete object.apiVersion;
    this.revision += 1;
    object.metadata.resourceVersion = String(this.revision);
    const json = JSON.stringify(object);
    this.bucket(type).set(namespace, object.metadata.name ?? '', { object, json });
    this.record({
      type: kind,
      resource: resourceKey(type),
      resourceVersion: this.revision,
      namespace: object.metadata.namespace ?? '',
      object,
      ...(previous ? { previous } : {}),
    });
    return object;
  }

  private record(event: ChangeEvent): void {
    let window = this.windows.get(event.resource);
    if (!window) {
      window = { events: [], start: 0, oldest: this.compactedAt };
      this.windows.set(event.resource, window);
    }
    window.events.push(event);
    trim(window, this.windowSize);
    // A listener may write (a controller reacting); its event must reach every listener after this
    // one, never before, or a watch would see revisions out of order.
    this.pending.push(event);
    if (this.dispatching) {
      return;
    }
    this.dispatching = true;
    try {
      for (let next = this.pending.shift(); next; next = this.pending.shift()) {
        for (const listener of [...this.listeners]) {
          listener(next);
        }
      }
    } finally {
      this.dispatching = false;
    }
  }

  private bucket(type: ResourceType): Bucket {
    const key = resourceKey(type);
    let bucket = this.objects.get(key);
    if (!bucket) {
      bucket = new Bucket();
      this.objects.set(key, bucket);
    }
    return bucket;
  }
}

/** Drops a window's oldest changes beyond `size`; resuming from before them answers 410. */
function trim(window: Window, size: number): void {
  const { events } = window;
  if (events.length - window.start > size) {
    window.start = events.length - size;
    window.oldest = events[window.start - 1]!.resourceVersion + 1;
  }
  // Dropping the head at every change moved the whole window each time (quadratic at 100,000
  // Pods); it is dropped in one go once it is as long as the window.
  if (window.start > 0 && window.start >= events.length - window.start) {
    events.splice(0, window.start);
    window.start = 0;
  }
}

export function qualified(type: ResourceType): string {
  return type.group ? `${type.plural}.${type.group}` : type.plural;
}

/** The namespace an object is filed under: its own, or '' for cluster-scoped types. */
function scope(type: ResourceType, namespace: string): string {
  return type.namespaced ? namespace : '';
}

function sameContent(a: KubeObject, b: KubeObject): boolean {
  // Part by part, so that a new version sharing its unchanged parts with the old one (as the
  // controllers build them) serialises only what changed; key order matters, as it did for the
  // whole object.
  const keysA = Object.keys(a).filter((key) => a[key] !== undefined);
  const keysB = Object.keys(b).filter((key) => b[key] !== undefined);
  if (keysA.length !== keysB.length || keysA.some((key, index) => keysB[index] !== key)) {
    return false;
  }
  const strip = (metadata: KubeObject['metadata']) => ({
    ...metadata,
    resourceVersion: undefined,
    managedFields: undefined,
  });
  return keysA.every((key) =>
    key === 'metadata'
      ? JSON.stringify(strip(a.metadata)) === JSON.stringify(strip(b.metadata))
      : a[key] === b[key] || JSON.stringify(a[key]) === JSON.stringify(b[key]),
  );
}
