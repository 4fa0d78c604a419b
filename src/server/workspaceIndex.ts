/**
 * The workloads written in the workspace: every `*.yaml`/`*.yml` of the workspace folders is read
 * once at start (bounded: file count, file size, depth; dependency and hidden folders skipped),
 * then kept current from `workspace/didChangeWatchedFiles`. An open document stands for its file
 * while it is open, so edits count before they are saved.
 *
 * Also read: kustomization files, for the patches they name, so that a patch (a partial object)
 * is not reported as an incomplete one, and for the resources they list, which decide what a
 * namespace-less Service is compared with (see `src/analysis/manifests/scope.ts`).
 *
 * A document that says it is a workload but cannot be read (a template, invalid YAML, past the
 * limits) is kept as an unreadable workload: the Services in its scope are then not reported on.
 *
 * Services and Ingresses are read too, for the Ingress checks (a backend's Service and port, two
 * Ingresses claiming one host and path) and the node-port check; an unreadable Service document
 * silences "Service not written" in its scope as an unreadable workload does.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import {
  ANALYSED_KINDS,
  MAX_NESTING,
  nestingExceeds,
  objectsOf,
  parseManifestFile,
  peekNamespace,
  positionIn,
  spanOf,
  withLineFeeds,
  WORKLOAD_KINDS,
} from '../analysis/manifests/document.ts';
import type { ChunkStatus, ManifestFile } from '../analysis/manifests/document.ts';
import { WorkspaceScope } from '../analysis/manifests/scope.ts';
import { sameNamespace, workloadTemplate } from '../analysis/manifests/workloads.ts';
import type { UnreadableWorkload, WorkloadTemplate } from '../analysis/manifests/workloads.ts';
import { isIngress } from '../analysis/manifests/ingress.ts';
import { gatewayApiKind, writtenGatewayApiKind } from '../analysis/manifests/gateway.ts';
import type { WorkspaceModel, WrittenObject } from '../analysis/manifests/workspace.ts';

export interface IndexLimits {
  readonly maxFiles: number;
  readonly maxFileBytes: number;
  readonly maxDepth: number;
}

export const DEFAULT_INDEX_LIMITS: IndexLimits = { maxFiles: 5000, maxFileBytes: 1024 * 1024, maxDepth: 20 };

/** Folders never scanned: dependencies, build output, and anything hidden (.git, .github, .venv…). */
const SKIPPED_FOLDERS = new Set([
  'node_modules',
  'vendor',
  'dist',
  'out',
  'target',
  'bower_components',
  '__pycache__',
]);

const KUSTOMIZATION_NAMES = new Set(['kustomization.yaml', 'kustomization.yml', 'Kustomization']);

/** What the index reads: workloads, and the Services and Ingresses the Ingress checks compare with. */
const INDEXED_KINDS: ReadonlySet<string> = new Set([
  ...WORKLOAD_KINDS,
  'Service',
  'Ingress',
  'Gateway',
  'HTTPRoute',
  'GRPCRoute',
  'ReferenceGrant',
  'List',
]);

/** Chunk statuses that hide what a document holds. */
const UNREADABLE: ReadonlySet<ChunkStatus> = new Set(['template', 'syntax-error', 'too-large', 'too-deep']);

interface FileEntry {
  readonly uri: string;
  readonly workloads: readonly WorkloadTemplate[];
  readonly unreadable: readonly UnreadableWorkload[];
  /** Services and Ingresses written in the file. */
  readonly written: readonly WrittenObject[];
  /** Service documents that could not be read. */
  readonly unreadableServices: readonly UnreadableWorkload[];
  /** For a kustomization file: the absolute paths of the patches it names. */
  readonly patches: readonly string[];
  /** For a kustomization file: the absolute paths of its resources, bases and components. */
  readonly resources: readonly string[];
  /** What the workloads look like, to tell a real change from an edit elsewhere in the file. */
  readonly signature: string;
}

/** A key for a document: its file path for `file:` URIs (VS Code and Node encode URIs differently), else the URI. */
export function documentKey(uri: string): string {
  if (uri.startsWith('file:')) {
    try {
      return fileURLToPath(uri);
    } catch {
      return uri;
    }
  }
  return uri;
}

function isYamlName(name: string): boolean {
  return name.endsWith('.yaml') || name.endsWith('.yml');
}

/** A platform path as the `/`-separated path scope.ts compares. */
function slashed(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

function signatureOf(
  workloads: readonly WorkloadTemplate[],
  patches: readonly string[],
  unreadable: readonly UnreadableWorkload[] = [],
  resources: readonly string[] = [],
  written: readonly WrittenObject[] = [],
  unreadableServices: readonly UnreadableWorkload[] = [],
): string {
  return JSON.stringify([
    written.map((object) => [
      object.kind,
      object.name,
      object.namespace,
      object.value.spec,
      object.source?.line,
    ]),
    unreadableServices.map((service) => [service.namespace, service.source?.line]),
    unreadable.map((workload) => [workload.kind, workload.namespace, workload.source?.line]),
    resources,
    workloads.map((workload) => [
      workload.kind,
      workload.name,
      workload.namespace,
      workload.labels,
      workload.selectorLabels,
      workload.pod.spec,
      workload.source?.line,
    ]),
    patches,
  ]);
}

/** A workload (readable or not) with the file it is written in, as scope.ts compares them. */
interface Placed<T> {
  readonly item: T;
  readonly file: string;
  readonly namespace: string | undefined;
}

export class WorkspaceIndex implements WorkspaceModel {
  private readonly disk = new Map<string, FileEntry>();
  private readonly open = new Map<string, FileEntry>();
  private readonly listeners = new Set<() => void>();
  private folders: string[] = [];
  private flat: WorkloadTemplate[] | undefined;
  private patchPaths: Set<string> | undefined;
  private readonly byNamespace = new Map<string, readonly WorkloadTemplate[]>();
  private placed:
    | {
        workloads: Placed<WorkloadTemplate>[];
        unreadable: Placed<UnreadableWorkload>[];
        written: Placed<WrittenObject>[];
        unreadableServices: Placed<UnreadableWorkload>[];
      }
    | undefined;
  private scope: WorkspaceScope | undefined;
  private readonly scoped = new Map<string, WorkspaceModel>();
  private scanned = false;
  private yamlPaths: string[] = [];
  private readonly limits: IndexLimits;
  private readonly log: (line: string) => void;

  /** See the constructor's `parsed`. */
  private readonly parsed: ((path: string, file: ManifestFile) => void) | undefined;

  constructor(
    options: {
      limits?: Partial<IndexLimits>;
      log?: (line: string) => void;
      /**
       * Given each manifest file's parse as the index reads it from disk. With it, the index
       * parses every kind the analysis reads (ANALYSED_KINDS, not only the kinds it indexes), so
       * that one parse serves the index and the analysis of the file (`kubereach check` parses
       * each file once so). The parse is not a patch's (`isPatch` false): whether a file is a
       * patch is known once every kustomization is read (`isPatch(uri)` after the scan). The
       * entries the index keeps are the same either way: the kinds it adds are not indexed.
       */
      parsed?: (path: string, file: ManifestFile) => void;
    } = {},
  ) {
    this.limits = { ...DEFAULT_INDEX_LIMITS, ...options.limits };
    this.log = options.log ?? (() => undefined);
    this.parsed = options.parsed;
  }

  get complete(): boolean {
    return this.scanned;
  }

  /**
   * The YAML and kustomization files the last scan found, in the order it read them, with the
   * ones past the size limit (read for no workload, but a manifest all the same).
   */
  get scannedFiles(): readonly string[] {
    return this.yamlPaths;
  }

  get fileCount(): number {
    return new Set([...this.disk.keys(), ...this.open.keys()]).size;
  }

  get openCount(): number {
    return this.open.size;
  }

  /** Called when the workloads or the patch list changed (not on edits that leave them alone). */
  onDidChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  workloads(namespace: string | undefined): readonly WorkloadTemplate[] {
    const key = namespace ?? '\0';
    let result = this.byNamespace.get(key);
    if (result === undefined) {
      result = this.all().filter((workload) => sameNamespace(namespace, workload.namespace));
      this.byNamespace.set(key, result);
    }
    return result;
  }

  /**
   * The workspace as a manifest of this document sees it: the workloads in its scope (the same
   * namespace, or applied together: see scope.ts), and the unreadable ones there.
   */
  forDocument(uri: string): WorkspaceModel {
    const key = documentKey(uri);
    let model = this.scoped.get(key);
    if (model === undefined) {
      const file = slashed(key);
      const workloads = new Map<string, readonly WorkloadTemplate[]>();
      const unreadable = new Map<string, readonly UnreadableWorkload[]>();
      const services = new Map<string, readonly WrittenObject[]>();
      const ingresses = new Map<string, readonly WrittenObject[]>();
      const unreadableServices = new Map<string, readonly UnreadableWorkload[]>();
      const cached = <T>(
        cache: Map<string, readonly T[]>,
        namespace: string | undefined,
        make: () => T[],
      ) => {
        const cacheKey = namespace ?? '\0';
        let result = cache.get(cacheKey);
        if (result === undefined) {
          result = make();
          cache.set(cacheKey, result);
        }
        return result;
      };
      const select = <T>(list: readonly Placed<T>[], namespace: string | undefined): T[] => {
        const scope = this.workspaceScope();
        const subject = { namespace, file };
        return list.filter((placed) => scope.inScope(subject, placed)).map((placed) => placed.item);
      };
      model = {
        complete: this.complete,
        workloads: (namespace) => {
          const cacheKey = namespace ?? '\0';
          let result = workloads.get(cacheKey);
          if (result === undefined) {
            result = select(this.placedWorkloads().workloads, namespace);
            workloads.set(cacheKey, result);
          }
          return result;
        },
        unreadable: (namespace) => {
          const cacheKey = namespace ?? '\0';
          let result = unreadable.get(cacheKey);
          if (result === undefined) {
            result = select(this.placedWorkloads().unreadable, namespace);
            unreadable.set(cacheKey, result);
          }
          return result;
        },
        services: (namespace) =>
          cached(services, namespace, () =>
            select(this.placedWorkloads().written, namespace).filter((object) => object.kind === 'Service'),
          ),
        unreadableServices: (namespace) =>
          cached(unreadableServices, namespace, () =>
            select(this.placedWorkloads().unreadableServices, namespace),
          ),
        ingresses: (namespace) =>
          cached(ingresses, namespace, () =>
            select(this.placedWorkloads().written, namespace).filter((object) => object.kind === 'Ingress'),
          ),
        gatewayApiObjects: () => this.gatewayApiObjects(),
      };
      if (this.complete) {
        // Before the scan ends, `complete` changes: a model made then is not kept.
        this.scoped.set(key, model);
      }
    }
    return model;
  }

  /** Every Gateway API object written in the workspace, whatever the scope. */
  gatewayApiObjects(): readonly WrittenObject[] {
    return this.placedWorkloads()
      .written.filter((placed) => writtenGatewayApiKind(placed.item) !== undefined)
      .map((placed) => placed.item);
  }

  private workspaceScope(): WorkspaceScope {
    if (this.scope === undefined) {
      const kustomizations = new Map<string, string[]>();
      for (const [key, entry] of this.entries()) {
        if (entry.resources.length > 0) {
          kustomizations.set(slashed(dirname(key)), entry.resources.map(slashed));
        }
      }
      this.scope = new WorkspaceScope(kustomizations);
    }
    return this.scope;
  }

  private placedWorkloads(): NonNullable<WorkspaceIndex['placed']> {
    if (this.placed === undefined) {
      const workloads: Placed<WorkloadTemplate>[] = [];
      const unreadable: Placed<UnreadableWorkload>[] = [];
      const written: Placed<WrittenObject>[] = [];
      const unreadableServices: Placed<UnreadableWorkload>[] = [];
      for (const [key, entry] of this.entries()) {
        const file = slashed(key);
        for (const item of entry.workloads) {
          workloads.push({ item, file, namespace: item.namespace });
        }
        for (const item of entry.unreadable) {
          unreadable.push({ item, file, namespace: item.namespace });
        }
        for (const item of entry.written) {
          written.push({ item, file, namespace: item.namespace });
        }
        for (const item of entry.unreadableServices) {
          unreadableServices.push({ item, file, namespace: item.namespace });
        }
      }
      this.placed = { workloads, unreadable, written, unreadableServices };
    }
    return this.placed;
  }

  /** Every file's entry: the open document's where one is open, else the one read from disk. */
  private *entries(): Generator<[string, FileEntry]> {
    for (const [key, entry] of this.disk) {
      if (!this.open.has(key)) {
        yield [key, entry];
      }
    }
    yield* this.open;
  }

  all(): readonly WorkloadTemplate[] {
    if (this.flat === undefined) {
      const flat: WorkloadTemplate[] = [];
      for (const [key, entry] of this.disk) {
        if (!this.open.has(key)) {
          flat.push(...entry.workloads);
        }
      }
      for (const entry of this.open.values()) {
        flat.push(...entry.workloads);
      }
      this.flat = flat;
    }
    return this.flat;
  }

  /**
   * Whether a document is a kustomize patch: named by a kustomization, or a file whose name has
   * the word "patch" (`service-patch.yaml`, `patch_ports.yml`) beside a kustomization.
   */
  isPatch(uri: string): boolean {
    const key = documentKey(uri);
    if (this.patchPaths === undefined) {
      this.patchPaths = new Set(
        [...this.disk.values(), ...this.open.values()].flatMap((entry) => entry.patches),
      );
    }
    if (this.patchPaths.has(key)) {
      return true;
    }
    if (!/(^|[^a-z])patch/i.test(basename(key))) {
      return false;
    }
    const folder = dirname(key);
    return [...KUSTOMIZATION_NAMES].some(
      (name) => this.disk.has(join(folder, name)) || this.open.has(join(folder, name)),
    );
  }

  // -------------------------------------------------------------------------------------------
  // Scanning

  /** Reads every YAML file of the folders, yielding to the event loop as it goes. */
  async scan(folderUris: readonly string[]): Promise<void> {
    this.folders = folderUris.map(documentKey).filter((folder) => !folder.includes('://'));
    // A folder removed from the workspace takes its files with it.
    for (const key of [...this.disk.keys()]) {
      if (!this.inFolders(key)) {
        this.disk.delete(key);
      }
    }
    const started = performance.now();
    let files = 0;
    let slice = performance.now();
    const queue: { path: string; depth: number }[] = this.folders.map((path) => ({ path, depth: 0 }));
    this.yamlPaths = [];
    outer: while (queue.length > 0) {
      const { path, depth } = queue.shift()!;
      if (depth === 0 && (await isFile(path))) {
        // `kubereach check file.yaml` names files as well as folders.
        if (isYamlName(path) || KUSTOMIZATION_NAMES.has(basename(path))) {
          files++;
          this.yamlPaths.push(path);
          await this.readFromDisk(path, false);
        }
        continue;
      }
      let entries;
      try {
        entries = await readdir(path, { withFileTypes: true });
      } catch {
        continue;
      }
      entries.sort((a, b) => a.name.localeCompare(b.name));
      for (const entry of entries) {
        const full = join(path, entry.name);
        if (entry.isDirectory()) {
          if (
            !entry.name.startsWith('.') &&
            !SKIPPED_FOLDERS.has(entry.name) &&
            depth < this.limits.maxDepth
          ) {
            queue.push({ path: full, depth: depth + 1 });
          }
          continue;
        }
        if (!entry.isFile() || !(isYamlName(entry.name) || KUSTOMIZATION_NAMES.has(entry.name))) {
          continue;
        }
        if (files >= this.limits.maxFiles) {
          this.log(`Workspace scan stopped at ${this.limits.maxFiles} YAML files.`);
          break outer;
        }
        files++;
        this.yamlPaths.push(full);
        await this.readFromDisk(full, false);
        if (performance.now() - slice > 10) {
          await new Promise((done) => setImmediate(done));
          slice = performance.now();
        }
      }
    }
    // Patches named by a kustomization read after them contribute no workloads either.
    this.patchPaths = undefined;
    for (const [key, entry] of this.disk) {
      if (
        (entry.workloads.length > 0 ||
          entry.unreadable.length > 0 ||
          entry.written.length > 0 ||
          entry.unreadableServices.length > 0) &&
        this.isPatch(entry.uri)
      ) {
        this.disk.set(key, {
          ...entry,
          workloads: [],
          unreadable: [],
          written: [],
          unreadableServices: [],
          signature: signatureOf([], entry.patches, [], entry.resources),
        });
      }
    }
    this.scanned = true;
    this.changed();
    this.log(
      `Workspace scan: ${files} YAML files, ${this.all().length} workloads, in ${Math.round(performance.now() - started)} ms.`,
    );
  }

  /** A file changed on disk (or appeared): read it again. */
  async fileChanged(uri: string): Promise<void> {
    const key = documentKey(uri);
    if (key.includes('://') || !(isYamlName(key) || KUSTOMIZATION_NAMES.has(basename(key)))) {
      return;
    }
    if (!this.inFolders(key)) {
      return;
    }
    if (await this.readFromDisk(key, true)) {
      this.changed();
    }
  }

  fileDeleted(uri: string): void {
    const key = documentKey(uri);
    if (this.disk.delete(key)) {
      this.changed();
    }
  }

  /** An open document's parse stands for its file while it is open. */
  setOpen(uri: string, file: ManifestFile): void {
    const key = documentKey(uri);
    const entry = this.entryFor(uri, key, file, undefined);
    const previous = this.open.get(key) ?? this.disk.get(key);
    this.open.set(key, entry);
    if (previous?.signature !== entry.signature) {
      this.changed();
    }
  }

  /** Whether the open document's text is for a kustomization file (then its patches matter). */
  static isKustomization(uri: string): boolean {
    return KUSTOMIZATION_NAMES.has(basename(documentKey(uri)));
  }

  setOpenKustomization(uri: string, text: string): void {
    const key = documentKey(uri);
    const entry = this.kustomizationEntry(uri, key, text);
    const previous = this.open.get(key) ?? this.disk.get(key);
    this.open.set(key, entry);
    if (previous?.signature !== entry.signature) {
      this.changed();
    }
  }

  closeOpen(uri: string): void {
    const key = documentKey(uri);
    const previous = this.open.get(key);
    if (previous === undefined) {
      return;
    }
    this.open.delete(key);
    if (previous.signature !== (this.disk.get(key)?.signature ?? signatureOf([], []))) {
      this.changed();
    }
  }

  private async readFromDisk(path: string, report: boolean): Promise<boolean> {
    const previous = this.disk.get(path);
    let text: string;
    try {
      const info = await stat(path);
      if (!info.isFile() || info.size > this.limits.maxFileBytes) {
        this.disk.delete(path);
        return previous !== undefined;
      }
      text = await readFile(path, 'utf8');
    } catch {
      this.disk.delete(path);
      return previous !== undefined;
    }
    const uri = pathToFileURL(path).toString();
    let entry: FileEntry;
    try {
      if (KUSTOMIZATION_NAMES.has(basename(path))) {
        entry = this.kustomizationEntry(uri, path, text);
      } else {
        const file = parseManifestFile(text, { kinds: this.parsed ? ANALYSED_KINDS : INDEXED_KINDS });
        entry = this.entryFor(uri, path, file, undefined);
        this.parsed?.(path, file);
      }
    } catch (error) {
      if (report) {
        this.log(`Could not index ${path}: ${String(error)}`);
      }
      this.disk.delete(path);
      return previous !== undefined;
    }
    this.disk.set(path, entry);
    return previous?.signature !== entry.signature;
  }

  private inFolders(key: string): boolean {
    return this.folders.some(
      (folder) => key === folder || key.startsWith(folder.endsWith(sep) ? folder : folder + sep),
    );
  }

  private label(key: string): string {
    const folder = this.folders.find((candidate) =>
      key.startsWith(candidate.endsWith(sep) ? candidate : candidate + sep),
    );
    return folder === undefined ? basename(key) : relative(folder, key).split(sep).join('/');
  }

  private entryFor(
    uri: string,
    key: string,
    file: ManifestFile,
    patches: readonly string[] | undefined,
  ): FileEntry {
    const workloads: WorkloadTemplate[] = [];
    const written: WrittenObject[] = [];
    const label = this.label(key);
    for (const { object, placed } of objectsOf(file)) {
      if (object.hasPatchDirectives) {
        continue;
      }
      if (
        (object.kind === 'Service' || isIngress(object) || gatewayApiKind(object) !== undefined) &&
        object.name !== undefined
      ) {
        const line = positionIn(placed, spanOf(object, ['kind'], 'key').start).line;
        written.push({
          kind: object.kind,
          name: object.name,
          namespace: object.namespace,
          value: object.value,
          source: { uri, line, label },
        });
        continue;
      }
      if (!WORKLOAD_KINDS.has(object.kind)) {
        continue;
      }
      const line = positionIn(placed, spanOf(object, ['kind'], 'key').start).line;
      const workload = workloadTemplate(object, { uri, line, label });
      if (workload !== undefined) {
        workloads.push(workload);
      }
    }
    const unreadable: UnreadableWorkload[] = [];
    const unreadableServices: UnreadableWorkload[] = [];
    for (const placed of file.chunks) {
      const { status, peekedKind, text } = placed.chunk;
      if (UNREADABLE.has(status) && peekedKind !== undefined && WORKLOAD_KINDS.has(peekedKind)) {
        unreadable.push({
          kind: peekedKind,
          namespace: peekNamespace(text),
          source: { uri, line: placed.line, label },
        });
      } else if (UNREADABLE.has(status) && peekedKind === 'Service') {
        unreadableServices.push({
          kind: peekedKind,
          namespace: peekNamespace(text),
          source: { uri, line: placed.line, label },
        });
      }
    }
    // A patch file contributes no workloads: its objects are partial.
    const patch = this.isPatch(uri);
    const kept = patch ? [] : workloads;
    const keptUnreadable = patch ? [] : unreadable;
    const keptWritten = patch ? [] : written;
    const keptUnreadableServices = patch ? [] : unreadableServices;
    return {
      uri,
      workloads: kept,
      unreadable: keptUnreadable,
      written: keptWritten,
      unreadableServices: keptUnreadableServices,
      patches: patches ?? [],
      resources: [],
      signature: signatureOf(kept, patches ?? [], keptUnreadable, [], keptWritten, keptUnreadableServices),
    };
  }

  private kustomizationEntry(uri: string, key: string, text: string): FileEntry {
    let value: unknown;
    try {
      value = nestingExceeds(text, MAX_NESTING)
        ? undefined
        : parseYaml(withLineFeeds(text), { maxAliasCount: 100, uniqueKeys: false });
    } catch {
      value = undefined;
    }
    const folder = dirname(key);
    const patches: string[] = [];
    const resources: string[] = [];
    if (typeof value === 'object' && value !== null) {
      const record = value as Record<string, unknown>;
      const add = (path: unknown) => {
        if (typeof path === 'string' && !path.includes('\n') && isYamlName(path)) {
          patches.push(resolve(folder, path));
        }
      };
      for (const item of asArray(record.patchesStrategicMerge)) {
        add(item);
      }
      for (const item of [...asArray(record.patches), ...asArray(record.patchesJson6902)]) {
        if (typeof item === 'object' && item !== null) {
          add((item as Record<string, unknown>).path);
        } else {
          add(item);
        }
      }
      for (const item of [
        ...asArray(record.resources),
        ...asArray(record.bases),
        ...asArray(record.components),
      ]) {
        // Remote resources (URLs, git repositories) are not in the workspace.
        if (
          typeof item === 'string' &&
          item !== '' &&
          !item.includes('\n') &&
          !/^[a-z]+:|^git@|\/\//i.test(item)
        ) {
          resources.push(resolve(folder, item));
        }
      }
    }
    return {
      uri,
      workloads: [],
      unreadable: [],
      written: [],
      unreadableServices: [],
      patches,
      resources,
      signature: signatureOf([], patches, [], resources),
    };
  }

  private changed(): void {
    this.flat = undefined;
    this.patchPaths = undefined;
    this.byNamespace.clear();
    this.placed = undefined;
    this.scope = undefined;
    this.scoped.clear();
    for (const listener of [...this.listeners]) {
      listener();
    }
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
