/**
 * "Why can't A reach B?", hop by hop, from the cluster state alone: the static part of "Diagnose
 * Connectivity". Pure: no `vscode`, no network, no clock. The live probe (hop 8) is run by
 * `src/diagnose/diagnoser.ts`, which fills in the probe hop and concludes again.
 *
 * Hops, in the order a connection meets them:
 * 1. name: the target as the source Pod's resolver would see it. A name goes through the Pod's
 *    search path (`ns.svc.D`, `svc.D`, `D`, with ndots 5, as kubelet writes resolv.conf), so `svc`,
 *    `svc.ns`, `svc.ns.svc` and `svc.ns.svc.cluster.local` all reach Service svc; `a-b-c-d.ns.pod.D`
 *    is a Pod's IP; an IP is matched to a Pod or to a Service's ClusterIP.
 * 2. service: the Service exists; its type; the requested port exists with this protocol.
 * 3. selector: the Pods it selects, each ready or not and why not (conditions, container states).
 *    For a Pod target, the Pod itself.
 * 4. endpoints: the EndpointSlices hold the ready Pods' IPs and the targetPort resolved per Pod, as
 *    the EndpointSlice controller would write them; where they disagree, the disagreement is named.
 * 5. port: the resolved targetPort is declared by a container of each Pod; a named one resolves. A
 *    declared port nothing listens on shows up only in the probe.
 * 6. egress: the source's NetworkPolicies, against each backing Pod on its resolved port.
 * 7. ingress: each backing Pod's NetworkPolicies, with the deciding policy and rule, or the fact that
 *    a policy isolates the Pod and no rule admits this peer and port. What no policy can block (a Pod
 *    to itself, traffic to and from its own node) passes with the rule named instead of a policy; a
 *    Pod reaching itself through its own Service where its policies would deny it is "unknown" with
 *    `uncertainty: 'hairpin'` (plugins differ, kubernetes/kubernetes#95879), which the probe settles.
 * 8. probe: filled in by the Diagnoser ("skipped" here).
 *
 * Every hop is evaluated even after one fails, unless it has nothing to look at (no Service, no
 * Pod): a report then shows every problem at once. The conclusion names the FIRST failing hop, in
 * one sentence, with a fix and, where one object is to change, a reference to it (`manifest`) for the
 * UI to link the workspace file that defines it.
 */
import { isValidIp } from './cidr.ts';
import { conclude, orderHops, skipped } from './hops.ts';
import type {
  Conclusion as SharedConclusion,
  Hop as SharedHop,
  HopDraft,
  ManifestReference,
} from './hops.ts';
import type {
  Container,
  ContainerPort,
  Labels,
  Namespace,
  NetworkPolicy,
  Pod,
  Protocol,
  Service,
  ServicePort,
} from './k8s.ts';
import { matchesServiceSelector } from './labels.ts';
import { evaluateConnection, podEndpoint } from './networkPolicy.ts';
import type { ConnectionVerdict, DirectionVerdict, Endpoint, KubernetesRule } from './networkPolicy.ts';
import { podHealth } from './podStatus.ts';
import type { ContainerStatusLike } from './podStatus.ts';
import { declaredPorts, resolveTargetPort } from './ports.ts';
import { list, plural, upperFirst } from './sentences.ts';

export type { HopStatus, ManifestReference } from './hops.ts';
export { conclude } from './hops.ts';
export { list, lowerFirst } from './sentences.ts';

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

// ---------------------------------------------------------------------------------------------
// Small helpers

const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';
const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
/** Labels that differ per Pod or per rollout, useless in a selector a user writes. */
const VOLATILE_LABELS = new Set([
  'pod-template-hash',
  'controller-revision-hash',
  'statefulset.kubernetes.io/pod-name',
  'apps.kubernetes.io/pod-index',
  'pod-template-generation',
  'batch.kubernetes.io/controller-uid',
  'controller-uid',
]);
/** Labels that name an application, preferred when a selector is suggested. */
const APP_LABELS = ['app.kubernetes.io/name', 'app', 'k8s-app', 'name', 'app.kubernetes.io/component'];

const TITLES: Readonly<Record<HopId, string>> = {
  name: 'Name resolution',
  service: 'Service and port',
  selector: 'Selected Pods and readiness',
  endpoints: 'EndpointSlices',
  port: 'Target port',
  egress: 'NetworkPolicy egress of the source',
  ingress: 'NetworkPolicy ingress of the target',
  probe: 'Live probe',
};

function nsOf(object: { readonly metadata: { readonly namespace?: string } }): string {
  return object.metadata.namespace ?? 'default';
}

function nameOf(object: { readonly metadata: { readonly name?: string } }): string {
  return object.metadata.name ?? '(unnamed)';
}

function podIp(pod: DiagnosisPod): string | undefined {
  const ip = pod.status?.podIP ?? pod.status?.podIPs?.[0]?.ip;
  return ip === '' ? undefined : ip;
}

function podIps(pod: DiagnosisPod): string[] {
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

function serviceClusterIps(service: Service): string[] {
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

function isHeadless(service: Service): boolean {
  return service.spec?.clusterIP === 'None';
}

function serviceType(service: Service): string {
  return service.spec?.type ?? 'ClusterIP';
}

/** `{app: web, tier: api}`: a label map as YAML flow, the way it is pasted into a manifest. */
function flowMap(labels: Labels): string {
  const entries = Object.entries(labels).map(([key, value]) => `${key}: ${value === '' ? "''" : value}`);
  return `{${entries.join(', ')}}`;
}

function selectorText(labels: Labels): string {
  return Object.entries(labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
}

/** The labels to name a Pod by in a suggested rule: its application label, else its stable labels. */
export function stableLabels(labels: Labels | undefined): Labels {
  const all = labels ?? {};
  for (const key of APP_LABELS) {
    const value = all[key];
    if (value !== undefined) {
      return { [key]: value };
    }
  }
  return Object.fromEntries(Object.entries(all).filter(([key]) => !VOLATILE_LABELS.has(key)));
}

function levenshtein(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]!;
      previous[j] = Math.min(
        above + 1,
        previous[j - 1]! + 1,
        diagonal + (a.charAt(i - 1) === b.charAt(j - 1) ? 0 : 1),
      );
      diagonal = above;
    }
  }
  return previous[b.length]!;
}

/** Names close to `wanted` (a typo away), closest first. */
export function similarNames(wanted: string, candidates: readonly string[]): string[] {
  const limit = Math.max(1, Math.min(3, Math.floor(wanted.length / 3)));
  return candidates
    .map((candidate) => ({ candidate, distance: levenshtein(wanted, candidate) }))
    .filter(({ candidate, distance }) => candidate !== wanted && distance <= limit)
    .sort((a, b) => a.distance - b.distance || a.candidate.localeCompare(b.candidate))
    .map(({ candidate }) => candidate);
}

/** The object that owns a Pod's spec: its Deployment, StatefulSet, DaemonSet or Job, else the Pod. */
export function podManifest(pod: DiagnosisPod): ManifestReference {
  const namespace = nsOf(pod);
  const owner = pod.metadata.ownerReferences?.find((reference) => reference.controller === true);
  if (owner === undefined) {
    return { kind: 'Pod', namespace, name: nameOf(pod) };
  }
  if (owner.kind === 'ReplicaSet') {
    const hash = pod.metadata.labels?.['pod-template-hash'];
    if (hash !== undefined && owner.name.endsWith(`-${hash}`)) {
      return { kind: 'Deployment', namespace, name: owner.name.slice(0, -hash.length - 1) };
    }
    return { kind: 'ReplicaSet', namespace, name: owner.name };
  }
  return { kind: owner.kind, namespace, name: owner.name };
}

function describeManifest(reference: ManifestReference): string {
  return `${reference.kind} ${reference.namespace}/${reference.name}`;
}

function formatServicePort(port: ServicePort): string {
  const protocol = port.protocol ?? 'TCP';
  const target =
    port.targetPort === undefined || port.targetPort === 0 || port.targetPort === ''
      ? port.port
      : port.targetPort;
  return `${port.name ? `${port.name} ` : ''}${port.port}/${protocol} → ${target}`;
}

function formatContainerPort(port: ContainerPort): string {
  return `${port.name ? `${port.name} ` : ''}${port.containerPort}/${port.protocol ?? 'TCP'}`;
}

function describeProbeSpec(probe: ProbeSpecLike): string {
  if (probe.httpGet) {
    return `HTTP GET ${probe.httpGet.path ?? '/'} on port ${probe.httpGet.port ?? '?'}`;
  }
  if (probe.tcpSocket) {
    return `a TCP connection to port ${probe.tcpSocket.port ?? '?'}`;
  }
  if (probe.grpc) {
    return `a gRPC health check on port ${probe.grpc.port ?? '?'}`;
  }
  if (probe.exec) {
    return `the command ${(probe.exec.command ?? []).join(' ')}`;
  }
  return 'a probe';
}

// ---------------------------------------------------------------------------------------------
// Readiness, and why not

/** Ready as the EndpointSlice controller counts it: the Ready condition is True and no deletion is pending. */
export function isPodReady(pod: DiagnosisPod): boolean {
  if (pod.metadata.deletionTimestamp != null) {
    return false;
  }
  const ready = pod.status?.conditions?.find((condition) => condition.type === 'Ready');
  if (ready !== undefined) {
    return ready.status === 'True';
  }
  return podHealth(pod).state === 'ready';
}

interface Readiness {
  readonly ready: boolean;
  /** The STATUS column: Running, CrashLoopBackOff, Pending… */
  readonly status: string;
  /** Why not, one clause each (empty when ready). */
  readonly reasons: readonly string[];
  /** What to do, when something specific can be said. */
  readonly fix?: string;
}

/**
 * Whether a Pod is ready and, if not, why, from its conditions and container states, and the
 * kubelet's own words when its latest Unhealthy event is known.
 */
export function readiness(pod: DiagnosisPod, event?: ReadinessEvent): Readiness {
  const health = podHealth(pod);
  const ready = isPodReady(pod);
  if (ready) {
    return { ready, status: health.reason, reasons: [] };
  }
  const namespace = nsOf(pod);
  const name = nameOf(pod);
  const reasons: string[] = [];
  let fix: string | undefined;
  if (pod.metadata.deletionTimestamp != null) {
    reasons.push('it is being deleted');
  }
  if (pod.status?.reason) {
    reasons.push(`${pod.status.reason}${pod.status.message ? `: ${pod.status.message}` : ''}`);
  }
  const containers: readonly DiagnosisContainer[] = pod.spec?.containers ?? [];
  const specs = new Map(containers.map((container) => [container.name, container]));
  for (const status of pod.status?.containerStatuses ?? []) {
    const container = status.name ?? '?';
    const waiting = status.state?.waiting;
    const terminated = status.state?.terminated;
    const restarts = status.restartCount ?? 0;
    const restarted = restarts > 0 ? `, restarted ${plural(restarts, 'time')}` : '';
    if (waiting) {
      reasons.push(
        `container ${container} is waiting: ${waiting.reason ?? 'unknown reason'}${waiting.message ? ` (${waiting.message})` : ''}${restarted}`,
      );
      if (waiting.reason === 'CrashLoopBackOff') {
        fix ??= `Fix the crash of container ${container}: \`kubectl logs -n ${namespace} ${name} -c ${container} --previous\` shows why it exits.`;
      } else if (waiting.reason === 'ImagePullBackOff' || waiting.reason === 'ErrImagePull') {
        fix ??= `Fix the image of container ${container} (a wrong name or tag, or missing pull credentials).`;
      }
    } else if (terminated) {
      reasons.push(
        `container ${container} has terminated: ${terminated.reason ?? 'exit code'} ${terminated.exitCode ?? ''}`.trimEnd() +
          restarted,
      );
    } else if (status.state?.running && status.ready !== true) {
      const probe = specs.get(container)?.readinessProbe;
      const said =
        event !== undefined && (event.container === undefined || event.container === container)
          ? `: ${quoteEvent(event)}`
          : '';
      reasons.push(
        probe
          ? `container ${container} is running, but its readiness probe (${describeProbeSpec(probe)}) does not pass${restarted}${said}`
          : `container ${container} is running but not ready${restarted}${said}`,
      );
      if (probe) {
        fix ??= `Make container ${container} of Pod ${name} pass its readiness probe (${describeProbeSpec(probe)}), or fix the probe; \`kubectl describe pod -n ${namespace} ${name}\` shows its failures.`;
      }
    }
  }
  for (const condition of pod.status?.conditions ?? []) {
    if (condition.status !== 'True' && condition.type !== 'Ready' && condition.type !== 'ContainersReady') {
      reasons.push(
        `${condition.type}=${condition.status}${condition.reason ? ` (${condition.reason}${condition.message ? `: ${condition.message}` : ''})` : ''}`,
      );
    }
  }
  const readyCondition = pod.status?.conditions?.find((condition) => condition.type === 'Ready');
  if (readyCondition !== undefined && readyCondition.status !== 'True') {
    reasons.push(
      `Ready=${readyCondition.status}${readyCondition.reason ? ` (${readyCondition.reason}${readyCondition.message ? `: ${readyCondition.message}` : ''})` : ''}`,
    );
  }
  if (reasons.length === 0) {
    reasons.push(health.reason === '' ? 'no status reported yet' : `status ${health.reason}`);
  }
  if (health.state === 'pending' && fix === undefined) {
    fix = `Pod ${name} is ${health.reason}: \`kubectl describe pod -n ${namespace} ${name}\` shows what it waits for (scheduling, image, volumes).`;
  }
  return { ready, status: health.reason, reasons, ...(fix === undefined ? {} : { fix }) };
}

/** `the kubelet reports "Readiness probe failed: …" (12 times, last at …)`. */
function quoteEvent(event: ReadinessEvent): string {
  const times = event.count !== undefined && event.count > 1 ? `${event.count} times` : undefined;
  const last = event.lastTimestamp !== undefined ? `last at ${event.lastTimestamp}` : undefined;
  const detail = [times, last].filter((part) => part !== undefined).join(', ');
  return `the kubelet reports "${event.message}"${detail === '' ? '' : ` (${detail})`}`;
}

function readinessEventOf(world: World, pod: DiagnosisPod): ReadinessEvent | undefined {
  return world.input.readinessEvents?.get(`${nsOf(pod)}/${nameOf(pod)}`);
}

function podLine(pod: DiagnosisPod, event?: ReadinessEvent): string {
  const state = readiness(pod, event);
  const where = podIp(pod) ?? 'no IP';
  return state.ready
    ? `${nameOf(pod)} (${where}): ready`
    : `${nameOf(pod)} (${where}): ${state.status || 'not ready'}, not ready: ${state.reasons.join('; ')}`;
}

// ---------------------------------------------------------------------------------------------
// Name resolution

interface World {
  readonly input: DiagnosisInput;
  readonly domain: string;
  readonly sourceNs: string;
  readonly known: (namespace: string) => boolean;
  readonly namespaceExists: (namespace: string) => boolean;
  readonly servicesIn: (namespace: string) => readonly Service[];
  readonly podsIn: (namespace: string) => readonly DiagnosisPod[];
  readonly service: (namespace: string, name: string) => Service | undefined;
}

function buildWorld(input: DiagnosisInput): World {
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

/** The names a resolver with the Pod's search path tries for `name`, in order (ndots 5). */
export function searchPath(
  name: string,
  sourceNamespace: string,
  clusterDomain = DEFAULT_CLUSTER_DOMAIN,
): string[] {
  const domain = clusterDomain.replace(/\.$/, '');
  const lower = name.toLowerCase();
  if (lower.endsWith('.')) {
    return [lower.slice(0, -1)];
  }
  const dots = lower.split('.').length - 1;
  const searched = [
    `${lower}.${sourceNamespace}.svc.${domain}`,
    `${lower}.svc.${domain}`,
    `${lower}.${domain}`,
  ];
  return dots >= 5 ? [lower, ...searched] : [...searched, lower];
}

type NameMeaning =
  | { readonly kind: 'service'; readonly namespace: string; readonly name: string }
  | { readonly kind: 'pod-ip'; readonly namespace: string; readonly ip: string }
  | { readonly kind: 'cluster-other' }
  | { readonly kind: 'outside' };

/** What a fully qualified name means to the cluster DNS (the `D` zone is authoritative). */
function meaningOf(fqdn: string, domain: string): NameMeaning {
  if (fqdn !== domain && !fqdn.endsWith(`.${domain}`)) {
    return { kind: 'outside' };
  }
  const labels = fqdn === domain ? [] : fqdn.slice(0, -domain.length - 1).split('.');
  if (labels.length === 3 && labels[2] === 'svc') {
    return { kind: 'service', namespace: labels[1]!, name: labels[0]! };
  }
  if (labels.length === 3 && labels[2] === 'pod' && /^\d+-\d+-\d+-\d+$/.test(labels[0]!)) {
    const ip = labels[0]!.replaceAll('-', '.');
    if (isValidIp(ip)) {
      return { kind: 'pod-ip', namespace: labels[1]!, ip };
    }
  }
  return { kind: 'cluster-other' };
}

type NameResolution =
  | {
      readonly kind: 'service';
      readonly service: Service;
      readonly via: string;
      readonly tried: readonly string[];
    }
  | {
      readonly kind: 'pod';
      readonly pod: DiagnosisPod;
      readonly via: string;
      readonly tried: readonly string[];
    }
  | { readonly kind: 'external'; readonly ip?: string; readonly tried: readonly string[] }
  | {
      readonly kind: 'missing';
      readonly tried: readonly string[];
      /** The Service the name was most likely meant to be (namespace, name). */
      readonly intended?: { readonly namespace: string; readonly name: string };
    }
  | { readonly kind: 'not-in-view'; readonly namespace: string; readonly tried: readonly string[] };

function podByIp(world: World, ip: string): DiagnosisPod | undefined {
  return world.input.pods.find((pod) => podIps(pod).includes(ip));
}

function serviceByIp(world: World, ip: string): Service | undefined {
  return world.input.services.find((service) => serviceClusterIps(service).includes(ip));
}

function resolveDnsName(world: World, rawName: string): NameResolution {
  const name = rawName.trim();
  const bare = name.replace(/^\[|\]$/g, '');
  if (isValidIp(bare)) {
    const pod = podByIp(world, bare);
    if (pod !== undefined) {
      return { kind: 'pod', pod, via: bare, tried: [bare] };
    }
    const service = serviceByIp(world, bare);
    if (service !== undefined) {
      return { kind: 'service', service, via: bare, tried: [bare] };
    }
    return { kind: 'external', ip: bare, tried: [bare] };
  }
  const tried = searchPath(name, world.sourceNs, world.domain);
  let intended: { namespace: string; name: string } | undefined;
  let inCluster = false;
  for (const fqdn of tried) {
    const meaning = meaningOf(fqdn, world.domain);
    if (meaning.kind === 'service') {
      if (!world.known(meaning.namespace) && world.namespaceExists(meaning.namespace)) {
        return { kind: 'not-in-view', namespace: meaning.namespace, tried };
      }
      const service = world.service(meaning.namespace, meaning.name);
      if (service !== undefined) {
        return { kind: 'service', service, via: fqdn, tried };
      }
      if (intended === undefined && world.namespaceExists(meaning.namespace)) {
        intended = { namespace: meaning.namespace, name: meaning.name };
      }
    } else if (meaning.kind === 'pod-ip') {
      const pod = podByIp(world, meaning.ip);
      if (pod !== undefined) {
        return { kind: 'pod', pod, via: fqdn, tried };
      }
      return { kind: 'external', ip: meaning.ip, tried };
    }
    if (meaning.kind !== 'outside' && fqdn === tried.at(-1)) {
      inCluster = true;
    }
  }
  // A single label never resolves outside the cluster; a name under the cluster domain or one
  // pointing into a namespace that exists is a cluster name that is not there.
  const dotted = name.replace(/\.$/, '').includes('.');
  if (!dotted || inCluster || intended !== undefined) {
    return { kind: 'missing', tried, ...(intended === undefined ? {} : { intended }) };
  }
  return { kind: 'external', tried };
}

// ---------------------------------------------------------------------------------------------
// The diagnosis

interface ServiceContext {
  readonly service: Service;
  readonly namespace: string;
  readonly name: string;
  readonly port?: ServicePort;
  readonly protocol: Protocol;
  /** Pods the selector picks (Pods with an IP that have not finished). */
  readonly selected: readonly DiagnosisPod[];
  readonly hasSelector: boolean;
}

function selectedPods(world: World, service: Service): DiagnosisPod[] {
  const selector = service.spec?.selector;
  return world
    .podsIn(nsOf(service))
    .filter((pod) => matchesServiceSelector(selector, pod.metadata.labels))
    .sort((a, b) => nameOf(a).localeCompare(nameOf(b)));
}

function findServicePort(
  service: Service,
  wanted: number | string,
  protocol: Protocol,
): ServicePort | undefined {
  const ports = service.spec?.ports ?? [];
  return typeof wanted === 'number'
    ? ports.find((port) => port.port === wanted && (port.protocol ?? 'TCP') === protocol)
    : ports.find((port) => port.name === wanted && (port.protocol ?? 'TCP') === protocol);
}

/** The targetPort a Service port names, after the API server's defaulting. */
function targetOf(port: ServicePort): number | string {
  return port.targetPort === undefined || port.targetPort === 0 || port.targetPort === ''
    ? port.port
    : port.targetPort;
}

/** The container port a connection through this Service port reaches on a Pod. */
function backendPort(service: Service, port: ServicePort, pod: DiagnosisPod): number | undefined {
  if (isHeadless(service)) {
    // No proxy: clients connect to the Pod on the port they use.
    return port.port;
  }
  const resolved = resolveTargetPort(port, pod);
  return resolved.ok ? resolved.port : undefined;
}

function looksLikeHttp(...names: readonly (string | undefined)[]): boolean {
  return names.some((name) => name !== undefined && /^(https?|web|http-.*|.*-http|h2c?)$/i.test(name));
}

function sliceNamespace(slice: EndpointSliceLike, fallback: string): string {
  return slice.metadata?.namespace ?? fallback;
}

function policySuggestion(
  direction: 'ingress' | 'egress',
  subjectNs: string,
  peer: DiagnosisPod | undefined,
  peerIp: string | undefined,
  port: number,
  protocol: Protocol,
): string {
  let peerText: string;
  if (peer !== undefined) {
    const podSelector = flowMap(stableLabels(peer.metadata.labels));
    peerText =
      nsOf(peer) === subjectNs
        ? `{podSelector: {matchLabels: ${podSelector}}}`
        : `{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ${nsOf(peer)}}}, podSelector: {matchLabels: ${podSelector}}}`;
  } else {
    peerText = `{ipBlock: {cidr: ${peerIp ?? '0.0.0.0'}/32}}`;
  }
  const key = direction === 'ingress' ? 'from' : 'to';
  return `- ${key}: [${peerText}]\n  ports: [{protocol: ${protocol}, port: ${port}}]`;
}

interface PolicyCheck {
  readonly backend: Backend;
  readonly pod?: DiagnosisPod;
  readonly verdict: ConnectionVerdict;
  readonly port: number;
  readonly protocol: Protocol;
}

function ruleText(verdict: DirectionVerdict): string {
  const by = verdict.allowedBy;
  if (by === undefined) {
    return '';
  }
  const key = verdict.direction === 'ingress' ? 'from' : 'to';
  return `${verdict.direction}[${by.ruleIndex}]${by.peerIndex === undefined ? '' : `.${key}[${by.peerIndex}]`}${by.portIndex === undefined ? '' : `.ports[${by.portIndex}]`}`;
}

function policyManifest(id: string): ManifestReference {
  const slash = id.indexOf('/');
  return { kind: 'NetworkPolicy', namespace: id.slice(0, slash), name: id.slice(slash + 1) };
}

export function diagnoseStatic(input: DiagnosisInput): StaticDiagnosis {
  const world = buildWorld(input);
  const { source, target } = input;
  const protocol: Protocol = target.protocol ?? 'TCP';

  // 1. name, then 2 to 5 on what it led to, then 6 and 7 against the Pods behind it.
  const name = nameStage(world, target);
  const nameDraft = withDnsEgress(input, name.draft);
  const stage =
    name.service !== undefined
      ? serviceStage(input, world, name.service, target.port, protocol)
      : name.pod !== undefined
        ? podStage(name.pod, target.port, protocol, readinessEventOf(world, name.pod))
        : unresolvedStage(name.external);
  const external = stage.external ?? name.external;
  const policies = policyStage(input, stage, external, protocol);

  const drafts: Record<HopId, HopDraft> = {
    name: nameDraft,
    service: stage.drafts.service,
    selector: stage.drafts.selector,
    endpoints: stage.drafts.endpoints,
    port: stage.drafts.port,
    egress: policies.egress,
    ingress: policies.ingress,
    probe: skipped('Not run: this is the static diagnosis from the cluster state.'),
  };
  const hops = orderHops(HOP_IDS, TITLES, drafts, stage.titles);
  const sourceIp = podIp(source);
  const sourceName = `${nsOf(source)}/${nameOf(source)}`;
  return {
    source: {
      namespace: nsOf(source),
      name: nameOf(source),
      ...(sourceIp === undefined ? {} : { ip: sourceIp }),
    },
    target,
    targetLabel: name.label,
    resolved: stage.resolved,
    hops,
    conclusion: conclude(hops, { source: sourceName, target: name.label }),
    plan: probePlan(name, stage, target, protocol, Math.max(0, input.maxProbedPods ?? 5)),
  };
}

// ---------------------------------------------------------------------------------------------
// Stages

interface ExternalTarget {
  readonly host: string;
  readonly ip?: string;
  readonly port: number;
}

/** What hop 1 found: a Service, a Pod, an address outside the namespaces in view, or nothing. */
interface NameStage {
  readonly draft: HopDraft;
  /** How the target reads in sentences. */
  readonly label: string;
  /** How the application addresses the target, for the probe: the name as given, or `svc.ns`. */
  readonly host?: string;
  readonly service?: Service;
  readonly pod?: DiagnosisPod;
  readonly external?: ExternalTarget;
}

function nameStage(world: World, target: DiagnosisTarget): NameStage {
  switch (target.kind) {
    case 'service':
      return serviceNameStage(world, target);
    case 'pod':
      return podNameStage(world, target);
    case 'dns':
      return dnsNameStage(world, target);
  }
}

/** Why a namespace's objects are not known: not watched, or refused to this identity. */
function namespaceNotKnown(world: World, namespace: string): string {
  return world.input.unreadable?.namespaces?.includes(namespace) === true
    ? `This identity may not read the Pods or Services of namespace ${namespace} (403)`
    : `Namespace ${namespace} is not in view`;
}

function serviceNameStage(world: World, target: Extract<DiagnosisTarget, { kind: 'service' }>): NameStage {
  const sameNamespace = world.sourceNs === target.namespace;
  const label = `${target.name}.${target.namespace}:${target.port}`;
  const host = sameNamespace ? target.name : `${target.name}.${target.namespace}`;
  if (!world.known(target.namespace)) {
    return {
      label,
      host,
      draft: {
        status: 'unknown',
        summary: `${namespaceNotKnown(world, target.namespace)}, so whether Service ${target.name} exists there is not known.`,
        evidence: [`Watch namespace ${target.namespace} to diagnose Services in it.`],
      },
    };
  }
  const service = world.service(target.namespace, target.name);
  if (service === undefined) {
    return {
      label,
      host,
      draft: missingName(world, { namespace: target.namespace, name: target.name }, target.name),
    };
  }
  const fqdn = `${target.name}.${target.namespace}.svc.${world.domain}`;
  const names = sameNamespace
    ? [target.name, `${target.name}.${target.namespace}`, fqdn]
    : [`${target.name}.${target.namespace}`, fqdn];
  return { label, host, service, draft: serviceNameHop(world, service, names.join(', ')) };
}

function podNameStage(world: World, target: Extract<DiagnosisTarget, { kind: 'pod' }>): NameStage {
  const label = `${target.namespace}/${target.name}:${target.port}`;
  if (!world.known(target.namespace)) {
    return {
      label,
      draft: {
        status: 'unknown',
        summary: `${namespaceNotKnown(world, target.namespace)}, so Pod ${target.name} cannot be looked up.`,
        evidence: [],
      },
    };
  }
  const pod = world.podsIn(target.namespace).find((candidate) => nameOf(candidate) === target.name);
  if (pod !== undefined) {
    return { label, pod, draft: podNameHop(pod, nameOf(pod)) };
  }
  const similar = similarNames(target.name, world.podsIn(target.namespace).map(nameOf));
  return {
    label,
    draft: {
      status: 'failed',
      summary: `There is no Pod ${target.name} in namespace ${target.namespace}.`,
      evidence: similar.length > 0 ? [`Pods with a similar name: ${similar.slice(0, 5).join(', ')}.`] : [],
      fix:
        similar.length > 0
          ? `Did you mean Pod ${similar[0]}? Pods replaced by their controller get new names: target their Service instead.`
          : 'Pick a Pod that exists; Pods replaced by their controller get new names, so target their Service instead.',
    },
  };
}

function dnsNameStage(world: World, target: Extract<DiagnosisTarget, { kind: 'dns' }>): NameStage {
  const asked = target.name.trim();
  const label = `${asked}:${target.port}`;
  const resolution = resolveDnsName(world, asked);
  const tried = `Names tried, in order (search path of namespace ${world.sourceNs}, ndots 5): ${resolution.tried.join(', ')}.`;
  switch (resolution.kind) {
    case 'service': {
      const { service } = resolution;
      if (isValidIp(asked)) {
        return {
          label,
          host: asked,
          service,
          draft: {
            status: 'passed',
            summary: `${asked} is the ClusterIP of Service ${nsOf(service)}/${nameOf(service)}.`,
            evidence: [
              `Service ${nsOf(service)}/${nameOf(service)}: ${serviceType(service)}, ClusterIP ${serviceClusterIps(service).join(', ')}.`,
            ],
          },
        };
      }
      const draft = serviceNameHop(world, service, resolution.via);
      return { label, host: asked, service, draft: { ...draft, evidence: [...draft.evidence, tried] } };
    }
    case 'pod':
      return { label, host: asked, pod: resolution.pod, draft: podNameHop(resolution.pod, asked) };
    case 'external':
      return {
        label,
        host: asked,
        external: {
          host: asked,
          port: target.port,
          ...(resolution.ip === undefined ? {} : { ip: resolution.ip }),
        },
        draft: {
          status: 'unknown',
          summary:
            resolution.ip !== undefined
              ? `${resolution.ip} is the address of no Pod and no Service in the namespaces in view: it is treated as an address outside them.`
              : `${asked} is not a name of the cluster: upstream DNS resolves it, which this diagnosis cannot see.`,
          evidence: resolution.ip !== undefined ? [] : [tried],
        },
      };
    case 'not-in-view':
      return {
        label,
        host: asked,
        draft: {
          status: 'unknown',
          summary: `${asked} points into namespace ${resolution.namespace}, which is not in view.`,
          evidence: [tried, `Watch namespace ${resolution.namespace} to diagnose it.`],
        },
      };
    case 'missing': {
      const intended = resolution.intended ?? {
        namespace: world.sourceNs,
        name: asked.split('.')[0] ?? asked,
      };
      const draft = missingName(world, intended, asked);
      return { label, host: asked, draft: { ...draft, evidence: [...draft.evidence, tried] } };
    }
  }
}

/** The DNS query itself leaves the Pod: an egress policy that admits no DNS breaks every name. */
function withDnsEgress(input: DiagnosisInput, draft: HopDraft): HopDraft {
  const { source, target } = input;
  if (
    target.kind === 'pod' ||
    (target.kind === 'dns' && isValidIp(target.name.trim())) ||
    draft.status === 'failed'
  ) {
    return draft;
  }
  const dns = dnsEgressCheck(input, source);
  if (dns === undefined) {
    return draft;
  }
  return {
    status: 'unknown',
    summary: `${draft.summary} But ${dns}`,
    evidence: [...draft.evidence, dns],
    fix: `If names do not resolve from ${nameOf(source)}, add an egress rule for DNS (UDP and TCP 53) to the policy isolating it: - to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}] with ports: [{protocol: UDP, port: 53}, {protocol: TCP, port: 53}].`,
  };
}

/** Hops 2 to 5, and what hops 6 and 7 and the probe plan need from them. */
interface TargetStage {
  readonly drafts: Readonly<Record<'service' | 'selector' | 'endpoints' | 'port', HopDraft>>;
  readonly titles?: Partial<Record<HopId, string>>;
  readonly resolved: ResolvedTarget;
  /** The Pods behind the target that policies are evaluated against, with their resolved port. */
  readonly backends: readonly Backend[];
  readonly backendPods: readonly DiagnosisPod[];
  /** The port the application connects to (the Service port, the Pod's port), when known. */
  readonly port?: number;
  readonly http: boolean;
  /** Set for an ExternalName Service: where its name leads. */
  readonly external?: ExternalTarget;
  readonly context?: ServiceContext;
}

function serviceStage(
  input: DiagnosisInput,
  world: World,
  service: Service,
  requestedPort: number | string,
  protocol: Protocol,
): TargetStage {
  const namespace = nsOf(service);
  const name = nameOf(service);
  const port = findServicePort(service, requestedPort, protocol);
  const context: ServiceContext = {
    service,
    namespace,
    name,
    protocol,
    selected: selectedPods(world, service),
    hasSelector: Object.keys(service.spec?.selector ?? {}).length > 0,
    ...(port === undefined ? {} : { port }),
  };
  const clusterIP = serviceClusterIps(service)[0];
  const resolved = (backends: readonly Backend[]): ResolvedTarget => ({
    kind: 'service',
    namespace,
    name,
    type: serviceType(service),
    headless: isHeadless(service),
    ...(clusterIP === undefined ? {} : { clusterIP }),
    ...(port === undefined
      ? {}
      : {
          port: {
            ...(port.name ? { name: port.name } : {}),
            port: port.port,
            protocol,
            targetPort: targetOf(port),
          },
        }),
    backends,
  });
  const applicationPort = port?.port ?? (typeof requestedPort === 'number' ? requestedPort : undefined);
  const common = {
    context,
    http: false,
    ...(applicationPort === undefined ? {} : { port: applicationPort }),
  };
  const serviceDraft = serviceHop(world, context, requestedPort);
  if (serviceType(service) === 'ExternalName') {
    const why = `Service ${namespace}/${name} is an ExternalName: the cluster only answers its name with ${service.spec?.externalName ?? '(none)'}, and nothing is proxied.`;
    return {
      ...common,
      drafts: { service: serviceDraft, selector: skipped(why), endpoints: skipped(why), port: skipped(why) },
      resolved: resolved([]),
      backends: [],
      backendPods: [],
      external: { host: service.spec?.externalName ?? name, port: applicationPort ?? 0 },
    };
  }
  const drafts = {
    service: serviceDraft,
    selector: selectorHop(world, context),
    endpoints:
      input.unreadable?.endpointSlices?.includes(namespace) === true
        ? {
            status: 'unknown' as const,
            summary: `The EndpointSlices of namespace ${namespace} may not be read with these credentials.`,
            evidence: [],
          }
        : endpointsHop(world, context),
    port: servicePortHop(context),
  };
  if (port === undefined) {
    return { ...common, drafts, resolved: resolved([]), backends: [], backendPods: [] };
  }
  // Ready Pods carry the traffic; when none is, the Pods the selector picks stand in.
  const ready = context.selected.filter(isPodReady);
  const backendPods = (ready.length > 0 ? ready : context.selected).filter((pod) => podIp(pod) !== undefined);
  const backends = backendPods.map((pod): Backend => {
    const resolvedPort = backendPort(service, port, pod);
    const ip = podIp(pod);
    return {
      namespace,
      name: nameOf(pod),
      ready: isPodReady(pod),
      ...(ip === undefined ? {} : { ip }),
      ...(resolvedPort === undefined ? {} : { port: resolvedPort }),
    };
  });
  const target = targetOf(port);
  const containerPortNames = backendPods.flatMap((pod) => {
    const reached = backendPort(service, port, pod);
    return declaredPorts(pod)
      .filter(({ port: declared }) => declared.containerPort === reached)
      .map(({ port: declared }) => declared.name);
  });
  const http = looksLikeHttp(
    port.name,
    port.appProtocol,
    typeof target === 'string' ? target : undefined,
    ...containerPortNames,
  );
  return { ...common, http, drafts, resolved: resolved(backends), backends, backendPods };
}

function podStage(
  pod: DiagnosisPod,
  requestedPort: number | string,
  protocol: Protocol,
  event: ReadinessEvent | undefined,
): TargetStage {
  const why = 'The target is a Pod: no Service stands in between.';
  const { draft: portDraft, port } = podPortHop(pod, requestedPort, protocol);
  const ip = podIp(pod);
  const drafts = {
    service: skipped(why),
    selector: targetPodHop(pod, event),
    endpoints: skipped(why),
    port: portDraft,
  };
  const resolved: ResolvedTarget = {
    kind: 'pod',
    namespace: nsOf(pod),
    name: nameOf(pod),
    ...(ip === undefined ? {} : { ip }),
    ...(port === undefined ? {} : { port }),
  };
  if (port === undefined) {
    return {
      drafts,
      titles: { selector: 'Target Pod' },
      resolved,
      backends: [],
      backendPods: [],
      http: false,
    };
  }
  return {
    drafts,
    titles: { selector: 'Target Pod' },
    resolved,
    port,
    backends: [
      {
        namespace: nsOf(pod),
        name: nameOf(pod),
        ready: isPodReady(pod),
        port,
        ...(ip === undefined ? {} : { ip }),
      },
    ],
    backendPods: ip === undefined ? [] : [pod],
    http: looksLikeHttp(
      ...declaredPorts(pod)
        .filter(({ port: declared }) => declared.containerPort === port)
        .map(({ port: declared }) => declared.name),
    ),
  };
}

function unresolvedStage(external: ExternalTarget | undefined): TargetStage {
  const why =
    external !== undefined
      ? 'The target is outside the namespaces in view: there is no Service or Pod to look at.'
      : 'Skipped: the name does not lead to a Service or a Pod.';
  const resolved: ResolvedTarget =
    external === undefined
      ? { kind: 'unresolved' }
      : {
          kind: 'external',
          host: external.host,
          port: external.port,
          ...(external.ip === undefined ? {} : { ip: external.ip }),
        };
  return {
    drafts: { service: skipped(why), selector: skipped(why), endpoints: skipped(why), port: skipped(why) },
    resolved,
    backends: [],
    backendPods: [],
    http: false,
  };
}

/** Hops 6 and 7: the source's egress and the ingress of each Pod behind the target. */
function policyStage(
  input: DiagnosisInput,
  stage: TargetStage,
  external: ExternalTarget | undefined,
  protocol: Protocol,
): { readonly egress: HopDraft; readonly ingress: HopDraft } {
  const { source } = input;
  const unreadable = (namespace: string) => input.unreadable?.networkPolicies?.includes(namespace) === true;
  const sourceNs = nsOf(source);
  const checked = stage.backends.filter((backend) => backend.port !== undefined);
  if (checked.length > 0) {
    const sourceEndpoint = podEndpoint(source);
    const checks = checked.map((backend): PolicyCheck => {
      const pod = stage.backendPods.find(
        (candidate) => nameOf(candidate) === backend.name && nsOf(candidate) === backend.namespace,
      );
      const destination: Endpoint =
        pod === undefined ? { kind: 'external', ip: backend.ip ?? '' } : podEndpoint(pod);
      return {
        backend,
        ...(pod === undefined ? {} : { pod }),
        port: backend.port!,
        protocol,
        verdict: evaluateConnection({
          policies: input.networkPolicies,
          namespaces: input.namespaces,
          source: sourceEndpoint,
          destination,
          port: backend.port!,
          protocol,
          // Through a ClusterIP the connection goes by the service proxy: a Pod reaching itself so
          // is the hairpin case network plugins differ on. A headless name gives the Pod's own IP.
          throughService: stage.resolved.kind === 'service' && !stage.resolved.headless,
        }),
      };
    });
    const targetNs = checked[0]!.namespace;
    return {
      egress: unreadable(sourceNs)
        ? unreadablePolicies(sourceNs)
        : policyHop('egress', checks, source, input.networkPolicies),
      ingress: unreadable(targetNs)
        ? unreadablePolicies(targetNs)
        : policyHop('ingress', checks, source, input.networkPolicies),
    };
  }
  if (external !== undefined) {
    return {
      egress: unreadable(sourceNs)
        ? unreadablePolicies(sourceNs)
        : externalEgressHop(input, source, external, protocol),
      ingress: skipped(
        `${external.ip ?? external.host} is not a Pod in view: no NetworkPolicy of the cluster governs traffic into it.`,
      ),
    };
  }
  const why =
    stage.resolved.kind === 'unresolved'
      ? 'Skipped: the target does not lead to a Pod.'
      : 'Skipped: there is no Pod and port to evaluate the policies against.';
  return { egress: skipped(why), ingress: skipped(why) };
}

/** What the Diagnoser probes: the target as the application addresses it, then each Pod directly. */
function probePlan(
  name: NameStage,
  stage: TargetStage,
  target: DiagnosisTarget,
  protocol: Protocol,
  maxProbed: number,
): ProbePlan {
  const port = stage.port ?? (typeof target.port === 'number' ? target.port : 0);
  let primary: ProbePlan['primary'];
  if (stage.context !== undefined && name.host !== undefined && port > 0) {
    primary = {
      label: `${name.host}:${port}`,
      host: name.host,
      port,
      service: { namespace: stage.context.namespace, name: stage.context.name },
    };
  } else if (name.pod !== undefined && podIp(name.pod) !== undefined && port > 0) {
    primary = {
      label: `${nsOf(name.pod)}/${nameOf(name.pod)}:${port}`,
      host: podIp(name.pod)!,
      port,
      pod: { namespace: nsOf(name.pod), name: nameOf(name.pod) },
    };
  } else if (name.pod === undefined && name.host !== undefined && port > 0) {
    // A name that does not resolve is still probed: the probe shows what the application sees.
    primary = { label: `${name.host}:${port}`, host: name.host, port };
  }
  const context = stage.context;
  const servicePort = context?.port;
  const pods =
    context === undefined || servicePort === undefined
      ? []
      : context.selected
          .filter((pod) => podIp(pod) !== undefined && pod.metadata.deletionTimestamp == null)
          .flatMap((pod) => {
            const reached = backendPort(context.service, servicePort, pod);
            return reached === undefined ? [] : [{ pod, port: reached }];
          })
          .sort((a, b) => Number(isPodReady(b.pod)) - Number(isPodReady(a.pod)))
          .slice(0, maxProbed)
          .map(({ pod, port: reached }) => ({
            namespace: nsOf(pod),
            name: nameOf(pod),
            ip: podIp(pod)!,
            port: reached,
            ready: isPodReady(pod),
          }));
  return {
    ...(primary === undefined ? {} : { primary }),
    pods,
    http: stage.http,
    ...(protocol === 'TCP'
      ? {}
      : { note: `The probe tools connect over TCP; a ${protocol} port cannot be checked live.` }),
  };
}

// ---------------------------------------------------------------------------------------------
// Hop builders

function serviceNameHop(world: World, service: Service, names: string): HopDraft {
  const namespace = nsOf(service);
  const name = nameOf(service);
  const evidence = [`Names that reach it from namespace ${world.sourceNs}: ${names}.`];
  if (serviceType(service) === 'ExternalName') {
    return {
      status: 'passed',
      summary: `${name}.${namespace} is an alias (CNAME) for ${service.spec?.externalName ?? '(no externalName)'}.`,
      evidence,
    };
  }
  if (isHeadless(service)) {
    const ready = selectedPods(world, service).filter(isPodReady).length;
    return {
      status: 'passed',
      summary: `${name}.${namespace} is a headless Service: the name resolves straight to its ready Pods' IPs (${plural(ready, 'Pod')} now).`,
      evidence,
    };
  }
  const ips = serviceClusterIps(service);
  return {
    status: 'passed',
    summary: `${name}.${namespace} resolves to the ClusterIP ${ips.join(', ') || '(none yet)'} of Service ${namespace}/${name}.`,
    evidence,
  };
}

function podNameHop(pod: DiagnosisPod, asked: string): HopDraft {
  const ip = podIp(pod);
  if (ip === undefined) {
    return {
      status: 'failed',
      summary: `Pod ${nsOf(pod)}/${nameOf(pod)} has no IP address yet, so nothing can connect to it.`,
      evidence: [podLine(pod)],
      ...(readiness(pod).fix === undefined ? {} : { fix: readiness(pod).fix }),
      manifest: podManifest(pod),
    };
  }
  return {
    status: 'passed',
    summary:
      asked === ip
        ? `${ip} is the address of Pod ${nsOf(pod)}/${nameOf(pod)}.`
        : `${asked} is Pod ${nsOf(pod)}/${nameOf(pod)}, at ${ip}.`,
    evidence:
      pod.spec?.hostNetwork === true ? ["The Pod uses the host network: its address is its node's."] : [],
  };
}

function missingName(
  world: World,
  intended: { readonly namespace: string; readonly name: string },
  asked: string,
): HopDraft {
  const here = world.servicesIn(intended.namespace).map(nameOf);
  const similar = similarNames(intended.name, here);
  const elsewhere = world.input.services
    .filter((service) => nameOf(service) === intended.name && nsOf(service) !== intended.namespace)
    .map(nsOf);
  const evidence: string[] = [];
  if (!world.namespaceExists(intended.namespace)) {
    evidence.push(`There is no namespace ${intended.namespace}.`);
  } else {
    evidence.push(
      here.length > 0
        ? `Services in namespace ${intended.namespace}: ${here.join(', ')}.`
        : `Namespace ${intended.namespace} has no Service.`,
    );
  }
  let fix: string;
  if (similar.length > 0) {
    const best = similar[0]!;
    const usable =
      intended.namespace === world.sourceNs
        ? `${best} or ${best}.${intended.namespace}`
        : `${best}.${intended.namespace}`;
    fix = `Did you mean ${best}? Use ${usable} (Service ${intended.namespace}/${best}).`;
    evidence.push(`Similar names in namespace ${intended.namespace}: ${similar.join(', ')}.`);
  } else if (elsewhere.length > 0) {
    fix = `Service ${intended.name} is in namespace ${elsewhere[0]}: from ${world.sourceNs}, use ${intended.name}.${elsewhere[0]}.`;
    evidence.push(`A Service named ${intended.name} exists in: ${elsewhere.join(', ')}.`);
  } else {
    fix = `Create Service ${intended.name} in namespace ${intended.namespace}, or use the name of one that exists.`;
  }
  return {
    status: 'failed',
    summary: `${asked} does not resolve: there is no Service ${intended.name} in namespace ${intended.namespace}.`,
    evidence,
    fix,
  };
}

/** A sentence when the source's egress is isolated and nothing visibly admits DNS; undefined otherwise. */
function dnsEgressCheck(input: DiagnosisInput, source: DiagnosisPod): string | undefined {
  const endpoint = podEndpoint(source);
  if (endpoint.kind !== 'pod') {
    return undefined;
  }
  // kube-dns (CoreDNS) as most clusters label it; its real Pods may not be in view.
  const kubeDns: Endpoint = {
    kind: 'pod',
    namespace: 'kube-system',
    name: 'kube-dns',
    labels: { 'k8s-app': 'kube-dns' },
    containerPorts: [
      { name: 'dns', containerPort: 53, protocol: 'UDP' },
      { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
    ],
  };
  const realDns = input.pods.find(
    (pod) => nsOf(pod) === 'kube-system' && pod.metadata.labels?.['k8s-app'] === 'kube-dns',
  );
  const destination = realDns === undefined ? kubeDns : podEndpoint(realDns);
  const verdict = evaluateConnection({
    policies: input.networkPolicies,
    namespaces: input.namespaces,
    source: endpoint,
    destination,
    port: 53,
    protocol: 'UDP',
  }).egress;
  if (verdict.allowed || !verdict.isolated) {
    return undefined;
  }
  const policies = input.networkPolicies.filter((policy) =>
    verdict.selectingPolicies.includes(`${nsOf(policy)}/${nameOf(policy)}`),
  );
  // An ipBlock could be the DNS Service's address; then the answer depends on addresses not in view.
  const maybe = policies.some((policy) =>
    (policy.spec?.egress ?? []).some((rule) => (rule.to ?? []).some((peer) => peer.ipBlock !== undefined)),
  );
  return `the egress of ${nameOf(source)} is isolated by ${list(verdict.selectingPolicies)} and no rule ${maybe ? 'visibly ' : ''}admits DNS (UDP 53 to kube-system/kube-dns), so the name may not resolve from it.`;
}

function serviceHop(world: World, context: ServiceContext, requestedPort: number | string): HopDraft {
  const { service, namespace, name, port, protocol } = context;
  const type = serviceType(service);
  const ports = service.spec?.ports ?? [];
  const evidence = [
    `Type ${type}${isHeadless(service) ? ' (headless: no ClusterIP, no proxying)' : ''}${serviceClusterIps(service).length > 0 ? `, ClusterIP ${serviceClusterIps(service).join(', ')}` : ''}.`,
    `Ports: ${ports.length > 0 ? ports.map(formatServicePort).join('; ') : 'none'}.`,
    context.hasSelector
      ? `Selector: ${selectorText(service.spec?.selector ?? {})}.`
      : type === 'ExternalName'
        ? `External name: ${service.spec?.externalName ?? '(none)'}.`
        : 'No selector: its EndpointSlices are managed by hand.',
  ];
  const manifest: ManifestReference = { kind: 'Service', namespace, name };
  if (port !== undefined) {
    const headlessNote =
      isHeadless(service) && targetOf(port) !== port.port
        ? ` It is headless, so clients reach the Pods on ${port.port} itself, not on targetPort ${targetOf(port)}.`
        : '';
    return {
      status: 'passed',
      summary: `Service ${namespace}/${name} (${type}) has port ${port.port}/${protocol}${port.name ? ` (${port.name})` : ''}, forwarded to targetPort ${targetOf(port)}.${headlessNote}`,
      evidence: [
        ...evidence,
        ...((type === 'NodePort' || type === 'LoadBalancer') && port.nodePort !== undefined
          ? [`Also on every node at port ${port.nodePort}.`]
          : []),
      ],
      manifest,
    };
  }
  if (ports.length === 0 && type === 'ExternalName') {
    return {
      status: 'passed',
      summary: `Service ${namespace}/${name} is an ExternalName for ${service.spec?.externalName ?? '(none)'}; any port goes straight there.`,
      evidence,
      manifest,
    };
  }
  // Why not: another protocol, the targetPort used instead of the port, a name that is not there.
  const hints: string[] = [];
  let fix: string | undefined;
  const sameNumber = ports.filter((candidate) =>
    typeof requestedPort === 'number' ? candidate.port === requestedPort : candidate.name === requestedPort,
  );
  if (sameNumber.length > 0) {
    const other = sameNumber.map((candidate) => candidate.protocol ?? 'TCP');
    hints.push(`Port ${requestedPort} exists for ${list(other)} only, and the connection is ${protocol}.`);
    fix = `Connect over ${other[0]}, or add ${protocol} to port ${requestedPort} of Service ${namespace}/${name}.`;
  } else if (typeof requestedPort === 'number') {
    const viaTarget = ports.filter((candidate) => {
      const target = targetOf(candidate);
      if (target === requestedPort) {
        return true;
      }
      return context.selected.some((pod) => {
        const resolved = resolveTargetPort(candidate, pod);
        return resolved.ok && resolved.port === requestedPort;
      });
    });
    if (viaTarget.length > 0) {
      const through = viaTarget[0]!;
      hints.push(
        `${requestedPort} is the port the Pods listen on behind Service port ${through.port}: clients of the Service use the Service port.`,
      );
      fix = `Connect to ${name}${namespace === world.sourceNs ? '' : `.${namespace}`}:${through.port} (the Service port), or to a Pod's IP on ${requestedPort}.`;
    }
  }
  if (fix === undefined) {
    const available = ports.filter((candidate) => (candidate.protocol ?? 'TCP') === protocol);
    fix =
      available.length > 0
        ? `Use one of the Service's ports (${available.map((candidate) => candidate.port).join(', ')}), or add port ${requestedPort} to Service ${namespace}/${name}.`
        : `Add port ${requestedPort}/${protocol} to Service ${namespace}/${name}.`;
  }
  return {
    status: 'failed',
    summary: `Service ${namespace}/${name} has no ${protocol} port ${typeof requestedPort === 'number' ? requestedPort : `named ${requestedPort}`}${ports.length > 0 ? `; its ports are ${ports.map((candidate) => `${candidate.port}/${candidate.protocol ?? 'TCP'}`).join(', ')}` : ''}.`,
    evidence: [...evidence, ...hints],
    fix,
    manifest,
  };
}

function selectorHop(world: World, context: ServiceContext): HopDraft {
  const { service, namespace, name, selected, hasSelector } = context;
  const manifest: ManifestReference = { kind: 'Service', namespace, name };
  if (!hasSelector) {
    return {
      status: 'skipped',
      summary: `Service ${namespace}/${name} has no selector: it selects no Pods, and its EndpointSlices are whatever was written by hand.`,
      evidence: [],
    };
  }
  const selector = service.spec?.selector ?? {};
  if (selected.length === 0) {
    const wanted = Object.entries(selector);
    const podsHere = world.podsIn(namespace);
    const evidence = [`Selector: ${selectorText(selector)}.`];
    const elsewhere = world.input.pods.filter(
      (pod) => nsOf(pod) !== namespace && matchesServiceSelector(selector, pod.metadata.labels),
    );
    if (elsewhere.length > 0) {
      evidence.push(
        `Pods in other namespaces match (${elsewhere
          .slice(0, 3)
          .map((pod) => `${nsOf(pod)}/${nameOf(pod)}`)
          .join(', ')}), but a Service selects only Pods of its own namespace.`,
      );
    }
    // What the Pods carry under the selector's keys, and values a typo away from the wanted ones.
    let typo: { key: string; value: string; pod: DiagnosisPod } | undefined;
    for (const [key, value] of wanted) {
      const values = [
        ...new Set(podsHere.map((pod) => pod.metadata.labels?.[key]).filter((v) => v !== undefined)),
      ];
      evidence.push(
        values.length > 0
          ? `Values of ${key} on the Pods of namespace ${namespace}: ${values.sort().join(', ')}.`
          : `No Pod of namespace ${namespace} has a label ${key}.`,
      );
      const near = similarNames(value, values)[0];
      if (near !== undefined && typo === undefined) {
        typo = { key, value: near, pod: podsHere.find((pod) => pod.metadata.labels?.[key] === near)! };
      }
    }
    // Pods that carry some of the wanted labels but not all (a selector with one label too many).
    const partial =
      wanted.length > 1
        ? podsHere.filter((pod) => wanted.some(([key, value]) => pod.metadata.labels?.[key] === value))
        : [];
    for (const pod of partial.slice(0, 3)) {
      const labels = pod.metadata.labels ?? {};
      const missing = wanted
        .filter(([key, value]) => labels[key] !== value)
        .map(([key, value]) => `${key}=${labels[key] ?? '(absent)'} where the selector wants ${value}`);
      evidence.push(`Pod ${nameOf(pod)} has part of the selector, but ${missing.join(', ')}.`);
    }
    let fix: string;
    if (typo !== undefined) {
      fix = `Did you mean ${typo.key}=${typo.value} (Pod ${nameOf(typo.pod)})? Fix the selector of Service ${namespace}/${name}, or the labels of the Pods it is for.`;
    } else if (partial.length > 0) {
      fix = `Remove from the selector of Service ${namespace}/${name} the labels Pod ${nameOf(partial[0]!)} lacks, or add them to the Pods' template.`;
    } else {
      fix = `Deploy the Pods Service ${namespace}/${name} is for, labelled ${flowMap(selector)}, or change its selector to the labels of the Pods it should reach.`;
    }
    return {
      status: 'failed',
      summary: `Service ${namespace}/${name} selects no Pod: no Pod in namespace ${namespace} has the labels ${selectorText(selector)}.`,
      evidence,
      fix,
      manifest,
    };
  }
  const ready = selected.filter(isPodReady);
  const evidence = [
    `Selector: ${selectorText(selector)}.`,
    ...selected.map((pod) => podLine(pod, readinessEventOf(world, pod))),
  ];
  if (ready.length === 0) {
    const first = selected[0]!;
    const why = readiness(first, readinessEventOf(world, first));
    return {
      status: 'failed',
      summary: `Service ${namespace}/${name} selects ${plural(selected.length, 'Pod')} and none is ready, so it has no endpoint to send traffic to: in ${nameOf(first)} (${why.status || 'not ready'}), ${why.reasons[0] ?? 'no container is ready'}.`,
      evidence,
      fix:
        why.fix ??
        `Find out why ${nameOf(first)} is not ready: \`kubectl describe pod -n ${namespace} ${nameOf(first)}\`.`,
      manifest: podManifest(first),
    };
  }
  const notReady = selected.length - ready.length;
  return {
    status: 'passed',
    summary:
      notReady === 0
        ? `Service ${namespace}/${name} selects ${plural(selected.length, 'Pod')}, all ready.`
        : `Service ${namespace}/${name} selects ${plural(selected.length, 'Pod')}, ${ready.length} ready; ${notReady === 1 ? '1 Pod is not ready and gets' : `${notReady} Pods are not ready and get`} no traffic.`,
    evidence,
  };
}

function targetPodHop(pod: DiagnosisPod, event: ReadinessEvent | undefined): HopDraft {
  const health = podHealth(pod);
  const state = readiness(pod, event);
  const evidence = [podLine(pod, event)];
  if (state.ready) {
    return { status: 'passed', summary: `Pod ${nameOf(pod)} is running and ready.`, evidence };
  }
  if (health.state === 'running-not-ready') {
    return {
      status: 'passed',
      summary: `Pod ${nameOf(pod)} is running but not ready: Services leave it out, but a connection to its IP still reaches it.`,
      evidence,
    };
  }
  return {
    status: 'failed',
    summary: `Pod ${nameOf(pod)} is ${health.reason || health.state}, so nothing in it can answer (${state.reasons[0] ?? 'not running'}).`,
    evidence,
    ...(state.fix === undefined ? {} : { fix: state.fix }),
    manifest: podManifest(pod),
  };
}

interface ActualEndpoint {
  readonly address: string;
  readonly ready: boolean;
  readonly pod?: string;
  /** The slice's port for the Service port, when the slice has one. */
  readonly port?: number;
  readonly slice: string;
}

function endpointsHop(world: World, context: ServiceContext): HopDraft {
  const { namespace, name, port, selected, hasSelector } = context;
  const slices = world.input.endpointSlices.filter(
    (slice) =>
      sliceNamespace(slice, namespace) === namespace && slice.metadata?.labels?.[SERVICE_NAME_LABEL] === name,
  );
  const portName = port?.name ?? '';
  const actual: ActualEndpoint[] = [];
  for (const slice of slices) {
    const slicePort = (slice.ports ?? []).find(
      (candidate) =>
        (candidate.name ?? '') === portName && (candidate.protocol ?? 'TCP') === context.protocol,
    );
    for (const endpoint of slice.endpoints ?? []) {
      const ready = endpoint.conditions?.ready !== false && endpoint.conditions?.terminating !== true;
      for (const address of endpoint.addresses ?? []) {
        actual.push({
          address,
          ready,
          slice: slice.metadata?.name ?? '(unnamed)',
          ...(endpoint.targetRef?.name ? { pod: endpoint.targetRef.name } : {}),
          ...(slicePort?.port == null ? {} : { port: slicePort.port }),
        });
      }
    }
  }
  const evidence: string[] = [
    slices.length === 0
      ? `No EndpointSlice carries the label ${SERVICE_NAME_LABEL}=${name}.`
      : `${plural(slices.length, 'EndpointSlice')}: ${slices.map((slice) => slice.metadata?.name ?? '(unnamed)').join(', ')}.`,
    ...actual.map(
      (endpoint) =>
        `${endpoint.address}${endpoint.pod ? ` (${endpoint.pod})` : ''}: ${endpoint.ready ? 'ready' : 'not ready'}${port === undefined ? '' : endpoint.port === undefined ? `, no port ${portName || port.port}` : `, port ${endpoint.port}`}.`,
    ),
  ];
  const manifest: ManifestReference = { kind: 'Service', namespace, name };
  if (port === undefined) {
    const readyCount = actual.filter((endpoint) => endpoint.ready).length;
    return {
      status: 'skipped',
      summary: `Skipped: the requested port is not a port of the Service (${plural(readyCount, 'ready endpoint')} for its other ports).`,
      evidence,
    };
  }
  const readyWithPort = actual.filter((endpoint) => endpoint.ready && endpoint.port !== undefined);
  const readyAddresses = actual.filter((endpoint) => endpoint.ready);
  if (!hasSelector) {
    if (readyWithPort.length > 0) {
      return {
        status: 'passed',
        summary: `The hand-made EndpointSlices of ${namespace}/${name} list ${plural(readyWithPort.length, 'ready endpoint')} for port ${port.port}.`,
        evidence,
      };
    }
    return {
      status: 'failed',
      summary: `Service ${namespace}/${name} has no selector and its EndpointSlices list no ready endpoint with port ${portName || port.port}, so connections to it are refused.`,
      evidence,
      fix: `Write an EndpointSlice labelled ${SERVICE_NAME_LABEL}: ${name} with the backends' addresses and a port named '${portName}', or give the Service a selector.`,
      manifest,
    };
  }

  // What the EndpointSlice controller would write, per selected Pod.
  const disagreements: string[] = [];
  let unresolved = 0;
  for (const pod of selected) {
    const ip = podIp(pod);
    const phase = pod.status?.phase;
    if (ip === undefined || phase === 'Succeeded' || phase === 'Failed') {
      continue;
    }
    // The controller resolves targetPort for headless Services too.
    const resolution = resolveTargetPort(port, pod);
    const expectedPort = resolution.ok ? resolution.port : undefined;
    if (expectedPort === undefined) {
      unresolved++;
    }
    const ready = isPodReady(pod);
    const found =
      actual.find((endpoint) => endpoint.pod === nameOf(pod)) ??
      actual.find((endpoint) => endpoint.address === ip);
    if (found === undefined) {
      if (ready) {
        disagreements.push(
          `Ready Pod ${nameOf(pod)} (${ip}) is in no EndpointSlice: the EndpointSlice controller has not caught up, or is not running.`,
        );
      }
      continue;
    }
    if (found.address !== ip) {
      disagreements.push(
        `The EndpointSlice lists ${nameOf(pod)} at ${found.address}, but the Pod's IP is ${ip}: the slice is stale.`,
      );
    }
    if (found.ready !== ready) {
      disagreements.push(
        `The EndpointSlice marks ${nameOf(pod)} ${found.ready ? 'ready' : 'not ready'}, but the Pod is ${ready ? 'ready' : 'not ready'}: the slice is stale.`,
      );
    }
    if (expectedPort !== undefined && found.port !== undefined && found.port !== expectedPort) {
      disagreements.push(
        `The EndpointSlice gives ${nameOf(pod)} port ${found.port}, but targetPort ${targetOf(port)} resolves to ${expectedPort} on it.`,
      );
    }
    if (expectedPort !== undefined && found.port === undefined) {
      disagreements.push(
        `The EndpointSlice has no port ${portName || port.port} for ${nameOf(pod)}, though targetPort ${targetOf(port)} resolves to ${expectedPort} on it.`,
      );
    }
  }
  const selectedNames = new Set(selected.map(nameOf));
  const selectedIps = new Set(selected.flatMap(podIps));
  for (const endpoint of actual) {
    if (endpoint.pod !== undefined ? !selectedNames.has(endpoint.pod) : !selectedIps.has(endpoint.address)) {
      disagreements.push(
        `${endpoint.address}${endpoint.pod ? ` (${endpoint.pod})` : ''} is listed but is not a Pod the selector picks now: the slice is stale or was written by hand.`,
      );
    }
  }
  evidence.push(...disagreements);
  if (readyAddresses.length === 0) {
    return {
      status: 'failed',
      summary: `The EndpointSlices of ${namespace}/${name} hold no ready endpoint, so connections to the Service are refused.`,
      evidence,
      ...(disagreements.length > 0
        ? {
            fix: 'The EndpointSlices disagree with the Pods: check that the EndpointSlice controller (kube-controller-manager) runs.',
          }
        : {}),
      manifest,
    };
  }
  if (readyWithPort.length === 0 && unresolved > 0) {
    return {
      status: 'passed',
      summary: `The EndpointSlices list ${plural(readyAddresses.length, 'ready Pod')}, as the selector says, but none with port ${portName || port.port}: targetPort ${targetOf(port)} resolves on none of them (see Target port).`,
      evidence,
    };
  }
  if (readyWithPort.length === 0) {
    return {
      status: 'failed',
      summary: `The EndpointSlices of ${namespace}/${name} list ready Pods but no port ${portName || port.port} for them, so connections to the Service are refused.`,
      evidence,
      fix: 'The EndpointSlices disagree with the Pods: check that the EndpointSlice controller (kube-controller-manager) runs.',
      manifest,
    };
  }
  return {
    status: 'passed',
    summary:
      disagreements.length === 0
        ? `The EndpointSlices list ${plural(readyWithPort.length, 'ready endpoint')} for port ${port.port}, agreeing with the Pods.`
        : `The EndpointSlices list ${plural(readyWithPort.length, 'ready endpoint')} for port ${port.port}, but disagree with the Pods in ${plural(disagreements.length, 'place')} (see evidence).`,
    evidence,
  };
}

function servicePortHop(context: ServiceContext): HopDraft {
  const { service, namespace, name, port, selected } = context;
  if (port === undefined) {
    return skipped('Skipped: the requested port is not a port of the Service.');
  }
  if (!context.hasSelector) {
    return skipped('Skipped: the Service selects no Pods whose ports could be checked.');
  }
  const ready = selected.filter(isPodReady);
  const pods = ready.length > 0 ? ready : selected;
  if (pods.length === 0) {
    return skipped('Skipped: the Service selects no Pod whose ports could be checked.');
  }
  const target = targetOf(port);
  const manifest: ManifestReference = { kind: 'Service', namespace, name };
  const evidence: string[] = [];
  const resolvedOn: string[] = [];
  const unresolvedOn: DiagnosisPod[] = [];
  const undeclaredOn: DiagnosisPod[] = [];
  const headless = isHeadless(service);
  for (const pod of pods) {
    const effective: ServicePort = headless ? { ...port, targetPort: port.port } : port;
    const resolved = resolveTargetPort(effective, pod);
    const declared = declaredPorts(pod).map(
      ({ container, port: p }) => `${container}: ${formatContainerPort(p)}`,
    );
    if (!resolved.ok) {
      unresolvedOn.push(pod);
      evidence.push(
        `${nameOf(pod)}: ${resolved.reason}; it declares ${declared.length > 0 ? declared.join(', ') : 'no ports'}.`,
      );
    } else if (!resolved.declared) {
      undeclaredOn.push(pod);
      evidence.push(
        `${nameOf(pod)}: ${resolved.port}/${context.protocol} is declared by no container (it declares ${declared.length > 0 ? declared.join(', ') : 'no ports'}).`,
      );
    } else {
      resolvedOn.push(nameOf(pod));
      evidence.push(
        `${nameOf(pod)}: ${typeof target === 'string' && !headless ? `"${target}" resolves to ` : ''}${resolved.port}/${context.protocol}, declared by container ${resolved.container ?? '?'}.`,
      );
    }
  }
  if (unresolvedOn.length === pods.length) {
    const first = unresolvedOn[0]!;
    const names = [
      ...new Set(
        declaredPorts(first)
          .map(({ port: p }) => p.name)
          .filter((n): n is string => n !== undefined),
      ),
    ];
    return {
      status: 'failed',
      summary: `targetPort "${target}" of Service ${namespace}/${name} port ${port.port} resolves on none of its ${plural(pods.length, 'Pod')}: no container declares a ${context.protocol} port named ${target}.`,
      evidence,
      fix:
        names.length > 0
          ? `Set targetPort of port ${port.port} in Service ${namespace}/${name} to a port the Pods declare (${names.join(', ')}), or name a containerPort "${target}" in ${describeManifest(podManifest(first))}.`
          : `Set targetPort of port ${port.port} in Service ${namespace}/${name} to the number the application listens on, or name a containerPort "${target}" in ${describeManifest(podManifest(first))}.`,
      manifest,
    };
  }
  if (undeclaredOn.length === pods.length) {
    const first = undeclaredOn[0]!;
    const others = declaredPorts(first).filter(({ port: p }) => (p.protocol ?? 'TCP') === context.protocol);
    const effectivePort = headless ? port.port : (target as number);
    return {
      status: 'unknown',
      summary: `No container of the Pods declares ${context.protocol} port ${effectivePort}: declarations are informational, so only the probe can tell whether something listens there.`,
      evidence,
      ...(others.length > 0
        ? {
            fix: `If the application listens on ${others.map(({ port: p }) => p.containerPort).join(' or ')}, set targetPort of port ${port.port} in Service ${namespace}/${name} to it.`,
            manifest,
          }
        : {}),
    };
  }
  const partial = unresolvedOn.length + undeclaredOn.length;
  return {
    status: 'passed',
    summary:
      partial === 0
        ? `targetPort ${target}${headless ? '' : ` resolves to a declared container port on ${plural(resolvedOn.length, 'Pod')}`}${headless ? ` (headless: port ${port.port}) is declared on ${plural(resolvedOn.length, 'Pod')}` : ''}.`
        : `targetPort ${target} resolves on ${resolvedOn.length} of ${plural(pods.length, 'Pod')}; the others get no traffic on this port (see evidence).`,
    evidence,
  };
}

function podPortHop(
  pod: DiagnosisPod,
  requested: number | string,
  protocol: Protocol,
): { draft: HopDraft; port?: number } {
  const declared = declaredPorts(pod);
  const listing = declared.map(({ container, port }) => `${container}: ${formatContainerPort(port)}`);
  const evidence = [`Declared ports: ${listing.length > 0 ? listing.join(', ') : 'none'}.`];
  if (typeof requested === 'string') {
    const found = declared.find(
      ({ port }) => port.name === requested && (port.protocol ?? 'TCP') === protocol,
    );
    if (found === undefined) {
      return {
        draft: {
          status: 'failed',
          summary: `Pod ${nameOf(pod)} declares no ${protocol} port named ${requested}.`,
          evidence,
          fix: `Use a port the Pod declares, or name the containerPort "${requested}" in ${describeManifest(podManifest(pod))}.`,
          manifest: podManifest(pod),
        },
      };
    }
    return {
      draft: {
        status: 'passed',
        summary: `Port "${requested}" is ${found.port.containerPort}/${protocol}, declared by container ${found.container}.`,
        evidence,
      },
      port: found.port.containerPort,
    };
  }
  const found = declared.find(
    ({ port }) => port.containerPort === requested && (port.protocol ?? 'TCP') === protocol,
  );
  if (found !== undefined) {
    return {
      draft: {
        status: 'passed',
        summary: `Port ${requested}/${protocol} is declared by container ${found.container}${found.port.name ? ` (${found.port.name})` : ''}.`,
        evidence,
      },
      port: requested,
    };
  }
  return {
    draft: {
      status: 'unknown',
      summary: `No container of Pod ${nameOf(pod)} declares ${protocol} port ${requested}: declarations are informational, so only the probe can tell whether something listens there.`,
      evidence,
    },
    port: requested,
  };
}

function unreadablePolicies(namespace: string): HopDraft {
  return {
    status: 'unknown',
    summary: `The NetworkPolicies of namespace ${namespace} may not be read with these credentials.`,
    evidence: [],
  };
}

function policyHop(
  direction: 'egress' | 'ingress',
  checks: readonly PolicyCheck[],
  source: DiagnosisPod,
  policies: readonly NetworkPolicy[],
): HopDraft {
  const sourceName = `${nsOf(source)}/${nameOf(source)}`;
  const verdicts = checks.map((check) => ({ check, verdict: check.verdict[direction] }));
  const denied = verdicts.filter(({ verdict }) => verdict.outcome === 'denied');
  const evidence = verdicts.map(({ check, verdict }) => {
    const rule = ruleText(verdict);
    const where =
      rule !== ''
        ? ` (${verdict.allowedBy!.policy} ${rule})`
        : verdict.allowedByKubernetes === undefined
          ? ''
          : verdict.outcome === 'uncertain'
            ? ' (allowed by the Kubernetes rule)'
            : ' by the Kubernetes rule';
    return `${check.backend.namespace}/${check.backend.name} on ${check.protocol} ${check.port}: ${verdict.outcome}${where}; ${verdict.reason}.`;
  });
  const uncertain = verdicts.filter(({ verdict }) => verdict.outcome === 'uncertain');
  if (denied.length === 0 && uncertain.length > 0) {
    return uncertainPolicyHop(direction, uncertain[0]!.check, uncertain[0]!.verdict, source, evidence);
  }
  if (denied.length === 0) {
    const isolated = verdicts.filter(({ verdict }) => verdict.isolated);
    const deciding = [
      ...new Set(
        isolated
          .map(({ verdict }) => verdict.allowedBy?.policy)
          .filter((id): id is string => id !== undefined),
      ),
    ];
    const subject =
      direction === 'egress'
        ? sourceName
        : verdicts.length === 1
          ? `${verdicts[0]!.check.backend.namespace}/${verdicts[0]!.check.backend.name}`
          : `the ${plural(verdicts.length, 'Pod')}`;
    if (isolated.length === 0) {
      return {
        status: 'passed',
        summary: `No NetworkPolicy restricts the ${direction} of ${subject}.`,
        evidence,
      };
    }
    const byPolicy = isolated.find(({ verdict }) => verdict.allowedBy !== undefined)?.verdict;
    const admitted =
      deciding.length === 0
        ? undefined
        : deciding.length === 1
          ? `policy ${deciding[0]} admits this connection${byPolicy === undefined ? '' : ` (${ruleText(byPolicy)})`}`
          : `policies ${list(deciding)} admit this connection`;
    const rules = [
      ...new Set(
        isolated
          .map(({ verdict }) => verdict.allowedByKubernetes)
          .filter((rule): rule is KubernetesRule => rule !== undefined),
      ),
    ].map((rule) => KUBERNETES_RULES[rule]);
    const isolating = [...new Set(isolated.flatMap(({ verdict }) => verdict.selectingPolicies))];
    const summary =
      rules.length === 0
        ? `The ${direction} of ${subject} is restricted, and ${admitted ?? 'a policy admits this connection'}.`
        : admitted === undefined
          ? `The ${direction} of ${subject} is restricted by ${list(isolating)}, but ${list(rules)}: the Kubernetes rule, not a policy, allows this connection.`
          : `The ${direction} of ${subject} is restricted: ${admitted} to some Pods, and to the others ${list(rules)}, so the Kubernetes rule, not a policy, allows it.`;
    return { status: 'passed', summary, evidence };
  }
  const first = denied[0]!;
  const subjectNs = direction === 'egress' ? nsOf(source) : first.check.backend.namespace;
  const rule = policySuggestion(
    direction,
    subjectNs,
    direction === 'egress' ? first.check.pod : source.spec?.hostNetwork === true ? undefined : source,
    direction === 'egress' ? first.check.backend.ip : podIp(source),
    first.check.port,
    first.check.protocol,
  );
  const isolating = first.verdict.selectingPolicies;
  const manifest = isolating[0] === undefined ? undefined : policyManifest(isolating[0]);
  const hasRules = policies.some(
    (policy) =>
      isolating.includes(`${nsOf(policy)}/${nameOf(policy)}`) &&
      ((direction === 'ingress' ? policy.spec?.ingress : policy.spec?.egress)?.length ?? 0) > 0,
  );
  const scope =
    denied.length === verdicts.length
      ? ''
      : ` (${denied.length} of ${plural(verdicts.length, 'backing Pod')} denied: connections through the Service fail at random)`;
  const peerName =
    direction === 'egress' ? `${first.check.backend.namespace}/${first.check.backend.name}` : sourceName;
  const where =
    isolating.length === 1
      ? `NetworkPolicy ${isolating[0]}`
      : `one of the NetworkPolicies ${list(isolating, 'or')}`;
  const fix =
    `Add ${hasRules ? 'a rule' : `an ${direction} rule`} to ${where} that ${direction === 'egress' ? 'lets it reach' : 'admits'} ${peerName} on ${first.check.protocol} ${first.check.port}, under spec.${direction}:\n${rule}` +
    (direction === 'ingress' ? '\nOr connect from a Pod the policy already admits.' : '');
  return {
    status: 'failed',
    summary: `${upperFirst(first.verdict.reason)}${scope}.`,
    evidence,
    fix,
    ...(manifest === undefined ? {} : { manifest }),
  };
}

/** What each rule of Kubernetes says, as the concept page puts it. */
const KUBERNETES_RULES: Readonly<Record<KubernetesRule, string>> = {
  self: 'a Pod cannot block access to itself',
  node: 'traffic to and from the node where a Pod is running is always allowed',
};

/**
 * A Pod reaching itself through its Service where its policies would deny it: the Kubernetes rule
 * allows it, some network plugins do not (kubernetes/kubernetes#95879), so the hop says "unknown"
 * and how to make it hold on every plugin, rather than guessing.
 */
function uncertainPolicyHop(
  direction: 'egress' | 'ingress',
  check: PolicyCheck,
  verdict: DirectionVerdict,
  source: DiagnosisPod,
  evidence: string[],
): HopDraft {
  const isolating = verdict.selectingPolicies;
  const where =
    isolating.length === 1
      ? `NetworkPolicy ${isolating[0]}`
      : `one of the NetworkPolicies ${list(isolating, 'or')}`;
  const rule = policySuggestion(direction, nsOf(source), source, podIp(source), check.port, check.protocol);
  return {
    status: 'unknown',
    uncertainty: 'hairpin',
    summary: `${upperFirst(verdict.reason)}: verify with a probe.`,
    evidence,
    fix: `To have it allowed on every network plugin, add a rule to ${where} that ${direction === 'egress' ? 'lets it reach' : 'admits'} ${nsOf(source)}/${nameOf(source)} itself on ${check.protocol} ${check.port}, under spec.${direction}:\n${rule}`,
    ...(isolating[0] === undefined ? {} : { manifest: policyManifest(isolating[0]) }),
  };
}

function externalEgressHop(
  input: DiagnosisInput,
  source: DiagnosisPod,
  external: { host: string; ip?: string; port: number },
  protocol: Protocol,
): HopDraft {
  const sourceName = `${nsOf(source)}/${nameOf(source)}`;
  const verdict = evaluateConnection({
    policies: input.networkPolicies,
    namespaces: input.namespaces,
    source: podEndpoint(source),
    destination: { kind: 'external', ip: external.ip ?? '', name: external.host },
    port: external.port,
    protocol,
  }).egress;
  const evidence = [
    `${external.ip ?? external.host} on ${external.port}: ${verdict.allowed ? 'allowed' : 'denied'}, ${verdict.reason}.`,
  ];
  if (verdict.allowed) {
    return {
      status: 'passed',
      summary: !verdict.isolated
        ? `No NetworkPolicy restricts the egress of ${sourceName}.`
        : verdict.allowedByKubernetes !== undefined
          ? `The egress of ${sourceName} is restricted by ${list(verdict.selectingPolicies)}, but ${KUBERNETES_RULES[verdict.allowedByKubernetes]}: the Kubernetes rule, not a policy, lets it reach ${external.ip ?? external.host} on ${external.port}.`
          : `Policy ${verdict.allowedBy?.policy ?? ''} lets ${sourceName} reach ${external.ip ?? external.host} on ${external.port}.`,
      evidence,
    };
  }
  if (external.ip === undefined) {
    // The verdict hangs on the address the name resolves to, which ipBlocks may admit.
    const selecting = input.networkPolicies.filter((policy) =>
      verdict.selectingPolicies.includes(`${nsOf(policy)}/${nameOf(policy)}`),
    );
    if (
      selecting.some((policy) =>
        (policy.spec?.egress ?? []).some((rule) =>
          (rule.to ?? []).some((peer) => peer.ipBlock !== undefined),
        ),
      )
    ) {
      return {
        status: 'unknown',
        summary: `The egress of ${sourceName} is restricted by ${list(verdict.selectingPolicies)}, whose ipBlocks may or may not hold the address ${external.host} resolves to.`,
        evidence,
      };
    }
  }
  const policies = verdict.selectingPolicies;
  return {
    status: 'failed',
    summary: `${upperFirst(verdict.reason)}.`,
    evidence,
    fix: `Add an egress rule to ${policies.length === 1 ? `NetworkPolicy ${policies[0]}` : `one of ${list(policies, 'or')}`} for ${external.ip === undefined ? external.host : `${external.ip}/32`} on ${protocol} ${external.port}, e.g.:\n${policySuggestion('egress', nsOf(source), undefined, external.ip, external.port, protocol)}`,
    ...(policies[0] === undefined ? {} : { manifest: policyManifest(policies[0]) }),
  };
}
