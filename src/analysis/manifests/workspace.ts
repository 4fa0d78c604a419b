/**
 * Workspace-aware checks (KR3xxx): a Service's selector and ports, and a NetworkPolicy's
 * podSelector, against the Pod templates of the workloads written in the workspace's YAML files.
 *
 * Absence is only reported when it means something: a Service is compared only once the workspace
 * has been read (`complete`), only with the workloads in its scope (the same namespace, or applied
 * together: see scope.ts), and only when there are some. A workspace that holds the Service but
 * deploys its Pods from elsewhere (a Helm chart, another repository) stays quiet, and so does one
 * where a workload in scope could not be read (a template, invalid YAML): its Pods might be the
 * ones the Service selects.
 */
import type { LabelSelector, Pod, Protocol, ServicePort } from '../k8s.ts';
import { matchesLabelSelector, matchesServiceSelector } from '../labels.ts';
import { declaredPorts, resolveTargetPort } from '../ports.ts';
import { isRecord } from './document.ts';
import type { Path } from './document.ts';
import { formatSelector, listWords, yamlString } from './findings.ts';
import type { Finding, FixSpec } from './findings.ts';
import { editDistance } from './suggest.ts';
import { describeWorkload, describeWorkloads, stringMap } from './workloads.ts';
import type { UnreadableWorkload, WorkloadSource, WorkloadTemplate } from './workloads.ts';

/** A Service or an Ingress written in the workspace, as the Ingress and nodePort checks read it. */
export interface WrittenObject {
  readonly kind: string;
  readonly name: string;
  readonly namespace: string | undefined;
  readonly value: Readonly<Record<string, unknown>>;
  readonly source?: WorkloadSource;
}

export interface WorkspaceModel {
  /** Whether every YAML file of the workspace has been read: before that, absence proves nothing. */
  readonly complete: boolean;
  /** The workloads a manifest in this namespace is compared with (see scope.ts). */
  workloads(namespace: string | undefined): readonly WorkloadTemplate[];
  /** Workload documents in the same scope that could not be read; absence proves nothing then. */
  unreadable?(namespace: string | undefined): readonly UnreadableWorkload[];
  /** The Services written in the same scope (see scope.ts); absent where the model does not read them. */
  services?(namespace: string | undefined): readonly WrittenObject[];
  /** Service documents in the same scope that could not be read (templates, invalid YAML). */
  unreadableServices?(namespace: string | undefined): readonly UnreadableWorkload[];
  /** The Ingresses written in the same scope. */
  ingresses?(namespace: string | undefined): readonly WrittenObject[];
  /**
   * The Gateway API objects (Gateways, HTTPRoutes, GRPCRoutes, ReferenceGrants) written anywhere in
   * the workspace: a route names its Gateway's namespace, which is often another one.
   */
  gatewayApiObjects?(): readonly WrittenObject[];
}

/** A Service's selector as a label map, when it is one the EndpointSlice controller would use. */
export function serviceSelector(
  value: Readonly<Record<string, unknown>>,
): Record<string, string> | undefined {
  const spec = value.spec;
  if (!isRecord(spec) || !isRecord(spec.selector)) {
    return undefined;
  }
  const selector = spec.selector;
  const entries = Object.entries(selector);
  if (entries.length === 0 || entries.some(([, inner]) => typeof inner !== 'string')) {
    return undefined;
  }
  return selector as Record<string, string>;
}

export interface ServicePortEntry {
  readonly index: number;
  readonly port: ServicePort;
  /** Whether the manifest writes targetPort (else it defaults to port). */
  readonly explicitTarget: boolean;
}

/** The Service's ports that are well-formed enough to resolve. */
export function servicePorts(value: Readonly<Record<string, unknown>>): ServicePortEntry[] {
  const spec = value.spec;
  if (!isRecord(spec) || !Array.isArray(spec.ports)) {
    return [];
  }
  const entries: ServicePortEntry[] = [];
  spec.ports.forEach((port: unknown, index: number) => {
    if (!isRecord(port) || typeof port.port !== 'number') {
      return;
    }
    const target = port.targetPort;
    const explicitTarget =
      (typeof target === 'number' && target !== 0) || (typeof target === 'string' && target !== '');
    entries.push({
      index,
      explicitTarget,
      port: {
        port: port.port,
        ...(typeof port.name === 'string' ? { name: port.name } : {}),
        ...(typeof port.protocol === 'string' ? { protocol: port.protocol as Protocol } : {}),
        ...(explicitTarget ? { targetPort: target as number | string } : {}),
      },
    });
  });
  return entries;
}

/** What a Service port's targetPort is, after defaulting. */
export function targetOf(port: ServicePort): number | string {
  return port.targetPort === undefined || port.targetPort === 0 || port.targetPort === ''
    ? port.port
    : port.targetPort;
}

export function describeTarget(port: ServicePort): string {
  const target = targetOf(port);
  const protocol = port.protocol ?? 'TCP';
  return typeof target === 'number' ? `${protocol} port ${target}` : `${protocol} port named "${target}"`;
}

/**
 * Quick fixes that point a targetPort at a port the Pods declare: by name when the port has one
 * (the Service then follows the container if its number changes), and by number.
 */
export function targetPortFixes(
  entry: ServicePortEntry,
  pods: readonly { readonly pod: Pod; readonly label: string }[],
): FixSpec[] {
  const protocol = entry.port.protocol ?? 'TCP';
  const path: Path = ['spec', 'ports', entry.index, 'targetPort'];
  const seen = new Set<string>();
  const fixes: FixSpec[] = [];
  for (const { pod, label } of pods) {
    for (const { container, port } of declaredPorts(pod)) {
      if ((port.protocol ?? 'TCP') !== protocol) {
        continue;
      }
      const where = `${port.containerPort} in container ${container} of ${label}`;
      const options = port.name
        ? [yamlString(port.name), String(port.containerPort)]
        : [String(port.containerPort)];
      for (const text of options) {
        if (seen.has(text) || text === String(targetOf(entry.port))) {
          continue;
        }
        seen.add(text);
        const title =
          text === String(port.containerPort) && port.name
            ? `Set targetPort to ${text}`
            : `Set targetPort to ${text} (${where})`;
        fixes.push(
          entry.explicitTarget
            ? { kind: 'replace-value', title, path, text }
            : {
                kind: 'insert-pair',
                title,
                mapPath: ['spec', 'ports', entry.index],
                key: 'targetPort',
                value: text,
              },
        );
      }
    }
  }
  const limited = fixes.slice(0, 6);
  if (limited.length > 0 && new Set(limited.map((fix) => fix.title.split(' (')[0])).size <= 2) {
    // One declared port (by name and by number): the name is the fix to prefer.
    return [{ ...limited[0]!, preferred: true }, ...limited.slice(1)];
  }
  return limited;
}

/** Quick fixes that copy a workload's selector (or its template's labels) into a Service. */
export function copySelectorFixes(
  serviceName: string | undefined,
  workloads: readonly WorkloadTemplate[],
): FixSpec[] {
  const scored = workloads
    .filter((workload) => Object.keys(workload.selectorLabels ?? workload.labels).length > 0)
    .map((workload) => ({
      workload,
      score:
        (workload.kind === 'Deployment'
          ? 0
          : workload.kind === 'Pod' || workload.kind === 'Job' || workload.kind === 'CronJob'
            ? 2
            : 1) +
        (serviceName === undefined ? 10 : Math.min(10, editDistance(serviceName, workload.name, 10))),
    }))
    .sort((a, b) => a.score - b.score || a.workload.name.localeCompare(b.workload.name));
  const seen = new Set<string>();
  const fixes: FixSpec[] = [];
  for (const { workload } of scored) {
    const entries = workload.selectorLabels ?? workload.labels;
    const key = formatSelector(entries);
    if (seen.has(key)) {
      continue;
    }
    seen.add(key);
    fixes.push({
      kind: 'set-map',
      title: `Copy the selector of ${describeWorkload(workload)} (${key})`,
      path: ['spec', 'selector'],
      entries,
      ...(fixes.length === 0 && serviceName === workload.name ? { preferred: true } : {}),
    });
    if (fixes.length === 5) {
      break;
    }
  }
  return fixes;
}

export function checkServiceInWorkspace(
  value: Readonly<Record<string, unknown>>,
  namespace: string | undefined,
  name: string | undefined,
  workspace: WorkspaceModel,
): Finding[] {
  if (!workspace.complete) {
    return [];
  }
  const selector = serviceSelector(value);
  const spec = isRecord(value.spec) ? value.spec : {};
  if (selector === undefined || spec.type === 'ExternalName') {
    return [];
  }
  const candidates = workspace.workloads(namespace);
  if (candidates.length === 0 || (workspace.unreadable?.(namespace).length ?? 0) > 0) {
    return [];
  }
  const matching = candidates.filter((workload) => matchesServiceSelector(selector, workload.labels));
  if (matching.length === 0) {
    const where =
      namespace === undefined
        ? "this Service's folder or kustomization"
        : `namespace ${namespace} in the workspace`;
    return [
      {
        code: 'KR3001',
        message: `No workload in ${where} has Pod labels matching ${formatSelector(selector)} (there: ${listWords(describeWorkloads(candidates))}). This Service would route nowhere.`,
        at: { path: ['spec', 'selector'], part: 'key' },
        fixes: copySelectorFixes(name, candidates),
      },
    ];
  }
  const findings: Finding[] = [];
  const names = listWords(describeWorkloads(matching));
  for (const entry of servicePorts(value)) {
    const resolutions = matching.map((workload) => resolveTargetPort(entry.port, workload.pod));
    const target = targetOf(entry.port);
    const at = {
      path: entry.explicitTarget
        ? ['spec', 'ports', entry.index, 'targetPort']
        : ['spec', 'ports', entry.index, 'port'],
    };
    const fixes = () =>
      targetPortFixes(
        entry,
        matching.map((workload) => ({ pod: workload.pod, label: describeWorkload(workload) })),
      );
    if (typeof target === 'string') {
      if (resolutions.every((resolution) => !resolution.ok)) {
        findings.push({
          code: 'KR3002',
          message: `No container of ${names} declares a ${describeTarget(entry.port)}: traffic to this port has nowhere to go.`,
          at,
          fixes: fixes(),
          claim: {
            key: `named-target:${entry.index}`,
            what: `Nothing declares a ${describeTarget(entry.port)}`,
            evidence: `no container of ${names} in the workspace`,
            consequence: 'Traffic to this port has nowhere to go.',
          },
        });
      }
    } else if (resolutions.every((resolution) => resolution.ok && !resolution.declared)) {
      findings.push({
        code: 'KR3003',
        message: `No container of ${names} declares ${describeTarget(entry.port)}. It works if the process listens there anyway, but the Pods do not say they do.`,
        at,
        fixes: fixes(),
        claim: {
          key: `numeric-target:${entry.index}`,
          what: `Nothing declares ${describeTarget(entry.port)}`,
          evidence: `no container of ${names} in the workspace`,
          consequence: 'It works if the process listens there anyway, but the Pods do not say they do.',
        },
      });
    }
  }
  return findings;
}

/** A NetworkPolicy's podSelector as a LabelSelector, when it is well-formed; `{}` for a missing one. */
export function policyPodSelector(value: Readonly<Record<string, unknown>>): LabelSelector | undefined {
  const spec = value.spec;
  if (!isRecord(spec)) {
    return undefined;
  }
  const selector = spec.podSelector;
  if (selector === undefined || selector === null) {
    return {};
  }
  if (!isRecord(selector)) {
    return undefined;
  }
  const matchLabels = stringMap(selector.matchLabels);
  const expressions = Array.isArray(selector.matchExpressions)
    ? selector.matchExpressions.filter(isRecord).map((expression) => ({
        key: String(expression.key ?? ''),
        operator: String(expression.operator ?? '') as 'In',
        values: Array.isArray(expression.values) ? expression.values.map(String) : [],
      }))
    : undefined;
  return {
    ...(matchLabels === undefined ? {} : { matchLabels }),
    ...(expressions === undefined ? {} : { matchExpressions: expressions }),
  };
}

export function checkPolicyInWorkspace(
  value: Readonly<Record<string, unknown>>,
  namespace: string | undefined,
  workspace: WorkspaceModel,
): Finding[] {
  if (!workspace.complete) {
    return [];
  }
  const selector = policyPodSelector(value);
  if (
    selector === undefined ||
    (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0)
  ) {
    return [];
  }
  const candidates = workspace.workloads(namespace);
  if (
    candidates.length === 0 ||
    (workspace.unreadable?.(namespace).length ?? 0) > 0 ||
    candidates.some((workload) => matchesLabelSelector(selector, workload.labels))
  ) {
    return [];
  }
  return [
    {
      code: 'KR3004',
      message: `This policy's podSelector matches no workload ${namespace === undefined ? "in this policy's folder or kustomization" : `in namespace ${namespace} in the workspace`} (there: ${listWords(describeWorkloads(candidates))}), so it isolates nothing written here.`,
      at: { path: ['spec', 'podSelector'], part: 'key' },
    },
  ];
}
