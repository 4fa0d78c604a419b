/**
 * The explorer's Gateway API items (issue 15): per namespace a Gateways group (Gateway → its
 * listeners) and an HTTPRoutes group (HTTPRoutes and GRPCRoutes → rules → backendRefs), shown
 * only where discovery says the cluster serves gateway.networking.k8s.io (never assumed).
 *
 * The objects are read by `readGatewayApi` (src/diagnose/gatewayRead.ts: discovery, then one
 * cluster-wide list per kind), passed in by the extension from its cluster layer so that the
 * activation bundle does not pull in client-node. One read per refresh of the tree (the cache does
 * not watch these kinds yet): "Refresh" reads again. States, each shown as itself: not read yet
 * and reading ("loading…"), not served (no groups), refused (403: "no access"), failed ("not
 * read"), served (the items). No words are built here: gatewayFormat.ts does that.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { GatewayApiState } from '../analysis/external/index.ts';
import { allRoutes } from '../analysis/gateway/index.ts';
import type { AnyRoute, GatewayWorld } from '../analysis/gateway/index.ts';
import type { ClusterSession } from '../cluster/session.ts';
import { unknownWord } from './access.ts';
import type { Knowledge } from './access.ts';
import type { Presentation } from './format.ts';
import {
  backendRefPresentation,
  gatewayPresentation,
  listenerPresentation,
  routePresentation,
  rulePresentation,
} from './gatewayFormat.ts';
import type { ExplorerNode, NodeRegistry } from './nodes.ts';

export type GatewayApiReader = (
  kubeConfig: KubeConfig,
  cached: Pick<GatewayWorld, 'services' | 'namespaces'>,
) => Promise<GatewayApiState>;

type GatewayNode = Extract<ExplorerNode, { kind: 'gatewayApi' }>;

/** What the tree draws for a Gateway API node: the words, and whether it has children. */
export interface GatewayItem {
  readonly presentation: Presentation;
  readonly expandable: boolean;
}

type ReadState =
  | { readonly kind: 'idle' }
  | { readonly kind: 'reading' }
  | { readonly kind: 'read'; readonly value: GatewayApiState };

/** The Knowledge of a read, as the other groups say it (403 is "no access"). */
export function gatewayKnowledge(state: ReadState): Knowledge | 'not-served' {
  if (state.kind !== 'read') {
    return { state: 'loading' };
  }
  switch (state.value.state) {
    case 'served':
      return { state: 'known', stale: false };
    case 'not-served':
      return 'not-served';
    case 'unreadable':
      return /\b403\b|forbidden/i.test(state.value.message)
        ? { state: 'forbidden', reason: state.value.message }
        : { state: 'failed', reason: state.value.message };
  }
}

function routeKey(route: AnyRoute): string {
  return `${route.kind}/${route.route.metadata.name ?? ''}`;
}

export class GatewayExplorer {
  private readonly session: () => ClusterSession;
  private readonly nodes: NodeRegistry;
  private readonly onRead: () => void;
  private reader: GatewayApiReader | undefined;
  private state: ReadState = { kind: 'idle' };
  /** Bumped by `forget`, so that a read begun before a refresh does not land after it. */
  private generation = 0;

  constructor(session: () => ClusterSession, nodes: NodeRegistry, onRead: () => void) {
    this.session = session;
    this.nodes = nodes;
    this.onRead = onRead;
  }

  setReader(reader: GatewayApiReader): void {
    this.reader = reader;
    this.forget();
  }

  /** After a refresh or a change of context: the next look reads again. */
  forget(): void {
    this.generation += 1;
    this.state = { kind: 'idle' };
  }

  private world(): GatewayWorld | undefined {
    return this.state.kind === 'read' && this.state.value.state === 'served'
      ? this.state.value.world
      : undefined;
  }

  private startRead(): void {
    const kubeConfig = this.session().kubeConfig;
    if (this.reader === undefined || kubeConfig === undefined || this.state.kind !== 'idle') {
      return;
    }
    const generation = this.generation;
    this.state = { kind: 'reading' };
    const session = this.session();
    const cache = session.cache;
    const cached = {
      services: session.selectedNamespaces().flatMap((ns) => cache?.services(ns) ?? []),
      namespaces: cache?.namespaces() ?? [],
    } as Pick<GatewayWorld, 'services' | 'namespaces'>;
    void this.reader(kubeConfig, cached)
      .catch((error: unknown): GatewayApiState => ({ state: 'unreadable', message: String(error) }))
      .then((value) => {
        if (generation === this.generation) {
          this.state = { kind: 'read', value };
          this.onRead();
        }
      });
  }

  private node(context: string, namespace: string, parts: readonly string[]): GatewayNode {
    return this.nodes.get<GatewayNode>(`gw/${context}/${namespace}/${parts.join('/')}`, () => ({
      kind: 'gatewayApi',
      namespace,
      parts,
    }));
  }

  /** The groups a namespace shows: none when no reader is wired or the API is not served. */
  namespaceGroups(context: string, namespace: string): GatewayNode[] {
    if (this.reader === undefined) {
      return [];
    }
    this.startRead();
    if (gatewayKnowledge(this.state) === 'not-served') {
      return [];
    }
    return [this.node(context, namespace, ['gateways']), this.node(context, namespace, ['routes'])];
  }

  private gateways(namespace: string) {
    return (this.world()?.gateways ?? [])
      .filter((g) => g.metadata.namespace === namespace)
      .sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  }

  private routes(namespace: string): AnyRoute[] {
    const world = this.world();
    return (world ? allRoutes(world) : [])
      .filter((r) => r.route.metadata.namespace === namespace)
      .sort((a, b) => routeKey(a).localeCompare(routeKey(b)));
  }

  private route(namespace: string, kind: string, name: string): AnyRoute | undefined {
    return this.routes(namespace).find((r) => r.kind === kind && r.route.metadata.name === name);
  }

  /** The children of a Gateway API node; `message` builds the node shown for an unreadable list. */
  children(
    context: string,
    node: GatewayNode,
    message: (key: string, knowledge: Knowledge, kindPlural: string) => ExplorerNode,
  ): ExplorerNode[] {
    const [group, a, b, c] = node.parts;
    const ns = node.namespace;
    const knowledge = gatewayKnowledge(this.state);
    if (knowledge === 'not-served') {
      return [];
    }
    if (node.parts.length === 1 && knowledge.state !== 'known') {
      return [message(`gw/${group}`, knowledge, 'Gateway API objects')];
    }
    if (group === 'gateways') {
      if (a === undefined) {
        return this.gateways(ns).map((g) => this.node(context, ns, ['gateways', g.metadata.name ?? '']));
      }
      const gateway = this.gateways(ns).find((g) => g.metadata.name === a);
      return b === undefined
        ? (gateway?.spec?.listeners ?? []).map((l) => this.node(context, ns, ['gateways', a, 'l', l.name]))
        : [];
    }
    if (a === undefined) {
      return this.routes(ns).map((r) =>
        this.node(context, ns, ['routes', r.kind, r.route.metadata.name ?? '']),
      );
    }
    const route = b === undefined ? undefined : this.route(ns, a, b);
    if (route === undefined || b === undefined) {
      return [];
    }
    if (c === undefined) {
      return (route.route.spec?.rules ?? []).map((_, i) =>
        this.node(context, ns, ['routes', a, b, String(i)]),
      );
    }
    if (node.parts.length === 4) {
      const refs = route.route.spec?.rules?.[Number(c)]?.backendRefs ?? [];
      return refs.map((_, i) => this.node(context, ns, ['routes', a, b, c, String(i)]));
    }
    return [];
  }

  parent(context: string, node: GatewayNode): ExplorerNode | undefined {
    if (node.parts.length === 1) {
      return this.nodes.peek(`ns/${context}/${node.namespace}`);
    }
    // A listener's parts are ['gateways', name, 'l', listener]: its parent is the Gateway.
    const up = node.parts[0] === 'gateways' && node.parts.length === 4 ? 2 : 1;
    return this.node(context, node.namespace, node.parts.slice(0, node.parts.length - up));
  }

  /** The words of a node; undefined when its object is gone. */
  item(node: GatewayNode): GatewayItem | undefined {
    const [group, a, b, c, d] = node.parts;
    const ns = node.namespace;
    const world = this.world();
    if (node.parts.length === 1) {
      const knowledge = gatewayKnowledge(this.state);
      const known = knowledge !== 'not-served' && knowledge.state === 'known';
      const count = group === 'gateways' ? this.gateways(ns).length : this.routes(ns).length;
      const label = group === 'gateways' ? 'Gateways' : 'HTTPRoutes';
      return {
        presentation: {
          label,
          description: known
            ? String(count)
            : knowledge === 'not-served'
              ? 'not served'
              : unknownWord(knowledge),
          tooltip:
            group === 'gateways'
              ? 'Gateways (gateway.networking.k8s.io) in this namespace, read when the tree is refreshed'
              : 'HTTPRoutes and GRPCRoutes (gateway.networking.k8s.io) in this namespace, read when the tree is refreshed',
          icon: { id: group === 'gateways' ? 'server-environment' : 'link' },
          contextValue: 'gatewayGroup',
        },
        expandable: !known || count > 0,
      };
    }
    if (world === undefined || a === undefined) {
      return undefined;
    }
    if (group === 'gateways') {
      const gateway = this.gateways(ns).find((g) => g.metadata.name === a);
      if (gateway === undefined) {
        return undefined;
      }
      if (c === undefined) {
        return {
          presentation: gatewayPresentation(gateway, world),
          expandable: (gateway.spec?.listeners ?? []).length > 0,
        };
      }
      const listener = gateway.spec?.listeners?.find((l) => l.name === c);
      return listener
        ? { presentation: listenerPresentation(gateway, listener, world), expandable: false }
        : undefined;
    }
    const route = b === undefined ? undefined : this.route(ns, a, b);
    if (route === undefined) {
      return undefined;
    }
    if (c === undefined) {
      return {
        presentation: routePresentation(route, world),
        expandable: (route.route.spec?.rules ?? []).length > 0,
      };
    }
    const ruleIndex = Number(c);
    const rule = route.route.spec?.rules?.[ruleIndex];
    if (rule === undefined) {
      return undefined;
    }
    if (d === undefined) {
      return {
        presentation: rulePresentation(route, ruleIndex),
        expandable: (rule.backendRefs ?? []).length > 0,
      };
    }
    return {
      presentation: backendRefPresentation(
        route,
        ruleIndex,
        Number(d),
        routePresentation(route, world).warnings,
      ),
      expandable: false,
    };
  }
}

/** The object name Copy Name copies: a Gateway's, a listener's or a route's; none for groups, rules, backends. */
export function gatewayNodeName(node: { readonly parts: readonly string[] }): string | undefined {
  const [group, a, b, c] = node.parts;
  if (group === 'gateways') {
    return node.parts.length === 2 ? a : node.parts.length === 4 ? c : undefined;
  }
  return node.parts.length === 3 ? b : undefined;
}
