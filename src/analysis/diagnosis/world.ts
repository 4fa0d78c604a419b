/**
 * The cluster state as the hops look things up in it: Services and Pods by namespace, which
 * namespaces are in view, and the few fields of an object every hop reads (its namespace and name,
 * a Pod's IPs, a Service's ClusterIPs and type). Indexed once per diagnosis, so that a hop's lookup
 * does not scan every object of the cluster.
 */
import type { Service } from '../k8s.ts';
import type { DiagnosisInput, DiagnosisPod, ReadinessEvent } from './types.ts';

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
  readonly service: (namespace: string, name: string) => Service | undefined;
}

export function buildWorld(input: DiagnosisInput): World {
  const domain = (input.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN).replace(/\.$/, '').toLowerCase();
  const servicesByNs = new Map<string, Service[]>();
  for (const service of input.services) {
    const list = servicesByNs.get(nsOf(service)) ?? [];
    list.push(service);
    servicesByNs.set(nsOf(service), list);
  }
  const podsByNs = new Map<string, DiagnosisPod[]>();
  for (const pod of input.pods) {
    const list = podsByNs.get(nsOf(pod)) ?? [];
    list.push(pod);
    podsByNs.set(nsOf(pod), list);
  }
  const namespaceNames = new Set(input.namespaces.map((namespace) => namespace.metadata.name ?? ''));
  const known = input.knownNamespaces === undefined ? undefined : new Set(input.knownNamespaces);
  return {
    input,
    domain,
    sourceNs: nsOf(input.source),
    known: (namespace) => known === undefined || known.has(namespace),
    namespaceExists: (namespace) =>
      namespaceNames.has(namespace) || servicesByNs.has(namespace) || podsByNs.has(namespace),
    servicesIn: (namespace) => servicesByNs.get(namespace) ?? [],
    podsIn: (namespace) => podsByNs.get(namespace) ?? [],
    service: (namespace, name) =>
      (servicesByNs.get(namespace) ?? []).find((service) => nameOf(service) === name),
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
