/**
 * Hovers on HTTPRoutes and GRPCRoutes, in Markdown:
 * - on a parentRef: the Gateway it names as written in the workspace and as it lives in the
 *   cluster, each with its listeners and whether the route attaches there and why not (the Gateway
 *   API core's attachment), the live one with the attached routes its controller counts;
 * - on a backendRef: the Service as written in the workspace and as it lives in the cluster, with
 *   the ready endpoints behind the port (the Ingress backend hover's sections).
 *
 * Everything from a file or the cluster goes through `markdownCode` or `escapeMarkdown`.
 */
import { attachRoute } from '../gateway/attachment.ts';
import type { AnyRoute, Gateway } from '../gateway/types.ts';
import { escapeMarkdown, markdownCode } from '../markdown.ts';
import { isRecord } from './document.ts';
import type { ManifestObject, Path } from './document.ts';
import { gatewayApiKind, writtenGatewayApiKind } from './gateway.ts';
import type { HoverContext } from './hover.ts';
import { backendLines } from './ingressHover.ts';

const DEFAULT_NAMESPACE = 'default';

function code(text: string): string {
  return markdownCode(text) || '`""`';
}

function withNamespace<T>(value: Readonly<Record<string, unknown>>, namespace: string): T {
  const metadata = isRecord(value.metadata) ? value.metadata : {};
  return {
    ...value,
    metadata: {
      ...metadata,
      namespace: typeof metadata.namespace === 'string' ? metadata.namespace : namespace,
    },
  } as T;
}

/** The parentRef against the live Gateways, or why they cannot be told; none without a cluster model. */
function liveParentLines(object: ManifestObject, index: number, context: HoverContext): string[] {
  const kind = gatewayApiKind(object);
  const cluster = context.cluster;
  if ((kind !== 'HTTPRoute' && kind !== 'GRPCRoute') || cluster?.gatewayApi === undefined) {
    return context.clusterNote === undefined
      ? []
      : ['', `**Cluster**: ${escapeMarkdown(context.clusterNote)}`];
  }
  const namespace = object.namespace ?? cluster.defaultNamespace;
  const route = { kind, route: withNamespace(object.value, namespace) } as AnyRoute;
  const ref = route.route.spec?.parentRefs?.[index];
  const head = `**Cluster** ${code(cluster.context)}`;
  const live = cluster.gatewayApi();
  if (ref === undefined) {
    return [];
  }
  if (live.state !== 'ready') {
    return [
      '',
      `${head}: ${live.state === 'notServed' ? 'the Gateway API is not served' : escapeMarkdown(live.why)}`,
    ];
  }
  const gatewayNamespace = ref.namespace ?? namespace;
  const gateways = live.gateways(gatewayNamespace);
  if ('unreadable' in gateways) {
    return ['', `${head}, namespace ${code(gatewayNamespace)}: ${escapeMarkdown(gateways.unreadable)}`];
  }
  const attachment = attachRoute(route, { gateways, namespaces: live.namespaces ?? [] }).find(
    (candidate) => candidate.parentIndex === index,
  );
  if (attachment === undefined || attachment.kind === 'other-parent') {
    return [];
  }
  const gatewayText = `${attachment.gateway.namespace}/${attachment.gateway.name}`;
  if (attachment.kind === 'gateway-not-found') {
    return ['', `${head}: no Gateway ${code(gatewayText)}`];
  }
  const gateway = gateways.find((g) => g.metadata.name === attachment.gateway.name);
  const attached = attachment.listeners.filter((listener) => listener.state === 'attached').length;
  const lines = [
    '',
    `${head}: Gateway ${code(gatewayText)} live · attaches to ${attached} of ${attachment.listeners.length} listeners (Accepted ${attachment.accepted.status}, ${escapeMarkdown(attachment.accepted.reason)})`,
  ];
  for (const listener of attachment.listeners.slice(0, context.maxItems ?? 10)) {
    const status = gateway?.status?.listeners?.find((l) => l.name === listener.listener);
    const counted =
      status === undefined
        ? 'no status from a controller'
        : `${status.attachedRoutes} attached routes per its controller`;
    lines.push(
      `- ${listener.state === 'attached' ? '✓' : '✗'} ${code(listener.listener)} (${escapeMarkdown(listener.protocol)} ${listener.port}, ${escapeMarkdown(counted)}): ${escapeMarkdown(listener.message)}`,
    );
  }
  return lines;
}

function parentLines(object: ManifestObject, index: number, context: HoverContext): string[] | undefined {
  const written = writtenParentLines(object, index, context);
  const live = liveParentLines(object, index, context);
  return written === undefined && live.length === 0 ? undefined : [...(written ?? []), ...live];
}

function writtenParentLines(
  object: ManifestObject,
  index: number,
  context: HoverContext,
): string[] | undefined {
  const kind = gatewayApiKind(object);
  const workspace = context.workspace;
  if ((kind !== 'HTTPRoute' && kind !== 'GRPCRoute') || workspace?.gatewayApiObjects === undefined) {
    return undefined;
  }
  const namespace = object.namespace ?? DEFAULT_NAMESPACE;
  const gateways = workspace
    .gatewayApiObjects()
    .filter((written) => writtenGatewayApiKind(written) === 'Gateway')
    .map((written) => withNamespace<Gateway>(written.value, written.namespace ?? DEFAULT_NAMESPACE));
  const route = { kind, route: withNamespace(object.value, namespace) } as AnyRoute;
  const attachment = attachRoute(route, { gateways, namespaces: [] }).find(
    (candidate) => candidate.parentIndex === index,
  );
  if (attachment === undefined) {
    return undefined;
  }
  if (attachment.kind === 'other-parent') {
    return [`**Parent**: ${escapeMarkdown(attachment.message)}`];
  }
  const gatewayText = `${attachment.gateway.namespace}/${attachment.gateway.name}`;
  if (attachment.kind === 'gateway-not-found') {
    return [
      `**Parent** Gateway ${code(gatewayText)}`,
      '',
      `**Workspace**: not written in the workspace${workspace.complete ? '' : ' (still reading the workspace)'}; it may come from elsewhere.`,
    ];
  }
  const attached = attachment.listeners.filter((listener) => listener.state === 'attached').length;
  const lines = [
    `**Parent** Gateway ${code(gatewayText)}${attachment.gatewayClassName ? ` · class ${code(attachment.gatewayClassName)}` : ''} · as written in the workspace`,
    '',
    `**Attaches** to ${attached} of ${attachment.listeners.length} listeners (Accepted ${attachment.accepted.status}, ${escapeMarkdown(attachment.accepted.reason)})`,
  ];
  for (const listener of attachment.listeners.slice(0, context.maxItems ?? 10)) {
    lines.push(
      `- ${listener.state === 'attached' ? '✓' : '✗'} ${code(listener.listener)} (${escapeMarkdown(listener.protocol)} ${listener.port}): ${escapeMarkdown(listener.message)}`,
    );
  }
  return lines;
}

/** The hover of a route at `path`, or undefined where KubeReach has nothing to add. */
export function routeHoverLines(
  object: ManifestObject,
  path: Path,
  context: HoverContext,
): string[] | undefined {
  if (path[0] !== 'spec') {
    return undefined;
  }
  if (path[1] === 'parentRefs' && typeof path[2] === 'number') {
    return parentLines(object, path[2], context);
  }
  if (path[1] === 'rules' && path[3] === 'backendRefs' && typeof path[4] === 'number') {
    const spec = isRecord(object.value.spec) ? object.value.spec : {};
    const rule: unknown = Array.isArray(spec.rules) ? spec.rules[path[2] as number] : undefined;
    const ref: unknown =
      isRecord(rule) && Array.isArray(rule.backendRefs) ? rule.backendRefs[path[4]] : undefined;
    if (
      !isRecord(ref) ||
      typeof ref.name !== 'string' ||
      (ref.kind ?? 'Service') !== 'Service' ||
      (ref.group ?? '') !== ''
    ) {
      return undefined;
    }
    const namespace = typeof ref.namespace === 'string' ? ref.namespace : object.namespace;
    const port = typeof ref.port === 'number' ? { number: ref.port } : undefined;
    const lines = backendLines(
      { ...object, namespace },
      { path: path.slice(0, 5), service: ref.name, port },
      context,
    );
    lines[0] = `**Backend** Service ${code(`${namespace === undefined ? '' : `${namespace}/`}${ref.name}`)}, port ${code(port === undefined ? '?' : String(port.number))}`;
    return lines;
  }
  return undefined;
}
