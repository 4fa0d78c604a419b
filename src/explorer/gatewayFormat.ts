/**
 * The words and icons of the explorer's Gateway API items (issue 15): each Gateway with its class,
 * listeners (port, protocol, hostname, allowed routes, attached routes) and addresses; each
 * HTTPRoute or GRPCRoute with its parents and hostnames, its rules and their backendRefs with
 * weights. Warnings are the plain sentences of `src/analysis/gateway/warnings.ts`, computed from
 * the objects (not copied from a controller's messages); the conditions a controller wrote are
 * shown beside them in the tooltip.
 *
 * Pure, as `ingressFormat.ts`: no `vscode`, no network. User data reaches a tooltip escaped or in
 * code spans (`src/analysis/markdown.ts`), never raw.
 *
 * `contextValue`s: `gateway`, `gatewayListener`, `httpRoute`, `grpcRoute`, `gatewayRouteRule`,
 * `gatewayBackendRef`.
 */
import { gatewayWarnings, routeWarnings } from '../analysis/gateway/index.ts';
import type {
  AnyRoute,
  BackendRef,
  UnreadLists,
  Condition,
  Gateway,
  GatewayWorld,
  Listener,
  ParentReference,
} from '../analysis/gateway/index.ts';
import { escapeMarkdown, markdownCode } from '../analysis/markdown.ts';
import { hostPortsBlock } from './format.ts';
import { classRefusedWarning, gatewayClassLine } from './gatewayClassFormat.ts';
import type { IconChoice, Presentation } from './format.ts';

export interface GatewayItemPresentation extends Presentation {
  readonly warnings: readonly string[];
}

/**
 * The cluster-wide lists the explorer could not read, each with the word the tree uses for it
 * (`no access`, `loading…`, `not read`): no warning rests on their absence, and the tooltip says
 * what is therefore not known.
 */
export interface UnreadWords {
  readonly gatewayClasses?: string;
  readonly referenceGrants?: string;
  /**
   * Why a namespace's Services were not read (`not loaded: namespace not in view`, `no access`);
   * undefined where they were. The explorer reads the Services of the namespaces in view only.
   */
  readonly services?: (namespace: string) => string | undefined;
  /** Likewise for the Gateways a parentRef names. */
  readonly gateways?: (namespace: string) => string | undefined;
}

function unreadLists(unread: UnreadWords): UnreadLists {
  const { services, gateways } = unread;
  return {
    gatewayClasses: unread.gatewayClasses !== undefined,
    referenceGrants: unread.referenceGrants !== undefined,
    ...(services === undefined ? {} : { services: (namespace: string) => services(namespace) !== undefined }),
    ...(gateways === undefined ? {} : { gateways: (namespace: string) => gateways(namespace) !== undefined }),
  };
}

/**
 * The backendRefs and parentRefs whose namespace's Services or Gateways were not read: what is
 * therefore not known, said instead of a BackendNotFound or a missing Gateway.
 */
function namespacesNotKnown(
  route: AnyRoute,
  refs: readonly BackendRef[],
  parents: readonly ParentReference[],
  unread: UnreadWords,
): string[] {
  const namespace = route.route.metadata.namespace ?? '';
  const lines: string[] = [];
  for (const ref of refs) {
    const word =
      (ref.kind ?? 'Service') === 'Service' ? unread.services?.(ref.namespace ?? namespace) : undefined;
    if (word !== undefined) {
      lines.push(
        `**Not known:** the Services of namespace ${markdownCode(ref.namespace ?? namespace)} are not read (${escapeMarkdown(word)}): whether ${markdownCode(backendRefText(ref, namespace))} exists`,
      );
    }
  }
  for (const parent of parents) {
    const word =
      (parent.kind ?? 'Gateway') === 'Gateway' ? unread.gateways?.(parent.namespace ?? namespace) : undefined;
    if (word !== undefined) {
      lines.push(
        `**Not known:** the Gateways of namespace ${markdownCode(parent.namespace ?? namespace)} are not read (${escapeMarkdown(word)}): whether ${markdownCode(parentText(parent, namespace))} exists`,
      );
    }
  }
  return [...new Set(lines)];
}

function classNotKnown(gateway: Gateway, world: GatewayWorld, unread: UnreadWords): string[] {
  const className = gateway.spec?.gatewayClassName;
  if (
    unread.gatewayClasses === undefined ||
    world.gatewayClasses.some((c) => c.metadata.name === className)
  ) {
    return [];
  }
  return [
    `**Not known:** GatewayClasses could not be read (${escapeMarkdown(unread.gatewayClasses)}): whether class ${markdownCode(className ?? '(none)')} exists and which controller serves it`,
  ];
}

/** The cross-namespace backendRefs of a route (or of one rule), whose ReferenceGrant could not be read. */
function grantsNotKnown(route: AnyRoute, refs: readonly BackendRef[], unread: UnreadWords): string[] {
  const namespace = route.route.metadata.namespace ?? '';
  const crossing = refs.filter((r) => r.namespace !== undefined && r.namespace !== namespace);
  if (unread.referenceGrants === undefined || crossing.length === 0) {
    return [];
  }
  return [
    `**Not known:** ReferenceGrants could not be read (${escapeMarkdown(unread.referenceGrants)}): whether a ReferenceGrant allows ${crossing.map((r) => markdownCode(backendRefText(r, namespace))).join(', ')}`,
  ];
}

const WARNING_ICON: IconChoice = { id: 'warning', color: 'list.warningForeground' };

function conditionLine(condition: Condition): string {
  const reason = condition.reason ? ` (${escapeMarkdown(condition.reason)})` : '';
  const message = condition.message ? `: ${escapeMarkdown(condition.message)}` : '';
  return `- ${markdownCode(condition.type)} ${escapeMarkdown(condition.status)}${reason}${message}`;
}

function conditionsBlock(title: string, conditions: readonly Condition[] | undefined): string[] {
  return conditions && conditions.length > 0
    ? [`**${title}**`, conditions.map(conditionLine).join('\n')]
    : [`**${title}:** none written (no controller has reported on it)`];
}

function warningsBlock(warnings: readonly string[]): string[] {
  return warnings.length > 0
    ? ['**Warnings**', warnings.map((warning) => `- ${escapeMarkdown(warning)}`).join('\n')]
    : [];
}

// ---------------------------------------------------------------------------------------------
// Gateways and listeners

/** `Same namespace`, `All namespaces`, `namespaces by selector`, then the kinds when given. */
export function allowedRoutesText(listener: Listener): string {
  const from = listener.allowedRoutes?.namespaces?.from ?? 'Same';
  const where =
    from === 'Same'
      ? 'routes from the same namespace'
      : from === 'All'
        ? 'routes from all namespaces'
        : from === 'Selector'
          ? 'routes from namespaces by selector'
          : `routes from ${from}`;
  const kinds = (listener.allowedRoutes?.kinds ?? []).map((k) => k.kind);
  return kinds.length > 0 ? `${where} (${kinds.join(', ')})` : where;
}

/** The attached-route count the controller wrote for a listener; undefined when none was written. */
export function attachedRoutesOf(gateway: Gateway, listenerName: string): number | undefined {
  return gateway.status?.listeners?.find((l) => l.name === listenerName)?.attachedRoutes;
}

function addressesOf(gateway: Gateway): string[] {
  return (gateway.status?.addresses ?? []).map((a) => a.value).filter((v) => v !== '');
}

/** `https · HTTPS 443 · *.example.com · 2 routes`, the listener's one line. */
export function listenerLine(gateway: Gateway, listener: Listener): string {
  const attached = attachedRoutesOf(gateway, listener.name);
  return [
    `${listener.protocol} ${listener.port}`,
    listener.hostname ?? 'any hostname',
    attached === undefined ? 'routes: not reported' : `${attached} route${attached === 1 ? '' : 's'}`,
  ].join(' · ');
}

function listenerWarnings(listener: Listener, warnings: readonly string[]): string[] {
  const prefix = `listener ${listener.name}:`;
  return warnings.filter((w) => w.startsWith(prefix));
}

export function gatewayPresentation(
  gateway: Gateway,
  world: GatewayWorld,
  unread: UnreadWords = {},
): GatewayItemPresentation {
  const name = gateway.metadata.name ?? '(unnamed)';
  const namespace = gateway.metadata.namespace ?? '';
  const className = gateway.spec?.gatewayClassName ?? '(none)';
  const gatewayClass = world.gatewayClasses.find((c) => c.metadata.name === gateway.spec?.gatewayClassName);
  const refused = classRefusedWarning(gatewayClass);
  const warnings = [
    ...(refused === undefined ? [] : [refused]),
    ...gatewayWarnings(gateway, world, undefined, unreadLists(unread)),
  ];
  const listeners = gateway.spec?.listeners ?? [];
  const addresses = addressesOf(gateway);
  const description = [
    className,
    listeners.map((l) => `${l.name}:${l.port}`).join(', ') || 'no listeners',
    addresses.length > 0 ? addresses.join(',') : 'no address',
  ];
  const blocks = [
    `**Gateway** ${markdownCode(name)} in namespace ${markdownCode(namespace)}`,
    gatewayClassLine(gateway.spec?.gatewayClassName, gatewayClass),
    `**Addresses:** ${addresses.length > 0 ? addresses.map(markdownCode).join(', ') : 'none yet'}`,
    listeners.length > 0
      ? `**Listeners**\n\n${listeners
          .map(
            (l) =>
              `- ${markdownCode(l.name)}: ${escapeMarkdown(listenerLine(gateway, l))}, ${escapeMarkdown(allowedRoutesText(l))}`,
          )
          .join('\n')}`
      : '**Listeners:** none',
    ...conditionsBlock('Conditions', gateway.status?.conditions),
    // A sandbox run as an ordinary user serves privileged ports elsewhere on this machine (issue 20).
    ...hostPortsBlock(gateway),
    ...warningsBlock(warnings),
    ...classNotKnown(gateway, world, unread),
  ];
  return {
    label: name,
    description: description.join(' · '),
    tooltip: blocks.join('\n\n'),
    icon: warnings.length > 0 ? WARNING_ICON : { id: 'server-environment' },
    contextValue: 'gateway',
    warnings,
  };
}

export function listenerPresentation(
  gateway: Gateway,
  listener: Listener,
  world: GatewayWorld,
  unread: UnreadWords = {},
): GatewayItemPresentation {
  const warnings = listenerWarnings(
    listener,
    gatewayWarnings(gateway, world, undefined, unreadLists(unread)),
  );
  const status = gateway.status?.listeners?.find((l) => l.name === listener.name);
  const blocks = [
    `**Listener** ${markdownCode(listener.name)} of Gateway ${markdownCode(`${gateway.metadata.namespace ?? ''}/${gateway.metadata.name ?? ''}`)}`,
    `**Port:** ${listener.port}, **protocol:** ${escapeMarkdown(listener.protocol)}`,
    `**Hostname:** ${listener.hostname ? markdownCode(listener.hostname) : 'any'}`,
    `**Allowed routes:** ${escapeMarkdown(allowedRoutesText(listener))}`,
    `**Attached routes:** ${status ? String(status.attachedRoutes) : 'not reported by a controller'}`,
    ...conditionsBlock('Conditions', status?.conditions),
    ...warningsBlock(warnings),
    ...classNotKnown(gateway, world, unread),
  ];
  return {
    label: listener.name,
    description: listenerLine(gateway, listener),
    tooltip: blocks.join('\n\n'),
    icon: warnings.length > 0 ? WARNING_ICON : { id: 'plug' },
    contextValue: 'gatewayListener',
    warnings,
  };
}

// ---------------------------------------------------------------------------------------------
// Routes, rules and backendRefs

/** `infra/public`, `infra/public#https`, `infra/public:443`. */
export function parentText(ref: ParentReference, routeNamespace: string): string {
  const kind = ref.kind && ref.kind !== 'Gateway' ? `${ref.kind} ` : '';
  const section = ref.sectionName ? `#${ref.sectionName}` : '';
  const port = ref.port !== undefined ? `:${ref.port}` : '';
  return `${kind}${ref.namespace ?? routeNamespace}/${ref.name}${section}${port}`;
}

export function routeName(route: AnyRoute): string {
  return route.route.metadata.name ?? '(unnamed)';
}

export function routePresentation(
  route: AnyRoute,
  world: GatewayWorld,
  unread: UnreadWords = {},
): GatewayItemPresentation {
  const name = routeName(route);
  const namespace = route.route.metadata.namespace ?? '';
  const warnings = routeWarnings(route, world, undefined, unreadLists(unread));
  const parents = (route.route.spec?.parentRefs ?? []).map((p) => parentText(p, namespace));
  const hostnames = route.route.spec?.hostnames ?? [];
  const rules = route.route.spec?.rules ?? [];
  const description = [
    ...(route.kind === 'GRPCRoute' ? ['gRPC'] : []),
    hostnames.length > 0 ? hostnames.join(', ') : 'any hostname',
    parents.length > 0 ? `→ ${parents.join(', ')}` : 'no parents',
  ];
  const parentStatus = (route.route.status?.parents ?? []).flatMap((p) => [
    `**Status from ${escapeMarkdown(p.controllerName)} for ${markdownCode(parentText(p.parentRef, namespace))}**`,
    (p.conditions ?? []).map(conditionLine).join('\n') || 'no conditions',
  ]);
  const blocks = [
    `**${route.kind}** ${markdownCode(name)} in namespace ${markdownCode(namespace)}`,
    `**Parents:** ${parents.length > 0 ? parents.map(markdownCode).join(', ') : 'none'}`,
    `**Hostnames:** ${hostnames.length > 0 ? hostnames.map(markdownCode).join(', ') : 'any (the listener’s)'}`,
    `**Rules:** ${rules.length}`,
    ...(parentStatus.length > 0
      ? parentStatus
      : ['**Status:** none written (no controller has reported on it)']),
    ...warningsBlock(warnings),
    ...grantsNotKnown(
      route,
      rules.flatMap((r) => r.backendRefs ?? []),
      unread,
    ),
    ...namespacesNotKnown(
      route,
      rules.flatMap((r) => r.backendRefs ?? []),
      route.route.spec?.parentRefs ?? [],
      unread,
    ),
  ];
  return {
    label: name,
    description: description.join(' · '),
    tooltip: blocks.join('\n\n'),
    icon: warnings.length > 0 ? WARNING_ICON : { id: route.kind === 'GRPCRoute' ? 'symbol-method' : 'link' },
    contextValue: route.kind === 'GRPCRoute' ? 'grpcRoute' : 'httpRoute',
    warnings,
  };
}

interface MatchLike {
  readonly path?: { readonly type?: string; readonly value?: string };
  readonly method?: unknown;
  readonly headers?: readonly unknown[];
  readonly queryParams?: readonly unknown[];
}

/** One match in a few words: `PathPrefix /api`, `GET Exact /x +1 header`, `store.Catalog/List`. */
export function matchText(kind: AnyRoute['kind'], match: MatchLike): string {
  const parts: string[] = [];
  if (kind === 'GRPCRoute') {
    const method = match.method as { service?: string; method?: string } | undefined;
    parts.push(`${method?.service ?? '*'}/${method?.method ?? '*'}`);
  } else {
    if (typeof match.method === 'string') {
      parts.push(match.method);
    }
    parts.push(`${match.path?.type ?? 'PathPrefix'} ${match.path?.value ?? '/'}`);
  }
  const headers = match.headers?.length ?? 0;
  const queries = match.queryParams?.length ?? 0;
  if (headers > 0) {
    parts.push(`+${headers} header${headers === 1 ? '' : 's'}`);
  }
  if (queries > 0) {
    parts.push(`+${queries} query`);
  }
  return parts.join(' ');
}

/** A rule's key (its index) and presentation; the label is its matches. */
export function rulePresentation(route: AnyRoute, index: number): Presentation {
  const rule = route.route.spec?.rules?.[index];
  const matches = ((rule?.matches ?? []) as readonly MatchLike[]).map((m) => matchText(route.kind, m));
  const label =
    matches.length > 0 ? matches.join(' | ') : route.kind === 'GRPCRoute' ? 'every call' : 'PathPrefix /';
  const refs = rule?.backendRefs ?? [];
  const filters = (rule?.filters ?? []).map((f) => f.type);
  const description = [
    `rule ${index + 1}${rule?.name ? ` (${rule.name})` : ''}`,
    refs.length > 0 ? `${refs.length} backend${refs.length === 1 ? '' : 's'}` : 'no backends',
    ...(filters.length > 0 ? [filters.join(', ')] : []),
  ];
  const blocks = [
    `**Rule ${index + 1}** of ${escapeMarkdown(route.kind)} ${markdownCode(routeName(route))}`,
    `**Matches**\n\n${(matches.length > 0 ? matches : [label]).map((m) => `- ${markdownCode(m)}`).join('\n')}`,
    filters.length > 0 ? `**Filters:** ${filters.map(markdownCode).join(', ')}` : '**Filters:** none',
    refs.length > 0
      ? `**Backends:** ${refs.length}`
      : '**Backends:** none (a request it takes is answered 500 unless a filter answers)',
  ];
  return {
    label,
    description: description.join(' · '),
    tooltip: blocks.join('\n\n'),
    icon: { id: 'arrow-right' },
    contextValue: 'gatewayRouteRule',
  };
}

/** `Service store/catalog:8080`, with the namespace only when it differs from the route's. */
export function backendRefText(ref: BackendRef, routeNamespace: string): string {
  const kind = ref.kind && ref.kind !== 'Service' ? `${ref.kind} ` : '';
  const namespace = ref.namespace && ref.namespace !== routeNamespace ? `${ref.namespace}/` : '';
  return `${kind}${namespace}${ref.name}${ref.port !== undefined ? `:${ref.port}` : ''}`;
}

/** A backendRef of a rule with its weight and share (weight / sum of the rule's weights). */
export function backendRefPresentation(
  route: AnyRoute,
  ruleIndex: number,
  refIndex: number,
  routeWarningsList: readonly string[],
  unread: UnreadWords = {},
): Presentation {
  const namespace = route.route.metadata.namespace ?? '';
  const refs = route.route.spec?.rules?.[ruleIndex]?.backendRefs ?? [];
  const ref = refs[refIndex];
  if (ref === undefined) {
    return {
      label: '(gone)',
      description: '',
      tooltip: '',
      icon: { id: 'question' },
      contextValue: 'gatewayBackendRef',
    };
  }
  const weight = ref.weight ?? 1;
  const total = refs.reduce((sum, r) => sum + (r.weight ?? 1), 0);
  const share = total > 0 ? Math.round((weight / total) * 100) : 0;
  const text = backendRefText(ref, namespace);
  const target = `${ref.namespace ?? namespace}/${ref.name}`;
  // The route's warnings that name this backend (RefNotPermitted, BackendNotFound…).
  const head = `backendRef ${ref.kind ?? 'Service'} ${target}`;
  const warnings = routeWarningsList.filter((w) => w.startsWith(`${head} `) || w.startsWith(`${head}:`));
  const blocks = [
    `**Backend** ${markdownCode(text)}`,
    `**Weight:** ${weight} of ${total}${total > 0 ? ` (${share}% of the rule’s requests)` : ' (every weight is zero: requests are answered 500)'}`,
    ...warningsBlock(warnings),
    ...grantsNotKnown(route, [ref], unread),
    ...namespacesNotKnown(route, [ref], [], unread),
  ];
  return {
    label: text,
    description: `weight ${weight}${total > 0 ? ` · ${share}%` : ''}`,
    tooltip: blocks.join('\n\n'),
    icon: warnings.length > 0 ? WARNING_ICON : { id: 'symbol-interface' },
    contextValue: 'gatewayBackendRef',
  };
}
