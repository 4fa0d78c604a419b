/**
 * The demo scenario's outside-in Services: shop/static-site on node port 30080 with
 * externalTrafficPolicy Local, its Pod pinned to sandbox-node-2 (answers there, drops on the other
 * two nodes); shop/frontend-public, a LoadBalancer with an address from the pool that answers;
 * shop/frontend-cloud, a LoadBalancer of a class no controller serves, pending.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import { kubectl, kubectlAvailable, useSandbox, waitFor } from '../support/sandbox.ts';

const curlAvailable = spawnSync('curl', ['--version']).status === 0;

function hostCurl(url: string): Promise<{ code: number; body: string }> {
  return new Promise((resolve) => {
    execFile('curl', ['-sS', '--max-time', '1', url], (error, stdout) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, body: stdout });
    });
  });
}

describe(
  'demo scenario: NodePort and LoadBalancer Services',
  { skip: !curlAvailable && 'curl not installed' },
  () => {
    const fixture = useSandbox({ scenario: 'demo' });
    const core = () => fixture.kubeconfig.makeApiClient(CoreV1Api);

    test('three nodes; static-site runs on sandbox-node-2 and answers on 30080 there only', async () => {
      const nodes = fixture.sandbox.cluster.nodes;
      assert.equal(nodes.length, 3);
      const pod = await core().readNamespacedPod({ namespace: 'shop', name: 'static-site' });
      assert.equal(pod.spec?.nodeName, 'sandbox-node-2');
      const service = await core().readNamespacedService({ namespace: 'shop', name: 'static-site' });
      assert.equal(service.spec?.type, 'NodePort');
      assert.equal(service.spec?.externalTrafficPolicy, 'Local');
      assert.equal(service.spec?.ports?.[0]?.nodePort, 30080);
      const answered = await hostCurl(`http://${nodes[1]!.ip}:30080/`);
      assert.equal(answered.code, 0);
      assert.equal((JSON.parse(answered.body) as { pod: string }).pod, 'static-site');
      for (const node of [nodes[0]!, nodes[2]!]) {
        assert.equal((await hostCurl(`http://${node.ip}:30080/`)).code, 28, `${node.name} drops`);
      }
    });

    test('frontend-public has a pool address and answers; frontend-cloud stays pending', async () => {
      const ip = await waitFor('the frontend-public address', async () => {
        const service = await core().readNamespacedService({ namespace: 'shop', name: 'frontend-public' });
        return service.status?.loadBalancer?.ingress?.[0]?.ip;
      });
      assert.ok(fixture.sandbox.cluster.addresses.loadBalancers.contains(ip), ip);
      const answered = await hostCurl(`http://${ip}/`);
      assert.equal(answered.code, 0);
      assert.match((JSON.parse(answered.body) as { pod: string }).pod, /^frontend-/);
      const cloud = await core().readNamespacedService({ namespace: 'shop', name: 'frontend-cloud' });
      assert.equal(cloud.status?.loadBalancer?.ingress, undefined);
      if (kubectlAvailable) {
        const listed = await kubectl(fixture.sandbox.kubeconfigPath, ['get', 'svc', '-n', 'shop']);
        assert.match(listed.stdout, /^frontend-cloud\s+LoadBalancer\s+\S+\s+<pending>\s+80:3\d{4}\/TCP/m);
        assert.match(listed.stdout, /^static-site\s+NodePort\s+\S+\s+<none>\s+80:30080\/TCP/m);
      }
    });
  },
);
