/** Small builders for Gateway API objects in unit tests: one world, defaults where the CRDs default. */
import type { Service } from '../../../../src/analysis/k8s.ts';
import { buildGatewayRouteTable, routeGatewayRequest } from '../../../../src/analysis/gateway/index.ts';
import type {
  Gateway,
  GatewayRequest,
  GatewayRouteDecision,
  GatewayWorld,
  GRPCRoute,
  HTTPRoute,
  HTTPRouteRule,
  Listener,
  ParentReference,
  ReferenceGrant,
} from '../../../../src/analysis/gateway/index.ts';

export const CONTROLLER = 'sandbox.kubereach.dev/gateway-controller';

export function gateway(name: string, listeners: Listener[], namespace = 'infra'): Gateway {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name, namespace, generation: 1 },
    spec: { gatewayClassName: 'sandbox', listeners },
  };
}

export function http(name: string, port = 80, more: Partial<Listener> = {}): Listener {
  return { name, port, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'All' } }, ...more };
}

export function route(
  namespace: string,
  name: string,
  spec: {
    parentRefs?: readonly ParentReference[];
    hostnames?: readonly string[];
    rules?: readonly HTTPRouteRule[];
  },
  creationTimestamp = '2026-01-01T00:00:00Z',
): HTTPRoute {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name, namespace, creationTimestamp, generation: 2 },
    spec: { parentRefs: [{ name: 'gw', namespace: 'infra' }], ...spec },
  };
}

export function service(namespace: string, name: string, ports: number[] = [8080]): Service {
  return { metadata: { name, namespace }, spec: { ports: ports.map((port) => ({ port })) } };
}

export function grant(namespace: string, fromNamespace: string, toName?: string): ReferenceGrant {
  return {
    metadata: { name: `allow-${fromNamespace}`, namespace },
    spec: {
      from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: fromNamespace }],
      to: [{ group: '', kind: 'Service', ...(toName === undefined ? {} : { name: toName }) }],
    },
  };
}

export function world(parts: {
  gateways?: Gateway[];
  httpRoutes?: HTTPRoute[];
  grpcRoutes?: GRPCRoute[];
  services?: Service[];
  referenceGrants?: ReferenceGrant[];
  namespaces?: GatewayWorld['namespaces'];
  secrets?: GatewayWorld['secrets'];
}): GatewayWorld {
  return {
    gatewayClasses: [{ metadata: { name: 'sandbox', generation: 1 }, spec: { controllerName: CONTROLLER } }],
    gateways: parts.gateways ?? [],
    httpRoutes: parts.httpRoutes ?? [],
    grpcRoutes: parts.grpcRoutes ?? [],
    referenceGrants: parts.referenceGrants ?? [],
    services: parts.services ?? [],
    namespaces: parts.namespaces ?? [],
    ...(parts.secrets === undefined ? {} : { secrets: parts.secrets }),
  };
}

/** A rule with one match to one backend (Service v1..v3 on 8080, as the conformance suite's infra backends). */
export function rule(backend: string, ...matches: NonNullable<HTTPRouteRule['matches']>): HTTPRouteRule {
  return { ...(matches.length > 0 ? { matches } : {}), backendRefs: [{ name: backend, port: 8080 }] };
}

export const BACKENDS = ['infra-backend-v1', 'infra-backend-v2', 'infra-backend-v3'];

/** One request through a Gateway of the world (default: the one named gw, port 80, path /). */
export function routed(w: GatewayWorld, request: Partial<GatewayRequest>, gw = 'gw'): GatewayRouteDecision {
  const found = w.gateways.find((g) => g.metadata.name === gw)!;
  return routeGatewayRequest(buildGatewayRouteTable(found, w), { port: 80, path: '/', ...request });
}

/** The backend Service a request reaches, or the status the Gateway answers. */
export function outcome(w: GatewayWorld, request: Partial<GatewayRequest>, gw = 'gw'): string | number {
  const decision = routed(w, request, gw);
  if (decision.kind === 'no-listener') {
    return 'refused';
  }
  if (decision.kind !== 'routed') {
    return decision.status;
  }
  if (decision.backends.outcome.kind === 'error') {
    return 500;
  }
  const first = decision.backends.backends.find((b) => b.share > 0 && b.backend.state === 'resolved');
  return first?.backend.state === 'resolved' ? first.backend.service.name : 500;
}

/** One Gateway gw with one HTTP listener on 80 taking routes from all namespaces, and the infra backends. */
export function oneGateway(routes: HTTPRoute[]): GatewayWorld {
  return world({
    gateways: [gateway('gw', [http('http')])],
    httpRoutes: routes,
    services: BACKENDS.map((name) => service('infra', name)),
  });
}
