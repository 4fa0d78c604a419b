/**
 * The demo's Ingress controller without a load-balancer address, for tests of the outside-in
 * diagnosis from a machine that cannot reach the address: the sandbox's load-balancer pool turned
 * off (the fault) and the controller's LoadBalancer Service recreated, so it stays pending and the
 * Ingresses lose their address. The caller turns the pool back on in its `after`.
 */
import { CoreV1Api } from '@kubernetes/client-node';
import type { V1Service } from '@kubernetes/client-node';
import type { SandboxFixture } from './sandbox.ts';

export async function leaveIngressControllerPending(fixture: SandboxFixture): Promise<void> {
  fixture.sandbox.faults.setLoadBalancerPool(false);
  const core = fixture.kubeconfig.makeApiClient(CoreV1Api);
  const namespace = 'ingress-sandbox';
  const name = 'ingress-sandbox-controller';
  const old = await core.readNamespacedService({ namespace, name });
  await core.deleteNamespacedService({ namespace, name });
  const fresh: V1Service = {
    metadata: { namespace, name },
    spec: {
      type: 'LoadBalancer',
      selector: old.spec!.selector!,
      ports: old.spec!.ports!.map((port) => ({
        name: port.name,
        port: port.port,
        targetPort: port.targetPort,
      })),
    },
  };
  await core.createNamespacedService({ namespace, body: fresh });
}
