/**
 * Publishes where the sandbox serves a privileged port it may not listen on (dataplane/hostPorts.ts)
 * on the object that owns the address: annotation `sandbox.kubereach.dev/host-ports` on the
 * Service (its ClusterIP and load-balancer addresses), the Pod or the Gateway, so that
 * `kubectl get -o yaml` shows it and the extension reads it before probing from this machine.
 * Kubernetes has no status field for "served on another port here", hence an annotation. The
 * write is metadata only and shares spec and status with the stored object, so the data plane
 * does not reopen the listeners it describes; a user's write that drops it gets it back.
 */
import { GATEWAY_GROUP } from '../../src/analysis/gateway/index.ts';
import { formatHostPorts, HOST_PORTS_ANNOTATION } from '../../src/analysis/hostPorts.ts';
import type { KubeObject } from '../api/store.ts';
import type { ResourceType } from '../api/resources.ts';
import type { Cluster } from '../cluster.ts';
import { type } from '../cluster.ts';
import { ownerKey } from '../dataplane/hostPorts.ts';
import type { PortOwner } from '../dataplane/hostPorts.ts';

/** The kinds whose addresses the data plane listens on (store keys). */
const OWNERS = new Set(['services', 'pods', `gateways.${GATEWAY_GROUP}`]);

export class HostPortAnnotations {
  private readonly cluster: Cluster;
  private readonly dirty = new Map<string, PortOwner>();
  private scheduled = false;
  private stopped = false;
  private readonly unsubscribe: Array<() => void> = [];

  constructor(cluster: Cluster) {
    this.cluster = cluster;
    const hostPorts = cluster.dataplane.hostPorts;
    if (hostPorts.limit.lowest === 0) {
      // Every port can be listened on: nothing is ever mapped.
      return;
    }
    this.unsubscribe.push(
      hostPorts.onChange((owner) => this.schedule(owner)),
      cluster.store.subscribe((event) => {
        const resource = OWNERS.has(event.resource) ? this.resourceType(event.resource) : undefined;
        if (event.type === 'DELETED' || resource === undefined) {
          return;
        }
        const annotated = event.object.metadata.annotations?.[HOST_PORTS_ANNOTATION] !== undefined;
        const owner = { type: resource, namespace: event.namespace, name: event.object.metadata.name! };
        if (annotated || hostPorts.mappingsOf(owner).size > 0) {
          this.schedule(owner);
        }
      }),
    );
  }

  private resourceType(key: string): ResourceType | undefined {
    return key === `gateways.${GATEWAY_GROUP}`
      ? this.cluster.resources.find(GATEWAY_GROUP, 'v1', 'gateways')
      : type(key);
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe.forEach((unsubscribe) => unsubscribe());
  }

  private schedule(owner: PortOwner): void {
    this.dirty.set(ownerKey(owner), owner);
    if (this.scheduled || this.stopped) {
      return;
    }
    this.scheduled = true;
    // After the write that caused it has been dispatched to every subscriber.
    setImmediate(() => {
      this.scheduled = false;
      const owners = [...this.dirty.values()];
      this.dirty.clear();
      if (!this.stopped) {
        owners.forEach((owner) => this.reconcile(owner));
      }
    });
  }

  private reconcile(owner: PortOwner): void {
    const object = this.cluster.store.peek(owner.type, owner.namespace, owner.name);
    if (!object || object.metadata.deletionTimestamp) {
      return;
    }
    const hostPorts = this.cluster.dataplane.hostPorts;
    const mappings = hostPorts.mappingsOf(owner);
    const wanted =
      mappings.size === 0 ? undefined : formatHostPorts(hostPorts.limit.reason ?? 'unknown', mappings);
    const annotations = { ...object.metadata.annotations };
    if (annotations[HOST_PORTS_ANNOTATION] === wanted) {
      return;
    }
    if (wanted === undefined) {
      delete annotations[HOST_PORTS_ANNOTATION];
    } else {
      annotations[HOST_PORTS_ANNOTATION] = wanted;
    }
    const next: KubeObject = { ...object, metadata: { ...object.metadata, annotations } };
    if (Object.keys(annotations).length === 0) {
      delete next.metadata.annotations;
    }
    this.cluster.store.update(owner.type, next);
  }
}
