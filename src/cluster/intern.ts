/**
 * One copy of each repeated string in cached objects. `JSON.parse` makes a new string for every
 * value, so 10,000 Pods hold 10,000 copies of their namespace, image, node name, image digest,
 * `True`, `Ready`, `ClusterFirst`… Interning replaces each by the first copy seen. Values that are
 * unique per object (uids, resourceVersions, container IDs, addresses, object names) are left alone,
 * and the table stops growing at `MAX_ENTRIES`, so objects with unique label values cannot grow it
 * without bound.
 */

const MAX_ENTRIES = 50_000;
/** Longer strings are rare and seldom repeated (messages, annotations' JSON). */
const MAX_LENGTH = 256;
/** Keys whose values are unique per object: interning them would only fill the table. */
const UNIQUE_KEYS = new Set(['uid', 'resourceVersion', 'containerID', 'podIP', 'ip', 'generateName']);

const table = new Map<string, string>();

function intern(value: string): string {
  const known = table.get(value);
  if (known !== undefined) {
    return known;
  }
  if (table.size < MAX_ENTRIES) {
    table.set(value, value);
  }
  return value;
}

function walk(value: unknown, depth: number, skip?: string): void {
  if (depth > 12) {
    return;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === 'string') {
        if (item.length <= MAX_LENGTH) {
          value[i] = intern(item);
        }
      } else if (item !== null && typeof item === 'object' && !Object.isFrozen(item)) {
        walk(item, depth + 1);
      }
    }
    return;
  }
  const record = value as Record<string, unknown>;
  for (const key in record) {
    const item = record[key];
    if (typeof item === 'string') {
      if (item.length <= MAX_LENGTH && !UNIQUE_KEYS.has(key) && key !== skip) {
        record[key] = intern(item);
      }
    } else if (
      item !== null &&
      typeof item === 'object' &&
      !(item instanceof Date) &&
      !Object.isFrozen(item)
    ) {
      walk(item, depth + 1);
    }
  }
}

/**
 * Replaces, in place, the repeated strings of an object by shared copies (all but its own name and
 * the values unique per object). Frozen parts are left alone: they are the shared copies of
 * `compactObject` (compact.ts), one for many objects already, and cannot be written. Returns the
 * object.
 */
export function internStrings<T extends object>(object: T): T {
  const record = object as Record<string, unknown>;
  for (const key in record) {
    const item = record[key];
    if (key === 'metadata' && item !== null && typeof item === 'object') {
      // Its own name is unique: kept out of the table (the names of its containers and ports are not).
      walk(item, 1, 'name');
    } else if (item !== null && typeof item === 'object' && !Object.isFrozen(item)) {
      walk(item, 1);
    }
  }
  return object;
}

/**
 * Replaces, in place, the repeated strings of a part about to be shared (frozen) by `compactObject`:
 * a part that differs from object to object (a Pod's conditions, by their times) is shared by few,
 * and its names and words (`ContainersReady`, `PodScheduled`) repeat across all of them. Returns
 * the part.
 */
export function internPart<T extends object>(part: T): T {
  walk(part, 1);
  return part;
}

/** How many strings are held (for tests). */
export function internedCount(): number {
  return table.size;
}
