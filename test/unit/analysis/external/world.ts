/**
 * Hand-made cluster state shaped like the sandbox's demo: the controller in ingress-sandbox, Ingress
 * shop/frontend (`/` works, `/admin` names a port the Service lacks), Ingress blog/blog behind a
 * default-deny, NodePort shop/static-site (Local, its Pod on sandbox-node-2), LoadBalancers
 * shop/frontend-public (with an address) and shop/frontend-cloud (pending).
 */
import type { DiagnosisPod } from '../../../../src/analysis/diagnosis/index.ts';
import type {
  ExternalEndpointSlice,
  ExternalInput,
  ExternalRequest,
  ExternalService,
  NodeLike,
} from '../../../../src/analysis/external/index.ts';
import type { Ingress, IngressClass } from '../../../../src/analysis/ingress.ts';
import type { Namespace, NetworkPolicy } from '../../../../src/analysis/k8s.ts';

export function pod(
  namespace: string,
  name: string,
  labels: Record<string, string>,
  ip: string,
  node: string,
  port: { name: string; containerPort: number },
  ready = true,
): DiagnosisPod {
  return {
    metadata: { namespace, name, labels },
    spec: { nodeName: node, containers: [{ name: 'main', ports: [port] }] },
    status: {
      phase: 'Running',
      podIP: ip,
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
    },
  } as DiagnosisPod;
}

export function node(index: number): NodeLike {
  return {
    metadata: { name: `sandbox-node-${index}` },
    status: {
      addresses: [{ type: 'InternalIP', address: `127.42.0.${index}` }],
      conditions: [{ type: 'Ready', status: 'True' }],
    },
  };
}

export function slice(
  service: string,
  namespace: string,
  pods: readonly DiagnosisPod[],
  port: { name: string; port: number },
): ExternalEndpointSlice {
  return {
    metadata: { namespace, name: `${service}-abcde`, labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    endpoints: pods.map((p) => ({
      addresses: [p.status!.podIP!],
      conditions: { ready: p.status!.conditions![0]!.status === 'True' },
      targetRef: { kind: 'Pod', name: p.metadata.name!, namespace },
      nodeName: p.spec!.nodeName!,
    })),
    ports: [{ name: port.name, port: port.port, protocol: 'TCP' }],
  };
}

export const controller = pod(
  'ingress-sandbox',
  'ingress-sandbox-controller-7d9f-x2x',
  { 'app.kubernetes.io/name': 'ingress-sandbox', 'app.kubernetes.io/component': 'controller' },
  '10.42.0.20',
  'sandbox-node-1',
  { name: 'http', containerPort: 80 },
);
export const frontend = pod(
  'shop',
  'frontend-5c6b-abc',
  { app: 'frontend' },
  '10.42.0.10',
  'sandbox-node-1',
  { name: 'http', containerPort: 8080 },
);
export const staticSite = pod('shop', 'static-site', { app: 'static-site' }, '10.42.0.11', 'sandbox-node-2', {
  name: 'http',
  containerPort: 8080,
});
export const blog = pod('blog', 'blog-6f7-xyz', { app: 'blog' }, '10.42.0.30', 'sandbox-node-3', {
  name: 'http',
  containerPort: 8080,
});

export const sandboxClass: IngressClass = {
  metadata: { name: 'sandbox', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
  spec: { controller: 'sandbox.kubereach.dev/ingress-controller' },
};

const address = { loadBalancer: { ingress: [{ ip: '127.42.1.1' }] } };

export const frontendIngress: Ingress = {
  metadata: { namespace: 'shop', name: 'frontend', creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: {
    ingressClassName: 'sandbox',
    rules: [
      {
        host: 'shop.example.com',
        http: {
          paths: [
            {
              path: '/',
              pathType: 'Prefix',
              backend: { service: { name: 'frontend', port: { name: 'http' } } },
            },
            {
              path: '/admin',
              pathType: 'Prefix',
              backend: { service: { name: 'frontend', port: { number: 8443 } } },
            },
          ],
        },
      },
    ],
  },
  status: address,
};

export const blogIngress: Ingress = {
  metadata: { namespace: 'blog', name: 'blog', creationTimestamp: '2026-01-01T00:00:01Z' },
  spec: {
    ingressClassName: 'sandbox',
    rules: [
      {
        host: 'blog.example.com',
        http: {
          paths: [
            { path: '/', pathType: 'Prefix', backend: { service: { name: 'blog', port: { number: 80 } } } },
          ],
        },
      },
    ],
  },
  status: address,
};

function service(
  namespace: string,
  name: string,
  selector: Record<string, string>,
  extra: Partial<NonNullable<ExternalService['spec']>> = {},
  status?: ExternalService['status'],
): ExternalService {
  return {
    metadata: { namespace, name },
    spec: {
      selector,
      clusterIP: '10.96.0.10',
      ports: [{ name: 'http', port: 80, targetPort: 'http' }],
      ...extra,
    },
    ...(status === undefined ? {} : { status }),
  };
}

export const services: ExternalService[] = [
  service('shop', 'frontend', { app: 'frontend' }),
  service('blog', 'blog', { app: 'blog' }),
  service(
    'shop',
    'static-site',
    { app: 'static-site' },
    {
      type: 'NodePort',
      externalTrafficPolicy: 'Local',
      ports: [{ name: 'http', port: 80, targetPort: 'http', nodePort: 30080 }],
    },
  ),
  service(
    'shop',
    'frontend-public',
    { app: 'frontend' },
    { type: 'LoadBalancer', ports: [{ name: 'http', port: 80, targetPort: 'http', nodePort: 31001 }] },
    { loadBalancer: { ingress: [{ ip: '127.42.1.2' }] } },
  ),
  service(
    'shop',
    'frontend-cloud',
    { app: 'frontend' },
    {
      type: 'LoadBalancer',
      loadBalancerClass: 'service.k8s.aws/nlb',
      ports: [{ name: 'http', port: 80, targetPort: 'http', nodePort: 31002 }],
    },
  ),
  service(
    'ingress-sandbox',
    'ingress-sandbox-controller',
    { 'app.kubernetes.io/name': 'ingress-sandbox' },
    {
      type: 'LoadBalancer',
      ports: [{ name: 'http', port: 80, targetPort: 'http', nodePort: 31000 }],
    },
    address,
  ),
];

export const policies: NetworkPolicy[] = [
  {
    metadata: { namespace: 'blog', name: 'default-deny-ingress' },
    spec: { podSelector: {}, policyTypes: ['Ingress'] },
  },
  {
    metadata: { namespace: 'blog', name: 'allow-same-namespace' },
    spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: {} }] }] },
  },
];

export const namespaces: Namespace[] = ['shop', 'blog', 'ingress-sandbox'].map((name) => ({
  metadata: { name, labels: { 'kubernetes.io/metadata.name': name } },
}));

export function world(request: ExternalRequest, overrides: Partial<ExternalInput> = {}): ExternalInput {
  return {
    request,
    ingresses: [frontendIngress, blogIngress],
    ingressClasses: [sandboxClass],
    services,
    endpointSlices: [
      slice('frontend', 'shop', [frontend], { name: 'http', port: 8080 }),
      slice('frontend-public', 'shop', [frontend], { name: 'http', port: 8080 }),
      slice('frontend-cloud', 'shop', [frontend], { name: 'http', port: 8080 }),
      slice('static-site', 'shop', [staticSite], { name: 'http', port: 8080 }),
      slice('blog', 'blog', [blog], { name: 'http', port: 8080 }),
      slice('ingress-sandbox-controller', 'ingress-sandbox', [controller], { name: 'http', port: 80 }),
    ],
    pods: [controller, frontend, staticSite, blog],
    nodes: [node(1), node(2), node(3)],
    networkPolicies: policies,
    namespaces,
    knownNamespaces: ['shop', 'blog', 'ingress-sandbox'],
    ...overrides,
  };
}
