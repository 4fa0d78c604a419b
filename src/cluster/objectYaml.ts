/**
 * A cached object as YAML, the way `kubectl get -o yaml` prints it: apiVersion and kind first.
 * Here rather than beside the "Show YAML" documents because it needs the YAML library, which the
 * extension host loads with this layer, after activation.
 */
import { stringify } from 'yaml';
import type { CachedKind, ClusterScopedKind } from './changes.ts';
import type { GatewayKind } from './gatewayWatch.ts';

export type YamlKind = CachedKind | ClusterScopedKind | GatewayKind;

// A Gateway API object's own apiVersion (the version discovery found) is spread over this one.
const API_VERSION: Record<YamlKind, string> = {
  Pod: 'v1',
  Service: 'v1',
  EndpointSlice: 'discovery.k8s.io/v1',
  NetworkPolicy: 'networking.k8s.io/v1',
  Ingress: 'networking.k8s.io/v1',
  Node: 'v1',
  IngressClass: 'networking.k8s.io/v1',
  GatewayClass: 'gateway.networking.k8s.io/v1',
  Gateway: 'gateway.networking.k8s.io/v1',
  HTTPRoute: 'gateway.networking.k8s.io/v1',
  GRPCRoute: 'gateway.networking.k8s.io/v1',
  ReferenceGrant: 'gateway.networking.k8s.io/v1beta1',
};

export function objectYaml(kind: YamlKind, object: object): string {
  // JSON round trip: client-node models carry Dates; the YAML should read like kubectl's.
  const plain = { apiVersion: API_VERSION[kind], kind, ...(JSON.parse(JSON.stringify(object)) as object) };
  return stringify(plain, { lineWidth: 0 });
}
