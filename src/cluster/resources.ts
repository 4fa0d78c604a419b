/**
 * The kinds the cluster cache holds: their client-node models, collection paths (per namespace
 * and across namespaces) and plural names for messages.
 */
import type {
  V1EndpointSlice,
  V1Ingress,
  V1IngressClass,
  V1NetworkPolicy,
  V1Node,
  V1Pod,
  V1Service,
} from '@kubernetes/client-node';
import type { CachedResource, ClusterResource } from './changes.ts';

export interface ResourceTypes {
  pods: V1Pod;
  services: V1Service;
  endpointSlices: V1EndpointSlice;
  networkPolicies: V1NetworkPolicy;
  ingresses: V1Ingress;
}

export interface ClusterResourceTypes {
  nodes: V1Node;
  ingressClasses: V1IngressClass;
}

/**
 * A namespaced resource: its informers list with `listObjects` (rawList.ts), cheaper than
 * client-node's generated calls, and watch with client-node's Watch.
 */
interface ResourceSpec {
  readonly model: string;
  /** For messages: `pods`, `endpointslices`… */
  readonly plural: string;
  readonly path: (namespace: string) => string;
  /** The path of every namespace's objects at once. */
  readonly allPath: string;
}

export const SPECS: { readonly [R in CachedResource]: ResourceSpec } = {
  pods: {
    model: 'V1Pod',
    plural: 'pods',
    path: (ns) => `/api/v1/namespaces/${encodeURIComponent(ns)}/pods`,
    allPath: '/api/v1/pods',
  },
  services: {
    model: 'V1Service',
    plural: 'services',
    path: (ns) => `/api/v1/namespaces/${encodeURIComponent(ns)}/services`,
    allPath: '/api/v1/services',
  },
  endpointSlices: {
    model: 'V1EndpointSlice',
    plural: 'endpointslices',
    path: (ns) => `/apis/discovery.k8s.io/v1/namespaces/${encodeURIComponent(ns)}/endpointslices`,
    allPath: '/apis/discovery.k8s.io/v1/endpointslices',
  },
  networkPolicies: {
    model: 'V1NetworkPolicy',
    plural: 'networkpolicies',
    path: (ns) => `/apis/networking.k8s.io/v1/namespaces/${encodeURIComponent(ns)}/networkpolicies`,
    allPath: '/apis/networking.k8s.io/v1/networkpolicies',
  },
  ingresses: {
    model: 'V1Ingress',
    plural: 'ingresses',
    path: (ns) => `/apis/networking.k8s.io/v1/namespaces/${encodeURIComponent(ns)}/ingresses`,
    allPath: '/apis/networking.k8s.io/v1/ingresses',
  },
};

export const RESOURCES = Object.keys(SPECS) as CachedResource[];

interface ClusterResourceSpec {
  readonly model: string;
  readonly plural: string;
  readonly path: string;
}

export const CLUSTER_SPECS: { readonly [R in ClusterResource]: ClusterResourceSpec } = {
  nodes: {
    model: 'V1Node',
    plural: 'nodes',
    path: '/api/v1/nodes',
  },
  ingressClasses: {
    model: 'V1IngressClass',
    plural: 'ingressclasses',
    path: '/apis/networking.k8s.io/v1/ingressclasses',
  },
};

export const CLUSTER_RESOURCES = Object.keys(CLUSTER_SPECS) as ClusterResource[];
