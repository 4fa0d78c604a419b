/**
 * Where the kubeconfig comes from, how several files merge, and noticing when they change.
 *
 * Resolution follows kubectl: `KUBECONFIG` (a path list), else `~/.kube/config`, else the
 * `kubereach.kubeconfig` setting, which an untrusted workspace never gets to choose (a kubeconfig can
 * name credential plugins, i.e. commands). Merging follows kubectl's rule "the first file to set a
 * value wins" for `current-context` and for every cluster, user and context name; client-node's own
 * `loadFromDefault`/`mergeConfig` differ (a later file's `current-context` wins, a duplicate name
 * throws), so each file is loaded by client-node (validation, relative paths made absolute against
 * the file's folder) and merged here. Exec and OIDC credential plugins stay client-node's job.
 */
import { existsSync, readFileSync, watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { basename, delimiter as pathDelimiter, dirname, join, resolve } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import type { Cluster, Context, User } from '@kubernetes/client-node';
import { LineCounter, isMap, parseDocument } from 'yaml';
import { redact, rememberSecrets } from '../logging/redact.ts';

export type KubeconfigOrigin = 'env' | 'home' | 'setting' | 'none';

export interface KubeconfigSources {
  /** The files to merge, in order (absolute paths). Empty when `from` is `none`. */
  readonly files: readonly string[];
  readonly from: KubeconfigOrigin;
  /** True when the setting named a file that would have been used, but the workspace is not trusted. */
  readonly settingIgnored: boolean;
  /**
   * Files whose appearance or change could change the result: the chosen files, plus
   * `~/.kube/config` when it does not exist yet (creating it takes over from the setting).
   * Hand these to `watchKubeconfigFiles`.
   */
  readonly watch: readonly string[];
}

export interface ResolveKubeconfigOptions {
  /** The environment (`process.env`). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The user's home folder (`os.homedir()`); undefined when there is none. */
  readonly homeDir: string | undefined;
  /** The `kubereach.kubeconfig` setting; empty or undefined when unset. A leading `~` means `homeDir`. */
  readonly settingPath?: string | undefined;
  /** Whether the workspace is trusted; the setting is ignored when it is not. */
  readonly trusted: boolean;
  /** The separator of `KUBECONFIG` (default: this platform's, `:` or `;`). */
  readonly delimiter?: string;
  /** For tests; default `fs.existsSync`. */
  readonly fileExists?: (path: string) => boolean;
}

export function resolveKubeconfigSources(options: ResolveKubeconfigOptions): KubeconfigSources {
  const exists = options.fileExists ?? existsSync;
  const home = options.homeDir !== undefined && options.homeDir !== '' ? options.homeDir : undefined;
  const homeConfig = home !== undefined ? join(home, '.kube', 'config') : undefined;

  const fromEnv = (options.env.KUBECONFIG ?? '')
    .split(options.delimiter ?? pathDelimiter)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => resolve(expandHome(entry, home)));
  if (fromEnv.length > 0) {
    const files = [...new Set(fromEnv)];
    return { files, from: 'env', settingIgnored: false, watch: files };
  }
  if (homeConfig !== undefined && exists(homeConfig)) {
    return { files: [homeConfig], from: 'home', settingIgnored: false, watch: [homeConfig] };
  }
  const watchHome = homeConfig !== undefined ? [homeConfig] : [];
  const setting = options.settingPath?.trim();
  if (setting !== undefined && setting !== '') {
    if (!options.trusted) {
      return { files: [], from: 'none', settingIgnored: true, watch: watchHome };
    }
    const file = resolve(expandHome(setting, home));
    return { files: [file], from: 'setting', settingIgnored: false, watch: [...watchHome, file] };
  }
  return { files: [], from: 'none', settingIgnored: false, watch: watchHome };
}

function expandHome(path: string, home: string | undefined): string {
  if (home !== undefined && (path === '~' || path.startsWith('~/') || path.startsWith('~\\'))) {
    return join(home, path.slice(1));
  }
  return path;
}

/** A kubeconfig file that cannot be read or does not parse. `message` is one plain sentence. */
export class KubeconfigError extends Error {
  readonly file: string;
  /** 1-based, when known. */
  readonly line: number | undefined;

  constructor(message: string, file: string, line?: number) {
    // client-node's and the YAML parser's messages may quote the file.
    super(redact(message));
    this.name = 'KubeconfigError';
    this.file = file;
    this.line = line;
  }
}

export interface KubeconfigContext {
  readonly name: string;
  readonly cluster: string;
  readonly user: string;
  readonly namespace: string | undefined;
  /** The cluster's API server URL, when the cluster is defined. */
  readonly server: string | undefined;
}

export interface LoadedKubeconfig {
  /** The merged configuration, current context set as the files say. */
  readonly kubeConfig: KubeConfig;
  readonly contexts: readonly KubeconfigContext[];
  /** `current-context` as the files set it (the first file that sets it wins), if any. */
  readonly currentContextName: string | undefined;
  /** The current context, when `current-context` names one that exists. */
  readonly currentContext: KubeconfigContext | undefined;
  /** The files actually read. */
  readonly files: readonly string[];
  /** Files of `KUBECONFIG` that do not exist; kubectl skips them too. */
  readonly missing: readonly string[];
}

/**
 * Reads and merges the files. A file of `KUBECONFIG` that does not exist is skipped (as kubectl
 * does); a missing file named by the setting, an unreadable file, or one that does not parse throws
 * a `KubeconfigError` naming the file (and the line, when known).
 */
export function loadKubeconfig(sources: Pick<KubeconfigSources, 'files' | 'from'>): LoadedKubeconfig {
  const clusters = new Map<string, Cluster>();
  const users = new Map<string, User>();
  const contexts = new Map<string, Context>();
  let currentContextName: string | undefined;
  const files: string[] = [];
  const missing: string[] = [];

  for (const file of sources.files) {
    const text = readKubeconfigText(file, sources.from);
    if (text === undefined) {
      missing.push(file);
      continue;
    }
    files.push(file);
    const single = parseKubeconfig(text, file);
    if (single === undefined) {
      continue;
    }
    // kubectl: the first file to set a value wins.
    if (currentContextName === undefined && single.currentContext) {
      currentContextName = single.currentContext;
    }
    for (const cluster of single.clusters) {
      if (!clusters.has(cluster.name)) {
        clusters.set(cluster.name, cluster);
      }
    }
    for (const user of single.users) {
      if (!users.has(user.name)) {
        users.set(user.name, user);
      }
    }
    for (const context of single.contexts) {
      if (!contexts.has(context.name)) {
        contexts.set(context.name, context);
      }
    }
  }

  rememberSecrets([...users.values()].flatMap(userSecrets));
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [...clusters.values()],
    users: [...users.values()],
    contexts: [...contexts.values()],
    currentContext: currentContextName,
  });
  const summaries = [...contexts.values()].map((context): KubeconfigContext => ({
    name: context.name,
    cluster: context.cluster,
    user: context.user,
    namespace: context.namespace || undefined,
    server: clusters.get(context.cluster)?.server,
  }));
  return {
    kubeConfig,
    contexts: summaries,
    currentContextName,
    currentContext: summaries.find((context) => context.name === currentContextName),
    files,
    missing,
  };
}

/** Names of exec `env` entries that hold a credential. */
const SECRET_ENV_NAME = /token|secret|pass|pwd|key|cred|auth|session|cookie|private/i;
/** An env value this long is kept secret whatever its name: ordinary settings are short. */
const LONG_ENV_VALUE = 16;

/**
 * The values of a user that are credentials, for `redact` to remove wherever they appear: an exec
 * credential plugin's stderr goes, line one, into error messages, and may echo its environment.
 */
function userSecrets(user: User): string[] {
  const values: unknown[] = [user.token, user.password, user.keyData];
  const env: unknown = (user.exec as { env?: unknown } | undefined)?.env;
  if (Array.isArray(env)) {
    for (const entry of env as Array<{ name?: unknown; value?: unknown }>) {
      const value = entry?.value;
      if (
        typeof value === 'string' &&
        (SECRET_ENV_NAME.test(String(entry.name ?? '')) || value.length >= LONG_ENV_VALUE)
      ) {
        values.push(value);
      }
    }
  }
  const config: unknown = (user.authProvider as { config?: unknown } | undefined)?.config;
  if (config !== null && typeof config === 'object') {
    for (const [key, value] of Object.entries(config as Record<string, unknown>)) {
      if (/token|secret/i.test(key)) {
        values.push(value);
      }
    }
  }
  return values.filter((value): value is string => typeof value === 'string');
}

/** The text of a file; undefined for a `KUBECONFIG` entry that does not exist. */
function readKubeconfigText(file: string, from: KubeconfigOrigin): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && from !== 'setting') {
      return undefined;
    }
    const why =
      code === 'ENOENT'
        ? 'it does not exist'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'it is a folder'
            : (code ?? 'unknown error');
    const named = from === 'setting' ? ' (named by the kubereach.kubeconfig setting)' : '';
    throw new KubeconfigError(`Cannot read the kubeconfig file ${file}${named}: ${why}.`, file);
  }
}

/** One file through client-node's loader; undefined for an empty file. */
function parseKubeconfig(text: string, file: string): KubeConfig | undefined {
  if (text.trim() === '') {
    return undefined;
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const syntaxError = document.errors[0];
  if (syntaxError !== undefined) {
    const { line } = lineCounter.linePos(syntaxError.pos[0]);
    throw new KubeconfigError(
      `The kubeconfig file ${file} does not parse: line ${line}: ${firstLine(syntaxError.message)}.`,
      file,
      line,
    );
  }
  if (document.contents === null) {
    return undefined;
  }
  if (!isMap(document.contents)) {
    const line = lineOf(document.contents.range?.[0], lineCounter);
    throw new KubeconfigError(
      `The kubeconfig file ${file} is not a kubeconfig: line ${line}: expected a mapping with clusters, users and contexts.`,
      file,
      line,
    );
  }
  const kubeConfig = new KubeConfig();
  try {
    kubeConfig.loadFromString(text);
    kubeConfig.makePathsAbsolute(dirname(file));
  } catch (error) {
    const message = firstLine(error instanceof Error ? error.message : String(error));
    // client-node names the entry: "clusters[0].cluster.server is missing".
    const entry = /^(clusters|users|contexts)\[(\d+)\]/.exec(message);
    const node = entry ? document.getIn([entry[1], Number(entry[2])], true) : undefined;
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    const line = range ? lineOf(range[0], lineCounter) : undefined;
    const where = line !== undefined ? `line ${line}: ` : '';
    throw new KubeconfigError(
      `The kubeconfig file ${file} is not valid: ${where}${message.replace(/[.\s]+$/, '')}.`,
      file,
      line,
    );
  }
  return kubeConfig;
}

function lineOf(offset: number | undefined, lineCounter: LineCounter): number {
  return offset === undefined ? 1 : lineCounter.linePos(offset).line;
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0]!.trim();
}

export interface WatchKubeconfigOptions {
  /** Quiet time after the last event before `onChange` runs (default 150 ms). */
  readonly debounceMs?: number;
}

/**
 * Calls `onChange` (debounced) when any of `paths` is written, created, deleted or replaced.
 *
 * Each file is watched twice: through its folder, which sees the file created, deleted or replaced
 * by a rename (how many editors save, and how kubectl writes), and directly, which sees in-place
 * writes, also through a symlink. A direct watcher dies with a rename; it is re-armed after each
 * change. Watchers do not keep the process alive. Returns the disposer.
 */
export function watchKubeconfigFiles(
  paths: readonly string[],
  onChange: (changed: readonly string[]) => void,
  options: WatchKubeconfigOptions = {},
): () => void {
  const debounceMs = options.debounceMs ?? 150;
  const files = [...new Set(paths.map((path) => resolve(path)))];
  const folderWatchers: FSWatcher[] = [];
  const fileWatchers = new Map<string, FSWatcher>();
  const changed = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let disposed = false;

  const touch = (file: string) => {
    if (disposed) {
      return;
    }
    changed.add(file);
    if (timer !== undefined) {
      clearTimeout(timer);
    }
    timer = setTimeout(flush, debounceMs);
  };

  const flush = () => {
    timer = undefined;
    if (disposed) {
      return;
    }
    for (const file of files) {
      armFile(file);
    }
    const batch = [...changed];
    changed.clear();
    onChange(batch);
  };

  const armFile = (file: string) => {
    if (fileWatchers.has(file)) {
      return;
    }
    try {
      const watcher = watch(file, { persistent: false }, (event) => {
        touch(file);
        if (event === 'rename') {
          // The inode we watched is gone or replaced: watch the new one after the debounce.
          watcher.close();
          fileWatchers.delete(file);
        }
      });
      watcher.on('error', () => {
        watcher.close();
        fileWatchers.delete(file);
      });
      fileWatchers.set(file, watcher);
    } catch {
      // Does not exist (yet): its folder's watcher sees it appear.
    }
  };

  const byFolder = new Map<string, string[]>();
  for (const file of files) {
    byFolder.set(dirname(file), [...(byFolder.get(dirname(file)) ?? []), file]);
  }
  for (const [folder, inFolder] of byFolder) {
    const names = new Map(inFolder.map((file) => [basename(file), file]));
    try {
      const watcher = watch(folder, { persistent: false }, (_event, filename) => {
        if (filename === null || filename === undefined) {
          inFolder.forEach(touch);
          return;
        }
        const file = names.get(String(filename));
        if (file !== undefined) {
          touch(file);
        }
      });
      watcher.on('error', () => watcher.close());
      folderWatchers.push(watcher);
    } catch {
      // A folder that does not exist cannot be watched; the file's own watcher, if any, still works.
    }
    for (const file of inFolder) {
      armFile(file);
    }
  }

  return () => {
    disposed = true;
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    for (const watcher of [...folderWatchers, ...fileWatchers.values()]) {
      watcher.close();
    }
    folderWatchers.length = 0;
    fileWatchers.clear();
  };
}
