/**
 * NetworkPolicy (networking.k8s.io/v1) evaluation: may this source open a connection to this
 * destination on this port? One implementation serves both the simulated cluster's data plane and
 * the extension's diagnosis, so that what the extension explains is what the simulation does.
 *
 * Semantics, from the API reference and the upstream conformance tests
 * (kubernetes/test/e2e/network/netpol):
 * - policyTypes, when not given, is Ingress plus Egress if the policy has egress rules (the API
 *   server's defaulting: an `egress: []` alone does not make it an egress policy).
 * - A pod is isolated for a direction when any policy in its namespace selects it and lists that
 *   direction. An isolated pod admits only what the union of those policies' rules admits.
 * - A rule admits traffic that matches one of its peers AND one of its ports. No `from`/`to` (or an
 *   empty list) means every peer; no `ports` (or an empty list) means every port and protocol. A
 *   policy whose rule list is empty admits nothing.
 * - Peers: podSelector alone selects pods of the policy's namespace; namespaceSelector alone,
 *   every pod of the matching namespaces; both in one peer, the pods matching both.
 * - ipBlock matches by IP address, cidr minus except, for external endpoints AND for pods. The API
 *   leaves pod IPs in ipBlocks to the implementation; matching them is what the common plugins do
 *   (Calico, Cilium, kube-router, OVN) and what the conformance test "should allow egress access to
 *   server in CIDR block" expects.
 * - A named port resolves against the DESTINATION pod's container ports, with the rule's protocol,
 *   for ingress and egress rules alike; it never matches an endpoint outside the cluster. endPort
 *   extends a numeric port to an inclusive range. Protocol defaults to TCP.
 * - A connection needs both the source's egress and the destination's ingress to allow it. An
 *   endpoint that is not a pod (an external IP, a node, a host-network pod) is never isolated.
 *
 * Two things no policy can block, from the concept page
 * (https://kubernetes.io/docs/concepts/services-networking/network-policies/): the entities a Pod
 * may talk to are "Other pods that are allowed (exception: a pod cannot block access to itself)"
 * and "IP blocks (exception: traffic to and from the node where a Pod is running is always allowed,
 * regardless of the IP address of the Pod or the node)".
 * - A pod connecting to itself is allowed in both directions, whatever selects it. Such a verdict
 *   carries `allowedByKubernetes: 'self'` and says that the rule, not a policy, allowed it.
 * - Its node: the node's addresses (status.hostIP, so the kubelet's probes) and host-network pods
 *   on that node (spec.nodeName) reach it and are reached by it: `allowedByKubernetes: 'node'`.
 * - A pod reaching itself through a Service's ClusterIP (hairpin) is where plugins differ: the
 *   connection leaves the pod for the service proxy and comes back, and some plugins apply the
 *   pod's policies on the way (kubernetes/kubernetes#95879: "it may not be able to connect to a
 *   service IP pointing to its pod IP"; Antrea exempted it only in antrea-io/antrea#5687). When
 *   the policies alone would deny it, the verdict is `outcome: 'uncertain'`: allowed by the
 *   Kubernetes rule, to be verified with a probe. `allowed` then says what the documentation says.
 */
import { cidrContains } from './cidr.ts';
import type {
  ContainerPort,
  Labels,
  Namespace,
  NetworkPolicy,
  NetworkPolicyPeer,
  NetworkPolicyPort,
  Pod,
  PolicyType,
  Protocol,
} from './k8s.ts';
import { matchesLabelSelector } from './labels.ts';

export { networkPolicyFromModel, nodeEndpoint, podEndpoint } from './policyEndpoints.ts';

export type Direction = 'ingress' | 'egress';

export interface PodEndpoint {
  readonly kind: 'pod';
  readonly namespace: string;
  readonly name: string;
  readonly labels: Labels;
  /** Absent while the pod has no IP yet; then no ipBlock matches it. */
  readonly ip?: string;
  /** Needed on a destination: named ports in policy rules resolve against them. */
  readonly containerPorts?: readonly ContainerPort[];
  /** The node it runs on (spec.nodeName): traffic to and from that node is always allowed. */
  readonly node?: string;
  /** Its node's addresses (status.hostIP and hostIPs), for a node known by its address only. */
  readonly hostIPs?: readonly string[];
}

/** An address that belongs to no pod: outside the cluster, a node, a host-network pod. */
export interface ExternalEndpoint {
  readonly kind: 'external';
  readonly ip: string;
  /** How to call it in a reason, e.g. "node worker-1"; the IP when absent. */
  readonly name?: string;
  /** The node this address is or runs on (a node, a host-network pod), when known. */
  readonly node?: string;
}

export type Endpoint = PodEndpoint | ExternalEndpoint;

export interface ConnectionQuery {
  readonly policies: readonly NetworkPolicy[];
  /** Namespaces with their labels; one missing from the list has only kubernetes.io/metadata.name. */
  readonly namespaces: readonly Namespace[];
  readonly source: Endpoint;
  readonly destination: Endpoint;
  readonly port: number;
  /** Defaults to TCP. */
  readonly protocol?: Protocol;
  /**
   * The connection was addressed to a Service's ClusterIP and proxied to `destination`. It matters
   * only when the destination is the source itself (hairpin), where network plugins differ.
   */
  readonly throughService?: boolean;
}

/**
 * `uncertain`: allowed by the Kubernetes rule, but network plugins are known to differ (a pod
 * reaching itself through its Service); only a probe tells what this cluster does.
 */
export type PolicyOutcome = 'allowed' | 'denied' | 'uncertain';

/** What Kubernetes allows whatever the policies say: a pod's traffic to itself, its own node's. */
export type KubernetesRule = 'self' | 'node';

export interface RuleReference {
  /** namespace/name of the policy. */
  readonly policy: string;
  readonly ruleIndex: number;
  /** Which entry of `from`/`to` matched; absent when the rule has none (every peer). */
  readonly peerIndex?: number;
  /** Which entry of `ports` matched; absent when the rule has none (every port). */
  readonly portIndex?: number;
}

export interface DirectionVerdict {
  readonly direction: Direction;
  /** Whether some policy selects the pod for this direction. */
  readonly isolated: boolean;
  /** True for `uncertain` too: what the Kubernetes documentation says. */
  readonly allowed: boolean;
  readonly outcome: PolicyOutcome;
  /** namespace/name of each policy that selects the pod for this direction. */
  readonly selectingPolicies: readonly string[];
  /** The first rule that admits the connection, when one does. */
  readonly allowedBy?: RuleReference;
  /** Set when a rule of Kubernetes, not a policy, allowed an isolated pod's connection. */
  readonly allowedByKubernetes?: KubernetesRule;
  /** A sentence for a user. */
  readonly reason: string;
}

export interface ConnectionVerdict {
  /** True for `uncertain` too: what the Kubernetes documentation says. */
  readonly allowed: boolean;
  /** `denied` when either direction denies, else `uncertain` when either is, else `allowed`. */
  readonly outcome: PolicyOutcome;
  readonly egress: DirectionVerdict;
  readonly ingress: DirectionVerdict;
  /** A sentence for a user. */
  readonly reason: string;
}

const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** The namespace a policy lives in; a manifest without one lands in "default" when applied. */
function policyNamespace(policy: NetworkPolicy): string {
  return policy.metadata.namespace ?? 'default';
}

function policyId(policy: NetworkPolicy): string {
  return `${policyNamespace(policy)}/${policy.metadata.name ?? '(unnamed)'}`;
}

/** The policy types after the API server's defaulting. */
export function effectivePolicyTypes(policy: NetworkPolicy): PolicyType[] {
  const declared = policy.spec?.policyTypes;
  if (declared != null && declared.length > 0) {
    return [...new Set(declared)];
  }
  return (policy.spec?.egress?.length ?? 0) > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
}

function appliesTo(policy: NetworkPolicy, direction: Direction): boolean {
  return effectivePolicyTypes(policy).includes(direction === 'ingress' ? 'Ingress' : 'Egress');
}

function podSelects(policy: NetworkPolicy, namespace: string, labels: Labels | undefined): boolean {
  // podSelector is required; a manifest that leaves it out means `{}`, every pod.
  return (
    policyNamespace(policy) === namespace &&
    matchesLabelSelector(policy.spec?.podSelector, labels, 'matches-everything')
  );
}

/**
 * The policies that select a pod: those in its namespace whose podSelector matches its labels,
 * restricted to the ones that govern `direction` when it is given.
 */
export function selectingPolicies(
  pod: Pick<Pod, 'metadata'>,
  policies: readonly NetworkPolicy[],
  direction?: Direction,
): NetworkPolicy[] {
  const namespace = pod.metadata.namespace ?? 'default';
  return policies.filter(
    (policy) =>
      podSelects(policy, namespace, pod.metadata.labels) &&
      (direction === undefined || appliesTo(policy, direction)),
  );
}

function isSelf(subject: PodEndpoint, peer: Endpoint): boolean {
  return peer.kind === 'pod' && peer.namespace === subject.namespace && peer.name === subject.name;
}

/**
 * Whether `peer` is the node `subject` runs on: a host-network pod or a node address whose node is
 * the pod's (by name), or the pod's host address. Another node is an ordinary address.
 */
function isOwnNode(subject: PodEndpoint, peer: Endpoint): boolean {
  if (peer.kind !== 'external') {
    return false;
  }
  if (peer.node !== undefined && subject.node !== undefined) {
    return peer.node === subject.node;
  }
  return peer.ip !== '' && (subject.hostIPs ?? []).includes(peer.ip);
}

function namespaceLabelsIndex(namespaces: readonly Namespace[]): ReadonlyMap<string, Labels> {
  const index = new Map<string, Labels>();
  for (const namespace of namespaces) {
    const name = namespace.metadata.name;
    if (name !== undefined) {
      // The API server keeps this label equal to the name, whatever a manifest says.
      index.set(name, { ...namespace.metadata.labels, [NAMESPACE_NAME_LABEL]: name });
    }
  }
  return index;
}

interface Evaluation {
  readonly namespaceLabels: ReadonlyMap<string, Labels>;
  readonly source: Endpoint;
  readonly destination: Endpoint;
  readonly port: number;
  readonly protocol: Protocol;
  readonly throughService: boolean;
}

function labelsOfNamespace(evaluation: Evaluation, namespace: string): Labels {
  return evaluation.namespaceLabels.get(namespace) ?? { [NAMESPACE_NAME_LABEL]: namespace };
}

interface NormalizedRule {
  readonly peers: readonly NetworkPolicyPeer[];
  readonly ports: readonly NetworkPolicyPort[];
}

function rulesOf(policy: NetworkPolicy, direction: Direction): NormalizedRule[] {
  return direction === 'ingress'
    ? (policy.spec?.ingress ?? []).map((rule) => ({ peers: rule.from ?? [], ports: rule.ports ?? [] }))
    : (policy.spec?.egress ?? []).map((rule) => ({ peers: rule.to ?? [], ports: rule.ports ?? [] }));
}

function peerMatches(
  peer: NetworkPolicyPeer,
  policyNs: string,
  endpoint: Endpoint,
  evaluation: Evaluation,
): boolean {
  if (peer.ipBlock != null) {
    // The API rejects an ipBlock combined with selectors; the ipBlock alone decides here.
    const { ip } = endpoint;
    if (ip === undefined || !cidrContains(peer.ipBlock.cidr, ip)) {
      return false;
    }
    return !(peer.ipBlock.except ?? []).some((except) => cidrContains(except, ip));
  }
  if (peer.podSelector == null && peer.namespaceSelector == null) {
    // The API rejects a peer with nothing in it.
    return false;
  }
  if (endpoint.kind !== 'pod') {
    return false;
  }
  const namespaceMatches =
    peer.namespaceSelector == null
      ? endpoint.namespace === policyNs
      : matchesLabelSelector(peer.namespaceSelector, labelsOfNamespace(evaluation, endpoint.namespace));
  const podMatches = peer.podSelector == null || matchesLabelSelector(peer.podSelector, endpoint.labels);
  return namespaceMatches && podMatches;
}

function portMatches(rulePort: NetworkPolicyPort, evaluation: Evaluation): boolean {
  if ((rulePort.protocol ?? 'TCP') !== evaluation.protocol) {
    return false;
  }
  const { port } = rulePort;
  if (port == null) {
    return true;
  }
  if (typeof port === 'number') {
    return rulePort.endPort == null
      ? evaluation.port === port
      : evaluation.port >= port && evaluation.port <= rulePort.endPort;
  }
  const { destination } = evaluation;
  return (
    destination.kind === 'pod' &&
    (destination.containerPorts ?? []).some(
      (declared) =>
        declared.name === port &&
        (declared.protocol ?? 'TCP') === evaluation.protocol &&
        declared.containerPort === evaluation.port,
    )
  );
}

function describeEndpoint(endpoint: Endpoint, fromNamespace?: string): string {
  if (endpoint.kind === 'external') {
    return endpoint.name ?? endpoint.ip;
  }
  return endpoint.namespace === fromNamespace ? endpoint.name : `${endpoint.namespace}/${endpoint.name}`;
}

function describeRulePort(rulePort: NetworkPolicyPort): string {
  const protocol = rulePort.protocol ?? 'TCP';
  const { port } = rulePort;
  if (port == null) {
    return `any ${protocol} port`;
  }
  if (typeof port === 'string') {
    return `${protocol} port "${port}"`;
  }
  return rulePort.endPort == null ? `${protocol} ${port}` : `${protocol} ${port}-${rulePort.endPort}`;
}

function joinAlternatives(items: readonly string[]): string {
  if (items.length <= 1) {
    return items.join('');
  }
  return `${items.slice(0, -1).join(', ')} or ${items.at(-1) ?? ''}`;
}

/** The policies that select a pod (by namespace and labels) for a direction. */
type SelectingPolicies = (subject: PodEndpoint, direction: Direction) => readonly NetworkPolicy[];

function selectingFrom(policies: readonly NetworkPolicy[]): SelectingPolicies {
  return (subject, direction) =>
    policies.filter(
      (policy) => podSelects(policy, subject.namespace, subject.labels) && appliesTo(policy, direction),
    );
}

function evaluateDirection(
  direction: Direction,
  evaluation: Evaluation,
  selectingOf: SelectingPolicies,
): DirectionVerdict {
  const subject = direction === 'ingress' ? evaluation.destination : evaluation.source;
  const peer = direction === 'ingress' ? evaluation.source : evaluation.destination;
  const service = `${evaluation.protocol} ${evaluation.port}`;

  if (subject.kind !== 'pod') {
    const what = direction === 'ingress' ? 'traffic into it' : 'traffic out of it';
    return {
      direction,
      isolated: false,
      allowed: true,
      outcome: 'allowed',
      selectingPolicies: [],
      reason: `${describeEndpoint(subject)} is not a pod, so no NetworkPolicy governs ${what}`,
    };
  }

  const selecting = selectingOf(subject, direction);
  const names = selecting.map(policyId);
  if (selecting.length === 0) {
    return {
      direction,
      isolated: false,
      allowed: true,
      outcome: 'allowed',
      selectingPolicies: names,
      reason: `no NetworkPolicy in namespace ${subject.namespace} selects ${subject.name} for ${direction}, so its ${direction} is not restricted`,
    };
  }

  const isolators = `${selecting.length === 1 ? 'policy' : 'policies'} ${names.join(', ')} ${selecting.length === 1 ? 'isolates' : 'isolate'} ${subject.name} for ${direction}`;
  const self = isSelf(subject, peer);
  if (self && !evaluation.throughService) {
    // The connection never leaves the pod's network namespace, where no plugin enforces policy.
    return {
      direction,
      isolated: true,
      allowed: true,
      outcome: 'allowed',
      selectingPolicies: names,
      allowedByKubernetes: 'self',
      reason: `${isolators}, but a Pod cannot block access to itself: the Kubernetes rule, not a policy, allows ${subject.name} to connect to itself`,
    };
  }
  const peerName = describeEndpoint(peer, subject.namespace);
  if (isOwnNode(subject, peer)) {
    const node = subject.node ?? (peer.kind === 'external' ? peer.node : undefined);
    const nodeName = node === undefined ? 'the node' : `node ${node}`;
    const [toFrom, where] = direction === 'ingress' ? ['from', 'comes from'] : ['to', 'goes to'];
    const what =
      peerName === nodeName
        ? nodeName
        : peer.kind === 'external' && peer.name === undefined
          ? `${peerName}, the address of ${nodeName}`
          : `${peerName} on ${nodeName}`;
    return {
      direction,
      isolated: true,
      allowed: true,
      outcome: 'allowed',
      selectingPolicies: names,
      allowedByKubernetes: 'node',
      reason: `${isolators}, but this connection ${where} ${what}, where ${subject.name} runs, and traffic ${toFrom} the node where a Pod is running is always allowed: the Kubernetes rule, not a policy, allows it`,
    };
  }
  const peersKey = direction === 'ingress' ? 'from' : 'to';
  const nearMisses: string[] = [];
  for (const policy of selecting) {
    for (const [ruleIndex, { peers, ports }] of rulesOf(policy, direction).entries()) {
      let peerIndex: number | undefined;
      if (peers.length > 0) {
        peerIndex = peers.findIndex((candidate) =>
          peerMatches(candidate, policyNamespace(policy), peer, evaluation),
        );
        if (peerIndex < 0) {
          continue;
        }
      }
      let portIndex: number | undefined;
      if (ports.length > 0) {
        portIndex = ports.findIndex((candidate) => portMatches(candidate, evaluation));
        if (portIndex < 0) {
          nearMisses.push(
            `${policyId(policy)} ${direction}[${ruleIndex}] matches ${peerName} but only on ${joinAlternatives(ports.map(describeRulePort))}`,
          );
          continue;
        }
      }
      const where =
        peerIndex === undefined
          ? `${direction}[${ruleIndex}]`
          : `${direction}[${ruleIndex}].${peersKey}[${peerIndex}]`;
      const admits =
        direction === 'ingress'
          ? `admits ${peerName} to ${subject.name}`
          : `lets ${subject.name} reach ${peerName}`;
      return {
        direction,
        isolated: true,
        allowed: true,
        outcome: 'allowed',
        selectingPolicies: names,
        allowedBy: {
          policy: policyId(policy),
          ruleIndex,
          ...(peerIndex === undefined ? {} : { peerIndex }),
          ...(portIndex === undefined ? {} : { portIndex }),
        },
        reason: `policy ${policyId(policy)} ${admits} on ${service} (${where})`,
      };
    }
  }

  if (self) {
    // Hairpin through a Service: the policies would deny it, the documented rule allows it.
    const wouldDeny =
      direction === 'ingress'
        ? `no rule admits ${subject.name} itself on ${service}`
        : `no rule lets it reach itself on ${service}`;
    return {
      direction,
      isolated: true,
      allowed: true,
      outcome: 'uncertain',
      selectingPolicies: names,
      allowedByKubernetes: 'self',
      reason: `${isolators} and ${wouldDeny}, but a Pod cannot block access to itself: allowed by the Kubernetes rule, but some network plugins apply policy to hairpin traffic through a Service`,
    };
  }
  const hasRules = selecting.some((policy) => rulesOf(policy, direction).length > 0);
  let reason: string;
  if (!hasRules) {
    reason =
      direction === 'ingress'
        ? `${isolators} and ${selecting.length === 1 ? 'has' : 'have'} no ingress rules, so nothing may connect to it`
        : `${isolators} and ${selecting.length === 1 ? 'has' : 'have'} no egress rules, so it may not connect anywhere`;
  } else {
    reason =
      direction === 'ingress'
        ? `${isolators} and no rule admits ${peerName} on ${service}`
        : `${isolators} and no rule lets it reach ${peerName} on ${service}`;
    if (nearMisses.length > 0) {
      reason += ` (${nearMisses.slice(0, 3).join('; ')})`;
    }
  }
  return {
    direction,
    isolated: true,
    allowed: false,
    outcome: 'denied',
    selectingPolicies: names,
    reason,
  };
}

/**
 * Whether `source` may open a connection to `destination` on `port`/`protocol`, and why: the
 * source's egress and the destination's ingress, each explained.
 */
export function evaluateConnection(query: ConnectionQuery): ConnectionVerdict {
  return verdictOf(
    { ...query, namespaceLabels: namespaceLabelsIndex(query.namespaces) },
    selectingFrom(query.policies),
  );
}

/** One question to a `PolicyEvaluator`: `ConnectionQuery` without the policies and namespaces. */
export type EvaluatorQuery = Omit<ConnectionQuery, 'policies' | 'namespaces'>;

export interface PolicyEvaluator {
  readonly evaluate: (query: EvaluatorQuery) => ConnectionVerdict;
}

/**
 * `evaluateConnection` for many questions against the same policies and namespaces (a policy
 * matrix): the namespaces' labels are indexed once, and the policies selecting a pod are found
 * once per namespace and labels object (Pods of one workload often share it), not once per
 * question. The verdicts are `evaluateConnection`'s.
 */
export function policyEvaluator(
  policies: readonly NetworkPolicy[] | ((namespace: string) => readonly NetworkPolicy[]),
  namespaces: readonly Namespace[],
): PolicyEvaluator {
  const namespaceLabels = namespaceLabelsIndex(namespaces);
  // A policy selects Pods of its own namespace only: look among that namespace's.
  let policiesIn: (namespace: string) => readonly NetworkPolicy[];
  if (typeof policies === 'function') {
    policiesIn = policies;
  } else {
    const byNamespace = new Map<string, NetworkPolicy[]>();
    for (const policy of policies) {
      const list = byNamespace.get(policyNamespace(policy));
      if (list === undefined) {
        byNamespace.set(policyNamespace(policy), [policy]);
      } else {
        list.push(policy);
      }
    }
    policiesIn = (namespace) => byNamespace.get(namespace) ?? [];
  }
  const scan: SelectingPolicies = (subject, direction) =>
    selectingFrom(policiesIn(subject.namespace))(subject, direction);
  const memo = new WeakMap<Labels, Map<string, readonly NetworkPolicy[]>>();
  const selectingOf: SelectingPolicies = (subject, direction) => {
    let byNamespace = memo.get(subject.labels);
    if (byNamespace === undefined) {
      byNamespace = new Map();
      memo.set(subject.labels, byNamespace);
    }
    const key = `${direction} ${subject.namespace}`;
    let found = byNamespace.get(key);
    if (found === undefined) {
      found = scan(subject, direction);
      byNamespace.set(key, found);
    }
    return found;
  };
  return { evaluate: (query) => verdictOf({ ...query, namespaceLabels }, selectingOf) };
}

function verdictOf(
  query: EvaluatorQuery & { readonly namespaceLabels: ReadonlyMap<string, Labels> },
  selectingOf: SelectingPolicies,
): ConnectionVerdict {
  const evaluation: Evaluation = {
    namespaceLabels: query.namespaceLabels,
    source: query.source,
    destination: query.destination,
    port: query.port,
    protocol: query.protocol ?? 'TCP',
    throughService: query.throughService === true,
  };
  const egress: DirectionVerdict = evaluateDirection('egress', evaluation, selectingOf);
  const ingress: DirectionVerdict = evaluateDirection('ingress', evaluation, selectingOf);
  const allowed = egress.allowed && ingress.allowed;
  const outcome: PolicyOutcome = !allowed
    ? 'denied'
    : egress.outcome === 'uncertain' || ingress.outcome === 'uncertain'
      ? 'uncertain'
      : 'allowed';
  const from = describeEndpoint(query.source);
  const to = describeEndpoint(query.destination);
  const service = `${evaluation.protocol} ${evaluation.port}`;
  const reasons = (wanted: PolicyOutcome) =>
    [egress, ingress]
      .filter((verdict) => verdict.outcome === wanted)
      .map((verdict) => verdict.reason)
      .join('; ');
  const reason =
    outcome === 'denied'
      ? `${from} may not connect to ${to} on ${service}: ${reasons('denied')}`
      : outcome === 'uncertain'
        ? `${from} may connect to itself through its Service on ${service}: ${reasons('uncertain')}: verify with a probe`
        : `${from} may connect to ${to} on ${service}: ${egress.reason}; ${ingress.reason}`;
  return { allowed, outcome, egress, ingress, reason };
}
