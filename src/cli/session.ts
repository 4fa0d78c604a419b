/**
 * A cluster session for `diagnose` and `matrix`: the cluster layer's ClusterSession (the one the
 * extension host uses) on the kubeconfig as kubectl finds it, `--context` or the current one, its
 * cache watching the namespaces the command needs, returned once they are read (or refused). No
 * kubeconfig, no such context, an unreachable server or no answer in time: one-line CliErrors.
 */
import type * as ClusterLayer from '../cluster/index.ts';
import type { ClusterCache } from '../cluster/cache.ts';
import type { ClusterSession } from '../cluster/session.ts';
import { assertKubeconfigExists, clusterEnv, loadClusterLayer, waitFor } from './cluster.ts';
import type { ClusterFlags } from './cluster.ts';
import { CliError } from './errors.ts';

export interface OpenSession {
  readonly layer: typeof ClusterLayer;
  readonly session: ClusterSession;
  readonly cache: ClusterCache;
  readonly context: string;
  /** The context's namespace (kubectl's default for `-n`). */
  readonly defaultNamespace: string;
  dispose(): void;
}

const FAILED_STATES = new Set(['unauthorized', 'forbidden', 'tls', 'error', 'disconnected']);

/** Opens the session; `namespaces(defaultNamespace)` says which to watch. */
export async function openSession(
  flags: ClusterFlags,
  namespaces: (defaultNamespace: string) => readonly string[],
  options: {
    /** Nodes and IngressClasses listed (or refused) too: the outside-in diagnosis reads them. */
    readonly clusterScoped?: boolean;
  } = {},
): Promise<OpenSession> {
  assertKubeconfigExists(flags);
  const layer = loadClusterLayer();
  const memory = new Map<string, unknown>();
  const session = new layer.ClusterSession({
    settings: () => ({ kubeconfigSetting: undefined, trusted: false }),
    memory: { get: (key) => memory.get(key), set: (key, value) => void memory.set(key, value) },
    env: clusterEnv(flags),
  });
  try {
    if (session.kubeconfigError !== undefined) {
      throw new CliError(`no cluster: ${session.kubeconfigError}`);
    }
    if (session.contexts().length === 0) {
      throw new CliError('no cluster: no kubeconfig found (--kubeconfig, KUBECONFIG or ~/.kube/config)');
    }
    if (flags.context !== undefined) {
      if (!session.contexts().some((context) => context.name === flags.context)) {
        throw new CliError(`context "${flags.context}" does not exist in the kubeconfig`);
      }
      session.switchContext(flags.context);
    }
    const context = session.context;
    const cache = session.cache;
    if (context === undefined || cache === undefined) {
      throw new CliError('no cluster: the kubeconfig has no usable context');
    }
    const defaultNamespace = context.namespace ?? 'default';
    const wanted = [...new Set(namespaces(defaultNamespace))];
    session.setSelectedNamespaces(wanted);
    let wake: () => void = () => undefined;
    const unsubscribe = session.onDidChange(() => wake());
    try {
      await waitFor(
        () => {
          const state = cache.state();
          if (FAILED_STATES.has(state.kind)) {
            throw new CliError(
              `cannot read the cluster of context "${context.name}" (${state.kind}): ${state.message ?? 'no answer'}`,
            );
          }
          const cluster = cache.clusterStatus();
          return (
            state.kind === 'connected' &&
            (options.clusterScoped !== true ||
              (cluster.nodes.status !== 'syncing' && cluster.ingressClasses.status !== 'syncing')) &&
            wanted.every((namespace) => {
              const status = cache.namespaceStatus(namespace);
              return (
                status !== undefined && !Object.values(status).some((access) => access.status === 'syncing')
              );
            })
          );
        },
        (wakeUp) => (wake = wakeUp),
        flags.timeoutMs,
        () => `no answer from the cluster of context "${context.name}" within ${flags.timeoutMs / 1000}s`,
      );
    } finally {
      unsubscribe();
    }
    return {
      layer,
      session,
      cache,
      context: context.name,
      defaultNamespace,
      dispose: () => session.dispose(),
    };
  } catch (error) {
    session.dispose();
    throw error;
  }
}
