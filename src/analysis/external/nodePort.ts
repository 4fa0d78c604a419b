/**
 * Hop 4, NodePort: the node port every node answers on for the Service, the nodes and their
 * addresses; under `externalTrafficPolicy: Local` only the nodes with a ready endpoint of their own
 * answer, the others drop the connection (src/analysis/nodePorts.ts, the rule the sandbox's data
 * plane follows).
 */
import { isPodReady } from '../diagnosis/index.ts';
import { selectingPolicies } from '../networkPolicy.ts';
import { endpointsForInternalTraffic, endpointsForNode } from '../nodePorts.ts';
import type { ServicePort } from '../k8s.ts';
import { nodeAddress } from './route.ts';
import type { ExternalInput, ExternalService, HopDraft, NodeAddress } from './types.ts';

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

function nsOf(object: { readonly metadata?: { readonly namespace?: string } | null }): string {
  return object.metadata?.namespace ?? 'default';
}

function nameOf(object: { readonly metadata?: { readonly name?: string } | null }): string {
  return object.metadata?.name ?? '(unnamed)';
}

/** The Service's endpoints with their node, as kube-proxy sees them. */
export function serviceEndpoints(
  input: ExternalInput,
  service: ExternalService,
): { readonly ip: string; readonly ready: boolean; readonly nodeName?: string; readonly pod?: string }[] {
  return input.endpointSlices
    .filter(
      (slice) =>
        nsOf(slice) === nsOf(service) && slice.metadata?.labels?.[SERVICE_NAME_LABEL] === nameOf(service),
    )
    .flatMap((slice) =>
      (slice.endpoints ?? []).flatMap((endpoint) =>
        (endpoint.addresses ?? []).slice(0, 1).map((ip) => ({
          ip,
          ready: endpoint.conditions?.ready !== false,
          ...(endpoint.nodeName ? { nodeName: endpoint.nodeName } : {}),
          ...(endpoint.targetRef?.name ? { pod: endpoint.targetRef.name } : {}),
        })),
      ),
    );
}

export interface NodePortStage {
  readonly draft: HopDraft;
  readonly nodePorts: readonly (NodeAddress & { readonly port: number; readonly answers: boolean })[];
}

export function nodePortStage(
  input: ExternalInput,
  service: ExternalService | undefined,
  port: ServicePort | undefined,
  asked: NodeAddress | undefined,
): NodePortStage {
  if (service === undefined) {
    return {
      nodePorts: [],
      draft: {
        status: 'skipped',
        summary: 'No node port is in the path: the Ingress controller takes the request.',
        evidence: [],
      },
    };
  }
  const ref = `${nsOf(service)}/${nameOf(service)}`;
  const nodePort = port?.nodePort;
  if (port === undefined || nodePort === undefined) {
    return {
      nodePorts: [],
      draft: {
        status:
          service.spec?.type === 'LoadBalancer' && service.spec.allocateLoadBalancerNodePorts === false
            ? 'skipped'
            : 'failed',
        summary:
          port === undefined
            ? `Service ${ref} has no such port.`
            : `Service ${ref} port ${port.port} has no node port allocated.`,
        evidence: [],
        ...(port === undefined
          ? { manifest: { kind: 'Service', namespace: nsOf(service), name: nameOf(service) } }
          : {}),
      },
    };
  }
  if (input.unreadable?.nodes === true) {
    return {
      nodePorts: [],
      draft: {
        status: 'unknown',
        summary: `Node port ${nodePort} is served on every node, but Nodes may not be read with these credentials.`,
        evidence: [],
      },
    };
  }
  const policy = service.spec?.externalTrafficPolicy ?? 'Cluster';
  const slicesUnreadable = input.unreadable?.endpointSlices?.includes(nsOf(service)) === true;
  if (policy === 'Local' && slicesUnreadable) {
    return {
      nodePorts: [],
      draft: {
        status: 'unknown',
        summary: `With externalTrafficPolicy Local only nodes with a ready endpoint answer on ${nodePort}, and the EndpointSlices of ${nsOf(service)} may not be read.`,
        evidence: [],
      },
    };
  }
  const endpoints = serviceEndpoints(input, service);
  const nodes = input.nodes.map((node) => {
    const name = nameOf(node);
    const address = nodeAddress(node);
    const local = endpointsForNode(endpoints, name, policy);
    return {
      node: name,
      ...(address === undefined ? {} : { address }),
      port: nodePort,
      answers: local.length > 0,
      local,
    };
  });
  const nodePorts = nodes.map(({ local: _local, ...rest }) => rest);
  const answering = nodes.filter((node) => node.answers);
  const dropping = nodes.filter((node) => !node.answers);
  const evidence = nodes.map(
    (node) =>
      `${node.node} ${node.address ?? '(no address)'}:${nodePort}: ${node.answers ? `answers (${node.local.map((e) => e.pod ?? e.ip).join(', ')})` : policy === 'Local' ? 'drops: no ready endpoint on this node' : 'no ready endpoint anywhere'}.`,
  );
  if (service.spec?.internalTrafficPolicy === 'Local') {
    const served = input.nodes
      .map(nameOf)
      .filter((name) => endpointsForInternalTraffic(endpoints, name, 'Local').length > 0);
    const unserved = input.nodes.map(nameOf).filter((name) => !served.includes(name));
    evidence.push(
      `internalTrafficPolicy Local: Pods calling the ClusterIP are served only on ${served.join(', ') || 'no node'}${unserved.length > 0 ? `; Pods on ${unserved.join(', ')} get no answer` : ''} (node-port traffic is not affected).`,
    );
  }
  const manifest = { kind: 'Service', namespace: nsOf(service), name: nameOf(service) };
  const askedNode = asked === undefined ? undefined : nodes.find((node) => node.node === asked.node);
  if (answering.length === 0) {
    return {
      nodePorts,
      draft: {
        status: 'failed',
        summary:
          policy === 'Local'
            ? `No node has a ready endpoint of Service ${ref}, so under externalTrafficPolicy Local every node drops connections to node port ${nodePort}.`
            : `Service ${ref} has no ready endpoint, so node port ${nodePort} leads nowhere.`,
        evidence,
        fix: 'Make a Pod of the Service ready (see the backend hops).',
        manifest,
      },
    };
  }
  if (askedNode !== undefined && !askedNode.answers) {
    return {
      nodePorts,
      draft: {
        status: 'failed',
        summary: `${askedNode.node} drops connections to node port ${nodePort}: Service ${ref} has externalTrafficPolicy Local and no ready endpoint on that node.`,
        evidence,
        fix: `Connect to a node that answers (${answering.map((n) => `${n.address ?? n.node}:${nodePort}`).join(', ')}), or set externalTrafficPolicy: Cluster (the client's address is then replaced by the node's).`,
        manifest,
      },
    };
  }
  return {
    nodePorts,
    draft: {
      status: 'passed',
      summary:
        policy === 'Local' && dropping.length > 0
          ? `Node port ${nodePort} answers only on ${answering.map((n) => n.node).join(', ')} (externalTrafficPolicy Local: a node without a ready endpoint of its own drops the connection; ${dropping.map((n) => n.node).join(', ')} drop).`
          : `Node port ${nodePort} answers on every node (${answering.map((n) => n.node).join(', ')}).`,
      evidence: [
        `externalTrafficPolicy ${policy}: ${policy === 'Local' ? "the backend sees the client's address" : "the client's address is replaced by the node's"}.`,
        ...evidence,
      ],
    },
  };
}

/**
 * A Pod to probe each node's address and node port from, for the live probe: a ready, running Pod
 * that is not behind the Service (a backend reaching its own Service through a node is the hairpin
 * case some plugins treat differently) and not on the host network (its traffic comes from the
 * node). One whose egress no NetworkPolicy restricts comes first, then one from the Service's
 * namespace. Traffic from a Pod is served as Cluster whatever externalTrafficPolicy says
 * (kube-proxy's rule for cluster-originated traffic), so this checks the node port itself, where
 * the machine running the diagnosis cannot reach the nodes.
 */
export function nodePortProbeSource(
  input: ExternalInput,
  service: ExternalService,
): { readonly namespace: string; readonly name: string } | undefined {
  const backends = new Set(
    serviceEndpoints(input, service).flatMap((endpoint) =>
      endpoint.pod === undefined ? [] : [endpoint.pod],
    ),
  );
  const candidates = input.pods.filter(
    (pod) =>
      isPodReady(pod) &&
      pod.status?.phase === 'Running' &&
      pod.spec?.hostNetwork !== true &&
      pod.status?.podIP !== undefined &&
      !(nsOf(pod) === nsOf(service) && backends.has(nameOf(pod))),
  );
  // A Pod no NetworkPolicy restricts the egress of (as far as can be read) first: its probes then
  // say what the node port does, not what its own policies allow.
  const unreadable = new Set(input.unreadable?.networkPolicies ?? []);
  const free = (pod: (typeof candidates)[number]) =>
    !unreadable.has(nsOf(pod)) && selectingPolicies(pod, input.networkPolicies, 'egress').length === 0;
  const chosen =
    candidates.find((pod) => free(pod) && nsOf(pod) === nsOf(service)) ??
    candidates.find(free) ??
    candidates.find((pod) => nsOf(pod) === nsOf(service)) ??
    candidates[0];
  return chosen === undefined ? undefined : { namespace: nsOf(chosen), name: nameOf(chosen) };
}
