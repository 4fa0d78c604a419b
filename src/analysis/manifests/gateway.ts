/**
 * Static checks of Gateway API manifests (KR60xx): Gateways, HTTPRoutes and GRPCRoutes of
 * `gateway.networking.k8s.io` v1 (and v1beta1, the same shape for Gateway and HTTPRoute), from
 * the object alone. The checks themselves are the Gateway API core's (src/analysis/gateway/
 * validation.ts: the CRDs' schema and CEL rules, and what is accepted but routes surprisingly);
 * this module gives each problem a stable code by what it is about, and keeps its JSON path so the
 * diagnostic sits on the field.
 */
import type { Gateway, GRPCRoute, HTTPRoute } from '../gateway/types.ts';
import { validateGateway, validateGRPCRoute, validateHTTPRoute } from '../gateway/validation.ts';
import type { ManifestProblem } from '../gateway/validation.ts';
import type { DiagnosticCode } from './codes.ts';
import type { Finding } from './findings.ts';

export const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';

/** The versions read, per kind: v1beta1 Gateways and HTTPRoutes have the v1 shape. */
const VERSIONS: Readonly<Record<string, readonly string[]>> = {
  Gateway: ['v1', 'v1beta1'],
  HTTPRoute: ['v1', 'v1beta1'],
  GRPCRoute: ['v1'],
  ReferenceGrant: ['v1beta1', 'v1'],
  GatewayClass: ['v1', 'v1beta1'],
};

export type GatewayApiKind = 'Gateway' | 'HTTPRoute' | 'GRPCRoute' | 'ReferenceGrant' | 'GatewayClass';

/** The Gateway API kind of an object, when it is one the analysis reads. */
export function gatewayApiKind(object: {
  readonly kind: string;
  readonly apiVersion: string;
}): GatewayApiKind | undefined {
  const versions = VERSIONS[object.kind];
  if (versions === undefined) {
    return undefined;
  }
  const [group, version] = object.apiVersion.split('/');
  return group === GATEWAY_API_GROUP && version !== undefined && versions.includes(version)
    ? (object.kind as GatewayApiKind)
    : undefined;
}

/** The Gateway API kind of an object written in the workspace (its apiVersion is in its value). */
export function writtenGatewayApiKind(object: {
  readonly kind: string;
  readonly value: Readonly<Record<string, unknown>>;
}): GatewayApiKind | undefined {
  const apiVersion = object.value.apiVersion;
  return typeof apiVersion === 'string' ? gatewayApiKind({ kind: object.kind, apiVersion }) : undefined;
}

export function isGatewayRoute(object: { readonly kind: string; readonly apiVersion: string }): boolean {
  const kind = gatewayApiKind(object);
  return kind === 'HTTPRoute' || kind === 'GRPCRoute';
}

/** The stable code of a Gateway's problem, by the field it is about. */
function gatewayCode(problem: ManifestProblem): DiagnosticCode {
  const [, field, , ...rest] = problem.path;
  if (field !== 'listeners' || problem.path.length === 2) {
    return 'KR6001';
  }
  return problem.severity === 'warning' || rest[0] === 'allowedRoutes' ? 'KR6003' : 'KR6002';
}

/** The stable code of a route's problem, by the field it is about. */
function routeCode(problem: ManifestProblem): DiagnosticCode {
  const path = problem.path;
  const field = path[1];
  if (field === 'hostnames') {
    return 'KR6004';
  }
  if (field === 'parentRefs') {
    return problem.severity === 'warning' ? 'KR6006' : 'KR6005';
  }
  if (field === 'rules' && path.length > 3) {
    if (problem.severity === 'warning') {
      return 'KR6011';
    }
    if (path.includes('filters')) {
      return 'KR6010';
    }
    return path[3] === 'backendRefs' ? 'KR6009' : 'KR6008';
  }
  return 'KR6007';
}

function toFinding(problem: ManifestProblem, code: DiagnosticCode): Finding {
  return {
    code,
    severity: problem.severity,
    message: problem.message.charAt(0).toUpperCase() + problem.message.slice(1),
    at: { path: problem.path },
  };
}

/**
 * The static findings of a Gateway, HTTPRoute or GRPCRoute. A kustomize patch (a partial object)
 * is not checked: what it leaves out comes from its base.
 */
export function checkGatewayApiObject(
  object: {
    readonly kind: string;
    readonly apiVersion: string;
    readonly value: Readonly<Record<string, unknown>>;
  },
  isPatch: boolean,
): Finding[] {
  if (isPatch) {
    return [];
  }
  const value = object.value as unknown;
  switch (gatewayApiKind(object)) {
    case 'Gateway':
      return validateGateway(value as Gateway).map((problem) => toFinding(problem, gatewayCode(problem)));
    case 'HTTPRoute':
      return validateHTTPRoute(value as HTTPRoute).map((problem) => toFinding(problem, routeCode(problem)));
    case 'GRPCRoute':
      return validateGRPCRoute(value as GRPCRoute).map((problem) => toFinding(problem, routeCode(problem)));
    default:
      return [];
  }
}
