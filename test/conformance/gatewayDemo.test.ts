/**
 * The demo scenario's Gateway API part, as the README and the e2e steps describe it: the CRDs
 * discovered (not assumed), Gateway infra/public programmed on a pool address, HTTPRoute
 * store/catalog attached to listener http and refused by listener internal for its hostname,
 * store/reports whose cross-namespace backend no ReferenceGrant allows (500), weighted backends,
 * and the Ingress ready to be converted.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { before, describe, test } from 'node:test';
import { CustomObjectsApi, NetworkingV1Api } from '@kubernetes/client-node';
import { kubectl, kubectlAvailable, useSandbox, waitFor } from '../support/sandbox.ts';

const GROUP = 'gateway.networking.k8s.io';

interface Condition {
  type: string;
  status: string;
  reason: string;
}

interface RouteStatus {
  parents?: Array<{ parentRef: { sectionName?: string }; conditions: Condition[] }>;
}

function get(address: string, host: string, path: string): Promise<{ status: number; pod: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: address, port: 80, path, headers: { host }, agent: false, timeout: 10_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          const pod = body.startsWith('{') ? ((JSON.parse(body) as { pod?: string }).pod ?? '') : '';
          resolve({ status: res.statusCode ?? 0, pod });
        });
      },
    );
    req.once('timeout', () => req.destroy(new Error(`no answer for ${host}${path}`)));
    req.once('error', reject);
    req.end();
  });
}

describe('the demo scenario through its Gateway', { timeout: 60_000 }, () => {
  const fixture = useSandbox({ scenario: 'demo' });
  let address = '';
  const custom = () => fixture.kubeconfig.makeApiClient(CustomObjectsApi);

  before(async () => {
    address = await waitFor('Gateway infra/public to be programmed', async () => {
      const gateway = (await custom().getNamespacedCustomObject({
        group: GROUP,
        version: 'v1',
        namespace: 'infra',
        plural: 'gateways',
        name: 'public',
      })) as { status?: { conditions?: Condition[]; addresses?: Array<{ value: string }> } };
      const programmed = gateway.status?.conditions?.find((c) => c.type === 'Programmed')?.status === 'True';
      return programmed && gateway.status?.addresses?.[0]?.value;
    });
  });

  test('the Gateway API group is discovered with its five kinds', { skip: !kubectlAvailable }, async () => {
    const resources = await kubectl(fixture.sandbox.kubeconfigPath, [
      'api-resources',
      '--api-group',
      GROUP,
      '-o',
      'name',
    ]);
    assert.equal(resources.code, 0, resources.stderr);
    assert.deepEqual(resources.stdout.trim().split('\n').sort(), [
      'gatewayclasses.gateway.networking.k8s.io',
      'gateways.gateway.networking.k8s.io',
      'grpcroutes.gateway.networking.k8s.io',
      'httproutes.gateway.networking.k8s.io',
      'referencegrants.gateway.networking.k8s.io',
    ]);
  });

  test('store/catalog: attached to listener http, refused by listener internal (NoMatchingListenerHostname)', async () => {
    const route = (await custom().getNamespacedCustomObject({
      group: GROUP,
      version: 'v1',
      namespace: 'store',
      plural: 'httproutes',
      name: 'catalog',
    })) as { status?: RouteStatus };
    const accepted = (section: string) =>
      route.status?.parents
        ?.find((p) => p.parentRef.sectionName === section)
        ?.conditions.find((c) => c.type === 'Accepted');
    assert.deepEqual([accepted('http')?.status, accepted('http')?.reason], ['True', 'Accepted']);
    assert.deepEqual(
      [accepted('internal')?.status, accepted('internal')?.reason],
      ['False', 'NoMatchingListenerHostname'],
    );
  });

  test('store/reports: no ReferenceGrant allows its backend (RefNotPermitted), and the Gateway answers 500', async () => {
    const route = (await custom().getNamespacedCustomObject({
      group: GROUP,
      version: 'v1',
      namespace: 'store',
      plural: 'httproutes',
      name: 'reports',
    })) as { status?: RouteStatus };
    const resolved = route.status?.parents?.[0]?.conditions.find((c) => c.type === 'ResolvedRefs');
    assert.deepEqual([resolved?.status, resolved?.reason], ['False', 'RefNotPermitted']);
    assert.equal((await get(address, 'reports.example.com', '/')).status, 500);
  });

  test('requests: /api split between catalog and catalog-canary, /metrics through its ReferenceGrant, 404 elsewhere', async () => {
    const pods = new Set<string>();
    for (let i = 0; i < 200 && !(pods.has('catalog') && pods.has('catalog-canary')); i++) {
      const answer = await get(address, 'store.example.com', '/api/items');
      assert.equal(answer.status, 200);
      pods.add(answer.pod.replace(/-[a-z0-9]+-[a-z0-9]+$/, ''));
    }
    assert.deepEqual([...pods].sort(), ['catalog', 'catalog-canary']);
    const metrics = await get(address, 'store.example.com', '/metrics');
    assert.deepEqual([metrics.status, metrics.pod.startsWith('reporting-')], [200, true]);
    assert.equal((await get(address, 'unknown.example.com', '/')).status, 404);
  });

  test('store/storefront: the Ingress to convert routes the same host', async () => {
    const ingress = await fixture.kubeconfig
      .makeApiClient(NetworkingV1Api)
      .readNamespacedIngress({ namespace: 'store', name: 'storefront' });
    assert.equal(ingress.spec?.ingressClassName, 'sandbox');
    assert.deepEqual(
      ingress.spec?.rules?.[0]?.http?.paths.map((p) => [p.path, p.pathType, p.backend.service?.name]),
      [
        ['/api', 'Prefix', 'catalog'],
        ['/', 'Prefix', 'catalog'],
      ],
    );
  });
});
