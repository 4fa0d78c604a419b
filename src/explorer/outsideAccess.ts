/**
 * What the tree reads from the cache for the items of outside access (Ingresses and Nodes): the
 * surroundings an Ingress's presentation needs, the Pods per node over the watched namespaces
 * (computed once per change), and the words each new group shows, as one string the tree compares
 * with what it last rendered to refresh a group only when its text changed. No `vscode`.
 */
import type { ClusterSession } from '../cluster/session.ts';
import { knowledgeOf, unknownWord } from './access.ts';
import type { Knowledge } from './access.ts';
import { ingressPresentation, ingressRoutePresentation, ingressRoutes } from './ingressFormat.ts';
import type { IngressInput, IngressSurroundings } from './ingressFormat.ts';
import { countPodsPerNode, nodePresentation } from './nodeFormat.ts';
import type { NodePodCounts } from './nodeFormat.ts';

export class OutsideAccessReader {
  private readonly session: () => ClusterSession;
  private podCounts: NodePodCounts | undefined;

  constructor(session: () => ClusterSession) {
    this.session = session;
  }

  nodesKnowledge(): Knowledge {
    return knowledgeOf(this.session().cache?.clusterStatus().nodes);
  }

  /** What an Ingress's presentation reads besides the Ingress. */
  ingressSurroundings(namespace: string): IngressSurroundings {
    const cache = this.session().cache;
    const status = cache?.namespaceStatus(namespace);
    return {
      services: cache?.services(namespace) ?? [],
      servicesKnowledge: knowledgeOf(status?.services),
      endpointSlices: cache?.endpointSlices(namespace) ?? [],
      endpointSlicesKnowledge: knowledgeOf(status?.endpointSlices),
      ingressClasses: cache?.ingressClasses() ?? [],
      ingressClassesKnowledge: knowledgeOf(cache?.clusterStatus().ingressClasses),
    };
  }

  /** Pods per node over the watched namespaces; computed once until `forgetPodCounts`. */
  podCountsPerNode(): NodePodCounts {
    if (this.podCounts === undefined) {
      const session = this.session();
      const cache = session.cache;
      this.podCounts = countPodsPerNode(
        session.selectedNamespaces().map((namespace) => ({
          namespace,
          pods: cache?.pods(namespace) ?? [],
          knowledge: knowledgeOf(cache?.namespaceStatus(namespace)?.pods),
        })),
      );
    }
    return this.podCounts;
  }

  /** After a change of Pods, or of the namespaces in view. */
  forgetPodCounts(): void {
    this.podCounts = undefined;
  }

  /** Everything an Ingresses group shows below it, as one string to compare. */
  ingressesText(namespace: string): string {
    const cache = this.session().cache;
    const around = this.ingressSurroundings(namespace);
    const knowledge = knowledgeOf(cache?.namespaceStatus(namespace)?.ingresses);
    const ingresses: readonly IngressInput[] = cache?.ingresses(namespace) ?? [];
    return JSON.stringify([
      unknownWord(knowledge),
      ingresses.map((ingress) => [
        ingressPresentation(ingress, around),
        ingressRoutes(ingress).map((route) => ingressRoutePresentation(ingress, route, around)),
      ]),
    ]);
  }

  /** Everything the Nodes group shows below it, as one string to compare. */
  nodesText(): string {
    const counts = this.podCountsPerNode();
    return JSON.stringify([
      unknownWord(this.nodesKnowledge()),
      (this.session().cache?.nodes() ?? []).map((node) => nodePresentation(node, counts)),
    ]);
  }
}
