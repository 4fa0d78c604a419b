/**
 * Cluster-aware checks (KR4xxx): a Service manifest against the live Pods, EndpointSlices and
 * NetworkPolicies of its namespace (`metadata.namespace`, else the context's namespace). The
 * caller hands in a snapshot; a namespace it cannot vouch for (not watched yet, not synced) is
 * `undefined`, and then nothing is said about it, rather than "no Pods".
 */
import type { Ingress, IngressClass } from '../ingress.ts';
import type { LiveGatewayApi } from './gatewayLive.ts';
import type { NetworkPolicy, Pod, Protocol, Service } from '../k8s.ts';
import { matchesLabelSelector, matchesServiceSelector, selectorCandidates } from '../labels.ts';
import { selectingPolicies } from '../networkPolicy.ts';
import { declaredPorts, resolveTargetPort } from '../ports.ts';
import { isRecord } from './document.ts';
import { formatSelector, listWords, plural } from './findings.ts';
import type { Finding } from './findings.ts';
import { describeTarget, serviceSelector, servicePorts, targetOf, targetPortFixes } from './workspace.ts';

export interface EndpointConditions {
  readonly ready?: boolean | null;
  readonly serving?: boolean | null;
  readonly terminating?: boolean | null;
}

export interface SliceEndpoint {
  readonly addresses: readonly string[];
  readonly conditions?: EndpointConditions | null;
  readonly targetRef?: { readonly kind?: string; readonly name?: string; readonly namespace?: string } | null;
  readonly nodeName?: string | null;
}

export interface SlicePort {
  readonly name?: string | null;
  readonly port?: number | null;
  readonly protocol?: string | null;
}

/** discovery.k8s.io/v1 EndpointSlice, the parts read here. */
export interface EndpointSlice {
  readonly metadata?: { readonly name?: string; readonly labels?: Readonly<Record<string, string>> } | null;
  readonly addressType?: string;
  readonly endpoints?: readonly SliceEndpoint[] | null;
  readonly ports?: readonly SlicePort[] | null;
}

export interface LiveNamespace {
  readonly pods: readonly Pod[];
  /**
   * The Pods of `pods` carrying the label `key=value`, in their order: an index the model may give
   * so that each Service's selector does not scan every Pod of a 5,000-Pod namespace.
   */
  readonly podsWithLabel?: (key: string, value: string) => readonly Pod[];
  /**
   * The EndpointSlices of one Service (by the `kubernetes.io/service-name` label), or, when they
   * cannot be read, why (the server's words): never an empty list standing for "unknown".
   */
  endpointSlices(service: string): readonly EndpointSlice[] | { readonly unreadable: string };
  /** Undefined when NetworkPolicies may not be read: then no policy finding is made. */
  readonly networkPolicies: readonly NetworkPolicy[] | undefined;
  /**
   * The live Services, or why they cannot be read; absent where the model does not read them.
   * No Service finding is made from what could not be read.
   */
  readonly services?: readonly Service[] | { readonly unreadable: string };
  /** The live Ingresses, or why they cannot be read; absent where the model does not read them. */
  readonly ingresses?: readonly Ingress[] | { readonly unreadable: string };
}

export interface BackendEndpoint {
  readonly address: string;
  readonly port: number;
  readonly ready: boolean;
  readonly pod: string | undefined;
}

/**
 * The endpoints behind one Service port, from its EndpointSlices: a slice's port is matched by
 * name and protocol, as the EndpointSlice controller names them after the Service's ports.
 */
export function endpointsForPort(
  slices: readonly EndpointSlice[],
  candidate: { readonly name?: string | undefined; readonly protocol: string },
): BackendEndpoint[] {
  const endpoints: BackendEndpoint[] = [];
  for (const slice of slices) {
    const slicePort = (slice.ports ?? []).find(
      (port) =>
        (port.name ?? '') === (candidate.name ?? '') && (port.protocol ?? 'TCP') === candidate.protocol,
    );
    if (slicePort?.port == null) {
      continue;
    }
    for (const endpoint of slice.endpoints ?? []) {
      for (const address of endpoint.addresses) {
        endpoints.push({
          address,
          port: slicePort.port,
          ready: endpoint.conditions?.ready !== false,
          pod: endpoint.targetRef?.kind === 'Pod' ? (endpoint.targetRef.name ?? undefined) : undefined,
        });
      }
    }
  }
  return endpoints;
}

export interface ClusterModel {
  /** The kubeconfig context, for messages. */
  readonly context: string;
  /** Where a manifest without metadata.namespace lands: the context's namespace, else `default`. */
  readonly defaultNamespace: string;
  /** A synced namespace's state, or undefined when it is not known (yet). */
  namespace(name: string): LiveNamespace | undefined;
  /**
   * Why `namespace(name)` is undefined, in a few words after "namespace X: ": still loading, or
   * what the server refused (its reason). Cluster-aware checks make no finding there.
   */
  whyUnknown(name: string): string;
  /** The namespaces the server watches (cluster-wide facts such as node ports are only known there). */
  watchedNamespaces?(): readonly string[];
  /** The cluster's IngressClasses, or why they cannot be read (not listed yet, 403, 404). */
  ingressClasses?(): readonly IngressClass[] | { readonly unreadable: string };
  /** The live Gateway API (gatewayLive.ts); absent where the model does not read it. */
  gatewayApi?(): LiveGatewayApi;
}

/** Ready: the Ready condition is True and the Pod is not being deleted. */
export function isPodReady(pod: Pod): boolean {
  return (
    pod.metadata.deletionTimestamp == null &&
    (pod.status?.conditions ?? []).some(
      (condition) => condition.type === 'Ready' && condition.status === 'True',
    )
  );
}

/** Pods the EndpointSlice controller considers: not Succeeded or Failed. */
export function isPodServing(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed';
}

export function podState(pod: Pod): string {
  if (pod.metadata.deletionTimestamp != null) {
    return 'terminating';
  }
  if (isPodReady(pod)) {
    return 'ready';
  }
  const phase = pod.status?.phase ?? 'Pending';
  return phase === 'Running' ? 'running, not ready' : phase.toLowerCase();
}

export function podIp(pod: Pod): string | undefined {
  return pod.status?.podIP ?? pod.status?.podIPs?.[0]?.ip;
}

/**
 * The live Pods a Service selector picks (terminal Pods excluded, as the controller does). Given a
 * namespace with a label index, only the Pods carrying the selector's first label are looked at.
 */
export function selectedPods(
  pods: readonly Pod[] | LiveNamespace,
  selector: Readonly<Record<string, string>>,
): Pod[] {
  let candidates: readonly Pod[];
  if (Array.isArray(pods)) {
    candidates = pods as readonly Pod[];
  } else {
    const live = pods as LiveNamespace;
    candidates =
      live.podsWithLabel === undefined ? live.pods : selectorCandidates(live.podsWithLabel, selector);
  }
  return candidates.filter(
    (pod) => isPodServing(pod) && matchesServiceSelector(selector, pod.metadata.labels),
  );
}

/** The live Pods a NetworkPolicy's podSelector picks. */
export function policySelectedPods(
  pods: readonly Pod[],
  selector: NonNullable<NetworkPolicy['spec']>['podSelector'],
): Pod[] {
  return pods.filter((pod) => matchesLabelSelector(selector, pod.metadata.labels, 'matches-everything'));
}

/**
 * Whether the ingress rules of these policies admit anyone on this port of this Pod. Peers do not
 * matter here: a rule that admits someone keeps the port open.
 */
export function admitsIngressOnPort(
  policies: readonly NetworkPolicy[],
  pod: Pod,
  port: number,
  protocol: Protocol,
): boolean {
  const declared = declaredPorts(pod);
  return policies.some((policy) =>
    (policy.spec?.ingress ?? []).some((rule) => {
      const ports = rule.ports ?? [];
      return (
        ports.length === 0 ||
        ports.some((rulePort) => {
          if ((rulePort.protocol ?? 'TCP') !== protocol) {
            return false;
          }
          const value = rulePort.port;
          if (value == null) {
            return true;
          }
          if (typeof value === 'number') {
            return rulePort.endPort == null ? value === port : port >= value && port <= rulePort.endPort;
          }
          return declared.some(
            ({ port: candidate }) =>
              candidate.name === value &&
              (candidate.protocol ?? 'TCP') === protocol &&
              candidate.containerPort === port,
          );
        })
      );
    }),
  );
}

function policyId(policy: NetworkPolicy): string {
  return `${policy.metadata.namespace ?? 'default'}/${policy.metadata.name ?? '(unnamed)'}`;
}

export function serviceNamespace(namespace: string | undefined, cluster: ClusterModel): string {
  return namespace ?? cluster.defaultNamespace;
}

export function checkServiceInCluster(
  value: Readonly<Record<string, unknown>>,
  manifestNamespace: string | undefined,
  cluster: ClusterModel,
): Finding[] {
  const spec = isRecord(value.spec) ? value.spec : {};
  const selector = serviceSelector(value);
  if (selector === undefined || spec.type === 'ExternalName') {
    return [];
  }
  const namespace = serviceNamespace(manifestNamespace, cluster);
  const live = cluster.namespace(namespace);
  if (live === undefined) {
    return [];
  }
  const where = `namespace ${namespace} of context ${cluster.context}`;
  const selected = selectedPods(live, selector);
  const selectorText = formatSelector(selector);
  if (selected.length === 0) {
    return [
      {
        code: 'KR4001',
        message: `No Pod in ${where} matches ${selectorText}: this Service has no endpoints there.`,
        at: { path: ['spec', 'selector'], part: 'key' },
      },
    ];
  }
  const findings: Finding[] = [];
  const ready = selected.filter(isPodReady);
  if (ready.length === 0) {
    const states = selected.map((pod) => `${pod.metadata.name ?? '?'} (${podState(pod)})`);
    findings.push({
      code: 'KR4002',
      message: `${selected.length === 1 ? `The only Pod matching ${selectorText} in ${where} is not ready` : `None of the ${plural(selected.length, 'Pod')} matching ${selectorText} in ${where} is ready`}: ${listWords(states)}. The Service has no ready endpoint, so connections are refused.`,
      at: { path: ['spec', 'selector'], part: 'key' },
    });
  }
  // Judge ports by the Pods that could serve: the ready ones, or all while none is.
  const judged = ready.length > 0 ? ready : selected;
  for (const entry of servicePorts(value)) {
    const at = {
      path: entry.explicitTarget
        ? ['spec', 'ports', entry.index, 'targetPort']
        : ['spec', 'ports', entry.index, 'port'],
    };
    const target = targetOf(entry.port);
    const resolutions = judged.map((pod) => ({ pod, resolution: resolveTargetPort(entry.port, pod) }));
    const examples = () =>
      judged.slice(0, 3).map((pod) => ({ pod, label: `Pod ${pod.metadata.name ?? '?'}` }));
    if (typeof target === 'string' && resolutions.every(({ resolution }) => !resolution.ok)) {
      const pods = ready.length > 0 ? 'ready Pod' : 'matching Pod';
      findings.push({
        code: 'KR4003',
        message: `None of the ${plural(judged.length, pods)} in ${where} declares a ${describeTarget(entry.port)}, so the EndpointSlices carry no port for it.`,
        at,
        fixes: targetPortFixes(entry, examples()),
        claim: {
          key: `named-target:${entry.index}`,
          what: `Nothing declares a ${describeTarget(entry.port)}`,
          evidence: `${judged.length === 1 ? `not the ${pods}` : `none of the ${judged.length} ${pods}s`} in ${where}`,
          consequence: 'The EndpointSlices carry no port for it.',
        },
      });
      continue;
    }
    if (
      typeof target === 'number' &&
      resolutions.every(({ resolution }) => resolution.ok && !resolution.declared)
    ) {
      findings.push({
        code: 'KR4004',
        message: `None of the ${plural(judged.length, 'Pod')} matching ${selectorText} in ${where} declares ${describeTarget(entry.port)}; it works only if the process listens there anyway.`,
        at,
        fixes: targetPortFixes(entry, examples()),
        claim: {
          key: `numeric-target:${entry.index}`,
          what: `Nothing declares ${describeTarget(entry.port)}`,
          evidence: `${judged.length === 1 ? 'not the Pod' : `none of the ${judged.length} Pods`} matching ${selectorText} in ${where}`,
          consequence: 'It works only if the process listens there anyway.',
        },
      });
    }
    const policies = live.networkPolicies;
    if (policies === undefined || policies.length === 0) {
      continue;
    }
    const protocol = entry.port.protocol ?? 'TCP';
    const blocking = new Set<string>();
    let blocked = 0;
    let considered = 0;
    for (const { pod, resolution } of resolutions) {
      if (!resolution.ok) {
        continue;
      }
      considered++;
      const isolating = selectingPolicies(pod, policies, 'ingress');
      if (isolating.length > 0 && !admitsIngressOnPort(isolating, pod, resolution.port, protocol)) {
        blocked++;
        isolating.forEach((policy) => blocking.add(policyId(policy)));
      }
    }
    if (blocked > 0) {
      const names = [...blocking].sort();
      const resolvedPort = resolutions.find(({ resolution }) => resolution.ok);
      const portText =
        resolvedPort && resolvedPort.resolution.ok ? `${protocol} ${resolvedPort.resolution.port}` : protocol;
      findings.push({
        code: 'KR4005',
        message: `NetworkPolic${names.length === 1 ? 'y' : 'ies'} ${listWords(names)} ${names.length === 1 ? 'isolates' : 'isolate'} ${blocked === considered ? (blocked === 1 ? 'the Pod' : `all ${blocked} Pods`) : `${blocked} of the ${considered} Pods`} behind this port and admit${names.length === 1 ? 's' : ''} no ingress on ${portText}: connections through the Service are dropped.`,
        at,
      });
    }
  }
  return findings;
}
