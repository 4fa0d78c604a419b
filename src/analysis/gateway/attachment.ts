/**
 * Route attachment: for every route × parentRef × listener, whether the route attaches and, if
 * not, the condition reason the specification defines (apis/v1/shared_types.go
 * RouteConditionReason) and a sentence that says it plainly:
 *
 * - the parentRef's `sectionName`/`port` select no listener → NoMatchingParent;
 * - the selected listeners' `allowedRoutes` (kinds, namespaces) admit the route nowhere →
 *   NotAllowedByListeners;
 * - they admit it, but no listener hostname intersects the route's hostnames →
 *   NoMatchingListenerHostname;
 * - a match uses a value the API does not define (path, header, query or method type) →
 *   UnsupportedValue (every rule invalid), or Accepted with PartiallyInvalid (some rules).
 *
 * A parentRef is accepted when at least one listener it selects takes the route (shared_types.go
 * ParentReference.SectionName). Listener status does not affect attachment (ListenerStatus
 * AttachedRoutes). Cross-namespace parentRefs need no ReferenceGrant: the listener's
 * allowedRoutes is the other side's consent.
 */
import { intersectListenerAndRoute } from './hostnames.ts';
import type { HostnameIntersection } from './hostnames.ts';
import { DEFAULT_CAPABILITIES, kindAllowed, namespaceAllowed, parentRefSelects } from './listeners.ts';
import type { GatewayCapabilities } from './listeners.ts';
import { GATEWAY_GROUP, objectRef, refText } from './types.ts';
import type { AnyRoute, Gateway, GatewayWorld, Listener, ObjectRef, ParentReference } from './types.ts';

export type RouteAcceptedReason =
  | 'Accepted'
  | 'NotAllowedByListeners'
  | 'NoMatchingListenerHostname'
  | 'NoMatchingParent'
  | 'UnsupportedValue';

export type ListenerAttachmentState =
  | 'attached'
  /** The parentRef's sectionName or port names another listener. */
  | 'not-selected'
  | 'kind-not-allowed'
  | 'namespace-not-allowed'
  | 'hostname-mismatch';

export interface ListenerAttachment {
  readonly listener: string;
  readonly port: number;
  readonly protocol: string;
  readonly state: ListenerAttachmentState;
  /** The reason this listener alone would give. */
  readonly reason: RouteAcceptedReason;
  /** "attached to listener http of Gateway infra/public" or "not attached to …: why". */
  readonly message: string;
  /** What the route serves on this listener; `none` unless attached. */
  readonly hostnames: HostnameIntersection;
}

export interface AcceptedVerdict {
  readonly status: 'True' | 'False';
  readonly reason: RouteAcceptedReason;
  readonly message: string;
}

export type ParentAttachment =
  | {
      readonly kind: 'gateway';
      readonly parentIndex: number;
      readonly parentRef: ParentReference;
      readonly gateway: ObjectRef;
      readonly gatewayClassName: string | undefined;
      readonly listeners: readonly ListenerAttachment[];
      readonly accepted: AcceptedVerdict;
      /** Rules dropped for unsupported values while others remain (PartiallyInvalid). */
      readonly droppedRules: readonly RuleProblem[];
    }
  | {
      readonly kind: 'gateway-not-found';
      readonly parentIndex: number;
      readonly parentRef: ParentReference;
      readonly gateway: ObjectRef;
      readonly message: string;
    }
  | {
      /** A parent of another kind (a Service, for a mesh): outside what KubeReach computes. */
      readonly kind: 'other-parent';
      readonly parentIndex: number;
      readonly parentRef: ParentReference;
      readonly message: string;
    };

export interface RuleProblem {
  readonly ruleIndex: number;
  readonly message: string;
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);

/** Values the API's enums do not define, rule by rule (each "must result in … UnsupportedValue"). */
export function unsupportedValues(route: AnyRoute): RuleProblem[] {
  const problems: RuleProblem[] = [];
  if (route.kind === 'HTTPRoute') {
    for (const [ruleIndex, rule] of (route.route.spec?.rules ?? []).entries()) {
      for (const match of rule.matches ?? []) {
        const pathType = match.path?.type ?? 'PathPrefix';
        if (!['Exact', 'PathPrefix', 'RegularExpression'].includes(pathType)) {
          problems.push({
            ruleIndex,
            message: `rule ${ruleIndex}: path match type ${pathType} is not supported`,
          });
        }
        for (const header of match.headers ?? []) {
          const type = header.type ?? 'Exact';
          if (type !== 'Exact' && type !== 'RegularExpression') {
            problems.push({
              ruleIndex,
              message: `rule ${ruleIndex}: header match type ${type} is not supported`,
            });
          }
        }
        for (const query of match.queryParams ?? []) {
          const type = query.type ?? 'Exact';
          if (type !== 'Exact' && type !== 'RegularExpression') {
            problems.push({
              ruleIndex,
              message: `rule ${ruleIndex}: query param match type ${type} is not supported`,
            });
          }
        }
        if (match.method !== undefined && !METHODS.has(match.method)) {
          problems.push({ ruleIndex, message: `rule ${ruleIndex}: method ${match.method} is not supported` });
        }
      }
    }
  } else {
    for (const [ruleIndex, rule] of (route.route.spec?.rules ?? []).entries()) {
      for (const match of rule.matches ?? []) {
        const type = match.method?.type ?? 'Exact';
        if (type !== 'Exact' && type !== 'RegularExpression') {
          problems.push({
            ruleIndex,
            message: `rule ${ruleIndex}: gRPC method match type ${type} is not supported`,
          });
        }
        for (const header of match.headers ?? []) {
          const headerType = header.type ?? 'Exact';
          if (headerType !== 'Exact' && headerType !== 'RegularExpression') {
            problems.push({
              ruleIndex,
              message: `rule ${ruleIndex}: header match type ${headerType} is not supported`,
            });
          }
        }
      }
    }
  }
  return problems;
}

/** Whether a parentRef points at a Gateway (its group and kind, defaulted). */
export function isGatewayParent(parentRef: ParentReference): boolean {
  return (parentRef.group ?? GATEWAY_GROUP) === GATEWAY_GROUP && (parentRef.kind ?? 'Gateway') === 'Gateway';
}

export function parentGatewayRef(parentRef: ParentReference, routeNamespace: string): ObjectRef {
  return { namespace: parentRef.namespace ?? routeNamespace, name: parentRef.name };
}

function listenerText(listener: Listener, gateway: ObjectRef): string {
  return `listener ${listener.name} of Gateway ${refText(gateway)}`;
}

/** How one listener of a Gateway takes (or not) a route through one parentRef. */
export function attachToListener(
  route: AnyRoute,
  parentRef: ParentReference,
  gateway: Gateway,
  listener: Listener,
  world: Pick<GatewayWorld, 'namespaces'>,
  capabilities: GatewayCapabilities = DEFAULT_CAPABILITIES,
): ListenerAttachment {
  const gatewayRef = objectRef(gateway);
  const routeNamespace = route.route.metadata.namespace ?? 'default';
  const base = { listener: listener.name, port: listener.port, protocol: listener.protocol };
  const not = (
    state: ListenerAttachmentState,
    reason: RouteAcceptedReason,
    why: string,
  ): ListenerAttachment => ({
    ...base,
    state,
    reason,
    message: `not attached to ${listenerText(listener, gatewayRef)}: ${why}`,
    hostnames: { kind: 'none', reason: why },
  });
  const selection = parentRefSelects(parentRef, listener);
  if (!selection.selected) {
    return not('not-selected', 'NoMatchingParent', `the parentRef's ${selection.reason}`);
  }
  const kind = kindAllowed(listener, { group: GATEWAY_GROUP, kind: route.kind }, capabilities);
  if (!kind.allowed) {
    return not('kind-not-allowed', 'NotAllowedByListeners', `${route.kind} is not allowed: ${kind.reason}`);
  }
  const namespace = namespaceAllowed(listener, gatewayRef.namespace, routeNamespace, world.namespaces);
  if (!namespace.allowed) {
    return not('namespace-not-allowed', 'NotAllowedByListeners', namespace.reason);
  }
  const hostnames = intersectListenerAndRoute(listener.hostname, route.route.spec?.hostnames);
  if (hostnames.kind === 'none') {
    return not('hostname-mismatch', 'NoMatchingListenerHostname', hostnames.reason);
  }
  const served = hostnames.kind === 'any' ? 'every hostname' : hostnames.hostnames.join(', ');
  return {
    ...base,
    state: 'attached',
    reason: 'Accepted',
    message: `attached to ${listenerText(listener, gatewayRef)} for ${served}`,
    hostnames,
  };
}

/** The Accepted verdict of a parentRef from its listeners' results (most telling failure first). */
function acceptedVerdict(
  parentRef: ParentReference,
  gateway: ObjectRef,
  listeners: readonly ListenerAttachment[],
  problems: readonly RuleProblem[],
  ruleCount: number,
): AcceptedVerdict {
  const invalidRules = new Set(problems.map((p) => p.ruleIndex));
  if (problems.length > 0 && invalidRules.size >= Math.max(ruleCount, 1)) {
    return {
      status: 'False',
      reason: 'UnsupportedValue',
      message: problems.map((p) => p.message).join('; '),
    };
  }
  const attached = listeners.filter((l) => l.state === 'attached');
  if (attached.length > 0) {
    return {
      status: 'True',
      reason: 'Accepted',
      message: `Accepted by ${attached.map((l) => `listener ${l.listener}`).join(', ')} of Gateway ${refText(gateway)}`,
    };
  }
  const selected = listeners.filter((l) => l.state !== 'not-selected');
  if (selected.length === 0) {
    const wanted = [
      parentRef.sectionName ? `sectionName ${parentRef.sectionName}` : undefined,
      parentRef.port ? `port ${parentRef.port}` : undefined,
    ].filter((x) => x !== undefined);
    return {
      status: 'False',
      reason: 'NoMatchingParent',
      message:
        listeners.length === 0
          ? `Gateway ${refText(gateway)} has no listeners`
          : `Gateway ${refText(gateway)} has no listener with ${wanted.join(' and ')} (listeners: ${listeners.map((l) => `${l.listener} on ${l.port}`).join(', ')})`,
    };
  }
  const allowed = selected.filter((l) => l.state === 'hostname-mismatch');
  if (allowed.length === 0) {
    return {
      status: 'False',
      reason: 'NotAllowedByListeners',
      message: selected.map((l) => l.message).join('; '),
    };
  }
  return {
    status: 'False',
    reason: 'NoMatchingListenerHostname',
    message: allowed.map((l) => l.message).join('; '),
  };
}

/** Every parentRef of a route: which Gateway, which listeners take it, and the Accepted verdict. */
export function attachRoute(
  route: AnyRoute,
  world: Pick<GatewayWorld, 'gateways' | 'namespaces'>,
  capabilities: GatewayCapabilities = DEFAULT_CAPABILITIES,
): ParentAttachment[] {
  const routeNamespace = route.route.metadata.namespace ?? 'default';
  const problems = unsupportedValues(route);
  const ruleCount = route.route.spec?.rules?.length ?? 0;
  return (route.route.spec?.parentRefs ?? []).map((parentRef, parentIndex): ParentAttachment => {
    if (!isGatewayParent(parentRef)) {
      const kind = parentRef.kind ?? 'Gateway';
      const group = parentRef.group ?? GATEWAY_GROUP;
      return {
        kind: 'other-parent',
        parentIndex,
        parentRef,
        message: `parentRef ${parentIndex} is a ${kind}${group === '' ? '' : `.${group}`}, not a Gateway; KubeReach computes Gateway attachment only`,
      };
    }
    const gatewayRef = parentGatewayRef(parentRef, routeNamespace);
    const gateway = world.gateways.find(
      (g) =>
        (g.metadata.namespace ?? 'default') === gatewayRef.namespace && g.metadata.name === gatewayRef.name,
    );
    if (gateway === undefined) {
      return {
        kind: 'gateway-not-found',
        parentIndex,
        parentRef,
        gateway: gatewayRef,
        message: `Gateway ${refText(gatewayRef)} does not exist`,
      };
    }
    const listeners = (gateway.spec?.listeners ?? []).map((listener) =>
      attachToListener(route, parentRef, gateway, listener, world, capabilities),
    );
    const accepted = acceptedVerdict(parentRef, gatewayRef, listeners, problems, ruleCount);
    return {
      kind: 'gateway',
      parentIndex,
      parentRef,
      gateway: gatewayRef,
      gatewayClassName: gateway.spec?.gatewayClassName,
      listeners,
      accepted,
      droppedRules: accepted.status === 'True' ? problems : [],
    };
  });
}

/** Whether a route is attached (and accepted) on a listener through any of its parentRefs. */
export function attachedOn(
  attachments: readonly ParentAttachment[],
  gateway: ObjectRef,
  listener: string,
): boolean {
  return attachments.some(
    (a) =>
      a.kind === 'gateway' &&
      a.accepted.status === 'True' &&
      refText(a.gateway) === refText(gateway) &&
      a.listeners.some((l) => l.listener === listener && l.state === 'attached'),
  );
}
