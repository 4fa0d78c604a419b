/**
 * The status half of the sandbox's Ingress controller: writes `status.loadBalancer.ingress` of
 * every Ingress its running controller Pods serve, as ingress-nginx's status sync does. The
 * address is the LoadBalancer address of the Service named by the controller's
 * `--publish-service` (none while that Service is pending), or, without the flag, the addresses
 * of the nodes the controller Pods run on. Which Ingresses a class serves is the shared router's
 * answer (src/analysis/ingress.ts), so the status and the routing cannot disagree.
 *
 * A controller Pod is a running Pod with a container port in listener mode `ingress-controller`
 * (the data plane's proxy, dataplane/ingressProxy.ts); its args say which class it serves, unless
 * that IngressClass names another controller.
 * Ingresses of no served class are left alone, and so is a class's status once its last
 * controller Pod is gone (ingress-nginx clears it on shutdown unless told not to).
 */
import { ingressesOfClass } from '../../src/analysis/ingress.ts';
import type { Ingress, IngressClass, IngressLoadBalancerIngress } from '../../src/analysis/ingress.ts';
import type { KubeObject } from '../api/store.ts';
import type { Cluster } from '../cluster.ts';
import { SYSTEM_USER, type } from '../cluster.ts';
import { classRefusal, containerArgs, controllerSettings } from '../dataplane/ingressProxy.ts';
import { WorkQueue } from './queue.ts';

const WATCHED = new Set(['services', 'ingresses.networking.k8s.io', 'ingressclasses.networking.k8s.io']);

export class IngressStatusController {
  private readonly cluster: Cluster;
  private readonly queue: WorkQueue;
  private readonly unsubscribe: () => void;
  /** The controller Pods, by namespace/name: only their changes concern this controller among Pods'. */
  private readonly controllerPods = new Map<string, { pod: KubeObject; container: string }>();

  constructor(cluster: Cluster) {
    this.cluster = cluster;
    this.queue = new WorkQueue(
      () => this.reconcile(),
      (_key, error) => cluster.log(`ingress status controller: ${String(error)}`),
    );
    this.unsubscribe = cluster.store.subscribe((event) => {
      if (event.resource === 'pods') {
        const key = `${event.namespace}/${event.object.metadata.name}`;
        const container = event.type === 'DELETED' ? undefined : this.controllerContainer(event.object);
        if (container !== undefined) {
          this.controllerPods.set(key, { pod: event.object, container });
          this.queue.add('all');
        } else if (this.controllerPods.delete(key)) {
          this.queue.add('all');
        }
      } else if (WATCHED.has(event.resource)) {
        // Its own status writes come back here once; the second pass finds nothing to change.
        this.queue.add('all');
      }
    });
  }

  stop(): void {
    this.unsubscribe();
    this.queue.stop();
  }

  /** The controller Pods running now, with the class each serves and the addresses it publishes. */
  private controllers(): Array<{ ingressClass: string; addresses: IngressLoadBalancerIngress[] }> {
    const found: Array<{ ingressClass: string; addresses: IngressLoadBalancerIngress[] }> = [];
    for (const { pod, container } of this.controllerPods.values()) {
      if (
        (pod.status as { phase?: string } | undefined)?.phase !== 'Running' ||
        pod.metadata.deletionTimestamp
      ) {
        continue;
      }
      const settings = controllerSettings(containerArgs(pod, container));
      let addresses: IngressLoadBalancerIngress[];
      if (settings.publishService) {
        const service = this.cluster.store.peek(
          type('services'),
          settings.publishService.namespace,
          settings.publishService.name,
        );
        const published =
          (service?.status as { loadBalancer?: { ingress?: IngressLoadBalancerIngress[] } } | undefined)
            ?.loadBalancer?.ingress ?? [];
        addresses = published.flatMap((entry): IngressLoadBalancerIngress[] =>
          entry.ip ? [{ ip: entry.ip }] : entry.hostname ? [{ hostname: entry.hostname }] : [],
        );
      } else {
        const hostIP = (pod.status as { hostIP?: string }).hostIP;
        addresses = hostIP ? [{ ip: hostIP }] : [];
      }
      found.push({ ingressClass: settings.ingressClass, addresses });
    }
    return found;
  }

  private controllerContainer(pod: KubeObject): string | undefined {
    const containers =
      (
        pod.spec as {
          containers?: Array<{ name: string; ports?: Array<{ containerPort: number; name?: string }> }>;
        }
      ).containers ?? [];
    for (const container of containers) {
      for (const port of container.ports ?? []) {
        if (this.cluster.scenario.listenerFor(pod, container.name, port).mode === 'ingress-controller') {
          return container.name;
        }
      }
    }
    return undefined;
  }

  private reconcile(): void {
    const byClass = new Map<string, IngressLoadBalancerIngress[]>();
    for (const { ingressClass, addresses } of this.controllers()) {
      const known = byClass.get(ingressClass) ?? [];
      for (const address of addresses) {
        if (!known.some((k) => k.ip === address.ip && k.hostname === address.hostname)) {
          known.push(address);
        }
      }
      byClass.set(ingressClass, known);
    }
    if (byClass.size === 0) {
      return;
    }
    const ingresses = this.cluster.store.list(type('ingresses')).map((entry) => entry.object);
    const classes = this.cluster.store
      .list(type('ingressclasses'))
      .map((entry) => entry.object as unknown as IngressClass);
    for (const [className, addresses] of byClass) {
      if (classRefusal(classes, className) !== undefined) {
        continue;
      }
      const { members } = ingressesOfClass(ingresses as unknown as Ingress[], classes, className);
      const desired = [...addresses].sort((a, b) =>
        (a.ip ?? a.hostname ?? '').localeCompare(b.ip ?? b.hostname ?? ''),
      );
      for (const member of members as unknown as KubeObject[]) {
        const current =
          (member.status as { loadBalancer?: { ingress?: IngressLoadBalancerIngress[] } } | undefined)
            ?.loadBalancer?.ingress ?? [];
        if (JSON.stringify(current) === JSON.stringify(desired)) {
          continue;
        }
        this.cluster.update(
          type('ingresses'),
          { ...member, status: { loadBalancer: desired.length > 0 ? { ingress: desired } : {} } },
          { subresource: 'status', user: SYSTEM_USER },
        );
      }
    }
  }
}
