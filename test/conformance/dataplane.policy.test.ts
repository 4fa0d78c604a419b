/**
 * What NetworkPolicy cannot block, in the sandbox's data plane, driven through exec as a user would:
 * "a pod cannot block access to itself", and "traffic to and from the node where a Pod is running
 * is always allowed" (https://kubernetes.io/docs/concepts/services-networking/network-policies/).
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { CoreV1Api, NetworkingV1Api } from '@kubernetes/client-node';
import type { V1Pod } from '@kubernetes/client-node';
import { execInPod, useSandbox, waitFor } from '../support/sandbox.ts';

describe('NetworkPolicy in the data plane: what no policy can block', () => {
  const fixture = useSandbox({ scenario: 'demo' });
  let shopPods: V1Pod[];

  const exec = (namespace: string, pod: string, command: string[]) =>
    execInPod(fixture.kubeconfig, namespace, pod, command);

  before(async () => {
    // Default deny ingress for every Pod of namespace shop.
    await fixture.kubeconfig.makeApiClient(NetworkingV1Api).createNamespacedNetworkPolicy({
      namespace: 'shop',
      body: {
        metadata: { name: 'default-deny-ingress', namespace: 'shop' },
        spec: { podSelector: {}, policyTypes: ['Ingress'] },
      },
    });
    const core = fixture.kubeconfig.makeApiClient(CoreV1Api);
    shopPods = (await core.listNamespacedPod({ namespace: 'shop' })).items.filter(
      (pod) => pod.status?.podIP !== undefined && /^(frontend|backend)-/.test(pod.metadata!.name!),
    );
  });

  test('a Pod under default-deny ingress reaches itself by its Pod IP; its neighbour is dropped', async () => {
    const [self, neighbour] = shopPods.filter((pod) => pod.metadata!.labels!.app === 'frontend');
    assert.ok(self && neighbour, 'two frontend Pods');
    const url = `http://${self.status!.podIP!}:8080/self`;

    const itself = await exec('shop', self.metadata!.name!, ['curl', '-sS', '--max-time', '2', url]);
    assert.equal(itself.exitCode, 0, itself.err);
    assert.equal(JSON.parse(itself.out).pod, self.metadata!.name);

    const other = await exec('shop', neighbour.metadata!.name!, ['curl', '-sS', '--max-time', '1', url]);
    assert.equal(other.exitCode, 28, 'the policy still drops everyone else');
  });

  test('a Pod reaches itself through its own Service (hairpin): the sandbox follows the Kubernetes rule', async () => {
    const core = fixture.kubeconfig.makeApiClient(CoreV1Api);
    await core.createNamespacedPod({
      namespace: 'shop',
      body: {
        metadata: { name: 'solo', namespace: 'shop', labels: { app: 'solo' } },
        spec: {
          containers: [
            { name: 'solo', image: 'curlimages/curl:8.5.0', ports: [{ name: 'http', containerPort: 8080 }] },
          ],
        },
      },
    });
    await core.createNamespacedService({
      namespace: 'shop',
      body: {
        metadata: { name: 'solo', namespace: 'shop' },
        spec: { selector: { app: 'solo' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
      },
    });
    const ready = await waitFor('solo behind its Service', async () => {
      const pod = await core.readNamespacedPod({ namespace: 'shop', name: 'solo' });
      return fixture.sandbox.cluster.dataplane.isPodReady(pod.status?.podIP ?? '') ? pod : undefined;
    });
    const hairpin = await waitFor('the Service forwarding to solo', async () => {
      const result = await exec('shop', 'solo', [
        'curl',
        '-sS',
        '--max-time',
        '2',
        'http://solo.shop/hairpin',
      ]);
      // Refused until the EndpointSlice lists the Pod; a policy drop would time out (28) instead.
      return result.exitCode === 7 ? undefined : result;
    });
    assert.equal(hairpin.exitCode, 0, hairpin.err);
    assert.equal(JSON.parse(hairpin.out).pod, ready.metadata!.name);
  });

  test('a host-network Pod reaches an isolated Pod on its own node; one on another node does not', async () => {
    const core = fixture.kubeconfig.makeApiClient(CoreV1Api);
    // One host-network agent per node: the sandbox schedules round-robin over its three nodes.
    const names = ['agent-a', 'agent-b', 'agent-c'];
    for (const name of names) {
      await core.createNamespacedPod({
        namespace: 'tools',
        body: {
          metadata: { name, namespace: 'tools', labels: { app: 'node-agent' } },
          spec: { hostNetwork: true, containers: [{ name: 'agent', image: 'curlimages/curl:8.5.0' }] },
        },
      });
    }
    const agents = await waitFor('the agents running', async () => {
      const list = await core.listNamespacedPod({ namespace: 'tools', labelSelector: 'app=node-agent' });
      return list.items.length === names.length &&
        list.items.every((pod) => pod.status?.phase === 'Running' && pod.status.podIP !== undefined)
        ? list.items
        : undefined;
    });
    const target = shopPods.find((pod) => pod.metadata!.labels!.app === 'frontend')!;
    const node = target.spec!.nodeName!;
    const sameNode = agents.find((pod) => pod.spec!.nodeName === node);
    const otherNode = agents.find((pod) => pod.spec!.nodeName !== node);
    assert.ok(sameNode && otherNode, `agents on ${node} and elsewhere`);
    const url = `http://${target.status!.podIP!}:8080/from-node`;

    const own = await exec('tools', sameNode.metadata!.name!, ['curl', '-sS', '--max-time', '2', url]);
    assert.equal(own.exitCode, 0, own.err);
    const other = await exec('tools', otherNode.metadata!.name!, ['curl', '-sS', '--max-time', '1', url]);
    assert.equal(other.exitCode, 28, 'another node is an address like any other');
  });
});
