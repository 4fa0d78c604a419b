/**
 * Server-side printing: lists and objects rendered as a `meta.k8s.io` `Table`, the way kube-apiserver
 * answers `Accept: application/json;as=Table;v=v1;g=meta.k8s.io` (what `kubectl get` sends). kubectl
 * prints the cells it receives verbatim, so the columns, their order and every cell's formatting follow
 * the API server's printers (k8s.io/kubernetes/pkg/printers/internalversion/printers.go, Kubernetes
 * 1.32) and its generic fallback (k8s.io/apiserver/pkg/registry/rest/table.go).
 *
 * The API server always prints the wide form (priority 1 columns included); kubectl hides those
 * columns unless asked for `-o wide`.
 */
import { ageSince } from '../../src/analysis/duration.ts';
import { printPod } from '../../src/analysis/podStatus.ts';
import type { PodLike } from '../../src/analysis/podStatus.ts';
import {
  AGE,
  column,
  compareGoStrings,
  CREATION_DOC,
  loadBalancerAddresses,
  NAME,
  NAME_DOC,
} from './printerBasics.ts';
import type { Printer } from './printerBasics.ts';
import { customPrinter } from './customTables.ts';
import { ingressClassPrinter, ingressPrinter, nodePrinter } from './printersExternal.ts';
import { apiVersionOf, resourceKey } from './resources.ts';
import type { ResourceType } from './resources.ts';

export type MetaVersion = 'v1' | 'v1beta1';

/** `includeObject` of `TableOptions`: what each row's `object` carries. Metadata is the default. */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface TableColumnDefinition {
  readonly name: string;
  /** An OpenAPI type: string, integer, number, boolean, date. */
  readonly type: string;
  /** An OpenAPI format; "name" marks the column that identifies the row. */
  readonly format: string;
  readonly description: string;
  /** 0 for the default view, 1 for columns shown only with `-o wide`. */
  readonly priority: number;
}

export interface TableRowCondition {
  readonly type: 'Completed';
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason?: string;
  readonly message?: string;
}

export interface TableRow {
  readonly cells: readonly unknown[];
  readonly conditions?: readonly TableRowCondition[];
  /**
   * `null` with includeObject=None: Go serializes the empty `runtime.RawExtension` as `null` (its
   * `omitempty` has no effect on a struct), so the key is present.
   */
  readonly object: unknown;
}

export interface ListMeta {
  readonly resourceVersion?: string;
  readonly continue?: string;
  readonly remainingItemCount?: number;
}

export interface Table {
  readonly kind: 'Table';
  readonly apiVersion: `meta.k8s.io/${MetaVersion}`;
  readonly metadata: ListMeta;
  /** `null` when headers are left out, as on every watch event after the first. */
  readonly columnDefinitions: readonly TableColumnDefinition[] | null;
  readonly rows: readonly TableRow[];
}

/** Any Kubernetes object as JSON; printers read the fields they know and treat the rest as absent. */
export interface KubeObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: {
    readonly name?: string;
    readonly creationTimestamp?: string | null;
    readonly [key: string]: unknown;
  };
  readonly [key: string]: unknown;
}

export interface TableOptions {
  /** The clock for AGE and "ago" cells; defaults to now. */
  readonly now?: Date | number;
  readonly includeObject?: IncludeObject;
  /** The list's resourceVersion, or the object's for a single GET. */
  readonly resourceVersion?: string;
  readonly continue?: string;
  readonly remainingItemCount?: number;
  /** False for watch events after the first, which upstream sends without column definitions. */
  readonly includeColumnDefinitions?: boolean;
  /** The Table version negotiated from Accept; v1 unless the client offered only v1beta1. */
  readonly version?: MetaVersion;
}

// Upstream fills descriptions from the API types' generated Swagger docs (k8s.io/api v0.32); the
// printers reference the extensions/v1beta1 and discovery/v1beta1 docs for some columns.
const DOC = {
  name: NAME_DOC,
  creationTimestamp: CREATION_DOC,
  podIP:
    'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.',
  nodeName:
    'NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName. Once this field is set, the kubelet for this node becomes responsible for the lifecycle of this pod. This field should not be used to express a desire for the pod to be scheduled on a specific node. https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodename',
  nominatedNodeName:
    'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become available sooner. Scheduler may also decide to give the resources on this node to a higher priority pod that is created after preemption. As a result, this field may be different than PodSpec.nodeName when the pod is scheduled.',
  readinessGates:
    'If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to "True" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates',
  serviceType:
    'type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer. "ClusterIP" allocates a cluster-internal IP address for load-balancing to endpoints. Endpoints are determined by the selector or if that is not specified, by manual construction of an Endpoints object or EndpointSlice objects. If clusterIP is "None", no virtual IP is allocated and the endpoints are published as a set of endpoints rather than a virtual IP. "NodePort" builds on ClusterIP and allocates a port on every node which routes to the same endpoints as the clusterIP. "LoadBalancer" builds on NodePort and creates an external load-balancer (if supported in the current cloud) which routes to the same endpoints as the clusterIP. "ExternalName" aliases this service to the specified externalName. Several other fields do not apply to ExternalName services. More info: https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types',
  clusterIP:
    'clusterIP is the IP address of the service and is usually assigned randomly. If an address is specified manually, is in-range (as per system configuration), and is not in use, it will be allocated to the service; otherwise creation of the service will fail. This field may not be changed through updates unless the type field is also being changed to ExternalName (which requires this field to be blank) or the type field is being changed from ExternalName (in which case this field may optionally be specified, as describe above).  Valid values are "None", empty string (""), or a valid IP address. Setting this to "None" makes a "headless service" (no virtual IP), which is useful when direct endpoint connections are preferred and proxying is not required.  Only applies to types ClusterIP, NodePort, and LoadBalancer. If this field is specified when creating a Service of type ExternalName, creation will fail. This field will be wiped when updating a Service to type ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies',
  externalIPs:
    'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.  These IPs are not managed by Kubernetes.  The user is responsible for ensuring that traffic arrives at a node with this IP.  A common example is external load-balancers that are not part of the Kubernetes system.',
  servicePorts:
    'The list of ports that are exposed by this service. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies',
  serviceSelector:
    'Route service traffic to pods with label keys and values matching this selector. If empty or not present, the service is assumed to have an external process managing its endpoints, which Kubernetes will not modify. Only applies to types ClusterIP, NodePort, and LoadBalancer. Ignored if type is ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/',
  eventLastTimestamp: 'The time at which the most recent occurrence of this event was recorded.',
  eventType: 'Type of this event (Normal, Warning), new types could be added in the future',
  eventReason:
    "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
  eventInvolvedObject: 'The object that this event is about.',
  eventFieldPath:
    'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2]. For example, if the object reference is to a container within a pod, this would take on a value like: "spec.containers{name}" (where "name" refers to the name of the container that triggered the event) or if no container name is specified "spec.containers[2]" (container with index 2 in this pod). This syntax is chosen only to have some well-defined way of referencing a part of an object.',
  eventSource: 'The component reporting this event. Should be a short machine understandable string.',
  eventMessage: 'A human-readable description of the status of this operation.',
  eventFirstTimestamp:
    'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)',
  eventCount: 'The number of times this event has occurred.',
  deploymentUpdatedReplicas:
    'Total number of non-terminated pods targeted by this deployment that have the desired template spec.',
  deploymentAvailableReplicas:
    'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.',
  deploymentSelector:
    'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.',
  replicaSetReplicas:
    'Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller',
  replicaSetSelector:
    'Selector is a label query over pods that should match the replica count. If the selector is empty, it is defaulted to the labels present on the pod template. Label keys and values that must match in order to be controlled by this replica set. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors',
  replicaSetStatusReplicas:
    'Replicas is the most recently observed number of replicas. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller',
  replicaSetReadyReplicas: 'The number of ready replicas for this replica set.',
  networkPolicyPodSelector:
    'Selects the pods to which this NetworkPolicy object applies.  The array of ingress rules is applied to any pods selected by this field. Multiple network policies can select the same set of pods.  In this case, the ingress rules for each are combined additively. This field is NOT optional and follows standard label selector semantics. An empty podSelector matches all pods in this namespace.',
  endpointSliceAddressType:
    'addressType specifies the type of address carried by this EndpointSlice. All addresses in this slice must be the same type. This field is immutable after creation. The following address types are currently supported: * IPv4: Represents an IPv4 Address. * IPv6: Represents an IPv6 Address. * FQDN: Represents a Fully Qualified Domain Name.',
  endpointSlicePorts:
    'ports specifies the list of network ports exposed by each endpoint in this slice. Each port must have a unique name. When ports is empty, it indicates that there are no defined ports. When a port is defined with a nil port value, it indicates "all ports". Each slice may include a maximum of 100 ports.',
  endpointSliceEndpoints:
    'endpoints is a list of unique endpoints in this slice. Each slice may include a maximum of 1000 endpoints.',
};

const CONTAINERS = column('Containers', 'string', 'Names of each container in the template.', 1);
const IMAGES = column('Images', 'string', 'Images referenced by each container in the template.', 1);

// ---- Loose shapes of the objects the printers read --------------------------------------------

interface Meta {
  readonly name?: string;
  readonly creationTimestamp?: string | null;
}

interface LabelSelectorLike {
  readonly matchLabels?: Readonly<Record<string, string>> | null;
  readonly matchExpressions?: readonly {
    readonly key: string;
    readonly operator: string;
    readonly values?: readonly string[] | null;
  }[];
}

interface PodTemplateLike {
  readonly spec?: { readonly containers?: readonly { readonly name?: string; readonly image?: string }[] };
}

interface ServiceLike {
  readonly metadata?: Meta;
  readonly spec?: {
    readonly type?: string;
    readonly clusterIP?: string;
    readonly clusterIPs?: readonly string[];
    readonly externalIPs?: readonly string[];
    readonly externalName?: string;
    readonly selector?: Readonly<Record<string, string>> | null;
    readonly ports?: readonly {
      readonly port: number;
      readonly protocol?: string;
      readonly nodePort?: number;
    }[];
  };
  readonly status?: {
    readonly loadBalancer?: {
      readonly ingress?: readonly { readonly ip?: string; readonly hostname?: string }[];
    };
  };
}

interface NamespaceLike {
  readonly metadata?: Meta;
  readonly status?: { readonly phase?: string };
}

interface EventLike {
  readonly metadata?: Meta;
  readonly involvedObject?: { readonly kind?: string; readonly name?: string; readonly fieldPath?: string };
  readonly reason?: string;
  readonly message?: string;
  readonly type?: string;
  readonly source?: { readonly component?: string; readonly host?: string };
  readonly firstTimestamp?: string | null;
  readonly lastTimestamp?: string | null;
  readonly eventTime?: string | null;
  readonly count?: number;
  readonly series?: { readonly count?: number; readonly lastObservedTime?: string | null } | null;
  /** Go's `ReportingController`. */
  readonly reportingComponent?: string;
  readonly reportingInstance?: string;
}

interface DeploymentLike {
  readonly metadata?: Meta;
  readonly spec?: {
    readonly replicas?: number;
    readonly selector?: LabelSelectorLike | null;
    readonly template?: PodTemplateLike;
  };
  readonly status?: {
    readonly replicas?: number;
    readonly updatedReplicas?: number;
    readonly readyReplicas?: number;
    readonly availableReplicas?: number;
  };
}

interface EndpointSliceLike {
  readonly metadata?: Meta;
  readonly addressType?: string;
  readonly ports?: readonly { readonly name?: string | null; readonly port?: number | null }[] | null;
  readonly endpoints?: readonly { readonly addresses?: readonly string[] }[] | null;
}

interface NetworkPolicyLike {
  readonly metadata?: Meta;
  readonly spec?: { readonly podSelector?: LabelSelectorLike | null };
}

// ---- Formatting helpers shared with upstream ----------------------------------------------------

/** `labels.FormatLabels`: "k=v" pairs sorted as whole strings, "<none>" when empty. */
export function formatLabels(labels: Readonly<Record<string, string>> | null | undefined): string {
  const pairs = Object.entries(labels ?? {}).map(([k, v]) => `${k}=${v}`);
  pairs.sort(compareGoStrings);
  return pairs.length === 0 ? '<none>' : pairs.join(',');
}

/**
 * `metav1.LabelSelectorAsSelector(...).String()`: requirements sorted by key, matchLabels as `k=v`,
 * `k in (a,b)`, `k notin (a,b)`, `k`, `!k`. A nil selector selects nothing and an empty one everything;
 * both print as "". Undefined means the selector is invalid.
 */
export function labelSelectorString(selector: LabelSelectorLike | null | undefined): string | undefined {
  if (selector == null) {
    return '';
  }
  const requirements: Array<{ key: string; text: string }> = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    requirements.push({ key, text: `${key}=${value}` });
  }
  for (const expression of selector.matchExpressions ?? []) {
    const values = [...(expression.values ?? [])];
    // Only the printed form is normalized; a single value prints as given.
    const list = values.length === 1 ? values[0]! : values.sort(compareGoStrings).join(',');
    switch (expression.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) {
          return undefined;
        }
        requirements.push({
          key: expression.key,
          text: `${expression.key} ${expression.operator === 'In' ? 'in' : 'notin'} (${list})`,
        });
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length !== 0) {
          return undefined;
        }
        requirements.push({
          key: expression.key,
          text: `${expression.operator === 'Exists' ? '' : '!'}${expression.key}`,
        });
        break;
      default:
        return undefined;
    }
  }
  // Array.prototype.sort is stable; for requirements on distinct keys any sort agrees with Go's.
  requirements.sort((a, b) => compareGoStrings(a.key, b.key));
  return requirements.map((r) => r.text).join(',');
}

/** `metav1.FormatLabelSelector`: as above, with "<none>" for an empty result and "<error>" if invalid. */
export function formatLabelSelector(selector: LabelSelectorLike | null | undefined): string {
  const text = labelSelectorString(selector);
  if (text === undefined) {
    return '<error>';
  }
  return text === '' ? '<none>' : text;
}

/** `layoutContainerCells`: names and images, comma-joined. */
function layoutContainerCells(template: PodTemplateLike | undefined): [string, string] {
  const containers = template?.spec?.containers ?? [];
  return [containers.map((c) => c.name ?? '').join(','), containers.map((c) => c.image ?? '').join(',')];
}

/** `listWithMoreString`: the first three entries, then how many more; "<unset>" for none. */
function listWithMore(entries: readonly string[]): string {
  const max = 3;
  if (entries.length > max) {
    return `${entries.slice(0, max).join(',')} + ${entries.length - max} more...`;
  }
  return entries.length === 0 ? '<unset>' : entries.join(',');
}

function millis(now: Date | number | undefined): number {
  if (now === undefined) {
    return Date.now();
  }
  return typeof now === 'number' ? now : now.getTime();
}

/** Go's `metav1.Time.UTC().Format(time.RFC3339)`, whose zero value is year 1. */
function rfc3339(timestamp: string | null | undefined): string {
  const ms = timestamp == null || timestamp === '' ? NaN : Date.parse(timestamp);
  if (Number.isNaN(ms)) {
    return '0001-01-01T00:00:00Z';
  }
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

function int(value: number | null | undefined, fallback = 0): number {
  return typeof value === 'number' && Number.isFinite(value) ? Math.trunc(value) : fallback;
}

// ---- Printers --------------------------------------------------------------------------------

const podPrinter: Printer = {
  columns: [
    NAME,
    column('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
    column('Status', 'string', 'The aggregate status of the containers in this pod.'),
    column(
      'Restarts',
      'string',
      'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
    ),
    AGE,
    column('IP', 'string', DOC.podIP, 1),
    column('Node', 'string', DOC.nodeName, 1),
    column('Nominated Node', 'string', DOC.nominatedNodeName, 1),
    column('Readiness Gates', 'string', DOC.readinessGates, 1),
  ],
  cells(object, now) {
    const row = printPod(object as PodLike, now);
    return [
      row.name,
      row.ready,
      row.status,
      row.restarts,
      row.age,
      row.ip,
      row.node,
      row.nominatedNode,
      row.readinessGates,
    ];
  },
  conditions(object) {
    // Lets clients grey out pods that have run to completion.
    switch ((object as PodLike).status?.phase) {
      case 'Succeeded':
        return [
          {
            type: 'Completed',
            status: 'True',
            reason: 'Succeeded',
            message: 'The pod has completed successfully.',
          },
        ];
      case 'Failed':
        return [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];
      default:
        return undefined;
    }
  },
};

const namespacePrinter: Printer = {
  columns: [NAME, column('Status', 'string', 'The status of the namespace'), AGE],
  cells(object, now) {
    const ns = object as NamespaceLike;
    return [ns.metadata?.name ?? '', ns.status?.phase ?? '', ageSince(ns.metadata?.creationTimestamp, now)];
  },
};

/** `loadBalancerStatusStringer` in its wide form (the server prints wide). */
function loadBalancerIngress(service: ServiceLike): string {
  return loadBalancerAddresses(service.status?.loadBalancer?.ingress);
}

/** `getServiceExternalIP`. */
function serviceExternalIP(service: ServiceLike, type: string): string {
  const externalIPs = service.spec?.externalIPs ?? [];
  switch (type) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lbIps = loadBalancerIngress(service);
      if (externalIPs.length > 0) {
        return [...(lbIps ? lbIps.split(',') : []), ...externalIPs].join(',');
      }
      return lbIps || '<pending>';
    }
    case 'ExternalName':
      return service.spec?.externalName ?? '';
    default:
      return '<unknown>';
  }
}

const servicePrinter: Printer = {
  columns: [
    NAME,
    column('Type', 'string', DOC.serviceType),
    column('Cluster-IP', 'string', DOC.clusterIP),
    column('External-IP', 'string', DOC.externalIPs),
    column('Port(s)', 'string', DOC.servicePorts),
    AGE,
    column('Selector', 'string', DOC.serviceSelector, 1),
  ],
  cells(object, now) {
    const service = object as ServiceLike;
    const spec = service.spec ?? {};
    // The stored object is defaulted (type ClusterIP, protocol TCP, clusterIPs from clusterIP); a
    // missing field prints as that default would.
    const type = spec.type || 'ClusterIP';
    const clusterIPs =
      spec.clusterIPs && spec.clusterIPs.length > 0
        ? spec.clusterIPs
        : spec.clusterIP
          ? [spec.clusterIP]
          : [];
    const ports = (spec.ports ?? [])
      .map((p) =>
        (p.nodePort ?? 0) > 0
          ? `${p.port}:${p.nodePort}/${p.protocol || 'TCP'}`
          : `${p.port}/${p.protocol || 'TCP'}`,
      )
      .join(',');
    return [
      service.metadata?.name ?? '',
      type,
      clusterIPs[0] ?? '<none>',
      serviceExternalIP(service, type),
      ports || '<none>',
      ageSince(service.metadata?.creationTimestamp, now),
      formatLabels(spec.selector),
    ];
  },
};

const eventPrinter: Printer = {
  columns: [
    column('Last Seen', 'string', DOC.eventLastTimestamp),
    column('Type', 'string', DOC.eventType),
    column('Reason', 'string', DOC.eventReason),
    column('Object', 'string', DOC.eventInvolvedObject),
    column('Subobject', 'string', DOC.eventFieldPath, 1),
    column('Source', 'string', DOC.eventSource, 1),
    column('Message', 'string', DOC.eventMessage),
    column('First Seen', 'string', DOC.eventFirstTimestamp, 1),
    column('Count', 'string', DOC.eventCount, 1),
    column('Name', 'string', DOC.name, 1, 'name'),
  ],
  cells(object, now) {
    const event = object as EventLike;
    // events.k8s.io/v1 writers leave the legacy timestamps empty and set eventTime and series.
    let firstSeen = ageSince(event.firstTimestamp, now);
    if (!event.firstTimestamp) {
      firstSeen = ageSince(event.eventTime, now);
    }
    let lastSeen = ageSince(event.lastTimestamp, now);
    if (!event.lastTimestamp) {
      lastSeen = firstSeen;
    }
    let count = int(event.count);
    if (event.series != null) {
      lastSeen = ageSince(event.series.lastObservedTime, now);
      count = int(event.series.count);
    } else if (count === 0) {
      count = 1;
    }
    const kind = (event.involvedObject?.kind ?? '').toLowerCase();
    const target = event.involvedObject?.name ? `${kind}/${event.involvedObject.name}` : kind;
    const component = event.source?.component || event.reportingComponent || '';
    const instance = event.source?.host || event.reportingInstance || '';
    return [
      lastSeen,
      event.type ?? '',
      event.reason ?? '',
      target,
      event.involvedObject?.fieldPath ?? '',
      instance ? `${component}, ${instance}` : component,
      (event.message ?? '').trim(),
      firstSeen,
      count,
      event.metadata?.name ?? '',
    ];
  },
};

const deploymentPrinter: Printer = {
  columns: [
    NAME,
    column('Ready', 'string', 'Number of the pod with ready state'),
    column('Up-to-date', 'string', DOC.deploymentUpdatedReplicas),
    column('Available', 'string', DOC.deploymentAvailableReplicas),
    AGE,
    CONTAINERS,
    IMAGES,
    column('Selector', 'string', DOC.deploymentSelector, 1),
  ],
  cells(object, now) {
    const deployment = object as DeploymentLike;
    const [names, images] = layoutContainerCells(deployment.spec?.template);
    // Unlike the other workloads, an empty selector prints as "" here, and an invalid one as "<invalid>".
    const selector = labelSelectorString(deployment.spec?.selector) ?? '<invalid>';
    return [
      deployment.metadata?.name ?? '',
      `${int(deployment.status?.readyReplicas)}/${int(deployment.spec?.replicas, 1)}`,
      int(deployment.status?.updatedReplicas),
      int(deployment.status?.availableReplicas),
      ageSince(deployment.metadata?.creationTimestamp, now),
      names,
      images,
      selector,
    ];
  },
};

const replicaSetPrinter: Printer = {
  columns: [
    NAME,
    column('Desired', 'integer', DOC.replicaSetReplicas),
    column('Current', 'integer', DOC.replicaSetStatusReplicas),
    column('Ready', 'integer', DOC.replicaSetReadyReplicas),
    AGE,
    CONTAINERS,
    IMAGES,
    column('Selector', 'string', DOC.replicaSetSelector, 1),
  ],
  cells(object, now) {
    const replicaSet = object as DeploymentLike;
    const [names, images] = layoutContainerCells(replicaSet.spec?.template);
    return [
      replicaSet.metadata?.name ?? '',
      int(replicaSet.spec?.replicas, 1),
      int(replicaSet.status?.replicas),
      int(replicaSet.status?.readyReplicas),
      ageSince(replicaSet.metadata?.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(replicaSet.spec?.selector),
    ];
  },
};

const endpointSlicePrinter: Printer = {
  columns: [
    NAME,
    column('AddressType', 'string', DOC.endpointSliceAddressType),
    column('Ports', 'string', DOC.endpointSlicePorts),
    column('Endpoints', 'string', DOC.endpointSliceEndpoints),
    AGE,
  ],
  cells(object, now) {
    const slice = object as EndpointSliceLike;
    // A port without a number is "all ports" (or names one); "*" when it has neither.
    const ports = (slice.ports ?? []).map((p) =>
      p.port != null ? String(p.port) : p.name != null ? p.name : '*',
    );
    const addresses = (slice.endpoints ?? []).flatMap((e) => e.addresses ?? []);
    return [
      slice.metadata?.name ?? '',
      slice.addressType ?? '',
      listWithMore(ports),
      listWithMore(addresses),
      ageSince(slice.metadata?.creationTimestamp, now),
    ];
  },
};

const networkPolicyPrinter: Printer = {
  columns: [NAME, column('Pod-Selector', 'string', DOC.networkPolicyPodSelector), AGE],
  cells(object, now) {
    const policy = object as NetworkPolicyLike;
    // The internal type holds podSelector by value, so an absent one is the empty selector.
    return [
      policy.metadata?.name ?? '',
      formatLabelSelector(policy.spec?.podSelector ?? {}),
      ageSince(policy.metadata?.creationTimestamp, now),
    ];
  },
};

/** The generic table convertor every resource without a printer gets. */
const defaultPrinter: Printer = {
  columns: [NAME, column('Created At', 'date', DOC.creationTimestamp)],
  cells(object) {
    return [object.metadata?.name ?? '', rfc3339(object.metadata?.creationTimestamp)];
  },
};

const PRINTERS: Readonly<Record<string, Printer>> = {
  pods: podPrinter,
  namespaces: namespacePrinter,
  nodes: nodePrinter,
  services: servicePrinter,
  events: eventPrinter,
  'deployments.apps': deploymentPrinter,
  'replicasets.apps': replicaSetPrinter,
  'endpointslices.discovery.k8s.io': endpointSlicePrinter,
  'networkpolicies.networking.k8s.io': networkPolicyPrinter,
  'ingresses.networking.k8s.io': ingressPrinter,
  'ingressclasses.networking.k8s.io': ingressClassPrinter,
};

const customPrinters = new WeakMap<ResourceType, Printer>();

function printerFor(type: ResourceType | undefined): Printer {
  if (type?.custom) {
    let printer = customPrinters.get(type);
    if (!printer) {
      printer = customPrinter(type.custom.printerColumns);
      customPrinters.set(type, printer);
    }
    return printer;
  }
  return (type && PRINTERS[resourceKey(type)]) ?? defaultPrinter;
}

/** The column definitions the API server sends for a resource type (the generic pair for unknown ones). */
export function columnDefinitions(type: ResourceType | undefined): readonly TableColumnDefinition[] {
  return printerFor(type).columns;
}

/** One row's cells, every column included. */
export function tableCells(
  type: ResourceType | undefined,
  object: KubeObject,
  now?: Date | number,
): unknown[] {
  return printerFor(type).cells(object, millis(now));
}

/** What `meta.AsPartialObjectMetadata` keeps of an object: all of its metadata, nothing else. */
export function toPartialObjectMetadata(object: KubeObject, version: MetaVersion = 'v1'): KubeObject {
  return {
    kind: 'PartialObjectMetadata',
    apiVersion: `meta.k8s.io/${version}`,
    metadata: object.metadata ?? {},
  };
}

/** The answer to `as=PartialObjectMetadataList` on a list request. */
export function toPartialObjectMetadataList(
  objects: readonly KubeObject[],
  options: Pick<TableOptions, 'resourceVersion' | 'continue' | 'remainingItemCount' | 'version'> = {},
): { kind: 'PartialObjectMetadataList'; apiVersion: string; metadata: ListMeta; items: KubeObject[] } {
  const version = options.version ?? 'v1';
  return {
    kind: 'PartialObjectMetadataList',
    apiVersion: `meta.k8s.io/${version}`,
    metadata: listMeta(options),
    items: objects.map((o) => toPartialObjectMetadata(o, version)),
  };
}

function listMeta(
  options: Pick<TableOptions, 'resourceVersion' | 'continue' | 'remainingItemCount'>,
): ListMeta {
  // ListMeta's fields are all omitempty.
  return {
    ...(options.resourceVersion ? { resourceVersion: options.resourceVersion } : {}),
    ...(options.continue ? { continue: options.continue } : {}),
    ...(options.remainingItemCount != null ? { remainingItemCount: options.remainingItemCount } : {}),
  };
}

/**
 * Renders `objects` (a list's items, or the one object of a GET) as the API server's Table. `type`
 * selects the printer; undefined, or a type without one, gets the generic Name / Created At table.
 */
export function toTable(
  type: ResourceType | undefined,
  objects: readonly KubeObject[],
  options: TableOptions = {},
): Table {
  const printer = printerFor(type);
  const now = millis(options.now);
  const version = options.version ?? 'v1';
  const includeObject = options.includeObject ?? 'Metadata';
  const rows = objects.map((object): TableRow => {
    const cells = printer.cells(object, now);
    const conditions = printer.conditions?.(object);
    let embedded: unknown;
    switch (includeObject) {
      case 'None':
        embedded = null;
        break;
      case 'Object':
        // Encoded in the resource's own group/version, so it carries kind and apiVersion.
        embedded = type ? { kind: type.kind, apiVersion: apiVersionOf(type), ...object } : object;
        break;
      default:
        embedded = toPartialObjectMetadata(object, version);
    }
    return { cells, ...(conditions ? { conditions } : {}), object: embedded };
  });
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${version}`,
    metadata: listMeta(options),
    columnDefinitions: options.includeColumnDefinitions === false ? null : printer.columns,
    rows,
  };
}

/**
 * The `includeObject` query parameter; absent or empty means Metadata. Undefined for anything else,
 * which upstream rejects with 400 `unrecognized includeObject value: "<value>"`.
 */
export function parseIncludeObject(value: string | null | undefined): IncludeObject | undefined {
  if (value == null || value === '') {
    return 'Metadata';
  }
  return value === 'None' || value === 'Metadata' || value === 'Object' ? value : undefined;
}

// ---- Content negotiation ----------------------------------------------------------------------

export interface AcceptClause {
  readonly type: string;
  readonly subType: string;
  readonly q: number;
  readonly params: Readonly<Record<string, string>>;
}

/** Go's `strconv.ParseFloat`, which fails (and goautoneg then uses 0) on anything but a plain number. */
function parseQ(text: string): number {
  return /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text) ? Number(text) : 0;
}

/**
 * `goautoneg.ParseAccept`, which the API server negotiates with: media ranges with their parameters,
 * ordered by q, with concrete types ahead of wildcards, otherwise as sent.
 */
export function parseAccept(header: string): AcceptClause[] {
  const clauses: AcceptClause[] = [];
  for (const rawPart of header.split(',')) {
    const part = rawPart.replace(/^ +| +$/g, '');
    const [mediaRange = '', ...rawParams] = part.split(';');
    const slash = mediaRange.split('/');
    const type = slash[0]!.replace(/^ +| +$/g, '');
    let subType: string;
    if (slash.length === 1 && type === '*') {
      subType = '*';
    } else if (slash.length === 2) {
      subType = slash[1]!.replace(/^ +| +$/g, '');
    } else {
      continue;
    }
    let q = 1;
    const params: Record<string, string> = {};
    for (const param of rawParams) {
      const eq = param.indexOf('=');
      if (eq < 0) {
        continue;
      }
      const token = param.slice(0, eq).replace(/^ +| +$/g, '');
      const value = param.slice(eq + 1);
      if (token === 'q') {
        q = parseQ(value);
      } else {
        params[token] = value.replace(/^ +| +$/g, '');
      }
    }
    clauses.push({ type, subType, q, params });
  }
  // Go sorts these few clauses by insertion sort with goautoneg's Less; reproduce it step for step.
  const less = (a: AcceptClause, b: AcceptClause): boolean =>
    a.q > b.q || (a.type !== '*' && b.type === '*') || (a.subType !== '*' && b.subType === '*');
  for (let i = 1; i < clauses.length; i++) {
    for (let j = i; j > 0 && less(clauses[j]!, clauses[j - 1]!); j--) {
      [clauses[j - 1], clauses[j]] = [clauses[j]!, clauses[j - 1]!];
    }
  }
  return clauses;
}

/** The conversion a clause asks for with its `g`, `v` and `as` parameters. */
export interface ConversionTarget {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

export interface NegotiationRules {
  /** Whether a JSON response may be transformed to `target` (undefined: no transformation asked). */
  allowsTransform(target: ConversionTarget | undefined): boolean;
  /** Whether the `stream` parameter may name this schema. */
  allowsStream(stream: string): boolean;
}

/**
 * `negotiation.NegotiateMediaTypeOptions` for a server that only writes JSON: the first clause, in
 * `parseAccept` order, that accepts `application/json` and whose parameters the endpoint allows.
 * Undefined when none does; an absent or empty header accepts JSON as is.
 */
export function negotiateAccept(
  header: string | null | undefined,
  rules: NegotiationRules,
): { readonly target?: ConversionTarget } | undefined {
  if (header == null || header === '') {
    return {};
  }
  for (const clause of parseAccept(header)) {
    const json =
      (clause.type === 'application' && (clause.subType === 'json' || clause.subType === '*')) ||
      (clause.type === '*' && clause.subType === '*');
    if (!json) {
      continue;
    }
    const { as, g, v, stream } = clause.params;
    const target =
      as !== undefined || g !== undefined || v !== undefined
        ? { group: g ?? '', version: v ?? '', kind: as ?? '' }
        : undefined;
    if (stream && !rules.allowsStream(stream)) {
      continue;
    }
    if (rules.allowsTransform(target)) {
      return target ? { target } : {};
    }
  }
  return undefined;
}

/** The rules of a resource endpoint (`RequestScope`): Table and PartialObjectMetadata(List) in meta.k8s.io. */
const RESOURCE_RULES: NegotiationRules = {
  allowsTransform(target) {
    if (target === undefined) {
      return true;
    }
    return (
      target.group === 'meta.k8s.io' &&
      (target.version === 'v1' || target.version === 'v1beta1') &&
      (target.kind === 'Table' ||
        target.kind === 'PartialObjectMetadata' ||
        target.kind === 'PartialObjectMetadataList')
    );
  },
  allowsStream: (stream) => stream === 'watch',
};

export type ResourceResponse =
  | { readonly as: 'Object' }
  | {
      readonly as: 'Table' | 'PartialObjectMetadata' | 'PartialObjectMetadataList';
      readonly version: MetaVersion;
    };

/** How to answer a GET, LIST or WATCH of a resource with this Accept header; undefined means 406. */
export function negotiateResourceResponse(accept: string | null | undefined): ResourceResponse | undefined {
  const negotiated = negotiateAccept(accept, RESOURCE_RULES);
  if (negotiated === undefined) {
    return undefined;
  }
  const target = negotiated.target;
  if (target === undefined) {
    return { as: 'Object' };
  }
  return { as: target.kind as 'Table', version: target.version as MetaVersion };
}

/**
 * The Table version to answer with, or undefined when the header does not put a Table first.
 * kubectl's `application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json`
 * gets v1; an older client offering only v1beta1 gets v1beta1.
 */
export function acceptsTable(accept: string | null | undefined): MetaVersion | undefined {
  const negotiated = negotiateResourceResponse(accept);
  return negotiated?.as === 'Table' ? negotiated.version : undefined;
}

/** Likewise for `as=PartialObjectMetadataList` (metadata-only informers and `kubectl get -o name`). */
export function acceptsPartialObjectMetadataList(accept: string | null | undefined): MetaVersion | undefined {
  const negotiated = negotiateResourceResponse(accept);
  return negotiated?.as === 'PartialObjectMetadataList' ? negotiated.version : undefined;
}
