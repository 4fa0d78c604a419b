/**
 * Reading a YAML file the way the manifest analysis needs it: split into documents cheaply, each
 * document parsed (or deliberately not) with the `yaml` package and its LineCounter, so that any
 * finding can be placed on a line and column, and any cursor position mapped back to a path.
 *
 * How a file is read:
 * - It is split at `---` lines first, with a regular expression: YAML forbids a `---` at the start
 *   of a line inside content, so the split is exact, and each piece ("chunk") is parsed on its own.
 *   A chunk's result does not depend on where the chunk sits, so results are cached by the chunk's
 *   text: after an edit only the edited document is parsed again.
 * - A chunk holding `{{` is a Go/Helm template: not parsed, never reported on.
 * - A chunk whose top-level `kind:` (a line starting with `kind:`) names a kind that is not
 *   analysed (a ConfigMap, a CRD…) is not parsed at all: reading it could not change an answer.
 * - A lone CR is a line break, as for kubectl's YAML reader (and LSP): it is read as LF, which
 *   keeps every offset where it was.
 * - A chunk nesting collections more than MAX_NESTING deep is not parsed (one KR0001 note): a cheap
 *   scan decides, before the parser could spend half a second on a 60 KB `[[[[…]]]]`.
 * - A chunk larger than `maxDocumentBytes` is not parsed (one KR0001 note), nor is anything after
 *   the first `maxFileBytes` of parsed chunks (one KR0001 note for the rest). The `yaml` package
 *   reads about 1 MB/s and composes large flat mappings in quadratic time, so the limits are what
 *   keep a 10 MB file from holding the language server.
 * - Duplicate keys are read as kubectl reads them: the last value wins.
 * - A document with YAML errors is skipped silently: the YAML extension already reports syntax,
 *   and a half-typed document would otherwise produce a storm of findings.
 * - A document that is not a mapping with string `apiVersion` and `kind` is not a Kubernetes
 *   object and is ignored. `kind: List` contributes its `items`.
 * - Anchors, aliases and `<<` merge keys are resolved; a finding inside an aliased node is placed
 *   on the alias, where the user wrote it for this object.
 */
import {
  Composer,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  Parser,
} from 'yaml';
import type { Alias, Document, Node as YamlNode, Pair, YAMLMap } from 'yaml';

export type PathSegment = string | number;
export type Path = readonly PathSegment[];

/** Offsets into a text, end exclusive (UTF-16 code units, as LSP counts characters). */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/** Zero-based, as in LSP. */
export interface Position {
  readonly line: number;
  readonly character: number;
}

export interface Range {
  readonly start: Position;
  readonly end: Position;
}

export interface Limits {
  /** A document (the text between two `---` lines) larger than this is not parsed. */
  readonly maxDocumentBytes: number;
  /** Documents are parsed until this many bytes of them have been; the rest are not. */
  readonly maxFileBytes: number;
  /** Documents larger than this are parsed in steps of about this size (see parseManifestFileSteps). */
  readonly stepBytes: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxDocumentBytes: 64 * 1024,
  maxFileBytes: 1024 * 1024,
  stepBytes: 16 * 1024,
};

/** The kinds the manifest analysis reads: checked kinds and the workloads they are checked against. */
export const WORKLOAD_KINDS: ReadonlySet<string> = new Set([
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'ReplicationController',
  'Job',
  'CronJob',
  'Pod',
]);

export const ANALYSED_KINDS: ReadonlySet<string> = new Set([
  'Service',
  'NetworkPolicy',
  'Ingress',
  'Gateway',
  'HTTPRoute',
  'GRPCRoute',
  'ReferenceGrant',
  'List',
  ...WORKLOAD_KINDS,
]);

export type ChunkStatus =
  /** Parsed; `objects` holds its Kubernetes objects (possibly none). */
  | 'parsed'
  /** Parsed, with YAML errors: skipped silently. */
  | 'syntax-error'
  /** Holds `{{`: a Helm or Go template. */
  | 'template'
  /** Its top-level kind is one the analysis does not read. */
  | 'other-kind'
  /** Larger than `maxDocumentBytes`. */
  | 'too-large'
  /** Nests collections more than MAX_NESTING deep (found by a scan; not parsed). */
  | 'too-deep'
  /**
   * After the first `maxFileBytes` of parsed documents: the first such document stands for all of
   * them (`ManifestFile.documentsOverBudget`), and no chunk follows it.
   */
  | 'over-budget';

/** One chunk of a file, position-independent (offsets are relative to the chunk's start). */
export interface Chunk {
  readonly text: string;
  readonly status: ChunkStatus;
  /** The top-level `kind:` found by a line scan, before any parsing. */
  readonly peekedKind: string | undefined;
  readonly documents: readonly Document.Parsed[];
  readonly lineCounter: LineCounter | undefined;
  readonly objects: readonly ManifestObject[];
  /** Memo of the static findings, filled by the analysis (they depend on the chunk alone). */
  memo: Map<string, unknown> | undefined;
}

/** A Kubernetes object found in a chunk. */
export interface ManifestObject {
  readonly chunk: Chunk;
  readonly document: Document.Parsed;
  /** Where the object sits in its document: `[]`, or `['items', i]` in a `kind: List`. */
  readonly root: Path;
  readonly value: Readonly<Record<string, unknown>>;
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string | undefined;
  readonly namespace: string | undefined;
  /** Holds strategic-merge-patch directives (`$patch`, `$setElementOrder/…`): a kustomize patch. */
  readonly hasPatchDirectives: boolean;
}

/** A chunk where it sits in its file. */
export interface PlacedChunk {
  readonly chunk: Chunk;
  readonly offset: number;
  /** Zero-based line of the chunk's first character (chunks always start at a line start). */
  readonly line: number;
}

export interface ManifestFile {
  readonly text: string;
  readonly chunks: readonly PlacedChunk[];
  /** Read as a kustomize patch: no "required" checks, not compared with workloads or the cluster. */
  readonly isPatch: boolean;
  readonly limits: Limits;
  /** How many documents, from the `over-budget` chunk on, are not analysed (0: none). */
  readonly documentsOverBudget: number;
}

export interface ParseOptions {
  readonly isPatch?: boolean;
  readonly limits?: Partial<Limits>;
  /** Kinds worth parsing; a chunk whose peeked kind is not one of them is left alone. */
  readonly kinds?: ReadonlySet<string>;
  /** Results of earlier parses of the same file, reused for unchanged chunks. */
  readonly cache?: ChunkCache;
}

/**
 * Parsed chunks by their text, for one file. A finished parse replaces the entries with the chunks
 * it used, so the cache holds about one version of the file; parses that overlap (a hover while a
 * long validation is under way) only read it, and the last to finish wins.
 */
export class ChunkCache {
  private current = new Map<string, Chunk>();

  get(text: string): Chunk | undefined {
    return this.current.get(text);
  }

  /** Keeps exactly these chunks (those of the latest parse). */
  retain(used: ReadonlyMap<string, Chunk>): void {
    this.current = new Map(used);
  }

  get size(): number {
    return this.current.size;
  }
}

const SEPARATOR = /^---(?=[ \t\r\n]|$)/gm;
const KIND_LINE = /^kind:[ \t]*(["']?)([A-Za-z][A-Za-z0-9]*)\1[ \t]*(?:#.*)?\r?$/gm;
const PATCH_KEY = /^\$(?:patch$|setElementOrder\/|retainKeys$|deleteFromPrimitiveList\/)/;

interface RawChunk {
  readonly offset: number;
  readonly end: number;
  readonly line: number;
}

/** Splits at `---` lines; a chunk starts at its `---` (or at 0) and ends where the next begins. */
export function splitChunks(text: string): RawChunk[] {
  const starts: number[] = [0];
  SEPARATOR.lastIndex = 0;
  for (let match = SEPARATOR.exec(text); match !== null; match = SEPARATOR.exec(text)) {
    if (match.index > 0) {
      starts.push(startOfDirectives(text, match.index));
    }
  }
  const chunks: RawChunk[] = [];
  let line = 0;
  let counted = 0;
  for (let i = 0; i < starts.length; i++) {
    const offset = starts[i] ?? 0;
    const end = starts[i + 1] ?? text.length;
    if (end <= offset) {
      continue;
    }
    line += countNewlines(text, counted, offset);
    counted = offset;
    chunks.push({ offset, end, line });
  }
  return chunks;
}

/** `%YAML`/`%TAG` directive lines just before a `---` belong to the document that follows. */
function startOfDirectives(text: string, separator: number): number {
  let start = separator;
  for (;;) {
    const previousEnd = start - 1;
    if (previousEnd <= 0) {
      return start;
    }
    const lineStart = text.lastIndexOf('\n', previousEnd - 1) + 1;
    if (text.charAt(lineStart) !== '%') {
      return start;
    }
    start = lineStart;
  }
}

function countNewlines(text: string, from: number, to: number): number {
  let count = 0;
  for (let at = text.indexOf('\n', from); at >= 0 && at < to; at = text.indexOf('\n', at + 1)) {
    count++;
  }
  return count;
}

/**
 * The top-level kind, from a line scan; undefined when no line starts with `kind:`. The last such
 * line wins, as for a duplicate key.
 */
export function peekKind(text: string): string | undefined {
  let kind: string | undefined;
  KIND_LINE.lastIndex = 0;
  for (let match = KIND_LINE.exec(text); match !== null; match = KIND_LINE.exec(text)) {
    kind = match[2];
  }
  return kind;
}

const NAMESPACE_LINE = /^ {2}namespace:[ \t]*(["']?)([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)\1[ \t]*(?:#.*)?\r?$/gm;

/** A `metadata.namespace` from a line scan (two spaces in), for documents that are not parsed. */
export function peekNamespace(text: string): string | undefined {
  let namespace: string | undefined;
  NAMESPACE_LINE.lastIndex = 0;
  for (let match = NAMESPACE_LINE.exec(text); match !== null; match = NAMESPACE_LINE.exec(text)) {
    namespace = match[2];
  }
  return namespace;
}

/**
 * How deep collections may nest in a document that is parsed. Manifests nest about 12 deep; the
 * `yaml` package spends time superlinear in depth (a 60 KB `[[[[…]]]]` held the event loop for about
 * half a second), so a deeper document is refused by a scan before any parsing.
 */
export const MAX_NESTING = 64;

const OPEN_BRACKET = 0x5b;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACKET = 0x5d;
const CLOSE_BRACE = 0x7d;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
const DASH = 0x2d;
const QUESTION = 0x3f;
const COLON = 0x3a;

/**
 * Whether a document may nest collections more than `max` deep, by a scan that cannot be fooled
 * into under-counting: every `[` and `{` opens a level until its `]` or `}` (even inside quotes or
 * comments, which only over-counts for unbalanced brackets in text), and each compact block entry
 * (`- `, `? `, `: `) at the start of a line opens one more on that line (`- - - x`).
 */
export function nestingExceeds(text: string, max: number): boolean {
  let flow = 0;
  let compact = 0;
  let lineStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      flow++;
      lineStart = false;
      if (flow + compact > max) {
        return true;
      }
    } else if (c === CLOSE_BRACKET || c === CLOSE_BRACE) {
      flow = flow > 0 ? flow - 1 : 0;
      lineStart = false;
    } else if (c === LF || c === CR) {
      lineStart = true;
      compact = 0;
    } else if (c === SPACE || c === TAB) {
      // Indentation and the space after an indicator keep the line "at its start".
    } else if (lineStart && (c === DASH || c === QUESTION || c === COLON)) {
      const next = i + 1 < text.length ? text.charCodeAt(i + 1) : SPACE;
      if (next === SPACE || next === TAB || next === LF || next === CR) {
        compact++;
        if (flow + compact > max) {
          return true;
        }
      } else {
        lineStart = false;
      }
    } else {
      lineStart = false;
    }
  }
  return false;
}

export function isTemplate(text: string): boolean {
  return text.includes('{{');
}

function makeChunk(text: string, status: ChunkStatus, peekedKind: string | undefined): Chunk {
  return { text, status, peekedKind, documents: [], lineCounter: undefined, objects: [], memo: undefined };
}

/**
 * Parses a file in steps: each `next()` does a bounded amount of work (one small document, or
 * `stepBytes` of a larger one), so a caller can yield to its event loop between steps. The
 * generator's return value is the file.
 */
export function* parseManifestFileSteps(
  source: string,
  options: ParseOptions = {},
): Generator<void, ManifestFile> {
  const text = withLineFeeds(source);
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const kinds = options.kinds ?? ANALYSED_KINDS;
  const cache = options.cache;
  const used = new Map<string, Chunk>();
  const chunks: PlacedChunk[] = [];
  let parsedBytes = 0;
  let sinceYield = 0;
  let documentsOverBudget = 0;
  const raws = splitChunks(text);
  for (const [index, raw] of raws.entries()) {
    if (++sinceYield >= 256) {
      // Documents that are not parsed cost little each, but a file can hold tens of thousands.
      sinceYield = 0;
      yield;
    }
    const length = raw.end - raw.offset;
    if (length > limits.maxDocumentBytes) {
      // Not cached: hashing a multi-megabyte key costs as much as the scan.
      const chunkText = text.slice(raw.offset, raw.end);
      const kind = peekKind(chunkText);
      const status: ChunkStatus = isTemplate(chunkText)
        ? 'template'
        : kind !== undefined && !kinds.has(kind)
          ? 'other-kind'
          : 'too-large';
      chunks.push({ chunk: makeChunk(chunkText, status, kind), offset: raw.offset, line: raw.line });
      continue;
    }
    const chunkText = text.slice(raw.offset, raw.end);
    let chunk = used.get(chunkText) ?? cache?.get(chunkText);
    let kind = chunk?.peekedKind;
    if (chunk === undefined) {
      kind = peekKind(chunkText);
      if (isTemplate(chunkText)) {
        chunk = makeChunk(chunkText, 'template', kind);
      } else if (kind !== undefined && !kinds.has(kind)) {
        chunk = makeChunk(chunkText, 'other-kind', kind);
      } else if (nestingExceeds(chunkText, MAX_NESTING)) {
        chunk = makeChunk(chunkText, 'too-deep', kind);
      }
    }
    const needsParse = chunk === undefined || chunk.status === 'parsed' || chunk.status === 'syntax-error';
    if (needsParse) {
      // Cached documents count too, so that what is analysed does not depend on the edit history.
      if (parsedBytes + length > limits.maxFileBytes) {
        // One placeholder for the rest of the file: tens of thousands of chunk objects would only
        // feed the garbage collector.
        chunks.push({ chunk: makeChunk(chunkText, 'over-budget', kind), offset: raw.offset, line: raw.line });
        documentsOverBudget = raws.length - index;
        break;
      }
      parsedBytes += length;
    }
    if (chunk === undefined) {
      if (length <= limits.stepBytes) {
        chunk = parseChunk(chunkText, kind);
        yield;
      } else {
        chunk = yield* parseChunkSteps(chunkText, kind, limits.stepBytes);
      }
    }
    used.set(chunkText, chunk);
    chunks.push({ chunk, offset: raw.offset, line: raw.line });
  }
  cache?.retain(used);
  return { text, chunks, isPatch: options.isPatch ?? false, limits, documentsOverBudget };
}

/** A lone CR as LF (the same length, so offsets and positions stay as the editor counts them). */
export function withLineFeeds(text: string): string {
  return text.includes('\r') ? text.replace(/\r(?!\n)/g, '\n') : text;
}

/** Parses a whole file at once (tests, the workspace index); see parseManifestFileSteps. */
export function parseManifestFile(text: string, options: ParseOptions = {}): ManifestFile {
  const steps = parseManifestFileSteps(text, options);
  for (;;) {
    const step = steps.next();
    if (step.done) {
      return step.value;
    }
  }
}

/** Duplicate keys are not errors: kubectl's reader accepts them, the last value winning. */
const PARSE_OPTIONS = { merge: true, prettyErrors: false, uniqueKeys: false } as const;

function parseChunk(text: string, peekedKind: string | undefined): Chunk {
  const lineCounter = new LineCounter();
  let documents: Document.Parsed[];
  try {
    documents = parseAllDocuments(text, { ...PARSE_OPTIONS, lineCounter }) as Document.Parsed[];
  } catch {
    return makeChunk(text, 'syntax-error', peekedKind);
  }
  return finishChunk(text, peekedKind, Array.isArray(documents) ? documents : [], lineCounter);
}

/** The same as parseChunk, feeding the parser a few lines at a time (its input may be incomplete). */
function* parseChunkSteps(
  text: string,
  peekedKind: string | undefined,
  stepBytes: number,
): Generator<void, Chunk> {
  const lineCounter = new LineCounter();
  const parser = new Parser(lineCounter.addNewLine);
  const composer = new Composer(PARSE_OPTIONS);
  const documents: Document.Parsed[] = [];
  try {
    let at = 0;
    while (at < text.length) {
      const newline = text.indexOf('\n', at + stepBytes);
      const end = newline < 0 ? text.length : newline + 1;
      for (const token of parser.parse(text.slice(at, end), true)) {
        documents.push(...(composer.next(token) as Iterable<Document.Parsed>));
      }
      at = end;
      yield;
    }
    for (const token of parser.parse('', false)) {
      documents.push(...(composer.next(token) as Iterable<Document.Parsed>));
    }
    documents.push(...(composer.end(false, -1) as Iterable<Document.Parsed>));
  } catch {
    return makeChunk(text, 'syntax-error', peekedKind);
  }
  return finishChunk(text, peekedKind, documents, lineCounter);
}

function finishChunk(
  text: string,
  peekedKind: string | undefined,
  documents: Document.Parsed[],
  lineCounter: LineCounter,
): Chunk {
  const objects: ManifestObject[] = [];
  const chunk: Chunk = {
    text,
    status: documents.some((document) => document.errors.length > 0) ? 'syntax-error' : 'parsed',
    peekedKind,
    documents,
    lineCounter,
    objects,
    memo: undefined,
  };
  if (chunk.status === 'syntax-error') {
    return chunk;
  }
  for (const document of documents) {
    let value: unknown;
    try {
      // maxAliasCount bounds "billion laughs" documents; toJS throws past it.
      value = document.toJS({ maxAliasCount: 100 });
    } catch {
      continue;
    }
    const object = asObject(chunk, document, [], value);
    if (object === undefined) {
      continue;
    }
    if (object.kind === 'List' && Array.isArray(object.value.items)) {
      object.value.items.forEach((item: unknown, index: number) => {
        const inner = asObject(chunk, document, ['items', index], item);
        if (inner !== undefined && inner.kind !== 'List') {
          objects.push(inner);
        }
      });
    } else {
      objects.push(object);
    }
  }
  if (objects.length === 0) {
    // Nothing here will be pointed at: keep the result, not the syntax tree.
    return { ...chunk, documents: [], lineCounter: undefined, objects };
  }
  return chunk;
}

function asObject(
  chunk: Chunk,
  document: Document.Parsed,
  root: Path,
  value: unknown,
): ManifestObject | undefined {
  if (!isRecord(value) || typeof value.apiVersion !== 'string' || typeof value.kind !== 'string') {
    return undefined;
  }
  const metadata = isRecord(value.metadata) ? value.metadata : {};
  return {
    chunk,
    document,
    root,
    value,
    apiVersion: value.apiVersion,
    kind: value.kind,
    name: typeof metadata.name === 'string' ? metadata.name : undefined,
    namespace:
      typeof metadata.namespace === 'string' && metadata.namespace !== '' ? metadata.namespace : undefined,
    hasPatchDirectives: hasPatchDirectives(value, 0),
  };
}

function hasPatchDirectives(value: unknown, depth: number): boolean {
  if (depth > 32) {
    return false;
  }
  if (Array.isArray(value)) {
    return value.some((item) => hasPatchDirectives(item, depth + 1));
  }
  if (isRecord(value)) {
    return Object.entries(value).some(
      ([key, inner]) => PATCH_KEY.test(key) || hasPatchDirectives(inner, depth + 1),
    );
  }
  return false;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every object of a file with where its chunk sits. */
export function* objectsOf(file: ManifestFile): Generator<{ object: ManifestObject; placed: PlacedChunk }> {
  for (const placed of file.chunks) {
    for (const object of placed.chunk.objects) {
      yield { object, placed };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Positions

/** A chunk-relative offset as a file position. */
export function positionIn(placed: PlacedChunk, offset: number): Position {
  const counter = placed.chunk.lineCounter;
  if (counter === undefined) {
    // Unparsed chunks are only ever pointed at their start.
    return { line: placed.line, character: 0 };
  }
  const { line, col } = counter.linePos(offset);
  return { line: placed.line + Math.max(0, line - 1), character: Math.max(0, col - 1) };
}

/** A chunk-relative span as a file span and range. */
export function placeSpan(placed: PlacedChunk, span: Span): { span: Span; range: Range } {
  return {
    span: { start: placed.offset + span.start, end: placed.offset + span.end },
    range: { start: positionIn(placed, span.start), end: positionIn(placed, span.end) },
  };
}

/** The span of a chunk's first line (where a note about the whole chunk goes). */
export function firstLineSpan(chunk: Chunk): Span {
  const newline = chunk.text.indexOf('\n');
  const end = newline < 0 ? chunk.text.length : newline;
  return { start: 0, end: chunk.text.charAt(end - 1) === '\r' ? end - 1 : end };
}

/** The chunk holding a file offset. */
export function chunkAt(file: ManifestFile, offset: number): PlacedChunk | undefined {
  let low = 0;
  let high = file.chunks.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const placed = file.chunks[mid]!;
    if (offset < placed.offset) {
      high = mid - 1;
    } else if (mid + 1 < file.chunks.length && offset >= file.chunks[mid + 1]!.offset) {
      low = mid + 1;
    } else {
      return placed;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// From a path to nodes

export interface Located {
  readonly pair: Pair | undefined;
  readonly key: YamlNode | undefined;
  readonly value: YamlNode | null | undefined;
  /** The first alias crossed on the way: findings go there, where this object uses the node. */
  readonly alias: Alias | undefined;
}

function isMergeKey(node: unknown): boolean {
  return isScalar(node) && (typeof node.value === 'symbol' || node.source === '<<');
}

function keyText(node: unknown): string | undefined {
  if (isScalar(node)) {
    const value = node.value;
    return typeof value === 'string' ? value : typeof value === 'symbol' ? undefined : String(value);
  }
  return undefined;
}

function findPair(
  document: Document.Parsed,
  map: YAMLMap,
  key: string,
  depth: number,
): { pair: Pair; alias: Alias | undefined } | undefined {
  for (let i = map.items.length - 1; i >= 0; i--) {
    const pair = map.items[i];
    if (isPair(pair) && keyText(pair.key) === key) {
      return { pair, alias: undefined };
    }
  }
  if (depth > 8) {
    return undefined;
  }
  for (const pair of map.items) {
    if (!isPair(pair) || !isMergeKey(pair.key)) {
      continue;
    }
    const sources = isSeq(pair.value) ? pair.value.items : [pair.value];
    for (const source of sources) {
      const alias = isAlias(source) ? source : undefined;
      const target = alias ? resolveAlias(document, alias) : source;
      if (isMap(target)) {
        const found = findPair(document, target, key, depth + 1);
        if (found) {
          return { pair: found.pair, alias: alias ?? found.alias };
        }
      }
    }
  }
  return undefined;
}

function resolveAlias(document: Document.Parsed, alias: Alias): YamlNode | undefined {
  try {
    return alias.resolve(document) as YamlNode | undefined;
  } catch {
    return undefined;
  }
}

/** Follows a path from a document's root; undefined when some step is missing. */
export function locate(document: Document.Parsed, path: Path): Located | undefined {
  let node: unknown = document.contents;
  let alias: Alias | undefined;
  let pair: Pair | undefined;
  for (const segment of path) {
    let hops = 0;
    while (isAlias(node) && hops++ < 8) {
      alias ??= node;
      node = resolveAlias(document, node);
    }
    if (isMap(node)) {
      const found = findPair(document, node, String(segment), 0);
      if (found === undefined) {
        return undefined;
      }
      alias ??= found.alias;
      pair = found.pair;
      node = found.pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      pair = undefined;
      node = node.items[segment];
      if (node === undefined) {
        return undefined;
      }
    } else {
      return undefined;
    }
  }
  return {
    pair,
    key: pair ? (pair.key as YamlNode) : undefined,
    value: node as YamlNode | null | undefined,
    alias,
  };
}

/**
 * Where a node's content ends. A block collection's own range runs to the start of the line after
 * it; its content ends with its last item.
 */
export function contentEnd(node: unknown, depth = 0): number | undefined {
  const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
  if (range === undefined) {
    return undefined;
  }
  if ((isMap(node) || isSeq(node)) && !node.flow && node.items.length > 0 && depth < 64) {
    const last: unknown = node.items[node.items.length - 1];
    const inner = isPair(last) ? (last.value ?? last.key) : last;
    const end = contentEnd(inner, depth + 1) ?? (isPair(last) ? contentEnd(last.key, depth + 1) : undefined);
    if (end !== undefined && end >= range[0]) {
      return end;
    }
  }
  return range[1];
}

export function nodeSpan(node: unknown): Span | undefined {
  const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
  if (range === undefined) {
    return undefined;
  }
  return { start: range[0], end: Math.max(range[0], contentEnd(node) ?? range[1]) };
}

/**
 * The chunk-relative span of a path: its key or its value. A missing path falls back to its
 * nearest present ancestor's key, then to the document's first line.
 */
export function spanOf(object: ManifestObject, path: Path, part: 'key' | 'value' = 'value'): Span {
  const full = [...object.root, ...path];
  for (let length = full.length; length >= 0; length--) {
    const located = locate(object.document, full.slice(0, length));
    if (located === undefined) {
      continue;
    }
    if (located.alias) {
      return nodeSpan(located.alias) ?? firstLineSpan(object.chunk);
    }
    const wantKey = part === 'key' || length < full.length;
    const keySpan = nodeSpan(located.key);
    const valueSpan = nodeSpan(located.value);
    if (wantKey && keySpan) {
      return keySpan;
    }
    if (valueSpan && valueSpan.end > valueSpan.start) {
      return valueSpan;
    }
    if (keySpan) {
      return keySpan;
    }
    if (length === 0) {
      break;
    }
  }
  return spanOf0(object);
}

function spanOf0(object: ManifestObject): Span {
  const kind = locate(object.document, [...object.root, 'kind']);
  return nodeSpan(kind?.key) ?? nodeSpan(object.document.contents) ?? firstLineSpan(object.chunk);
}

// ---------------------------------------------------------------------------------------------
// From an offset to a path

export interface PathAt {
  readonly path: Path;
  /** Whether the offset is on the key of the last segment, or on (or inside) its value. */
  readonly part: 'key' | 'value';
  readonly span: Span;
}

function contains(span: Span | undefined, offset: number): boolean {
  return span !== undefined && offset >= span.start && offset <= span.end;
}

/** The deepest path at a chunk-relative offset in a document, relative to the document's root. */
export function pathAt(document: Document.Parsed, offset: number): PathAt | undefined {
  let node: unknown = document.contents;
  const path: PathSegment[] = [];
  let span = nodeSpan(node);
  if (!contains(span, offset)) {
    return undefined;
  }
  for (let depth = 0; depth < 64; depth++) {
    if (isMap(node)) {
      let next: unknown;
      for (const pair of node.items) {
        if (!isPair(pair)) {
          continue;
        }
        const key = keyText(pair.key);
        const keySpan = nodeSpan(pair.key);
        if (key !== undefined && contains(keySpan, offset)) {
          return { path: [...path, key], part: 'key', span: keySpan! };
        }
        const valueSpan = nodeSpan(pair.value);
        if (key !== undefined && contains(valueSpan, offset)) {
          path.push(key);
          next = pair.value;
          span = valueSpan!;
          break;
        }
      }
      if (next === undefined) {
        return { path, part: 'value', span: span! };
      }
      node = next;
    } else if (isSeq(node)) {
      const index = node.items.findIndex((item) => contains(nodeSpan(item), offset));
      if (index < 0) {
        return { path, part: 'value', span: span! };
      }
      path.push(index);
      node = node.items[index];
      span = nodeSpan(node);
    } else {
      return { path, part: 'value', span: span ?? { start: offset, end: offset } };
    }
  }
  return { path, part: 'value', span: span ?? { start: offset, end: offset } };
}
