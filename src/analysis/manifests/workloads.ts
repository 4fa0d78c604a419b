/**
 * The Pod templates of the workloads in a manifest: what the workspace-aware checks compare a
 * Service's selector and ports with. Deployments, StatefulSets, DaemonSets, ReplicaSets,
 * ReplicationControllers and Jobs carry `spec.template`; CronJobs `spec.jobTemplate.spec.template`;
 * a bare Pod is its own template.
 */
import type { Container, ContainerPort, Labels, Pod, Protocol } from '../k8s.ts';
import { isRecord } from './document.ts';
import type { ManifestObject, Path } from './document.ts';

export interface WorkloadSource {
  readonly uri: string;
  /** Zero-based line of the workload's `kind:`. */
  readonly line: number;
  /** How to name the file to a user, e.g. `shop/deployments.yaml`. */
  readonly label: string;
}

/**
 * A document that says it is a workload (its top-level `kind:`) but could not be read: a template
 * (`{{ }}`), invalid YAML, or past the size or nesting limits. Its Pods could match any selector.
 */
export interface UnreadableWorkload {
  readonly kind: string;
  /** From a `  namespace:` line of its text, when one holds a plain name. */
  readonly namespace: string | undefined;
  readonly source?: WorkloadSource;
}

export interface WorkloadTemplate {
  readonly kind: string;
  readonly name: string;
  readonly namespace: string | undefined;
  /** The Pod template's labels: what a Service selector is matched against. */
  readonly labels: Labels;
  /** The workload's own selector when it is plain matchLabels (the labels that identify its Pods). */
  readonly selectorLabels: Labels | undefined;
  /** The template as a Pod, for port resolution (containers and sidecars with their ports). */
  readonly pod: Pod;
  /** Where it is written; set by whoever indexes files. */
  readonly source?: WorkloadSource;
}

const TEMPLATE_PATHS: Readonly<Record<string, Path>> = {
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
  Pod: [],
};

function at(value: unknown, path: Path): unknown {
  let current = value;
  for (const segment of path) {
    if (!isRecord(current)) {
      return undefined;
    }
    current = current[String(segment)];
  }
  return current;
}

/** String-valued entries only: a label map as the API would store it. */
export function stringMap(value: unknown): Record<string, string> | undefined {
  if (!isRecord(value)) {
    return undefined;
  }
  const result: Record<string, string> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (typeof inner === 'string') {
      result[key] = inner;
    } else if (typeof inner === 'number' || typeof inner === 'boolean') {
      // An unquoted number is rejected by the API server, but the intent is clear.
      result[key] = String(inner);
    }
  }
  return result;
}

function containerPorts(value: unknown): ContainerPort[] {
  if (!Array.isArray(value)) {
    return [];
  }
  const ports: ContainerPort[] = [];
  for (const port of value) {
    if (!isRecord(port) || typeof port.containerPort !== 'number') {
      continue;
    }
    ports.push({
      containerPort: port.containerPort,
      ...(typeof port.name === 'string' ? { name: port.name } : {}),
      ...(typeof port.protocol === 'string' ? { protocol: port.protocol as Protocol } : {}),
    });
  }
  return ports;
}

function containers(value: unknown): Container[] {
  if (!Array.isArray(value)) {
    return [];
  }
  return value.filter(isRecord).map((container, index) => ({
    name: typeof container.name === 'string' ? container.name : `container-${index + 1}`,
    ports: containerPorts(container.ports),
    ...(container.restartPolicy === 'Always' ? { restartPolicy: 'Always' as const } : {}),
  }));
}

/** The workload's Pod template, or undefined when the object is not a workload or has none. */
export function workloadTemplate(
  object: ManifestObject,
  source?: WorkloadSource,
): WorkloadTemplate | undefined {
  return workloadFromValue(object.value, object.kind, source);
}

export function workloadFromValue(
  value: Readonly<Record<string, unknown>>,
  kind: string,
  source?: WorkloadSource,
): WorkloadTemplate | undefined {
  const path = TEMPLATE_PATHS[kind];
  if (path === undefined) {
    return undefined;
  }
  const template = at(value, path);
  if (!isRecord(template)) {
    return undefined;
  }
  const metadata = isRecord(value.metadata) ? value.metadata : {};
  const name = typeof metadata.name === 'string' ? metadata.name : '(unnamed)';
  const namespace =
    typeof metadata.namespace === 'string' && metadata.namespace !== '' ? metadata.namespace : undefined;
  const labels = stringMap(at(template, ['metadata', 'labels'])) ?? {};
  const spec = isRecord(template.spec) ? template.spec : {};
  const selector = at(value, ['spec', 'selector']);
  let selectorLabels: Labels | undefined;
  if (kind === 'ReplicationController') {
    selectorLabels = stringMap(selector);
  } else if (
    isRecord(selector) &&
    (selector.matchExpressions === undefined || selector.matchExpressions === null)
  ) {
    selectorLabels = stringMap(selector.matchLabels);
  }
  const pod: Pod = {
    metadata: { name, ...(namespace === undefined ? {} : { namespace }), labels },
    spec: { containers: containers(spec.containers), initContainers: containers(spec.initContainers) },
  };
  return {
    kind,
    name,
    namespace,
    labels,
    selectorLabels:
      selectorLabels !== undefined && Object.keys(selectorLabels).length > 0 ? selectorLabels : undefined,
    pod,
    ...(source === undefined ? {} : { source }),
  };
}

/** Namespaces are compatible when equal, or when either manifest leaves its namespace to `kubectl -n`. */
export function sameNamespace(a: string | undefined, b: string | undefined): boolean {
  return a === undefined || b === undefined || a === b;
}

/** `Deployment backend`, for messages. */
export function describeWorkload(workload: WorkloadTemplate): string {
  return `${workload.kind} ${workload.name}`;
}

/**
 * The workloads as describeWorkload names them, each name once: a workload written in several files
 * (the same Deployment in `backend.yaml` and `demo-cluster.yaml`) is named once with its files, so
 * a message never reads "Deployment backend and Deployment backend".
 */
export function describeWorkloads(workloads: readonly WorkloadTemplate[]): string[] {
  // Grouped in one pass: a namespace can hold thousands of workloads, and this runs on each edit.
  const files = new Map<string, Set<string>>();
  for (const workload of workloads) {
    const name = describeWorkload(workload);
    let labels = files.get(name);
    if (labels === undefined) {
      labels = new Set();
      files.set(name, labels);
    }
    if (workload.source) {
      labels.add(workload.source.label);
    }
  }
  return [...files].map(([name, labels]) => (labels.size > 1 ? `${name} (${joinAnd([...labels])})` : name));
}

function joinAnd(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}
