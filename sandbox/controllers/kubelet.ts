/**
 * Scheduler and kubelet in one: binds new Pods to a node, starts them (an IP, container statuses,
 * conditions, real listeners through the data plane), finishes graceful deletions, runs ephemeral
 * containers, and applies readiness faults.
 */
import type { KubeObject } from '../api/store.ts';
import { timestamp } from '../api/store.ts';
import type { Cluster } from '../cluster.ts';
import { SYSTEM_USER, type } from '../cluster.ts';
import type { EventInput } from './events.ts';
import { readinessFailure } from './probes.ts';

type Obj = Record<string, unknown>;
interface Container {
  name: string;
  image: string;
  ports?: Array<{ containerPort: number; name?: string; protocol?: string }>;
}

export class Kubelet {
  private readonly cluster: Cluster;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly unsubscribe: () => void;
  private nextNode = 0;
  /** Readiness forced by a fault, per `ns/name`. */
  private readonly readinessOverride = new Map<string, boolean>();
  /** The repeating readiness-probe failure of each not-ready Pod, per `ns/name`. */
  private readonly failingProbes = new Map<string, NodeJS.Timeout>();

  constructor(cluster: Cluster) {
    this.cluster = cluster;
    this.unsubscribe = cluster.store.subscribe((event) => {
      if (event.resource === 'nodes' && event.type === 'MODIFIED') {
        // A node's labels changed: Pods its selector did not match before may fit now.
        this.later(0, () => this.scheduleUnscheduled());
        return;
      }
      if (event.resource !== 'pods' || event.type === 'DELETED') {
        return;
      }
      const pod = event.object;
      const spec = pod.spec as { nodeName?: string };
      if (!spec.nodeName && !pod.metadata.deletionTimestamp) {
        this.later(0, () => this.schedule(pod.metadata.namespace!, pod.metadata.name!));
      } else if (event.type === 'ADDED' && spec.nodeName && !pod.status) {
        // Created bound to a node (spec.nodeName): no scheduler involved, that node's kubelet starts it.
        this.later(0, () => this.startBound(pod.metadata.namespace!, pod.metadata.name!));
      } else if (event.type === 'MODIFIED') {
        this.later(0, () => this.syncEphemeralContainers(pod.metadata.namespace!, pod.metadata.name!));
      }
    });
  }

  stop(): void {
    this.unsubscribe();
    for (const timer of [...this.timers, ...this.failingProbes.values()]) {
      clearTimeout(timer);
    }
    this.timers.clear();
    this.failingProbes.clear();
  }

  isContainerRunning(pod: KubeObject, container: string): boolean {
    const statuses = ((pod.status as Obj | undefined)?.containerStatuses ?? []) as Array<{
      name: string;
      state?: { running?: unknown };
    }>;
    return statuses.some((s) => s.name === container && s.state?.running !== undefined);
  }

  /** Marks a running Pod's containers ready or not ready (a readiness probe starting to fail or pass). */
  setReady(namespace: string, name: string, ready: boolean): void {
    this.readinessOverride.set(`${namespace}/${name}`, ready);
    const pod = this.cluster.store.peek(type('pods'), namespace, name);
    if (!pod || (pod.status as Obj | undefined)?.phase !== 'Running') {
      return;
    }
    const updated = this.writeStatus(
      pod,
      this.runningStatus(pod, ready, (pod.status as Obj).podIP as string),
    );
    this.probeReadiness(updated, ready);
  }

  /** Finishes a graceful deletion: containers stop, the Pod object goes. */
  terminate(namespace: string, name: string, graceSeconds: number): void {
    const delay = Math.min(graceSeconds * 1000, this.cluster.scenario.timing.terminationCapMs);
    const pod = this.cluster.store.peek(type('pods'), namespace, name);
    if (pod && this.isContainerRunning(pod, (pod.spec as { containers: Container[] }).containers[0]!.name)) {
      for (const container of (pod.spec as { containers: Container[] }).containers) {
        this.event(pod, {
          type: 'Normal',
          reason: 'Killing',
          message: `Stopping container ${container.name}`,
          fieldPath: `spec.containers{${container.name}}`,
          action: 'Killing',
        });
      }
    }
    this.stopProbing(namespace, name);
    this.later(delay, () => this.remove(namespace, name));
  }

  /** Scenario loading: bind and start a Pod now rather than after the start delay. */
  startNow(namespace: string, name: string): void {
    const pod = this.cluster.store.peek(type('pods'), namespace, name);
    if (pod && (pod.spec as Obj).nodeName) {
      this.startBound(namespace, name, true);
    } else {
      this.schedule(namespace, name, true);
    }
  }

  private remove(namespace: string, name: string): void {
    const pod = this.cluster.store.peek(type('pods'), namespace, name);
    if (!pod) {
      return;
    }
    this.cluster.dataplane.stopPod(pod);
    const ip = (pod.status as Obj | undefined)?.podIP;
    this.cluster.store.delete(type('pods'), namespace, name);
    this.cluster.logs.forget(namespace, name);
    this.cluster.events.forget(pod.metadata.uid);
    this.stopProbing(namespace, name);
    this.readinessOverride.delete(`${namespace}/${name}`);
    if (typeof ip === 'string') {
      this.cluster.releasePodIP(ip);
    }
  }

  private schedule(namespace: string, name: string, immediately = false): void {
    const pod = this.cluster.store.peek(type('pods'), namespace, name);
    if (!pod || (pod.spec as Obj).nodeName || pod.metadata.deletionTimestamp) {
      return;
    }
    const fitting = this.cluster.nodes.filter((node) => this.fits(pod, node.name));
    if (fitting.length === 0) {
      this.unschedulable(pod);
      return;
    }
    const node = fitting[this.nextNode++ % fitting.length]!;
    // A new object sharing the unchanged parts (stored objects are immutable): a deep copy of every
    // Pod was the scheduler's largest cost at 100,000 Pods.
    const bound: KubeObject = {
      ...pod,
      metadata: { ...pod.metadata },
      spec: { ...(pod.spec as Obj), nodeName: node.name },
    };
    bound.status = {
      phase: 'Pending',
      conditions: [
        { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: timestamp() },
      ],
      qosClass: 'BestEffort',
    };
    const updated = this.cluster.store.update(type('pods'), bound);
    this.event(
      updated,
      {
        type: 'Normal',
        reason: 'Scheduled',
        message: `Successfully assigned ${namespace}/${name} to ${node.name}`,
        action: 'Binding',
      },
      'default-scheduler',
    );
    this.startAfterDelay(namespace, name, immediately);
  }

  /** A Pod created with spec.nodeName: its node's kubelet takes it as it is (a node that does not exist never does). */
  private startBound(namespace: string, name: string, immediately = false): void {
    const pod = this.cluster.store.peek(type('pods'), namespace, name);
    const nodeName = pod && ((pod.spec as Obj).nodeName as string | undefined);
    if (!pod || pod.status || !this.cluster.nodes.some((node) => node.name === nodeName)) {
      return;
    }
    const pending = this.writeStatus(pod, {
      phase: 'Pending',
      conditions: [
        { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: timestamp() },
      ],
      qosClass: 'BestEffort',
    });
    this.startAfterDelay(pending.metadata.namespace!, pending.metadata.name!, immediately);
  }

  private startAfterDelay(namespace: string, name: string, immediately: boolean): void {
    const delay = immediately ? 0 : this.cluster.scenario.timing.podStartMs;
    if (delay === 0) {
      this.start(namespace, name);
    } else {
      this.later(delay, () => this.start(namespace, name));
    }
  }

  /** Whether the node's labels (as stored: they may have been edited) satisfy the Pod's nodeSelector. */
  private fits(pod: KubeObject, nodeName: string): boolean {
    const selector = ((pod.spec as Obj).nodeSelector ?? {}) as Record<string, string>;
    const labels = this.cluster.store.peek(type('nodes'), '', nodeName)?.metadata.labels ?? {};
    return Object.entries(selector).every(([key, value]) => labels[key] === value);
  }

  /** As the scheduler says it when no node fits: a FailedScheduling warning; the Pod stays Pending. */
  private unschedulable(pod: KubeObject): void {
    const count = this.cluster.nodes.length;
    if (!pod.status) {
      this.writeStatus(pod, {
        phase: 'Pending',
        conditions: [
          {
            type: 'PodScheduled',
            status: 'False',
            lastProbeTime: null,
            lastTransitionTime: timestamp(),
            reason: 'Unschedulable',
            message: `0/${count} nodes are available: ${count} node(s) didn't match Pod's node affinity/selector. preemption: 0/${count} nodes are available: ${count} Preemption is not helpful for scheduling.`,
          },
        ],
        qosClass: 'BestEffort',
      });
    }
    this.event(
      pod,
      {
        type: 'Warning',
        reason: 'FailedScheduling',
        message: `0/${count} nodes are available: ${count} node(s) didn't match Pod's node affinity/selector. preemption: 0/${count} nodes are available: ${count} Preemption is not helpful for scheduling.`,
      },
      'default-scheduler',
    );
  }

  private scheduleUnscheduled(): void {
    for (const { object } of this.cluster.store.list(type('pods'))) {
      if (!(object.spec as Obj).nodeName && !object.metadata.deletionTimestamp) {
        this.schedule(object.metadata.namespace!, object.metadata.name!);
      }
    }
  }

  private start(namespace: string, name: string): void {
    const pod = this.cluster.store.peek(type('pods'), namespace, name);
    if (!pod || pod.metadata.deletionTimestamp) {
      return;
    }
    const ip = this.cluster.allocatePodIP();
    const behaviour = this.cluster.scenario.podBehaviour(pod);
    const ready = this.readinessOverride.get(`${namespace}/${name}`) ?? behaviour.ready;
    const status = this.runningStatus(pod, ready && !behaviour.crashLoop, ip);
    const updated = this.writeStatus(pod, status);
    if (!behaviour.crashLoop) {
      this.cluster.dataplane.startPod(updated);
    }
    for (const container of (pod.spec as { containers: Container[] }).containers) {
      const fieldPath = `spec.containers{${container.name}}`;
      const normal = (reason: string, message: string) =>
        this.event(updated, { type: 'Normal', reason, message, fieldPath, action: reason });
      normal('Pulled', `Container image "${container.image}" already present on machine`);
      normal('Created', `Created container: ${container.name}`);
      normal('Started', `Started container ${container.name}`);
      if (behaviour.crashLoop) {
        this.event(updated, {
          type: 'Warning',
          reason: 'BackOff',
          message: `Back-off restarting failed container ${container.name} in pod ${name}_${namespace}(${pod.metadata.uid})`,
          fieldPath,
          action: 'BackOff',
        });
      }
    }
    if (!behaviour.crashLoop) {
      this.probeReadiness(updated, ready);
    }
  }

  /**
   * A not-ready Pod's readiness probe fails every period, and each failure is an Unhealthy event
   * (correlated into one whose count grows); a ready Pod's prober is quiet.
   */
  private probeReadiness(pod: KubeObject, ready: boolean): void {
    const namespace = pod.metadata.namespace!;
    const name = pod.metadata.name!;
    const key = `${namespace}/${name}`;
    if (ready) {
      this.stopProbing(namespace, name);
      return;
    }
    if (this.failingProbes.has(key)) {
      return;
    }
    const containers = (pod.spec as { containers: Container[] }).containers;
    const podIP = String((pod.status as Obj | undefined)?.podIP ?? '');
    const failure = readinessFailure(pod, podIP, !containers.some((c) => (c.ports ?? []).length > 0));
    const fail = () => {
      const current = this.cluster.store.peek(type('pods'), namespace, name);
      if (!current || current.metadata.deletionTimestamp) {
        this.failingProbes.delete(key);
        return;
      }
      this.event(current, {
        type: 'Warning',
        reason: 'Unhealthy',
        message: failure.message,
        fieldPath: `spec.containers{${failure.container}}`,
      });
      this.failingProbes.set(key, setTimeout(fail, failure.periodSeconds * 1000));
    };
    fail();
  }

  private stopProbing(namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    clearTimeout(this.failingProbes.get(key));
    this.failingProbes.delete(key);
  }

  private event(
    pod: KubeObject,
    input: Omit<EventInput, 'source'>,
    component: 'kubelet' | 'default-scheduler' = 'kubelet',
  ): void {
    const nodeName = (pod.spec as Obj).nodeName as string | undefined;
    this.cluster.events.record(pod, {
      ...input,
      source: component === 'kubelet' && nodeName ? { component, host: nodeName } : { component },
    });
  }

  private runningStatus(pod: KubeObject, ready: boolean, ip: string): Obj {
    const previous = (pod.status ?? {}) as Obj;
    const node =
      this.cluster.nodes.find((n) => n.name === (pod.spec as Obj).nodeName) ?? this.cluster.nodes[0]!;
    const now = timestamp();
    const started = (previous.startTime as string | undefined) ?? now;
    const crashLoop = this.cluster.scenario.podBehaviour(pod).crashLoop;
    const containers = (pod.spec as { containers: Container[] }).containers;
    const condition = (conditionType: string, value: boolean) => {
      const old = (
        (previous.conditions ?? []) as Array<{ type: string; status: string; lastTransitionTime?: string }>
      ).find((c) => c.type === conditionType);
      const statusValue = value ? 'True' : 'False';
      return {
        type: conditionType,
        status: statusValue,
        lastProbeTime: null,
        lastTransitionTime: old && old.status === statusValue ? old.lastTransitionTime : now,
        ...(value || conditionType === 'PodReadyToStartContainers' || conditionType === 'Initialized'
          ? {}
          : {
              reason: 'ContainersNotReady',
              message: `containers with unready status: [${containers.map((c) => c.name).join(' ')}]`,
            }),
      };
    };
    return {
      ...previous,
      phase: 'Running',
      conditions: [
        condition('PodReadyToStartContainers', true),
        condition('Initialized', true),
        condition('Ready', ready),
        condition('ContainersReady', ready),
        condition('PodScheduled', true),
      ],
      hostIP: node.ip,
      hostIPs: [{ ip: node.ip }],
      podIP: ip,
      podIPs: [{ ip }],
      startTime: started,
      containerStatuses: containers.map((container, index) => ({
        name: container.name,
        image: container.image,
        imageID: `${container.image.replace(/:[^/:]+$/, '')}@sha256:${fakeDigest(container.image)}`,
        containerID: `containerd://${fakeDigest(`${pod.metadata.uid}/${container.name}`)}`,
        ready: ready && !crashLoop,
        started: !crashLoop,
        restartCount: crashLoop ? 5 : 0,
        state: crashLoop
          ? {
              waiting: {
                reason: 'CrashLoopBackOff',
                message: `back-off 2m40s restarting failed container=${container.name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`,
              },
            }
          : { running: { startedAt: started } },
        ...(crashLoop
          ? {
              lastState: {
                terminated: {
                  exitCode: 1,
                  reason: 'Error',
                  startedAt: started,
                  finishedAt: now,
                  containerID: `containerd://${fakeDigest(String(index))}`,
                },
              },
            }
          : { lastState: {} }),
      })),
      qosClass: 'BestEffort',
    };
  }

  private syncEphemeralContainers(namespace: string, name: string): void {
    const pod = this.cluster.store.peek(type('pods'), namespace, name);
    if (!pod) {
      return;
    }
    const declared = ((pod.spec as Obj).ephemeralContainers ?? []) as Container[];
    const status = (pod.status ?? {}) as Obj;
    const known = ((status.ephemeralContainerStatuses ?? []) as Array<{ name: string }>).map((s) => s.name);
    const missing = declared.filter((c) => !known.includes(c.name));
    if (missing.length === 0 || status.phase !== 'Running') {
      return;
    }
    const now = timestamp();
    const next = {
      ...status,
      ephemeralContainerStatuses: [
        ...((status.ephemeralContainerStatuses ?? []) as unknown[]),
        ...missing.map((container) => ({
          name: container.name,
          image: container.image,
          imageID: `${container.image}@sha256:${fakeDigest(container.image)}`,
          containerID: `containerd://${fakeDigest(`${pod.metadata.uid}/${container.name}`)}`,
          ready: false,
          restartCount: 0,
          state: { running: { startedAt: now } },
          lastState: {},
        })),
      ],
    };
    this.writeStatus(pod, next);
  }

  private writeStatus(pod: KubeObject, status: Obj): KubeObject {
    return this.cluster.update(
      type('pods'),
      { ...pod, status },
      { subresource: 'status', user: SYSTEM_USER },
    );
  }

  private later(ms: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      try {
        action();
      } catch (error) {
        this.cluster.log(`kubelet: ${error instanceof Error ? error.message : String(error)}`);
      }
    }, ms);
    this.timers.add(timer);
  }
}

function fakeDigest(seed: string): string {
  let hash = 0x811c9dc5;
  let out = '';
  for (let round = 0; round < 8; round++) {
    for (const char of `${seed}/${round}`) {
      hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
    }
    out += hash.toString(16).padStart(8, '0');
  }
  return out;
}
