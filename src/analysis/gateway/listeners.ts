/**
 * Gateway listeners on their own (apis/v1/gateway_types.go): which route kinds a listener takes
 * (`allowedRoutes.kinds`, else the kinds its protocol supports), from which namespaces
 * (`allowedRoutes.namespaces`: Same by default, All, or Selector with a label selector), which
 * listeners a parentRef selects (`sectionName`, `port`), and which listeners are not distinct
 * ("Conflicted": same port with different protocols, or same port, protocol and hostname).
 */
import { matchesLabelSelector } from '../labels.ts';
import type { Labels, Namespace } from '../k8s.ts';
import { GATEWAY_GROUP } from './types.ts';
import type { Listener, ParentReference, RouteGroupKind } from './types.ts';

/**
 * What the implementation supports: the route kinds each protocol takes. A protocol absent from
 * the map is unsupported (listener Accepted False, UnsupportedProtocol).
 */
export interface GatewayCapabilities {
  readonly kindsByProtocol: Readonly<Record<string, readonly RouteGroupKind[]>>;
}

const HTTP_KINDS: readonly RouteGroupKind[] = [
  { group: GATEWAY_GROUP, kind: 'HTTPRoute' },
  { group: GATEWAY_GROUP, kind: 'GRPCRoute' },
];

/**
 * The capabilities of KubeReach's analysis of a cluster whose implementation is not known, and of
 * the sandbox's controller: HTTP and HTTPS listeners take HTTPRoutes and GRPCRoutes; TLS, TCP and
 * UDP listeners take their own route kinds (which the sandbox does not route).
 */
export const DEFAULT_CAPABILITIES: GatewayCapabilities = {
  kindsByProtocol: {
    HTTP: HTTP_KINDS,
    HTTPS: HTTP_KINDS,
    TLS: [{ group: GATEWAY_GROUP, kind: 'TLSRoute' }],
    TCP: [{ group: GATEWAY_GROUP, kind: 'TCPRoute' }],
    UDP: [{ group: GATEWAY_GROUP, kind: 'UDPRoute' }],
  },
};

function groupOf(kind: RouteGroupKind): string {
  return kind.group ?? GATEWAY_GROUP;
}

export function sameKind(a: RouteGroupKind, b: RouteGroupKind): boolean {
  return groupOf(a) === groupOf(b) && a.kind === b.kind;
}

export function kindText(kind: RouteGroupKind): string {
  return groupOf(kind) === GATEWAY_GROUP ? kind.kind : `${kind.kind}.${groupOf(kind)}`;
}

export interface ListenerKinds {
  /** What the listener's status reports as supportedKinds. */
  readonly supported: readonly RouteGroupKind[];
  /** Kinds the listener names that the implementation does not support for its protocol. */
  readonly invalid: readonly RouteGroupKind[];
  readonly protocolSupported: boolean;
}

/** The route kinds a listener takes: its `allowedRoutes.kinds` that the protocol supports, or all the protocol supports. */
export function listenerKinds(listener: Listener, capabilities: GatewayCapabilities): ListenerKinds {
  const byProtocol = capabilities.kindsByProtocol[listener.protocol];
  if (byProtocol === undefined) {
    return { supported: [], invalid: listener.allowedRoutes?.kinds ?? [], protocolSupported: false };
  }
  const asked = listener.allowedRoutes?.kinds ?? [];
  if (asked.length === 0) {
    return {
      supported: byProtocol.map((k) => ({ group: groupOf(k), kind: k.kind })),
      invalid: [],
      protocolSupported: true,
    };
  }
  const supported: RouteGroupKind[] = [];
  const invalid: RouteGroupKind[] = [];
  for (const kind of asked) {
    if (byProtocol.some((k) => sameKind(k, kind))) {
      if (!supported.some((k) => sameKind(k, kind))) {
        supported.push({ group: groupOf(kind), kind: kind.kind });
      }
    } else {
      invalid.push(kind);
    }
  }
  return { supported, invalid, protocolSupported: true };
}

/**
 * A namespace's labels as a Selector sees them. The API server sets `kubernetes.io/metadata.name`
 * on every namespace, so a selector on it works even for a namespace object KubeReach has not read.
 */
export function namespaceLabels(namespace: string, namespaces: readonly Namespace[]): Labels {
  const found = namespaces.find((n) => n.metadata.name === namespace);
  return { ...(found?.metadata.labels ?? {}), 'kubernetes.io/metadata.name': namespace };
}

export type Admission = { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

/** Whether a listener's `allowedRoutes.namespaces` admits a route from a namespace. */
export function namespaceAllowed(
  listener: Listener,
  gatewayNamespace: string,
  routeNamespace: string,
  namespaces: readonly Namespace[],
): Admission {
  const from = listener.allowedRoutes?.namespaces?.from ?? 'Same';
  switch (from) {
    case 'All':
      return { allowed: true };
    case 'Same':
      return routeNamespace === gatewayNamespace
        ? { allowed: true }
        : {
            allowed: false,
            reason: `it admits routes from its own namespace ${gatewayNamespace} only (allowedRoutes.namespaces.from: Same), and the route is in ${routeNamespace}`,
          };
    case 'Selector': {
      const selector = listener.allowedRoutes?.namespaces?.selector;
      if (selector === undefined) {
        return {
          allowed: false,
          reason: 'allowedRoutes.namespaces.from is Selector but no selector is given',
        };
      }
      return matchesLabelSelector(selector, namespaceLabels(routeNamespace, namespaces))
        ? { allowed: true }
        : {
            allowed: false,
            reason: `namespace ${routeNamespace} does not match its allowedRoutes.namespaces.selector`,
          };
    }
    case 'None':
      return { allowed: false, reason: 'allowedRoutes.namespaces.from is None' };
    default:
      return {
        allowed: false,
        reason: `allowedRoutes.namespaces.from "${from}" is none of All, Same, Selector`,
      };
  }
}

/** Whether a listener takes a route kind. */
export function kindAllowed(
  listener: Listener,
  kind: RouteGroupKind,
  capabilities: GatewayCapabilities,
): Admission {
  const kinds = listenerKinds(listener, capabilities);
  if (!kinds.protocolSupported) {
    return { allowed: false, reason: `its protocol ${listener.protocol} is not supported` };
  }
  if (kinds.supported.some((k) => sameKind(k, kind))) {
    return { allowed: true };
  }
  return {
    allowed: false,
    reason:
      kinds.supported.length === 0
        ? `it takes no route kind (allowedRoutes.kinds: ${kinds.invalid.map(kindText).join(', ')}, none supported for ${listener.protocol})`
        : `it takes ${kinds.supported.map(kindText).join(', ')}, not ${kindText(kind)}`,
  };
}

export type ListenerSelection =
  { readonly selected: true } | { readonly selected: false; readonly reason: string };

/** Whether a parentRef's `sectionName` and `port` select a listener (both must match when both are set). */
export function parentRefSelects(parentRef: ParentReference, listener: Listener): ListenerSelection {
  if (
    parentRef.sectionName !== undefined &&
    parentRef.sectionName !== '' &&
    parentRef.sectionName !== listener.name
  ) {
    return { selected: false, reason: `sectionName ${parentRef.sectionName} is not ${listener.name}` };
  }
  if (parentRef.port !== undefined && parentRef.port !== 0 && parentRef.port !== listener.port) {
    return { selected: false, reason: `port ${parentRef.port} is not its port ${listener.port}` };
  }
  return { selected: true };
}

export type ListenerConflict =
  | { readonly conflicted: false }
  | {
      readonly conflicted: true;
      readonly reason: 'ProtocolConflict' | 'HostnameConflict';
      readonly with: readonly string[];
      readonly message: string;
    };

const HOSTNAME_PROTOCOLS = new Set(['HTTP', 'HTTPS', 'TLS']);

/**
 * Which listeners are not distinct (gateway_types.go "Distinct Listeners" and "Handling indistinct
 * Listeners"): on one port, protocols that cannot share it (any mix but HTTPS with TLS, which SNI
 * tells apart) are a ProtocolConflict; the same port and protocol with the same hostname (HTTP,
 * HTTPS, TLS) or at all (TCP, UDP) is a HostnameConflict. Every listener of a conflicting set is
 * conflicted: the spec forbids picking a winner.
 */
export function listenerConflicts(listeners: readonly Listener[]): ReadonlyMap<string, ListenerConflict> {
  const result = new Map<string, ListenerConflict>();
  for (const listener of listeners) {
    const samePort = listeners.filter((other) => other !== listener && other.port === listener.port);
    const protocolClash = samePort.filter((other) => !compatibleProtocols(other.protocol, listener.protocol));
    if (protocolClash.length > 0) {
      result.set(listener.name, {
        conflicted: true,
        reason: 'ProtocolConflict',
        with: protocolClash.map((l) => l.name),
        message: `port ${listener.port} is also used with protocol ${protocolClash.map((l) => `${l.protocol} by listener ${l.name}`).join(', ')}`,
      });
      continue;
    }
    const hostClash = samePort.filter(
      (other) =>
        other.protocol === listener.protocol &&
        (!HOSTNAME_PROTOCOLS.has(listener.protocol) || (other.hostname ?? '') === (listener.hostname ?? '')),
    );
    if (hostClash.length > 0) {
      const host = listener.hostname ? `hostname ${listener.hostname}` : 'no hostname';
      result.set(listener.name, {
        conflicted: true,
        reason: 'HostnameConflict',
        with: hostClash.map((l) => l.name),
        message: `listener ${hostClash.map((l) => l.name).join(', ')} also has port ${listener.port}, protocol ${listener.protocol} and ${host}`,
      });
      continue;
    }
    result.set(listener.name, { conflicted: false });
  }
  return result;
}

/** HTTPS and TLS share a port (both are told apart by SNI); any other mix of protocols on one port conflicts. */
function compatibleProtocols(a: string, b: string): boolean {
  if (a === b) {
    return true;
  }
  const tls = new Set(['HTTPS', 'TLS']);
  return tls.has(a) && tls.has(b);
}
