/**
 * A small cluster as plain API JSON for the diagnosis tests, shaped like the demo scenario (shop,
 * data, tools) and built the way the API server and the controllers would have left it: Pods with
 * IPs, conditions and container statuses; EndpointSlices as the EndpointSlice controller writes them
 * (named targetPorts resolved per Pod, a Pod that does not declare the name gets no port).
 */
import type { Namespace, NetworkPolicy, Service, ServicePort } from '../../../../src/analysis/k8s.ts';
import type {
  DiagnosisInput,
  DiagnosisPod,
  DiagnosisTarget,
  EndpointSliceLike,
} from '../../../../src/analysis/diagnosis/index.ts';
import { isPodReady } from '../../../../src/analysis/diagnosis/index.ts';
import { matchesServiceSelector } from '../../../../src/analysis/labels.ts';
import { resolveTargetPort } from '../../../../src/analysis/ports.ts';

export interface PodOptions {
  readonly ip?: string;
  readonly ready?: boolean;
  readonly ports?: readonly { name?: string; containerPort: number; protocol?: 'TCP' | 'UDP' }[];
  readonly owner?: string;
  readonly hash?: string;
  readonly waiting?: { reason: string; message?: string };
  readonly readinessProbe?: { httpGet: { path: string; port: string | number } };
  readonly phase?: 'Pending' | 'Running';
  readonly hostNetwork?: boolean;
}

export function pod(
  namespace: string,
  name: string,
  labels: Record<string, string>,
  options: PodOptions = {},
): DiagnosisPod {
  const ready = options.ready ?? true;
  const phase = options.phase ?? 'Running';
  const container = name.replace(/-[a-z0-9]+-[a-z0-9]+$/, '');
  const running = phase === 'Running' && options.waiting === undefined;
  return {
    metadata: {
      namespace,
      name,
      labels: options.hash === undefined ? labels : { ...labels, 'pod-template-hash': options.hash },
      ...(options.owner === undefined
        ? {}
        : {
            ownerReferences: [
              {
                apiVersion: 'apps/v1',
                kind: 'ReplicaSet',
                name: options.owner,
                uid: `uid-${options.owner}`,
                controller: true,
              },
            ],
          }),
    },
    spec: {
      nodeName: 'node-1',
      ...(options.hostNetwork ? { hostNetwork: true } : {}),
      containers: [
        {
          name: container,
          image: 'registry.example/app:1',
          ...(options.ports === undefined ? {} : { ports: options.ports }),
          ...(options.readinessProbe === undefined ? {} : { readinessProbe: options.readinessProbe }),
        },
      ],
    },
    status: {
      phase,
      ...(options.ip === undefined ? {} : { podIP: options.ip, podIPs: [{ ip: options.ip }] }),
      conditions:
        phase === 'Pending'
          ? [
              {
                type: 'PodScheduled',
                status: 'False',
                reason: 'Unschedulable',
                message: '0/3 nodes are available',
              },
            ]
          : [
              { type: 'PodScheduled', status: 'True' },
              { type: 'Initialized', status: 'True' },
              ready
                ? { type: 'Ready', status: 'True' }
                : {
                    type: 'Ready',
                    status: 'False',
                    reason: 'ContainersNotReady',
                    message: `containers with unready status: [${container}]`,
                  },
              ready
                ? { type: 'ContainersReady', status: 'True' }
                : { type: 'ContainersReady', status: 'False', reason: 'ContainersNotReady' },
            ],
      ...(phase === 'Pending'
        ? {}
        : {
            containerStatuses: [
              {
                name: container,
                ready: ready && running,
                restartCount: options.waiting?.reason === 'CrashLoopBackOff' ? 4 : 0,
                state: running
                  ? { running: { startedAt: '2024-01-01T00:00:00Z' } }
                  : { waiting: options.waiting ?? { reason: 'ContainerCreating' } },
              },
            ],
          }),
    },
  };
}

export function service(
  namespace: string,
  name: string,
  selector: Record<string, string> | undefined,
  ports: ServicePort[],
  extra: { clusterIP?: string; type?: 'ClusterIP' | 'NodePort' | 'ExternalName'; externalName?: string } = {},
): Service {
  return {
    metadata: { namespace, name },
    spec: {
      ...(selector === undefined ? {} : { selector }),
      ports,
      type: extra.type ?? 'ClusterIP',
      ...(extra.type === 'ExternalName'
        ? { externalName: extra.externalName }
        : { clusterIP: extra.clusterIP ?? '10.96.0.1', clusterIPs: [extra.clusterIP ?? '10.96.0.1'] }),
    },
  };
}

/** The EndpointSlices the controller would write for these Services and Pods. */
export function slicesFor(services: readonly Service[], pods: readonly DiagnosisPod[]): EndpointSliceLike[] {
  const slices: EndpointSliceLike[] = [];
  for (const svc of services) {
    const selector = svc.spec?.selector;
    if (selector === undefined || svc.spec?.type === 'ExternalName') {
      continue;
    }
    const groups = new Map<
      string,
      { ports: { name: string; port: number; protocol: string }[]; endpoints: object[] }
    >();
    for (const p of pods) {
      if (
        p.metadata.namespace !== svc.metadata.namespace ||
        !matchesServiceSelector(selector, p.metadata.labels)
      ) {
        continue;
      }
      if (p.status?.podIP === undefined) {
        continue;
      }
      const ports = (svc.spec?.ports ?? []).flatMap((port) => {
        const resolved = resolveTargetPort(port, p);
        return resolved.ok
          ? [{ name: port.name ?? '', port: resolved.port, protocol: port.protocol ?? 'TCP' }]
          : [];
      });
      const key = JSON.stringify(ports);
      const group = groups.get(key) ?? { ports, endpoints: [] };
      const ready = isPodReady(p);
      group.endpoints.push({
        addresses: [p.status.podIP],
        conditions: { ready, serving: ready, terminating: false },
        targetRef: { kind: 'Pod', namespace: p.metadata.namespace, name: p.metadata.name },
      });
      groups.set(key, group);
    }
    let index = 0;
    for (const group of groups.values()) {
      slices.push({
        metadata: {
          namespace: svc.metadata.namespace!,
          name: `${svc.metadata.name}-${index++}`,
          labels: { 'kubernetes.io/service-name': svc.metadata.name! },
        },
        addressType: 'IPv4',
        endpoints: group.endpoints as EndpointSliceLike['endpoints'],
        ports: group.ports,
      });
    }
    if (groups.size === 0) {
      slices.push({
        metadata: {
          namespace: svc.metadata.namespace!,
          name: `${svc.metadata.name}-empty`,
          labels: { 'kubernetes.io/service-name': svc.metadata.name! },
        },
        addressType: 'IPv4',
        endpoints: null,
        ports: null,
      });
    }
  }
  return slices;
}

export const namespaces: Namespace[] = [
  { metadata: { name: 'shop', labels: { team: 'shop' } } },
  { metadata: { name: 'data', labels: { team: 'data' } } },
  { metadata: { name: 'tools', labels: { team: 'platform' } } },
];

export const frontend = pod(
  'shop',
  'frontend-7d9c-abcde',
  { app: 'frontend', tier: 'web' },
  {
    ip: '10.244.1.10',
    ports: [{ name: 'http', containerPort: 8080 }],
    owner: 'frontend-7d9c',
    hash: '7d9c',
  },
);
export const backend1 = pod(
  'shop',
  'backend-5f6a-aaaaa',
  { app: 'backend', tier: 'api' },
  {
    ip: '10.244.1.20',
    ports: [
      { name: 'http', containerPort: 8080 },
      { name: 'grpc', containerPort: 9090 },
    ],
    owner: 'backend-5f6a',
    hash: '5f6a',
  },
);
export const backend2 = pod(
  'shop',
  'backend-5f6a-bbbbb',
  { app: 'backend', tier: 'api' },
  {
    ip: '10.244.1.21',
    ports: [
      { name: 'http', containerPort: 8080 },
      { name: 'grpc', containerPort: 9090 },
    ],
    owner: 'backend-5f6a',
    hash: '5f6a',
  },
);
export const checkout = pod(
  'shop',
  'checkout',
  { app: 'checkout' },
  {
    ip: '10.244.1.30',
    ready: false,
    ports: [{ name: 'http', containerPort: 8080 }],
    readinessProbe: { httpGet: { path: '/healthz', port: 'http' } },
  },
);
export const db = pod(
  'data',
  'db-0',
  { app: 'db' },
  { ip: '10.244.2.10', ports: [{ name: 'postgres', containerPort: 5432 }] },
);
export const busybox = pod('tools', 'busybox', { app: 'busybox' }, { ip: '10.244.3.10' });

export const services: Service[] = [
  service('shop', 'frontend', { app: 'frontend' }, [{ name: 'http', port: 80, targetPort: 'http' }], {
    clusterIP: '10.96.1.1',
  }),
  service(
    'shop',
    'backend',
    { app: 'backend' },
    [
      { name: 'http', port: 80, targetPort: 'http' },
      { name: 'grpc', port: 9090, targetPort: 'grpc' },
    ],
    { clusterIP: '10.96.1.2' },
  ),
  service('shop', 'legacy-api', { app: 'legacy-api' }, [{ name: 'http', port: 80, targetPort: 8080 }], {
    clusterIP: '10.96.1.3',
  }),
  service('shop', 'payments', { app: 'backend' }, [{ name: 'metrics', port: 9100, targetPort: 'metrics' }], {
    clusterIP: '10.96.1.4',
  }),
  service('shop', 'checkout', { app: 'checkout' }, [{ name: 'http', port: 80, targetPort: 'http' }], {
    clusterIP: '10.96.1.5',
  }),
  service('data', 'db', { app: 'db' }, [{ name: 'postgres', port: 5432, targetPort: 'postgres' }], {
    clusterIP: '10.96.2.1',
  }),
];

export const dbAllowBackendOnly: NetworkPolicy = {
  metadata: { namespace: 'data', name: 'db-allow-backend-only' },
  spec: {
    podSelector: { matchLabels: { app: 'db' } },
    policyTypes: ['Ingress'],
    ingress: [
      {
        from: [
          {
            namespaceSelector: { matchLabels: { team: 'shop' } },
            podSelector: { matchLabels: { app: 'backend' } },
          },
        ],
        ports: [{ protocol: 'TCP', port: 'postgres' }],
      },
    ],
  },
};

export const pods: DiagnosisPod[] = [frontend, backend1, backend2, checkout, db, busybox];

/** The demo-like world with `changes` applied, diagnosing `target` from `source` (default frontend). */
export function input(target: DiagnosisTarget, changes: Partial<DiagnosisInput> = {}): DiagnosisInput {
  const worldPods = changes.pods ?? pods;
  const worldServices = changes.services ?? services;
  return {
    source: frontend,
    target,
    pods: worldPods,
    services: worldServices,
    endpointSlices: slicesFor(worldServices, worldPods),
    networkPolicies: [dbAllowBackendOnly],
    namespaces,
    ...changes,
  };
}
