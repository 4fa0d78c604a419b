/**
 * One connection pool for a context's requests, as client-go shares one transport across a
 * clientset's lists and watches.
 *
 * client-node builds a new undici dispatcher for every request it authenticates
 * (`applySecurityAuthentication`): every list and watch then opens its own TLS connection with a
 * fresh TLS context and no session to resume, and closes it when done. Opening a view of a large
 * cluster starts about twenty such requests at once (each resource's list, then its watch, and the
 * pages of the Pods list); their handshakes took 50 to 60 ms of the extension host's thread at
 * 10,000 Pods, a fifth of one list of every Pod.
 *
 * `SharedTransportKubeConfig` hands out one dispatcher for as long as the TLS material and proxy it
 * is built from stay the same: connections are kept alive and reused by later requests, new ones
 * resume the TLS session of earlier ones, and all share one TLS context. When the material changes
 * (an exec plugin returned a new client certificate, the kubeconfig's CA changed), the next
 * request gets a new dispatcher and the old one is closed gracefully: requests still on it (a
 * watch) finish first.
 */
import { createHash } from 'node:crypto';
import { KubeConfig } from '@kubernetes/client-node';
import type { Cluster, DispatcherOptions } from '@kubernetes/client-node';
import type { AgentOptions } from 'node:https';
import { createSecureContext } from 'node:tls';
import type { ConnectionOptions } from 'node:tls';

/** What of undici's Dispatcher is used here: its graceful close. */
interface Closable {
  close(): Promise<void>;
}

/** client-node's dispatcher factory: private in its typings, called through `this` by its own code. */
type CreateDispatcher = (cluster: Cluster | null, agentOptions: AgentOptions) => unknown;
const createDispatcher = (KubeConfig.prototype as unknown as { createDispatcher: CreateDispatcher })
  .createDispatcher;

export class SharedTransportKubeConfig extends KubeConfig {
  /** A digest of the options the current dispatcher was built from: the material itself is not kept twice. */
  private key: string | undefined;
  private dispatcher: unknown;
  private disposed = false;
  /** A new pool is being built: its options get one TLS context (`createDispatcherOptions`). */
  private building = false;

  constructor() {
    super();
    // An own property shadows the prototype's method, which every request's authentication calls
    // (`applySecurityAuthentication`, and through it client-node's Watch and API clients).
    Object.defineProperty(this, 'createDispatcher', {
      value: (cluster: Cluster | null, agentOptions: AgentOptions) => this.shared(cluster, agentOptions),
    });
  }

  /** Closes the pool once the requests on it are done; later requests get a dispatcher each. */
  dispose(): void {
    this.disposed = true;
    this.retire();
  }

  /**
   * client-node's options, with one TLS context for all of the pool's connections while a new
   * pool is built: given ca, cert and key, each connection would parse them into a context of its
   * own (about 0.4 ms each).
   */
  override createDispatcherOptions(cluster: Cluster | null, agentOptions: AgentOptions): DispatcherOptions {
    const options = super.createDispatcherOptions(cluster, agentOptions);
    if (!this.building || options.type !== 'agent') {
      return options;
    }
    const { ca, cert, key, pfx, passphrase } = options.connect as ConnectionOptions;
    return {
      ...options,
      connect: { ...options.connect, secureContext: createSecureContext({ ca, cert, key, pfx, passphrase }) },
    };
  }

  private shared(cluster: Cluster | null, agentOptions: AgentOptions): unknown {
    if (this.disposed) {
      // After dispose (a late probe on a closed session), one dispatcher per request as before.
      return createDispatcher.call(this, cluster, agentOptions);
    }
    const key = createHash('sha256')
      .update(JSON.stringify(super.createDispatcherOptions(cluster, agentOptions)))
      .digest('base64');
    if (key !== this.key) {
      this.retire();
      this.building = true;
      try {
        this.dispatcher = createDispatcher.call(this, cluster, agentOptions);
      } finally {
        this.building = false;
      }
      this.key = key;
    }
    return this.dispatcher;
  }

  private retire(): void {
    const old = this.dispatcher as Partial<Closable> | undefined;
    this.dispatcher = undefined;
    this.key = undefined;
    // Graceful: a watch still on it ends as it would have; idle connections close now.
    old?.close?.().catch(() => undefined);
  }
}
