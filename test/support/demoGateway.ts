/**
 * What tests of the demo's Gateway API wait for before they diagnose through it: the demo's
 * controllers write the Gateway's and the routes' status, and the backends become ready, after the
 * sandbox has started.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { ClusterCache } from '../../src/cluster/cache.ts';
import { readGatewayApi } from '../../src/diagnose/gatewayRead.ts';

export interface DemoGatewayState {
  /** Gateway `public` has an address (its controller programmed it). */
  readonly addressed: boolean;
  /** HTTPRoute `name` has its parents' status written. */
  readonly routed: (name: string) => boolean;
  /** Service `service` of `namespace` has a ready endpoint in the cache. */
  readonly ready: (namespace: string, service: string) => boolean;
  /** A Pod of the Gateway controller (namespace gateway-sandbox) is ready, in the cache. */
  readonly controllerReady: boolean;
}

/** The state now, read once from the API (Gateway API) and from `cache` (endpoints, Pods). */
export async function demoGatewayState(
  kubeConfig: KubeConfig,
  cache: ClusterCache,
): Promise<DemoGatewayState> {
  const state = await readGatewayApi(kubeConfig, { services: [], namespaces: [] });
  const world = state.state === 'served' ? state.world : undefined;
  const gateway = world?.gateways.find((g) => g.metadata.name === 'public');
  return {
    addressed: gateway?.status?.addresses?.[0] !== undefined,
    routed: (name) =>
      (world?.httpRoutes.find((r) => r.metadata.name === name)?.status?.parents?.length ?? 0) > 0,
    ready: (namespace, service) =>
      cache
        .endpointSlices(namespace, service)
        .some((s) => (s.endpoints ?? []).some((e) => e.conditions?.ready)),
    controllerReady: cache
      .pods('gateway-sandbox')
      .some((pod) => pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')),
  };
}
