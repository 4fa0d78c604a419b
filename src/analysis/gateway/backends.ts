/**
 * backendRefs (apis/v1/shared_types.go BackendRef, BackendObjectReference; httproute_types.go
 * HTTPBackendRef, HTTPRouteRule.BackendRefs; referencegrant_types.go):
 *
 * - A backend is a Service of the core group unless `group`/`kind` say otherwise; other kinds are
 *   not supported here → ResolvedRefs False, InvalidKind.
 * - A Service backend needs a `port`, and it is the Service's port (not the target port).
 * - A backend in another namespace needs a ReferenceGrant in that namespace, from the route's
 *   kind and namespace, to Services (all, or that name) → else RefNotPermitted.
 * - A Service that does not exist, or a port it does not have → BackendNotFound.
 * - Weights default to 1; a backend gets weight/sum of the rule's traffic; 0 gets none. The share
 *   of invalid backends is answered 500; a rule whose weights are all zero, or with no backendRefs
 *   and no filter, has nowhere to send a request and is answered 500 too (the conformance suite's
 *   HTTPRouteOmittedBackendRefs expects 500 for the latter).
 */
import type { Service, ServicePort } from '../k8s.ts';
import { GATEWAY_GROUP, refText } from './types.ts';
import type { AnyRoute, BackendRef, GatewayWorld, ObjectRef, ReferenceGrant, RouteFilter } from './types.ts';

export type ResolvedRefsReason =
  'ResolvedRefs' | 'RefNotPermitted' | 'BackendNotFound' | 'InvalidKind' | 'UnsupportedValue';

export type BackendResolution =
  | {
      readonly state: 'resolved';
      readonly service: ObjectRef;
      readonly port: number;
      readonly weight: number;
      readonly servicePort: ServicePort;
      /** The ReferenceGrant that allows a cross-namespace reference. */
      readonly grant: ObjectRef | undefined;
      /** Something worth saying about a backend that resolves (an ExternalName Service). */
      readonly note: string | undefined;
      /** "Service shop/web port 80". */
      readonly text: string;
    }
  | {
      readonly state: 'invalid';
      readonly reason: Exclude<ResolvedRefsReason, 'ResolvedRefs'>;
      readonly weight: number;
      readonly text: string;
      readonly message: string;
    };

/** The group of a reference, "" for the core group, as the API defaults it. */
function coreGroup(group: string | undefined): string {
  return group ?? '';
}

/** The ReferenceGrant, if any, that lets `from` refer to `to` across namespaces. */
export function findReferenceGrant(
  grants: readonly ReferenceGrant[],
  from: { readonly group: string; readonly kind: string; readonly namespace: string },
  to: { readonly group: string; readonly kind: string; readonly namespace: string; readonly name: string },
): ReferenceGrant | undefined {
  return grants.find(
    (grant) =>
      (grant.metadata.namespace ?? 'default') === to.namespace &&
      (grant.spec?.from ?? []).some(
        (f) => f.group === from.group && f.kind === from.kind && f.namespace === from.namespace,
      ) &&
      (grant.spec?.to ?? []).some(
        (t) =>
          t.group === to.group &&
          t.kind === to.kind &&
          (t.name === undefined || t.name === '' || t.name === to.name),
      ),
  );
}

function weightOf(ref: BackendRef): number {
  return ref.weight ?? 1;
}

/** One backendRef of a route: the Service and port it reaches, or why it is invalid. */
export function resolveBackendRef(
  ref: BackendRef,
  route: AnyRoute,
  world: Pick<GatewayWorld, 'services' | 'referenceGrants'>,
): BackendResolution {
  const routeNamespace = route.route.metadata.namespace ?? 'default';
  const group = coreGroup(ref.group);
  const kind = ref.kind ?? 'Service';
  const namespace = ref.namespace ?? routeNamespace;
  const weight = weightOf(ref);
  const target = { namespace, name: ref.name };
  if (group !== '' || kind !== 'Service') {
    const text = `${kind}${group === '' ? '' : `.${group}`} ${refText(target)}`;
    return {
      state: 'invalid',
      reason: 'InvalidKind',
      weight,
      text,
      message: `backendRef ${text}: kind ${kind}${group === '' ? '' : ` of group ${group}`} is not supported (only Services of the core group)`,
    };
  }
  const text = `Service ${refText(target)}${ref.port === undefined ? '' : ` port ${ref.port}`}`;
  if (ref.port === undefined) {
    return {
      state: 'invalid',
      reason: 'UnsupportedValue',
      weight,
      text,
      message: `backendRef ${text} has no port, which a Service backend requires (the Service port, not the target port)`,
    };
  }
  let grant: ReferenceGrant | undefined;
  if (namespace !== routeNamespace) {
    grant = findReferenceGrant(
      world.referenceGrants,
      { group: GATEWAY_GROUP, kind: route.kind, namespace: routeNamespace },
      { group: '', kind: 'Service', namespace, name: ref.name },
    );
    if (grant === undefined) {
      return {
        state: 'invalid',
        reason: 'RefNotPermitted',
        weight,
        text,
        message: `backendRef ${text} is in another namespace than the ${route.kind} (${routeNamespace}), and no ReferenceGrant in ${namespace} allows ${route.kind}s from ${routeNamespace} to refer to Services`,
      };
    }
  }
  const service = world.services.find(
    (s) => (s.metadata.namespace ?? 'default') === namespace && s.metadata.name === ref.name,
  );
  if (service === undefined) {
    return {
      state: 'invalid',
      reason: 'BackendNotFound',
      weight,
      text,
      message: `backendRef ${text}: Service ${refText(target)} does not exist`,
    };
  }
  const servicePort = (service.spec?.ports ?? []).find((p) => p.port === ref.port);
  if (servicePort === undefined) {
    const ports = (service.spec?.ports ?? []).map((p) => p.port).join(', ');
    return {
      state: 'invalid',
      reason: 'BackendNotFound',
      weight,
      text,
      message: `backendRef ${text}: Service ${refText(target)} has no port ${ref.port} (its ports: ${ports || 'none'})`,
    };
  }
  return {
    state: 'resolved',
    service: target,
    port: ref.port,
    weight,
    servicePort,
    grant: grant === undefined ? undefined : { namespace, name: grant.metadata.name ?? '(unnamed)' },
    note: externalNameNote(service),
    text,
  };
}

function externalNameNote(service: Service): string | undefined {
  return service.spec?.type === 'ExternalName'
    ? `Service ${service.metadata.name} is of type ExternalName; support for it is implementation-specific and implementations SHOULD NOT support it`
    : undefined;
}

export interface BackendShare {
  readonly backend: BackendResolution;
  /** Fraction of the rule's requests, 0..1. */
  readonly share: number;
}

export type RuleOutcome =
  /** Requests are forwarded to the valid backends by weight (and `errorShare` of them answered 500). */
  | { readonly kind: 'forward'; readonly errorShare: number }
  /** Every request of the rule is answered 500, and why. */
  | { readonly kind: 'error'; readonly status: 500; readonly message: string }
  /** The rule has no backend but a filter (a redirect, say) that answers it. */
  | { readonly kind: 'filter'; readonly filters: readonly string[] };

export interface RuleBackends {
  readonly backends: readonly BackendShare[];
  readonly outcome: RuleOutcome;
}

/** The backends of one rule with their shares, and what the rule does with a request. */
export function ruleBackends(
  backendRefs: readonly BackendRef[] | undefined,
  filters: readonly RouteFilter[] | undefined,
  route: AnyRoute,
  world: Pick<GatewayWorld, 'services' | 'referenceGrants'>,
): RuleBackends {
  const refs = backendRefs ?? [];
  if (refs.length === 0) {
    if ((filters ?? []).length > 0) {
      return { backends: [], outcome: { kind: 'filter', filters: (filters ?? []).map((f) => f.type) } };
    }
    return {
      backends: [],
      outcome: { kind: 'error', status: 500, message: 'the rule has no backendRefs and no filter' },
    };
  }
  const resolved = refs.map((ref) => resolveBackendRef(ref, route, world));
  const total = resolved.reduce((sum, b) => sum + Math.max(b.weight, 0), 0);
  const backends = resolved.map((backend) => ({
    backend,
    share: total === 0 ? 0 : Math.max(backend.weight, 0) / total,
  }));
  if (total === 0) {
    return {
      backends,
      outcome: {
        kind: 'error',
        status: 500,
        message: 'every backendRef of the rule has weight 0, so no backend takes traffic',
      },
    };
  }
  const errorShare = backends
    .filter((b) => b.backend.state === 'invalid')
    .reduce((sum, b) => sum + b.share, 0);
  if (errorShare >= 1 - 1e-9) {
    const reasons = backends.flatMap((b) =>
      b.backend.state === 'invalid' && b.share > 0 ? [b.backend.message] : [],
    );
    return {
      backends,
      outcome: {
        kind: 'error',
        status: 500,
        message: `every backend with traffic is invalid: ${reasons.join('; ')}`,
      },
    };
  }
  return { backends, outcome: { kind: 'forward', errorShare } };
}

export interface ResolvedRefsVerdict {
  readonly status: 'True' | 'False';
  readonly reason: ResolvedRefsReason;
  readonly message: string;
  readonly invalid: readonly (BackendResolution & { readonly state: 'invalid' })[];
}

/** The route's ResolvedRefs condition: True, or False with the reason of its first invalid backendRef. */
export function routeResolvedRefs(
  route: AnyRoute,
  world: Pick<GatewayWorld, 'services' | 'referenceGrants'>,
): ResolvedRefsVerdict {
  const refs: BackendRef[] =
    route.kind === 'HTTPRoute'
      ? (route.route.spec?.rules ?? []).flatMap((rule) => rule.backendRefs ?? [])
      : (route.route.spec?.rules ?? []).flatMap((rule) => rule.backendRefs ?? []);
  const invalid = refs
    .map((ref) => resolveBackendRef(ref, route, world))
    .filter((b): b is BackendResolution & { state: 'invalid' } => b.state === 'invalid');
  const first = invalid[0];
  if (first === undefined) {
    return {
      status: 'True',
      reason: 'ResolvedRefs',
      message: 'Resolved all the Object references for the Route',
      invalid,
    };
  }
  return {
    status: 'False',
    reason: first.reason,
    message: invalid.map((b) => b.message).join('; '),
    invalid,
  };
}
