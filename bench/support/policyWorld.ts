/**
 * A generated cluster as plain API JSON for bench/policy-scale.bench.ts: namespaces of Deployments'
 * Pods (each ReplicaSet's Pods share labels and ports, as the controller makes them), a Service and
 * an EndpointSlice per workload, and NetworkPolicies of the kinds real clusters hold (default deny,
 * per-workload ingress from other workloads by label, by namespace, on named and numeric ports,
 * egress to DNS and to ipBlocks outside the Pod network).
 */
import type { DiagnosisPod, EndpointSliceLike } from '../../src/analysis/diagnosis/index.ts';
import type { Namespace, NetworkPolicy, Service } from '../../src/analysis/k8s.ts';

export interface WorldShape {
  readonly namespaces: number;
  readonly workloadsPerNamespace: number;
  readonly podsPerWorkload: number;
  /** NetworkPolicies in each namespace (the first is a default deny). */
  readonly policiesPerNamespace: number;
}

export interface World {
  readonly namespaces: Namespace[];
  readonly pods: Map<string, DiagnosisPod[]>;
  readonly services: Map<string, Service[]>;
  readonly endpointSlices: Map<string, EndpointSliceLike[]>;
  readonly policies: Map<string, NetworkPolicy[]>;
}

export function namespaceName(index: number): string {
  return `team-${index}`;
}

function ip(namespace: number, pod: number): string {
  // 10.0.0.0/8 holds 16 M addresses: namespace in the upper bits, Pod in the lower 16.
  const n = namespace * 65536 + pod + 1;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

function policy(namespace: string, index: number, workloads: number): NetworkPolicy {
  if (index === 0) {
    return {
      metadata: { namespace, name: 'default-deny' },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    };
  }
  if (index === 1) {
    return {
      metadata: { namespace, name: 'allow-dns-and-egress' },
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [
          {
            ports: [
              { protocol: 'UDP', port: 53 },
              { protocol: 'TCP', port: 53 },
            ],
          },
          { to: [{ podSelector: {} }] },
          {
            to: [{ ipBlock: { cidr: '192.168.0.0/16', except: ['192.168.1.0/24'] } }],
            ports: [{ port: 443 }],
          },
        ],
      },
    };
  }
  const target = index % workloads;
  const from = (index * 7) % workloads;
  const kind = index % 4;
  return {
    metadata: { namespace, name: `allow-${index}` },
    spec: {
      podSelector:
        kind === 3
          ? {
              matchExpressions: [
                { key: 'app', operator: 'In', values: [`w${target}`, `w${(target + 1) % workloads}`] },
              ],
            }
          : { matchLabels: { app: `w${target}` } },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from:
            kind === 1
              ? [
                  {
                    namespaceSelector: { matchLabels: { tier: 'frontend' } },
                    podSelector: { matchLabels: { role: 'web' } },
                  },
                ]
              : kind === 2
                ? [
                    { ipBlock: { cidr: '172.16.0.0/12' } },
                    { podSelector: { matchLabels: { app: `w${from}` } } },
                  ]
                : [{ podSelector: { matchLabels: { app: `w${from}` } } }],
          ports: kind === 0 ? [{ port: 'http' }] : [{ port: 8000, endPort: 9000 }, { port: 80 }],
        },
      ],
    },
  };
}

export function generateWorld(shape: WorldShape): World {
  const world: World = {
    namespaces: [],
    pods: new Map(),
    services: new Map(),
    endpointSlices: new Map(),
    policies: new Map(),
  };
  for (let n = 0; n < shape.namespaces; n++) {
    const namespace = namespaceName(n);
    world.namespaces.push({
      metadata: { name: namespace, labels: { tier: n % 3 === 0 ? 'frontend' : 'backend' } },
    });
    const pods: DiagnosisPod[] = [];
    const services: Service[] = [];
    const slices: EndpointSliceLike[] = [];
    let podIndex = 0;
    for (let w = 0; w < shape.workloadsPerNamespace; w++) {
      const app = `w${w}`;
      const replicaSet = `${app}-5d9c7f${(w % 10).toString()}b8`;
      const labels = { app, role: w % 2 === 0 ? 'web' : 'api', 'pod-template-hash': `5d9c7f${w % 10}b8` };
      const members: DiagnosisPod[] = [];
      for (let p = 0; p < shape.podsPerWorkload; p++) {
        const address = ip(n, podIndex++);
        members.push({
          metadata: {
            namespace,
            name: `${replicaSet}-${p.toString(36).padStart(5, 'x')}`,
            labels,
            ownerReferences: [
              {
                apiVersion: 'apps/v1',
                kind: 'ReplicaSet',
                name: replicaSet,
                uid: `${namespace}-${replicaSet}`,
                controller: true,
              },
            ],
          },
          spec: {
            nodeName: `node-${podIndex % 50}`,
            containers: [
              {
                name: app,
                image: `registry.example/${app}:1`,
                ports: [{ name: 'http', containerPort: 8080 }],
              },
            ],
          },
          status: {
            phase: 'Running',
            podIP: address,
            podIPs: [{ ip: address }],
            hostIP: `172.31.0.${podIndex % 50}`,
            conditions: [
              { type: 'Ready', status: 'True' },
              { type: 'ContainersReady', status: 'True' },
            ],
            containerStatuses: [{ name: app, ready: true, restartCount: 0, state: { running: {} } }],
          },
        } as DiagnosisPod);
      }
      pods.push(...members);
      services.push({
        metadata: { namespace, name: app },
        spec: {
          type: 'ClusterIP',
          clusterIP: `10.96.${n % 256}.${w + 1}`,
          clusterIPs: [`10.96.${n % 256}.${w + 1}`],
          selector: { app },
          ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
        },
      });
      slices.push({
        metadata: { namespace, name: `${app}-abc12`, labels: { 'kubernetes.io/service-name': app } },
        addressType: 'IPv4',
        endpoints: members.map((member) => ({
          addresses: [member.status!.podIP!],
          conditions: { ready: true, serving: true, terminating: false },
          targetRef: { kind: 'Pod', name: member.metadata.name!, namespace },
        })),
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      });
    }
    world.pods.set(namespace, pods);
    world.services.set(namespace, services);
    world.endpointSlices.set(namespace, slices);
    world.policies.set(
      namespace,
      Array.from({ length: shape.policiesPerNamespace }, (_, index) =>
        policy(namespace, index, shape.workloadsPerNamespace),
      ),
    );
  }
  return world;
}
