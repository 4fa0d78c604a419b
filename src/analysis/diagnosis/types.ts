/**
 * The inputs and outputs of the Pod-to-Service diagnosis ("Diagnose Connectivity"): a source Pod,
 * a target (a Pod, a Service, a name or an IP), the cluster state it is diagnosed against, and the
 * hops, conclusion and probe plan it produces. Pure types; the hops live beside this file, one
 * module per hop family, and core.ts orders them and concludes.
 */
import type { Conclusion as SharedConclusion, Hop as SharedHop } from '../hops.ts';
import type { Container, Namespace, NetworkPolicy, Pod, Protocol, Service } from '../k8s.ts';
import type { ContainerStatusLike } from '../podStatus.ts';

export type { HopStatus, ManifestReference } from '../hops.ts';

// ---------------------------------------------------------------------------------------------
// Inputs

/** A readiness probe, as far as a sentence about it needs. */
export interface ProbeSpecLike {
  readonly httpGet?: { readonly path?: string; readonly port?: number | string; readonly scheme?: string };
  readonly tcpSocket?: { readonly port?: number | string };
  readonly grpc?: { readonly port?: number };
  readonly exec?: { readonly command?: readonly string[] };
}

export interface DiagnosisContainer extends Container {
  readonly readinessProbe?: ProbeSpecLike;
}

/** A Pod with the status fields a readiness explanation reads. Client-node's V1Pod fits once cast. */
export interface DiagnosisPod extends Pod {
  readonly spec?: Pod['spec'] & {
    readonly containers?: readonly DiagnosisContainer[];
    readonly readinessGates?: readonly { readonly conditionType: string }[];
  };
  readonly status?: Pod['status'] & {
    readonly reason?: string;
    readonly message?: string;
    readonly containerStatuses?: readonly ContainerStatusLike[];
    readonly initContainerStatuses?: readonly ContainerStatusLike[];
  };
}

/** discovery.k8s.io/v1 EndpointSlice, the parts read here (client-node's V1EndpointSlice fits). */
export interface EndpointSliceLike {
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
  } | null;
  readonly addressType?: string;
  readonly endpoints?:
    | readonly {
        readonly addresses?: readonly string[] | null;
        readonly conditions?: {
          readonly ready?: boolean | null;
          readonly serving?: boolean | null;
          readonly terminating?: boolean | null;
        } | null;
        readonly targetRef?: {
          readonly kind?: string;
          readonly name?: string;
          readonly namespace?: string;
        } | null;
      }[]
    | null;
  readonly ports?:
    | readonly {
        readonly name?: string | null;
        readonly port?: number | null;
        readonly protocol?: string | null;
      }[]
    | null;
}

export type DiagnosisTarget =
  /** A Pod and a container port (a number, or the name of a declared port). */
  | {
      readonly kind: 'pod';
      readonly namespace: string;
      readonly name: string;
      readonly port: number | string;
      readonly protocol?: Protocol;
    }
  /** A Service and one of its ports (the Service port number, or its name). */
  | {
      readonly kind: 'service';
      readonly namespace: string;
      readonly name: string;
      readonly port: number | string;
      readonly protocol?: Protocol;
    }
  /** A name or an IP as the source Pod's application would use it. */
  | { readonly kind: 'dns'; readonly name: string; readonly port: number; readonly protocol?: Protocol };

/** A Pod's latest `Unhealthy` event: a readiness probe's failure, as the kubelet reported it. */
export interface ReadinessEvent {
  /** `Readiness probe failed: HTTP probe failed with statuscode: 503`. */
  readonly message: string;
  /** The container, from the event's `involvedObject.fieldPath` (`spec.containers{web}`). */
  readonly container?: string;
  /** How many times the kubelet saw it fail (the event's `count`). */
  readonly count?: number;
  /** When it last failed, ISO 8601. */
  readonly lastTimestamp?: string;
}

export interface DiagnosisInput {
  readonly source: DiagnosisPod;
  readonly target: DiagnosisTarget;
  /** The Pods of the namespaces in view (at least the source's and the target's). */
  readonly pods: readonly DiagnosisPod[];
  readonly services: readonly Service[];
  readonly endpointSlices: readonly EndpointSliceLike[];
  readonly networkPolicies: readonly NetworkPolicy[];
  /** Every namespace with its labels (namespaceSelectors read them). */
  readonly namespaces: readonly Namespace[];
  /**
   * The namespaces whose Pods, Services, EndpointSlices and NetworkPolicies are in the lists above.
   * A target in another namespace gives "unknown" rather than "not found". Default: all of them.
   */
  readonly knownNamespaces?: readonly string[];
  /** Namespaces where a resource could not be read (403): the hops that need it say "unknown". */
  readonly unreadable?: {
    /** Pods or Services refused: such a namespace is not among `knownNamespaces` either. */
    readonly namespaces?: readonly string[];
    readonly endpointSlices?: readonly string[];
    readonly networkPolicies?: readonly string[];
  };
  /**
   * The latest Unhealthy event of Pods that are not ready, by `namespace/name` (what
   * `kubectl describe pod` shows): the readiness explanation quotes the kubelet's words.
   */
  readonly readinessEvents?: ReadonlyMap<string, ReadinessEvent>;
  /** Default `cluster.local`. */
  readonly clusterDomain?: string;
  /** How many backing Pods the probe plan names, ready ones first; default 5. */
  readonly maxProbedPods?: number;
  /**
   * The lists above by namespace, for an input taken from a large cache (100,000 Pods): the hops
   * then read the namespaces they need instead of indexing every object of every diagnosis. Must
   * hold exactly the objects of the lists; without it, the lists are indexed.
   */
  readonly byNamespace?: DiagnosisIndex;
}

/** An input's objects of one namespace (see `DiagnosisInput.byNamespace`). */
export interface DiagnosisIndex {
  readonly pods: (namespace: string) => readonly DiagnosisPod[];
  readonly services: (namespace: string) => readonly Service[];
  readonly endpointSlices: (namespace: string) => readonly EndpointSliceLike[];
  readonly networkPolicies: (namespace: string) => readonly NetworkPolicy[];
}

// ---------------------------------------------------------------------------------------------
// Outputs

export type HopId = 'name' | 'service' | 'selector' | 'endpoints' | 'port' | 'egress' | 'ingress' | 'probe';

export const HOP_IDS: readonly HopId[] = [
  'name',
  'service',
  'selector',
  'endpoints',
  'port',
  'egress',
  'ingress',
  'probe',
];

/** A hop of this diagnosis; `Id` is another diagnosis's ids where it reuses the type. */
export type Hop<Id extends string = HopId> = SharedHop<Id>;

export type Conclusion<Id extends string = HopId> = SharedConclusion<Id>;

/** A Pod behind the target, with the port a connection reaches on it. */
export interface Backend {
  readonly namespace: string;
  readonly name: string;
  readonly ip?: string;
  readonly ready: boolean;
  /** The container port connections reach; absent when the targetPort does not resolve on it. */
  readonly port?: number;
}

export type ResolvedTarget =
  | {
      readonly kind: 'service';
      readonly namespace: string;
      readonly name: string;
      readonly type: string;
      readonly clusterIP?: string;
      readonly headless: boolean;
      /** The Service port, when the requested one exists. */
      readonly port?: {
        readonly name?: string;
        readonly port: number;
        readonly protocol: Protocol;
        readonly targetPort: number | string;
      };
      readonly backends: readonly Backend[];
    }
  | {
      readonly kind: 'pod';
      readonly namespace: string;
      readonly name: string;
      readonly ip?: string;
      readonly port?: number;
    }
  | { readonly kind: 'external'; readonly host: string; readonly ip?: string; readonly port: number }
  | { readonly kind: 'unresolved' };

/** What the Diagnoser probes: the target as the application addresses it, and each Pod directly. */
export interface ProbePlan {
  /** The target as a whole: a name (Service, DNS name) or an address (IP, Pod). */
  readonly primary?: {
    readonly label: string;
    readonly host: string;
    readonly port: number;
    /** Set when the primary is a Service, for the probe engine's own Service addressing. */
    readonly service?: { readonly namespace: string; readonly name: string };
    /** Set when the primary is a Pod. */
    readonly pod?: { readonly namespace: string; readonly name: string };
  };
  /** Each backing Pod by IP and resolved port (empty for a Pod target: the primary is the Pod). */
  readonly pods: readonly {
    readonly namespace: string;
    readonly name: string;
    readonly ip: string;
    readonly port: number;
    readonly ready: boolean;
  }[];
  /** Whether the port looks like HTTP (its name or appProtocol): the probe then speaks HTTP. */
  readonly http: boolean;
  /** Why the probe cannot tell much (UDP, SCTP), when it cannot. */
  readonly note?: string;
}

export interface StaticDiagnosis {
  readonly source: { readonly namespace: string; readonly name: string; readonly ip?: string };
  readonly target: DiagnosisTarget;
  /** How the target reads in sentences: `backend.shop:80`, `shop/db-0:5432`, `10.0.0.7:443`. */
  readonly targetLabel: string;
  readonly resolved: ResolvedTarget;
  /** All eight hops, in order; the probe hop is "skipped" until the Diagnoser runs it. */
  readonly hops: readonly Hop[];
  readonly conclusion: Conclusion;
  readonly plan: ProbePlan;
}
