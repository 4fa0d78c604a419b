/**
 * The cluster state a diagnosis reads, taken from the informer-backed cache in one go: every
 * watched namespace's Pods, Services, EndpointSlices and NetworkPolicies, the namespaces with their
 * labels, and which resources could not be read. Reads are synchronous and from memory.
 */
import type {
  DiagnosisIndex,
  DiagnosisInput,
  DiagnosisPod,
  DiagnosisTarget,
  EndpointSliceLike,
} from '../analysis/diagnosis/index.ts';
import { searchPath } from '../analysis/diagnosis/index.ts';
import { networkPolicyFromModel } from '../analysis/networkPolicy.ts';
import type { Namespace, NetworkPolicy, Service } from '../analysis/k8s.ts';
import { isValidIp } from '../analysis/cidr.ts';
import type { ClusterCache } from '../cluster/cache.ts';

/** What a diagnosis reads from the cache; `ClusterCache` is one. */
export type DiagnosisCache = Pick<
  ClusterCache,
  | 'pods'
  | 'pod'
  | 'services'
  | 'endpointSlices'
  | 'networkPolicies'
  | 'namespaces'
  | 'watchedNamespaces'
  | 'isSynced'
  | 'namespaceStatus'
  | 'onDidChange'
> & { readonly contextName?: string };

const UNUSABLE = new Set(['forbidden', 'unavailable', 'failed']);

/** The analysis input for `source` → `target` from what the cache holds now. */
export function snapshotInput(
  cache: DiagnosisCache,
  source: DiagnosisPod,
  target: DiagnosisTarget,
  options: {
    readonly clusterDomain?: string;
    readonly maxProbedPods?: number;
    readonly readinessEvents?: DiagnosisInput['readinessEvents'];
  } = {},
): DiagnosisInput {
  const watched = cache.watchedNamespaces();
  const known: string[] = [];
  const namespacesUnreadable: string[] = [];
  const slicesUnreadable: string[] = [];
  const policiesUnreadable: string[] = [];
  for (const namespace of watched) {
    const status = cache.namespaceStatus(namespace);
    // Known means read: a namespace whose Pods or Services were refused is settled, not empty, and
    // a target there is "unknown", never "not found".
    if (
      cache.isSynced(namespace) &&
      status !== undefined &&
      !UNUSABLE.has(status.pods.status) &&
      !UNUSABLE.has(status.services.status)
    ) {
      known.push(namespace);
    } else if (
      status !== undefined &&
      (UNUSABLE.has(status.pods.status) || UNUSABLE.has(status.services.status))
    ) {
      namespacesUnreadable.push(namespace);
    }
    if (status !== undefined && UNUSABLE.has(status.endpointSlices.status)) {
      slicesUnreadable.push(namespace);
    }
    if (status !== undefined && UNUSABLE.has(status.networkPolicies.status)) {
      policiesUnreadable.push(namespace);
    }
  }
  // The hops read the namespaces they need through `byNamespace`; the flat lists, which only a few
  // hops read (a target given by IP, hints on failure), are built on first read. With 100,000 Pods
  // cached, building them for every diagnosis was most of its time. Client-node's models are the
  // API's JSON with Dates for timestamps; the analysis reads none of those.
  const inView = new Set(watched);
  const policiesOf = new Map<string, readonly NetworkPolicy[]>();
  const byNamespace: DiagnosisIndex = {
    pods: (namespace) =>
      inView.has(namespace) ? (cache.pods(namespace) as unknown as readonly DiagnosisPod[]) : [],
    services: (namespace) =>
      inView.has(namespace) ? (cache.services(namespace) as unknown as readonly Service[]) : [],
    endpointSlices: (namespace) =>
      inView.has(namespace)
        ? (cache.endpointSlices(namespace) as unknown as readonly EndpointSliceLike[])
        : [],
    networkPolicies: (namespace) => {
      let policies = policiesOf.get(namespace);
      if (policies === undefined) {
        policies = inView.has(namespace) ? cache.networkPolicies(namespace).map(networkPolicyFromModel) : [];
        policiesOf.set(namespace, policies);
      }
      return policies;
    },
  };
  const flat = <T>(of: (namespace: string) => readonly T[]) => {
    let all: T[] | undefined;
    return (): T[] => (all ??= watched.flatMap((namespace) => of(namespace)));
  };
  const pods = flat(byNamespace.pods);
  const services = flat(byNamespace.services);
  const endpointSlices = flat(byNamespace.endpointSlices);
  const networkPolicies = flat(byNamespace.networkPolicies);
  return {
    source,
    target,
    get pods() {
      return pods();
    },
    get services() {
      return services();
    },
    get endpointSlices() {
      return endpointSlices();
    },
    get networkPolicies() {
      return networkPolicies();
    },
    byNamespace,
    namespaces: cache.namespaces() as unknown as readonly Namespace[],
    knownNamespaces: known,
    unreadable: {
      namespaces: namespacesUnreadable,
      endpointSlices: slicesUnreadable,
      networkPolicies: policiesUnreadable,
    },
    ...(options.clusterDomain === undefined ? {} : { clusterDomain: options.clusterDomain }),
    ...(options.maxProbedPods === undefined ? {} : { maxProbedPods: options.maxProbedPods }),
    ...(options.readinessEvents === undefined ? {} : { readinessEvents: options.readinessEvents }),
  };
}

/**
 * The namespaces a diagnosis needs watched: the source's, and the target's when it can be told
 * from the target alone (a Pod, a Service, a name such as `svc.ns` or `svc.ns.svc.cluster.local`).
 * An IP can be anywhere: it is matched against the namespaces in view.
 */
export function namespacesFor(
  sourceNamespace: string,
  target: DiagnosisTarget,
  clusterDomain = 'cluster.local',
): string[] {
  const names = new Set([sourceNamespace]);
  if (target.kind === 'pod' || target.kind === 'service') {
    names.add(target.namespace);
  } else if (!isValidIp(target.name.trim().replace(/^\[|\]$/g, ''))) {
    const domain = clusterDomain.replace(/\.$/, '');
    for (const fqdn of searchPath(target.name.trim(), sourceNamespace, domain)) {
      const match = new RegExp(`^[^.]+\\.([^.]+)\\.(svc|pod)\\.${domain.replaceAll('.', '\\.')}$`).exec(fqdn);
      if (match?.[1] !== undefined) {
        names.add(match[1]);
      }
    }
  }
  return [...names];
}

export { networkPolicyFromModel };
