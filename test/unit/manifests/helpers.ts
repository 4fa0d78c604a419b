/** Shared helpers of the manifest analysis tests. */
import type { ContainerPort, NetworkPolicy, Pod } from '../../../src/analysis/k8s.ts';
import { analyzeManifestFile } from '../../../src/analysis/manifests/analyze.ts';
import type { AnalysisContext, ManifestDiagnostic } from '../../../src/analysis/manifests/analyze.ts';
import type { ClusterModel, EndpointSlice } from '../../../src/analysis/manifests/cluster.ts';
import { objectsOf, parseManifestFile } from '../../../src/analysis/manifests/document.ts';
import type { ManifestFile, ParseOptions } from '../../../src/analysis/manifests/document.ts';
import { sameNamespace, workloadTemplate } from '../../../src/analysis/manifests/workloads.ts';
import type { WorkloadTemplate } from '../../../src/analysis/manifests/workloads.ts';
import type { WorkspaceModel } from '../../../src/analysis/manifests/workspace.ts';

export function analyze(
  text: string,
  context: AnalysisContext = {},
  options: ParseOptions = {},
): ManifestDiagnostic[] {
  return analyzeManifestFile(parseManifestFile(text, options), context);
}

export function codes(diagnostics: readonly ManifestDiagnostic[]): string[] {
  return diagnostics.map((diagnostic) => diagnostic.code);
}

/** The text each diagnostic points at. */
export function spans(text: string, diagnostics: readonly ManifestDiagnostic[]): string[] {
  return diagnostics.map((diagnostic) => text.slice(diagnostic.span.start, diagnostic.span.end));
}

/** Applies the edits of one quick fix. */
export function applyFix(text: string, diagnostic: ManifestDiagnostic, index = 0): string {
  const fix = diagnostic.fixes[index];
  if (fix === undefined) {
    throw new Error(`no fix ${index} on ${diagnostic.code}: ${diagnostic.message}`);
  }
  return [...fix.edits]
    .sort((a, b) => b.span.start - a.span.start)
    .reduce(
      (result, edit) => result.slice(0, edit.span.start) + edit.newText + result.slice(edit.span.end),
      text,
    );
}

export function workloadsOf(text: string): WorkloadTemplate[] {
  const file: ManifestFile = parseManifestFile(text);
  return [...objectsOf(file)].flatMap(({ object }) => workloadTemplate(object) ?? []);
}

export function workspaceOf(text: string, complete = true): WorkspaceModel {
  const workloads = workloadsOf(text);
  return {
    complete,
    workloads: (namespace) => workloads.filter((workload) => sameNamespace(namespace, workload.namespace)),
  };
}

/** A Service manifest with a spec given as YAML lines (indented by two). */
export function service(spec: string, metadata = 'name: web\n  namespace: shop'): string {
  return `apiVersion: v1\nkind: Service\nmetadata:\n  ${metadata}\nspec:\n${spec}`;
}

export function policy(spec: string, metadata = 'name: policy\n  namespace: shop'): string {
  return `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  ${metadata}\nspec:\n${spec}`;
}

export const WORKLOADS = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: backend
  namespace: shop
spec:
  selector:
    matchLabels:
      app: backend
  template:
    metadata:
      labels:
        app: backend
        tier: api
    spec:
      containers:
        - name: backend
          ports:
            - name: http
              containerPort: 8080
            - name: grpc
              containerPort: 9090
            - name: dns
              containerPort: 5353
              protocol: UDP
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: frontend
  namespace: shop
spec:
  selector:
    matchLabels:
      app: frontend
  template:
    metadata:
      labels:
        app: frontend
    spec:
      containers:
        - name: web
          ports:
            - containerPort: 3000
`;

/** A live Pod as the cache holds it, in namespace shop unless told. */
export function livePod(
  name: string,
  labels: Record<string, string>,
  options: {
    ready?: boolean;
    ip?: string;
    ports?: ContainerPort[];
    phase?: 'Running' | 'Pending' | 'Succeeded' | 'Failed';
    deleting?: boolean;
    namespace?: string;
  } = {},
): Pod {
  return {
    metadata: {
      name,
      namespace: options.namespace ?? 'shop',
      labels,
      ...(options.deleting ? { deletionTimestamp: '2025-01-01T00:00:00Z' } : {}),
    },
    spec: { containers: [{ name: 'app', ports: options.ports ?? [{ name: 'http', containerPort: 8080 }] }] },
    status: {
      phase: options.phase ?? 'Running',
      ...(options.ip ? { podIP: options.ip } : {}),
      conditions: [{ type: 'Ready', status: options.ready === false ? 'False' : 'True' }],
    },
  };
}

/** A cluster snapshot of these Pods; namespaces listed in `synced` (default shop) are known. */
export function clusterOf(
  pods: readonly Pod[],
  options: {
    policies?: NetworkPolicy[] | undefined;
    slices?: Record<string, EndpointSlice[]> | { unreadable: string };
    synced?: string[];
    /** Why a namespace not in `synced` is unknown (default: not loaded yet). */
    unknown?: Record<string, string>;
    defaultNamespace?: string;
  } = {},
): ClusterModel {
  const synced = new Set(options.synced ?? ['shop']);
  return {
    context: 'test-context',
    defaultNamespace: options.defaultNamespace ?? 'shop',
    namespace: (name) =>
      synced.has(name)
        ? {
            pods: pods.filter((pod) => (pod.metadata.namespace ?? 'default') === name),
            endpointSlices: (serviceName) =>
              options.slices && 'unreadable' in options.slices
                ? { unreadable: options.slices.unreadable as string }
                : ((options.slices as Record<string, EndpointSlice[]> | undefined)?.[serviceName] ?? []),
            networkPolicies: 'policies' in options ? options.policies : [],
          }
        : undefined,
    whyUnknown: (name) => options.unknown?.[name] ?? 'not loaded yet',
  };
}
