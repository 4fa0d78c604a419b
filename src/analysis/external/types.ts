/**
 * The inputs and outputs of "Diagnose External Access": a request entering the cluster (a URL, a
 * node's address and node port, an Ingress rule, a NodePort or LoadBalancer Service) and the
 * cluster state it is diagnosed against. Pure types; the hops live beside this file, one module per
 * hop family, and `core.ts` orders them and concludes.
 */
import type { DiagnosisPod, EndpointSliceLike } from '../diagnosis/index.ts';
import type { Conclusion, Hop } from '../hops.ts';
import type { Ingress, IngressClass } from '../ingress.ts';
import type { Namespace, NetworkPolicy, ObjectMeta, Service, ServicePort } from '../k8s.ts';
import type { GatewayWorld } from '../gateway/types.ts';

/** A Service with the fields outside access reads (client-node's V1Service fits once cast). */
export interface ExternalService extends Service {
  readonly spec?: Service['spec'] & {
    readonly ports?: readonly ServicePort[];
    readonly externalTrafficPolicy?: string;
    readonly internalTrafficPolicy?: string;
    readonly loadBalancerClass?: string;
    readonly loadBalancerSourceRanges?: readonly string[];
    readonly allocateLoadBalancerNodePorts?: boolean;
  };
  readonly status?: {
    readonly loadBalancer?: {
      readonly ingress?: readonly { readonly ip?: string; readonly hostname?: string }[];
    };
  };
}

/** A Node, the parts read here (client-node's V1Node fits once cast). */
export interface NodeLike {
  readonly metadata: ObjectMeta;
  readonly spec?: { readonly unschedulable?: boolean };
  readonly status?: {
    readonly addresses?: readonly { readonly type: string; readonly address: string }[];
    readonly conditions?: readonly { readonly type: string; readonly status: string }[];
  };
}

/** An EndpointSlice with the node of each endpoint (for externalTrafficPolicy: Local). */
export interface ExternalEndpointSlice extends EndpointSliceLike {
  readonly endpoints?:
    | readonly (NonNullable<EndpointSliceLike['endpoints']>[number] & {
        readonly nodeName?: string | null;
      })[]
    | null;
}

export type ExternalRequest =
  /**
   * What a user types: `http://shop.example.com/api`, `shop.example.com/api`. `via` says which
   * entry serves it when an Ingress and a Gateway both could (default: an Ingress rule for the
   * host first, else a Gateway with a listener on the URL's port and host).
   */
  | {
      readonly kind: 'url';
      readonly url: string;
      readonly via?: { readonly kind: 'gateway'; readonly namespace: string; readonly name: string };
    }
  /** An HTTPRoute (one rule, default its first): a request its hostnames and first match stand for. */
  | {
      readonly kind: 'httpRoute';
      readonly namespace: string;
      readonly name: string;
      readonly ruleIndex?: number;
    }
  /**
   * A GRPCRoute (one rule, default its first): the call its hostnames and first match's service
   * and method stand for. Diagnosed through the static hops; not probed (plan.notProbed).
   */
  | {
      readonly kind: 'grpcRoute';
      readonly namespace: string;
      readonly name: string;
      readonly ruleIndex?: number;
    }
  /** A node (its name or one of its addresses) and a node port. */
  | { readonly kind: 'nodePort'; readonly node: string; readonly port: number }
  /** One path of one rule of an Ingress (the explorer's rule item); `pathIndex` 0 when absent. */
  | {
      readonly kind: 'ingressRule';
      readonly namespace: string;
      readonly name: string;
      readonly ruleIndex: number;
      readonly pathIndex?: number;
    }
  /** An Ingress as a whole: its first rule's first path, else its default backend. */
  | { readonly kind: 'ingress'; readonly namespace: string; readonly name: string }
  /** An Ingress's `spec.defaultBackend`: a request that matches no rule (the explorer's `default` item). */
  | { readonly kind: 'ingressDefaultBackend'; readonly namespace: string; readonly name: string }
  /** A NodePort or LoadBalancer Service; `port` (number or name) defaults to its first port. */
  | {
      readonly kind: 'service';
      readonly namespace: string;
      readonly name: string;
      readonly port?: number | string;
    };

export interface ExternalInput {
  readonly request: ExternalRequest;
  /** The client's address, when the user gives it: loadBalancerSourceRanges and ipBlocks read it. */
  readonly clientIp?: string;
  readonly ingresses: readonly Ingress[];
  readonly ingressClasses: readonly IngressClass[];
  readonly services: readonly ExternalService[];
  readonly endpointSlices: readonly ExternalEndpointSlice[];
  readonly pods: readonly DiagnosisPod[];
  readonly nodes: readonly NodeLike[];
  readonly networkPolicies: readonly NetworkPolicy[];
  readonly namespaces: readonly Namespace[];
  /** The namespaces whose Pods, Services, EndpointSlices, NetworkPolicies and Ingresses are listed. */
  readonly knownNamespaces: readonly string[];
  /**
   * The Gateway API objects (gateway.networking.k8s.io), when the group is served; `not-served`
   * when discovery says it is not; `unreadable` when it could not be read. Absent: not asked.
   */
  readonly gatewayApi?: GatewayApiState;
  /** What could not be read: the hops that need it say "unknown", never a guess. */
  readonly unreadable?: {
    /** Pods or Services refused (such a namespace is not among `knownNamespaces` either). */
    readonly namespaces?: readonly string[];
    readonly endpointSlices?: readonly string[];
    readonly networkPolicies?: readonly string[];
    readonly ingresses?: readonly string[];
    readonly nodes?: boolean;
    readonly ingressClasses?: boolean;
  };
}

/** The Gateway API as the cluster serves it (src/diagnose reads it; the hops never guess). */
export type GatewayApiState =
  | { readonly state: 'served'; readonly world: GatewayWorld }
  | { readonly state: 'not-served' }
  | { readonly state: 'unreadable'; readonly message: string };

export type ExternalHopId =
  | 'listener'
  | 'attachment'
  | 'rule'
  | 'backendRefs'
  | 'route'
  | 'class'
  | 'address'
  | 'nodePort'
  | 'service'
  | 'selector'
  | 'endpoints'
  | 'port'
  | 'policy'
  | 'probe';

/** The hops of a request an Ingress, a node port or a load balancer serves. */
export type IngressHopId = Exclude<ExternalHopId, 'listener' | 'attachment' | 'rule' | 'backendRefs'>;

export const EXTERNAL_HOP_IDS: readonly IngressHopId[] = [
  'route',
  'class',
  'address',
  'nodePort',
  'service',
  'selector',
  'endpoints',
  'port',
  'policy',
  'probe',
];

/** The hops of a request a Gateway serves (gatewayRoute.ts, gatewayBackend.ts, then the backend's). */
export const GATEWAY_HOP_IDS: readonly ExternalHopId[] = [
  'listener',
  'attachment',
  'rule',
  'backendRefs',
  'address',
  'service',
  'selector',
  'endpoints',
  'port',
  'policy',
  'probe',
];

export type ExternalHop = Hop<ExternalHopId>;

/** A hop before its id and title are attached. */
export type HopDraft = Omit<ExternalHop, 'id' | 'title'>;

/** A node and the address its node ports answer on. */
export interface NodeAddress {
  readonly node: string;
  readonly address?: string;
}

/** What the live probes are to check, for the engine (src/diagnose/externalDiagnoser.ts). */
export interface ExternalProbePlan {
  /** Controller Pods to probe the backend from (exec), ready ones first. */
  readonly controllerPods: readonly { readonly namespace: string; readonly name: string }[];
  /** The backend Pods by IP and resolved port. */
  readonly backends: readonly {
    readonly namespace: string;
    readonly name: string;
    readonly ip: string;
    readonly port: number;
  }[];
  /** For a node port: each node's address, and whether the static answer says it answers. */
  readonly nodePorts: readonly (NodeAddress & { readonly port: number; readonly answers: boolean })[];
  /** The Host header and path of an Ingress request. */
  readonly http?: { readonly host?: string; readonly path: string };
  /**
   * A ready controller Pod and the container port it takes plain HTTP on: the end-to-end probe
   * forwards to it (an in-process port-forward) and sends the request with its Host header. For a
   * Gateway: a ready Gateway Pod and its port for the listener (gatewayBackend.ts gatewayPodPort).
   */
  readonly controllerHttp?: { readonly namespace: string; readonly name: string; readonly port: number };
  /** A Gateway's address and the listener's port: the request is sent there with its Host header. */
  readonly gatewayHttp?: { readonly address: string; readonly port: number };
  /**
   * For a node port: a ready Pod to probe each node's address and node port from (exec). Traffic
   * from a Pod is served as Cluster whatever externalTrafficPolicy says, so every node should
   * answer it when the backend hops pass.
   */
  readonly nodePortSource?: { readonly namespace: string; readonly name: string };
  /**
   * Why no live probe is run for this request (a gRPC call: the probes send HTTP/1.1 requests and
   * TCP connections, not HTTP/2 gRPC calls): the probe hop says "Not probed: …", never a pass.
   */
  readonly notProbed?: string;
}

export interface ExternalDiagnosis {
  readonly request: ExternalRequest;
  /** How the request reads in sentences: `http://shop.example.com/admin`, `sandbox-node-1:30080`. */
  readonly label: string;
  /** What the route resolved to. */
  readonly ingress?: { readonly namespace: string; readonly name: string };
  /** Set when a Gateway serves the request: the Gateway and the route that took it. */
  readonly gateway?: {
    readonly namespace: string;
    readonly name: string;
    readonly listener?: string;
    readonly route?: { readonly namespace: string; readonly name: string; readonly ruleIndex: number };
  };
  readonly service?: { readonly namespace: string; readonly name: string; readonly port?: number | string };
  readonly hops: readonly ExternalHop[];
  readonly conclusion: Conclusion<ExternalHopId>;
  readonly plan: ExternalProbePlan;
}
