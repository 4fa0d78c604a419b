/**
 * Hops 5 and 6: the backend Service (its port, selector and readiness, EndpointSlices, target port:
 * the Pod-to-Service diagnosis's own hops, src/analysis/diagnosis/, run from the controller's
 * Pod), and NetworkPolicy: the backend Pods admit the controller's Pods on the resolved port, or,
 * for a node port, the node's address (externalTrafficPolicy Cluster masquerades) or the client's
 * (Local keeps it), as src/analysis/nodePorts.ts says.
 */
import { diagnoseStatic } from '../diagnosis/index.ts';
import { list } from '../sentences.ts';
import type { Backend, DiagnosisPod, Hop, HopId } from '../diagnosis/index.ts';
import { evaluateConnection, nodeEndpoint, podEndpoint, selectingPolicies } from '../networkPolicy.ts';
import { preservesClientAddress } from '../nodePorts.ts';
import type { RoutedService } from './route.ts';
import type { ExternalInput, ExternalProbePlan, ExternalService, HopDraft, NodeAddress } from './types.ts';

export type BackendHopId = 'service' | 'selector' | 'endpoints' | 'port';

export interface BackendStage {
  readonly drafts: Readonly<Record<BackendHopId | 'policy', HopDraft>>;
  readonly backends: readonly Backend[];
}

function draftOf(hop: Hop): HopDraft {
  const { id: _id, title: _title, ...draft } = hop;
  return draft;
}

function skippedAll(why: string): BackendStage {
  const draft: HopDraft = { status: 'skipped', summary: why, evidence: [] };
  return {
    backends: [],
    drafts: { service: draft, selector: draft, endpoints: draft, port: draft, policy: draft },
  };
}

/** Stands for the client when no Pod sends the request (a node port): only the Service hops are read. */
function outsider(namespace: string): DiagnosisPod {
  return { metadata: { namespace, name: '(outside the cluster)' } };
}

export function backendStage(
  input: ExternalInput,
  backend: RoutedService | undefined,
  controllerPod: DiagnosisPod | undefined,
  controllerKnown: boolean,
  entry: { readonly service: ExternalService; readonly answering: readonly NodeAddress[] } | undefined,
): BackendStage {
  if (backend === undefined) {
    return skippedAll('The route names no backend Service.');
  }
  const diagnosis = diagnoseStatic({
    source: controllerPod ?? outsider(backend.namespace),
    target: { kind: 'service', namespace: backend.namespace, name: backend.name, port: backend.port },
    pods: input.pods,
    services: input.services,
    endpointSlices: input.endpointSlices,
    networkPolicies: input.networkPolicies,
    namespaces: input.namespaces,
    knownNamespaces: input.knownNamespaces,
    ...(input.unreadable === undefined
      ? {}
      : {
          unreadable: {
            ...(input.unreadable.namespaces ? { namespaces: input.unreadable.namespaces } : {}),
            ...(input.unreadable.endpointSlices ? { endpointSlices: input.unreadable.endpointSlices } : {}),
            ...(input.unreadable.networkPolicies
              ? { networkPolicies: input.unreadable.networkPolicies }
              : {}),
          },
        }),
  });
  const byId = (id: HopId): HopDraft => draftOf(diagnosis.hops.find((hop) => hop.id === id)!);
  const backends = diagnosis.resolved.kind === 'service' ? diagnosis.resolved.backends : [];
  let policy: HopDraft;
  if (entry !== undefined) {
    policy = nodePortPolicy(input, entry.service, entry.answering, backends);
  } else if (controllerPod !== undefined) {
    const egress = byId('egress');
    const ingress = byId('ingress');
    const failed = [egress, ingress].find((draft) => draft.status === 'failed');
    const unknown = [egress, ingress].find((draft) => draft.status === 'unknown');
    const chosen = failed ?? unknown ?? ingress;
    policy = {
      ...chosen,
      evidence: [
        `From controller Pod ${controllerPod.metadata.namespace ?? 'default'}/${controllerPod.metadata.name ?? ''} (the controller dials the backend Pods from its own address).`,
        `Egress of the controller: ${egress.summary}`,
        `Ingress of the backend: ${ingress.summary}`,
        ...chosen.evidence,
      ],
    };
  } else {
    policy = {
      status: controllerKnown ? 'skipped' : 'unknown',
      summary: controllerKnown
        ? 'No backend Pod to check policies against.'
        : "The controller's Pods are not known, so whether the backend's NetworkPolicies admit them is not known.",
      evidence: [],
    };
  }
  return {
    backends,
    drafts: {
      service: byId('service'),
      selector: byId('selector'),
      endpoints: byId('endpoints'),
      port: byId('port'),
      policy,
    },
  };
}

/** The probe plan's Pods (the controller's or the Gateway's) and the backend Pods by IP and port. */
export function probeTargets(
  pods: readonly DiagnosisPod[],
  backends: readonly Backend[],
): Pick<ExternalProbePlan, 'controllerPods' | 'backends'> {
  return {
    controllerPods: pods.map((pod) => ({
      namespace: pod.metadata.namespace ?? 'default',
      name: pod.metadata.name ?? '',
    })),
    backends: backends.flatMap((entry) =>
      entry.ip === undefined || entry.port === undefined
        ? []
        : [{ namespace: entry.namespace, name: entry.name, ip: entry.ip, port: entry.port }],
    ),
  };
}

/** Node-port traffic as the backend sees it: from the node's address (Cluster) or the client's (Local). */
function nodePortPolicy(
  input: ExternalInput,
  service: ExternalService,
  answering: readonly NodeAddress[],
  backends: readonly Backend[],
): HopDraft {
  const namespace = service.metadata.namespace ?? 'default';
  if (input.unreadable?.networkPolicies?.includes(namespace) === true) {
    return {
      status: 'unknown',
      summary: `The NetworkPolicies of namespace ${namespace} may not be read with these credentials.`,
      evidence: [],
    };
  }
  const pods = backends
    .filter((backend) => backend.port !== undefined)
    .flatMap((backend) => {
      const pod = input.pods.find(
        (candidate) =>
          candidate.metadata.namespace === backend.namespace && candidate.metadata.name === backend.name,
      );
      return pod === undefined ? [] : [{ pod, port: backend.port! }];
    });
  if (pods.length === 0) {
    return { status: 'skipped', summary: 'No backend Pod to check policies against.', evidence: [] };
  }
  const local = preservesClientAddress(service.spec?.externalTrafficPolicy);
  if (local && input.clientIp === undefined) {
    const isolated = pods.filter(
      ({ pod }) => selectingPolicies(pod, input.networkPolicies, 'ingress').length > 0,
    );
    if (isolated.length === 0) {
      return {
        status: 'passed',
        summary: 'No NetworkPolicy isolates the backend Pods for ingress.',
        evidence: [],
      };
    }
    return {
      status: 'unknown',
      summary: `Under externalTrafficPolicy Local the backend sees the client's own address, and policies isolate ${list(isolated.map(({ pod }) => pod.metadata.name ?? ''))}: give the client's address to check them.`,
      evidence: [],
    };
  }
  const checks = pods.flatMap(({ pod, port }) => {
    const sources = local
      ? [{ label: `client ${input.clientIp}`, endpoint: { kind: 'external' as const, ip: input.clientIp! } }]
      : answering
          .filter((node) => node.address !== undefined)
          .map((node) => ({ label: `node ${node.node}`, endpoint: nodeEndpoint(node.node, node.address!) }));
    return sources.map((source) => ({
      source: source.label,
      pod: pod.metadata.name ?? '',
      port,
      verdict: evaluateConnection({
        policies: input.networkPolicies,
        namespaces: input.namespaces,
        source: source.endpoint,
        destination: podEndpoint(pod),
        port,
      }).ingress,
    }));
  });
  const evidence = checks.map(
    (check) => `${check.source} → ${check.pod}:${check.port}: ${check.verdict.reason}`,
  );
  const denied = checks.filter((check) => !check.verdict.allowed);
  if (denied.length === 0) {
    return {
      status: 'passed',
      summary: local
        ? `The backend Pods admit the client ${input.clientIp}.`
        : "The backend Pods admit node-port traffic (externalTrafficPolicy Cluster: it arrives from the node's address).",
      evidence,
    };
  }
  const first = denied[0]!;
  const policyName = first.verdict.selectingPolicies[0];
  const slash = policyName?.indexOf('/') ?? -1;
  return {
    status: 'failed',
    summary: `NetworkPolicy drops node-port traffic from ${first.source} to ${first.pod}:${first.port}: ${first.verdict.reason}`,
    evidence,
    fix: local
      ? `Admit the clients' addresses in an ingress rule (ipBlock) of ${policyName ?? 'the policy isolating the Pod'}.`
      : `Admit the nodes' addresses (ipBlock) in an ingress rule of ${policyName ?? 'the policy isolating the Pod'}, or use externalTrafficPolicy Local with the clients' addresses.`,
    ...(policyName === undefined || slash < 0
      ? {}
      : {
          manifest: {
            kind: 'NetworkPolicy',
            namespace: policyName.slice(0, slash),
            name: policyName.slice(slash + 1),
          },
        }),
  };
}
