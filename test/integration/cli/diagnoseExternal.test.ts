/**
 * `kubereach diagnose URL` against the sandbox (demo scenario): the editor's outside-in diagnosis
 * ("Diagnose External Access", the ExternalDiagnoser with its live probes and its port-forward to
 * the controller's or Gateway's Pod) from a terminal. A Gateway URL that works exits 0; one whose
 * backend needs a ReferenceGrant exits 1 naming the hop and the fix; an Ingress URL blocked by a
 * NetworkPolicy, a node port, a Service and an HTTPRoute rule; JSON, Markdown, and the errors.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DiscoveryV1Api, NetworkingV1Api } from '@kubernetes/client-node';
import { GATEWAY_HOP_IDS } from '../../../src/analysis/external/types.ts';
import { ClusterCache } from '../../../src/cluster/cache.ts';
import { demoGatewayState } from '../../support/demoGateway.ts';
import { leaveIngressControllerPending } from '../../support/pendingIngress.ts';
import { useSandbox, waitFor } from '../../support/sandbox.ts';
import { assertOneLineError, runCli } from './run.ts';

interface JsonProbe {
  role: string;
  reached: boolean;
  httpStatus?: number;
}

interface JsonReport {
  label: string;
  context: string;
  clientIp?: string;
  gateway?: { namespace: string; name: string };
  hops: { id: string; status: string; summary: string; fix?: string }[];
  conclusion: { failedHop?: string; sentence: string; fix?: string };
  probes: JsonProbe[];
}

describe('diagnose from outside the cluster', () => {
  const fixture = useSandbox({ scenario: 'demo' });
  const env = () => ({ KUBECONFIG: fixture.sandbox.kubeconfigPath });
  let cache: ClusterCache | undefined;

  before(async () => {
    // The demo's controllers write the Gateway's and the Ingresses' status after the start: the
    // cases below read them, as the engine's own tests wait for them (gateway.test.ts).
    cache = new ClusterCache(fixture.kubeconfig, { contextName: fixture.sandbox.context });
    cache.setWatchedNamespaces(['store', 'analytics', 'blog', 'gateway-sandbox']);
    await waitFor(
      'the Gateway programmed, the Ingress addressed, the backends ready',
      async () => {
        const state = await demoGatewayState(fixture.kubeconfig, cache!);
        const blog = cache!.ingresses('blog').find((i) => i.metadata?.name === 'blog');
        return (
          state.addressed &&
          state.routed('reports') &&
          blog?.status?.loadBalancer?.ingress?.[0] !== undefined &&
          state.ready('store', 'catalog') &&
          state.ready('analytics', 'reporting') &&
          state.ready('blog', 'blog')
        );
      },
      20_000,
    );
  });

  after(() => cache?.dispose());

  test('a URL a Gateway serves: every hop and the live probes passed, exit 0', async () => {
    const result = await runCli(['diagnose', 'http://store.example.com/api/items', '--via', 'infra/public'], {
      env: env(),
    });
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.match(
      result.stdout,
      /^outside the cluster → http:\/\/store\.example\.com\/api\/items {2}\(context kubereach-sandbox\)\n/,
    );
    assert.match(result.stdout, /✔ Route rule +HTTPRoute store\/catalog rule 1 \(PathPrefix \/api\)/);
    // The port-forward to the Gateway's Pod and the request to its address, both answered.
    assert.match(result.stdout, /through a port-forward to gateway-sandbox\/[^ ]+:80: answered 200/);
    assert.match(result.stdout, /✔ Live probe +.*the Gateway address answered 200/);
    assert.match(result.stdout, /reaches http:\/\/store\.example\.com\/api\/items: every hop checked passed/);
    assert.doesNotMatch(result.stdout, /✖/);
  });

  test('a URL whose route needs a ReferenceGrant: the failing hop and its fix, as JSON, exit 1', async () => {
    const result = await runCli(['diagnose', 'http://reports.example.com/', '-o', 'json'], { env: env() });
    assert.equal(result.status, 1, result.stderr);
    const report = JSON.parse(result.stdout) as JsonReport;
    assert.equal(report.context, 'kubereach-sandbox');
    assert.equal(report.label, 'http://reports.example.com/');
    assert.deepEqual(report.gateway && [report.gateway.namespace, report.gateway.name], ['infra', 'public']);
    assert.equal(report.conclusion.failedHop, 'backendRefs');
    const backendRefs = report.hops.find((hop) => hop.id === 'backendRefs');
    assert.equal(backendRefs?.status, 'failed');
    assert.match(backendRefs?.fix ?? '', /ReferenceGrant/);
    assert.match(report.conclusion.fix ?? '', /Create a ReferenceGrant/);
    assert.deepEqual(
      report.hops.map((hop) => hop.id),
      GATEWAY_HOP_IDS,
    );
    const statuses = report.probes.map((probe) => `${probe.role}:${probe.httpStatus}`).sort();
    assert.deepEqual(statuses, ['forwarded:500', 'gateway:500']);
    assert.equal(report.hops.find((hop) => hop.id === 'probe')?.status, 'failed');
  });

  test('an Ingress URL a NetworkPolicy blocks: text names the hop and the fix, exit 1; --no-probe as Markdown', async () => {
    const text = await runCli(['diagnose', 'http://blog.example.com/'], { env: env() });
    assert.equal(text.status, 1, text.stderr);
    assert.match(text.stdout, /✖ NetworkPolicy +/);
    assert.match(text.stdout, /\n {4}Fix: /);
    assert.match(text.stdout, /\n✖ A client outside the cluster cannot reach http:\/\/blog\.example\.com\//);
    const markdown = await runCli(
      ['diagnose', '192.0.2.10', 'http://blog.example.com/', '--no-probe', '-o', 'markdown'],
      { env: env() },
    );
    assert.equal(markdown.status, 1, markdown.stderr);
    assert.match(markdown.stdout, /^# External access diagnosis: http:\/\/blog\.example\.com\/\n/);
    assert.match(markdown.stdout, /\*\*Conclusion:\*\* Client 192\.0\.2\.10 cannot reach/);
    assert.ok(!markdown.stdout.includes('## Probes'), 'no probe ran');
  });

  test('a node port, a Service and an HTTPRoute rule; --from in JSON', async () => {
    const nodePort = await runCli(
      ['diagnose', 'sandbox-node-2:30080', '--from', '198.51.100.4', '-o', 'json'],
      { env: env() },
    );
    assert.equal(nodePort.status, 0, nodePort.stderr);
    const report = JSON.parse(nodePort.stdout) as JsonReport;
    assert.equal(report.label, 'sandbox-node-2:30080');
    assert.equal(report.clientIp, '198.51.100.4');
    assert.equal(report.hops.find((hop) => hop.id === 'nodePort')?.status, 'passed');
    assert.ok(report.probes.some((probe) => probe.role === 'node' && probe.reached));

    const service = await runCli(['diagnose', 'shop/svc/static-site', '--no-probe', '-o', 'json'], {
      env: env(),
    });
    assert.equal(service.status, 0, service.stderr);
    assert.equal((JSON.parse(service.stdout) as JsonReport).label, 'Service shop/static-site:80');

    const route = await runCli(
      ['diagnose', 'httproute/catalog#2', '-n', 'store', '--no-probe', '-o', 'json'],
      {
        env: env(),
      },
    );
    assert.equal(route.status, 0, route.stderr);
    assert.equal(
      (JSON.parse(route.stdout) as JsonReport).label,
      'HTTPRoute store/catalog rule 2 (http://store.example.com/metrics)',
    );
  });

  test('errors: a URL from a Pod, not a node, a bad scheme, --via on a node port, a bad --from', async () => {
    assertOneLineError(
      await runCli(['diagnose', 'shop/checkout', 'http://shop.example.com/'], { env: env() }),
      /a URL is diagnosed from outside the cluster, not from a Pod/,
    );
    assertOneLineError(
      await runCli(['diagnose', 'backend.shop:80', '--no-probe'], { env: env() }),
      /"backend\.shop:80" names no node of context "kubereach-sandbox" \(nodes: sandbox-node-1, sandbox-node-2, sandbox-node-3\)/,
    );
    assertOneLineError(
      await runCli(['diagnose', 'shop/checkout'], { env: env() }),
      /is not a URL, NODE:PORT/,
    );
    assertOneLineError(
      await runCli(['diagnose', 'ftp://x.example.com/'], { env: env() }),
      /only http:\/\/ and https:\/\//,
    );
    assertOneLineError(
      await runCli(['diagnose', 'sandbox-node-1:30080', '--via', 'infra/public'], { env: env() }),
      /--via applies to a URL only/,
    );
    assertOneLineError(
      await runCli(['diagnose', 'http://shop.example.com/', '--from', 'somewhere'], { env: env() }),
      /--from takes an IP address/,
    );
  });
});

describe('diagnose a URL whose address this machine cannot reach', () => {
  const fixture = useSandbox({ scenario: 'demo' });

  before(async () => {
    await leaveIngressControllerPending(fixture);
    const networking = fixture.kubeconfig.makeApiClient(NetworkingV1Api);
    const discovery = fixture.kubeconfig.makeApiClient(DiscoveryV1Api);
    await waitFor(
      'the Ingress without an address, the controller and the backend ready',
      async () => {
        const ingress = await networking.readNamespacedIngress({ namespace: 'shop', name: 'frontend' });
        const ready = async (namespace: string, service: string) =>
          (
            await discovery.listNamespacedEndpointSlice({
              namespace,
              labelSelector: `kubernetes.io/service-name=${service}`,
            })
          ).items.some((slice) => (slice.endpoints ?? []).some((e) => e.conditions?.ready));
        return (
          (ingress.status?.loadBalancer?.ingress ?? []).length === 0 &&
          (await ready('shop', 'frontend')) &&
          (await ready('ingress-sandbox', 'ingress-sandbox-controller'))
        );
      },
      15_000,
    );
  });

  after(() => fixture.sandbox?.faults.setLoadBalancerPool(true));

  test('the address hop fails (pending), and the request through a port-forward to the controller answers 200', async () => {
    const result = await runCli(['diagnose', 'http://shop.example.com/', '-o', 'json'], {
      env: { KUBECONFIG: fixture.sandbox.kubeconfigPath },
    });
    assert.equal(result.status, 1, result.stderr);
    const report = JSON.parse(result.stdout) as JsonReport;
    assert.equal(report.conclusion.failedHop, 'address');
    assert.deepEqual(
      report.probes
        .map((probe) => `${probe.role}:${probe.httpStatus ?? probe.reached}`)
        .filter((p) => !p.startsWith('backend:')),
      ['forwarded:200'],
      'no address to send the request to; the forward to the controller Pod answered',
    );
    const probeHop = report.hops.find((hop) => hop.id === 'probe');
    assert.equal(probeHop?.status, 'passed');
    assert.match(probeHop?.summary ?? '', /port-forward to the controller's Pod, the request answered 200/);
  });
});
