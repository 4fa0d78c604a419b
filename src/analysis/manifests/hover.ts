/**
 * Hovers on the parts of a manifest whose meaning depends on other objects, in Markdown:
 * - a Service's `selector`: the workloads of the workspace it matches, and the live Pods with their
 *   readiness and IPs;
 * - a Service port's `targetPort`: the container and port it resolves to in each matching Pod
 *   template and live Pod;
 * - a Service port's `port`: the live endpoints behind it, from the EndpointSlices;
 * - a NetworkPolicy's `podSelector`: the workloads and live Pods it selects;
 * - an Ingress's backends and hosts (ingressHover.ts).
 *
 * Everything that comes from a file or from the cluster (names, file paths, addresses, phases, port
 * names, notes) goes through `markdownCode` or `escapeMarkdown`: a Deployment named
 * `x\n![y](https://…)` must not become an image or a link in the hover.
 */
import { isGatewayRoute } from './gateway.ts';
import { routeHoverLines } from './gatewayHover.ts';
import type { LabelSelector, Pod } from '../k8s.ts';
import { matchesLabelSelector, matchesServiceSelector } from '../labels.ts';
import { escapeMarkdown, markdownCode } from '../markdown.ts';
import { resolveTargetPort } from '../ports.ts';
import { chunkAt, pathAt, placeSpan } from './document.ts';
import type { ManifestFile, ManifestObject, Path, Range, Span } from './document.ts';
import {
  isPodReady,
  podIp,
  podState,
  policySelectedPods,
  selectedPods,
  serviceNamespace,
} from './cluster.ts';
import { endpointsForPort } from './cluster.ts';
import type { ClusterModel, LiveNamespace } from './cluster.ts';
import { formatSelector, plural } from './findings.ts';
import { isIngress } from './ingress.ts';
import { ingressHoverLines } from './ingressHover.ts';
import { describeTarget, policyPodSelector, serviceSelector, servicePorts, targetOf } from './workspace.ts';
import type { ServicePortEntry, WorkspaceModel } from './workspace.ts';
import type { WorkloadTemplate } from './workloads.ts';

export interface HoverContext {
  readonly workspace?: WorkspaceModel;
  readonly cluster?: ClusterModel;
  /** Why there is no cluster model, said in the hover instead of a cluster section. */
  readonly clusterNote?: string;
  /** Items listed per section before "and N more"; default 10. */
  readonly maxItems?: number;
}

export interface HoverResult {
  readonly markdown: string;
  readonly span: Span;
  readonly range: Range;
}

interface Target {
  readonly object: ManifestObject;
  /** Relative to the object. */
  readonly path: Path;
  readonly part: 'key' | 'value';
  readonly span: Span;
}

function startsWith(path: Path, prefix: Path): boolean {
  return prefix.every((segment, index) => path[index] === segment);
}

export function targetAt(
  file: ManifestFile,
  offset: number,
): { target: Target; placed: ReturnType<typeof chunkAt> } | undefined {
  const placed = chunkAt(file, offset);
  if (placed === undefined || placed.chunk.status !== 'parsed') {
    return undefined;
  }
  const local = offset - placed.offset;
  for (const object of placed.chunk.objects) {
    const range = object.document.range;
    if (local < range[0] || local > range[2]) {
      continue;
    }
    const at = pathAt(object.document, local);
    if (at === undefined || !startsWith(at.path, object.root)) {
      continue;
    }
    return {
      target: { object, path: at.path.slice(object.root.length), part: at.part, span: at.span },
      placed,
    };
  }
  return undefined;
}

/** User data as a code span; an empty text still shows as something. */
function code(text: string): string {
  return markdownCode(text) || '`""`';
}

/** User data in running text. */
const plain = escapeMarkdown;

function more(total: number, shown: number): string[] {
  return total > shown ? [`- … and ${total - shown} more`] : [];
}

function podLine(pod: Pod, detail?: string): string {
  const ready = isPodReady(pod);
  const ip = podIp(pod);
  return `- ${ready ? '✓' : '✗'} ${code(pod.metadata.name ?? '?')} ${plain(podState(pod))}${ip ? ` · ${code(ip)}` : ''}${detail ? ` · ${detail}` : ''}`;
}

function workloadLine(workload: WorkloadTemplate, detail?: string): string {
  const where = workload.source ? ` · ${code(`${workload.source.label}:${workload.source.line + 1}`)}` : '';
  return `- ${plain(workload.kind)} ${code(workload.name)}${where}${detail ? ` · ${detail}` : ''}`;
}

interface Sections {
  readonly lines: string[];
}

function workspaceSection(
  sections: Sections,
  context: HoverContext,
  namespace: string | undefined,
  matches: (workload: WorkloadTemplate) => boolean,
  detail?: (workload: WorkloadTemplate) => string,
): void {
  const workspace = context.workspace;
  if (workspace === undefined) {
    return;
  }
  const max = context.maxItems ?? 10;
  const candidates = workspace.workloads(namespace);
  const matching = candidates.filter(matches);
  const heading = `**Workspace**: ${matching.length === 0 ? 'no matching workload' : plural(matching.length, 'matching workload')}${workspace.complete ? '' : ' (still reading the workspace)'}`;
  sections.lines.push('', heading);
  for (const workload of matching.slice(0, max)) {
    sections.lines.push(workloadLine(workload, detail?.(workload)));
  }
  sections.lines.push(...more(matching.length, max));
  const unreadable = workspace.unreadable?.(namespace) ?? [];
  if (unreadable.length > 0) {
    const where = unreadable
      .slice(0, 3)
      .map((workload) =>
        workload.source ? code(`${workload.source.label}:${workload.source.line + 1}`) : plain(workload.kind),
      );
    sections.lines.push(
      `- ${plural(unreadable.length, 'workload')} here could not be read (a template, or not valid YAML), so none is reported missing: ${where.join(', ')}${unreadable.length > 3 ? ', …' : ''}`,
    );
  }
}

function liveNamespace(
  sections: Sections,
  context: HoverContext,
  manifestNamespace: string | undefined,
): { live: LiveNamespace; namespace: string; cluster: ClusterModel } | undefined {
  const cluster = context.cluster;
  if (cluster === undefined) {
    if (context.clusterNote) {
      sections.lines.push('', `**Cluster**: ${plain(context.clusterNote)}`);
    }
    return undefined;
  }
  const namespace = serviceNamespace(manifestNamespace, cluster);
  const live = cluster.namespace(namespace);
  if (live === undefined) {
    sections.lines.push('', clusterHeading(cluster, namespace, plain(cluster.whyUnknown(namespace))));
    return undefined;
  }
  return { live, namespace, cluster };
}

function clusterHeading(cluster: ClusterModel, namespace: string, text: string): string {
  return `**Cluster** ${code(cluster.context)}, namespace ${code(namespace)}: ${text}`;
}

function selectorHover(object: ManifestObject, context: HoverContext): string[] {
  const selector = serviceSelector(object.value);
  const sections: Sections = { lines: [] };
  if (selector === undefined) {
    sections.lines.push(
      '**Selector**: none usable. A Service without a selector gets no endpoints from the cluster; you manage its EndpointSlices yourself.',
    );
    return sections.lines;
  }
  sections.lines.push(`**Selector** ${code(formatSelector(selector))}`);
  workspaceSection(sections, context, object.namespace, (workload) =>
    matchesServiceSelector(selector, workload.labels),
  );
  const live = liveNamespace(sections, context, object.namespace);
  if (live) {
    const pods = selectedPods(live.live, selector);
    const ready = pods.filter(isPodReady).length;
    const max = context.maxItems ?? 10;
    sections.lines.push(
      '',
      clusterHeading(
        live.cluster,
        live.namespace,
        pods.length === 0 ? 'no matching Pod' : `${plural(pods.length, 'Pod')}, ${ready} ready`,
      ),
    );
    for (const pod of pods.slice(0, max)) {
      sections.lines.push(podLine(pod));
    }
    sections.lines.push(...more(pods.length, max));
  }
  return sections.lines;
}

function resolutionText(entry: ServicePortEntry, pod: Pod): string {
  const resolution = resolveTargetPort(entry.port, pod);
  if (!resolution.ok) {
    return `✗ no ${plain(entry.port.protocol ?? 'TCP')} port named "${plain(String(targetOf(entry.port)))}"`;
  }
  return resolution.container === undefined
    ? `port ${resolution.port} (declared by no container)`
    : `container ${code(resolution.container)} port ${resolution.port}/${plain(entry.port.protocol ?? 'TCP')}`;
}

function targetPortHover(object: ManifestObject, entry: ServicePortEntry, context: HoverContext): string[] {
  const sections: Sections = {
    lines: [
      `**targetPort**: ${plain(describeTarget(entry.port))}${entry.explicitTarget ? '' : ' (defaults to port)'}`,
    ],
  };
  const selector = serviceSelector(object.value);
  if (selector === undefined) {
    return sections.lines;
  }
  workspaceSection(
    sections,
    context,
    object.namespace,
    (workload) => matchesServiceSelector(selector, workload.labels),
    (workload) => resolutionText(entry, workload.pod),
  );
  const live = liveNamespace(sections, context, object.namespace);
  if (live) {
    const pods = selectedPods(live.live, selector);
    const max = context.maxItems ?? 10;
    sections.lines.push(
      '',
      clusterHeading(
        live.cluster,
        live.namespace,
        pods.length === 0 ? 'no matching Pod' : plural(pods.length, 'matching Pod'),
      ),
    );
    for (const pod of pods.slice(0, max)) {
      sections.lines.push(podLine(pod, resolutionText(entry, pod)));
    }
    sections.lines.push(...more(pods.length, max));
  }
  return sections.lines;
}

function portHover(object: ManifestObject, entry: ServicePortEntry, context: HoverContext): string[] {
  const protocol = entry.port.protocol ?? 'TCP';
  const sections: Sections = {
    lines: [
      `**Service port** ${entry.port.port}/${plain(protocol)} → ${plain(describeTarget(entry.port))}${entry.port.name ? ` (${code(entry.port.name)})` : ''}`,
    ],
  };
  const live = liveNamespace(sections, context, object.namespace);
  if (!live || object.name === undefined) {
    return sections.lines;
  }
  const slices = live.live.endpointSlices(object.name);
  if ('unreadable' in slices) {
    sections.lines.push(
      '',
      clusterHeading(live.cluster, live.namespace, `endpoints unknown: ${plain(slices.unreadable)}`),
    );
    return sections.lines;
  }
  const endpoints = endpointsForPort(slices, { name: entry.port.name, protocol });
  endpoints.sort((a, b) => Number(b.ready) - Number(a.ready) || a.address.localeCompare(b.address));
  const ready = endpoints.filter((endpoint) => endpoint.ready).length;
  const max = context.maxItems ?? 10;
  sections.lines.push(
    '',
    clusterHeading(
      live.cluster,
      live.namespace,
      endpoints.length === 0
        ? `no endpoints for Service ${code(object.name)} on this port`
        : `${plural(endpoints.length, 'endpoint')}, ${ready} ready`,
    ),
  );
  for (const endpoint of endpoints.slice(0, max)) {
    const host = endpoint.address.includes(':') ? `[${endpoint.address}]` : endpoint.address;
    sections.lines.push(
      `- ${endpoint.ready ? '✓' : '✗'} ${code(`${host}:${endpoint.port}`)} ${endpoint.ready ? 'ready' : 'not ready'}${endpoint.pod ? ` · Pod ${code(endpoint.pod)}` : ''}`,
    );
  }
  sections.lines.push(...more(endpoints.length, max));
  return sections.lines;
}

function describeLabelSelector(selector: LabelSelector): string {
  const parts = Object.entries(selector.matchLabels ?? {}).map(([key, value]) => `${key}=${value}`);
  for (const expression of selector.matchExpressions ?? []) {
    const values = (expression.values ?? []).join(',');
    parts.push(
      expression.operator === 'Exists'
        ? expression.key
        : expression.operator === 'DoesNotExist'
          ? `!${expression.key}`
          : `${expression.key} ${expression.operator === 'In' ? 'in' : 'notin'} (${values})`,
    );
  }
  return parts.join(',');
}

function podSelectorHover(object: ManifestObject, context: HoverContext): string[] {
  const selector = policyPodSelector(object.value);
  const sections: Sections = { lines: [] };
  if (selector === undefined) {
    return ['**podSelector**: not a valid label selector.'];
  }
  const text = describeLabelSelector(selector);
  sections.lines.push(
    text === '' ? '**podSelector** `{}`: every Pod in the namespace' : `**podSelector** ${code(text)}`,
  );
  workspaceSection(sections, context, object.namespace, (workload) =>
    matchesLabelSelector(selector, workload.labels, 'matches-everything'),
  );
  const live = liveNamespace(sections, context, object.namespace);
  if (live) {
    const pods = policySelectedPods(live.live.pods, selector);
    const max = context.maxItems ?? 10;
    sections.lines.push(
      '',
      clusterHeading(
        live.cluster,
        live.namespace,
        pods.length === 0 ? 'selects no Pod' : `selects ${plural(pods.length, 'Pod')}`,
      ),
    );
    for (const pod of pods.slice(0, max)) {
      sections.lines.push(podLine(pod));
    }
    sections.lines.push(...more(pods.length, max));
  }
  return sections.lines;
}

/** The hover at a file offset, or undefined where KubeReach has nothing to add. */
export function hoverAt(
  file: ManifestFile,
  offset: number,
  context: HoverContext = {},
): HoverResult | undefined {
  const found = targetAt(file, offset);
  if (found === undefined || found.placed === undefined) {
    return undefined;
  }
  const { target, placed } = found;
  const { object, path } = target;
  let lines: string[] | undefined;
  if (object.kind === 'Service' && path[0] === 'spec') {
    if (path[1] === 'selector') {
      lines = selectorHover(object, context);
    } else if (
      path[1] === 'ports' &&
      typeof path[2] === 'number' &&
      (path[3] === 'targetPort' || path[3] === 'port')
    ) {
      const entry = servicePorts(object.value).find((candidate) => candidate.index === path[2]);
      if (entry) {
        lines =
          path[3] === 'targetPort'
            ? targetPortHover(object, entry, context)
            : portHover(object, entry, context);
      }
    }
  } else if (object.kind === 'NetworkPolicy' && path[0] === 'spec' && path[1] === 'podSelector') {
    lines = podSelectorHover(object, context);
  } else if (isIngress(object)) {
    lines = ingressHoverLines(object, path, context);
  } else if (isGatewayRoute(object)) {
    lines = routeHoverLines(object, path, context);
  }
  if (lines === undefined) {
    return undefined;
  }
  return { markdown: lines.join('\n'), ...placeSpan(placed, target.span) };
}
