/**
 * The status a conformant controller writes (apis/v1/gatewayclass_types.go, gateway_types.go,
 * shared_types.go RouteParentStatus), computed from the objects alone, so that the sandbox's
 * controller writes it by calling this and a diagnosis can compare what a real controller wrote
 * with what KubeReach computes:
 *
 * - GatewayClass: Accepted True (Accepted) for the classes of this controller.
 * - Gateway: Accepted (True Accepted; ListenersNotValid when some listener is not accepted, False
 *   when none is) and Programmed (True Programmed; False AddressNotAssigned without an address;
 *   False Invalid when not accepted).
 * - Listener: Accepted (UnsupportedProtocol, or the conflict reason of a conflicted listener),
 *   ResolvedRefs (InvalidRouteKinds; InvalidCertificateRef or RefNotPermitted when Secrets are
 *   known), Conflicted (HostnameConflict, ProtocolConflict; False NoConflicts), Programmed, the
 *   supported kinds and `attachedRoutes` (routes Accepted and attached, whatever the listener's
 *   own state).
 * - Route, per parentRef to a Gateway of this controller's classes: Accepted (see attachment.ts),
 *   ResolvedRefs (see backends.ts), and PartiallyInvalid when some rules were dropped.
 *
 * Conditions carry `observedGeneration`; `lastTransitionTime` is the writer's: mergeConditions
 * keeps the old time where a condition's status did not change.
 */
import { attachRoute } from './attachment.ts';
import type { ParentAttachment } from './attachment.ts';
import { findReferenceGrant, routeResolvedRefs } from './backends.ts';
import { DEFAULT_CAPABILITIES, listenerConflicts, listenerKinds } from './listeners.ts';
import type { GatewayCapabilities, ListenerConflict } from './listeners.ts';
import { allRoutes, GATEWAY_GROUP, objectRef, refText } from './types.ts';
import type {
  AnyRoute,
  Condition,
  Gateway,
  GatewayStatus,
  GatewayWorld,
  Listener,
  ListenerStatus,
  ObjectRef,
  RouteParentStatus,
} from './types.ts';

export interface StatusOptions {
  /** The controllerName of the GatewayClasses this controller manages. */
  readonly controllerName: string;
  readonly capabilities?: GatewayCapabilities;
  /** The addresses the data plane serves a Gateway on; undefined or empty: none assigned yet. */
  readonly addresses?: (
    gateway: ObjectRef,
  ) => readonly { readonly type?: string; readonly value: string }[] | undefined;
}

export interface ComputedGatewayClassStatus {
  readonly name: string;
  readonly conditions: readonly Condition[];
}

export interface ComputedGatewayStatus {
  readonly gateway: ObjectRef;
  readonly status: GatewayStatus & {
    readonly conditions: readonly Condition[];
    readonly listeners: readonly ListenerStatus[];
  };
}

export interface ComputedRouteStatus {
  readonly kind: AnyRoute['kind'];
  readonly route: ObjectRef;
  /** The entries this controller owns (parentRefs to Gateways of its classes), in parentRef order. */
  readonly parents: readonly RouteParentStatus[];
  /** The attachment of every parentRef, including those of other controllers and missing Gateways. */
  readonly attachments: readonly ParentAttachment[];
}

export interface ComputedStatus {
  readonly gatewayClasses: readonly ComputedGatewayClassStatus[];
  readonly gateways: readonly ComputedGatewayStatus[];
  readonly routes: readonly ComputedRouteStatus[];
}

function condition(
  type: string,
  status: Condition['status'],
  reason: string,
  message: string,
  generation: number | undefined,
): Condition {
  return generation === undefined
    ? { type, status, reason, message }
    : { type, status, reason, message, observedGeneration: generation };
}

/** The GatewayClass names this controller manages. */
export function managedClassNames(
  world: Pick<GatewayWorld, 'gatewayClasses'>,
  controllerName: string,
): Set<string> {
  return new Set(
    world.gatewayClasses
      .filter((c) => c.spec?.controllerName === controllerName)
      .map((c) => c.metadata.name ?? ''),
  );
}

interface ListenerVerdict {
  readonly status: ListenerStatus;
  readonly accepted: boolean;
}

function listenerStatus(
  gateway: Gateway,
  listener: Listener,
  conflict: ListenerConflict,
  attachedRoutes: number,
  hasAddress: boolean,
  world: GatewayWorld,
  capabilities: GatewayCapabilities,
): ListenerVerdict {
  const generation = gateway.metadata.generation;
  const kinds = listenerKinds(listener, capabilities);
  const conditions: Condition[] = [];
  let accepted: Condition;
  if (!kinds.protocolSupported) {
    accepted = condition(
      'Accepted',
      'False',
      'UnsupportedProtocol',
      `protocol ${listener.protocol} is not supported`,
      generation,
    );
  } else if (conflict.conflicted) {
    accepted = condition('Accepted', 'False', conflict.reason, `conflicted: ${conflict.message}`, generation);
  } else {
    accepted = condition('Accepted', 'True', 'Accepted', 'Listener is accepted', generation);
  }
  conditions.push(accepted);
  const refs = listenerRefs(
    gateway,
    listener,
    world,
    kinds.invalid.map((k) => k.kind),
  );
  conditions.push(
    condition('ResolvedRefs', refs.ok ? 'True' : 'False', refs.reason, refs.message, generation),
  );
  conditions.push(
    conflict.conflicted
      ? condition('Conflicted', 'True', conflict.reason, conflict.message, generation)
      : condition('Conflicted', 'False', 'NoConflicts', 'No conflicts', generation),
  );
  const isAccepted = accepted.status === 'True';
  conditions.push(
    !isAccepted || !refs.ok
      ? condition('Programmed', 'False', 'Invalid', isAccepted ? refs.message : accepted.message, generation)
      : hasAddress
        ? condition('Programmed', 'True', 'Programmed', 'Listener is programmed', generation)
        : condition('Programmed', 'False', 'Pending', 'the Gateway has no address yet', generation),
  );
  return {
    status: { name: listener.name, supportedKinds: kinds.supported, attachedRoutes, conditions },
    accepted: isAccepted,
  };
}

function listenerRefs(
  gateway: Gateway,
  listener: Listener,
  world: GatewayWorld,
  invalidKinds: readonly string[],
): { readonly ok: boolean; readonly reason: string; readonly message: string } {
  if (invalidKinds.length > 0) {
    return {
      ok: false,
      reason: 'InvalidRouteKinds',
      message: `route kinds ${invalidKinds.join(', ')} are not supported for protocol ${listener.protocol}`,
    };
  }
  if (listener.protocol === 'HTTPS' && (listener.tls?.mode ?? 'Terminate') === 'Terminate') {
    const certificates = listener.tls?.certificateRefs ?? [];
    if (certificates.length === 0) {
      return {
        ok: false,
        reason: 'InvalidCertificateRef',
        message: 'an HTTPS listener that terminates TLS needs a certificateRef',
      };
    }
    if (world.secrets !== undefined) {
      const gatewayNamespace = gateway.metadata.namespace ?? 'default';
      for (const ref of certificates) {
        const namespace = ref.namespace ?? gatewayNamespace;
        const target = `${ref.kind ?? 'Secret'} ${namespace}/${ref.name}`;
        if ((ref.group ?? '') !== '' || (ref.kind ?? 'Secret') !== 'Secret') {
          return {
            ok: false,
            reason: 'InvalidCertificateRef',
            message: `certificateRef ${target} is not a Secret`,
          };
        }
        if (
          namespace !== gatewayNamespace &&
          findReferenceGrant(
            world.referenceGrants,
            { group: GATEWAY_GROUP, kind: 'Gateway', namespace: gatewayNamespace },
            { group: '', kind: 'Secret', namespace, name: ref.name },
          ) === undefined
        ) {
          return {
            ok: false,
            reason: 'RefNotPermitted',
            message: `certificateRef ${target} is in another namespace and no ReferenceGrant in ${namespace} allows it`,
          };
        }
        if (
          !world.secrets.some(
            (s) => (s.metadata.namespace ?? 'default') === namespace && s.metadata.name === ref.name,
          )
        ) {
          return {
            ok: false,
            reason: 'InvalidCertificateRef',
            message: `certificateRef ${target} does not exist`,
          };
        }
      }
    }
  }
  return { ok: true, reason: 'ResolvedRefs', message: 'Resolved all the Object references for the Listener' };
}

function routeParentStatus(
  attachment: ParentAttachment & { kind: 'gateway' },
  route: AnyRoute,
  controllerName: string,
  world: GatewayWorld,
): RouteParentStatus {
  const generation = route.route.metadata.generation;
  const refs = routeResolvedRefs(route, world);
  const conditions: Condition[] = [
    condition(
      'Accepted',
      attachment.accepted.status,
      attachment.accepted.reason,
      attachment.accepted.message,
      generation,
    ),
    condition('ResolvedRefs', refs.status, refs.reason, refs.message, generation),
  ];
  if (attachment.droppedRules.length > 0) {
    conditions.push(
      condition(
        'PartiallyInvalid',
        'True',
        'UnsupportedValue',
        `Dropped Rule(s): ${attachment.droppedRules.map((p) => p.message).join('; ')}`,
        generation,
      ),
    );
  }
  return { parentRef: attachment.parentRef, controllerName, conditions };
}

/** Every status this controller writes, computed from the objects. Deterministic. */
export function computeGatewayStatuses(world: GatewayWorld, options: StatusOptions): ComputedStatus {
  const capabilities = options.capabilities ?? DEFAULT_CAPABILITIES;
  const managed = managedClassNames(world, options.controllerName);
  const gatewayClasses = world.gatewayClasses
    .filter((c) => managed.has(c.metadata.name ?? ''))
    .map((c) => ({
      name: c.metadata.name ?? '',
      conditions: [
        condition(
          'Accepted',
          'True',
          'Accepted',
          `Accepted by ${options.controllerName}`,
          c.metadata.generation,
        ),
      ],
    }));

  const routes = allRoutes(world).map((route) => {
    const attachments = attachRoute(route, world, capabilities);
    const parents = attachments.flatMap((a) =>
      a.kind === 'gateway' && managed.has(a.gatewayClassName ?? '')
        ? [routeParentStatus(a, route, options.controllerName, world)]
        : [],
    );
    return { kind: route.kind, route: objectRef(route.route), parents, attachments };
  });

  const gateways = world.gateways
    .filter((g) => managed.has(g.spec?.gatewayClassName ?? ''))
    .map((gateway): ComputedGatewayStatus => {
      const ref = objectRef(gateway);
      const generation = gateway.metadata.generation;
      const listeners = gateway.spec?.listeners ?? [];
      const conflicts = listenerConflicts(listeners);
      const addresses = options.addresses?.(ref) ?? [];
      const verdicts = listeners.map((listener) => {
        const attachedRoutes = routes.filter((r) =>
          r.attachments.some(
            (a) =>
              a.kind === 'gateway' &&
              a.accepted.status === 'True' &&
              refText(a.gateway) === refText(ref) &&
              a.listeners.some((l) => l.listener === listener.name && l.state === 'attached'),
          ),
        ).length;
        return listenerStatus(
          gateway,
          listener,
          conflicts.get(listener.name) ?? { conflicted: false },
          attachedRoutes,
          addresses.length > 0,
          world,
          capabilities,
        );
      });
      const rejected = listeners.filter((_, i) => !verdicts[i]!.accepted).map((l) => l.name);
      const acceptedListeners = listeners.length - rejected.length;
      const accepted =
        listeners.length === 0
          ? condition('Accepted', 'False', 'ListenersNotValid', 'the Gateway has no listeners', generation)
          : rejected.length === 0
            ? condition('Accepted', 'True', 'Accepted', 'Gateway is accepted', generation)
            : condition(
                'Accepted',
                acceptedListeners > 0 ? 'True' : 'False',
                'ListenersNotValid',
                `listeners not accepted: ${rejected.join(', ')}${
                  acceptedListeners > 0
                    ? `; accepted: ${listeners
                        .filter((l) => !rejected.includes(l.name))
                        .map((l) => l.name)
                        .join(', ')}`
                    : ''
                }`,
                generation,
              );
      const programmed =
        accepted.status !== 'True'
          ? condition('Programmed', 'False', 'Invalid', 'the Gateway is not accepted', generation)
          : addresses.length === 0
            ? condition(
                'Programmed',
                'False',
                'AddressNotAssigned',
                'no address has been assigned to the Gateway yet',
                generation,
              )
            : condition(
                'Programmed',
                'True',
                'Programmed',
                `Gateway is programmed on ${addresses.map((a) => a.value).join(', ')}`,
                generation,
              );
      return {
        gateway: ref,
        status: {
          addresses: addresses.map((a) => ({ type: a.type ?? 'IPAddress', value: a.value })),
          conditions: [accepted, programmed],
          listeners: verdicts.map((v) => v.status),
        },
      };
    });

  return { gatewayClasses, gateways, routes };
}

/**
 * Conditions to write: `next`, each keeping the `lastTransitionTime` of the previous condition of
 * its type when the status did not change, else `now`. Conditions of other types that the writer
 * does not own are kept (the spec forbids removing them).
 */
export function mergeConditions(
  previous: readonly Condition[] | undefined,
  next: readonly Condition[],
  now: string,
): Condition[] {
  const nextTypes = new Set(next.map((c) => c.type));
  const merged = next.map((c) => {
    const old = previous?.find((p) => p.type === c.type);
    return {
      ...c,
      lastTransitionTime:
        old !== undefined && old.status === c.status ? (old.lastTransitionTime ?? now) : now,
    };
  });
  const foreign = (previous ?? []).filter((p) => !nextTypes.has(p.type) && !OWNED_TYPES.has(p.type));
  return [...merged, ...foreign];
}

/** Condition types this module writes: one it wrote before and does not write now (PartiallyInvalid) is dropped. */
const OWNED_TYPES = new Set(['Accepted', 'Programmed', 'ResolvedRefs', 'Conflicted', 'PartiallyInvalid']);

function sameParentRef(
  a: RouteParentStatus['parentRef'],
  b: RouteParentStatus['parentRef'],
  routeNamespace: string,
): boolean {
  return (
    (a.group ?? GATEWAY_GROUP) === (b.group ?? GATEWAY_GROUP) &&
    (a.kind ?? 'Gateway') === (b.kind ?? 'Gateway') &&
    (a.namespace ?? routeNamespace) === (b.namespace ?? routeNamespace) &&
    a.name === b.name &&
    (a.sectionName ?? '') === (b.sectionName ?? '') &&
    (a.port ?? 0) === (b.port ?? 0)
  );
}

/**
 * A route's `status.parents` to write: the entries of other controllers untouched, this
 * controller's replaced by `ours` (with merged condition times); entries for parentRefs the
 * route no longer has are dropped.
 */
export function mergeRouteParents(
  previous: readonly RouteParentStatus[] | undefined,
  ours: readonly RouteParentStatus[],
  controllerName: string,
  routeNamespace: string,
  now: string,
): RouteParentStatus[] {
  const others = (previous ?? []).filter((p) => p.controllerName !== controllerName);
  const mine = ours.map((entry) => {
    const old = (previous ?? []).find(
      (p) =>
        p.controllerName === controllerName && sameParentRef(p.parentRef, entry.parentRef, routeNamespace),
    );
    return { ...entry, conditions: mergeConditions(old?.conditions, entry.conditions ?? [], now) };
  });
  return [...others, ...mine];
}
