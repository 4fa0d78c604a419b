/**
 * The scenario's nodes as Node objects, registered at bootstrap as a kubelet registers its node:
 * the labels every kubelet sets, the InternalIP (the node's address in the sandbox's block) and
 * Hostname addresses, a Ready condition, nodeInfo and capacity. Nodes never go NotReady here and
 * their heartbeats are not renewed (no Lease objects are served).
 */
import type { KubeObject } from '../api/store.ts';
import { timestamp } from '../api/store.ts';
import type { Cluster } from '../cluster.ts';
import { SYSTEM_USER, type } from '../cluster.ts';
import { SANDBOX_VERSION } from '../api/discovery.ts';

export const KUBELET_VERSION = SANDBOX_VERSION.gitVersion;

const CAPACITY = {
  cpu: '4',
  'ephemeral-storage': '102626232Ki',
  'hugepages-2Mi': '0',
  memory: '8148440Ki',
  pods: '110',
};

/** Creates a Node object for each of the cluster's nodes, with its status. */
export function registerNodes(cluster: Cluster): void {
  const nodes = type('nodes');
  for (const node of cluster.nodes) {
    const created = cluster.create(
      nodes,
      {
        metadata: {
          name: node.name,
          labels: {
            'beta.kubernetes.io/arch': 'amd64',
            'beta.kubernetes.io/os': 'linux',
            'kubernetes.io/arch': 'amd64',
            'kubernetes.io/hostname': node.name,
            'kubernetes.io/os': 'linux',
          },
          annotations: {
            'node.alpha.kubernetes.io/ttl': '0',
            'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
          },
        },
        spec: { podCIDR: cluster.addresses.podCidr, podCIDRs: [cluster.addresses.podCidr] },
      },
      { user: SYSTEM_USER },
    );
    cluster.update(
      nodes,
      { ...created, status: nodeStatus(node) },
      { subresource: 'status', user: SYSTEM_USER },
    );
  }
}

function nodeStatus(node: { name: string; ip: string }): Record<string, unknown> {
  const now = timestamp();
  const condition = (conditionType: string, status: string, reason: string, message: string) => ({
    type: conditionType,
    status,
    lastHeartbeatTime: now,
    lastTransitionTime: now,
    reason,
    message,
  });
  return {
    capacity: CAPACITY,
    allocatable: CAPACITY,
    conditions: [
      condition(
        'MemoryPressure',
        'False',
        'KubeletHasSufficientMemory',
        'kubelet has sufficient memory available',
      ),
      condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
      condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
      condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
    ],
    addresses: [
      { type: 'InternalIP', address: node.ip },
      { type: 'Hostname', address: node.name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    nodeInfo: {
      machineID: digest(`machine/${node.name}`),
      systemUUID: digest(`uuid/${node.name}`),
      bootID: digest(`boot/${node.name}`),
      kernelVersion: '6.8.0-kubereach',
      osImage: 'KubeReach sandbox (simulated)',
      containerRuntimeVersion: 'containerd://1.7.24',
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: KUBELET_VERSION,
      operatingSystem: 'linux',
      architecture: 'amd64',
    },
  };
}

/** The node a name refers to, from the store (labels may have been edited). */
export function nodeObject(cluster: Cluster, name: string): KubeObject | undefined {
  return cluster.store.peek(type('nodes'), '', name);
}

function digest(seed: string): string {
  let hash = 0x811c9dc5;
  let out = '';
  for (let round = 0; round < 4; round++) {
    for (const char of `${seed}/${round}`) {
      hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
    }
    out += hash.toString(16).padStart(8, '0');
  }
  return out;
}
