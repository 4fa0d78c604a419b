/**
 * Which Pod a forward talks to, and which container port each of its ports reaches there: pure
 * functions of the cluster state as the cache holds it. No network, no `vscode`.
 *
 * Service forwards, as kubectl does (`kubectl port-forward svc/NAME`): each Service port (by number
 * or name) has its targetPort resolved on the chosen Pod (a named targetPort per Pod, with
 * `resolveTargetPort`, the EndpointSlice controller's rule). The Pod is a ready endpoint of the
 * Service's EndpointSlices (ready, not terminating, Ready condition true on the Pod itself) on which
 * every asked port resolves; among several, kubectl's choice (`sort.Reverse(podutils.ActivePods)`):
 * scheduled, running, ready, ready the longest, fewest restarts, oldest; then by name. When the
 * Service has no EndpointSlice at all (none yet, or they cannot be read), the ready Pods its selector
 * matches stand in.
 *
 * Pod forwards: the named Pod while it runs (ready or not: a Pod that is not ready is often the one
 * being debugged). When it is deleted, terminating, no longer running, or stops being ready while
 * a ready sibling exists, a sibling takes over: a ready Pod with the same controller (kind and name
 * of the controlling owner reference) whose labels include the original Pod's (per-Pod labels
 * aside). A Pod that reappears under the same name (a StatefulSet's, or a bare Pod recreated) is
 * taken again.
 *
 * Stickiness: the current Pod is kept as long as it qualifies, so a forward does not hop between
 * replicas at every change of the cluster.
 */
import type { V1EndpointSlice, V1Pod, V1Service, V1ServicePort } from '@kubernetes/client-node';
import type { Pod as AnalysisPod, Protocol, ServicePort as AnalysisServicePort } from '../analysis/k8s.ts';
import { matchesServiceSelector } from '../analysis/labels.ts';
import { resolveTargetPort } from '../analysis/ports.ts';
import { describeTarget, normalizeRemote } from './spec.ts';
import type { ForwardFollow, ForwardPortSpec, ForwardSpec } from './spec.ts';

/** What the resolution reads; `ClusterCache` is one. */
export interface ClusterView {
  pod(namespace: string, name: string): V1Pod | undefined;
  pods(namespace: string): readonly V1Pod[];
  service(namespace: string, name: string): V1Service | undefined;
  endpointSlices(namespace: string, serviceName?: string): readonly V1EndpointSlice[];
}

export interface ChosenPod {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly ip: string;
  readonly ready: boolean;
}

export interface ResolvedPort {
  /** The container port the connection reaches on the chosen Pod. */
  readonly containerPort: number;
  /** Service forwards: the Service port. */
  readonly servicePort?: number;
  /** The container that declares the port, when one does. */
  readonly container?: string;
}

export type ResolutionProblem =
  /** The Pod or Service does not exist (for a Pod forward, and nothing to follow either). */
  | 'not-found'
  /** A port is not there: no such Service port, no such named container port, a UDP port. */
  | 'no-such-port'
  /** A Service without selector, or ExternalName: there is no Pod to choose. */
  | 'no-pods'
  /** Nothing usable right now (no ready Pod, Pod pending or terminating); may change by itself. */
  | 'waiting';

export type Resolution =
  | { readonly ok: true; readonly pod: ChosenPod; readonly ports: readonly ResolvedPort[] }
  | { readonly ok: false; readonly problem: ResolutionProblem; readonly message: string };

export interface ResolveOptions {
  /** The Pod currently used, to keep it while it qualifies; `wasReady` says it has been ready. */
  readonly current?: { readonly uid: string; readonly wasReady: boolean };
  /** Pods not to choose (by uid): the API server just said they are gone or not running. */
  readonly excluded?: ReadonlySet<string>;
}

/** Labels that differ from Pod to Pod of one controller (or from revision to revision). */
const PER_POD_LABELS = new Set([
  'statefulset.kubernetes.io/pod-name',
  'apps.kubernetes.io/pod-index',
  'controller-revision-hash',
  'pod-template-generation',
]);

export function resolveTarget(
  spec: ForwardSpec,
  view: ClusterView,
  options: ResolveOptions = {},
): Resolution {
  return spec.target.kind === 'Service'
    ? resolveServiceTarget(spec, view, options)
    : resolvePodTarget(spec, view, options);
}

/** Whom a Pod forward to this Pod follows (see `ForwardFollow`). */
export function followOf(pod: V1Pod): ForwardFollow {
  const controller = pod.metadata?.ownerReferences?.find((ref) => ref.controller === true);
  const labels = Object.fromEntries(
    Object.entries(pod.metadata?.labels ?? {}).filter(([key]) => !PER_POD_LABELS.has(key)),
  );
  return {
    ...(controller ? { owner: { kind: controller.kind, name: controller.name } } : {}),
    ...(Object.keys(labels).length > 0 ? { labels } : {}),
  };
}

export function isPodReady(pod: V1Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
}

/** Why a Pod cannot carry a forward (one plain sentence), or undefined when it can. */
export function podUnusableReason(pod: V1Pod): string | undefined {
  const name = `Pod ${pod.metadata?.namespace}/${pod.metadata?.name}`;
  if (pod.metadata?.deletionTimestamp) {
    return `${name} is terminating.`;
  }
  const phase = pod.status?.phase ?? 'Pending';
  if (phase === 'Succeeded' || phase === 'Failed') {
    return `${name} has finished (${phase}); nothing runs in it any more.`;
  }
  if (!pod.status?.podIP) {
    return `${name} is ${phase} and has no IP address yet.`;
  }
  if (phase !== 'Running') {
    return `${name} is ${phase}, not running yet.`;
  }
  return undefined;
}

/**
 * The local port to try first for each port of the spec (the remote port, as kubectl does: the
 * Service port for a Service, the container port for a Pod), or undefined when it is not known yet
 * (a named port of a Pod that cannot be read).
 */
export function remotePortNumbers(spec: ForwardSpec, view: ClusterView): (number | undefined)[] {
  const { namespace, name } = spec.target;
  if (spec.target.kind === 'Service') {
    const service = view.service(namespace, name);
    return spec.ports.map((port) => {
      const remote = normalizeRemote(port.remote);
      return typeof remote === 'number' ? remote : findServicePort(service, remote)?.port;
    });
  }
  const pod = view.pod(namespace, name) ?? siblings(spec, view, undefined)[0];
  return spec.ports.map((port) => {
    const remote = normalizeRemote(port.remote);
    return typeof remote === 'number' ? remote : pod ? findNamedContainerPort(pod, remote)?.port : undefined;
  });
}

// -------------------------------------------------------------------------------------------------
// Services

function resolveServiceTarget(spec: ForwardSpec, view: ClusterView, options: ResolveOptions): Resolution {
  const { namespace, name } = spec.target;
  const what = describeTarget(spec.target);
  const service = view.service(namespace, name);
  if (!service) {
    return { ok: false, problem: 'not-found', message: `${what} does not exist.` };
  }
  if (service.spec?.type === 'ExternalName') {
    return {
      ok: false,
      problem: 'no-pods',
      message: `${what} is of type ExternalName: it has no Pods to forward to.`,
    };
  }
  const selector = service.spec?.selector ?? {};
  if (Object.keys(selector).length === 0) {
    return {
      ok: false,
      problem: 'no-pods',
      message: `${what} has no selector, so it has no Pods to forward to (forward to a Pod instead).`,
    };
  }
  const servicePorts: V1ServicePort[] = [];
  for (const port of spec.ports) {
    const remote = normalizeRemote(port.remote);
    const found = findServicePort(service, remote);
    if (!found) {
      return {
        ok: false,
        problem: 'no-such-port',
        message: `${what} has no port ${typeof remote === 'number' ? remote : `named "${remote}"`} (its ports: ${listServicePorts(service)}).`,
      };
    }
    if ((found.protocol ?? 'TCP') !== 'TCP') {
      return {
        ok: false,
        problem: 'no-such-port',
        message: `Port ${portLabel(found)} of ${what} is ${found.protocol}; port-forwarding carries TCP only.`,
      };
    }
    servicePorts.push(found);
  }

  const excluded = options.excluded ?? new Set<string>();
  const slices = view.endpointSlices(namespace, name).filter((slice) => slice.addressType !== 'FQDN');
  let ready: V1Pod[];
  if (slices.length > 0) {
    const names = new Set<string>();
    for (const slice of slices) {
      for (const endpoint of slice.endpoints ?? []) {
        const ref = endpoint.targetRef;
        const conditions = endpoint.conditions;
        // `ready` unset means unknown, which consumers are to read as ready.
        if (
          ref?.name &&
          (ref.kind === undefined || ref.kind === 'Pod') &&
          conditions?.ready !== false &&
          conditions?.terminating !== true
        ) {
          names.add(ref.name);
        }
      }
    }
    ready = [...names]
      .map((podName) => view.pod(namespace, podName))
      .filter((pod): pod is V1Pod => pod !== undefined);
  } else {
    ready = view.pods(namespace).filter((pod) => matchesServiceSelector(selector, pod.metadata?.labels));
  }
  ready = ready.filter(
    (pod) => isPodReady(pod) && podUnusableReason(pod) === undefined && !excluded.has(uidOf(pod)),
  );
  if (ready.length === 0) {
    return { ok: false, problem: 'waiting', message: `No ready Pod behind ${what}.` };
  }

  const resolved = new Map<V1Pod, ResolvedPort[]>();
  let firstFailure: string | undefined;
  for (const pod of ready) {
    const analysisPod = toAnalysisPod(pod);
    const ports: ResolvedPort[] = [];
    for (const servicePort of servicePorts) {
      const resolution = resolveTargetPort(toAnalysisServicePort(servicePort), analysisPod);
      if (!resolution.ok) {
        firstFailure ??= `Port ${portLabel(servicePort)} of ${what} targets "${String(servicePort.targetPort)}", which no ready Pod declares (${resolution.reason}).`;
        break;
      }
      ports.push({
        containerPort: resolution.port,
        servicePort: servicePort.port,
        ...(resolution.container !== undefined ? { container: resolution.container } : {}),
      });
    }
    if (ports.length === servicePorts.length) {
      resolved.set(pod, ports);
    }
  }
  const candidates = [...resolved.keys()];
  if (candidates.length === 0) {
    return { ok: false, problem: 'waiting', message: firstFailure ?? `No ready Pod behind ${what}.` };
  }
  const current = options.current && candidates.find((pod) => uidOf(pod) === options.current!.uid);
  const chosen = current ?? candidates.sort(compareActivePods)[0]!;
  return { ok: true, pod: chosenPod(chosen), ports: resolved.get(chosen)! };
}

function findServicePort(service: V1Service | undefined, remote: number | string): V1ServicePort | undefined {
  const ports = service?.spec?.ports ?? [];
  return typeof remote === 'number'
    ? ports.find((port) => port.port === remote)
    : ports.find((port) => port.name === remote);
}

function listServicePorts(service: V1Service): string {
  const ports = service.spec?.ports ?? [];
  return ports.length === 0 ? 'none' : ports.map(portLabel).join(', ');
}

function portLabel(port: V1ServicePort): string {
  return port.name ? `${port.port}/${port.name}` : String(port.port);
}

// -------------------------------------------------------------------------------------------------
// Pods

function resolvePodTarget(spec: ForwardSpec, view: ClusterView, options: ResolveOptions): Resolution {
  const { namespace, name } = spec.target;
  const what = describeTarget(spec.target);
  const excluded = options.excluded ?? new Set<string>();
  const named = view.pod(namespace, name);
  const usable = (pod: V1Pod) => podUnusableReason(pod) === undefined && !excluded.has(uidOf(pod));
  const others = siblings(spec, view, named).filter(usable);
  const readyOthers = others.filter(isPodReady).sort(compareActivePods);

  const attempt = (pod: V1Pod): Resolution => {
    const ports = resolvePodPorts(pod, spec.ports);
    return 'message' in ports
      ? { ok: false, problem: 'no-such-port', message: ports.message }
      : { ok: true, pod: chosenPod(pod), ports };
  };

  // 1. Keep the current Pod while it runs, unless it stopped being ready and a ready sibling exists.
  const current = options.current;
  if (current) {
    const pod = [named, ...others].find((candidate) => candidate && uidOf(candidate) === current.uid);
    if (pod && usable(pod) && (isPodReady(pod) || !current.wasReady || readyOthers.length === 0)) {
      return attempt(pod);
    }
  }
  // 2. The named Pod, ready or not, unless it is the current one that stopped being ready.
  const leaving = current?.uid;
  if (named && usable(named) && !(uidOf(named) === leaving && readyOthers.length > 0)) {
    return attempt(named);
  }
  // 3. The best ready sibling on which every port resolves.
  let portProblem: string | undefined;
  for (const pod of readyOthers) {
    const resolution = attempt(pod);
    if (resolution.ok) {
      return resolution;
    }
    portProblem ??= resolution.message;
  }
  if (portProblem !== undefined) {
    return { ok: false, problem: 'waiting', message: portProblem };
  }
  // 4. Nothing usable: say why.
  const follow = spec.follow;
  const followed = follow?.owner ? `${follow.owner.kind} ${follow.owner.name}` : undefined;
  if (!named) {
    if (!followed && !current) {
      return { ok: false, problem: 'not-found', message: `${what} does not exist.` };
    }
    return {
      ok: false,
      problem: 'waiting',
      message: followed
        ? `${what} is gone and no ready Pod of ${followed} has replaced it yet.`
        : `${what} is gone; waiting for it to be created again.`,
    };
  }
  const why = excluded.has(uidOf(named))
    ? `${what} is not accepting port-forwards (the API server says it is gone or not running).`
    : (podUnusableReason(named) ?? `${what} cannot be used.`);
  return {
    ok: false,
    problem: 'waiting',
    message: followed ? `${why.replace(/\.$/, '')}, and no ready Pod of ${followed} can take over.` : why,
  };
}

/** Pods that may take over from the named Pod (not filtered for usability). */
function siblings(spec: ForwardSpec, view: ClusterView, named: V1Pod | undefined): V1Pod[] {
  const owner = spec.follow?.owner;
  if (!owner) {
    return [];
  }
  const labels = spec.follow?.labels ?? {};
  return view.pods(spec.target.namespace).filter((pod) => {
    if (pod === named || pod.metadata?.name === spec.target.name) {
      return false;
    }
    const controller = pod.metadata?.ownerReferences?.find((ref) => ref.controller === true);
    if (!controller || controller.kind !== owner.kind || controller.name !== owner.name) {
      return false;
    }
    const podLabels = pod.metadata?.labels ?? {};
    return Object.entries(labels).every(([key, value]) => podLabels[key] === value);
  });
}

function resolvePodPorts(
  pod: V1Pod,
  ports: readonly ForwardPortSpec[],
): ResolvedPort[] | { readonly message: string } {
  const resolved: ResolvedPort[] = [];
  for (const port of ports) {
    const remote = normalizeRemote(port.remote);
    if (typeof remote === 'number') {
      const declared = declaredPorts(pod).find((p) => p.port === remote && p.protocol === 'TCP');
      resolved.push({ containerPort: remote, ...(declared ? { container: declared.container } : {}) });
      continue;
    }
    const found = findNamedContainerPort(pod, remote);
    if (!found) {
      const declared = declaredPorts(pod)
        .filter((p) => p.name !== undefined)
        .map((p) => `${p.name}/${p.port}`);
      return {
        message: `Pod ${pod.metadata?.namespace}/${pod.metadata?.name} has no TCP container port named "${remote}" (${declared.length > 0 ? `it declares ${declared.join(', ')}` : 'it declares no named port'}).`,
      };
    }
    resolved.push({ containerPort: found.port, container: found.container });
  }
  return resolved;
}

interface Declared {
  readonly container: string;
  readonly name: string | undefined;
  readonly port: number;
  readonly protocol: string;
}

function declaredPorts(pod: V1Pod): Declared[] {
  const sidecars = (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
  return [...(pod.spec?.containers ?? []), ...sidecars].flatMap((container) =>
    (container.ports ?? []).map((port) => ({
      container: container.name,
      name: port.name,
      port: port.containerPort,
      protocol: port.protocol ?? 'TCP',
    })),
  );
}

function findNamedContainerPort(pod: V1Pod, name: string): Declared | undefined {
  return declaredPorts(pod).find((port) => port.name === name && port.protocol === 'TCP');
}

// -------------------------------------------------------------------------------------------------
// Ordering and conversions

function uidOf(pod: V1Pod): string {
  return pod.metadata?.uid ?? `${pod.metadata?.namespace}/${pod.metadata?.name}`;
}

function chosenPod(pod: V1Pod): ChosenPod {
  return {
    namespace: pod.metadata?.namespace ?? '',
    name: pod.metadata?.name ?? '',
    uid: uidOf(pod),
    ip: pod.status?.podIP ?? '',
    ready: isPodReady(pod),
  };
}

function time(value: Date | string | undefined): number {
  if (value === undefined) {
    return Number.NaN;
  }
  return (value instanceof Date ? value : new Date(value)).getTime();
}

const PHASE_RANK: Readonly<Record<string, number>> = { Running: 0, Unknown: 1, Pending: 2 };

/**
 * kubectl's preference (`sort.Reverse(podutils.ActivePods)`), best first: scheduled, Running before
 * Unknown before Pending, ready, ready for longer, fewer restarts, older; then by name.
 */
export function compareActivePods(a: V1Pod, b: V1Pod): number {
  const scheduled = Number(!a.spec?.nodeName) - Number(!b.spec?.nodeName);
  if (scheduled !== 0) {
    return scheduled;
  }
  const phase = (PHASE_RANK[a.status?.phase ?? ''] ?? 3) - (PHASE_RANK[b.status?.phase ?? ''] ?? 3);
  if (phase !== 0) {
    return phase;
  }
  const readyA = isPodReady(a);
  const readyB = isPodReady(b);
  if (readyA !== readyB) {
    return readyA ? -1 : 1;
  }
  if (readyA) {
    const since = (pod: V1Pod) =>
      time(pod.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime);
    const sinceA = since(a);
    const sinceB = since(b);
    if (sinceA !== sinceB && !(Number.isNaN(sinceA) && Number.isNaN(sinceB))) {
      // Ready for an unknown time counts as ready the shortest.
      if (Number.isNaN(sinceA)) {
        return 1;
      }
      if (Number.isNaN(sinceB)) {
        return -1;
      }
      return sinceA - sinceB;
    }
  }
  const restarts = (pod: V1Pod) =>
    Math.max(0, ...(pod.status?.containerStatuses ?? []).map((status) => status.restartCount));
  const restartDiff = restarts(a) - restarts(b);
  if (restartDiff !== 0) {
    return restartDiff;
  }
  const createdA = time(a.metadata?.creationTimestamp);
  const createdB = time(b.metadata?.creationTimestamp);
  if (createdA !== createdB && !Number.isNaN(createdA) && !Number.isNaN(createdB)) {
    return createdA - createdB;
  }
  return (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');
}

function toAnalysisPod(pod: V1Pod): AnalysisPod {
  type V1Container = NonNullable<V1Pod['spec']>['containers'][number];
  const ports = (container: V1Container) =>
    (container.ports ?? []).map((port) => ({
      containerPort: port.containerPort,
      ...(port.name !== undefined ? { name: port.name } : {}),
      ...(port.protocol !== undefined ? { protocol: port.protocol as Protocol } : {}),
    }));
  return {
    metadata: {
      ...(pod.metadata?.name !== undefined ? { name: pod.metadata.name } : {}),
      ...(pod.metadata?.namespace !== undefined ? { namespace: pod.metadata.namespace } : {}),
    },
    spec: {
      containers: (pod.spec?.containers ?? []).map((container) => ({
        name: container.name,
        ports: ports(container),
      })),
      initContainers: (pod.spec?.initContainers ?? []).map((container) => ({
        name: container.name,
        ...(container.restartPolicy === 'Always' ? { restartPolicy: 'Always' as const } : {}),
        ports: ports(container),
      })),
    },
  };
}

function toAnalysisServicePort(port: V1ServicePort): AnalysisServicePort {
  return {
    port: port.port,
    ...(port.name !== undefined ? { name: port.name } : {}),
    ...(port.protocol !== undefined ? { protocol: port.protocol as Protocol } : {}),
    ...(port.targetPort !== undefined ? { targetPort: port.targetPort } : {}),
  };
}
