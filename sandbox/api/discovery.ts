/**
 * The discovery documents of the sandbox's API server, built from the served types (`RESOURCES` and
 * the established CRDs' versions, see `registry.ts`): `/version`, the legacy
 * documents (`/api`, `/apis`, `/apis/<group>`, `/api/v1`, `/apis/<group>/<version>`) and aggregated
 * discovery (`apidiscovery.k8s.io` v2 and v2beta1) for `/api` and `/apis`, which kubectl 1.32 asks for
 * first. Shapes and field order follow kube-apiserver 1.32, including its quirks (see the notes on
 * `apiVersion` and `responseKind` below), so that client-go reads them as it reads a real cluster's.
 */
import { createHash } from 'node:crypto';
import { groups, RESOURCES } from './resources.ts';
import type { ResourceType } from './resources.ts';
import { negotiateAccept } from './tables.ts';
import type { NegotiationRules } from './tables.ts';

export const AGGREGATED_DISCOVERY_V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
export const AGGREGATED_DISCOVERY_V2BETA1 =
  'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';

export type DiscoveryFormat = 'v2' | 'v2beta1' | 'legacy';

// ---- /version ------------------------------------------------------------------------------------

/** `k8s.io/apimachinery/pkg/version.Info` as of 1.32 (the emulation fields arrived in 1.33). */
export interface VersionInfo {
  readonly major: string;
  readonly minor: string;
  readonly gitVersion: string;
  readonly gitCommit: string;
  readonly gitTreeState: string;
  readonly buildDate: string;
  readonly goVersion: string;
  readonly compiler: string;
  readonly platform: string;
}

export const SANDBOX_VERSION: VersionInfo = {
  major: '1',
  minor: '32',
  // A semver pre-release of 1.32.0: kubectl's version-skew check reads it as a 1.32 server.
  gitVersion: 'v1.32.0-kubereach-sandbox',
  gitCommit: '70d3cc986aa8221cd1dfb1121852688902d3bf53',
  gitTreeState: 'clean',
  buildDate: '2024-12-11T17:59:15Z',
  goVersion: 'go1.23.3',
  compiler: 'gc',
  platform: 'linux/amd64',
};

// ---- Legacy discovery ----------------------------------------------------------------------------

export interface ServerAddressByClientCIDR {
  readonly clientCIDR: string;
  readonly serverAddress: string;
}

export interface APIVersions {
  readonly kind: 'APIVersions';
  readonly versions: readonly string[];
  readonly serverAddressByClientCIDRs: readonly ServerAddressByClientCIDR[];
}

export interface GroupVersionForDiscovery {
  readonly groupVersion: string;
  readonly version: string;
}

export interface APIGroup {
  readonly name: string;
  readonly versions: readonly GroupVersionForDiscovery[];
  readonly preferredVersion: GroupVersionForDiscovery;
}

export interface APIGroupList {
  readonly kind: 'APIGroupList';
  readonly apiVersion: 'v1';
  readonly groups: readonly APIGroup[];
}

export interface APIResource {
  readonly name: string;
  /** Empty for subresources. */
  readonly singularName: string;
  readonly namespaced: boolean;
  /** Set for a subresource whose kind lives in another group (scale: autoscaling/v1). */
  readonly group?: string;
  readonly version?: string;
  readonly kind: string;
  readonly verbs: readonly string[];
  readonly shortNames?: readonly string[];
  readonly categories?: readonly string[];
  readonly storageVersionHash?: string;
}

export interface APIResourceList {
  readonly kind: 'APIResourceList';
  /** Absent on `/api/v1`: the legacy core group is encoded without it, unlike every named group. */
  readonly apiVersion?: 'v1';
  readonly groupVersion: string;
  readonly resources: readonly APIResource[];
}

/**
 * `discovery.StorageVersionHash`: base64 of the first 8 bytes of sha256("group/version/kind") of the
 * storage version. The same value a real cluster publishes (pods: "xPOwRZ+Yhw8="), so clients that
 * compare it see nothing unusual.
 */
export function storageVersionHash(group: string, version: string, kind: string): string {
  if (kind === '') {
    return '';
  }
  return createHash('sha256')
    .update(`${group}/${version}/${kind}`)
    .digest()
    .subarray(0, 8)
    .toString('base64');
}

/** `/version`. */
export function versionInfo(): VersionInfo {
  return SANDBOX_VERSION;
}

/** `/api`. Every client may reach the server at `serverAddress` ("host:port"). */
export function apiVersions(serverAddress: string): APIVersions {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function groupOf(name: string, types: readonly ResourceType[]): APIGroup | undefined {
  const entry = groups(types).find((g) => g.group === name);
  if (!entry) {
    return undefined;
  }
  // The registry lists versions in order of preference.
  const versions = entry.versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
  return { name, versions, preferredVersion: versions[0]! };
}

/** `/apis`: the named groups (the aggregator in front of kube-apiserver does not add client CIDRs). */
export function apiGroupList(types: readonly ResourceType[] = RESOURCES): APIGroupList {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: groups(types).map((g) => groupOf(g.group, types)!),
  };
}

/** `/apis/<group>`. */
export function apiGroup(
  name: string,
  types: readonly ResourceType[] = RESOURCES,
): (APIGroup & { readonly kind: 'APIGroup'; readonly apiVersion: 'v1' }) | undefined {
  const group = groupOf(name, types);
  return group && { kind: 'APIGroup', apiVersion: 'v1', ...group };
}

function typesOf(types: readonly ResourceType[], group: string, version: string): ResourceType[] {
  return types.filter((r) => r.group === group && r.version === version);
}

/**
 * The resources of a group version, with each subresource as its own `<plural>/<sub>` entry, all
 * sorted by name as the API installer registers them.
 */
function apiResources(types: readonly ResourceType[], group: string, version: string): APIResource[] {
  const resources: APIResource[] = [];
  for (const type of typesOf(types, group, version)) {
    resources.push({
      name: type.plural,
      singularName: type.singular,
      namespaced: type.namespaced,
      kind: type.kind,
      verbs: [...type.verbs],
      ...(type.shortNames.length > 0 ? { shortNames: [...type.shortNames] } : {}),
      ...(type.categories && type.categories.length > 0 ? { categories: [...type.categories] } : {}),
      storageVersionHash: storageVersionHash(type.group, type.version, type.kind),
    });
    for (const sub of type.subresources) {
      resources.push({
        name: `${type.plural}/${sub.name}`,
        singularName: '',
        namespaced: type.namespaced,
        ...(sub.group !== undefined ? { group: sub.group, version: sub.version ?? 'v1' } : {}),
        kind: sub.kind,
        verbs: [...sub.verbs],
      });
    }
  }
  return resources.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** `/api/v1` (group '') or `/apis/<group>/<version>`; undefined for a group version not served. */
export function apiResourceList(
  group: string,
  version: string,
  types: readonly ResourceType[] = RESOURCES,
): APIResourceList | undefined {
  if (typesOf(types, group, version).length === 0) {
    return undefined;
  }
  const resources = apiResources(types, group, version);
  if (group === '') {
    return { kind: 'APIResourceList', groupVersion: version, resources };
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: `${group}/${version}`, resources };
}

// ---- Aggregated discovery ------------------------------------------------------------------------

export interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

export interface APISubresourceDiscovery {
  readonly subresource: string;
  readonly responseKind: GroupVersionKind;
  readonly verbs: readonly string[];
}

export interface APIResourceDiscovery {
  readonly resource: string;
  readonly responseKind: GroupVersionKind;
  readonly scope: 'Namespaced' | 'Cluster';
  readonly singularResource: string;
  readonly verbs: readonly string[];
  readonly shortNames?: readonly string[];
  readonly categories?: readonly string[];
  readonly subresources?: readonly APISubresourceDiscovery[];
}

export interface APIVersionDiscovery {
  readonly version: string;
  readonly resources: readonly APIResourceDiscovery[];
  readonly freshness: 'Current' | 'Stale';
}

export interface APIGroupDiscovery {
  /** ObjectMeta: `name` is omitted for the core group; the zero creationTimestamp encodes as null. */
  readonly metadata: { readonly name?: string; readonly creationTimestamp: null };
  readonly versions: readonly APIVersionDiscovery[];
}

export interface APIGroupDiscoveryList {
  readonly kind: 'APIGroupDiscoveryList';
  readonly apiVersion: `apidiscovery.k8s.io/${'v2' | 'v2beta1'}`;
  readonly metadata: Record<string, never>;
  readonly items: readonly APIGroupDiscovery[];
}

/**
 * `ConvertGroupVersionIntoToDiscovery`. Its `responseKind` copies the legacy entry's group and
 * version, which the installer only fills in for subresources of another group (scale); for every
 * resource here they are therefore "", exactly as kube-apiserver serves them.
 */
function versionDiscovery(
  types: readonly ResourceType[],
  group: string,
  version: string,
): APIVersionDiscovery {
  const resources: APIResourceDiscovery[] = [];
  const subresources = new Map<string, APISubresourceDiscovery[]>();
  // The CRD discovery controller, unlike the installer, fills in the group and version.
  const custom = typesOf(types, group, version).some((t) => t.custom !== undefined);
  for (const entry of apiResources(types, group, version)) {
    const responseKind = custom
      ? { group, version, kind: entry.kind }
      : { group: entry.group ?? '', version: entry.version ?? '', kind: entry.kind };
    const slash = entry.name.indexOf('/');
    if (slash >= 0) {
      // Names are sorted, so a parent always precedes its subresources.
      subresources
        .get(entry.name.slice(0, slash))
        ?.push({ subresource: entry.name.slice(slash + 1), responseKind, verbs: entry.verbs });
      continue;
    }
    const subs: APISubresourceDiscovery[] = [];
    subresources.set(entry.name, subs);
    resources.push({
      resource: entry.name,
      responseKind,
      scope: entry.namespaced ? 'Namespaced' : 'Cluster',
      singularResource: entry.singularName,
      verbs: entry.verbs,
      ...(entry.shortNames ? { shortNames: entry.shortNames } : {}),
      ...(entry.categories ? { categories: entry.categories } : {}),
      // Collects the subresource entries that follow; dropped below when empty (omitempty).
      subresources: subs,
    });
  }
  return {
    version,
    resources: resources.map(({ subresources: subs, ...rest }) =>
      subs && subs.length > 0 ? { ...rest, subresources: subs } : rest,
    ),
    freshness: 'Current',
  };
}

/** The aggregated document for `/api` (the core group) or `/apis` (every named group). */
export function aggregatedDiscovery(
  root: '/api' | '/apis',
  format: 'v2' | 'v2beta1' = 'v2',
  types: readonly ResourceType[] = RESOURCES,
): APIGroupDiscoveryList {
  const items: APIGroupDiscovery[] =
    root === '/api'
      ? [{ metadata: { creationTimestamp: null }, versions: [versionDiscovery(types, '', 'v1')] }]
      : groups(types).map((g) => ({
          metadata: { name: g.group, creationTimestamp: null },
          versions: g.versions.map((v) => versionDiscovery(types, g.group, v)),
        }));
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${format}`, metadata: {}, items };
}

/**
 * Discovery's endpoint restrictions only admit the aggregated types, so a plain `application/json`
 * clause is passed over (not chosen) and a later aggregated clause still wins.
 */
const DISCOVERY_RULES: NegotiationRules = {
  allowsTransform: (target) =>
    target !== undefined &&
    target.group === 'apidiscovery.k8s.io' &&
    (target.version === 'v2' || target.version === 'v2beta1') &&
    target.kind === 'APIGroupDiscoveryList',
  allowsStream: () => false,
};

/**
 * Which document `/api` or `/apis` answers with. kubectl 1.32 sends
 * `application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,...v2beta1...,application/json`
 * and gets v2; anything not asking for an aggregated type gets the legacy document.
 */
export function negotiateDiscovery(accept: string | null | undefined): DiscoveryFormat {
  if (accept == null || accept === '') {
    return 'legacy';
  }
  const target = negotiateAccept(accept, DISCOVERY_RULES)?.target;
  return target?.version === 'v2' ? 'v2' : target?.version === 'v2beta1' ? 'v2beta1' : 'legacy';
}

export interface DiscoveryResponse {
  /** client-go recognizes aggregated discovery by this Content-Type alone, so it must be exact. */
  readonly contentType: string;
  readonly body: unknown;
}

/**
 * The discovery document for a request path (no trailing slash), or undefined when the path is not a
 * discovery path of this server (resource paths, unknown groups and versions).
 */
export function discoveryDocument(
  path: string,
  accept: string | null | undefined,
  serverAddress: string,
  types: readonly ResourceType[] = RESOURCES,
): DiscoveryResponse | undefined {
  const json = (body: unknown): DiscoveryResponse => ({ contentType: 'application/json', body });
  if (path === '/version') {
    return json(versionInfo());
  }
  if (path === '/api' || path === '/apis') {
    const format = negotiateDiscovery(accept);
    if (format !== 'legacy') {
      return {
        contentType: format === 'v2' ? AGGREGATED_DISCOVERY_V2 : AGGREGATED_DISCOVERY_V2BETA1,
        body: aggregatedDiscovery(path, format, types),
      };
    }
    return json(path === '/api' ? apiVersions(serverAddress) : apiGroupList(types));
  }
  const core = /^\/api\/([^/]+)$/.exec(path);
  if (core) {
    const list = apiResourceList('', core[1]!, types);
    return list && json(list);
  }
  const named = /^\/apis\/([^/]+)(?:\/([^/]+))?$/.exec(path);
  if (named) {
    const [, group, version] = named;
    if (version === undefined) {
      const found = apiGroup(group!, types);
      return found && json(found);
    }
    const list = apiResourceList(group!, version, types);
    return list && json(list);
  }
  return undefined;
}
