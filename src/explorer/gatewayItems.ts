/**
 * The explorer's Gateway API items (issue 15): per namespace a Gateways group (Gateway → its
 * listeners) and an HTTPRoutes group (HTTPRoutes and GRPCRoutes → rules → backendRefs), and under
 * the context a GatewayClasses group (cluster-scoped; its node's namespace is ''), shown only
 * where discovery says the cluster serves gateway.networking.k8s.io (never assumed).
 *
 * The objects come from the session's ClusterCache (src/cluster/gatewayWatch.ts: informers on
 * the watched namespaces' Gateways and routes, GatewayClasses and ReferenceGrants cluster-wide),
 * so the items are live: the tree redraws them on the cache's `gatewayApi` changes. States, each
 * shown as itself and kept per kind: discovering or listing ("loading…"), not served (no groups),
 * refused (403: "no access"), failed ("not read"), ready (the items). The Gateways group follows
 * the namespace's Gateways; the HTTPRoutes group shows the route kinds it could read and a message
 * for a kind it could not; unreadable GatewayClasses or ReferenceGrants (cluster-wide, often
 * refused to a namespace-scoped identity) hide nothing: the items say what is therefore not known
 * instead of warning from the lists' absence. No words are built here: gatewayFormat.ts does that.
 */
import { allRoutes } from '../analysis/gateway/index.ts';
import type { AnyRoute, GatewayWorld } from '../analysis/gateway/index.ts';
import type { GatewayApiStatus, GatewayPlural } from '../cluster/gatewayWatch.ts';
import type { ClusterSession } from '../cluster/session.ts';
import { knowledgeOf, unknownWord } from './access.ts';
import type { Knowledge } from './access.ts';
import type { Presentation } from './format.ts';
import {
  backendRefPresentation,
  gatewayPresentation,
  listenerPresentation,
  routePresentation,
  rulePresentation,
} from './gatewayFormat.ts';
import type { UnreadWords } from './gatewayFormat.ts';
import { gatewayClassPresentation } from './gatewayClassFormat.ts';
import type { ClassUsers } from './gatewayClassFormat.ts';
import type { ExplorerNode, NodeRegistry } from './nodes.ts';

type GatewayNode = Extract<ExplorerNode, { kind: 'gatewayApi' }>;

/** What the tree draws for a Gateway API node: the words, and whether it has children. */
export interface GatewayItem {
  readonly presentation: Presentation;
  readonly expandable: boolean;
}

/** The Knowledge of the cache's Gateway API status, as the other groups say it (403 is "no access"). */
export function gatewayKnowledge(status: GatewayApiStatus | undefined): Knowledge | 'not-served' {
  switch (status?.state) {
    case undefined:
    case 'loading':
      return { state: 'loading' };
    case 'ready':
      return { state: 'known', stale: false };
    case 'notServed':
      return 'not-served';
    case 'forbidden':
      return { state: 'forbidden', reason: status.message };
    case 'error':
      return { state: 'failed', reason: status.message };
  }
}

function routeKey(route: AnyRoute): string {
  return `${route.kind}/${route.route.metadata.name ?? ''}`;
}

export class GatewayExplorer {
  private readonly session: () => ClusterSession;
  private readonly nodes: NodeRegistry;
  /** The world built from the cache, kept until the next `forget` (a change or a refresh). */
  private built: GatewayWorld | undefined;

  constructor(session: () => ClusterSession, nodes: NodeRegistry) {
    this.session = session;
    this.nodes = nodes;
  }

  /** After a change of the cache's Gateway API objects, a refresh or a change of context. */
  forget(): void {
    this.built = undefined;
  }

  private status(namespace: string): GatewayApiStatus | undefined {
    return this.session().cache?.gatewayApi?.status(namespace);
  }

  private kind(plural: GatewayPlural, namespace?: string): Knowledge | 'not-served' {
    return gatewayKnowledge(this.session().cache?.gatewayApi?.kindStatus(plural, namespace));
  }

  /** A group's kinds: the Gateways, or the two route kinds. */
  private groupKinds(group: string | undefined): readonly ('gateways' | 'httproutes' | 'grpcroutes')[] {
    return group === 'gateways' ? ['gateways'] : ['httproutes', 'grpcroutes'];
  }

  /** A group's state: known when any of its kinds is (what is readable shows), else the first kind's. */
  private groupKnowledge(group: string | undefined, namespace: string): Knowledge | 'not-served' {
    const states = this.groupKinds(group).map((plural) => this.kind(plural, namespace));
    const known = states.find((k) => k !== 'not-served' && k.state === 'known');
    return known ?? states.find((k) => k !== 'not-served') ?? 'not-served';
  }

  /** `GRPCRoutes: no access` for a route kind of the group that could not be read while another could. */
  private unreadRouteKinds(group: string | undefined, namespace: string): string[] {
    return this.groupKinds(group).flatMap((plural) => {
      const state = this.kind(plural, namespace);
      return state === 'not-served' || state.state === 'known'
        ? []
        : [`${plural === 'httproutes' ? 'HTTPRoutes' : 'GRPCRoutes'}: ${unknownWord(state)}`];
    });
  }

  /** The cluster-wide lists the warnings need, with the word for those that could not be read. */
  private unread(): UnreadWords {
    const word = (plural: 'gatewayclasses' | 'referencegrants') => {
      const knowledge = this.kind(plural);
      // Not served: no such objects exist, which is what the empty list says.
      return knowledge === 'not-served' || knowledge.state === 'known' ? undefined : unknownWord(knowledge);
    };
    const gatewayClasses = word('gatewayclasses');
    const referenceGrants = word('referencegrants');
    // Services and Gateways are read in the namespaces in view only: a reference elsewhere is not
    // known to be missing.
    const inView = new Set(this.session().selectedNamespaces());
    const cache = this.session().cache;
    const notInView = 'not loaded: its namespace is not in view';
    return {
      ...(gatewayClasses === undefined ? {} : { gatewayClasses }),
      ...(referenceGrants === undefined ? {} : { referenceGrants }),
      services: (namespace) => {
        if (!inView.has(namespace)) {
          return notInView;
        }
        const knowledge = knowledgeOf(cache?.namespaceStatus(namespace)?.services);
        return knowledge.state === 'known' ? undefined : unknownWord(knowledge);
      },
      gateways: (namespace) => {
        if (!inView.has(namespace)) {
          return notInView;
        }
        const knowledge = this.kind('gateways', namespace);
        return knowledge === 'not-served' || knowledge.state === 'known' ? undefined : unknownWord(knowledge);
      },
    };
  }

  private world(): GatewayWorld | undefined {
    if (this.built !== undefined) {
      return this.built;
    }
    const session = this.session();
    const cache = session.cache;
    const watch = cache?.gatewayApi;
    if (cache === undefined || watch === undefined) {
      return undefined;
    }
    const namespaces = session.selectedNamespaces();
    const all = (plural: 'gateways' | 'httproutes' | 'grpcroutes') =>
      namespaces.flatMap((ns) => watch.objects(plural, ns));
    this.built = {
      gatewayClasses: watch.clusterObjects('gatewayclasses') as unknown as GatewayWorld['gatewayClasses'],
      gateways: all('gateways') as unknown as GatewayWorld['gateways'],
      httpRoutes: all('httproutes') as unknown as GatewayWorld['httpRoutes'],
      grpcRoutes: all('grpcroutes') as unknown as GatewayWorld['grpcRoutes'],
      referenceGrants: watch.clusterObjects('referencegrants') as unknown as GatewayWorld['referenceGrants'],
      services: namespaces.flatMap((ns) => cache.services(ns)) as unknown as GatewayWorld['services'],
      namespaces: cache.namespaces() as unknown as GatewayWorld['namespaces'],
    };
    return this.built;
  }

  private node(context: string, namespace: string, parts: readonly string[]): GatewayNode {
    return this.nodes.get<GatewayNode>(`gw/${context}/${namespace}/${parts.join('/')}`, () => ({
      kind: 'gatewayApi',
      namespace,
      parts,
    }));
  }

  /** The groups a namespace shows: none without a cache or where the API is not served. */
  namespaceGroups(context: string, namespace: string): GatewayNode[] {
    if (this.session().cache?.gatewayApi === undefined) {
      return [];
    }
    if (gatewayKnowledge(this.status(namespace)) === 'not-served') {
      return [];
    }
    return [this.node(context, namespace, ['gateways']), this.node(context, namespace, ['routes'])];
  }

  /** Whether the context shows a GatewayClasses group: wherever the kind is (or may be) served. */
  private showsClasses(): boolean {
    return this.session().cache?.gatewayApi !== undefined && this.kind('gatewayclasses') !== 'not-served';
  }

  private classGroupShown: boolean | undefined;

  /** The groups under the context (cluster-scoped kinds): GatewayClasses, beside Nodes. */
  contextGroups(context: string): GatewayNode[] {
    this.classGroupShown = this.showsClasses();
    return this.classGroupShown ? [this.node(context, '', ['classes'])] : [];
  }

  /**
   * What a change of the Gateway API redraws above the namespaces: the GatewayClasses group, or
   * the context when the group comes or goes; nothing before the context was drawn.
   */
  classesToRedraw(context: string): ExplorerNode | undefined {
    if (this.classGroupShown === undefined) {
      return undefined;
    }
    if (this.showsClasses() !== this.classGroupShown) {
      return this.nodes.peek(`ctx/${context}`);
    }
    return this.classGroupShown ? this.node(context, '', ['classes']) : undefined;
  }

  private gatewayClasses() {
    return [...(this.world()?.gatewayClasses ?? [])].sort((a, b) =>
      (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''),
    );
  }

  /** The Gateways of the watched namespaces using a class, and the namespaces whose Gateways were not read. */
  private classUsers(className: string): ClassUsers {
    const watched = this.session().selectedNamespaces();
    return {
      gateways: (this.world()?.gateways ?? []).filter((g) => g.spec?.gatewayClassName === className),
      unread: watched.flatMap((namespace) => {
        const knowledge = this.kind('gateways', namespace);
        return knowledge === 'not-served' || knowledge.state === 'known'
          ? []
          : [{ namespace, word: unknownWord(knowledge) }];
      }),
      watched,
    };
  }

  /** The GatewayClasses group's children, its words, and a class's words (gatewayClassFormat.ts). */
  private classChildren(
    context: string,
    message: (key: string, knowledge: Knowledge, kindPlural: string) => ExplorerNode,
  ): ExplorerNode[] {
    const knowledge = this.kind('gatewayclasses');
    if (knowledge === 'not-served') {
      return [];
    }
    if (knowledge.state !== 'known') {
      return [message('gw/classes', knowledge, 'GatewayClasses')];
    }
    return this.gatewayClasses().map((c) => this.node(context, '', ['classes', c.metadata.name ?? '']));
  }

  private classItem(name: string | undefined): GatewayItem | undefined {
    if (name === undefined) {
      const knowledge = this.kind('gatewayclasses');
      const known = knowledge !== 'not-served' && knowledge.state === 'known';
      const count = this.gatewayClasses().length;
      return {
        presentation: {
          label: 'GatewayClasses',
          description: known
            ? String(count)
            : knowledge === 'not-served'
              ? 'not served'
              : unknownWord(knowledge),
          tooltip:
            'GatewayClasses (gateway.networking.k8s.io), cluster-wide: the controller each names and whether it accepted the class',
          icon: { id: 'symbol-class' },
          contextValue: 'gatewayClassGroup',
        },
        expandable: !known || count > 0,
      };
    }
    const gatewayClass = this.gatewayClasses().find((c) => c.metadata.name === name);
    return gatewayClass === undefined
      ? undefined
      : { presentation: gatewayClassPresentation(gatewayClass, this.classUsers(name)), expandable: false };
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
    if (group === 'classes') {
      return a === undefined ? this.classChildren(context, message) : [];
    }
    const ns = node.namespace;
    const knowledge = this.groupKnowledge(group, ns);
    if (knowledge === 'not-served') {
      return [];
    }
    if (node.parts.length === 1 && knowledge.state !== 'known') {
      return [
        message(`gw/${group}`, knowledge, group === 'gateways' ? 'Gateways' : 'HTTPRoutes and GRPCRoutes'),
      ];
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
      // A route kind that could not be read says so above the routes of the kind that could.
      const unreadable = (['httproutes', 'grpcroutes'] as const).flatMap((plural) => {
        const state = this.kind(plural, ns);
        return state === 'not-served' || state.state === 'known'
          ? []
          : [message(`gw/routes/${plural}`, state, plural === 'httproutes' ? 'HTTPRoutes' : 'GRPCRoutes')];
      });
      return [
        ...unreadable,
        ...this.routes(ns).map((r) =>
          this.node(context, ns, ['routes', r.kind, r.route.metadata.name ?? '']),
        ),
      ];
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
    if (node.parts[0] === 'classes') {
      return node.parts.length === 1
        ? this.nodes.peek(`ctx/${context}`)
        : this.node(context, '', ['classes']);
    }
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
    if (group === 'classes') {
      return this.classItem(a);
    }
    const ns = node.namespace;
    const world = this.world();
    if (node.parts.length === 1) {
      const knowledge = this.groupKnowledge(group, ns);
      const known = knowledge !== 'not-served' && knowledge.state === 'known';
      const count = group === 'gateways' ? this.gateways(ns).length : this.routes(ns).length;
      const label = group === 'gateways' ? 'Gateways' : 'HTTPRoutes';
      return {
        presentation: {
          label,
          description: known
            ? [String(count), ...this.unreadRouteKinds(group, ns)].join(' · ')
            : knowledge === 'not-served'
              ? 'not served'
              : unknownWord(knowledge),
          tooltip:
            group === 'gateways'
              ? 'Gateways (gateway.networking.k8s.io) in this namespace'
              : 'HTTPRoutes and GRPCRoutes (gateway.networking.k8s.io) in this namespace',
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
          presentation: gatewayPresentation(gateway, world, this.unread()),
          expandable: (gateway.spec?.listeners ?? []).length > 0,
        };
      }
      const listener = gateway.spec?.listeners?.find((l) => l.name === c);
      return listener
        ? { presentation: listenerPresentation(gateway, listener, world, this.unread()), expandable: false }
        : undefined;
    }
    const route = b === undefined ? undefined : this.route(ns, a, b);
    if (route === undefined) {
      return undefined;
    }
    if (c === undefined) {
      return {
        presentation: routePresentation(route, world, this.unread()),
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
        routePresentation(route, world, this.unread()).warnings,
        this.unread(),
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
  if (group === 'classes') {
    return a;
  }
  return node.parts.length === 3 ? b : undefined;
}
