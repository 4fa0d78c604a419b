/**
 * The explorer's commands. Each takes the tree node it was invoked on (from a context menu) or,
 * from the palette, asks with a QuickPick.
 */
import * as vscode from 'vscode';
import { parseLabelSelectorString } from '../analysis/labels.ts';
import type { ClusterSession } from '../cluster/session.ts';
import type { KubeReachContext } from '../context.ts';
import type { ExplorerNode } from './nodes.ts';
import { isExplorerNode } from './nodes.ts';
import { gatewayNodeName } from './gatewayItems.ts';
import { clusterObjectUri, gatewayObjectUri, objectUri } from './yamlDocuments.ts';
import { redact } from '../logging/redact.ts';

type Handler = (context: KubeReachContext, ...args: unknown[]) => unknown;

export const EXPLORER_COMMANDS: Readonly<Record<string, Handler>> = {
  'kubereach.refresh': async (context) => {
    (await context.session).cache?.retryNow();
    context.explorer.refreshAll();
  },
  'kubereach.switchContext': (context, name) =>
    switchContext(context, typeof name === 'string' ? name : undefined, false),
  'kubereach.setKubeconfigContext': (context, node) =>
    switchContext(context, isExplorerNode(node) && node.kind === 'context' ? node.context : undefined, true),
  'kubereach.selectNamespaces': (context) => selectNamespaces(context),
  'kubereach.filterPods': (context) => filterPods(context),
  'kubereach.copyName': async (context, node) => {
    const target = isExplorerNode(node) ? node : await pickObject(context);
    const name = target ? nameOf(target) : undefined;
    if (name) {
      await vscode.env.clipboard.writeText(name);
      vscode.window.setStatusBarMessage(`Copied ${name}`, 3000);
    }
  },
  'kubereach.copyIP': async (context, node) => {
    const target = isExplorerNode(node) ? node : await pickObject(context);
    const ip = target ? ipOf(await context.session, target) : undefined;
    if (ip) {
      await vscode.env.clipboard.writeText(ip);
      vscode.window.setStatusBarMessage(`Copied ${ip}`, 3000);
    } else if (target) {
      void vscode.window.showInformationMessage(`${nameOf(target) ?? 'This object'} has no IP address yet.`);
    }
  },
  'kubereach.revealInTree': async (context) => {
    const target = await pickObject(context);
    if (target) {
      await context.treeView.reveal(target, { select: true, focus: true, expand: false });
    }
  },
  'kubereach.showYaml': async (context, node) => {
    const target = isExplorerNode(node) ? node : await pickObject(context);
    if (!target) {
      return;
    }
    const uri =
      target.kind === 'pod'
        ? objectUri('Pod', target.namespace, target.name)
        : target.kind === 'service'
          ? objectUri('Service', target.namespace, target.name)
          : target.kind === 'endpoint' && target.pod
            ? objectUri('Pod', target.namespace, target.pod)
            : target.kind === 'ingress'
              ? objectUri('Ingress', target.namespace, target.name)
              : target.kind === 'ingressRule'
                ? objectUri('Ingress', target.namespace, target.ingress)
                : target.kind === 'node'
                  ? clusterObjectUri('Node', target.name)
                  : target.kind === 'gatewayApi'
                    ? gatewayYamlUri(target)
                    : undefined;
    if (uri) {
      const document = await vscode.workspace.openTextDocument(uri);
      await vscode.languages.setTextDocumentLanguage(document, 'yaml');
      await vscode.window.showTextDocument(document, { preview: true });
    }
  },
  'kubereach.openKubeconfig': async (context) => {
    const file = (await context.session).kubeconfigSources?.files[0];
    if (file) {
      await vscode.window.showTextDocument(vscode.Uri.file(file));
    } else {
      void vscode.window.showInformationMessage(
        'No kubeconfig file is in use: set KUBECONFIG, create ~/.kube/config or set kubereach.kubeconfig.',
      );
    }
  },
};

/**
 * The object a Gateway API item shows: a Gateway for itself and its listeners, a route for itself,
 * its rules and their backendRefs (as an Ingress rule shows its Ingress); none for the groups.
 */
function gatewayYamlUri(node: Extract<ExplorerNode, { kind: 'gatewayApi' }>): vscode.Uri | undefined {
  const [group, a, b] = node.parts;
  if (group === 'classes' && a !== undefined) {
    return clusterObjectUri('GatewayClass', a);
  }
  if (group === 'gateways' && a !== undefined) {
    return gatewayObjectUri('Gateway', node.namespace, a);
  }
  if (group === 'routes' && (a === 'HTTPRoute' || a === 'GRPCRoute') && b !== undefined) {
    return gatewayObjectUri(a, node.namespace, b);
  }
  return undefined;
}

function nameOf(node: ExplorerNode): string | undefined {
  switch (node.kind) {
    case 'pod':
    case 'service':
    case 'ingress':
    case 'node':
      return node.name;
    case 'namespace':
      return node.namespace;
    case 'context':
      return node.context;
    case 'container':
      return node.container;
    case 'endpoint':
      return node.pod ?? node.address;
    case 'gatewayApi':
      return gatewayNodeName(node);
    default:
      return undefined;
  }
}

function ipOf(session: ClusterSession, node: ExplorerNode): string | undefined {
  const cache = session.cache;
  switch (node.kind) {
    case 'pod':
      return cache?.pod(node.namespace, node.name)?.status?.podIP;
    case 'service': {
      const ip = cache?.service(node.namespace, node.name)?.spec?.clusterIP;
      return ip && ip !== 'None' ? ip : undefined;
    }
    case 'endpoint':
      return node.address;
    case 'ingress': {
      // The first address the controller wrote, as kubectl's ADDRESS column shows it (an IP or a name).
      const entry = cache?.ingress(node.namespace, node.name)?.status?.loadBalancer?.ingress?.[0];
      return entry?.ip || entry?.hostname || undefined;
    }
    case 'gatewayApi': {
      // A Gateway's (or its listener's) first address, as kubectl's ADDRESS column shows it.
      const [group, name] = node.parts;
      const gateway =
        group === 'gateways' && name !== undefined
          ? (cache?.gatewayApi?.cachedObject('gateways', node.namespace, name) as
              { status?: { addresses?: { value?: string }[] } } | undefined)
          : undefined;
      return gateway?.status?.addresses?.[0]?.value || undefined;
    }
    case 'node': {
      const addresses = cache?.node(node.name)?.status?.addresses ?? [];
      return (
        addresses.find((a) => a.type === 'InternalIP')?.address ||
        addresses.find((a) => a.type === 'ExternalIP')?.address ||
        undefined
      );
    }
    default:
      return undefined;
  }
}

async function switchContext(
  context: KubeReachContext,
  name: string | undefined,
  writeKubeconfig: boolean,
): Promise<void> {
  const session = await context.session;
  let chosen = name;
  if (chosen === undefined) {
    const items = session.contexts().map((c) => ({
      label: c.name,
      description: [
        c.name === session.context?.name ? 'shown' : '',
        c.name === session.kubeconfigCurrentContext ? 'kubeconfig current' : '',
      ]
        .filter(Boolean)
        .join(' · '),
      detail: [c.server ? redact(c.server) : '', c.namespace ? `namespace ${c.namespace}` : '']
        .filter(Boolean)
        .join(' · '),
    }));
    const picked = await vscode.window.showQuickPick(items, {
      title: writeKubeconfig
        ? 'Set the kubeconfig current-context'
        : 'Show context (the kubeconfig is not changed)',
      placeHolder: 'Context',
    });
    chosen = picked?.label;
  }
  if (chosen === undefined) {
    return;
  }
  try {
    session.switchContext(chosen, { writeKubeconfig });
  } catch (error) {
    await context.log.notifyError(error instanceof Error ? error.message : String(error));
  }
}

async function selectNamespaces(context: KubeReachContext): Promise<void> {
  const session = await context.session;
  const cache = session.cache;
  if (!cache) {
    return;
  }
  const selected = new Set(session.selectedNamespaces());
  const names = cache
    .namespaces()
    .map((ns) => ns.metadata?.name ?? '')
    .filter(Boolean);
  for (const name of selected) {
    if (!names.includes(name)) {
      names.push(name);
    }
  }
  const items = names.sort().map((name) => ({ label: name, picked: selected.has(name) }));
  const picked = await vscode.window.showQuickPick(items, {
    canPickMany: true,
    title: `Namespaces to show in ${session.context?.name ?? 'this context'} (only these are watched)`,
  });
  if (picked) {
    session.setSelectedNamespaces(picked.map((item) => item.label));
  }
}

async function filterPods(context: KubeReachContext): Promise<void> {
  const session = await context.session;
  const value = await vscode.window.showInputBox({
    title: 'Filter Pods by label selector',
    prompt: 'e.g. app=web,tier in (api,frontend),!canary. Empty clears the filter.',
    value: session.podFilter() ?? '',
    validateInput: (text) => {
      if (text.trim() === '') {
        return undefined;
      }
      try {
        parseLabelSelectorString(text);
        return undefined;
      } catch (error) {
        return error instanceof Error ? error.message : String(error);
      }
    },
  });
  if (value !== undefined) {
    session.setPodFilter(value.trim() || undefined);
  }
}

/** A QuickPick of the Pods, Services and Ingresses in view, and the cluster's Nodes. */
async function pickObject(context: KubeReachContext): Promise<ExplorerNode | undefined> {
  const session = await context.session;
  const cache = session.cache;
  if (!cache) {
    return undefined;
  }
  const items: Array<vscode.QuickPickItem & { node: ExplorerNode | undefined }> = [];
  for (const namespace of session.selectedNamespaces()) {
    for (const pod of cache.pods(namespace)) {
      const name = pod.metadata?.name ?? '';
      items.push({
        label: `$(symbol-module) ${name}`,
        description: `Pod · ${namespace}`,
        detail: pod.status?.podIP,
        node: context.explorer.podNode(namespace, name),
      });
    }
    for (const service of cache.services(namespace)) {
      const name = service.metadata?.name ?? '';
      items.push({
        label: `$(symbol-interface) ${name}`,
        description: `Service · ${namespace}`,
        detail: service.spec?.clusterIP,
        node: context.explorer.serviceNode(namespace, name),
      });
    }
    for (const ingress of cache.ingresses(namespace)) {
      const name = ingress.metadata?.name ?? '';
      const address = ingress.status?.loadBalancer?.ingress?.[0];
      const hosts = [...new Set((ingress.spec?.rules ?? []).map((rule) => rule.host || '*'))].join(', ');
      items.push({
        label: `$(globe) ${name}`,
        description: `Ingress · ${namespace}`,
        detail: [hosts, address?.ip || address?.hostname].filter(Boolean).join(' · '),
        node: context.explorer.ingressTreeNode(namespace, name),
      });
    }
  }
  for (const node of cache.nodes()) {
    const name = node.metadata?.name ?? '';
    items.push({
      label: `$(server) ${name}`,
      description: 'Node',
      detail: node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address,
      node: context.explorer.clusterNodeTreeNode(name),
    });
  }
  const picked = await vscode.window.showQuickPick(items, {
    matchOnDescription: true,
    matchOnDetail: true,
    placeHolder: 'Pod, Service, Ingress or Node',
  });
  return picked?.node;
}
