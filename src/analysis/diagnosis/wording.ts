/**
 * How objects read in the hops' sentences and fixes: label maps as YAML flow and as selectors, the
 * labels to name a Pod by in a suggested rule, names a typo away, the object that owns a Pod (the
 * manifest a fix changes), ports as `name 80/TCP → 8080`.
 */
import type { ContainerPort, Labels, ServicePort } from '../k8s.ts';
import type { DiagnosisPod, ManifestReference } from './types.ts';
import { nameOf, nsOf } from './world.ts';

/** Labels that differ per Pod or per rollout, useless in a selector a user writes. */
const VOLATILE_LABELS = new Set([
  'pod-template-hash',
  'controller-revision-hash',
  'statefulset.kubernetes.io/pod-name',
  'apps.kubernetes.io/pod-index',
  'pod-template-generation',
  'batch.kubernetes.io/controller-uid',
  'controller-uid',
]);
/** Labels that name an application, preferred when a selector is suggested. */
const APP_LABELS = ['app.kubernetes.io/name', 'app', 'k8s-app', 'name', 'app.kubernetes.io/component'];

/** `{app: web, tier: api}`: a label map as YAML flow, the way it is pasted into a manifest. */
export function flowMap(labels: Labels): string {
  const entries = Object.entries(labels).map(([key, value]) => `${key}: ${value === '' ? "''" : value}`);
  return `{${entries.join(', ')}}`;
}

export function selectorText(labels: Labels): string {
  return Object.entries(labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
}

/** The labels to name a Pod by in a suggested rule: its application label, else its stable labels. */
export function stableLabels(labels: Labels | undefined): Labels {
  const all = labels ?? {};
  for (const key of APP_LABELS) {
    const value = all[key];
    if (value !== undefined) {
      return { [key]: value };
    }
  }
  return Object.fromEntries(Object.entries(all).filter(([key]) => !VOLATILE_LABELS.has(key)));
}

function levenshtein(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]!;
      previous[j] = Math.min(
        above + 1,
        previous[j - 1]! + 1,
        diagonal + (a.charAt(i - 1) === b.charAt(j - 1) ? 0 : 1),
      );
      diagonal = above;
    }
  }
  return previous[b.length]!;
}

/** Names close to `wanted` (a typo away), closest first. */
export function similarNames(wanted: string, candidates: readonly string[]): string[] {
  const limit = Math.max(1, Math.min(3, Math.floor(wanted.length / 3)));
  return candidates
    .map((candidate) => ({ candidate, distance: levenshtein(wanted, candidate) }))
    .filter(({ candidate, distance }) => candidate !== wanted && distance <= limit)
    .sort((a, b) => a.distance - b.distance || a.candidate.localeCompare(b.candidate))
    .map(({ candidate }) => candidate);
}

/** The object that owns a Pod's spec: its Deployment, StatefulSet, DaemonSet or Job, else the Pod. */
export function podManifest(pod: DiagnosisPod): ManifestReference {
  const namespace = nsOf(pod);
  const owner = pod.metadata.ownerReferences?.find((reference) => reference.controller === true);
  if (owner === undefined) {
    return { kind: 'Pod', namespace, name: nameOf(pod) };
  }
  if (owner.kind === 'ReplicaSet') {
    const hash = pod.metadata.labels?.['pod-template-hash'];
    if (hash !== undefined && owner.name.endsWith(`-${hash}`)) {
      return { kind: 'Deployment', namespace, name: owner.name.slice(0, -hash.length - 1) };
    }
    return { kind: 'ReplicaSet', namespace, name: owner.name };
  }
  return { kind: owner.kind, namespace, name: owner.name };
}

export function describeManifest(reference: ManifestReference): string {
  return `${reference.kind} ${reference.namespace}/${reference.name}`;
}

export function formatServicePort(port: ServicePort): string {
  const protocol = port.protocol ?? 'TCP';
  const target =
    port.targetPort === undefined || port.targetPort === 0 || port.targetPort === ''
      ? port.port
      : port.targetPort;
  return `${port.name ? `${port.name} ` : ''}${port.port}/${protocol} → ${target}`;
}

export function formatContainerPort(port: ContainerPort): string {
  return `${port.name ? `${port.name} ` : ''}${port.containerPort}/${port.protocol ?? 'TCP'}`;
}
