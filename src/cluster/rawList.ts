/**
 * Lists for the informers, cheaper than client-node's generated calls.
 *
 * client-node turns a list's JSON into its typed models with `ObjectSerializer.deserialize`, a
 * generic walk that rebuilds every object attribute by attribute: at 10,000 Pods it costs as much
 * as the HTTP request and `JSON.parse` together. The informers instead parse the JSON and revive in
 * place only what the models change: date-time strings become `Date`s and the few attributes whose
 * TypeScript name differs from their JSON name (`_continue`…) are renamed. The plan of what to
 * revive is compiled once per model from client-node's own attribute type maps, so readers see the
 * shape client-node's calls give (plain objects rather than class instances; attributes client-node
 * does not know are kept, as `slimObject` drops what no feature reads).
 *
 * The request goes through client-node's own authentication (`RequestContext`,
 * `applySecurityAuthentication`) and the undici dispatcher it builds from the kubeconfig, as its
 * Watch does, so TLS, tokens, exec plugins and proxies behave as in every other call.
 */
import type { KubeConfig, KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
// The module of client-node's ObjectSerializer re-exports every model class (and its type map needs
// them all anyway); the package's root would pull every API into the bundle besides.
import * as models from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js';
import { HttpMethod, RequestContext } from '@kubernetes/client-node/dist/gen/http/http.js';
import { IsomorphicFetchHttpLibrary } from '@kubernetes/client-node/dist/gen/http/isomorphic-fetch.js';
import { dateOf } from './compact.ts';

interface AttributeType {
  readonly name: string;
  readonly baseName: string;
  readonly type: string;
}

type Step =
  | { readonly kind: 'date'; readonly base: string; readonly name: string }
  | { readonly kind: 'rename'; readonly base: string; readonly name: string }
  | {
      readonly kind: 'model' | 'array' | 'map';
      readonly base: string;
      readonly name: string;
      readonly plan: Plan;
    };

/** What to do to an object of one model; empty when its JSON already is the model. */
type Plan = readonly Step[];

const plans = new Map<string, Plan>();
const http = new IsomorphicFetchHttpLibrary();

function attributesOf(type: string): readonly AttributeType[] | undefined {
  const model = (models as unknown as Record<string, { getAttributeTypeMap?: () => AttributeType[] }>)[type];
  return typeof model?.getAttributeTypeMap === 'function' ? model.getAttributeTypeMap() : undefined;
}

/** The plan of a model, compiled once; a model met again while compiling (a cycle) gets none. */
function planOf(type: string, visiting = new Set<string>()): Plan {
  const known = plans.get(type);
  if (known !== undefined) {
    return known;
  }
  const attributes = attributesOf(type);
  if (attributes === undefined || visiting.has(type)) {
    return [];
  }
  visiting.add(type);
  const steps: Step[] = [];
  for (const attribute of attributes) {
    const { name, baseName: base } = attribute;
    const type = attribute.type.replace(/ \| (null|undefined)$/, '');
    if (type === 'Date') {
      steps.push({ kind: 'date', base, name });
      continue;
    }
    const array = /^Array<(.+)>$/.exec(type);
    const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
    const inner = array?.[1] ?? map?.[1] ?? type;
    const plan = planOf(inner, visiting);
    if (plan.length > 0) {
      steps.push({ kind: array ? 'array' : map ? 'map' : 'model', base, name, plan });
    } else if (name !== base) {
      steps.push({ kind: 'rename', base, name });
    }
  }
  visiting.delete(type);
  plans.set(type, steps);
  return steps;
}

function apply(plan: Plan, object: Record<string, unknown>): void {
  for (const step of plan) {
    const value = object[step.base];
    if (value === undefined || value === null) {
      continue;
    }
    let revived = value;
    switch (step.kind) {
      case 'date':
        // One Date per distinct timestamp (compact.ts); anything else is left to Date as before.
        revived = typeof value === 'string' ? dateOf(value) : new Date(value as string);
        break;
      case 'model':
        apply(step.plan, value as Record<string, unknown>);
        break;
      case 'array':
        for (const item of value as unknown[]) {
          if (item !== null && typeof item === 'object') {
            apply(step.plan, item as Record<string, unknown>);
          }
        }
        break;
      case 'map':
        for (const item of Object.values(value as Record<string, unknown>)) {
          if (item !== null && typeof item === 'object') {
            apply(step.plan, item as Record<string, unknown>);
          }
        }
        break;
      case 'rename':
        break;
    }
    if (step.base !== step.name) {
      delete object[step.base];
    }
    object[step.name] = revived;
  }
}

/**
 * Revives, in place, an object parsed from JSON into the shape of client-node's model `model`
 * (`V1Pod`): `Date`s and renamed attributes. Returns the object.
 */
export function reviveObject<T>(object: T, model: string): T {
  if (object !== null && typeof object === 'object') {
    apply(planOf(model), object as Record<string, unknown>);
  }
  return object;
}

/** An HTTP error as client-node's Watch reports one, with the server's `Status` body for its message. */
class ListError extends Error {
  readonly statusCode: number;
  readonly body: string;
  constructor(statusCode: number, body: string) {
    super(`HTTP ${statusCode}`);
    this.statusCode = statusCode;
    this.body = body;
  }
}

/**
 * GETs one object (`/api/v1/namespaces/web/pods/client`) revived as `model`, in full; undefined
 * when the server answers 404.
 */
export async function getObject<T extends KubernetesObject>(
  kubeConfig: KubeConfig,
  path: string,
  model: string,
): Promise<T | undefined> {
  const { status, text } = await get(kubeConfig, path);
  if (status === 404) {
    return undefined;
  }
  if (status !== 200) {
    throw new ListError(status, text);
  }
  return reviveObject(JSON.parse(text) as T, model);
}

async function get(kubeConfig: KubeConfig, path: string): Promise<{ status: number; text: string }> {
  return (await getter(kubeConfig, path))(path);
}

/**
 * GETs paths of one server with one authentication: what the pages of one list share. `onHead`,
 * if given, is called once with the first bytes of a 200 answer's body (at least `HEAD_BYTES`, or
 * all of it), as Latin-1, while the rest is still coming.
 */
type Getter = (path: string, onHead?: (head: string) => void) => Promise<{ status: number; text: string }>;

/** Enough of a list's body for its metadata, which a real API server writes before its items. */
const HEAD_BYTES = 4096;

/**
 * Authenticates once (tokens, client certificates, exec plugins) and returns a GET of any path of
 * the current cluster. The kubeconfig's undici dispatcher (TLS, proxy) is asked directly: at
 * 10,000 Pods about a third faster than its fetch(), which streams the body through WHATWG
 * streams. The pages of a list share it (and its open connections), where authenticating each
 * page would build a new dispatcher and TLS context, and open a new connection, for every page.
 */
async function getter(kubeConfig: KubeConfig, firstPath: string): Promise<Getter> {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) {
    throw new Error('No currently active cluster');
  }
  const context = new RequestContext(`${cluster.server}${firstPath}`, HttpMethod.GET);
  context.setHeaderParam('Accept', 'application/json');
  await kubeConfig.applySecurityAuthentication(context);
  const dispatcher = context.getDispatcher() as unknown as Dispatcher | undefined;
  if (typeof dispatcher?.request === 'function') {
    const origin = new URL(context.getUrl()).origin;
    const base = new URL(cluster.server);
    const prefix = base.pathname.replace(/\/$/, '');
    const headers = context.getHeaders();
    return async (path, onHead) => {
      const response = await dispatcher.request({ origin, path: `${prefix}${path}`, method: 'GET', headers });
      if (onHead === undefined || response.statusCode !== 200) {
        return { status: response.statusCode, text: await response.body.text() };
      }
      return { status: response.statusCode, text: await readBody(response.body, onHead) };
    };
  }
  return async (path, onHead) => {
    const each = new RequestContext(`${cluster.server}${path}`, HttpMethod.GET);
    each.setHeaderParam('Accept', 'application/json');
    await kubeConfig.applySecurityAuthentication(each);
    const response = await http.send(each).toPromise();
    const stream = onHead !== undefined && response.httpStatusCode === 200 ? response.body.stream() : null;
    return {
      status: response.httpStatusCode,
      text: stream !== null ? await readBody(stream, onHead!) : await response.body.text(),
    };
  };
}

/** A body read whole as UTF-8, its first `HEAD_BYTES` (or all of it) given to `onHead` as they come. */
async function readBody(body: AsyncIterable<Uint8Array>, onHead: (head: string) => void): Promise<string> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  let headSent = false;
  for await (const chunk of body) {
    chunks.push(chunk);
    length += chunk.length;
    if (!headSent && length >= HEAD_BYTES) {
      headSent = true;
      onHead(Buffer.concat(chunks, length).toString('latin1', 0, HEAD_BYTES));
    }
  }
  const whole = Buffer.concat(chunks, length);
  if (!headSent) {
    onHead(whole.toString('latin1'));
  }
  return whole.toString('utf8');
}

/** The part of undici's Dispatcher used here (undici is client-node's, not a dependency of ours). */
interface Dispatcher {
  request(options: {
    origin: string;
    path: string;
    method: 'GET';
    headers: Record<string, string>;
  }): Promise<{ statusCode: number; body: AsyncIterable<Uint8Array> & { text(): Promise<string> } }>;
}

/** Objects a page of a list holds: client-go's and kubectl's chunk size. */
export const LIST_PAGE_SIZE = 500;

/** Objects finished between two looks at the network while a list is read. */
const YIELD_EVERY = 250;

export interface ListOptions<T> {
  /** Applied to each parsed object before it is revived (the informers slim it there). */
  readonly before?: (object: T) => T;
  /** Applied to each revived object, page by page (the informers intern and compact it there). */
  readonly after?: (object: T) => T;
  /** Objects a page; 0 asks for the whole list at once. Default `LIST_PAGE_SIZE`. */
  readonly pageSize?: number;
  /**
   * True once nobody wants the list any more (its informer was stopped): reading and finishing
   * pages stops with an error, instead of going through 100,000 objects for nothing.
   */
  readonly abandoned?: () => boolean;
}

/** The error a list stops with once `ListOptions.abandoned` says so. */
export class ListAbandoned extends Error {
  constructor() {
    super('the list was abandoned');
  }
}

/**
 * GETs a collection (`/api/v1/pods`) and returns it with its items revived as `model` (`V1Pod`),
 * each passed through `options.before` first and `options.after` last (the informers slim objects
 * before reviving them, and intern and compact them after). Each page's objects are finished before
 * pages more than two ahead of it are asked for: at 100,000 Pods, finishing them only once the
 * whole list was in held every object at its full, uncompacted size at once (about 2.5 times the
 * cache), and V8 kept the heap it grew for them.
 *
 * The list is read in pages of `pageSize` objects (`limit` and `continue`), as client-go's reflector
 * and kubectl read lists: a 100,000-Pod list is never one 250 MB body, one string of it and one
 * parse of it in memory at once (what kept the extension host's memory high after the first
 * list). The next page is asked for as soon as the head of a page names its continue token (see
 * `continueTokenOf`), up to two pages ahead of the one being finished, so the server writes it
 * while this page is received, parsed and finished; a page whose parsed token differs from its
 * head's drops what was read ahead from it. Every page comes from the first page's snapshot
 * (the continue token carries its resourceVersion), whose resourceVersion the list returns. A
 * continue token that has expired (410: the list took longer than the server keeps snapshots) is
 * answered, as client-go does, by one list without pages.
 */
export async function listObjects<T extends KubernetesObject>(
  kubeConfig: KubeConfig,
  path: string,
  model: string,
  options: ListOptions<T> = {},
): Promise<KubernetesListObject<T>> {
  const {
    before = (object: T) => object,
    after = (object: T) => object,
    pageSize = LIST_PAGE_SIZE,
    abandoned = () => false,
  } = options;
  const separator = path.includes('?') ? '&' : '?';
  const fetchPath = await getter(kubeConfig, path);
  const pathOf = (token: string | undefined) =>
    pageSize > 0
      ? `${path}${separator}limit=${pageSize}${token ? `&continue=${encodeURIComponent(token)}` : ''}`
      : path;

  // The pages asked for, by number; a page's `early` token is the continue token read from the
  // head of its body. `done` marks a page taken (its objects are not held here any more).
  interface Fetch {
    readonly page: Promise<ListPage<T>>;
    early?: string;
  }
  const fetches: Array<Fetch | 'done'> = [];
  let processing = 0;
  const start = (index: number, token: string | undefined) => {
    if (fetches[index] !== undefined) {
      return;
    }
    const fetch: { page?: Promise<ListPage<T>>; early?: string } = {};
    const onHead =
      pageSize > 0
        ? (head: string) => {
            fetch.early = continueTokenOf(head);
            ahead();
          }
        : undefined;
    fetch.page = listPage<T>(fetchPath, pathOf(token), onHead);
    // Nothing rejects unobserved while other pages are processed.
    fetch.page.catch(() => undefined);
    fetches[index] = fetch as Fetch;
  };
  // Up to two pages ahead of the one processed, each asked for as soon as the head of the page
  // before it names it.
  const ahead = () => {
    for (let index = processing; index < processing + 2; index++) {
      const fetch = fetches[index];
      if (fetch !== undefined && fetch !== 'done' && fetch.early !== undefined) {
        start(index + 1, fetch.early);
      }
    }
  };

  start(0, undefined);
  let first: ListPage<T> | undefined;
  const items: T[] = [];
  for (let index = 0; ; index++) {
    processing = index;
    ahead();
    const fetch = fetches[index] as Fetch;
    let current: ListPage<T>;
    try {
      current = await fetch.page;
    } catch (error) {
      if (index > 0 && error instanceof ListError && error.statusCode === 410) {
        return listObjects(kubeConfig, path, model, { ...options, pageSize: 0 });
      }
      throw error;
    }
    fetches[index] = 'done';
    // The first page's metadata (resourceVersion) is the list's; its items are not kept twice.
    first ??= { ...current, items: undefined };
    const token = current.metadata?.continue;
    const more = typeof token === 'string' && token !== '';
    if (more && fetch.early !== token) {
      // The head named another token (or none): the pages asked for from it are not this list's.
      fetches.length = index + 1;
    }
    if (more) {
      start(index + 1, token);
    }
    const pageItems = current.items ?? [];
    for (let i = 0; i < pageItems.length; i++) {
      if (more && i % YIELD_EVERY === 0) {
        // Let the next page's head in first: the page after it is asked for meanwhile.
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (abandoned()) {
          throw new ListAbandoned();
        }
      }
      items.push(after(reviveObject(before(pageItems[i]!), model)));
    }
    if (!more) {
      break;
    }
  }
  const metadata = { ...first!.metadata };
  delete metadata.continue;
  delete metadata.remainingItemCount;
  reviveObject(metadata, 'V1ListMeta');
  return { ...first, metadata, items } as KubernetesListObject<T>;
}

/**
 * The continue token in the head of a list's body, when the list's metadata comes before its items
 * and the token needs no JSON escapes (a real API server's is URL-safe base64); otherwise undefined,
 * and the next page waits for this one to be parsed.
 */
export function continueTokenOf(head: string): string | undefined {
  const items = head.indexOf('"items":');
  const metadata = /"metadata":\{([^{}]*)\}/.exec(items >= 0 ? head.slice(0, items) : head);
  const token = metadata ? /"continue":"([^"\\]*)"/.exec(metadata[1]!) : null;
  return token && token[1] !== '' ? token[1] : undefined;
}

interface ListPage<T> {
  metadata?: Record<string, unknown>;
  items?: T[];
}

async function listPage<T>(
  fetchPath: Getter,
  path: string,
  onHead?: (head: string) => void,
): Promise<ListPage<T>> {
  const { status, text } = await fetchPath(path, onHead);
  if (status !== 200) {
    throw new ListError(status, text);
  }
  return JSON.parse(text) as ListPage<T>;
}
