/**
 * The end-to-end path a diagnosis of external access takes: KubeReach's own port-forward engine to
 * the demo's Ingress controller Pod, and HTTP through it with the request's Host header. The
 * controller routes as it does for traffic from its LoadBalancer address (see
 * test/conformance/ingressDemo.test.ts): the forward enters the Pod from the kubelet's side, so
 * what the controller answers is what a client outside the cluster gets.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { type } from '../../../sandbox/cluster.ts';
import { useSandbox, waitFor } from '../../support/sandbox.ts';
import { localPort, openForwarding } from './helpers.ts';
import type { Forwarding } from './helpers.ts';

function get(port: number, host: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, headers: { host }, agent: false, timeout: 10_000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer for ${host}${path}`)));
    req.on('error', reject);
    req.end();
  });
}

describe('HTTP through a port-forward to the Ingress controller Pod (demo)', () => {
  const fixture = useSandbox({ scenario: 'demo' });
  let fwd: Forwarding;
  let controllerPod: string;

  before(async () => {
    const { cluster } = fixture.sandbox;
    for (const [namespace, name] of [
      ['ingress-sandbox', 'ingress-sandbox-controller'],
      ['shop', 'frontend'],
    ] as const) {
      await waitFor(`${namespace}/${name} to have a ready endpoint`, () => {
        const service = cluster.store.peek(type('services'), namespace, name);
        return service !== undefined && cluster.dataplane.pickEndpoint(service, 80) !== undefined;
      });
    }
    controllerPod = cluster.store
      .list(type('pods'), 'ingress-sandbox')
      .map((entry) => entry.object.metadata.name!)
      .find((name) => name.startsWith('ingress-sandbox-controller-'))!;
    fwd = openForwarding(fixture.sandbox.kubeconfigPath);
  });
  after(async () => {
    await fwd?.dispose();
  });

  test('the Host header routes: frontend, the broken path, the blocked namespace, no rule', async () => {
    const info = await fwd.manager.start({
      target: { kind: 'Pod', namespace: 'ingress-sandbox', name: controllerPod },
      ports: [{ remote: 80 }],
    });
    assert.equal(info.state, 'active', info.reason);
    const port = localPort(info);

    const frontend = await get(port, 'shop.example.com', '/');
    assert.equal(frontend.status, 200, frontend.body);
    assert.match((JSON.parse(frontend.body) as { pod: string }).pod, /^frontend-/);
    assert.equal((await get(port, 'shop.example.com', '/admin')).status, 503);
    assert.equal((await get(port, 'blog.example.com', '/')).status, 504);
    assert.equal((await get(port, 'nowhere.example.com', '/')).status, 404);
  });
});
