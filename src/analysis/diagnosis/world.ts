/**
 * The cluster state as the hops look things up in it: Services and Pods by namespace, which
 * namespaces are in view, and the few fields of an object every hop reads (its namespace and name,
 * a Pod's IPs, a Service's ClusterIPs and type). Indexed once per diagnosis, so that a hop's lookup
 * does not scan every object of the cluster.
 */
import type { NetworkPolicy, Service } from '../k8s.ts';
import { policyEvaluator } from '../networkPolicy.ts';
import type { ConnectionVerdict, EvaluatorQuery, PolicyEvaluator } from '../networkPolicy.ts';
import type {
  DiagnosisIndex,
  DiagnosisInput,
  DiagnosisPod,
  EndpointSliceLike,
  ReadinessEvent,
} from './types.ts';

export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';

export function nsOf(object: { readonly metadata: { readonly namespace?: string } }): string {
  return object.metadata.namespace ?? 'default';
}

export function nameOf(object: { readonly metadata: { readonly name?: string } }): string {
  return object.metadata.name ?? '(unnamed)';
}

export function podIp(pod: DiagnosisPod): string | undefined {
  const ip = pod.status?.podIP ?? pod.status?.podIPs?.[0]?.ip;
  return ip === '' ? undefined : ip;
}

export function podIps(pod: DiagnosisPod): string[] {
  const ips = new Set<string>();
  const first = pod.status?.podIP;
  if (first) {
    ips.add(first);
  }
  for (const { ip } of pod.status?.podIPs ?? []) {
    if (ip) {
      ips.add(ip);
    }
  }
  return [...ips];
}

export function serviceClusterIps(service: Service): string[] {
  const ips = new Set<string>();
  const first = service.spec?.clusterIP;
  if (first && first !== 'None') {
    ips.add(first);
  }
  for (const ip of service.spec?.clusterIPs ?? []) {
    if (ip && ip !== 'None') {
      ips.add(ip);
    }
  }
  return [...ips];
}

export function isHeadless(service: Service): boolean {
  return service.spec?.clusterIP === 'None';
}

export function serviceType(service: Service): string {
  return service.spec?.type ?? 'ClusterIP';
}

export interface World {
  readonly input: DiagnosisInput;
  readonly domain: string;
  readonly sourceNs: string;
  readonly known: (namespace: string) => boolean;
  readonly namespaceExists: (namespace: string) => boolean;
  readonly servicesIn: (namespace: string) => readonly Service[];
  readonly podsIn: (namespace: string) => readonly DiagnosisPod[];
  /** The EndpointSlices of a namespace (a slice that names none counts as in every namespace). */
  readonly endpointSlicesIn: (namespace: string) => readonly EndpointSliceLike[];
  readonly policiesIn: (namespace: string) => readonly NetworkPolicy[];
  readonly service: (namespace: string, name: string) => Service | undefined;
  /**
   * `evaluateConnection` against the input's policies and namespaces, built on first use: a policy
   * selects Pods of its own namespace only, so it reads the source's and destination's policies.
   */
  readonly evaluate: (query: EvaluatorQuery) => ConnectionVerdict;
}

function byNamespaceOf<T extends { readonly metadata?: { readonly namespace?: string } | null }>(
  objects: readonly T[],
): Map<string, T[]> {
  const index = new Map<string, T[]>();
  for (const object of objects) {
    const namespace = object.metadata?.namespace ?? 'default';
    const list = index.get(namespace);
    if (list === undefined) {
      index.set(namespace, [object]);
    } else {
      list.push(object);
    }
  }
  return index;
}

/** Indexes the input's lists by namespace, unless it brings its own index. */
function indexOf(input: DiagnosisInput): DiagnosisIndex {
  if (input.byNamespace !== undefined) {
    return input.byNamespace;
  }
  const services = byNamespaceOf(input.services);
  const pods = byNamespaceOf(input.pods);
  const policies = byNamespaceOf(input.networkPolicies);
  const unplaced = input.endpointSlices.filter((slice) => slice.metadata?.namespace == null);
  const slices = byNamespaceOf(input.endpointSlices.filter((slice) => slice.metadata?.namespace != null));
  return {
    services: (namespace) => services.get(namespace) ?? [],
    pods: (namespace) => pods.get(namespace) ?? [],
    networkPolicies: (namespace) => policies.get(namespace) ?? [],
    endpointSlices: (namespace) =>
      unplaced.length === 0 ? (slices.get(namespace) ?? []) : [...(slices.get(namespace) ?? []), ...unplaced],
  };
}

export function buildWorld(input: DiagnosisInput): World {
  const domain = (input.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN).replace(/\.$/, '').toLowerCase();
  const index = indexOf(input);
  const namespaceNames = new Set(input.namespaces.map((namespace) => namespace.metadata.name ?? ''));
  const known = input.knownNamespaces === undefined ? undefined : new Set(input.knownNamespaces);
  let evaluator: PolicyEvaluator | undefined;
  return {
    input,
    domain,
    sourceNs: nsOf(input.source),
    known: (namespace) => known === undefined || known.has(namespace),
    namespaceExists: (namespace) =>
      namespaceNames.has(namespace) ||
      index.services(namespace).length > 0 ||
      index.pods(namespace).length > 0,
    servicesIn: index.services,
    podsIn: index.pods,
    endpointSlicesIn: index.endpointSlices,
    policiesIn: index.networkPolicies,
    service: (namespace, name) => index.services(namespace).find((service) => nameOf(service) === name),
    evaluate: (query) => {
      evaluator ??= policyEvaluator(index.networkPolicies, input.namespaces);
      return evaluator.evaluate(query);
    },
  };
}

export function readinessEventOf(world: World, pod: DiagnosisPod): ReadinessEvent | undefined {
  return world.input.readinessEvents?.get(`${nsOf(pod)}/${nameOf(pod)}`);
}

/** Why a namespace's objects are not known: not watched, or refused to this identity. */
export function namespaceNotKnown(world: World, namespace: string): string {
  return world.input.unreadable?.namespaces?.includes(namespace) === true
    ? `This identity may not read the Pods or Services of namespace ${namespace} (403)`
    : `Namespace ${namespace} is not in view`;
}
