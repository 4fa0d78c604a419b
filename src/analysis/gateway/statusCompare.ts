/**
 * What the controller wrote against what KubeReach computes (status.ts), so that a diagnosis can
 * show both where they disagree: a controller that has not reconciled yet (no entry, an old
 * observedGeneration), one that reads the rules differently, or KubeReach missing an object the
 * controller sees. The comparison is by condition type, status and reason (messages are free
 * text); for listeners also by attachedRoutes. The controller compared with is the one named by
 * the Gateway's GatewayClass.
 */
import { computeGatewayStatuses } from './status.ts';
import type { ComputedStatus } from './status.ts';
import { GATEWAY_GROUP, objectRef, refText } from './types.ts';
import type { AnyRoute, Condition, Gateway, GatewayWorld, ObjectRef, ParentReference } from './types.ts';

export interface ConditionDisagreement {
  /** "Accepted", or "listener https Programmed", or "listener https attachedRoutes". */
  readonly what: string;
  /** What the controller wrote; undefined when it wrote nothing of this type. */
  readonly written: string | undefined;
  readonly computed: string;
  readonly message: string;
}

export type StatusComparison =
  /** The controller's status is older than the object: it has not caught up, so a disagreement means nothing yet. */
  | {
      readonly state: 'stale';
      readonly message: string;
      readonly disagreements: readonly ConditionDisagreement[];
    }
  /** The controller wrote nothing for this object (or this parentRef). */
  | { readonly state: 'not-written'; readonly message: string }
  | { readonly state: 'agrees' }
  | { readonly state: 'disagrees'; readonly disagreements: readonly ConditionDisagreement[] };

function text(condition: Pick<Condition, 'status' | 'reason'>): string {
  return `${condition.status} (${condition.reason})`;
}

function compareConditions(
  prefix: string,
  written: readonly Condition[] | undefined,
  computed: readonly Condition[],
): ConditionDisagreement[] {
  const disagreements: ConditionDisagreement[] = [];
  for (const expected of computed) {
    const actual = written?.find((c) => c.type === expected.type);
    if (actual === undefined) {
      // A controller need not write every type (Conflicted False is optional, PartiallyInvalid only when True).
      if (expected.type === 'Conflicted' && expected.status === 'False') {
        continue;
      }
      disagreements.push({
        what: `${prefix}${expected.type}`,
        written: undefined,
        computed: text(expected),
        message: `the controller wrote no ${expected.type} condition; KubeReach computes ${text(expected)}: ${expected.message}`,
      });
    } else if (actual.status !== expected.status || actual.reason !== expected.reason) {
      disagreements.push({
        what: `${prefix}${expected.type}`,
        written: text(actual),
        computed: text(expected),
        message: `the controller says ${expected.type} ${text(actual)}${actual.message ? ` ("${actual.message}")` : ''}; KubeReach computes ${text(expected)}: ${expected.message}`,
      });
    }
  }
  return disagreements;
}

function staleness(
  written: readonly Condition[] | undefined,
  generation: number | undefined,
): string | undefined {
  if (generation === undefined) {
    return undefined;
  }
  const observed = (written ?? [])
    .map((c) => c.observedGeneration)
    .filter((g): g is number => g !== undefined);
  const oldest = observed.length === 0 ? undefined : Math.min(...observed);
  return oldest !== undefined && oldest < generation
    ? `the controller's conditions are for generation ${oldest}, the object is at generation ${generation}: it has not reconciled the latest change yet`
    : undefined;
}

function verdict(disagreements: ConditionDisagreement[], stale: string | undefined): StatusComparison {
  if (stale !== undefined) {
    return { state: 'stale', message: stale, disagreements };
  }
  return disagreements.length === 0 ? { state: 'agrees' } : { state: 'disagrees', disagreements };
}

function controllerOf(world: GatewayWorld, gateway: Gateway): string | undefined {
  return world.gatewayClasses.find((c) => c.metadata.name === gateway.spec?.gatewayClassName)?.spec
    ?.controllerName;
}

function computedFor(world: GatewayWorld, gateway: Gateway): ComputedStatus | undefined {
  const controllerName = controllerOf(world, gateway);
  if (controllerName === undefined) {
    return undefined;
  }
  const ref = objectRef(gateway);
  return computeGatewayStatuses(world, {
    controllerName,
    addresses: (r) => (refText(r) === refText(ref) ? gateway.status?.addresses : undefined),
  });
}

/** A Gateway's written status against the computed one: its conditions, and each listener's conditions and attachedRoutes. */
export function compareGatewayStatus(gateway: Gateway, world: GatewayWorld): StatusComparison {
  const computed = computedFor(world, gateway);
  const ref = objectRef(gateway);
  const mine = computed?.gateways.find((g) => refText(g.gateway) === refText(ref));
  if (mine === undefined) {
    return {
      state: 'not-written',
      message: `GatewayClass ${gateway.spec?.gatewayClassName ?? '(none)'} of Gateway ${refText(ref)} is not known, so KubeReach cannot tell which controller should write its status`,
    };
  }
  const written = gateway.status;
  if (written?.conditions === undefined || written.conditions.length === 0) {
    return {
      state: 'not-written',
      message: `the controller has written no status for Gateway ${refText(ref)}`,
    };
  }
  const disagreements = compareConditions('', written.conditions, mine.status.conditions);
  for (const listener of mine.status.listeners) {
    const actual = written.listeners?.find((l) => l.name === listener.name);
    if (actual === undefined) {
      disagreements.push({
        what: `listener ${listener.name}`,
        written: undefined,
        computed: `${listener.attachedRoutes} attached routes`,
        message: `the controller wrote no status for listener ${listener.name}`,
      });
      continue;
    }
    disagreements.push(
      ...compareConditions(`listener ${listener.name} `, actual.conditions, listener.conditions),
    );
    if (actual.attachedRoutes !== listener.attachedRoutes) {
      disagreements.push({
        what: `listener ${listener.name} attachedRoutes`,
        written: `${actual.attachedRoutes}`,
        computed: `${listener.attachedRoutes}`,
        message: `the controller counts ${actual.attachedRoutes} routes attached to listener ${listener.name}; KubeReach counts ${listener.attachedRoutes}`,
      });
    }
  }
  return verdict(disagreements, staleness(written.conditions, gateway.metadata.generation));
}

function sameParent(a: ParentReference, b: ParentReference, routeNamespace: string): boolean {
  return (
    (a.group ?? GATEWAY_GROUP) === (b.group ?? GATEWAY_GROUP) &&
    (a.kind ?? 'Gateway') === (b.kind ?? 'Gateway') &&
    (a.namespace ?? routeNamespace) === (b.namespace ?? routeNamespace) &&
    a.name === b.name &&
    (a.sectionName ?? '') === (b.sectionName ?? '') &&
    (a.port ?? 0) === (b.port ?? 0)
  );
}

export interface ParentStatusComparison {
  readonly parentIndex: number;
  readonly parentRef: ParentReference;
  readonly gateway: ObjectRef;
  readonly comparison: StatusComparison;
}

/**
 * A route's written `status.parents` against the computed entries, parentRef by parentRef (for
 * parentRefs to Gateways KubeReach can see; a missing Gateway gets no entry from any controller).
 */
export function compareRouteStatus(route: AnyRoute, world: GatewayWorld): ParentStatusComparison[] {
  const routeNamespace = route.route.metadata.namespace ?? 'default';
  const routeRef = refText(objectRef(route.route));
  const results: ParentStatusComparison[] = [];
  // A route's parent status depends on the route and its Gateway alone: compute just that.
  const alone = {
    ...world,
    httpRoutes: route.kind === 'HTTPRoute' ? [route.route] : [],
    grpcRoutes: route.kind === 'GRPCRoute' ? [route.route] : [],
  };
  const referenced = world.gateways.filter((gateway) =>
    (route.route.spec?.parentRefs ?? []).some(
      (ref) =>
        ref.name === gateway.metadata.name &&
        (ref.namespace ?? routeNamespace) === (gateway.metadata.namespace ?? 'default'),
    ),
  );
  for (const gateway of referenced) {
    const computed = computedFor({ ...alone, gateways: [gateway] }, gateway);
    const mine = computed?.routes.find((r) => r.kind === route.kind && refText(r.route) === routeRef);
    const controllerName = controllerOf(world, gateway);
    for (const attachment of mine?.attachments ?? []) {
      if (attachment.kind !== 'gateway' || refText(attachment.gateway) !== refText(objectRef(gateway))) {
        continue;
      }
      const expected = mine?.parents.find((p) =>
        sameParent(p.parentRef, attachment.parentRef, routeNamespace),
      );
      const written = (route.route.status?.parents ?? []).find(
        (p) =>
          p.controllerName === controllerName &&
          sameParent(p.parentRef, attachment.parentRef, routeNamespace),
      );
      let comparison: StatusComparison;
      if (expected === undefined) {
        continue;
      } else if (written === undefined) {
        comparison = {
          state: 'not-written',
          message: `${controllerName ?? 'the controller'} has written no status for this route's parentRef to Gateway ${refText(attachment.gateway)} (not reconciled yet, or it does not see the route)`,
        };
      } else {
        comparison = verdict(
          compareConditions('', written.conditions, expected.conditions ?? []),
          staleness(written.conditions, route.route.metadata.generation),
        );
      }
      results.push({
        parentIndex: attachment.parentIndex,
        parentRef: attachment.parentRef,
        gateway: attachment.gateway,
        comparison,
      });
    }
  }
  return results.sort((a, b) => a.parentIndex - b.parentIndex);
}
