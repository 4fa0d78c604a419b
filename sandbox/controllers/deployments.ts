/**
 * The Deployment controller, reduced to what connectivity debugging sees: one ReplicaSet per Pod
 * template (named `<deployment>-<pod-template-hash>`), older ones scaled to zero, status counted
 * from the Pods. No surge or rollout pacing.
 */
import type { KubeObject } from '../api/store.ts';
import type { Cluster } from '../cluster.ts';
import { SYSTEM_USER, type } from '../cluster.ts';
import { controllerUid, splitKey, WorkQueue } from './queue.ts';

type Obj = Record<string, unknown>;
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** fnv-32a of the template, written with the alphabet of rand.SafeEncodeString, like pod-template-hash. */
export function podTemplateHash(template: unknown): string {
  let hash = 0x811c9dc5;
  for (const char of JSON.stringify(template)) {
    hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  }
  // rand.SafeEncodeString maps each byte of the decimal string onto the alphabet.
  return [...String(hash)].map((char) => SAFE_ALPHABET[char.charCodeAt(0) % SAFE_ALPHABET.length]).join('');
}

export class DeploymentController {
  private readonly cluster: Cluster;
  private readonly queue: WorkQueue;
  private readonly unsubscribe: () => void;

  constructor(cluster: Cluster) {
    this.cluster = cluster;
    this.queue = new WorkQueue(
      (key) => this.reconcile(key),
      (key, error) => cluster.log(`deployment controller: ${key}: ${String(error)}`),
    );
    this.unsubscribe = cluster.store.subscribe((event) => {
      if (event.resource === 'deployments.apps' && event.type !== 'DELETED') {
        this.queue.add(`${event.namespace}/${event.object.metadata.name}`);
      } else if (event.resource === 'replicasets.apps') {
        const owner = event.object.metadata.ownerReferences?.find(
          (r) => r.kind === 'Deployment' && r.controller === true,
        );
        if (owner) {
          this.queue.add(`${event.namespace}/${String(owner.name)}`);
        }
      }
    });
  }

  stop(): void {
    this.unsubscribe();
    this.queue.stop();
  }

  private reconcile(key: string): void {
    const [namespace, name] = splitKey(key);
    const deployment = this.cluster.store.peek(type('deployments'), namespace, name);
    if (!deployment || deployment.metadata.deletionTimestamp) {
      return;
    }
    const spec = deployment.spec as {
      replicas: number;
      selector: { matchLabels?: Record<string, string> };
      template: { metadata?: Obj; spec: Obj };
    };
    const hash = podTemplateHash(spec.template);
    const rsName = `${name}-${hash}`;
    const owned = this.cluster.store
      .list(type('replicasets'), namespace)
      .map((entry) => entry.object)
      .filter((rs) => controllerUid(rs.metadata, 'Deployment') === deployment.metadata.uid);
    let current = owned.find((rs) => rs.metadata.name === rsName);
    const templateLabels = {
      ...((spec.template.metadata?.labels as Record<string, string> | undefined) ?? {}),
      'pod-template-hash': hash,
    };
    const event = (rs: string, from: number, to: number) =>
      this.cluster.events.record(
        { ...deployment, kind: 'Deployment', apiVersion: 'apps/v1' },
        {
          type: 'Normal',
          reason: 'ScalingReplicaSet',
          message: `Scaled ${to > from ? 'up' : 'down'} replica set ${rs} from ${from} to ${to}`,
          source: { component: 'deployment-controller' },
          action: 'Scaling',
        },
      );
    if (!current) {
      current = this.cluster.create(
        type('replicasets'),
        {
          metadata: {
            name: rsName,
            namespace,
            labels: templateLabels,
            annotations: {
              'deployment.kubernetes.io/desired-replicas': String(spec.replicas),
              'deployment.kubernetes.io/revision': String(owned.length + 1),
            },
            ownerReferences: [
              {
                apiVersion: 'apps/v1',
                kind: 'Deployment',
                name,
                uid: deployment.metadata.uid,
                controller: true,
                blockOwnerDeletion: true,
              },
            ],
          },
          spec: {
            replicas: spec.replicas,
            selector: {
              ...spec.selector,
              matchLabels: { ...(spec.selector.matchLabels ?? {}), 'pod-template-hash': hash },
            },
            template: {
              metadata: { ...(spec.template.metadata ?? {}), labels: templateLabels },
              spec: structuredClone(spec.template.spec),
            },
          },
        },
        { user: SYSTEM_USER },
      );
      if (spec.replicas > 0) {
        event(rsName, 0, spec.replicas);
      }
    } else if ((current.spec as { replicas: number }).replicas !== spec.replicas) {
      const from = (current.spec as { replicas: number }).replicas;
      const scaled = structuredClone(current);
      (scaled.spec as { replicas: number }).replicas = spec.replicas;
      current = this.cluster.update(type('replicasets'), scaled, { user: SYSTEM_USER });
      event(rsName, from, spec.replicas);
    }
    for (const old of owned) {
      if (old.metadata.name !== rsName && (old.spec as { replicas: number }).replicas !== 0) {
        const scaled = structuredClone(old);
        const from = (old.spec as { replicas: number }).replicas;
        (scaled.spec as { replicas: number }).replicas = 0;
        this.cluster.update(type('replicasets'), scaled, { user: SYSTEM_USER });
        event(old.metadata.name!, from, 0);
      }
    }
    this.writeStatus(deployment, current, owned);
  }

  private writeStatus(deployment: KubeObject, current: KubeObject, owned: KubeObject[]): void {
    const statusOf = (rs: KubeObject) =>
      (rs.status ?? {}) as { replicas?: number; readyReplicas?: number; availableReplicas?: number };
    const sum = (field: 'replicas' | 'readyReplicas' | 'availableReplicas') =>
      owned.reduce((total, rs) => total + (statusOf(rs)[field] ?? 0), 0);
    const desired = (deployment.spec as { replicas: number }).replicas;
    const available = sum('availableReplicas');
    const previous = (deployment.status ?? {}) as {
      conditions?: Array<{ type: string; status: string; lastTransitionTime?: string }>;
    };
    const condition = (conditionType: string, value: boolean, reason: string, message: string) => {
      const old = previous.conditions?.find((c) => c.type === conditionType);
      const status = value ? 'True' : 'False';
      const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      return {
        type: conditionType,
        status,
        lastUpdateTime: old?.status === status ? (old as { lastUpdateTime?: string }).lastUpdateTime : now,
        lastTransitionTime: old?.status === status ? old.lastTransitionTime : now,
        reason,
        message,
      };
    };
    const status = {
      observedGeneration: deployment.metadata.generation ?? 1,
      replicas: sum('replicas'),
      updatedReplicas: statusOf(current).replicas ?? 0,
      readyReplicas: sum('readyReplicas'),
      availableReplicas: available,
      ...(desired - available > 0 ? { unavailableReplicas: desired - available } : {}),
      conditions: [
        available >= desired
          ? condition('Available', true, 'MinimumReplicasAvailable', 'Deployment has minimum availability.')
          : condition(
              'Available',
              false,
              'MinimumReplicasUnavailable',
              'Deployment does not have minimum availability.',
            ),
        condition(
          'Progressing',
          true,
          'NewReplicaSetAvailable',
          `ReplicaSet "${current.metadata.name}" has successfully progressed.`,
        ),
      ],
    };
    if (JSON.stringify(status) !== JSON.stringify(deployment.status)) {
      this.cluster.update(
        type('deployments'),
        { ...deployment, status },
        { subresource: 'status', user: SYSTEM_USER },
      );
    }
  }
}
