/**
 * Cluster DNS as CoreDNS answers it for a Pod with `dnsPolicy: ClusterFirst`: the search path
 * `<ns>.svc.cluster.local svc.cluster.local cluster.local` with `ndots:5`, Service names to
 * ClusterIPs, headless Services to their ready Pods' IPs, ExternalName as a CNAME, and
 * `a-b-c-d.<ns>.pod.cluster.local`. Names outside the cluster do not resolve (no upstream).
 */
import type { Cluster } from '../cluster.ts';
import { type } from '../cluster.ts';

export const CLUSTER_DOMAIN = 'cluster.local';
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function searchPath(namespace: string): string[] {
  return [`${namespace}.svc.${CLUSTER_DOMAIN}`, `svc.${CLUSTER_DOMAIN}`, CLUSTER_DOMAIN];
}

export function resolveName(cluster: Cluster, namespace: string, name: string, depth = 0): string[] {
  const lower = name.toLowerCase();
  if (IPV4.test(lower)) {
    return [lower];
  }
  if (lower === 'localhost') {
    return ['127.0.0.1'];
  }
  const absolute = lower.endsWith('.');
  const bare = absolute ? lower.slice(0, -1) : lower;
  const dots = bare.split('.').length - 1;
  const candidates = absolute
    ? [bare]
    : dots >= 5
      ? [bare, ...searchPath(namespace).map((suffix) => `${bare}.${suffix}`)]
      : [...searchPath(namespace).map((suffix) => `${bare}.${suffix}`), bare];
  for (const candidate of candidates) {
    const answer = lookup(cluster, candidate, depth);
    if (answer.length > 0) {
      return answer;
    }
  }
  return [];
}

function lookup(cluster: Cluster, fqdn: string, depth: number): string[] {
  const suffix = `.svc.${CLUSTER_DOMAIN}`;
  if (fqdn.endsWith(suffix)) {
    const parts = fqdn.slice(0, -suffix.length).split('.');
    if (parts.length !== 2) {
      return [];
    }
    const [serviceName, namespace] = parts as [string, string];
    const service = cluster.store.peek(type('services'), namespace, serviceName);
    if (!service) {
      return [];
    }
    const spec = service.spec as { type?: string; clusterIP?: string; externalName?: string };
    if (spec.type === 'ExternalName') {
      return depth < 8 && spec.externalName
        ? resolveName(cluster, namespace, `${spec.externalName}.`, depth + 1)
        : [];
    }
    if (spec.clusterIP && spec.clusterIP !== 'None') {
      return [spec.clusterIP];
    }
    // Headless: the ready endpoints' addresses.
    return cluster.store
      .list(type('endpointslices'), namespace)
      .map((entry) => entry.object)
      .filter((slice) => slice.metadata.labels?.['kubernetes.io/service-name'] === serviceName)
      .flatMap(
        (slice) =>
          (slice.endpoints ?? []) as Array<{ addresses: string[]; conditions?: { ready?: boolean } }>,
      )
      .filter((endpoint) => endpoint.conditions?.ready !== false)
      .map((endpoint) => endpoint.addresses[0]!)
      .sort();
  }
  const podSuffix = `.pod.${CLUSTER_DOMAIN}`;
  if (fqdn.endsWith(podSuffix)) {
    const parts = fqdn.slice(0, -podSuffix.length).split('.');
    if (parts.length === 2) {
      const ip = parts[0]!.replace(/-/g, '.');
      return IPV4.test(ip) ? [ip] : [];
    }
  }
  return [];
}
