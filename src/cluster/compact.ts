/**
 * What a cached object costs in memory, cut down without changing what any reader sees.
 *
 * At 100,000 Pods the cache's heap is mostly Pods, and three things made each one about 3 KB:
 * - **Deleted properties.** `delete` of any property but the last one added turns a V8 object into
 *   a hash table (dictionary mode), several times larger; a real server's `managedFields` is the
 *   first property deleted from every object. `slimObject` therefore builds new objects without the
 *   dropped fields instead of deleting them.
 * - **Dates.** Each timestamp revived as its own `Date` (about 100 bytes; a Pod has eight or more),
 *   though timestamps are written to the second and a Pod's conditions, its containers' start and
 *   the Pods of one rollout share them. `dateOf` gives one `Date` per distinct string.
 * - **Repeated structures.** The Pods of one workload carry equal labels, owner references and
 *   container specs (one Pod template), and Pods on one node equal `hostIPs`; many conditions and
 *   container states are equal too. `compactObject` replaces each such part by one shared, frozen
 *   copy (hash-consing), as `internStrings` does for strings.
 *
 * Shared parts are frozen: cached objects are read-only, and a feature that wrote into one would
 * otherwise change every object sharing it (a write into a frozen object throws in strict mode,
 * which all of KubeReach's modules are). The tables are bounded and start over when full, so a
 * long-running session with churn cannot grow them without bound; what is in use stays alive
 * through the objects that hold it.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { internPart } from './intern.ts';

/** Annotations no feature reads, dropped from cached objects. */
const DROPPED_ANNOTATIONS = new Set(['kubectl.kubernetes.io/last-applied-configuration']);

const DROPPED_METADATA = new Set(['managedFields']);
const DROPPED_METADATA_AND_ANNOTATIONS = new Set(['managedFields', 'annotations']);

/**
 * Per-container fields no feature reads (`env` can also hold secrets written in plain text). The
 * probes, ports, image, name and `restartPolicy` (a sidecar) stay.
 */
const DROPPED_CONTAINER_FIELDS = new Set([
  'env',
  'envFrom',
  'volumeMounts',
  'volumeDevices',
  'resizePolicy',
  'terminationMessagePath',
  'terminationMessagePolicy',
  'imagePullPolicy',
  'resources',
  'securityContext',
  'command',
  'args',
  'workingDir',
  'lifecycle',
  'stdin',
  'stdinOnce',
  'tty',
]);

/** Pod spec fields no feature reads. */
const DROPPED_POD_SPEC = new Set([
  'volumes',
  'terminationGracePeriodSeconds',
  'dnsConfig',
  'schedulerName',
  'securityContext',
  'serviceAccount',
  'serviceAccountName',
  'automountServiceAccountToken',
  'enableServiceLinks',
  'preemptionPolicy',
  'priority',
  'priorityClassName',
  'tolerations',
  'imagePullSecrets',
  'topologySpreadConstraints',
]);

/** A Node's status field no feature reads. */
const DROPPED_NODE_STATUS = new Set(['images']);

/** Pod status fields no feature reads. */
const DROPPED_POD_STATUS = new Set(['qosClass', 'resize', 'resourceClaimStatuses']);

/** Container status fields no feature reads (the image digest, the runtime's container ID). */
const DROPPED_CONTAINER_STATUS = new Set([
  'imageID',
  'containerID',
  'allocatedResources',
  'resources',
  'volumeMounts',
  'user',
  'allocatedResourcesStatus',
]);

type Json = Record<string, unknown>;

/** A copy of `object` without the keys of `drop`, in the same key order (one shape for all). */
function without(object: Json, drop: ReadonlySet<string>): Json {
  const copy: Json = {};
  for (const key in object) {
    if (!drop.has(key)) {
      copy[key] = object[key];
    }
  }
  return copy;
}

function hasAny(object: Json, keys: ReadonlySet<string>): boolean {
  for (const key in object) {
    if (keys.has(key)) {
      return true;
    }
  }
  return false;
}

/** `object[key]` without `drop`, rebuilt only when it holds one of them. */
function slimmed(object: Json, key: string, drop: ReadonlySet<string>): void {
  const value = object[key];
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && hasAny(value as Json, drop)) {
    object[key] = without(value as Json, drop);
  }
}

function slimList(object: Json, key: string, drop: ReadonlySet<string>): void {
  const list = object[key];
  if (
    Array.isArray(list) &&
    list.some((item: Json) => item !== null && typeof item === 'object' && hasAny(item, drop))
  ) {
    object[key] = list.map((item: Json) =>
      item !== null && typeof item === 'object' ? without(item, drop) : item,
    );
  }
}

/**
 * Drops, without deleting properties (see the module comment), what no feature reads:
 * `metadata.managedFields` (often the largest part of an object), the `last-applied-configuration`
 * annotation (a second copy of the object); from Pods the volumes, scheduling and security
 * settings of the spec, the containers' environment, mounts, commands and resources, and the
 * container statuses' image digests and runtime IDs; from Nodes the list of images they hold
 * (`status.images`). Everything the explorer, port-forwards, probes and the analyses use stays:
 * labels, annotations, owner references, ports, probes, container images, conditions, addresses,
 * endpoints, policies, Ingress rules. `liveObject` reads an object in full when one is shown.
 * Returns the object (changed in place at its top level).
 */
export function slimObject<T extends KubernetesObject>(object: T): T {
  const record = object as unknown as Json;
  const metadata = record.metadata as Json | undefined;
  if (metadata) {
    const annotations = metadata.annotations as Json | undefined;
    const kept =
      annotations !== undefined && hasAny(annotations, DROPPED_ANNOTATIONS)
        ? without(annotations, DROPPED_ANNOTATIONS)
        : undefined;
    if (kept !== undefined || hasAny(metadata, DROPPED_METADATA)) {
      const empty = kept !== undefined && Object.keys(kept).length === 0;
      const copy = without(metadata, empty ? DROPPED_METADATA_AND_ANNOTATIONS : DROPPED_METADATA);
      if (kept !== undefined && !empty) {
        copy.annotations = kept;
      }
      record.metadata = copy;
    }
  }
  return slimBody(object);
}

function slimBody<T extends KubernetesObject>(object: T): T {
  const record = object as unknown as Json;
  const status = record.status as Json | undefined;
  if (status && Array.isArray(status.images) && status.nodeInfo !== undefined) {
    // A Node's list of the images it holds (often dozens, each with its digests).
    record.status = without(status, DROPPED_NODE_STATUS);
  }
  const spec = record.spec as Json | undefined;
  if (spec && Array.isArray(spec.containers)) {
    slimmed(record, 'spec', DROPPED_POD_SPEC);
    const podSpec = record.spec as Json;
    for (const key of ['containers', 'initContainers', 'ephemeralContainers']) {
      slimList(podSpec, key, DROPPED_CONTAINER_FIELDS);
    }
    if (status) {
      slimmed(record, 'status', DROPPED_POD_STATUS);
      const podStatus = record.status as Json;
      for (const key of ['containerStatuses', 'initContainerStatuses', 'ephemeralContainerStatuses']) {
        slimList(podStatus, key, DROPPED_CONTAINER_STATUS);
      }
    }
  }
  return object;
}

/** Entries a table holds before it starts over. */
const MAX_DATES = 50_000;
const MAX_SHARED = 100_000;

let dates = new Map<string, Date>();

/**
 * The `Date` of an RFC 3339 timestamp, one object per distinct string (see the module comment).
 * Cached objects are read-only; no reader changes a `Date` in place.
 */
export function dateOf(text: string): Date {
  let date = dates.get(text);
  if (date === undefined) {
    date = new Date(text);
    if (dates.size >= MAX_DATES) {
      dates = new Map();
    }
    dates.set(text, date);
  }
  return date;
}

let shared = new Map<string, object>();
/** The identity of each shared copy, for the keys of values that hold it. */
let ids = new WeakMap<object, number>();
let nextId = 0;

/**
 * A key equal for equal plain values, cheaper than `JSON.stringify` (which formats every `Date`):
 * strings and names carry their length, so no two different values share a key.
 */
function keyOf(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return `s${value.length}:${value}`;
    case 'number':
      return `n${value}`;
    case 'boolean':
      return value ? 't' : 'f';
    case 'undefined':
      return 'u';
    default:
      break;
  }
  if (value === null) {
    return 'z';
  }
  // A shared part inside another (each condition in the list of them) is keyed by its identity.
  const id = ids.get(value as object);
  if (id !== undefined) {
    return `#${id}`;
  }
  if (value instanceof Date) {
    return `d${value.getTime()}`;
  }
  if (Array.isArray(value)) {
    let key = '[';
    for (const item of value) {
      key += keyOf(item);
    }
    return `${key}]`;
  }
  let key = '{';
  for (const name in value as Json) {
    key += `${name.length}:${name}${keyOf((value as Json)[name])}`;
  }
  return `${key}}`;
}

/** One frozen copy of each distinct value. */
function share<T extends object>(value: T): T {
  if (ids.has(value)) {
    // Already the shared copy (an object compacted twice).
    return value;
  }
  const key = keyOf(value);
  const known = shared.get(key);
  if (known !== undefined) {
    return known as T;
  }
  if (shared.size >= MAX_SHARED) {
    // Starting over also forgets the identities: a value keyed by an old one can no longer match.
    shared = new Map();
    ids = new WeakMap();
  }
  // `internStrings` leaves frozen parts alone: their strings are interned once, here.
  shared.set(key, deepFreeze(internPart(value)));
  ids.set(value, nextId++);
  return value;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !(value instanceof Date) && !Object.isFrozen(value)) {
    for (const key of Object.keys(value)) {
      deepFreeze((value as Json)[key]);
    }
    Object.freeze(value);
  }
  return value;
}

/**
 * Two plain values equal by value. Unlike their `keyOf` keys, the order of an object's keys is not
 * compared: a server writes the fields of one kind in one order, and an object equal but for its
 * order reads the same to every feature.
 */
function equalValues(a: unknown, b: unknown): boolean {
  if (a === b) {
    return true;
  }
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') {
    return false;
  }
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) {
      return false;
    }
    for (let i = 0; i < a.length; i++) {
      if (!equalValues(a[i], b[i])) {
        return false;
      }
    }
    return true;
  }
  // `for…in` walks the keys V8 caches for the object's shape, where `Object.keys` allocated two
  // arrays for every object compared (most of this function's cost, and of its garbage). A key of
  // `a` missing from `b` reads undefined, which no parsed value is.
  let count = 0;
  for (const key in a) {
    count++;
    if (!equalValues((a as Json)[key], (b as Json)[key])) {
      return false;
    }
  }
  for (const _ in b) {
    count--;
  }
  return count === 0;
}

/**
 * The shared copy last given for each place (`containers`, `conditions#0`…). Lists come sorted by
 * namespace and name, so the Pods of one workload mostly arrive one after another: comparing a part
 * with the previous Pod's copy is cheaper than building its key, and mostly equal.
 */
const lastShared = new Map<string, object>();

function shareAt<T extends object>(place: string, value: T): T {
  const last = lastShared.get(place);
  if (last !== undefined && equalValues(last, value)) {
    return last as T;
  }
  const copy = share(value);
  lastShared.set(place, copy);
  return copy;
}

/** `object[key]` shared; `place` names it for `shareAt` when the key means another thing elsewhere. */
function shareField(object: Json | undefined, key: string, place = key): void {
  const value = object?.[key];
  if (value !== null && typeof value === 'object') {
    object![key] = shareAt(place, value);
  }
}

/** The places of a list's items: `conditions#0`, `conditions#1`… */
const itemPlaces = new Map<string, string[]>();

function itemPlace(key: string, index: number): string {
  let places = itemPlaces.get(key);
  if (places === undefined) {
    places = [];
    itemPlaces.set(key, places);
  }
  return (places[index] ??= `${key}#${index}`);
}

/** Each item of a list shared, then the list itself. */
function shareList(object: Json | undefined, key: string): void {
  const list = object?.[key];
  if (Array.isArray(list)) {
    object![key] = shareAt(
      key,
      list.map((item: unknown, index) =>
        item !== null && typeof item === 'object' ? shareAt(itemPlace(key, index), item) : item,
      ),
    );
  }
}

/**
 * Replaces, in place, the parts of a cached object that repeat across objects by shared frozen
 * copies: labels and owner references of every kind; of Pods the containers (one Pod template per
 * workload), `hostIPs` (one per node), conditions and container states; of EndpointSlices the
 * ports and each endpoint's conditions. Run after `slimObject` and the revival of dates (`dateOf`).
 * Returns the object.
 */
export function compactObject<T extends KubernetesObject>(object: T): T {
  const record = object as unknown as Json;
  const metadata = record.metadata as Json | undefined;
  shareField(metadata, 'labels');
  shareField(metadata, 'ownerReferences');
  const spec = record.spec as Json | undefined;
  const status = record.status as Json | undefined;
  if (spec && Array.isArray(spec.containers)) {
    shareField(spec, 'containers');
    shareField(spec, 'initContainers');
    if (status) {
      shareList(status, 'conditions');
      shareField(status, 'hostIPs');
      for (const key of ['containerStatuses', 'initContainerStatuses']) {
        const statuses = status[key];
        if (Array.isArray(statuses)) {
          for (const containerStatus of statuses as Json[]) {
            shareField(containerStatus, 'state');
            shareField(containerStatus, 'lastState');
          }
        }
      }
      // The first of podIPs is podIP: one string, not two.
      const podIPs = status.podIPs as Json[] | undefined;
      if (typeof status.podIP === 'string' && podIPs?.[0]?.ip === status.podIP) {
        podIPs[0].ip = status.podIP;
      }
    }
  }
  if (Array.isArray(record.endpoints)) {
    shareField(record, 'ports');
    for (const endpoint of record.endpoints as Json[]) {
      shareField(endpoint, 'conditions', 'endpoint.conditions');
    }
  }
  return object;
}

/** How many dates and structures the tables hold (for tests). */
export function compactTableSizes(): { dates: number; structures: number } {
  return { dates: dates.size, structures: shared.size };
}
