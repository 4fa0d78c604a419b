/**
 * The EndpointSlice controller, following the upstream one where clients can see it: one slice
 * per distinct set of resolved ports, at most 100 endpoints each, the `kubernetes.io/service-name`
 * and `managed-by` labels, a Service owner reference, ready/serving/terminating conditions, and
 * named targetPorts resolved per Pod (a Pod that does not declare the name gets no port for it).
 * Services without a selector are left alone, as upstream leaves them to their owner.
 */
import type { Pod, ServicePort } from '../../src/analysis/k8s.ts';
import { matchesServiceSelector } from '../../src/analysis/labels.ts';
import { resolveTargetPort } from '../../src/analysis/ports.ts';
import type { KubeObject } from '../api/store.ts';
import { timestamp } from '../api/store.ts';
import type { Cluster } from '../cluster.ts';
import { SYSTEM_USER, type } from '../cluster.ts';
import { isReady } from './replicasets.ts';
import { splitKey, WorkQueue } from './queue.ts';

const MAX_ENDPOINTS_PER_SLICE = 100;
export const MANAGED_BY = 'endpointslice-controller.k8s.io';
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

interface SlicePort {
  name: string;
  port: number;
  protocol: string;
}

interface SliceEndpoint {
  addresses: string[];
  conditions: { ready: boolean; serving: boolean; terminating: boolean };
  nodeName?: string;
  targetRef: { kind: 'Pod'; namespace: string; name: string; uid: string };
}

export class EndpointSliceController {
  private readonly cluster: Cluster;
  private readonly queue: WorkQueue;
  private readonly unsubscribe: () => void;
  /** Services whose endpoints a fault has removed: their slices stay empty until restored. */
  private readonly suppressed = new Set<string>();

  constructor(cluster: Cluster) {
    this.cluster = cluster;
    this.queue = new WorkQueue(
      (key) => this.reconcile(key),
      (key, error) => cluster.log(`endpointslice controller: ${key}: ${String(error)}`),
    );
    this.unsubscribe = cluster.store.subscribe((event) => {
      if (event.resource === 'services') {
        this.queue.add(`${event.namespace}/${event.object.metadata.name}`);
      } else if (event.resource === 'pods') {
        // Only Services whose selector matches the Pod before or after the change care.
        for (const { object: service } of cluster.store.list(type('services'), event.namespace)) {
          const selector = (service.spec as { selector?: Record<string, string> }).selector;
          if (
            matchesServiceSelector(selector, event.object.metadata.labels ?? {}) ||
            (event.previous && matchesServiceSelector(selector, event.previous.metadata.labels ?? {}))
          ) {
            this.queue.add(`${event.namespace}/${service.metadata.name}`);
          }
        }
      } else if (event.resource === 'endpointslices.discovery.k8s.io' && event.type === 'DELETED') {
        // A managed slice deleted by someone else is recreated, as upstream does.
        const service = event.object.metadata.labels?.[SERVICE_NAME_LABEL];
        if (
          service &&
          event.object.metadata.labels?.['endpointslice.kubernetes.io/managed-by'] === MANAGED_BY
        ) {
          this.queue.add(`${event.namespace}/${service}`);
        }
      }
    });
  }

  stop(): void {
    this.unsubscribe();
    this.queue.stop();
  }

  /** Fault: empty the Service's slices (or restore them) as if its endpoints had been removed. */
  setSuppressed(namespace: string, name: string, suppressed: boolean): void {
    const key = `${namespace}/${name}`;
    if (suppressed) {
      this.suppressed.add(key);
    } else {
      this.suppressed.delete(key);
    }
    this.queue.add(key);
  }

  /** Reconciles now rather than on the next turn (scenario loading). */
  reconcileNow(namespace: string, name: string): void {
    this.reconcile(`${namespace}/${name}`);
  }

  private reconcile(key: string): void {
    const [namespace, name] = splitKey(key);
    const service = this.cluster.store.peek(type('services'), namespace, name);
    const existing = this.cluster.store
      .list(type('endpointslices'), namespace)
      .map((entry) => entry.object)
      .filter(
        (slice) =>
          slice.metadata.labels?.[SERVICE_NAME_LABEL] === name &&
          slice.metadata.labels?.['endpointslice.kubernetes.io/managed-by'] === MANAGED_BY,
      );
    const spec = (service?.spec ?? {}) as {
      selector?: Record<string, string>;
      ports?: ServicePort[];
      type?: string;
      clusterIP?: string;
      publishNotReadyAddresses?: boolean;
    };
    if (
      !service ||
      !spec.selector ||
      Object.keys(spec.selector).length === 0 ||
      spec.type === 'ExternalName'
    ) {
      for (const slice of existing) {
        this.cluster.store.delete(type('endpointslices'), namespace, slice.metadata.name!);
      }
      return;
    }

    // Group endpoints by their resolved port list.
    const groups = new Map<string, { ports: SlicePort[]; endpoints: SliceEndpoint[] }>();
    if (!this.suppressed.has(key)) {
      const pods = this.cluster.store.list(type('pods'), namespace).map((entry) => entry.object);
      for (const pod of pods) {
        if (!matchesServiceSelector(spec.selector, pod.metadata.labels ?? {})) {
          continue;
        }
        const status = (pod.status ?? {}) as { podIP?: string; phase?: string };
        if (!status.podIP || status.phase === 'Succeeded' || status.phase === 'Failed') {
          continue;
        }
        const ports: SlicePort[] = [];
        for (const servicePort of spec.ports ?? []) {
          const resolved = resolveTargetPort(servicePort, pod as unknown as Pod);
          if (resolved.ok) {
            ports.push({
              name: servicePort.name ?? '',
              port: resolved.port,
              protocol: servicePort.protocol ?? 'TCP',
            });
          }
        }
        const terminating = Boolean(pod.metadata.deletionTimestamp);
        const ready = isReady(pod);
        const endpoint: SliceEndpoint = {
          addresses: [status.podIP],
          conditions: {
            ready: (ready || spec.publishNotReadyAddresses === true) && !terminating,
            serving: ready || spec.publishNotReadyAddresses === true,
            terminating,
          },
          ...((pod.spec as { nodeName?: string }).nodeName
            ? { nodeName: (pod.spec as { nodeName: string }).nodeName }
            : {}),
          targetRef: { kind: 'Pod', namespace, name: pod.metadata.name!, uid: pod.metadata.uid! },
        };
        const portsKey = JSON.stringify(ports);
        const group = groups.get(portsKey) ?? { ports, endpoints: [] };
        group.endpoints.push(endpoint);
        groups.set(portsKey, group);
      }
    }

    const desired: Array<{ ports: SlicePort[] | null; endpoints: SliceEndpoint[] | null }> = [];
    for (const group of groups.values()) {
      group.endpoints.sort((a, b) => a.targetRef.name.localeCompare(b.targetRef.name));
      for (let i = 0; i < group.endpoints.length; i += MAX_ENDPOINTS_PER_SLICE) {
        desired.push({
          ports: group.ports,
          endpoints: group.endpoints.slice(i, i + MAX_ENDPOINTS_PER_SLICE),
        });
      }
    }
    if (desired.length === 0) {
      // Upstream keeps one placeholder slice, with neither endpoints nor ports, for a selector that matches nothing.
      desired.push({ ports: null, endpoints: null });
    }

    const unused = [...existing];
    for (const want of desired) {
      const wantPorts = JSON.stringify(want.ports);
      const index = unused.findIndex((slice) => JSON.stringify(slice.ports ?? null) === wantPorts);
      const reuse = index >= 0 ? unused.splice(index, 1)[0] : unused.shift();
      const body = {
        addressType: 'IPv4',
        endpoints: want.endpoints,
        ports: want.ports,
      };
      const labels = {
        ...(service.metadata.labels ?? {}),
        [SERVICE_NAME_LABEL]: name,
        'endpointslice.kubernetes.io/managed-by': MANAGED_BY,
        ...(spec.clusterIP === 'None' ? { 'service.kubernetes.io/headless': '' } : {}),
      };
      if (reuse) {
        if (
          JSON.stringify({ e: reuse.endpoints ?? null, p: reuse.ports ?? null, l: reuse.metadata.labels }) ===
          JSON.stringify({ e: body.endpoints, p: body.ports, l: labels })
        ) {
          continue;
        }
        const next: KubeObject = {
          ...structuredClone(reuse),
          ...body,
          metadata: {
            ...structuredClone(reuse.metadata),
            labels,
            annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': timestamp() },
          },
        };
        this.cluster.update(type('endpointslices'), next, { user: SYSTEM_USER });
      } else {
        this.cluster.create(
          type('endpointslices'),
          {
            metadata: {
              generateName: `${name}-`,
              namespace,
              labels,
              annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': timestamp() },
              ownerReferences: [
                {
                  apiVersion: 'v1',
                  kind: 'Service',
                  name,
                  uid: service.metadata.uid,
                  controller: true,
                  blockOwnerDeletion: true,
                },
              ],
            },
            ...body,
          },
          { user: SYSTEM_USER },
        );
      }
    }
    for (const slice of unused) {
      this.cluster.store.delete(type('endpointslices'), namespace, slice.metadata.name!);
    }
  }
}
