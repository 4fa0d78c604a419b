/**
 * The ReplicaSet controller: keeps `replicas` Pods from the template, replacing a deleted Pod with
 * a new one (new name, new IP) after the scenario's replacement delay, as a real cluster does after
 * its scheduler and kubelet have done their part.
 */
import type { KubeObject } from '../api/store.ts';
import type { Cluster } from '../cluster.ts';
import { SYSTEM_USER, type } from '../cluster.ts';
import { controllerUid, splitKey, WorkQueue } from './queue.ts';

type Obj = Record<string, unknown>;

export class ReplicaSetController {
  private readonly cluster: Cluster;
  private readonly queue: WorkQueue;
  private readonly unsubscribe: () => void;
  private readonly timers = new Set<NodeJS.Timeout>();
  /** ReplicaSets that lost a Pod: their next creations wait for the replacement delay. */
  private readonly replacing = new Set<string>();

  constructor(cluster: Cluster) {
    this.cluster = cluster;
    this.queue = new WorkQueue(
      (key) => this.reconcile(key),
      (key, error) => cluster.log(`replicaset controller: ${key}: ${String(error)}`),
    );
    this.unsubscribe = cluster.store.subscribe((event) => {
      if (event.resource === 'replicasets.apps' && event.type !== 'DELETED') {
        this.queue.add(`${event.namespace}/${event.object.metadata.name}`);
      } else if (event.resource === 'pods') {
        const owner = event.object.metadata.ownerReferences?.find(
          (r) => r.kind === 'ReplicaSet' && r.controller === true,
        );
        if (owner) {
          const key = `${event.namespace}/${String(owner.name)}`;
          if (
            event.type === 'DELETED' ||
            (event.object.metadata.deletionTimestamp && !event.previous?.metadata.deletionTimestamp)
          ) {
            this.replacing.add(key);
          }
          this.queue.add(key);
        }
      }
    });
  }

  stop(): void {
    this.unsubscribe();
    this.queue.stop();
    for (const timer of this.timers) {
      clearTimeout(timer);
    }
  }

  private reconcile(key: string): void {
    const [namespace, name] = splitKey(key);
    const rs = this.cluster.store.peek(type('replicasets'), namespace, name);
    if (!rs || rs.metadata.deletionTimestamp) {
      return;
    }
    const spec = rs.spec as {
      replicas: number;
      template: { metadata?: { labels?: Record<string, string> }; spec: Obj };
    };
    const owned = this.cluster.store
      .list(type('pods'), namespace)
      .map((entry) => entry.object)
      .filter((pod) => controllerUid(pod.metadata, 'ReplicaSet') === rs.metadata.uid);
    const active = owned.filter((pod) => {
      const phase = (pod.status as Obj | undefined)?.phase;
      return !pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed';
    });
    const missing = spec.replicas - active.length;
    if (missing > 0) {
      const create = () => {
        for (let i = 0; i < missing; i++) {
          this.createPod(rs);
        }
      };
      if (this.replacing.delete(key)) {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          // Reconcile again rather than trust the count from before the delay.
          this.queue.add(key);
        }, this.cluster.scenario.timing.replaceDelayMs);
        this.timers.add(timer);
      } else {
        create();
      }
    } else if (missing < 0) {
      const byReadiness = [...active].sort((a, b) => Number(isReady(a)) - Number(isReady(b)));
      for (const pod of byReadiness.slice(0, -missing)) {
        this.cluster.delete(type('pods'), namespace, pod.metadata.name!);
        this.event(rs, 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
      }
    }
    this.writeStatus(rs, active);
  }

  private event(rs: KubeObject, reason: string, message: string): void {
    this.cluster.events.record(
      { ...rs, kind: 'ReplicaSet', apiVersion: 'apps/v1' },
      { type: 'Normal', reason, message, source: { component: 'replicaset-controller' } },
    );
  }

  private createPod(rs: KubeObject): void {
    const template = (rs.spec as { template: { metadata?: Obj; spec: Obj } }).template;
    const created = this.cluster.create(
      type('pods'),
      {
        metadata: {
          generateName: `${rs.metadata.name}-`,
          namespace: rs.metadata.namespace!,
          labels: { ...((template.metadata?.labels as Record<string, string> | undefined) ?? {}) },
          ...(template.metadata?.annotations
            ? { annotations: template.metadata.annotations as Record<string, string> }
            : {}),
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: 'ReplicaSet',
              name: rs.metadata.name,
              uid: rs.metadata.uid,
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        spec: structuredClone(template.spec),
      },
      { user: SYSTEM_USER },
    );
    this.event(rs, 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
  }

  private writeStatus(rs: KubeObject, active: KubeObject[]): void {
    const ready = active.filter(isReady).length;
    const status = {
      replicas: active.length,
      fullyLabeledReplicas: active.length,
      readyReplicas: ready,
      availableReplicas: ready,
      observedGeneration: rs.metadata.generation ?? 1,
    };
    if (JSON.stringify(status) !== JSON.stringify(rs.status)) {
      this.cluster.update(
        type('replicasets'),
        { ...rs, status },
        { subresource: 'status', user: SYSTEM_USER },
      );
    }
  }
}

export function isReady(pod: KubeObject): boolean {
  const conditions = ((pod.status as Obj | undefined)?.conditions ?? []) as Array<{
    type: string;
    status: string;
  }>;
  return conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}
