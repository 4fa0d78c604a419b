/**
 * The demo scenario's Ingress stories, over real HTTP from the host to the sandbox Ingress
 * controller's LoadBalancer address: shop.example.com's working path and its broken one (a
 * Service port that does not exist), and blog.example.com, whose namespace's policies admit only
 * its own Pods, so the controller's connection is dropped (the classic default-deny case).
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { type } from '../../sandbox/cluster.ts';
import { DEFAULT_BACKEND_BODY } from '../../sandbox/dataplane/ingressProxy.ts';
import { httpThrough } from '../support/rawRequest.ts';
import { execInPod, useSandbox, waitFor } from '../support/sandbox.ts';

type LoadBalancerStatus = { loadBalancer?: { ingress?: Array<{ ip?: string }> } } | undefined;

describe('the demo scenario through its Ingress controller', () => {
  const fixture = useSandbox({ scenario: 'demo' });
  let address: string;

  const get = (host: string, path: string) => httpThrough(address, host, path);

  before(async () => {
    const { cluster } = fixture.sandbox;
    // Running is not ready: wait, as `kubectl rollout status` would, for the Services to have ready endpoints.
    for (const [namespace, name] of [
      ['ingress-sandbox', 'ingress-sandbox-controller'],
      ['shop', 'frontend'],
      ['blog', 'blog'],
    ] as const) {
      await waitFor(`${namespace}/${name} to have a ready endpoint`, () => {
        const service = cluster.store.peek(type('services'), namespace, name);
        return service !== undefined && cluster.dataplane.pickEndpoint(service, 80) !== undefined;
      });
    }
    address = await waitFor('the controller LoadBalancer address', () => {
      const service = cluster.store.peek(type('services'), 'ingress-sandbox', 'ingress-sandbox-controller');
      return (service?.status as LoadBalancerStatus)?.loadBalancer?.ingress?.[0]?.ip;
    });
  });

  test('shop.example.com/ reaches a frontend Pod', async () => {
    const answer = await get('shop.example.com', '/');
    assert.equal(answer.status, 200, answer.body);
    assert.match((JSON.parse(answer.body) as { pod: string }).pod, /^frontend-/);
  });

  test('shop.example.com/admin names a port the frontend Service does not have: 503', async () => {
    const answer = await get('shop.example.com', '/admin/users');
    assert.equal(answer.status, 503);
  });

  test("blog.example.com: blog's default-deny admits only its own namespace, so the controller times out: 504", async () => {
    const answer = await get('blog.example.com', '/');
    assert.equal(answer.status, 504);
    assert.ok(answer.ms >= 900, `after the demo's 1 s connect timeout (${answer.ms} ms)`);
  });

  test('a host no Ingress names: 404 from the default backend', async () => {
    const answer = await get('unknown.example.com', '/');
    assert.equal(answer.status, 404);
    assert.equal(answer.body, DEFAULT_BACKEND_BODY);
  });

  test("from a Pod inside the cluster, through the controller's Service name: the backend sees the controller Pod", async () => {
    const { cluster } = fixture.sandbox;
    const controllerIp = cluster.store
      .list(type('pods'), 'ingress-sandbox')
      .map((entry) => (entry.object.status as { podIP?: string }).podIP)
      .find((ip) => ip !== undefined);
    const result = await execInPod(fixture.kubeconfig, 'tools', 'toolbox', [
      'curl',
      '-sS',
      '-m',
      '3',
      '-H',
      'Host: shop.example.com',
      'http://ingress-sandbox-controller.ingress-sandbox/',
    ]);
    assert.equal(result.exitCode, 0, result.err);
    const echo = JSON.parse(result.out) as { pod: string; client: string };
    assert.match(echo.pod, /^frontend-/);
    assert.equal(echo.client, controllerIp);
  });

  test("both Ingresses carry the controller's LoadBalancer address", async () => {
    const { cluster } = fixture.sandbox;
    for (const [namespace, name] of [
      ['shop', 'frontend'],
      ['blog', 'blog'],
    ] as const) {
      await waitFor(`${namespace}/${name}'s address`, () => {
        const ingress = cluster.store.peek(type('ingresses'), namespace, name);
        return (ingress?.status as LoadBalancerStatus)?.loadBalancer?.ingress?.[0]?.ip === address;
      });
    }
  });
});
