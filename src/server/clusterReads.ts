/**
 * What one validation read of the cluster, so that a change is answered by validating again exactly
 * the documents whose findings it can change, wherever it happened: a live Ingress in another
 * namespace claiming the same host and path, a Service in another namespace holding a node port,
 * an IngressClass losing its default annotation. A document's own namespaces are not enough: the
 * cluster-wide checks read every watched namespace, and a backend may live elsewhere.
 *
 * `recordReads` wraps the snapshot a validation pass gets and notes each namespace, collection and
 * cluster-scoped kind it asks for; `affectedBy` says whether a change touches any of them. No
 * `vscode`, no network.
 */
import type { ClusterModel } from '../analysis/manifests/cluster.ts';
import { objectsOf } from '../analysis/manifests/document.ts';
import type { ManifestFile } from '../analysis/manifests/document.ts';
import { isGatewayRoute } from '../analysis/manifests/gateway.ts';

function routeRefNamespaces(value: Readonly<Record<string, unknown>>): string[] {
  const spec = value.spec as { parentRefs?: unknown; rules?: unknown } | undefined;
  const refs: unknown[] = [
    ...(Array.isArray(spec?.parentRefs) ? spec.parentRefs : []),
    ...(Array.isArray(spec?.rules)
      ? spec.rules.flatMap((rule: unknown) =>
          typeof rule === 'object' &&
          rule !== null &&
          Array.isArray((rule as { backendRefs?: unknown }).backendRefs)
            ? (rule as { backendRefs: unknown[] }).backendRefs
            : [],
        )
      : []),
  ];
  return refs.flatMap((ref) =>
    typeof ref === 'object' && ref !== null && typeof (ref as { namespace?: unknown }).namespace === 'string'
      ? [(ref as { namespace: string }).namespace]
      : [],
  );
}

/**
 * The namespaces a file's cluster-aware checks are about: those of its Services, NetworkPolicies,
 * Ingresses and routes (undefined: none written, the context's), and those a route's parentRefs
 * and backendRefs name. The server and `kubereach check --cluster` watch these.
 */
export function namespacesOf(file: ManifestFile): Set<string | undefined> {
  const namespaces = new Set<string | undefined>();
  for (const { object } of objectsOf(file)) {
    if (
      object.kind === 'Service' ||
      object.kind === 'NetworkPolicy' ||
      object.kind === 'Ingress' ||
      isGatewayRoute(object)
    ) {
      namespaces.add(object.namespace);
    }
    if (isGatewayRoute(object)) {
      // The Gateways a route names and the Services it sends to may live elsewhere: watch there too.
      for (const name of routeRefNamespaces(object.value)) {
        namespaces.add(name);
      }
    }
  }
  return namespaces;
}

/** What changed in the cluster: everything (context, kubeconfig, connection), or these. */
export type ClusterChangeScope =
  | 'all'
  | {
      /** Namespaces whose Pods, Services, EndpointSlices, NetworkPolicies or Ingresses changed. */
      readonly namespaces: ReadonlySet<string>;
      readonly ingressClasses: boolean;
      /** Any Gateway API object or state (the cache reports them as one flag). */
      readonly gatewayApi?: boolean;
    };

export interface ClusterReads {
  /**
   * Namespaces whose state was asked for (found or not: one not loaded yet is read once it is; a
   * namespace starting or ending to be watched comes as a change of its Pods).
   */
  readonly namespaces: ReadonlySet<string>;
  /** The list of watched namespaces was asked for: every one of them was (or may be) read. */
  readonly everyWatchedNamespace: boolean;
  readonly ingressClasses: boolean;
  readonly gatewayApi: boolean;
}

export const NO_READS: ClusterReads = {
  namespaces: new Set(),
  everyWatchedNamespace: false,
  ingressClasses: false,
  gatewayApi: false,
};

/** The model, and what the validation using it has read so far (filled in as it reads). */
export function recordReads(model: ClusterModel): { model: ClusterModel; reads: ClusterReads } {
  const namespaces = new Set<string>();
  const reads = { namespaces, everyWatchedNamespace: false, ingressClasses: false, gatewayApi: false };
  const recorded: ClusterModel = {
    context: model.context,
    defaultNamespace: model.defaultNamespace,
    namespace: (name) => {
      namespaces.add(name);
      return model.namespace(name);
    },
    whyUnknown: (name) => model.whyUnknown(name),
    ...(model.watchedNamespaces === undefined
      ? {}
      : {
          watchedNamespaces: () => {
            reads.everyWatchedNamespace = true;
            return model.watchedNamespaces!();
          },
        }),
    ...(model.ingressClasses === undefined
      ? {}
      : {
          ingressClasses: () => {
            reads.ingressClasses = true;
            return model.ingressClasses!();
          },
        }),
    ...(model.gatewayApi === undefined
      ? {}
      : {
          gatewayApi: () => {
            reads.gatewayApi = true;
            return model.gatewayApi!();
          },
        }),
  };
  return { model: recorded, reads };
}

/** Whether `change` can alter what a validation that read `reads` found. */
export function affectedBy(reads: ClusterReads, change: ClusterChangeScope): boolean {
  if (change === 'all') {
    return true;
  }
  if (reads.ingressClasses && change.ingressClasses) {
    return true;
  }
  if (reads.gatewayApi && change.gatewayApi === true) {
    return true;
  }
  if (reads.everyWatchedNamespace && change.namespaces.size > 0) {
    return true;
  }
  for (const namespace of change.namespaces) {
    if (reads.namespaces.has(namespace)) {
      return true;
    }
  }
  return false;
}
