/**
 * The resource types the sandbox serves, with what discovery says about each. One entry per
 * group/version/resource, in the order `kubectl api-resources` lists them.
 */
export interface ResourceType {
  /** API group, '' for the core group. */
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly singular: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly shortNames: readonly string[];
  readonly verbs: readonly string[];
  readonly categories?: readonly string[];
  /** Subresources served under `<plural>/<name>/<subresource>`. */
  readonly subresources: readonly Subresource[];
  /** Whether `metadata.generation` is maintained (bumped on spec changes). */
  readonly hasGeneration: boolean;
  /** Set for a custom resource: what its CustomResourceDefinition says about this version. */
  readonly custom?: CustomResourceInfo;
}

/** A served version of a CustomResourceDefinition (see `customResources.ts`). */
export interface CustomResourceInfo {
  /** The CRD's name, `<plural>.<group>`. */
  readonly crd: string;
  readonly listKind: string;
  /** `spec.versions[].schema.openAPIV3Schema`, or undefined (accepts anything). */
  readonly schema: Record<string, unknown> | undefined;
  readonly printerColumns: readonly PrinterColumn[];
  /** Whether `status` is a subresource: then the main resource ignores status and vice versa. */
  readonly statusSubresource: boolean;
}

export interface PrinterColumn {
  readonly name: string;
  readonly type: string;
  readonly format?: string;
  readonly description?: string;
  readonly priority?: number;
  readonly jsonPath: string;
}

export interface Subresource {
  readonly name: string;
  /** The group and version of `kind` when it is not the parent's (scale's autoscaling/v1). */
  readonly group?: string;
  readonly version?: string;
  readonly kind: string;
  readonly verbs: readonly string[];
}

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const status = (kind: string): Subresource => ({ name: 'status', kind, verbs: ['get', 'patch', 'update'] });
const scale: Subresource = {
  name: 'scale',
  group: 'autoscaling',
  version: 'v1',
  kind: 'Scale',
  verbs: ['get', 'patch', 'update'],
};

export const RESOURCES: readonly ResourceType[] = [
  {
    group: '',
    version: 'v1',
    plural: 'namespaces',
    singular: 'namespace',
    kind: 'Namespace',
    namespaced: false,
    shortNames: ['ns'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    subresources: [status('Namespace')],
    hasGeneration: false,
  },
  {
    group: '',
    version: 'v1',
    plural: 'nodes',
    singular: 'node',
    kind: 'Node',
    namespaced: false,
    shortNames: ['no'],
    // The nodes are the scenario's: they can be read, labelled and annotated, not created or deleted.
    verbs: ['get', 'list', 'patch', 'update', 'watch'],
    subresources: [status('Node')],
    hasGeneration: false,
  },
  {
    group: '',
    version: 'v1',
    plural: 'pods',
    singular: 'pod',
    kind: 'Pod',
    namespaced: true,
    shortNames: ['po'],
    verbs: ALL_VERBS,
    categories: ['all'],
    subresources: [
      status('Pod'),
      { name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] },
      { name: 'log', kind: 'Pod', verbs: ['get'] },
      { name: 'portforward', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
      { name: 'ephemeralcontainers', kind: 'Pod', verbs: ['get', 'patch', 'update'] },
    ],
    hasGeneration: true,
  },
  {
    group: '',
    version: 'v1',
    plural: 'services',
    singular: 'service',
    kind: 'Service',
    namespaced: true,
    shortNames: ['svc'],
    verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
    categories: ['all'],
    subresources: [status('Service')],
    hasGeneration: false,
  },
  {
    group: '',
    version: 'v1',
    plural: 'events',
    singular: 'event',
    kind: 'Event',
    namespaced: true,
    shortNames: ['ev'],
    verbs: ALL_VERBS,
    subresources: [],
    hasGeneration: false,
  },
  {
    group: 'apps',
    version: 'v1',
    plural: 'deployments',
    singular: 'deployment',
    kind: 'Deployment',
    namespaced: true,
    shortNames: ['deploy'],
    verbs: ALL_VERBS,
    categories: ['all'],
    subresources: [scale, status('Deployment')],
    hasGeneration: true,
  },
  {
    group: 'apps',
    version: 'v1',
    plural: 'replicasets',
    singular: 'replicaset',
    kind: 'ReplicaSet',
    namespaced: true,
    shortNames: ['rs'],
    verbs: ALL_VERBS,
    categories: ['all'],
    subresources: [scale, status('ReplicaSet')],
    hasGeneration: true,
  },
  {
    group: 'discovery.k8s.io',
    version: 'v1',
    plural: 'endpointslices',
    singular: 'endpointslice',
    kind: 'EndpointSlice',
    namespaced: true,
    shortNames: [],
    verbs: ALL_VERBS,
    subresources: [],
    hasGeneration: false,
  },
  {
    group: 'events.k8s.io',
    version: 'v1',
    plural: 'events',
    singular: 'event',
    kind: 'Event',
    namespaced: true,
    shortNames: ['ev'],
    verbs: ALL_VERBS,
    subresources: [],
    hasGeneration: false,
  },
  {
    group: 'networking.k8s.io',
    version: 'v1',
    plural: 'ingressclasses',
    singular: 'ingressclass',
    kind: 'IngressClass',
    namespaced: false,
    shortNames: [],
    verbs: ALL_VERBS,
    subresources: [],
    hasGeneration: true,
  },
  {
    group: 'networking.k8s.io',
    version: 'v1',
    plural: 'ingresses',
    singular: 'ingress',
    kind: 'Ingress',
    namespaced: true,
    shortNames: ['ing'],
    verbs: ALL_VERBS,
    subresources: [status('Ingress')],
    hasGeneration: true,
  },
  {
    group: 'networking.k8s.io',
    version: 'v1',
    plural: 'networkpolicies',
    singular: 'networkpolicy',
    kind: 'NetworkPolicy',
    namespaced: true,
    shortNames: ['netpol'],
    verbs: ALL_VERBS,
    subresources: [],
    hasGeneration: true,
  },
  {
    group: 'apiextensions.k8s.io',
    version: 'v1',
    plural: 'customresourcedefinitions',
    singular: 'customresourcedefinition',
    kind: 'CustomResourceDefinition',
    namespaced: false,
    shortNames: ['crd', 'crds'],
    verbs: ALL_VERBS,
    categories: ['api-extensions'],
    subresources: [status('CustomResourceDefinition')],
    hasGeneration: true,
  },
];

export function apiVersionOf(type: ResourceType): string {
  return type.group === '' ? type.version : `${type.group}/${type.version}`;
}

/** The store's key for a type: `pods`, `deployments.apps`. */
export function resourceKey(type: ResourceType): string {
  return type.group === '' ? type.plural : `${type.plural}.${type.group}`;
}

export function findResource(group: string, version: string, plural: string): ResourceType | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.plural === plural);
}

export function resourceByKind(kind: string): ResourceType | undefined {
  return RESOURCES.find((r) => r.kind === kind);
}

/** The named groups of `types` and their versions, in order of first appearance. */
export function groups(
  types: readonly ResourceType[] = RESOURCES,
): Array<{ group: string; versions: string[] }> {
  const result: Array<{ group: string; versions: string[] }> = [];
  for (const r of types) {
    if (r.group === '') {
      continue;
    }
    const entry = result.find((g) => g.group === r.group);
    if (!entry) {
      result.push({ group: r.group, versions: [r.version] });
    } else if (!entry.versions.includes(r.version)) {
      entry.versions.push(r.version);
    }
  }
  return result;
}
