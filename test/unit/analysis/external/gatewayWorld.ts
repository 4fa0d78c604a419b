/**
 * Hand-made Gateway API state shaped like the sandbox's demo: Gateway infra/public (listeners http
 * :80 *.example.com, internal :8080 *.internal.example.com), HTTPRoute store/catalog (/api 90/10,
 * /metrics to analytics/metrics through a ReferenceGrant, / to catalog), HTTPRoute store/reports
 * (analytics/reporting, no ReferenceGrant), the gateway controller's Pod in gateway-sandbox.
 */
import type { DiagnosisPod } from '../../../../src/analysis/diagnosis/index.ts';
import type {
  ExternalInput,
  ExternalRequest,
  ExternalService,
} from '../../../../src/analysis/external/index.ts';
import type {
  Gateway,
  GatewayClass,
  GRPCRoute,
  HTTPRoute,
  ReferenceGrant,
} from '../../../../src/analysis/gateway/index.ts';
import type { NetworkPolicy } from '../../../../src/analysis/k8s.ts';
import { pod, slice, world } from './world.ts';

const created = '2026-01-01T00:00:00Z';

export const gatewayClass: GatewayClass = {
  metadata: { name: 'sandbox', creationTimestamp: created },
  spec: { controllerName: 'sandbox.kubereach.dev/gateway-controller' },
};

/** `null`: no address written (the controller has not programmed it). */
export function publicGateway(address: string | null = '127.44.0.1'): Gateway {
  return {
    metadata: { namespace: 'infra', name: 'public', generation: 1, creationTimestamp: created },
    spec: {
      gatewayClassName: 'sandbox',
      listeners: [
        {
          name: 'http',
          port: 80,
          protocol: 'HTTP',
          hostname: '*.example.com',
          allowedRoutes: { namespaces: { from: 'All' } },
        },
        {
          name: 'internal',
          port: 8080,
          protocol: 'HTTP',
          hostname: '*.internal.example.com',
          allowedRoutes: { namespaces: { from: 'All' } },
        },
      ],
    },
    ...(address === null
      ? {}
      : {
          status: {
            addresses: [{ type: 'IPAddress', value: address }],
            conditions: [
              {
                type: 'Programmed',
                status: 'True',
                reason: 'Programmed',
                message: '',
                lastTransitionTime: created,
              },
            ],
          },
        }),
  } as Gateway;
}

export const catalogRoute: HTTPRoute = {
  metadata: { namespace: 'store', name: 'catalog', generation: 1, creationTimestamp: created },
  spec: {
    parentRefs: [
      { name: 'public', namespace: 'infra', sectionName: 'http' },
      { name: 'public', namespace: 'infra', sectionName: 'internal' },
    ],
    hostnames: ['store.example.com'],
    rules: [
      {
        matches: [{ path: { type: 'PathPrefix', value: '/api' } }],
        backendRefs: [
          { name: 'catalog', port: 80, weight: 90 },
          { name: 'catalog-canary', port: 80, weight: 10 },
        ],
      },
      {
        matches: [{ path: { type: 'PathPrefix', value: '/metrics' } }],
        backendRefs: [{ name: 'metrics', namespace: 'analytics', port: 80 }],
      },
      { backendRefs: [{ name: 'catalog', port: 80 }] },
    ],
  },
};

export const reportsRoute: HTTPRoute = {
  metadata: { namespace: 'store', name: 'reports', generation: 1, creationTimestamp: created },
  spec: {
    parentRefs: [{ name: 'public', namespace: 'infra' }],
    hostnames: ['reports.example.com'],
    rules: [{ backendRefs: [{ name: 'reporting', namespace: 'analytics', port: 80 }] }],
  },
};

export const metricsGrant: ReferenceGrant = {
  metadata: { namespace: 'analytics', name: 'store-routes-to-metrics' },
  spec: {
    from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'store' }],
    to: [{ group: '', kind: 'Service', name: 'metrics' }],
  },
};

const http = { name: 'http', containerPort: 8080 };
export const catalogPod = pod(
  'store',
  'catalog-1',
  { app: 'catalog', track: 'stable' },
  '10.42.1.1',
  'sandbox-node-1',
  http,
);
export const canaryPod = pod(
  'store',
  'catalog-canary-1',
  { app: 'catalog', track: 'canary' },
  '10.42.1.2',
  'sandbox-node-2',
  http,
);
export const reportingPod = pod(
  'analytics',
  'reporting-1',
  { app: 'reporting' },
  '10.42.1.3',
  'sandbox-node-3',
  http,
);
export const gatewayPod: DiagnosisPod = (() => {
  const base = pod(
    'gateway-sandbox',
    'gateway-sandbox-controller-1',
    { 'app.kubernetes.io/name': 'gateway-sandbox' },
    '10.42.1.9',
    'sandbox-node-1',
    { name: 'metrics', containerPort: 9090 },
  );
  return {
    ...base,
    spec: {
      ...base.spec,
      containers: [{ name: 'controller', image: 'sandbox.kubereach.dev/gateway-controller:1.0' }],
    },
  } as DiagnosisPod;
})();

function service(namespace: string, name: string, selector: Record<string, string>): ExternalService {
  return {
    metadata: { namespace, name },
    spec: { selector, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] },
  } as ExternalService;
}

export const gatewayServices: ExternalService[] = [
  service('store', 'catalog', { app: 'catalog', track: 'stable' }),
  service('store', 'catalog-canary', { app: 'catalog', track: 'canary' }),
  service('analytics', 'reporting', { app: 'reporting' }),
  service('analytics', 'metrics', { app: 'reporting' }),
];

const namespaceNames = ['store', 'analytics', 'infra', 'gateway-sandbox'];

/** The demo's Gateway API part over the Ingress world; `overrides` replace whole fields. */
export function gatewayWorld(
  request: ExternalRequest,
  options: {
    readonly gateway?: Gateway;
    readonly routes?: readonly HTTPRoute[];
    readonly grpcRoutes?: readonly GRPCRoute[];
    readonly grants?: readonly ReferenceGrant[];
    readonly policies?: readonly NetworkPolicy[];
    readonly gatewayApi?: ExternalInput['gatewayApi'];
  } = {},
): ExternalInput {
  const base = world(request);
  const services = [...base.services, ...gatewayServices];
  const namespaces = [
    ...base.namespaces,
    ...namespaceNames.map((name) => ({
      metadata: { name, labels: { 'kubernetes.io/metadata.name': name } },
    })),
  ];
  return {
    ...base,
    services,
    pods: [...base.pods, catalogPod, canaryPod, reportingPod, gatewayPod],
    endpointSlices: [
      ...base.endpointSlices,
      slice('catalog', 'store', [catalogPod], { name: 'http', port: 8080 }),
      slice('catalog-canary', 'store', [canaryPod], { name: 'http', port: 8080 }),
      slice('reporting', 'analytics', [reportingPod], { name: 'http', port: 8080 }),
      slice('metrics', 'analytics', [reportingPod], { name: 'http', port: 8080 }),
    ],
    networkPolicies: [...base.networkPolicies, ...(options.policies ?? [])],
    namespaces,
    knownNamespaces: [...base.knownNamespaces, ...namespaceNames],
    gatewayApi: options.gatewayApi ?? {
      state: 'served',
      world: {
        gatewayClasses: [gatewayClass],
        gateways: [options.gateway ?? publicGateway()],
        httpRoutes: options.routes ?? [catalogRoute, reportsRoute],
        grpcRoutes: options.grpcRoutes ?? [],
        referenceGrants: options.grants ?? [metricsGrant],
        services,
        namespaces,
      },
    },
  };
}
