/**
 * Gateway API objects in namespace `shop` of the demo, for tests of an identity limited to that
 * namespace (the demo's `shop-viewer`, refused the cluster-wide GatewayClasses and ReferenceGrants):
 * Gateway shop/edge (class sandbox, listener http on 8081), HTTPRoute shop/web with a backendRef to
 * shop/frontend and one to data/db, which a ReferenceGrant in `data` allows. Created as the admin.
 */
import { CustomObjectsApi } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';

const GROUP = 'gateway.networking.k8s.io';

export async function createShopGatewayObjects(admin: KubeConfig): Promise<void> {
  const custom = admin.makeApiClient(CustomObjectsApi);
  await custom.createNamespacedCustomObject({
    group: GROUP,
    version: 'v1',
    namespace: 'shop',
    plural: 'gateways',
    body: {
      apiVersion: `${GROUP}/v1`,
      kind: 'Gateway',
      metadata: { name: 'edge', namespace: 'shop' },
      spec: { gatewayClassName: 'sandbox', listeners: [{ name: 'http', port: 8081, protocol: 'HTTP' }] },
    },
  });
  await custom.createNamespacedCustomObject({
    group: GROUP,
    version: 'v1',
    namespace: 'shop',
    plural: 'httproutes',
    body: {
      apiVersion: `${GROUP}/v1`,
      kind: 'HTTPRoute',
      metadata: { name: 'web', namespace: 'shop' },
      spec: {
        parentRefs: [{ name: 'edge' }],
        rules: [
          {
            backendRefs: [
              { name: 'frontend', port: 80 },
              { name: 'db', namespace: 'data', port: 5432, weight: 0 },
            ],
          },
        ],
      },
    },
  });
  await custom.createNamespacedCustomObject({
    group: GROUP,
    version: 'v1beta1',
    namespace: 'data',
    plural: 'referencegrants',
    body: {
      apiVersion: `${GROUP}/v1beta1`,
      kind: 'ReferenceGrant',
      metadata: { name: 'from-shop', namespace: 'data' },
      spec: {
        from: [{ group: GROUP, kind: 'HTTPRoute', namespace: 'shop' }],
        to: [{ group: '', kind: 'Service' }],
      },
    },
  });
}
