/**
 * A cached object as YAML, the way `kubectl get -o yaml` prints it: apiVersion and kind first.
 * Here rather than beside the "Show YAML" documents because it needs the YAML library, which the
 * extension host loads with this layer, after activation.
 */
import { stringify } from 'yaml';
import type { CachedKind, ClusterScopedKind } from './changes.ts';

const API_VERSION: Record<CachedKind | ClusterScopedKind, string> = {
  Pod: 'v1',
  Service: 'v1',
  EndpointSlice: 'discovery.k8s.io/v1',
  NetworkPolicy: 'networking.k8s.io/v1',
  Ingress: 'networking.k8s.io/v1',
  Node: 'v1',
  IngressClass: 'networking.k8s.io/v1',
};

export function objectYaml(kind: CachedKind | ClusterScopedKind, object: object): string {
  // JSON round trip: client-node models carry Dates; the YAML should read like kubectl's.
  const plain = { apiVersion: API_VERSION[kind], kind, ...(JSON.parse(JSON.stringify(object)) as object) };
  return stringify(plain, { lineWidth: 0 });
}
