/**
 * The cluster explorer: contexts → Nodes, and namespaces → Pods, Services and Ingresses, read
 * from the session's cache and refreshed from its coalesced changes, one tree event per change,
 * naming only what changed.
 */
import * as vscode from 'vscode';
import type { V1Pod } from '@kubernetes/client-node';
import {
  matchesRequirements,
  parseLabelSelectorString,
  podLabelIndex,
  selectorCandidates,
} from '../analysis/labels.ts';
import type { LabelRequirement } from '../analysis/labels.ts';
import type { ClusterChange } from '../cluster/changes.ts';
import type { ClusterSession } from '../cluster/session.ts';
import { redact } from '../logging/redact.ts';
import { knowledgeOf, unknownWord, unreadableMessage } from './access.ts';
import { contextRowPresentation } from './contextShown.ts';
import { connectionMessage } from './connectionMessage.ts';
import type { Knowledge } from './access.ts';
import { ingressPresentation, ingressRoutePresentation, ingressRoutes } from './ingressFormat.ts';
import { nodePresentation, nodesGroupDescription } from './nodeFormat.ts';
import { OutsideAccessReader } from './outsideAccess.ts';
import { GatewayExplorer } from './gatewayItems.ts';
import {
  containerPortPresentation,
  containerPresentation,
  contextPresentation,
  endpointPresentation,
  namespacePresentation,
  podPresentation,
  podTooltip,
  servicePresentation,
} from './format.ts';
import type { NamespaceCounts, Presentation } from './format.ts';
import { ids, NodeRegistry } from './nodes.ts';
import type { ExplorerNode, MessageAction, NamespaceGroup } from './nodes.ts';

type Node = ExplorerNode;

export class ClusterTreeProvider implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | Node[] | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly nodes = new NodeRegistry();
  private sessionValue: ClusterSession | undefined;
  private unsubscribe: () => void = () => undefined;
  /** Namespace descriptions last shown, to refresh a namespace node only when its own text changes. */
  private readonly shownNamespaceText = new Map<string, string>();
  /** `namespaceCounts`, until a change of the namespace's Pods or Services (or their access). */
  private readonly counts = new Map<string, NamespaceCounts>();
  /** Each namespace's Pods by label, until a change of its Pods (`podsSelectable`). */
  private readonly podsByLabel = new Map<string, (key: string, value: string) => readonly V1Pod[]>();
  /** Pod names last listed per namespace, to refresh a Pods group only when membership changes. */
  private readonly shownPods = new Map<string, string>();
  /** Whether EndpointSlices were readable per namespace when last shown, to refresh its Services. */
  private readonly shownEndpointAccess = new Map<string, string>();
  /** What an Ingresses group showed per namespace (its items' words), to refresh it only when that changes. */
  private readonly shownIngresses = new Map<string, string>();
  /** What the Nodes group showed (its items' words), likewise. */
  private shownNodes: string | undefined;
  /** What the Ingresses and Nodes items read, with the Pods per node computed once per change. */
  private readonly outside = new OutsideAccessReader(() => this.session);
  /** The Gateway API items, read from the cache and redrawn on its `gatewayApi` changes. */
  private readonly gateways = new GatewayExplorer(() => this.session, this.nodes);
  private filterCache: { text: string; requirements: LabelRequirement[] | undefined } | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  readonly now: () => number;

  /** Without a session (it is loaded just after activation) the tree shows "Loading…" until `attach`. */
  constructor(session?: ClusterSession, options: { now?: () => number } = {}) {
    this.now = options.now ?? Date.now;
    if (session) {
      this.attach(session);
    }
  }

  attach(session: ClusterSession): void {
    this.unsubscribe();
    this.sessionValue = session;
    this.unsubscribe = session.onDidChange((event) => {
      if (event.kind === 'cache') {
        this.onCacheChange(event.change);
      } else {
        this.refreshAll();
      }
    });
    this.refreshAll();
  }

  private get session(): ClusterSession {
    // Only reached with a session: every entry point checks `sessionValue` first.
    return this.sessionValue!;
  }

  dispose(): void {
    this.unsubscribe();
    this.changed.dispose();
    clearTimeout(this.retryTimer);
  }

  refreshAll(): void {
    this.nodes.clear();
    this.counts.clear();
    this.podsByLabel.clear();
    this.shownNamespaceText.clear();
    this.shownPods.clear();
    this.shownEndpointAccess.clear();
    this.shownIngresses.clear();
    this.shownNodes = undefined;
    this.outside.forgetPodCounts();
    this.gateways.forget();
    this.changed.fire(undefined);
  }

  /** The node a command argument or a reveal refers to. */
  podNode(namespace: string, name: string): Node | undefined {
    const context = this.sessionValue?.context?.name;
    return context
      ? this.nodes.get(ids.pod(context, namespace, name), () => ({ kind: 'pod', namespace, name }))
      : undefined;
  }

  serviceNode(namespace: string, name: string): Node | undefined {
    const context = this.sessionValue?.context?.name;
    return context
      ? this.nodes.get(ids.service(context, namespace, name), () => ({ kind: 'service', namespace, name }))
      : undefined;
  }

  /** The node of an Ingress, for the palette's pickers and reveal. */
  ingressTreeNode(namespace: string, name: string): Node | undefined {
    const context = this.sessionValue?.context?.name;
    return context ? this.ingressNode(context, namespace, name) : undefined;
  }

  /** The node of a cluster Node, for the palette's pickers and reveal. */
  clusterNodeTreeNode(name: string): Node | undefined {
    const context = this.sessionValue?.context?.name;
    return context ? this.nodeNode(context, name) : undefined;
  }

  getParent(node: Node): Node | undefined {
    const context = this.sessionValue?.context?.name;
    if (!context) {
      return undefined;
    }
    switch (node.kind) {
      case 'namespace':
        return this.contextNode(context);
      case 'group':
        return this.namespaceNode(context, node.namespace);
      case 'pod':
        return this.groupNode(context, node.namespace, 'pods');
      case 'service':
        return this.groupNode(context, node.namespace, 'services');
      case 'container':
        return this.podNode(node.namespace, node.pod);
      case 'containerPort':
        return this.nodes.get(ids.container(context, node.namespace, node.pod, node.container), () => ({
          kind: 'container',
          namespace: node.namespace,
          pod: node.pod,
          container: node.container,
        }));
      case 'endpoint':
        return this.serviceNode(node.namespace, node.service);
      case 'nodeGroup':
        return this.contextNode(context);
      case 'node':
        return this.nodeGroupNode(context);
      case 'ingress':
        return this.groupNode(context, node.namespace, 'ingresses');
      case 'ingressRule':
        return this.ingressNode(context, node.namespace, node.ingress);
      case 'gatewayApi':
        return this.gateways.parent(context, node);
      default:
        return undefined;
    }
  }

  getChildren(node?: Node): Node[] {
    if (!this.sessionValue) {
      return node
        ? []
        : [this.nodes.replace({ kind: 'message', id: 'msg/loading', text: 'Loading…', severity: 'info' })];
    }
    const context = this.session.context?.name;
    if (!node) {
      return this.rootChildren();
    }
    if (node.kind === 'message') {
      return (node.actions ?? []).map((action) =>
        this.nodes.replace({ kind: 'action', id: `${node.id}/${action.command}`, action }),
      );
    }
    if (!context) {
      return [];
    }
    const cache = this.session.cache;
    switch (node.kind) {
      case 'context':
        return node.context === context ? this.contextChildren(context) : [];
      case 'namespace': {
        const access = this.access(node.namespace);
        if (access.pods.state === 'forbidden' && access.services.state === 'forbidden') {
          return [this.accessMessage(node.namespace, 'namespace', access.pods, 'Pods or Services')];
        }
        return [
          this.groupNode(context, node.namespace, 'pods'),
          this.groupNode(context, node.namespace, 'services'),
          this.groupNode(context, node.namespace, 'ingresses'),
          ...this.gateways.namespaceGroups(context, node.namespace),
        ];
      }
      case 'group': {
        const knowledge = this.access(node.namespace)[node.group];
        if (knowledge.state !== 'known') {
          return [this.accessMessage(node.namespace, node.group, knowledge, GROUP_LABELS[node.group])];
        }
        if (node.group === 'pods') {
          return this.visiblePods(node.namespace).map((pod) =>
            this.podNode(node.namespace, pod.metadata!.name!)!,
          );
        }
        if (node.group === 'ingresses') {
          return (cache?.ingresses(node.namespace) ?? [])
            .map((ingress) => ingress.metadata?.name ?? '')
            .sort(compareNames)
            .map((name) => this.ingressNode(context, node.namespace, name));
        }
        return [...(cache?.services(node.namespace) ?? [])]
          .map((service) => service.metadata!.name!)
          .sort()
          .map((name) => this.serviceNode(node.namespace, name)!);
      }
      case 'pod': {
        const pod = cache?.pod(node.namespace, node.name);
        return (pod?.spec?.containers ?? []).map((container) =>
          this.nodes.get(ids.container(context, node.namespace, node.name, container.name), () => ({
            kind: 'container',
            namespace: node.namespace,
            pod: node.name,
            container: container.name,
          })),
        );
      }
      case 'container': {
        const container = cache
          ?.pod(node.namespace, node.pod)
          ?.spec?.containers.find((c) => c.name === node.container);
        return (container?.ports ?? []).map((_, index) =>
          this.nodes.get(ids.containerPort(context, node.namespace, node.pod, node.container, index), () => ({
            kind: 'containerPort',
            namespace: node.namespace,
            pod: node.pod,
            container: node.container,
            index,
          })),
        );
      }
      case 'service': {
        const slicesKnown = this.access(node.namespace).endpointSlices;
        if (slicesKnown.state !== 'known') {
          return [
            this.accessMessage(node.namespace, `endpoints/${node.name}`, slicesKnown, 'EndpointSlices'),
          ];
        }
        const endpoints = (cache?.endpointSlices(node.namespace, node.name) ?? []).flatMap((slice) =>
          (slice.endpoints ?? []).map((endpoint) => ({ endpoint, slice })),
        );
        return endpoints
          .sort((a, b) => (a.endpoint.targetRef?.name ?? '').localeCompare(b.endpoint.targetRef?.name ?? ''))
          .map(({ endpoint }) => {
            const address = endpoint.addresses[0] ?? '';
            return this.nodes.get(ids.endpoint(context, node.namespace, node.name, address), () => ({
              kind: 'endpoint',
              namespace: node.namespace,
              service: node.name,
              address,
              pod: endpoint.targetRef?.name,
            }));
          });
      }
      case 'nodeGroup': {
        const knowledge = this.outside.nodesKnowledge();
        if (knowledge.state !== 'known') {
          return [this.accessMessage(undefined, 'nodes', knowledge, 'Nodes')];
        }
        return (cache?.nodes() ?? []).map((n) => this.nodeNode(context, n.metadata?.name ?? ''));
      }
      case 'ingress': {
        const ingress = cache?.ingress(node.namespace, node.name);
        return ingress
          ? ingressRoutes(ingress).map((route) =>
              this.nodes.get(ids.ingressRule(context, node.namespace, node.name, route.key), () => ({
                kind: 'ingressRule',
                namespace: node.namespace,
                ingress: node.name,
                key: route.key,
              })),
            )
          : [];
      }
      case 'gatewayApi':
        return this.gateways.children(context, node, (key, knowledge, kinds) =>
          // GatewayClasses are cluster-scoped: their node's namespace is ''.
          this.accessMessage(node.namespace || undefined, key, knowledge, kinds),
        );
      default:
        return [];
    }
  }

  getTreeItem(node: Node): vscode.TreeItem {
    const context = this.sessionValue?.context?.name ?? '';
    const cache = this.sessionValue?.cache;
    switch (node.kind) {
      case 'context': {
        const info = this.session.contexts().find((c) => c.name === node.context);
        const active = node.context === context;
        const current = node.context === this.session.kubeconfigCurrentContext;
        const item = this.item(
          contextRowPresentation(contextPresentation(info ?? { name: node.context }, current), {
            shown: active,
            current,
          }),
          active ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None,
          // VS Code keeps the collapsed state it last saw for an id: a context that becomes the one
          // shown gets a new id, so that it opens expanded after Switch Context.
          active ? `${node.id}/shown` : node.id,
        );
        item.contextValue = active ? 'context.active' : 'context';
        if (!active) {
          item.command = {
            command: 'kubereach.switchContext',
            title: 'Switch Context',
            arguments: [node.context],
          };
        }
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(
          node.text,
          node.actions?.length
            ? vscode.TreeItemCollapsibleState.Expanded
            : vscode.TreeItemCollapsibleState.None,
        );
        item.id = node.id;
        item.iconPath = new vscode.ThemeIcon(
          node.severity === 'error' ? 'error' : node.severity === 'warning' ? 'warning' : 'info',
          new vscode.ThemeColor(
            node.severity === 'error'
              ? 'list.errorForeground'
              : node.severity === 'warning'
                ? 'list.warningForeground'
                : 'foreground',
          ),
        );
        item.tooltip = node.detail ?? node.text;
        item.contextValue = 'message';
        return item;
      }
      case 'action': {
        const item = new vscode.TreeItem(node.action.title, vscode.TreeItemCollapsibleState.None);
        item.id = node.id;
        item.iconPath = new vscode.ThemeIcon('arrow-right');
        item.command = {
          command: node.action.command,
          title: node.action.title,
          arguments: [...(node.action.arguments ?? [])],
        };
        item.contextValue = 'action';
        return item;
      }
      case 'namespace': {
        const presentation = namespacePresentation(node.namespace, this.namespaceCounts(node.namespace));
        this.shownNamespaceText.set(node.namespace, presentation.description ?? '');
        return this.item(presentation, vscode.TreeItemCollapsibleState.Collapsed, node.id);
      }
      case 'group': {
        const filter = node.group === 'pods' ? this.session.podFilter() : undefined;
        const knowledge = this.access(node.namespace)[node.group];
        const count =
          knowledge.state !== 'known'
            ? unknownWord(knowledge)
            : node.group === 'pods'
              ? String(this.visiblePods(node.namespace).length)
              : node.group === 'services'
                ? String(cache?.services(node.namespace).length ?? 0)
                : String(cache?.ingresses(node.namespace).length ?? 0);
        if (node.group === 'pods') {
          this.shownPods.set(node.namespace, this.podNames(node.namespace));
        }
        if (node.group === 'ingresses') {
          this.shownIngresses.set(node.namespace, this.outside.ingressesText(node.namespace));
        }
        const item = new vscode.TreeItem(GROUP_LABELS[node.group], vscode.TreeItemCollapsibleState.Collapsed);
        item.id = node.id;
        item.description = filter ? `${count} · filter ${filter}` : count;
        item.iconPath = new vscode.ThemeIcon(GROUP_ICONS[node.group]);
        item.contextValue = `group.${node.group}`;
        return item;
      }
      case 'nodeGroup': {
        const knowledge = this.outside.nodesKnowledge();
        this.shownNodes = this.outside.nodesText();
        const item = new vscode.TreeItem('Nodes', vscode.TreeItemCollapsibleState.Collapsed);
        item.id = node.id;
        item.description = nodesGroupDescription(cache?.nodes().length ?? 0, knowledge);
        item.iconPath = new vscode.ThemeIcon('server');
        item.contextValue = 'group.nodes';
        item.tooltip =
          knowledge.state === 'known'
            ? 'The nodes of the cluster. The Pods counted on each are those of the watched namespaces only.'
            : (unreadableMessage(knowledge, 'Nodes', undefined)?.detail ?? '');
        return item;
      }
      case 'node': {
        const found = cache?.node(node.name);
        if (!found) {
          return this.gone(node.name, node.id);
        }
        return this.item(
          nodePresentation(found, this.outside.podCountsPerNode()),
          vscode.TreeItemCollapsibleState.None,
          node.id,
        );
      }
      case 'ingress': {
        const ingress = cache?.ingress(node.namespace, node.name);
        if (!ingress) {
          return this.gone(node.name, node.id);
        }
        return this.item(
          ingressPresentation(ingress, this.outside.ingressSurroundings(node.namespace)),
          ingressRoutes(ingress).length > 0
            ? vscode.TreeItemCollapsibleState.Collapsed
            : vscode.TreeItemCollapsibleState.None,
          node.id,
        );
      }
      case 'ingressRule': {
        const ingress = cache?.ingress(node.namespace, node.ingress);
        const route = ingress ? ingressRoutes(ingress).find((r) => r.key === node.key) : undefined;
        if (!ingress || !route) {
          return this.gone(node.key, node.id);
        }
        return this.item(
          ingressRoutePresentation(ingress, route, this.outside.ingressSurroundings(node.namespace)),
          vscode.TreeItemCollapsibleState.None,
          node.id,
        );
      }
      case 'gatewayApi': {
        const shown = this.gateways.item(node);
        return shown
          ? this.item(
              shown.presentation,
              shown.expandable
                ? vscode.TreeItemCollapsibleState.Collapsed
                : vscode.TreeItemCollapsibleState.None,
              node.id,
            )
          : this.gone(node.parts.at(-1) ?? '', node.id);
      }
      case 'pod': {
        const pod = cache?.pod(node.namespace, node.name);
        if (!pod) {
          return this.gone(node.name, node.id);
        }
        // The tooltip is built when VS Code asks for it (resolveTreeItem, on hover), not for every
        // Pod of a group each time it is drawn again.
        const item = this.item(
          podPresentation(pod, this.now(), { tooltip: false }),
          vscode.TreeItemCollapsibleState.Collapsed,
          node.id,
        );
        item.command = undefined;
        return item;
      }
      case 'container': {
        const pod = cache?.pod(node.namespace, node.pod);
        if (!pod) {
          return this.gone(node.container, node.id);
        }
        const hasPorts =
          (pod.spec?.containers.find((c) => c.name === node.container)?.ports ?? []).length > 0;
        return this.item(
          containerPresentation(pod, node.container, this.now()),
          hasPorts ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
          node.id,
        );
      }
      case 'containerPort': {
        const port = cache
          ?.pod(node.namespace, node.pod)
          ?.spec?.containers.find((c) => c.name === node.container)?.ports?.[node.index];
        if (!port) {
          return this.gone('port', node.id);
        }
        return this.item(containerPortPresentation(port), vscode.TreeItemCollapsibleState.None, node.id);
      }
      case 'service': {
        const service = cache?.service(node.namespace, node.name);
        if (!service) {
          return this.gone(node.name, node.id);
        }
        const access = this.access(node.namespace);
        const presentation = servicePresentation(
          service,
          cache?.endpointSlices(node.namespace, node.name) ?? [],
          this.podsSelectable(node.namespace, service.spec?.selector),
          { pods: access.pods, endpointSlices: access.endpointSlices },
        );
        return this.item(presentation, vscode.TreeItemCollapsibleState.Collapsed, node.id);
      }
      case 'endpoint': {
        const slices = cache?.endpointSlices(node.namespace, node.service) ?? [];
        for (const slice of slices) {
          const endpoint = slice.endpoints?.find((e) => e.addresses[0] === node.address);
          if (endpoint) {
            return this.item(
              endpointPresentation(endpoint, slice.ports ?? []),
              vscode.TreeItemCollapsibleState.None,
              node.id,
            );
          }
        }
        return this.gone(node.address, node.id);
      }
    }
  }

  resolveTreeItem(item: vscode.TreeItem, node: Node): vscode.TreeItem {
    if (node.kind === 'pod' && item.tooltip === undefined) {
      const pod = this.sessionValue?.cache?.pod(node.namespace, node.name);
      if (pod) {
        const tooltip = new vscode.MarkdownString(podTooltip(pod, this.now()));
        tooltip.supportThemeIcons = true;
        item.tooltip = tooltip;
      }
    }
    return item;
  }

  // --- children ---------------------------------------------------------------------------------

  private rootChildren(): Node[] {
    const error = this.session.kubeconfigError;
    const contexts = this.session.contexts();
    const messages: Node[] = [];
    if (error) {
      messages.push(
        this.message('kubeconfig-error', 'The kubeconfig could not be read', 'error', error, [
          { title: 'Open kubeconfig', command: 'kubereach.openKubeconfig' },
          { title: 'Open Output', command: 'kubereach.openOutput' },
        ]),
      );
    }
    // No kubeconfig: an empty tree, so that the welcome view (`viewsWelcome`) says how to add a
    // cluster, and the other views offer nothing that needs one.
    this.setNoKubeconfig(!error && contexts.length === 0);
    return [...messages, ...contexts.map((c) => this.contextNode(c.name))];
  }

  private noKubeconfig: boolean | undefined;

  private setNoKubeconfig(value: boolean): void {
    if (value !== this.noKubeconfig) {
      this.noKubeconfig = value;
      void vscode.commands.executeCommand('setContext', 'kubereach.noKubeconfig', value);
    }
  }

  private contextChildren(context: string): Node[] {
    const cache = this.session.cache;
    if (!cache) {
      return [];
    }
    const result: Node[] = [];
    const state = cache.state();
    const message = connectionMessage(state, this.now());
    if (message) {
      result.push(this.message('state', message.text, message.severity, message.detail, message.actions));
    }
    if (state.kind === 'disconnected') {
      this.scheduleRetryCountdown(state.retryAt);
    }
    const fallback = cache.namespaceFallback;
    if (fallback) {
      result.push(this.message('fallback', 'Showing the context namespace only', 'info', fallback.reason));
    }
    if (cache.kubeConfig !== undefined) {
      // Not for a context the kubeconfig cannot build (no such cluster): nothing was asked for.
      result.push(this.nodeGroupNode(context), ...this.gateways.contextGroups(context));
    }
    for (const namespace of this.session.selectedNamespaces()) {
      result.push(this.namespaceNode(context, namespace));
    }
    return result;
  }

  private visiblePods(namespace: string): V1Pod[] {
    const requirements = this.filterRequirements();
    return [...(this.session.cache?.pods(namespace) ?? [])]
      .filter((pod) => !requirements || matchesRequirements(requirements, pod.metadata?.labels ?? {}))
      .sort((a, b) => compareNames(a.metadata?.name ?? '', b.metadata?.name ?? ''));
  }

  private filterRequirements(): LabelRequirement[] | undefined {
    const text = this.session.podFilter();
    if (!text) {
      return undefined;
    }
    if (this.filterCache?.text !== text) {
      let requirements: LabelRequirement[] | undefined;
      try {
        requirements = parseLabelSelectorString(text);
      } catch {
        requirements = undefined;
      }
      this.filterCache = { text, requirements };
    }
    return this.filterCache.requirements;
  }

  /**
   * A namespace's counts as of the last change delivered for it: `onCacheChange` works them out to
   * see whether its row changed, and drawing the row reads them again (over 10,000 Pods, twice
   * was 5 ms of a change).
   */
  private namespaceCounts(namespace: string): NamespaceCounts {
    let counts = this.counts.get(namespace);
    if (counts === undefined) {
      const cache = this.session.cache;
      const pods = cache?.pods(namespace) ?? [];
      let notReady = 0;
      for (const pod of pods) {
        if (!pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) {
          notReady++;
        }
      }
      const access = this.access(namespace);
      counts = {
        pods: pods.length,
        notReady,
        services: cache?.services(namespace).length ?? 0,
        watched: true,
        access: { pods: access.pods, services: access.services },
      };
      this.counts.set(namespace, counts);
    }
    return counts;
  }

  /**
   * The Pods a Service's selector may select: those carrying the rarest of its labels, from an
   * index of the namespace's Pods by label built once per change of them. The presentation still
   * matches each against the whole selector. Drawing the 500 Services of a 5,000-Pod namespace
   * matched every Pod against every selector twice: 300 ms each time the group was redrawn.
   */
  private podsSelectable(namespace: string, selector: Record<string, string> | undefined): readonly V1Pod[] {
    let withLabel = this.podsByLabel.get(namespace);
    if (withLabel === undefined) {
      withLabel = podLabelIndex(this.session.cache?.pods(namespace) ?? []);
      this.podsByLabel.set(namespace, withLabel);
    }
    return selectorCandidates(withLabel, selector ?? {});
  }

  /** What the cache can say of a namespace's Pods, Services, EndpointSlices and Ingresses. */
  private access(namespace: string): {
    pods: Knowledge;
    services: Knowledge;
    endpointSlices: Knowledge;
    ingresses: Knowledge;
  } {
    const status = this.session.cache?.namespaceStatus(namespace);
    return {
      pods: knowledgeOf(status?.pods),
      services: knowledgeOf(status?.services),
      endpointSlices: knowledgeOf(status?.endpointSlices),
      ingresses: knowledgeOf(status?.ingresses),
    };
  }

  /** The node shown in place of objects that cannot be listed (yet), with the actions that help. */
  private accessMessage(
    namespace: string | undefined,
    key: string,
    knowledge: Knowledge,
    kindPlural: string,
  ): Node {
    const message = unreadableMessage(knowledge, kindPlural, namespace)!;
    const actions: MessageAction[] =
      knowledge.state === 'loading'
        ? []
        : [
            { title: 'Retry now', command: 'kubereach.refresh' },
            { title: 'Open Output', command: 'kubereach.openOutput' },
          ];
    return this.message(
      `access/${namespace ?? ''}/${key}`,
      message.text,
      message.severity,
      message.detail,
      actions.length > 0 ? actions : undefined,
    );
  }

  private podNames(namespace: string): string {
    return this.visiblePods(namespace)
      .map((pod) => pod.metadata?.name)
      .join('\n');
  }

  // --- refresh -----------------------------------------------------------------------------------

  private onCacheChange(change: ClusterChange): void {
    const context = this.session.context?.name;
    if (change.connection || change.namespaces) {
      this.counts.clear();
      this.podsByLabel.clear();
    }
    for (const namespace of change.pods) {
      this.counts.delete(namespace);
      this.podsByLabel.delete(namespace);
    }
    for (const namespace of change.services) {
      this.counts.delete(namespace);
    }
    if (change.pods.size > 0) {
      this.outside.forgetPodCounts();
    }
    // The Gateway API items' world holds Services and Namespaces too: rebuilt on the next look.
    this.gateways.forget();
    if (!context) {
      return;
    }
    if (change.connection || change.namespaces) {
      this.changed.fire(this.contextNode(context));
      return;
    }
    const targets = new Set<Node>();
    const nodeGroup = this.nodes.peek(ids.nodeGroup(context));
    if (nodeGroup && (change.nodes || change.pods.size > 0) && this.outside.nodesText() !== this.shownNodes) {
      targets.add(nodeGroup);
    }
    if (change.gatewayApi) {
      const classes = this.gateways.classesToRedraw(context);
      if (classes) {
        targets.add(classes);
      }
      // Groups appear or go with the API's state: redraw each shown namespace below its node.
      for (const namespace of this.session.selectedNamespaces()) {
        const node = this.nodes.peek(ids.namespace(context, namespace));
        if (node) {
          targets.add(node);
        }
      }
    }
    const touched = new Set([
      ...change.pods,
      ...change.services,
      ...change.endpointSlices,
      ...change.ingresses,
      ...(change.ingressClasses ? this.shownIngresses.keys() : []),
    ]);
    for (const namespace of touched) {
      const namespaceNode = this.nodes.peek(ids.namespace(context, namespace));
      if (!namespaceNode) {
        continue; // Not shown yet: nothing to refresh.
      }
      const text = namespacePresentation(namespace, this.namespaceCounts(namespace)).description ?? '';
      if (text !== this.shownNamespaceText.get(namespace)) {
        targets.add(namespaceNode);
        continue; // Refreshing the namespace refreshes what is below it.
      }
      if (change.pods.has(namespace)) {
        const group = this.nodes.peek(ids.group(context, namespace, 'pods'));
        if (group && this.podNames(namespace) !== this.shownPods.get(namespace)) {
          targets.add(group);
        }
      }
      const endpointAccess = this.access(namespace).endpointSlices.state;
      const endpointAccessChanged =
        change.endpointSlices.has(namespace) && endpointAccess !== this.shownEndpointAccess.get(namespace);
      this.shownEndpointAccess.set(namespace, endpointAccess);
      if (change.services.has(namespace) || endpointAccessChanged) {
        const group = this.nodes.peek(ids.group(context, namespace, 'services'));
        if (group) {
          targets.add(group);
        }
      }
      // An Ingress's words depend on the Services, their endpoints and the IngressClasses too.
      const ingresses = this.nodes.peek(ids.group(context, namespace, 'ingresses'));
      if (
        ingresses &&
        (change.ingresses.has(namespace) ||
          change.services.has(namespace) ||
          change.endpointSlices.has(namespace) ||
          change.ingressClasses) &&
        this.outside.ingressesText(namespace) !== this.shownIngresses.get(namespace)
      ) {
        targets.add(ingresses);
      }
    }
    for (const key of change.objects) {
      const [kind, namespace, name] = key.split('/') as [string, string, string];
      if (kind === 'Pod') {
        const node = this.nodes.peek(ids.pod(context, namespace, name));
        if (node) {
          targets.add(node);
        }
      } else if (kind === 'Service') {
        const node = this.nodes.peek(ids.service(context, namespace, name));
        if (node) {
          targets.add(node);
        }
      } else if (kind === 'EndpointSlice') {
        // A slice names its Service by a label, which the key does not carry: the cached slice
        // tells. One no longer cached (deleted) could have been any Service's: all are refreshed.
        const cache = this.session.cache;
        const owner = cache?.endpointSliceService(namespace, name);
        const services =
          owner !== undefined
            ? [owner]
            : (cache?.services(namespace) ?? []).map((service) => service.metadata?.name ?? '');
        for (const service of services) {
          const node = this.nodes.peek(ids.service(context, namespace, service));
          if (node) {
            targets.add(node);
          }
        }
      }
    }
    if (targets.size > 0) {
      // One event, however many nodes changed.
      this.changed.fire([...targets]);
    }
  }

  /** Keeps "retrying in Ns" honest without polling: one timer until the retry is due. */
  private scheduleRetryCountdown(retryAt: number | undefined): void {
    clearTimeout(this.retryTimer);
    if (retryAt === undefined) {
      return;
    }
    const context = this.session.context?.name;
    this.retryTimer = setTimeout(
      () => {
        if (context) {
          this.changed.fire(this.contextNode(context));
        }
      },
      Math.max(1000, retryAt - this.now()),
    );
  }

  // --- helpers -----------------------------------------------------------------------------------

  private contextNode(context: string): Node {
    return this.nodes.get(ids.context(context), () => ({ kind: 'context', context }));
  }

  private namespaceNode(context: string, namespace: string): Node {
    return this.nodes.get(ids.namespace(context, namespace), () => ({ kind: 'namespace', namespace }));
  }

  private groupNode(context: string, namespace: string, group: NamespaceGroup): Node {
    return this.nodes.get(ids.group(context, namespace, group), () => ({ kind: 'group', namespace, group }));
  }

  private nodeGroupNode(context: string): Node {
    return this.nodes.get(ids.nodeGroup(context), () => ({ kind: 'nodeGroup' }));
  }

  private nodeNode(context: string, name: string): Node {
    return this.nodes.get(ids.node(context, name), () => ({ kind: 'node', name }));
  }

  private ingressNode(context: string, namespace: string, name: string): Node {
    return this.nodes.get(ids.ingress(context, namespace, name), () => ({
      kind: 'ingress',
      namespace,
      name,
    }));
  }

  private message(
    key: string,
    text: string,
    severity: 'info' | 'warning' | 'error',
    detail?: string,
    actions?: readonly MessageAction[],
  ): Node {
    return this.nodes.replace({
      kind: 'message',
      id: `msg/${this.session.context?.name ?? ''}/${key}`,
      text,
      severity,
      // Details quote the server and the kubeconfig loader.
      ...(detail !== undefined ? { detail: redact(detail) } : {}),
      ...(actions ? { actions } : {}),
    });
  }

  private item(
    presentation: Presentation,
    state: vscode.TreeItemCollapsibleState,
    id: string,
  ): vscode.TreeItem {
    const item = new vscode.TreeItem(presentation.label, state);
    item.id = id;
    if (presentation.description !== undefined) {
      item.description = presentation.description;
    }
    if (presentation.tooltip) {
      const tooltip = new vscode.MarkdownString(presentation.tooltip);
      tooltip.supportThemeIcons = true;
      item.tooltip = tooltip;
    }
    if (presentation.icon) {
      item.iconPath = new vscode.ThemeIcon(
        presentation.icon.id,
        presentation.icon.color ? new vscode.ThemeColor(presentation.icon.color) : undefined,
      );
    }
    item.contextValue = presentation.contextValue;
    return item;
  }

  private gone(label: string, id: string): vscode.TreeItem {
    const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
    item.id = id;
    item.description = 'deleted';
    return item;
  }
}

const GROUP_LABELS: Readonly<Record<NamespaceGroup, string>> = {
  pods: 'Pods',
  services: 'Services',
  ingresses: 'Ingresses',
};

const GROUP_ICONS: Readonly<Record<NamespaceGroup, string>> = {
  pods: 'layers',
  services: 'symbol-interface',
  ingresses: 'globe',
};

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
