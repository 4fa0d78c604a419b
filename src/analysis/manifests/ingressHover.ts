/**
 * Hovers on an Ingress, in Markdown:
 * - on a backend's `service` (its `name`, its `port`): the Service as written in the workspace (where,
 *   and its ports) and as it lives in the cluster (its ports and the ready endpoints behind the
 *   named port);
 * - on a `host` (a rule's, or a TLS entry's): the class that serves it (as written, and as the
 *   cluster's IngressClasses decide it, with the controller) and the address in the live Ingress's
 *   status; what cannot be read is said to be unknown rather than guessed.
 *
 * Everything from a file or the cluster goes through `markdownCode` or `escapeMarkdown`.
 */
import { escapeMarkdown, markdownCode } from '../markdown.ts';
import type { Path } from './document.ts';
import type { ManifestObject } from './document.ts';
import { serviceNamespace } from './cluster.ts';
import { plural } from './findings.ts';
import type { HoverContext } from './hover.ts';
import { CLASS_ANNOTATION, hostCovers, pathClaims, serviceBackends, writtenIngressClass } from './ingress.ts';
import type { ServiceBackendRef } from './ingress.ts';
import { liveClassOf } from './ingressClass.ts';
import { endpointsForPort } from './cluster.ts';
import { liveBackend } from './ingressCluster.ts';
import {
  backendPortCandidates,
  describeBackendPort,
  describeCandidate,
  portMatches,
} from './ingressWorkspace.ts';
import type { BackendPortCandidate } from './ingressWorkspace.ts';
import { isRecord } from './document.ts';

function code(text: string): string {
  return markdownCode(text) || '`""`';
}

const plain = escapeMarkdown;

function startsWith(path: Path, prefix: Path): boolean {
  return prefix.length <= path.length && prefix.every((segment, index) => path[index] === segment);
}

function portsText(candidates: readonly BackendPortCandidate[]): string {
  return candidates.length === 0
    ? 'no ports'
    : candidates.map((candidate) => code(`${describeCandidate(candidate)}/${candidate.protocol}`)).join(', ');
}

export function backendLines(
  object: ManifestObject,
  ref: ServiceBackendRef,
  context: HoverContext,
): string[] {
  const max = context.maxItems ?? 10;
  const lines = [
    `**Backend** Service ${code(ref.service)}, port ${code(describeBackendPort(ref.port))}${ref.rule ? ` · ${code(`${ref.rule.host ?? '*'}${ref.rule.path}`)} (${plain(ref.rule.pathType)})` : ' · default backend'}`,
  ];
  const workspace = context.workspace;
  if (workspace?.services !== undefined) {
    const written = workspace.services(object.namespace).filter((service) => service.name === ref.service);
    lines.push(
      '',
      `**Workspace**: ${written.length === 0 ? 'no Service of that name in scope' : plural(written.length, 'Service')}${workspace.complete ? '' : ' (still reading the workspace)'}`,
    );
    for (const service of written.slice(0, max)) {
      const candidates = backendPortCandidates(service.value);
      const where = service.source ? ` · ${code(`${service.source.label}:${service.source.line + 1}`)}` : '';
      const match =
        ref.port === undefined
          ? undefined
          : candidates.find((candidate) => portMatches(ref.port!, candidate));
      lines.push(
        `- Service ${code(service.name)}${where} · ports ${portsText(candidates)}${ref.port === undefined ? '' : match ? ' · ✓ has this port' : ' · ✗ not this port'}`,
      );
    }
  }
  const cluster = context.cluster;
  if (cluster === undefined) {
    if (context.clusterNote) {
      lines.push('', `**Cluster**: ${plain(context.clusterNote)}`);
    }
    return lines;
  }
  const live = liveBackend(ref, object.namespace, cluster);
  const heading = `**Cluster** ${code(cluster.context)}, namespace ${code(live.namespace)}`;
  if (live.kind === 'unknown') {
    lines.push('', `${heading}: ${plain(live.why)}`);
    return lines;
  }
  if (live.kind === 'missing') {
    lines.push('', `${heading}: no Service ${code(ref.service)}`);
    return lines;
  }
  const candidates = backendPortCandidates(live.service);
  lines.push('', `${heading}: Service ${code(ref.service)} · ports ${portsText(candidates)}`);
  const port = ref.port;
  const candidate = port === undefined ? undefined : candidates.find((entry) => portMatches(port, entry));
  if (candidate === undefined) {
    lines.push(`- ✗ no port ${code(describeBackendPort(port))}`);
    return lines;
  }
  const slices = cluster.namespace(live.namespace)?.endpointSlices(ref.service);
  if (slices === undefined) {
    return lines;
  }
  if ('unreadable' in slices) {
    lines.push(`- endpoints unknown: ${plain(slices.unreadable)}`);
    return lines;
  }
  const endpoints = endpointsForPort(slices, candidate).sort(
    (a, b) => Number(b.ready) - Number(a.ready) || a.address.localeCompare(b.address),
  );
  const ready = endpoints.filter((endpoint) => endpoint.ready).length;
  lines.push(
    `- ${endpoints.length === 0 ? 'no endpoints for this port' : `${plural(endpoints.length, 'endpoint')}, ${ready} ready`}`,
  );
  for (const endpoint of endpoints.slice(0, max)) {
    const host = endpoint.address.includes(':') ? `[${endpoint.address}]` : endpoint.address;
    lines.push(
      `- ${endpoint.ready ? '✓' : '✗'} ${code(`${host}:${endpoint.port}`)} ${endpoint.ready ? 'ready' : 'not ready'}${endpoint.pod ? ` · Pod ${code(endpoint.pod)}` : ''}`,
    );
  }
  if (endpoints.length > max) {
    lines.push(`- … and ${endpoints.length - max} more`);
  }
  return lines;
}

/** The addresses in an Ingress's status.loadBalancer. */
function addressesOf(value: Readonly<Record<string, unknown>>): string[] {
  const status =
    isRecord(value.status) && isRecord(value.status.loadBalancer) ? value.status.loadBalancer : undefined;
  return Array.isArray(status?.ingress)
    ? status.ingress.flatMap((entry: unknown) =>
        isRecord(entry)
          ? [entry.ip, entry.hostname].filter((item): item is string => typeof item === 'string')
          : [],
      )
    : [];
}

function hostLines(object: ManifestObject, host: string, context: HoverContext): string[] {
  const value = object.value;
  const spec = isRecord(value.spec) ? value.spec : {};
  const className = writtenIngressClass(value);
  const byField = typeof spec.ingressClassName === 'string' && spec.ingressClassName !== '';
  const paths = pathClaims(value).filter((claim) => claim.host !== undefined && hostCovers(claim.host, host));
  const tls =
    Array.isArray(spec.tls) &&
    spec.tls.some(
      (entry: unknown) =>
        isRecord(entry) &&
        Array.isArray(entry.hosts) &&
        entry.hosts.some((tlsHost: unknown) => typeof tlsHost === 'string' && hostCovers(tlsHost, host)),
    );
  const lines = [
    `**Host** ${code(host)}${host.startsWith('*.') ? ' (one label of any name before the rest)' : ''}`,
    '',
    className === undefined
      ? '**Class**: none named, so the cluster’s default IngressClass serves it, if the cluster marks one default.'
      : `**Class** ${code(className)} (${byField ? 'spec.ingressClassName' : `annotation ${code(CLASS_ANNOTATION)}`}).`,
    `**Paths**: ${paths.length === 0 ? 'none in this Ingress' : paths.map((claim) => `${code(claim.path || '/')} (${plain(claim.pathType)})`).join(', ')}`,
    `**TLS**: ${tls ? 'yes, in spec.tls' : 'not in spec.tls (served over HTTP, or with the controller’s default certificate)'}`,
  ];
  const cluster = context.cluster;
  const written = addressesOf(value);
  if (cluster === undefined) {
    lines.push(
      written.length > 0
        ? `**Address** (as written in this file’s status, which may be stale): ${written.map(code).join(', ')}`
        : '**Address**: unknown (no cluster).',
    );
    if (context.clusterNote) {
      lines.push('', `**Cluster**: ${plain(context.clusterNote)}`);
    }
    return lines;
  }
  const namespace = serviceNamespace(object.namespace, cluster);
  lines.push('', `**Cluster** ${code(cluster.context)}, namespace ${code(namespace)}:`);
  const liveClass = liveClassOf(value, cluster);
  if (liveClass !== undefined) {
    lines.push(`- ${plain(liveClass.text)}`);
  }
  const liveNamespace = cluster.namespace(namespace);
  const ingresses = liveNamespace?.ingresses;
  if (liveNamespace === undefined) {
    lines.push(`- address unknown: ${plain(cluster.whyUnknown(namespace))}`);
  } else if (ingresses === undefined) {
    lines.push('- address unknown: live Ingresses are not read');
  } else if ('unreadable' in ingresses) {
    lines.push(`- address unknown: ${plain(ingresses.unreadable)}`);
  } else {
    const live = ingresses.find((ingress) => ingress.metadata.name === object.name);
    const addresses =
      live === undefined ? [] : addressesOf(live as unknown as Readonly<Record<string, unknown>>);
    lines.push(
      live === undefined
        ? `- Ingress ${code(object.name ?? '?')} is not in the cluster, so it has no address`
        : addresses.length === 0
          ? `- Ingress ${code(object.name ?? '?')} has no address yet (no controller has written its status)`
          : `- address ${addresses.map(code).join(', ')} (from the live Ingress's status)`,
    );
  }
  return lines;
}

/** The hover lines for a path in an Ingress, or undefined where there is nothing to add. */
export function ingressHoverLines(
  object: ManifestObject,
  path: Path,
  context: HoverContext,
): string[] | undefined {
  if (path[0] !== 'spec') {
    return undefined;
  }
  for (const ref of serviceBackends(object.value)) {
    if (startsWith(path, [...ref.path, 'service'])) {
      return backendLines(object, ref, context);
    }
  }
  if (path[1] === 'rules' && typeof path[2] === 'number' && path[3] === 'host' && path.length === 4) {
    const rules =
      isRecord(object.value.spec) && Array.isArray(object.value.spec.rules) ? object.value.spec.rules : [];
    const rule: unknown = rules[path[2]];
    if (isRecord(rule) && typeof rule.host === 'string') {
      return hostLines(object, rule.host, context);
    }
  }
  if (
    path[1] === 'tls' &&
    typeof path[2] === 'number' &&
    path[3] === 'hosts' &&
    typeof path[4] === 'number'
  ) {
    const entries =
      isRecord(object.value.spec) && Array.isArray(object.value.spec.tls) ? object.value.spec.tls : [];
    const entry: unknown = entries[path[2]];
    const host: unknown = isRecord(entry) && Array.isArray(entry.hosts) ? entry.hosts[path[4]] : undefined;
    if (typeof host === 'string') {
      return hostLines(object, host, context);
    }
  }
  return undefined;
}
