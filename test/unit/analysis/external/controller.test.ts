/** Hops 2 and 3: the IngressClass and its controller's Pods; the Ingress's and the LoadBalancer's address. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diagnoseExternal } from '../../../../src/analysis/external/index.ts';
import { controllerHttpPort } from '../../../../src/analysis/external/controller.ts';
import type { ExternalDiagnosis, ExternalHopId } from '../../../../src/analysis/external/index.ts';
import { blogIngress, controller, frontendIngress, pod, sandboxClass, services, world } from './world.ts';

function hop(diagnosis: ExternalDiagnosis, id: ExternalHopId) {
  return diagnosis.hops.find((candidate) => candidate.id === id)!;
}

const shop = { kind: 'url', url: 'http://shop.example.com/' } as const;

test('the sandbox controller is found by its class controller name and labels, ready', () => {
  const d = diagnoseExternal(world(shop));
  const cls = hop(d, 'class');
  assert.equal(cls.status, 'passed');
  assert.match(
    cls.summary,
    /IngressClass sandbox is served by 1 ready controller Pod in namespace ingress-sandbox/,
  );
  assert.ok(cls.evidence.some((line) => /app\.kubernetes\.io\/name=ingress-sandbox/.test(line)));
  assert.deepEqual(d.plan.controllerPods, [{ namespace: 'ingress-sandbox', name: controller.metadata.name }]);
});

test('ingress-nginx is found by its chart labels', () => {
  const nginx = pod(
    'ingress-nginx',
    'ingress-nginx-controller-1',
    { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' },
    '10.42.0.50',
    'sandbox-node-1',
    { name: 'http', containerPort: 80 },
  );
  const nginxClass = { metadata: { name: 'nginx' }, spec: { controller: 'k8s.io/ingress-nginx' } };
  const ingress = { ...frontendIngress, spec: { ...frontendIngress.spec, ingressClassName: 'nginx' } };
  const d = diagnoseExternal(
    world(shop, {
      ingresses: [ingress],
      ingressClasses: [nginxClass],
      pods: [nginx, ...world(shop).pods.filter((p) => p !== controller)],
    }),
  );
  assert.equal(hop(d, 'class').status, 'passed');
  assert.deepEqual(d.plan.controllerPods, [
    { namespace: 'ingress-nginx', name: 'ingress-nginx-controller-1' },
  ]);
});

test('a controller with unknown labels is found by the Service that exposes it', () => {
  const odd = pod('edge', 'proxy-0', { role: 'edge-proxy' }, '10.42.0.60', 'sandbox-node-1', {
    name: 'http',
    containerPort: 80,
  });
  const customClass = {
    metadata: { name: 'custom', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
    spec: { controller: 'example.com/edge' },
  };
  const exposing = {
    metadata: { namespace: 'edge', name: 'edge-ingress' },
    spec: { type: 'LoadBalancer' as const, selector: { role: 'edge-proxy' }, ports: [{ port: 80 }] },
  };
  const ingress = { ...frontendIngress, spec: { ...frontendIngress.spec, ingressClassName: 'custom' } };
  const d = diagnoseExternal(
    world(shop, {
      ingresses: [ingress],
      ingressClasses: [customClass],
      services: [...services, exposing],
      pods: [odd, ...world(shop).pods],
    }),
  );
  assert.equal(hop(d, 'class').status, 'passed');
  assert.ok(hop(d, 'class').evidence.some((line) => /Service edge\/edge-ingress/.test(line)));
});

test('an ingressClassName that names no IngressClass fails with the classes there are', () => {
  const ingress = { ...frontendIngress, spec: { ...frontendIngress.spec, ingressClassName: 'ngnix' } };
  const d = diagnoseExternal(
    world({ kind: 'ingress', namespace: 'shop', name: 'frontend' }, { ingresses: [ingress] }),
  );
  const cls = hop(d, 'class');
  assert.equal(cls.status, 'failed');
  assert.match(cls.summary, /IngressClass ngnix does not exist/);
  assert.match(cls.fix ?? '', /sandbox/);
  assert.deepEqual(cls.manifest, { kind: 'Ingress', namespace: 'shop', name: 'frontend' });
});

test('no class and no default IngressClass: the class hop fails', () => {
  const ingress = { ...frontendIngress, spec: { ...frontendIngress.spec, ingressClassName: undefined } };
  const plain = { ...sandboxClass, metadata: { name: 'sandbox' } };
  const d = diagnoseExternal(
    world(
      { kind: 'ingress', namespace: 'shop', name: 'frontend' },
      { ingresses: [ingress], ingressClasses: [plain] },
    ),
  );
  assert.equal(hop(d, 'class').status, 'failed');
  assert.match(hop(d, 'class').summary, /names no IngressClass and no IngressClass is marked default/);
});

test('controller Pods that are not ready fail the class hop', () => {
  const notReady = pod(
    'ingress-sandbox',
    'ingress-sandbox-controller-1',
    controller.metadata.labels!,
    '10.42.0.20',
    'sandbox-node-1',
    { name: 'http', containerPort: 80 },
    false,
  );
  const d = diagnoseExternal(
    world(shop, { pods: [notReady, ...world(shop).pods.filter((p) => p !== controller)] }),
  );
  assert.equal(hop(d, 'class').status, 'failed');
  assert.match(hop(d, 'class').summary, /None of the 1 Pods of the controller/);
});

test('controller Pods outside the namespaces in view are unknown, and so is the NetworkPolicy hop', () => {
  const d = diagnoseExternal(
    world(shop, {
      pods: world(shop).pods.filter((p) => p !== controller),
      knownNamespaces: ['shop', 'blog'],
    }),
  );
  assert.equal(hop(d, 'class').status, 'unknown');
  assert.equal(hop(d, 'policy').status, 'unknown');
  assert.equal(d.conclusion.failedHop, undefined);
});

test('IngressClasses that may not be read make the class hop unknown', () => {
  const d = diagnoseExternal(world(shop, { unreadable: { ingressClasses: true } }));
  assert.equal(hop(d, 'class').status, 'unknown');
});

test('an Ingress without address fails the address hop with what it usually means', () => {
  const ingress = { ...blogIngress, status: {} };
  const d = diagnoseExternal(
    world({ kind: 'url', url: 'blog.example.com' }, { ingresses: [frontendIngress, ingress] }),
  );
  const address = hop(d, 'address');
  assert.equal(address.status, 'failed');
  assert.match(address.summary, /has no address yet/);
  assert.match(address.evidence.join(' '), /LoadBalancer still pending|publish/);
});

test('a LoadBalancer with an address passes; pending with a loadBalancerClass names the class', () => {
  const ok = diagnoseExternal(world({ kind: 'service', namespace: 'shop', name: 'frontend-public' }));
  assert.equal(hop(ok, 'address').status, 'passed');
  assert.match(hop(ok, 'address').summary, /127\.42\.1\.2/);
  const pending = diagnoseExternal(world({ kind: 'service', namespace: 'shop', name: 'frontend-cloud' }));
  assert.equal(hop(pending, 'address').status, 'failed');
  assert.equal(pending.conclusion.failedHop, 'address');
  assert.match(hop(pending, 'address').evidence.join(' '), /service\.k8s\.aws\/nlb/);
  assert.match(hop(pending, 'address').fix ?? '', /node ports/);
});

test('a pending LoadBalancer without a class: no load-balancer controller, or its pool exhausted', () => {
  const bare = services.map((s) =>
    s.metadata.name === 'frontend-cloud' ? { ...s, spec: { ...s.spec, loadBalancerClass: undefined } } : s,
  );
  const d = diagnoseExternal(
    world({ kind: 'service', namespace: 'shop', name: 'frontend-cloud' }, { services: bare }),
  );
  assert.match(hop(d, 'address').evidence.join(' '), /MetalLB.*pool is exhausted/);
});

test('loadBalancerSourceRanges that exclude the client fail the address hop', () => {
  const ranged = services.map((s) =>
    s.metadata.name === 'frontend-public'
      ? { ...s, spec: { ...s.spec, loadBalancerSourceRanges: ['203.0.113.0/24'] } }
      : s,
  );
  const request = { kind: 'service', namespace: 'shop', name: 'frontend-public' } as const;
  const out = diagnoseExternal(world(request, { services: ranged, clientIp: '198.51.100.7' }));
  assert.equal(hop(out, 'address').status, 'failed');
  assert.match(hop(out, 'address').summary, /exclude the client 198\.51\.100\.7/);
  assert.match(out.conclusion.sentence, /^Client 198\.51\.100\.7 cannot reach/);
  const inside = diagnoseExternal(world(request, { services: ranged, clientIp: '203.0.113.9' }));
  assert.equal(hop(inside, 'address').status, 'passed');
});

test("the controller's HTTP port: the exposing Service's http port resolved on the Pod, else a port named as controllers name it, else 80", () => {
  assert.equal(controllerHttpPort(controller, services), 80);
  assert.deepEqual(diagnoseExternal(world(shop)).plan.controllerHttp, {
    namespace: 'ingress-sandbox',
    name: controller.metadata.name,
    port: 80,
  });
  const traefik = pod('traefik', 'traefik-1', { 'app.kubernetes.io/name': 'traefik' }, '10.42.0.40', 'n', {
    name: 'web',
    containerPort: 8000,
  });
  assert.equal(controllerHttpPort(traefik, []), 8000);
  const exposed = pod('edge', 'envoy-1', { app: 'envoy' }, '10.42.0.41', 'n', {
    name: 'http-alt',
    containerPort: 8080,
  });
  const envoyService = {
    metadata: { namespace: 'edge', name: 'envoy' },
    spec: { selector: { app: 'envoy' }, ports: [{ name: 'http', port: 80, targetPort: 'http-alt' }] },
  };
  assert.equal(controllerHttpPort(exposed, [envoyService]), 8080);
  const grpcOnly = pod('edge', 'grpc-1', { app: 'grpc' }, '10.42.0.42', 'n', {
    name: 'grpc',
    containerPort: 9000,
  });
  assert.equal(controllerHttpPort(grpcOnly, []), undefined);
});

test('no ready controller Pod: no end-to-end target in the probe plan', () => {
  const notReady = pod(
    'ingress-sandbox',
    controller.metadata.name!,
    controller.metadata.labels!,
    '10.42.0.20',
    'sandbox-node-1',
    { name: 'http', containerPort: 80 },
    false,
  );
  const d = diagnoseExternal(
    world(shop, { pods: world(shop).pods.map((p) => (p === controller ? notReady : p)) }),
  );
  assert.equal(d.plan.controllerHttp, undefined);
});
