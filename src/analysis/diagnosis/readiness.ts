/**
 * Whether a Pod is ready and, if not, why: from its conditions and container states, and in the
 * kubelet's own words when its latest Unhealthy event is known. Hop 3 says it of the Pods a Service
 * selects, hop 1 of a Pod target without an IP; the external diagnosis counts controller Pods by it.
 */
import { podHealth } from '../podStatus.ts';
import { plural } from '../sentences.ts';
import type { DiagnosisContainer, DiagnosisPod, ProbeSpecLike, ReadinessEvent } from './types.ts';
import { nameOf, nsOf, podIp } from './world.ts';

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

export function podLine(pod: DiagnosisPod, event?: ReadinessEvent): string {
  const state = readiness(pod, event);
  const where = podIp(pod) ?? 'no IP';
  return state.ready
    ? `${nameOf(pod)} (${where}): ready`
    : `${nameOf(pod)} (${where}): ${state.status || 'not ready'}, not ready: ${state.reasons.join('; ')}`;
}
