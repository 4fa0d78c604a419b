/**
 * The sandbox's load-balancer controller, as MetalLB in layer-2 mode behaves where clients can
 * see it: every LoadBalancer Service without a `loadBalancerClass` gets an address from a pool
 * (127.B+2.1.0/24), written to `status.loadBalancer.ingress[].ip` with an `IPAllocated` Event;
 * a Service that asks for another class is left to that class's controller, which the sandbox
 * does not run, so it stays pending as it would on a real cluster. A fault turns the pool off:
 * new LoadBalancers then stay pending with an `AllocationFailed` warning, and get an address as
 * soon as the pool is back. The data plane serves each address (sandbox/dataplane/external.ts).
 */
import type { KubeObject } from '../api/store.ts';
import type { Cluster } from '../cluster.ts';
import { SYSTEM_USER, type } from '../cluster.ts';
import { splitKey, WorkQueue } from './queue.ts';

const SOURCE = { component: 'metallb-controller' };

interface ServiceSpec {
  type?: string;
  loadBalancerClass?: string;
  loadBalancerIP?: string;
}

interface ServiceStatus {
  loadBalancer?: { ingress?: Array<{ ip?: string; hostname?: string }> };
}

export class LoadBalancerController {
  private readonly cluster: Cluster;
  private readonly queue: WorkQueue;
  private readonly unsubscribe: () => void;
  /** The address each Service holds, by `namespace/name`. */
  private readonly assigned = new Map<string, string>();
  private poolEnabled = true;

  constructor(cluster: Cluster) {
    this.cluster = cluster;
    this.queue = new WorkQueue(
      (key) => this.reconcile(key),
      (key, error) => cluster.log(`load-balancer controller: ${key}: ${String(error)}`),
    );
    this.unsubscribe = cluster.store.subscribe((event) => {
      if (event.resource !== 'services') {
        return;
      }
      const key = `${event.namespace}/${event.object.metadata.name}`;
      if (event.type === 'DELETED') {
        this.release(key);
      } else {
        this.queue.add(key);
      }
    });
  }

  stop(): void {
    this.unsubscribe();
    this.queue.stop();
  }

  get enabled(): boolean {
    return this.poolEnabled;
  }

  /** The fault: with the pool off, no new address is given (those given are kept, as MetalLB keeps them). */
  setPoolEnabled(enabled: boolean): void {
    this.poolEnabled = enabled;
    if (enabled) {
      for (const { object } of this.cluster.store.list(type('services'))) {
        this.queue.add(`${object.metadata.namespace}/${object.metadata.name}`);
      }
    }
  }

  private reconcile(key: string): void {
    const [namespace, name] = splitKey(key);
    const service = this.cluster.store.peek(type('services'), namespace, name);
    if (!service) {
      this.release(key);
      return;
    }
    const spec = service.spec as ServiceSpec;
    const status = (service.status ?? {}) as ServiceStatus;
    const current = status.loadBalancer?.ingress?.[0]?.ip;
    const ours = spec.type === 'LoadBalancer' && spec.loadBalancerClass === undefined;
    if (!ours) {
      if (spec.type !== 'LoadBalancer' && this.assigned.has(key)) {
        // No longer a LoadBalancer: the address goes back to the pool and the status is cleared.
        this.release(key);
        this.writeStatus(service, {});
      }
      return;
    }
    const held = this.assigned.get(key);
    if (held !== undefined && current === held) {
      return;
    }
    if (held === undefined && !this.poolEnabled) {
      this.event(
        service,
        'Warning',
        'AllocationFailed',
        `Failed to allocate IP for "${key}": no available IPs`,
      );
      return;
    }
    let ip = held;
    if (ip === undefined) {
      try {
        ip = this.cluster.addresses.loadBalancers.allocate();
      } catch {
        this.event(
          service,
          'Warning',
          'AllocationFailed',
          `Failed to allocate IP for "${key}": no available IPs`,
        );
        return;
      }
      this.assigned.set(key, ip);
    }
    this.writeStatus(service, { ingress: [{ ip, ipMode: 'VIP' }] });
    this.event(service, 'Normal', 'IPAllocated', `Assigned IP ["${ip}"]`);
  }

  private release(key: string): void {
    const ip = this.assigned.get(key);
    if (ip !== undefined) {
      this.cluster.addresses.loadBalancers.release(ip);
      this.assigned.delete(key);
    }
  }

  private writeStatus(service: KubeObject, loadBalancer: Record<string, unknown>): void {
    this.cluster.update(
      type('services'),
      { ...service, status: { ...(service.status as Record<string, unknown> | undefined), loadBalancer } },
      { subresource: 'status', user: SYSTEM_USER },
    );
  }

  private event(service: KubeObject, eventType: 'Normal' | 'Warning', reason: string, message: string): void {
    this.cluster.events.record(
      { ...service, kind: 'Service' },
      { type: eventType, reason, message, source: SOURCE },
    );
  }
}
