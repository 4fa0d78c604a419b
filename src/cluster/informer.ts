/**
 * One client-node informer (`ListWatch`, what `makeInformer` builds), made safe to stop and restart
 * and cheap to hold:
 *
 * - Objects are slimmed and compacted before client-node stores them (`slimObject`, `compactObject`:
 *   compact.ts), in the list and in every watch event, so the informer's own store is the cache:
 *   there is no second copy.
 * - Watch events arrive from client-node as raw JSON while list items are typed models (`Date`s for
 *   timestamps); watch objects are deserialized the same way, so readers see one shape.
 * - `start()`/`stop()` close client-node's races: a `stop()` during the list or while the watch is
 *   being opened would otherwise still open the watch (a leaked socket), and its reconnect delay is a
 *   timer that would outlive `stop()`.
 * - It reports when its list has been applied (`onSynced`), when a watch was established
 *   (`onEstablished`, the only trustworthy "connected" signal: client-node's `connect` event fires
 *   before the request), and errors. On a non-410 error client-node's loop ends and calls `error`;
 *   restarting is the owner's decision (`start()` again, which resumes from the last
 *   resourceVersion, keeping the objects). On a 410 client-node relists by itself and diffs.
 * - Watches are timed as client-go's reflector times them: each asks the server to end it after a
 *   random 5 to 10 minutes (`timeoutSeconds`), asks for BOOKMARKs (a real server sends one every
 *   minute and one 2 s before that deadline; client-node moves its resourceVersion to each), and is
 *   given up only after 150 s of silence, not client-node's 30 s: a quiet namespace's watch would
 *   otherwise be dropped between two bookmarks and resume from a resourceVersion that never moved,
 *   which on a busy cluster has left the server's watch window (410, then a full relist).
 */
import { ListWatch, Watch } from '@kubernetes/client-node';
import type { KubeConfig, KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import { compactObject, slimObject } from './compact.ts';
import { internStrings } from './intern.ts';
import { listObjects, reviveObject } from './rawList.ts';

/**
 * Compaction saves memory and changes no value: an object of a shape it does not expect is kept
 * as it is rather than lost with its event.
 */
function compactOrKeep<T extends KubernetesObject>(object: T): T {
  try {
    return compactObject(object);
  } catch {
    return object;
  }
}

/**
 * The last step before an object is stored, after slimming and reviving: its repeated parts
 * shared, then its other repeated strings interned (the shared parts' were, as they were shared).
 */
function finish<T extends KubernetesObject>(object: T): T {
  return internStrings(compactOrKeep(object));
}

export interface InformerHooks<T extends KubernetesObject> {
  readonly onObject: (event: 'add' | 'update' | 'delete', object: T) => void;
  /** The list has been applied to the store (also after a relist). */
  readonly onSynced: () => void;
  /** A watch request was answered 200: the server is reachable and we may read. */
  readonly onEstablished: () => void;
  /** client-node's loop has ended with this error; call `start()` to resume. */
  readonly onError: (error: unknown) => void;
  /**
   * A watch request got no answer within client-node's 30 s timeout. client-node treats that as
   * routine and reconnects by itself without calling `error` (right for an established watch that
   * was merely quiet, not for one that never got its response headers), so this is reported
   * separately: the server is not answering, though the loop carries on (`start()` is a no-op).
   */
  readonly onStalled: (error: unknown) => void;
}

/** How long a watch may last and may be silent. */
export interface WatchTimeouts {
  /** client-go's `minWatchTimeout`: each watch asks the server to end it after [min, 2·min) s. */
  readonly minServerTimeoutSeconds?: number;
  /** Silence after which a watch is given up and resumed; longer than the server's bookmark period. */
  readonly idleTimeoutMs?: number;
  /** Time allowed for a watch's response headers; past it the informer reports `onStalled`. */
  readonly connectTimeoutMs?: number;
}

/** client-go's reflector: `timeoutSeconds` in [5 min, 10 min). */
const MIN_SERVER_TIMEOUT_SECONDS = 300;
/** Two and a half times a real API server's bookmark period (one minute): one late bookmark is no drop. */
const IDLE_TIMEOUT_MS = 150_000;
/** client-node's own request timeout, kept for the wait for response headers. */
const CONNECT_TIMEOUT_MS = 30_000;

export interface InformerOptions<T extends KubernetesObject> {
  readonly kubeConfig: KubeConfig;
  /** The list and watch path, e.g. `/api/v1/namespaces/web/pods`. */
  readonly path: string;
  /** Default: `listObjects` of the path (rawList.ts), objects slimmed. */
  readonly list?: () => Promise<KubernetesListObject<T>>;
  /** client-node's model name, e.g. `V1Pod`, to revive listed objects and watch events. */
  readonly model: string;
  readonly hooks: InformerHooks<T>;
  /** Defaults: client-go's 5 to 10 min server-side timeout, 150 s idle, 30 s for the headers. */
  readonly watchTimeouts?: WatchTimeouts;
}

export class Informer<T extends KubernetesObject> {
  private readonly listWatch: ListWatch<T>;
  private readonly watch: InformerWatch;
  private readonly reportError: (error: unknown) => void;
  private readonly delays = new Set<() => void>();
  private closed = false;
  /** client-node's list-watch loop is alive (started and not ended by an error). */
  private running = false;

  constructor(options: InformerOptions<T>) {
    // Hooks stay in closures, not in a field, so that an Informer<V1Pod> is an Informer<KubernetesObject>.
    const hooks = options.hooks;
    this.reportError = (error) => hooks.onError(error);
    const model = options.model;
    this.watch = new InformerWatch(options.kubeConfig, options.watchTimeouts ?? {}, {
      isClosed: () => this.closed,
      transform: (object) => finish(reviveObject(slimObject(object as KubernetesObject), model)),
      beforeWatch: () => hooks.onSynced(),
      onEstablished: () => hooks.onEstablished(),
      onStalled: (error) => hooks.onStalled(error),
    });
    const kubeConfig = options.kubeConfig;
    // The default list slims, revives, interns and compacts each page's objects as they come.
    const listAll =
      options.list ??
      (() =>
        listObjects<T>(kubeConfig, options.path, model, {
          before: slimObject,
          after: finish,
          abandoned: () => this.closed,
        }));
    const list = async () => {
      const result = await listAll();
      if (this.closed) {
        // client-node would go on to open the watch: stop its loop here (the error is ignored).
        throw new Error('informer stopped');
      }
      if (options.list !== undefined) {
        // A list of the caller's may not have.
        for (const item of result.items) {
          finish(slimObject(item));
        }
      }
      return result;
    };
    this.listWatch = new ListWatch<T>(options.path, this.watch, list, false, undefined, undefined, {
      delayFn: (ms) => this.delay(ms),
    });
    for (const event of ['add', 'update', 'delete'] as const) {
      this.listWatch.on(event, (object: T) => {
        if (!this.closed) {
          hooks.onObject(event, object);
        }
      });
    }
    this.listWatch.on('error', (error: unknown) => {
      // client-node's loop has ended (it does not restart after a non-410 error).
      this.running = false;
      if (!this.closed) {
        hooks.onError(error);
      }
    });
  }

  /**
   * Starts, or resumes after `onError` (from the last resourceVersion, keeping the objects; a
   * compacted resourceVersion answers 410 and client-node relists). Never rejects.
   */
  start(): void {
    if (this.closed || this.running) {
      // Never two loops over one store: client-node's start() does not check.
      return;
    }
    this.running = true;
    this.listWatch.start().catch((error: unknown) => {
      this.running = false;
      if (!this.closed) {
        this.reportError(error);
      }
    });
  }

  /** Stops for good: aborts the watch, ends any reconnect delay, ignores whatever comes after. */
  stop(): void {
    if (this.closed) {
      return;
    }
    this.closed = true;
    for (const resolve of [...this.delays]) {
      resolve();
    }
    void this.listWatch.stop();
    this.watch.abort();
  }

  get(name: string, namespace?: string): T | undefined {
    return this.listWatch.get(name, namespace);
  }

  list(namespace?: string): readonly T[] {
    return this.listWatch.list(namespace);
  }

  /** client-node's reconnect delay, cut short by `stop()`. */
  private delay(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.delays.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.delays.add(done);
    });
  }
}

interface WatchHooks {
  readonly isClosed: () => boolean;
  readonly transform: (object: unknown) => unknown;
  readonly beforeWatch: () => void;
  readonly onEstablished: () => void;
  readonly onStalled: (error: unknown) => void;
}

type WatchCallback = (phase: string, apiObj: unknown, watchObj?: unknown) => void;

/**
 * client-node's `Watch`, transforming objects, timed as client-go times watches, asking for
 * bookmarks, and abortable from outside.
 */
class InformerWatch extends Watch {
  private readonly hooks: WatchHooks;
  private readonly minServerTimeoutSeconds: number;
  private current: AbortController | undefined;
  /** Reads of the request timeout during the current `watch()` call. */
  private timeoutReads = 0;

  constructor(kubeConfig: KubeConfig, timeouts: WatchTimeouts, hooks: WatchHooks) {
    super(kubeConfig);
    this.hooks = hooks;
    this.minServerTimeoutSeconds = timeouts.minServerTimeoutSeconds ?? MIN_SERVER_TIMEOUT_SECONDS;
    const connectTimeoutMs = timeouts.connectTimeoutMs ?? CONNECT_TIMEOUT_MS;
    const idleTimeoutMs = timeouts.idleTimeoutMs ?? IDLE_TIMEOUT_MS;
    // client-node's Watch has one private timeout, `requestTimeoutMs` (30 s), that it reads to arm
    // its timer before the request (the wait for headers) and again after the 200 and on every
    // chunk (the idle timeout). The first read of each watch gets the connect timeout, the others
    // the idle timeout. (client-node 2.0's watch.js; test/integration/cluster/quietWatch.test.ts
    // covers both.)
    Object.defineProperty(this, 'requestTimeoutMs', {
      configurable: true,
      get: () => (this.timeoutReads++ === 0 ? connectTimeoutMs : idleTimeoutMs),
      set: () => undefined,
    });
  }

  override async watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: WatchCallback,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    if (this.hooks.isClosed()) {
      return aborted();
    }
    // ListWatch calls watch() right after applying a list (or to resume): the store is in sync.
    this.hooks.beforeWatch();
    let failed = false;
    let established = false;
    const onDone = (err: unknown) => {
      if (err) {
        failed = true;
        if (!established && (err as { name?: unknown }).name === 'TimeoutError' && !this.hooks.isClosed()) {
          this.hooks.onStalled(err);
        }
      }
      done(err);
    };
    const onEvent: WatchCallback = (phase, object, watchObj) => {
      const transformed =
        phase === 'ADDED' || phase === 'MODIFIED' || phase === 'DELETED'
          ? this.hooks.transform(object)
          : object;
      callback(phase, transformed, watchObj);
    };
    // As client-go's reflector: the server ends the watch after a random 5 to 10 minutes (spreading
    // reconnects), just after the bookmark it sends 2 s before that deadline.
    const timeoutSeconds = Math.floor(this.minServerTimeoutSeconds * (1 + Math.random()));
    let controller: AbortController;
    try {
      this.timeoutReads = 0;
      controller = await super.watch(
        path,
        { ...queryParams, allowWatchBookmarks: true, timeoutSeconds },
        onEvent,
        onDone,
      );
    } catch (error) {
      // No cluster, or a credential plugin failed before the request: report it like any error
      // (a rejection here would be unhandled when client-node reconnects by itself).
      onDone(error);
      return aborted();
    }
    if (this.hooks.isClosed()) {
      controller.abort();
      return controller;
    }
    this.current = controller;
    if (!failed) {
      established = true;
      this.hooks.onEstablished();
    }
    return controller;
  }

  abort(): void {
    this.current?.abort();
    this.current = undefined;
  }
}

function aborted(): AbortController {
  const controller = new AbortController();
  controller.abort();
  return controller;
}
