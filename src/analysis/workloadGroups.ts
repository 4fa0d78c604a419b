/**
 * Pods grouped by workload for NetworkPolicy: the Pods of one owner (the controller in their
 * ownerReferences) with equal labels form one group, so that a policy matrix of a namespace with
 * 1,000 Pods has a row per workload instead of a row per Pod.
 *
 * A group is only sound if every Pod in it gets the same verdict from the evaluator
 * (src/analysis/networkPolicy.ts) against every other Pod. Besides a Pod's namespace and labels,
 * the evaluator reads:
 * - its declared container ports (named ports in rules resolve against them, and the matrix port
 *   is the first one declared), so they are part of the key;
 * - its IP, but only through `ipBlock` peers: the key holds which of the policies' ipBlocks contain
 *   the IP (and whether it has one), so two Pods of one workload whose IPs some ipBlock tells apart
 *   are in different groups;
 * - its node, but only against host-network Pods and node addresses (traffic to and from a Pod's
 *   own node is always allowed): when the set holds a host-network Pod, the node is part of every
 *   key, and a host-network Pod (not governed by NetworkPolicy, an address of its node) always has
 *   its node and IP in its key;
 * - its name, only to tell a Pod connecting to itself: a group of several Pods stands for pairs of
 *   two different Pods, and each Pod may always reach itself (the rule of Kubernetes).
 * A workload whose Pods land in several groups says why (`split`). Pure: no network, no `vscode`.
 */
import { cidrContains } from './cidr.ts';
import type { NetworkPolicy, NetworkPolicyPeer, Pod } from './k8s.ts';
import { podEndpoint } from './networkPolicy.ts';
import { declaredPorts } from './ports.ts';

export interface WorkloadOwner {
  readonly kind: string;
  readonly name: string;
}

export interface WorkloadGroup<P extends Pod = Pod> {
  /** Equal keys, equal verdicts; stable across calls for the same Pods and policies. */
  readonly key: string;
  readonly namespace: string;
  /** The controller owning the Pods; absent for a Pod without one (a group of its own). */
  readonly owner?: WorkloadOwner;
  /** The members, in the order they were given; the first stands for the group. */
  readonly pods: readonly P[];
  /** Set when the owner's Pods with these labels are in more than one group: why. */
  readonly split?: 'ipBlock' | 'node';
}

function controllerOf(pod: Pod): WorkloadOwner & { readonly uid?: string } {
  const reference = pod.metadata.ownerReferences?.find((owner) => owner.controller === true);
  return reference === undefined
    ? { kind: 'Pod', name: pod.metadata.name ?? '(unnamed)' }
    : { kind: reference.kind, name: reference.name, ...(reference.uid ? { uid: reference.uid } : {}) };
}

function labelsKey(pod: Pod): string {
  const labels = pod.metadata.labels ?? {};
  return JSON.stringify(
    Object.keys(labels)
      .sort()
      .map((key) => [key, labels[key]]),
  );
}

function portsKey(pod: Pod): string {
  return JSON.stringify(
    declaredPorts(pod).map(({ port }) => [port.name ?? '', port.containerPort, port.protocol ?? 'TCP']),
  );
}

/** Every ipBlock peer of the policies, once each (by CIDR and exceptions). */
function ipBlocksOf(policies: readonly NetworkPolicy[]): NonNullable<NetworkPolicyPeer['ipBlock']>[] {
  const blocks = new Map<string, NonNullable<NetworkPolicyPeer['ipBlock']>>();
  for (const policy of policies) {
    const peers = [
      ...(policy.spec?.ingress ?? []).flatMap((rule) => rule.from ?? []),
      ...(policy.spec?.egress ?? []).flatMap((rule) => rule.to ?? []),
    ];
    for (const { ipBlock } of peers) {
      if (ipBlock != null) {
        blocks.set(JSON.stringify([ipBlock.cidr, ipBlock.except ?? []]), ipBlock);
      }
    }
  }
  return [...blocks.values()];
}

/**
 * The groups of `pods` under `policies` (the policies the matrix evaluates, as the API's JSON), in
 * the order of each group's first Pod.
 */
export function groupByWorkload<P extends Pod>(
  pods: readonly P[],
  policies: readonly NetworkPolicy[],
): WorkloadGroup<P>[] {
  const blocks = ipBlocksOf(policies);
  const nodeMatters = pods.some((pod) => pod.spec?.hostNetwork === true);
  const groups = new Map<string, { namespace: string; owner: string; ip: string; node: string; pods: P[] }>();
  const owners = new Map<string, WorkloadOwner | undefined>();
  for (const pod of pods) {
    const namespace = pod.metadata.namespace ?? 'default';
    const endpoint = podEndpoint(pod);
    const ip = endpoint.ip === undefined || endpoint.ip === '' ? undefined : endpoint.ip;
    const ipKey =
      ip === undefined
        ? 'none'
        : blocks
            .map((block) =>
              cidrContains(block.cidr, ip) && !(block.except ?? []).some((except) => cidrContains(except, ip))
                ? '1'
                : '0',
            )
            .join('');
    const host = endpoint.kind === 'external';
    const nodeKey =
      host || nodeMatters
        ? JSON.stringify([host, pod.spec?.nodeName ?? '', host ? (ip ?? '') : (pod.status?.hostIP ?? '')])
        : '';
    const controller = controllerOf(pod);
    const ownerKey = JSON.stringify([
      namespace,
      controller.kind,
      controller.name,
      controller.uid ?? '',
      labelsKey(pod),
      portsKey(pod),
    ]);
    const key = `${ownerKey}|${ipKey}|${nodeKey}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = { namespace, owner: ownerKey, ip: ipKey, node: nodeKey, pods: [] };
      groups.set(key, group);
      owners.set(
        ownerKey,
        controller.kind === 'Pod' ? undefined : { kind: controller.kind, name: controller.name },
      );
    }
    group.pods.push(pod);
  }
  const byOwner = new Map<string, { ips: Set<string>; nodes: Set<string> }>();
  for (const group of groups.values()) {
    const seen = byOwner.get(group.owner) ?? { ips: new Set<string>(), nodes: new Set<string>() };
    seen.ips.add(group.ip);
    seen.nodes.add(group.node);
    byOwner.set(group.owner, seen);
  }
  return [...groups.entries()].map(([key, group]) => {
    const owner = owners.get(group.owner);
    const seen = byOwner.get(group.owner)!;
    const split = seen.ips.size > 1 ? 'ipBlock' : seen.nodes.size > 1 ? 'node' : undefined;
    return {
      key,
      namespace: group.namespace,
      ...(owner === undefined ? {} : { owner }),
      pods: group.pods,
      ...(split === undefined ? {} : { split }),
    };
  });
}
