/**
 * The words and icons of the explorer's Nodes: each Node's readiness, addresses and the Pods on it
 * among the watched namespaces. NodePort reachability depends on nodes and their addresses, so the
 * tree shows them under the context, before the namespaces.
 *
 * Pure, as `format.ts`: no `vscode`, no network, no clock. Inputs are structural supertypes of
 * client-node's `V1Node` and of plain API JSON. User data reaches a tooltip in code spans or
 * escaped; messages from the cluster pass through `redact`.
 *
 * `contextValue`: `node` (menus match `viewItem == node`).
 */
import { escapeMarkdown, markdownCode } from '../analysis/markdown.ts';
import { redact } from '../logging/redact.ts';
import { unknownWord } from './access.ts';
import type { Knowledge } from './access.ts';
import type { IconChoice, Presentation } from './format.ts';

export interface NodeInput {
  readonly metadata?: { readonly name?: string; readonly labels?: Readonly<Record<string, string>> };
  readonly spec?: {
    readonly unschedulable?: boolean;
    readonly taints?: readonly { readonly key: string; readonly value?: string; readonly effect: string }[];
  };
  readonly status?: {
    readonly addresses?: readonly { readonly type: string; readonly address: string }[];
    readonly conditions?: readonly {
      readonly type: string;
      readonly status: string;
      readonly reason?: string;
      readonly message?: string;
    }[];
    readonly nodeInfo?: { readonly kubeletVersion?: string };
  };
}

/** A Pod as the count of Pods per node reads it. */
export interface NodePodInput {
  readonly spec?: { readonly nodeName?: string };
}

/** The Pods of one watched namespace and what is known of them. */
export interface WatchedPods {
  readonly namespace: string;
  readonly pods: readonly NodePodInput[];
  readonly knowledge: Knowledge;
}

/** Pods per node name among the watched namespaces whose Pods are known. */
export interface NodePodCounts {
  readonly byNode: ReadonlyMap<string, number>;
  /** The watched namespaces counted (their Pods are known), sorted. */
  readonly counted: readonly string[];
  /** The watched namespaces whose Pods are not known (no access, loading…), sorted. */
  readonly uncounted: readonly { readonly namespace: string; readonly knowledge: Knowledge }[];
}

export function countPodsPerNode(watched: readonly WatchedPods[]): NodePodCounts {
  const byNode = new Map<string, number>();
  const counted: string[] = [];
  const uncounted: { namespace: string; knowledge: Knowledge }[] = [];
  for (const { namespace, pods, knowledge } of [...watched].sort((a, b) =>
    a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : 0,
  )) {
    if (knowledge.state !== 'known') {
      uncounted.push({ namespace, knowledge });
      continue;
    }
    counted.push(namespace);
    for (const pod of pods) {
      const node = pod.spec?.nodeName;
      if (node) {
        byNode.set(node, (byNode.get(node) ?? 0) + 1);
      }
    }
  }
  return { byNode, counted, uncounted };
}

export type NodeReadiness = 'Ready' | 'NotReady' | 'Unknown';

/** The Ready condition as kubectl's STATUS reads it: True is Ready, False NotReady, else Unknown. */
export function nodeReadiness(node: NodeInput): NodeReadiness {
  const ready = node.status?.conditions?.find((condition) => condition.type === 'Ready');
  return ready?.status === 'True' ? 'Ready' : ready?.status === 'False' ? 'NotReady' : 'Unknown';
}

function addressesOf(node: NodeInput, type: string): string[] {
  return (node.status?.addresses ?? [])
    .filter((address) => address.type === type && address.address)
    .map((address) => address.address);
}

const SEPARATOR = ' · ';

/**
 * The tree node of a Node. Description: `Ready · 10.0.0.1 · external 203.0.113.1 · 3 pods`: the
 * status as kubectl's (`Ready,SchedulingDisabled` when cordoned), the internal addresses, the
 * external ones, and the Pods on it among the watched namespaces (`≥3 pods` when some watched
 * namespace's Pods are not known; `pods: no access` when none are). Icon `server`: green when
 * Ready, red when NotReady, yellow when Unknown (the kubelet stopped reporting).
 */
export function nodePresentation(node: NodeInput, counts: NodePodCounts): Presentation {
  const name = node.metadata?.name ?? '';
  const readiness = nodeReadiness(node);
  const cordoned = node.spec?.unschedulable === true;
  const status = cordoned ? `${readiness},SchedulingDisabled` : readiness;
  const internal = addressesOf(node, 'InternalIP');
  const external = addressesOf(node, 'ExternalIP');
  const pods = counts.byNode.get(name) ?? 0;

  const description = [status];
  if (internal.length > 0) {
    description.push(internal.join(','));
  }
  if (external.length > 0) {
    description.push(`external ${external.join(',')}`);
  }
  if (counts.counted.length === 0 && counts.uncounted.length > 0) {
    description.push(`pods: ${unknownWord(counts.uncounted[0]!.knowledge)}`);
  } else if (counts.counted.length > 0) {
    const partial = counts.uncounted.length > 0 ? '≥' : '';
    description.push(`${partial}${pods} ${pods === 1 ? 'pod' : 'pods'}`);
  }

  const blocks = [`**Node** ${markdownCode(name)}`];
  const ready = node.status?.conditions?.find((condition) => condition.type === 'Ready');
  const readyWhy = [ready?.reason, ready?.message ? truncate(ready.message) : undefined]
    .filter((part) => part)
    .join(': ');
  blocks.push(
    [
      `**Ready:** ${escapeMarkdown(readiness === 'Ready' ? 'yes' : readiness === 'NotReady' ? 'no' : 'unknown')}${readyWhy ? ` (${escapeMarkdown(readyWhy)})` : ''}`,
      `**Schedulable:** ${cordoned ? 'no (cordoned: new Pods are not placed here)' : 'yes'}`,
    ].join(SEPARATOR),
  );
  const addresses = node.status?.addresses ?? [];
  blocks.push(
    addresses.length > 0
      ? `**Addresses:** ${addresses.map((a) => `${escapeMarkdown(a.type)} ${markdownCode(a.address)}`).join(', ')}`
      : '**Addresses:** none reported',
  );
  blocks.push(podsSentence(pods, counts));
  const kubelet = node.status?.nodeInfo?.kubeletVersion;
  if (kubelet) {
    blocks.push(`**Kubelet:** ${markdownCode(kubelet)}`);
  }
  const taints = node.spec?.taints ?? [];
  if (taints.length > 0) {
    blocks.push(
      `**Taints:** ${taints
        .map((taint) => markdownCode(`${taint.key}${taint.value ? `=${taint.value}` : ''}:${taint.effect}`))
        .join(', ')}`,
    );
  }

  const icon: IconChoice =
    readiness === 'Ready'
      ? { id: 'server', color: 'testing.iconPassed' }
      : readiness === 'NotReady'
        ? { id: 'server', color: 'list.errorForeground' }
        : { id: 'server', color: 'list.warningForeground' };
  return {
    label: name,
    description: description.join(SEPARATOR),
    tooltip: blocks.join('\n\n'),
    icon,
    contextValue: 'node',
  };
}

/** The Pods line of a Node's tooltip: what was counted, and what could not be. */
function podsSentence(pods: number, counts: NodePodCounts): string {
  const counted = counts.counted.map(markdownCode).join(', ');
  const lines: string[] = [];
  if (counts.counted.length === 0) {
    lines.push('**Pods:** not counted: the Pods of no watched namespace are known.');
  } else {
    lines.push(
      `**Pods:** ${pods} in the watched ${counts.counted.length === 1 ? 'namespace' : 'namespaces'} ${counted}; Pods of other namespaces are not counted.`,
    );
  }
  for (const { namespace, knowledge } of counts.uncounted) {
    lines.push(`- ${markdownCode(namespace)}: ${escapeMarkdown(unknownWord(knowledge))}`);
  }
  return lines.join('\n');
}

/** `Nodes` group description: the count, or why there is none (`no access`, `loading…`). */
export function nodesGroupDescription(count: number, knowledge: Knowledge): string {
  return knowledge.state === 'known' && !knowledge.stale
    ? String(count)
    : knowledge.state === 'known'
      ? `${count} · last known`
      : unknownWord(knowledge);
}

const MESSAGE_LIMIT = 300;

function truncate(text: string): string {
  const flat = redact(text).replace(/\s+/g, ' ').trim();
  return flat.length > MESSAGE_LIMIT ? `${flat.slice(0, MESSAGE_LIMIT - 1)}…` : flat;
}
