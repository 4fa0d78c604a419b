/**
 * The Gateway API objects for "Diagnose External Access", read once per diagnosis: discovery
 * first (gateway.networking.k8s.io served or not, and in which versions: never assumed), then one
 * cluster-wide list per kind (GatewayClasses, Gateways, HTTPRoutes, GRPCRoutes, ReferenceGrants).
 * Bounded by a timeout; a refusal or a failure is `unreadable` with the reason, never an empty
 * world. No `vscode`.
 *
 * (A watch in the ClusterCache would save the lists; until the cache holds these kinds, a
 * diagnosis reads them itself.)
 */
import { ApisApi, CustomObjectsApi } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import type { GatewayApiState } from '../analysis/external/index.ts';
import type { GatewayWorld } from '../analysis/gateway/index.ts';
import { classifyError } from '../cluster/errors.ts';

const GROUP = 'gateway.networking.k8s.io';

/** The kinds read, by plural, and the versions tried in order (the served one first). */
const KINDS = {
  gatewayclasses: ['v1', 'v1beta1'],
  gateways: ['v1', 'v1beta1'],
  httproutes: ['v1', 'v1beta1'],
  grpcroutes: ['v1', 'v1alpha2'],
  referencegrants: ['v1', 'v1beta1'],
} as const;

type Plural = keyof typeof KINDS;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Which versions of the group serve which kinds (discovery), undefined when the group is not served. */
async function discover(kubeConfig: KubeConfig, timeoutMs: number): Promise<Map<Plural, string> | undefined> {
  const groups = await withTimeout(
    kubeConfig.makeApiClient(ApisApi).getAPIVersions(),
    timeoutMs,
    'API discovery',
  );
  const group = groups.groups.find((g) => g.name === GROUP);
  if (group === undefined) {
    return undefined;
  }
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const served = new Map<string, Set<string>>();
  await Promise.all(
    group.versions.map(async ({ version }) => {
      const resources = await withTimeout(
        custom.getAPIResources({ group: GROUP, version }),
        timeoutMs,
        `discovery of ${GROUP}/${version}`,
      );
      served.set(version, new Set(resources.resources.map((r) => r.name)));
    }),
  );
  const found = new Map<Plural, string>();
  for (const [plural, versions] of Object.entries(KINDS) as [Plural, readonly string[]][]) {
    const version = versions.find((v) => served.get(v)?.has(plural));
    if (version !== undefined) {
      found.set(plural, version);
    }
  }
  return found;
}

/**
 * The Gateway API state: `not-served` when discovery lacks the group, `unreadable` when a list is
 * refused or fails; the Services and Namespaces of `world` come from the caller (the cache).
 */
export async function readGatewayApi(
  kubeConfig: KubeConfig,
  cached: Pick<GatewayWorld, 'services' | 'namespaces'>,
  options: { readonly timeoutMs?: number } = {},
): Promise<GatewayApiState> {
  const timeoutMs = options.timeoutMs ?? 5000;
  try {
    const kinds = await discover(kubeConfig, timeoutMs);
    if (kinds === undefined || !kinds.has('gateways')) {
      return { state: 'not-served' };
    }
    const custom = kubeConfig.makeApiClient(CustomObjectsApi);
    const list = async (plural: Plural): Promise<unknown[]> => {
      const version = kinds.get(plural);
      if (version === undefined) {
        return [];
      }
      const answer = (await withTimeout(
        custom.listClusterCustomObject({ group: GROUP, version, plural }),
        timeoutMs,
        `list of ${plural}`,
      )) as { items?: unknown[] };
      return answer.items ?? [];
    };
    const [gatewayClasses, gateways, httpRoutes, grpcRoutes, referenceGrants] = await Promise.all(
      (['gatewayclasses', 'gateways', 'httproutes', 'grpcroutes', 'referencegrants'] as const).map(list),
    );
    return {
      state: 'served',
      world: {
        gatewayClasses: gatewayClasses as GatewayWorld['gatewayClasses'],
        gateways: gateways as GatewayWorld['gateways'],
        httpRoutes: httpRoutes as GatewayWorld['httpRoutes'],
        grpcRoutes: grpcRoutes as GatewayWorld['grpcRoutes'],
        referenceGrants: referenceGrants as GatewayWorld['referenceGrants'],
        services: cached.services,
        namespaces: cached.namespaces,
      },
    };
  } catch (error) {
    const classified = classifyError(error, { resource: `${GROUP} objects` });
    return { state: 'unreadable', message: classified.message.replace(/\.$/, '') };
  }
}
