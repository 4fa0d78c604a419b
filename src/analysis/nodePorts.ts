/**
 * What a Service's external side does, as the API server and kube-proxy define it: node ports
 * from the cluster's range (30000-32767 unless --service-node-port-range says otherwise), which
 * endpoints a node forwards its node port to under `externalTrafficPolicy`, and which clients a
 * load balancer admits under `loadBalancerSourceRanges`. Shared by the sandbox (its allocator and
 * data plane) and the diagnosis, so the two cannot disagree about the rules.
 */
import { cidrContains, isValidCidr } from './cidr.ts';

export interface NodePortRange {
  readonly first: number;
  readonly last: number;
}

/** kube-apiserver's default `--service-node-port-range`. */
export const DEFAULT_NODE_PORT_RANGE: NodePortRange = { first: 30000, last: 32767 };

/**
 * Why a requested node port cannot be given, in the allocator's words (the 422's message after
 * `spec.ports[i].nodePort: Invalid value: N: `), or undefined if it can.
 */
export function nodePortProblem(
  port: number,
  inUse: ReadonlySet<number>,
  range: NodePortRange = DEFAULT_NODE_PORT_RANGE,
): string | undefined {
  if (!Number.isInteger(port) || port < range.first || port > range.last) {
    return `provided port is not in the valid range. The range of valid ports is ${range.first}-${range.last}`;
  }
  return inUse.has(port) ? 'provided port is already allocated' : undefined;
}

/** The lowest free port of the range, or undefined when the range is exhausted. */
export function freeNodePort(
  inUse: ReadonlySet<number>,
  range: NodePortRange = DEFAULT_NODE_PORT_RANGE,
): number | undefined {
  for (let port = range.first; port <= range.last; port++) {
    if (!inUse.has(port)) {
      return port;
    }
  }
  return undefined;
}

export interface ExternalEndpoint {
  readonly ready: boolean;
  /** The node the endpoint's Pod runs on (EndpointSlice `nodeName`). */
  readonly nodeName?: string | undefined;
}

/**
 * The endpoints a node forwards traffic for its node port (or a load balancer's traffic) to.
 * `Cluster` (the default): every ready endpoint, on any node, the client's address replaced by the
 * node's. `Local`: only the ready endpoints on this node, the client's address kept; a node with
 * none drops the traffic (kube-proxy's health-check node port tells load balancers to avoid it).
 * Traffic from a Pod of the cluster is forwarded as `Cluster` whatever the policy: kube-proxy sends
 * Pod traffic for external destinations straight to the Service (its "pod traffic for external
 * destinations" rule), so a probe from a Pod cannot observe `Local`'s drops; probe from outside.
 */
export function endpointsForNode<E extends ExternalEndpoint>(
  endpoints: readonly E[],
  node: string,
  policy: string | undefined,
  options: { readonly fromPod?: boolean } = {},
): E[] {
  const ready = endpoints.filter((endpoint) => endpoint.ready);
  if (policy !== 'Local' || options.fromPod === true) {
    return ready;
  }
  return ready.filter((endpoint) => endpoint.nodeName === node);
}

/**
 * The endpoints an in-cluster client's traffic to the ClusterIP may reach under
 * `internalTrafficPolicy`: Cluster (the default), every ready endpoint; Local, only the ready
 * endpoints on the client's node, and none means kube-proxy drops the traffic. A client that is no
 * Pod (`node` undefined: the host) is treated as Cluster.
 */
export function endpointsForInternalTraffic<E extends ExternalEndpoint>(
  endpoints: readonly E[],
  node: string | undefined,
  policy: string | undefined,
): E[] {
  const ready = endpoints.filter((endpoint) => endpoint.ready);
  if (policy !== 'Local' || node === undefined) {
    return ready;
  }
  return ready.filter((endpoint) => endpoint.nodeName === node);
}

/**
 * Whether the backend sees the client's address (Local; for a Pod client too, whose traffic
 * kube-proxy sends on without masquerading) rather than the node's (Cluster: masqueraded).
 */
export function preservesClientAddress(policy: string | undefined): boolean {
  return policy === 'Local';
}

/**
 * Whether a load balancer admits a client under `loadBalancerSourceRanges`: every client when
 * there are none; otherwise a client inside one of them. Ranges that are not CIDRs are ignored
 * (the API server refuses them).
 */
export function sourceRangesAdmit(ranges: readonly string[] | undefined, clientIp: string): boolean {
  const valid = (ranges ?? []).map((range) => range.trim()).filter(isValidCidr);
  if (valid.length === 0) {
    return true;
  }
  return valid.some((range) => cidrContains(range, clientIp));
}
