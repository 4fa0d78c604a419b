/**
 * The end-to-end probe of "Diagnose External Access" that needs no route to the cluster's
 * addresses: an in-process port-forward (src/portforward's engine, listening on 127.0.0.1 only,
 * loopback clients only) to a ready Ingress controller Pod's HTTP port, and the request sent
 * through it with the URL's Host header and path. The controller routes it as it routes a request
 * from its load balancer, so this answers "what does the controller do with this request" from a
 * machine behind a firewall, a VPN or a private network that cannot reach the address itself.
 * The forward lives for one request and is torn down afterwards. No `vscode`.
 */
import { PortForwardManager } from '../portforward/engine.ts';
import type { ForwardCluster } from '../portforward/engine.ts';
import { outsideHttp } from './externalOutside.ts';
import type { OutsideOptions, OutsideResult } from './externalOutside.ts';

export interface ForwardedRequest {
  /** The controller Pod. */
  readonly namespace: string;
  readonly name: string;
  /** Its container port for plain HTTP. */
  readonly port: number;
  /** The Host header; undefined sends the forward's own address. */
  readonly host?: string;
  readonly path: string;
}

export interface ForwardedResult extends OutsideResult {
  /**
   * The forward itself failed (refused by the API server, the Pod gone, the port closed): the
   * probe says nothing about the controller's routing.
   */
  readonly forwardFailed?: boolean;
}

/** Sends one request through a port-forward to a controller Pod. */
export type ControllerForward = (
  request: ForwardedRequest,
  options: OutsideOptions,
) => Promise<ForwardedResult>;

/**
 * A `ControllerForward` on `cluster`'s cache and kubeconfig. Each call starts a forward of its own
 * (a manager of its own, so the user's forwards and their view never see it), and disposes it
 * once the answer is in, whatever happened.
 */
export function forwardThroughPod(cluster: ForwardCluster, http = outsideHttp): ControllerForward {
  return async (request, options) => {
    const manager = new PortForwardManager({
      cluster,
      // The diagnosis has the controller's namespace watched already (its Pods were read there).
      watchNamespaces: () => undefined,
      // One request: no verification connection; a failed forward shows in the request's outcome.
      verifyOnStart: false,
      startTimeoutMs: options.timeoutMs,
      handshakeTimeoutMs: options.timeoutMs,
      holdMs: options.timeoutMs,
    });
    const pod = `${request.namespace}/${request.name}:${request.port}`;
    try {
      const info = await manager.start({
        target: { kind: 'Pod', namespace: request.namespace, name: request.name },
        ports: [{ remote: request.port }],
      });
      const local = info.ports[0]?.local;
      if (info.state !== 'active' || local === undefined) {
        return {
          reached: false,
          forwardFailed: true,
          message: `The port-forward to ${pod} is ${info.state}: ${info.reason ?? 'no local port'}.`,
        };
      }
      const outcome = await http(local.address, local.port, request.host, request.path, options);
      const lastError = manager.get(info.id)?.ports[0]?.lastError;
      if (outcome.status === undefined && lastError !== undefined) {
        return {
          reached: false,
          forwardFailed: true,
          message: `The port-forward to ${pod} failed: ${lastError}.`,
        };
      }
      return outcome;
    } catch (error) {
      return {
        reached: false,
        forwardFailed: true,
        message: `The port-forward to ${pod} could not start: ${error instanceof Error ? error.message : String(error)}.`,
      };
    } finally {
      await manager.dispose();
    }
  };
}
