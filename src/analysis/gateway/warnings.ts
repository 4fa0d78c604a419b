/**
 * Plain-words warnings for a Gateway or a route, computed from the objects (not from what a
 * controller wrote, whose messages vary by implementation): what the explorer shows on an item
 * and a hover quotes. A route accepted by one listener and refused by another says so for the
 * other ("not attached to listener https of Gateway infra/public: hostname shop.example.com does
 * not match *.internal.example.com"), since that is usually the question the user has.
 */
import { attachRoute } from './attachment.ts';
import { resolveBackendRef } from './backends.ts';
import { DEFAULT_CAPABILITIES } from './listeners.ts';
import type { GatewayCapabilities } from './listeners.ts';
import { computeGatewayStatuses } from './status.ts';
import { objectRef, refText } from './types.ts';
import type { AnyRoute, BackendRef, Gateway, GatewayWorld } from './types.ts';

/**
 * The cluster-wide lists that could not be read (a 403, a failure, not listed yet): their absence
 * from the world proves nothing, so no warning rests on it (no "GatewayClass does not exist", no
 * RefNotPermitted). Whoever shows the warnings says what is not known beside them.
 */
export interface UnreadLists {
  readonly gatewayClasses?: boolean;
  readonly referenceGrants?: boolean;
  /**
   * Whether a namespace's Services were not read (not watched, refused, still loading): a
   * backendRef into it is not found in the world, which proves nothing (no BackendNotFound).
   */
  readonly services?: (namespace: string) => boolean;
  /** Likewise for Gateways: no "Gateway does not exist" for a parentRef into such a namespace. */
  readonly gateways?: (namespace: string) => boolean;
}

// Listener conditions do not depend on the controller; a stand-in class lets them be computed
// for a Gateway whose class could not be read.
const UNKNOWN_CONTROLLER = 'kubereach.dev/unknown-controller';

/** What is wrong with a route, one sentence each; empty when it is attached everywhere it asks and resolves. */
export function routeWarnings(
  route: AnyRoute,
  world: GatewayWorld,
  capabilities: GatewayCapabilities = DEFAULT_CAPABILITIES,
  unread: UnreadLists = {},
): string[] {
  const warnings: string[] = [];
  const parentRefs = route.route.spec?.parentRefs ?? [];
  if (parentRefs.length === 0) {
    warnings.push('no parentRefs: no Gateway serves this route');
  }
  for (const attachment of attachRoute(route, world, capabilities)) {
    if (attachment.kind === 'gateway-not-found') {
      if (unread.gateways?.(attachment.gateway.namespace) !== true) {
        warnings.push(attachment.message);
      }
      continue;
    }
    if (attachment.kind === 'other-parent') {
      continue;
    }
    if (attachment.accepted.status === 'False' && attachment.accepted.reason !== 'NotAllowedByListeners') {
      if (attachment.accepted.reason === 'NoMatchingListenerHostname') {
        warnings.push(
          ...attachment.listeners.filter((l) => l.state === 'hostname-mismatch').map((l) => l.message),
        );
      } else {
        warnings.push(
          `not attached to Gateway ${refText(attachment.gateway)}: ${attachment.accepted.message}`,
        );
      }
      continue;
    }
    // Refused by allowedRoutes: every listener the parentRef selects says why. Accepted: the
    // listeners that refuse it by namespace or hostname say why (a listener of another protocol
    // refusing the kind is expected, not news).
    const accepted = attachment.accepted.status === 'True';
    warnings.push(
      ...attachment.listeners
        .filter(
          (l) =>
            l.state !== 'attached' &&
            l.state !== 'not-selected' &&
            !(accepted && l.state === 'kind-not-allowed'),
        )
        .map((l) => l.message),
    );
    warnings.push(...attachment.droppedRules.map((p) => `dropped: ${p.message}`));
  }
  const routeNamespace = route.route.metadata.namespace ?? 'default';
  const refs: readonly BackendRef[] = (route.route.spec?.rules ?? []).flatMap(
    (rule: { readonly backendRefs?: readonly BackendRef[] }) => rule.backendRefs ?? [],
  );
  for (const ref of refs) {
    const resolution = resolveBackendRef(ref, route, world);
    if (
      resolution.state === 'resolved' ||
      (unread.referenceGrants === true && resolution.reason === 'RefNotPermitted') ||
      (resolution.reason === 'BackendNotFound' && unread.services?.(ref.namespace ?? routeNamespace) === true)
    ) {
      continue;
    }
    warnings.push(`${resolution.message} (ResolvedRefs ${resolution.reason})`);
  }
  return warnings;
}

/** What is wrong with a Gateway's listeners, one sentence each (from the computed listener conditions). */
export function gatewayWarnings(
  gateway: Gateway,
  world: GatewayWorld,
  capabilities: GatewayCapabilities = DEFAULT_CAPABILITIES,
  unread: UnreadLists = {},
): string[] {
  const className = gateway.spec?.gatewayClassName;
  let gatewayClasses = world.gatewayClasses;
  let controllerName = gatewayClasses.find((c) => c.metadata.name === className)?.spec?.controllerName;
  if (controllerName === undefined) {
    if (unread.gatewayClasses !== true || className === undefined) {
      return [`GatewayClass ${className ?? '(none)'} does not exist: no controller serves this Gateway`];
    }
    controllerName = UNKNOWN_CONTROLLER;
    gatewayClasses = [{ metadata: { name: className }, spec: { controllerName } }];
  }
  const ref = objectRef(gateway);
  const computed = computeGatewayStatuses(
    { ...world, gatewayClasses, gateways: [gateway] },
    { controllerName, capabilities, addresses: () => [{ value: 'n/a' }] },
  ).gateways.find((g) => refText(g.gateway) === refText(ref));
  const warnings: string[] = [];
  if ((gateway.spec?.listeners ?? []).length === 0) {
    warnings.push('the Gateway has no listeners');
  }
  for (const listener of computed?.status.listeners ?? []) {
    const problems = listener.conditions.filter(
      (c) =>
        (c.type === 'Accepted' && c.status === 'False') ||
        (c.type === 'ResolvedRefs' && c.status === 'False') ||
        (c.type === 'Conflicted' && c.status === 'True'),
    );
    // A conflicted listener is also not accepted for the same reason: say it once.
    const seen = new Set<string>();
    for (const problem of problems) {
      if (!seen.has(problem.reason)) {
        seen.add(problem.reason);
        warnings.push(
          `listener ${listener.name}: ${problem.message} (${problem.type} ${problem.status}, ${problem.reason})`,
        );
      }
    }
  }
  return warnings;
}
