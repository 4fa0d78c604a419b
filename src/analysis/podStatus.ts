/**
 * The READY, STATUS and RESTARTS columns of `kubectl get pods`, computed the way the API server's
 * pod printer computes them (k8s.io/kubernetes/pkg/printers/internalversion/printers.go, `printPod`,
 * as of Kubernetes 1.32), so that what KubeReach shows for a Pod is what kubectl shows for it.
 *
 * The printer runs on the stored, defaulted object; here any field may be missing, and a missing
 * field reads as its zero value, exactly as it would in the Go structs.
 */
import { ageSince, humanDuration } from './duration.ts';

export interface ContainerStateLike {
  readonly waiting?: { readonly reason?: string; readonly message?: string } | null;
  readonly running?: { readonly startedAt?: string | null } | null;
  readonly terminated?: {
    readonly exitCode?: number;
    readonly signal?: number;
    readonly reason?: string;
    readonly message?: string;
    readonly startedAt?: string | null;
    readonly finishedAt?: string | null;
  } | null;
}

export interface ContainerStatusLike {
  readonly name?: string;
  readonly ready?: boolean;
  readonly started?: boolean | null;
  readonly restartCount?: number;
  readonly state?: ContainerStateLike;
  /** The JSON name of Go's `LastTerminationState`. */
  readonly lastState?: ContainerStateLike;
}

export interface PodConditionLike {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
}

/** Structurally a supertype of `Pod` in `k8s.ts`, plus the status fields the printer reads. */
export interface PodLike {
  readonly metadata?: {
    readonly name?: string;
    readonly creationTimestamp?: string | null;
    readonly deletionTimestamp?: string | null;
  };
  readonly spec?: {
    readonly containers?: readonly { readonly name?: string }[];
    readonly initContainers?: readonly { readonly name?: string; readonly restartPolicy?: string }[];
    readonly nodeName?: string;
    readonly readinessGates?: readonly { readonly conditionType: string }[];
  };
  readonly status?: {
    readonly phase?: string;
    readonly reason?: string;
    readonly conditions?: readonly PodConditionLike[];
    readonly initContainerStatuses?: readonly ContainerStatusLike[];
    readonly containerStatuses?: readonly ContainerStatusLike[];
    readonly podIP?: string;
    readonly podIPs?: readonly { readonly ip: string }[];
    readonly nominatedNodeName?: string;
  };
}

/** Every cell of the pod table row, in upstream's column order, plus the numbers behind them. */
export interface PodRow {
  readonly name: string;
  /** READY: "ready/total". */
  readonly ready: string;
  readonly readyContainers: number;
  readonly totalContainers: number;
  /** STATUS. */
  readonly status: string;
  readonly restartCount: number;
  /** When the container counted last terminated before a restart, in epoch milliseconds. */
  readonly lastRestart?: number;
  /** RESTARTS: "3", or "3 (2m ago)". */
  readonly restarts: string;
  readonly age: string;
  readonly ip: string;
  readonly node: string;
  readonly nominatedNode: string;
  readonly readinessGates: string;
}

export type Clock = Date | number;

const NODE_UNREACHABLE_POD_REASON = 'NodeLost';
const SCHEDULING_GATED = 'SchedulingGated';

function millis(now: Clock | undefined): number {
  if (now === undefined) {
    return Date.now();
  }
  return typeof now === 'number' ? now : now.getTime();
}

function finishedAt(state: ContainerStateLike | undefined): number | undefined {
  const at = state?.terminated?.finishedAt;
  if (at == null || at === '') {
    return undefined;
  }
  const ms = Date.parse(at);
  return Number.isNaN(ms) ? undefined : ms;
}

/** `lastRestartDate.Before(&terminatedDate)`, where an absent time is Go's zero time. */
function later(current: number | undefined, candidate: number | undefined): number | undefined {
  if (candidate === undefined) {
    return current;
  }
  return current === undefined || current < candidate ? candidate : current;
}

function isRestartableInitContainer(container: { readonly restartPolicy?: string } | undefined): boolean {
  return container?.restartPolicy === 'Always';
}

/** `hasPodReadyCondition`: any condition of the type that is true. */
function conditionIsTrue(pod: PodLike, type: string): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');
}

/** `isPodInitializedConditionTrue`, which, unlike the Ready check, stops at the first match. */
function isInitializedConditionTrue(pod: PodLike): boolean {
  const condition = (pod.status?.conditions ?? []).find((c) => c.type === 'Initialized');
  return condition?.status === 'True';
}

function isTerminalPhase(phase: string | undefined): boolean {
  return phase === 'Failed' || phase === 'Succeeded';
}

/** The pod printer, cell by cell: what `kubectl get pods -o wide` shows for `pod` at `now`. */
export function printPod(pod: PodLike, now?: Clock): PodRow {
  const spec = pod.spec ?? {};
  const status = pod.status ?? {};
  const initSpecs = spec.initContainers ?? [];

  let restarts = 0;
  let restartableInitContainerRestarts = 0;
  let totalContainers = (spec.containers ?? []).length;
  let readyContainers = 0;
  let lastRestart: number | undefined;
  let lastRestartableInitContainerRestart: number | undefined;

  const phase = status.phase ?? '';
  let reason = status.reason ? status.reason : phase;

  for (const condition of status.conditions ?? []) {
    if (condition.type === 'PodScheduled' && condition.reason === SCHEDULING_GATED) {
      reason = SCHEDULING_GATED;
    }
  }

  // Go indexes init containers by name in a map, so a later duplicate name wins.
  const initByName = new Map<string, { readonly restartPolicy?: string }>();
  for (const container of initSpecs) {
    initByName.set(container.name ?? '', container);
    if (isRestartableInitContainer(container)) {
      // Sidecars keep running beside the app containers, so READY counts them.
      totalContainers++;
    }
  }

  let initializing = false;
  const initStatuses = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const container = initStatuses[i]!;
    const restartable = isRestartableInitContainer(initByName.get(container.name ?? ''));
    restarts += container.restartCount ?? 0;
    lastRestart = later(lastRestart, finishedAt(container.lastState));
    if (restartable) {
      restartableInitContainerRestarts += container.restartCount ?? 0;
      lastRestartableInitContainerRestart = later(
        lastRestartableInitContainerRestart,
        finishedAt(container.lastState),
      );
    }
    const terminated = container.state?.terminated ?? undefined;
    const waiting = container.state?.waiting ?? undefined;
    if (terminated && (terminated.exitCode ?? 0) === 0) {
      continue;
    }
    if (restartable && container.started === true) {
      if (container.ready === true) {
        readyContainers++;
      }
      continue;
    }
    if (terminated) {
      if (!terminated.reason) {
        reason = terminated.signal
          ? `Init:Signal:${terminated.signal}`
          : `Init:ExitCode:${terminated.exitCode ?? 0}`;
      } else {
        reason = `Init:${terminated.reason}`;
      }
    } else if (waiting?.reason && waiting.reason !== 'PodInitializing') {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${initSpecs.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || isInitializedConditionTrue(pod)) {
    // Once initialized, only sidecar restarts still count: finished init containers are history.
    restarts = restartableInitContainerRestarts;
    lastRestart = lastRestartableInitContainerRestart;
    let hasRunning = false;
    const statuses = status.containerStatuses ?? [];
    // Backwards, so that the first container with a problem is the one whose reason shows.
    for (let i = statuses.length - 1; i >= 0; i--) {
      const container = statuses[i]!;
      restarts += container.restartCount ?? 0;
      lastRestart = later(lastRestart, finishedAt(container.lastState));
      const waiting = container.state?.waiting ?? undefined;
      const terminated = container.state?.terminated ?? undefined;
      if (waiting?.reason) {
        reason = waiting.reason;
      } else if (terminated?.reason) {
        reason = terminated.reason;
      } else if (terminated) {
        reason = terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode ?? 0}`;
      } else if (container.ready === true && container.state?.running) {
        hasRunning = true;
        readyContainers++;
      }
    }
    // A finished container beside one still serving: the pod as a whole is still running.
    if (reason === 'Completed' && hasRunning) {
      reason = conditionIsTrue(pod, 'Ready') ? 'Running' : 'NotReady';
    }
  }

  const deleting = pod.metadata?.deletionTimestamp != null;
  if (deleting && status.reason === NODE_UNREACHABLE_POD_REASON) {
    reason = 'Unknown';
  } else if (deleting && !isTerminalPhase(phase)) {
    reason = 'Terminating';
  }

  const clock = millis(now);
  let restartsText = String(restarts);
  if (restarts !== 0 && lastRestart !== undefined) {
    restartsText = `${restarts} (${humanDuration(clock - lastRestart)} ago)`;
  }

  // The v1 → internal conversion fills podIPs from podIP, so an object carrying only podIP prints it.
  const podIP = status.podIPs && status.podIPs.length > 0 ? status.podIPs[0]!.ip : (status.podIP ?? '');
  let readinessGates = '<none>';
  const gates = spec.readinessGates ?? [];
  if (gates.length > 0) {
    let trueConditions = 0;
    for (const gate of gates) {
      const condition = (status.conditions ?? []).find((c) => c.type === gate.conditionType);
      if (condition?.status === 'True') {
        trueConditions++;
      }
    }
    readinessGates = `${trueConditions}/${gates.length}`;
  }

  return {
    name: pod.metadata?.name ?? '',
    ready: `${readyContainers}/${totalContainers}`,
    readyContainers,
    totalContainers,
    status: reason,
    restartCount: restarts,
    ...(lastRestart !== undefined ? { lastRestart } : {}),
    restarts: restartsText,
    age: ageSince(pod.metadata?.creationTimestamp, clock),
    ip: podIP || '<none>',
    node: spec.nodeName || '<none>',
    nominatedNode: status.nominatedNodeName || '<none>',
    readinessGates,
  };
}

/**
 * The STATUS column: "Running", "ContainerCreating", "CrashLoopBackOff", "Init:0/1", "Completed",
 * "Terminating", ... The clock is accepted for symmetry with `podRestarts`; STATUS never depends on it.
 */
export function podDisplayStatus(pod: PodLike, _now?: Clock): string {
  return printPod(pod, 0).status;
}

/** The READY column: "1/2". */
export function podReadyCount(pod: PodLike): string {
  return printPod(pod, 0).ready;
}

/** The RESTARTS column: "0", "3", or "3 (2m ago)". */
export function podRestarts(pod: PodLike, now?: Clock): string {
  return printPod(pod, now).restarts;
}

export type PodHealthState =
  'ready' | 'running-not-ready' | 'pending' | 'succeeded' | 'failed' | 'waiting' | 'terminating';

export interface PodHealth {
  readonly state: PodHealthState;
  /** The STATUS column the state was derived from: "CrashLoopBackOff", "Init:0/1", "Evicted", ... */
  readonly reason: string;
}

/** Statuses a Pending pod shows while it makes normal progress rather than being stuck. */
function isProgressing(status: string): boolean {
  return (
    status === 'Pending' ||
    status === 'ContainerCreating' ||
    status === 'PodInitializing' ||
    status === SCHEDULING_GATED ||
    /^Init:\d+\/\d+$/.test(status)
  );
}

/**
 * A coarse summary of `printPod` for icons. "ready" follows the Ready condition rather than the READY
 * count, because Ready (readiness gates included) is what puts a Pod behind its Services; a Pod
 * without conditions falls back to every container being ready.
 */
export function podHealth(pod: PodLike): PodHealth {
  const row = printPod(pod, 0);
  const phase = pod.status?.phase ?? '';
  const reason = row.status;
  if (pod.metadata?.deletionTimestamp != null && !isTerminalPhase(phase)) {
    return { state: 'terminating', reason };
  }
  if (phase === 'Succeeded') {
    return { state: 'succeeded', reason };
  }
  if (phase === 'Failed') {
    return { state: 'failed', reason };
  }
  if (reason === 'Running' || reason === 'NotReady') {
    const conditions = pod.status?.conditions ?? [];
    const ready = conditions.some((c) => c.type === 'Ready')
      ? conditionIsTrue(pod, 'Ready')
      : row.totalContainers > 0 && row.readyContainers === row.totalContainers;
    return { state: ready && reason === 'Running' ? 'ready' : 'running-not-ready', reason };
  }
  // The API server defaults the phase to Pending; a manifest or a half-built object may lack it.
  if ((phase === 'Pending' || phase === '') && (reason === '' || isProgressing(reason))) {
    return { state: 'pending', reason: reason || 'Pending' };
  }
  return { state: 'waiting', reason: reason || 'Unknown' };
}
