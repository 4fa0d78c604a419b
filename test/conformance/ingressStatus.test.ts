/**
 * Where the sandbox Ingress controller's status addresses come from, and which classes it serves:
 * the LoadBalancer address of its --publish-service (none while that Service is pending), the
 * nodes of its Pods without the flag, and nothing for an IngressClass that names another
 * controller, as ingress-nginx ignores classes whose spec.controller is not its own.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { before, describe, test } from 'node:test';
import { type } from '../../sandbox/cluster.ts';
import { parseScenario } from '../../sandbox/scenario.ts';
import { useSandbox, waitFor } from '../support/sandbox.ts';

/** A controller Deployment serving `className` in its own namespace, with extra args. */
function controller(namespace: string, className: string, args: string[]): string {
  return `---
apiVersion: v1
kind: Namespace
metadata: { name: ${namespace} }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: controller, namespace: ${namespace} }
spec:
  replicas: 1
  selector: { matchLabels: { app: controller } }
  template:
    metadata: { labels: { app: controller } }
    spec:
      containers:
        - name: controller
          image: sandbox.kubereach.dev/ingress-controller:1.0
          args: [--ingress-class=${className}${args.map((arg) => `, ${arg}`).join('')}]
          ports: [{ name: http, containerPort: 80 }]
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: { name: ${className} }
spec: { controller: sandbox.kubereach.dev/ingress-controller }
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: ${className}, namespace: app }
spec:
  ingressClassName: ${className}
  rules:
    - host: ${className}.example.com
      http:
        paths:
          - { path: /, pathType: Prefix, backend: { service: { name: app, port: { number: 80 } } } }
`;
}

const SCENARIO = `
apiVersion: sandbox.kubereach.dev/v1
kind: Scenario
metadata: { name: ingress-status }
nodes: 2
---
apiVersion: v1
kind: Namespace
metadata: { name: app }
---
apiVersion: v1
kind: Pod
metadata: { name: app-0, namespace: app, labels: { app: app } }
spec:
  containers:
    - { name: app, image: registry.example/echo:1.0, ports: [{ name: http, containerPort: 8080 }] }
---
apiVersion: v1
kind: Service
metadata: { name: app, namespace: app }
spec:
  selector: { app: app }
  ports: [{ name: http, port: 80, targetPort: http }]
${controller('pending', 'pending', ['--publish-service=pending/edge'])}
---
apiVersion: v1
kind: Service
metadata: { name: edge, namespace: pending }
spec:
  type: LoadBalancer
  loadBalancerClass: example.com/cloud
  selector: { app: controller }
  ports: [{ name: http, port: 80, targetPort: http }]
${controller('nodes', 'nodes', [])}
${controller('foreign', 'foreign', [])}
`.replace(
  // The class of the third controller names another controller.
  /(metadata: \{ name: foreign \}\nspec: \{ controller: )sandbox\.kubereach\.dev\/ingress-controller/,
  '$1example.com/other-controller',
);

type LoadBalancerStatus = { loadBalancer?: { ingress?: Array<{ ip?: string }> } } | undefined;

describe('the sandbox Ingress controller: status addresses and served classes', () => {
  const fixture = useSandbox({ scenario: parseScenario(SCENARIO, 'ingress-status') });

  const addressOf = (name: string) =>
    (fixture.sandbox.cluster.store.peek(type('ingresses'), 'app', name)?.status as LoadBalancerStatus)
      ?.loadBalancer?.ingress;

  const controllerPod = (namespace: string) =>
    fixture.sandbox.cluster.store
      .list(type('pods'), namespace)
      .map((entry) => entry.object)
      .find((pod) => (pod.status as { phase?: string }).phase === 'Running')!;

  before(async () => {
    // The Ingress of class `nodes` gets its address in the same pass as the others are looked at.
    await waitFor('the Ingress of class nodes to get an address', () => addressOf('nodes')?.[0]?.ip);
  });

  test('without --publish-service: the address of the node the controller Pod runs on', () => {
    const hostIP = (controllerPod('nodes').status as { hostIP: string }).hostIP;
    assert.deepEqual(addressOf('nodes'), [{ ip: hostIP }]);
    assert.ok(
      fixture.sandbox.cluster.nodes.some((node) => node.ip === hostIP),
      'a node address',
    );
  });

  test('a --publish-service that is still pending: no address', () => {
    const edge = fixture.sandbox.cluster.store.peek(type('services'), 'pending', 'edge');
    assert.equal(
      (edge?.status as LoadBalancerStatus)?.loadBalancer?.ingress,
      undefined,
      'the Service is pending',
    );
    assert.equal(addressOf('pending'), undefined);
  });

  test('an IngressClass naming another controller is not served: no address, and its hosts answer 404', async () => {
    assert.equal(addressOf('foreign'), undefined);
    const podIP = (controllerPod('foreign').status as { podIP: string }).podIP;
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        { host: podIP, port: 80, path: '/', headers: { host: 'foreign.example.com' }, agent: false },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, 404);
  });
});
