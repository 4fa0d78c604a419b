/**
 * The cluster for the CLI: the kubeconfig as kubectl finds it (`--kubeconfig` first, then
 * KUBECONFIG, then ~/.kube/config), `--context` or the current one, and one wait, bounded by
 * `--request-timeout`, until what the run needs has been read or refused. Whatever stops that (no
 * kubeconfig, no such context, an unreachable server, credentials that read nothing, Node too old
 * for client-node) is a `CliError`: one line, exit status 2.
 *
 * The cluster layer (client-node) is `dist/cluster.js`, required here only, at run time, so that a
 * `check` without `--cluster` never loads it (and runs on a Node that client-node does not).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type * as ClusterLayer from '../cluster/index.ts';
import type { ClusterModel } from '../analysis/manifests/cluster.ts';
import { ServerCluster } from '../server/cluster.ts';
import { CliError } from './errors.ts';

/** client-node 2's HTTP client (undici 8) needs this Node. */
export const CLUSTER_NODE = '22.19.0';

export interface ClusterFlags {
  readonly kubeconfig: string | undefined;
  readonly context: string | undefined;
  readonly timeoutMs: number;
}

function atLeast(version: string, wanted: string): boolean {
  const have = version.replace(/^v/, '').split('.').map(Number);
  const need = wanted.split('.').map(Number);
  for (let i = 0; i < need.length; i++) {
    if ((have[i] ?? 0) !== need[i]) {
      return (have[i] ?? 0) > need[i]!;
    }
  }
  return true;
}

/** Throws the one-line error when this Node cannot run client-node. */
export function assertClusterNode(version = process.version): void {
  if (!atLeast(version, CLUSTER_NODE)) {
    throw new CliError(
      `talking to a cluster needs Node ${CLUSTER_NODE} or newer (client-node 2); this is Node ${version.replace(/^v/, '')}`,
    );
  }
}

/** `dist/cluster.js`, beside this bundle. */
export function loadClusterLayer(): typeof ClusterLayer {
  assertClusterNode();
  const path = join(__dirname, 'cluster.js');
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(path) as typeof ClusterLayer;
  } catch (error) {
    throw new CliError(
      `the cluster layer ${path} could not be loaded (${error instanceof Error ? error.message : String(error)}); run npm run build`,
    );
  }
}

/** The environment the session reads: `--kubeconfig` stands for KUBECONFIG, as with kubectl. */
export function clusterEnv(flags: ClusterFlags): Readonly<Record<string, string | undefined>> {
  return flags.kubeconfig === undefined ? process.env : { ...process.env, KUBECONFIG: flags.kubeconfig };
}

/** kubectl's own words when `--kubeconfig` names no file. */
export function assertKubeconfigExists(flags: ClusterFlags): void {
  if (flags.kubeconfig !== undefined && !existsSync(flags.kubeconfig)) {
    throw new CliError(`stat ${flags.kubeconfig}: no such file or directory`);
  }
}

/** Parses kubectl's durations: `30s`, `1m`, `500ms`, or a number of seconds. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (match === null) {
    return undefined;
  }
  const value = Number(match[1]);
  const unit = match[2] ?? 's';
  return value * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit]!;
}

/** A connection state that will not turn into data by waiting. */
const FAILED_STATES = new Set(['unauthorized', 'forbidden', 'tls', 'error', 'disconnected']);

/**
 * The cluster model for `check --cluster`: the language server's own ServerCluster, watching the
 * namespaces the manifests name, once every one of them has been read or refused.
 */
export async function checkCluster(
  flags: ClusterFlags,
  namespaces: ReadonlySet<string | undefined>,
): Promise<{ model: ClusterModel; context: string; dispose: () => void }> {
  assertClusterNode();
  assertKubeconfigExists(flags);
  let wake: () => void = () => undefined;
  const log: string[] = [];
  const cluster = new ServerCluster({
    log: (line) => log.push(line),
    onChange: () => wake(),
    env: clusterEnv(flags),
  });
  try {
    cluster.configure({ kubeconfig: undefined, trusted: false, context: flags.context });
    await cluster.start();
    const started = cluster.status();
    if (started.context === undefined) {
      const reason = started.message ?? log.find((line) => line.startsWith('Could not start'));
      throw new CliError(
        reason === undefined
          ? 'no cluster: no kubeconfig found (--kubeconfig, KUBECONFIG or ~/.kube/config)'
          : `no cluster: ${reason}`,
      );
    }
    if (flags.context !== undefined && started.context !== flags.context) {
      throw new CliError(`context "${flags.context}" does not exist in the kubeconfig`);
    }
    cluster.watch(namespaces.size === 0 ? new Set([undefined]) : namespaces);
    await waitFor(
      () => {
        const status = cluster.status();
        if (FAILED_STATES.has(status.state)) {
          throw new CliError(
            `cannot read the cluster of context "${status.context ?? ''}" (${status.state}): ${status.message ?? 'no answer'}`,
          );
        }
        return status.state === 'connected' && cluster.settled();
      },
      (wakeUp) => (wake = wakeUp),
      flags.timeoutMs,
      () =>
        `no answer from the cluster of context "${started.context ?? ''}" within ${flags.timeoutMs / 1000}s`,
    );
    const model = cluster.model();
    if (model === undefined) {
      throw new CliError('no cluster: the kubeconfig has no usable context');
    }
    return { model, context: started.context, dispose: () => cluster.dispose() };
  } catch (error) {
    cluster.dispose();
    throw error;
  }
}

/**
 * Resolves once `done()` says so, re-asking whenever the source wakes it; rejects with `done`'s
 * error or, after `timeoutMs`, with the timeout's sentence.
 */
export function waitFor(
  done: () => boolean,
  subscribe: (wake: () => void) => void,
  timeoutMs: number,
  timeoutMessage: () => string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      subscribe(() => undefined);
      reject(new CliError(timeoutMessage()));
    }, timeoutMs);
    const check = () => {
      try {
        if (done()) {
          clearTimeout(timer);
          subscribe(() => undefined);
          resolve();
        }
      } catch (error) {
        clearTimeout(timer);
        subscribe(() => undefined);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    };
    subscribe(check);
    check();
  });
}
