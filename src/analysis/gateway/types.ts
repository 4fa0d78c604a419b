/**
 * Structural types for the parts of the Gateway API (gateway.networking.k8s.io v1: GatewayClass,
 * Gateway, HTTPRoute, GRPCRoute; v1beta1: ReferenceGrant) that KubeReach reads, as plain JSON.
 * client-node has no generated classes for these custom resources, and the analysis must run on a
 * manifest the user is still editing, so every field the API lets a client omit is optional here
 * (as in ../k8s.ts) and readers apply the CRDs' defaults themselves (listener allowedRoutes
 * `from: Same`, path match `PathPrefix /`, backendRef kind `Service`, weight 1, ...).
 *
 * Field names and documentation follow apis/v1/*_types.go of kubernetes-sigs/gateway-api.
 */
import type { LabelSelector, Namespace, ObjectMeta, Service } from '../k8s.ts';

export const GATEWAY_GROUP = 'gateway.networking.k8s.io';

/** Metadata with the two fields the Gateway API's rules read besides name and namespace. */
export type GatewayObjectMeta = ObjectMeta & {
  /** Route precedence: the oldest Route wins ties (RFC 3339, compared as text). */
  readonly creationTimestamp?: string;
  /** Conditions carry it as observedGeneration. */
  readonly generation?: number;
};

/** metav1.Condition as the API serves it. */
export interface Condition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: string;
  readonly message: string;
  readonly observedGeneration?: number;
  readonly lastTransitionTime?: string;
}

// ---------------------------------------------------------------------------------------------
// GatewayClass

export interface GatewayClass {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: GatewayObjectMeta;
  readonly spec?: {
    /** DOMAIN/PATH naming the controller that manages Gateways of this class. */
    readonly controllerName?: string;
    readonly description?: string;
    readonly parametersRef?: {
      readonly group?: string;
      readonly kind?: string;
      readonly name?: string;
      readonly namespace?: string;
    };
  };
  readonly status?: { readonly conditions?: readonly Condition[] };
}

// ---------------------------------------------------------------------------------------------
// Gateway

/** Core: HTTP, HTTPS, TLS, TCP, UDP; implementation-specific protocols carry a domain prefix. */
export type ProtocolType = string;

export interface RouteGroupKind {
  /** Defaults to gateway.networking.k8s.io. */
  readonly group?: string;
  readonly kind: string;
}

export type FromNamespaces = 'All' | 'Selector' | 'Same' | 'None';

export interface RouteNamespaces {
  /** Defaults to Same. (None is valid only for ListenerSets; a listener with it admits nothing.) */
  readonly from?: FromNamespaces | string;
  /** Read only when `from` is Selector. */
  readonly selector?: LabelSelector;
}

export interface AllowedRoutes {
  /** Defaults to `{from: Same}`. */
  readonly namespaces?: RouteNamespaces;
  /** Empty or absent: the kinds the listener's protocol supports. */
  readonly kinds?: readonly RouteGroupKind[];
}

export interface SecretObjectReference {
  /** Defaults to the core group (""). */
  readonly group?: string;
  /** Defaults to Secret. */
  readonly kind?: string;
  readonly name: string;
  readonly namespace?: string;
}

export interface ListenerTLSConfig {
  /** Terminate (default) or Passthrough. */
  readonly mode?: 'Terminate' | 'Passthrough' | string;
  readonly certificateRefs?: readonly SecretObjectReference[];
  readonly options?: Readonly<Record<string, string>>;
}

export interface Listener {
  readonly name: string;
  /** Absent: every hostname. A wildcard `*.example.com` is a suffix match of one or more labels. */
  readonly hostname?: string;
  readonly port: number;
  readonly protocol: ProtocolType;
  readonly tls?: ListenerTLSConfig;
  readonly allowedRoutes?: AllowedRoutes;
}

export interface GatewaySpecAddress {
  /** IPAddress (default), Hostname, or a domain-prefixed implementation type. */
  readonly type?: string;
  readonly value?: string;
}

export interface Gateway {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: GatewayObjectMeta;
  readonly spec?: {
    readonly gatewayClassName?: string;
    readonly listeners?: readonly Listener[];
    readonly addresses?: readonly GatewaySpecAddress[];
  };
  readonly status?: GatewayStatus;
}

export interface ListenerStatus {
  readonly name: string;
  readonly supportedKinds: readonly RouteGroupKind[];
  readonly attachedRoutes: number;
  readonly conditions: readonly Condition[];
}

export interface GatewayStatus {
  readonly addresses?: readonly { readonly type?: string; readonly value: string }[];
  readonly conditions?: readonly Condition[];
  readonly listeners?: readonly ListenerStatus[];
}

// ---------------------------------------------------------------------------------------------
// Routes: the parts common to HTTPRoute and GRPCRoute

export interface ParentReference {
  /** Defaults to gateway.networking.k8s.io; "" is the core group (a Service, for a mesh). */
  readonly group?: string;
  /** Defaults to Gateway. */
  readonly kind?: string;
  /** Defaults to the Route's namespace. */
  readonly namespace?: string;
  readonly name: string;
  /** A listener name. */
  readonly sectionName?: string;
  /** A listener port (Extended support). */
  readonly port?: number;
}

export interface RouteParentStatus {
  readonly parentRef: ParentReference;
  readonly controllerName: string;
  readonly conditions?: readonly Condition[];
}

export interface RouteStatus {
  readonly parents?: readonly RouteParentStatus[];
}

export interface BackendObjectReference {
  /** Defaults to the core group (""). */
  readonly group?: string;
  /** Defaults to Service. */
  readonly kind?: string;
  readonly name: string;
  /** Defaults to the Route's namespace; another namespace needs a ReferenceGrant there. */
  readonly namespace?: string;
  /** Required when the referent is a Service: the Service port, not the target port. */
  readonly port?: number;
}

export interface BackendRef extends BackendObjectReference {
  /** Defaults to 1; 0 sends this backend no traffic. */
  readonly weight?: number;
}

/** A filter as written; KubeReach reads its type (and names the ones with no Ingress equivalent). */
export interface RouteFilter {
  readonly type: string;
  readonly [field: string]: unknown;
}

// ---------------------------------------------------------------------------------------------
// HTTPRoute

export type PathMatchType = 'Exact' | 'PathPrefix' | 'RegularExpression';

export interface HTTPPathMatch {
  /** Defaults to PathPrefix. */
  readonly type?: PathMatchType | string;
  /** Defaults to "/". */
  readonly value?: string;
}

export interface HTTPHeaderMatch {
  /** Defaults to Exact. */
  readonly type?: 'Exact' | 'RegularExpression' | string;
  /** Compared case-insensitively; a later entry with an equivalent name is ignored. */
  readonly name: string;
  readonly value: string;
}

export interface HTTPQueryParamMatch {
  /** Defaults to Exact. */
  readonly type?: 'Exact' | 'RegularExpression' | string;
  /** Compared exactly (case-sensitive). */
  readonly name: string;
  readonly value: string;
}

export type HTTPMethod =
  'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE' | 'CONNECT' | 'OPTIONS' | 'TRACE' | 'PATCH';

export interface HTTPRouteMatch {
  /** Defaults to `{type: PathPrefix, value: "/"}`. */
  readonly path?: HTTPPathMatch;
  readonly headers?: readonly HTTPHeaderMatch[];
  readonly queryParams?: readonly HTTPQueryParamMatch[];
  readonly method?: HTTPMethod | string;
}

export interface HTTPBackendRef extends BackendRef {
  readonly filters?: readonly RouteFilter[];
}

export interface HTTPRouteRule {
  readonly name?: string;
  /** Absent or empty: one match, PathPrefix "/". */
  readonly matches?: readonly HTTPRouteMatch[];
  readonly filters?: readonly RouteFilter[];
  readonly backendRefs?: readonly HTTPBackendRef[];
}

export interface HTTPRoute {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: GatewayObjectMeta;
  readonly spec?: {
    readonly parentRefs?: readonly ParentReference[];
    readonly hostnames?: readonly string[];
    /** Absent: one rule matching every request (and with no backend). */
    readonly rules?: readonly HTTPRouteRule[];
  };
  readonly status?: RouteStatus;
}

// ---------------------------------------------------------------------------------------------
// GRPCRoute

export interface GRPCMethodMatch {
  /** Defaults to Exact. */
  readonly type?: 'Exact' | 'RegularExpression' | string;
  readonly service?: string;
  readonly method?: string;
}

export interface GRPCRouteMatch {
  readonly method?: GRPCMethodMatch;
  readonly headers?: readonly HTTPHeaderMatch[];
}

export interface GRPCBackendRef extends BackendRef {
  readonly filters?: readonly RouteFilter[];
}

export interface GRPCRouteRule {
  readonly name?: string;
  readonly matches?: readonly GRPCRouteMatch[];
  readonly filters?: readonly RouteFilter[];
  readonly backendRefs?: readonly GRPCBackendRef[];
}

export interface GRPCRoute {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: GatewayObjectMeta;
  readonly spec?: {
    readonly parentRefs?: readonly ParentReference[];
    readonly hostnames?: readonly string[];
    readonly rules?: readonly GRPCRouteRule[];
  };
  readonly status?: RouteStatus;
}

// ---------------------------------------------------------------------------------------------
// ReferenceGrant (v1beta1)

export interface ReferenceGrantFrom {
  /** "" for the core group. */
  readonly group: string;
  readonly kind: string;
  readonly namespace: string;
}

export interface ReferenceGrantTo {
  readonly group: string;
  readonly kind: string;
  /** Absent: every object of the group and kind in the grant's namespace. */
  readonly name?: string;
}

export interface ReferenceGrant {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: GatewayObjectMeta;
  readonly spec?: {
    readonly from?: readonly ReferenceGrantFrom[];
    readonly to?: readonly ReferenceGrantTo[];
  };
}

// ---------------------------------------------------------------------------------------------
// Shared shapes of the analysis

/** A route of either kind, tagged so code can tell them apart without trusting `kind`. */
export type AnyRoute =
  | { readonly kind: 'HTTPRoute'; readonly route: HTTPRoute }
  | { readonly kind: 'GRPCRoute'; readonly route: GRPCRoute };

export interface ObjectRef {
  readonly namespace: string;
  readonly name: string;
}

export function objectRef(object: { readonly metadata: ObjectMeta }): ObjectRef {
  return { namespace: object.metadata.namespace ?? 'default', name: object.metadata.name ?? '(unnamed)' };
}

export function refText(ref: ObjectRef): string {
  return `${ref.namespace}/${ref.name}`;
}

/**
 * Everything the Gateway API analysis reads, as lists of plain objects. A list that was not read
 * (forbidden, not served) is the caller's business to report; `secrets` alone may be left out,
 * and then certificate references are not checked (never reported as missing).
 */
export interface GatewayWorld {
  readonly gatewayClasses: readonly GatewayClass[];
  readonly gateways: readonly Gateway[];
  readonly httpRoutes: readonly HTTPRoute[];
  readonly grpcRoutes: readonly GRPCRoute[];
  readonly referenceGrants: readonly ReferenceGrant[];
  readonly services: readonly Service[];
  readonly namespaces: readonly Namespace[];
  readonly secrets?: readonly { readonly metadata: ObjectMeta; readonly type?: string }[];
}

/** Every route of the world, tagged. */
export function allRoutes(world: Pick<GatewayWorld, 'httpRoutes' | 'grpcRoutes'>): AnyRoute[] {
  return [
    ...world.httpRoutes.map((route): AnyRoute => ({ kind: 'HTTPRoute', route })),
    ...world.grpcRoutes.map((route): AnyRoute => ({ kind: 'GRPCRoute', route })),
  ];
}
