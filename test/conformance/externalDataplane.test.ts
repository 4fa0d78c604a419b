/**
 * The external side of Services on a three-node sandbox, driven as a user would: node ports
 * allocated by the API server and refused when taken, served on every node's address (curl from
 * the host, and from a Pod through exec), externalTrafficPolicy Local answering only on the node
 * with the endpoint; LoadBalancers getting an address from the pool and answering there, staying
 * pending with the pool off or another loadBalancerClass, and refusing clients outside
 * loadBalancerSourceRanges. Pods pinned by nodeName and nodeSelector run where they are pinned.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { AppsV1Api, CoreV1Api, NetworkingV1Api } from '@kubernetes/client-node';
import type { V1Service } from '@kubernetes/client-node';
import { type } from '../../sandbox/cluster.ts';
import { loadScenario } from '../../sandbox/scenario.ts';
import { execInPod, kubectl, kubectlAvailable, useSandbox, waitFor } from '../support/sandbox.ts';

const THREE_NODES = { ...loadScenario('minimal'), nodes: 3 };
const curlAvailable = spawnSync('curl', ['--version']).status === 0;

interface CurlResult {
  code: number;
  body: string;
}

/** The host's curl (the real binary), as a user outside the cluster would run it. */
function hostCurl(url: string, maxTimeSeconds = 1): Promise<CurlResult> {
  return new Promise((resolve) => {
    execFile('curl', ['-sS', '--max-time', String(maxTimeSeconds), url], (error, stdout) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, body: stdout });
    });
  });
}

describe(
  'NodePort and LoadBalancer Services on three nodes',
  { skip: !curlAvailable && 'curl not installed' },
  () => {
    const fixture = useSandbox({ scenario: THREE_NODES });
    const core = () => fixture.kubeconfig.makeApiClient(CoreV1Api);
    const nodes = () => fixture.sandbox.cluster.nodes;

    async function createService(name: string, spec: V1Service['spec']): Promise<V1Service> {
      return core().createNamespacedService({ namespace: 'web', body: { metadata: { name }, spec } });
    }

    async function readyEndpoints(service: string, count: number): Promise<void> {
      await waitFor(`${count} ready endpoints of ${service}`, () => {
        const slices = fixture.sandbox.cluster.store
          .list(type('endpointslices'), 'web')
          .map((e) => e.object)
          .filter((s) => s.metadata.labels?.['kubernetes.io/service-name'] === service);
        const ready = slices.flatMap(
          (s) => (s.endpoints as Array<{ conditions?: { ready?: boolean } }> | undefined) ?? [],
        );
        return ready.filter((e) => e.conditions?.ready === true).length === count;
      });
    }

    test('node ports are allocated from 30000-32767; a requested one is honoured, a taken one refused', async () => {
      const allocated = await createService('web-np', {
        type: 'NodePort',
        selector: { app: 'web' },
        ports: [{ port: 80, targetPort: 'http' }],
      });
      const nodePort = allocated.spec?.ports?.[0]?.nodePort ?? 0;
      assert.ok(nodePort >= 30000 && nodePort <= 32767, String(nodePort));
      assert.equal(allocated.spec?.externalTrafficPolicy, 'Cluster');
      const fixed = await createService('web-fixed', {
        type: 'NodePort',
        selector: { app: 'web' },
        ports: [{ port: 80, targetPort: 'http', nodePort: 31080 }],
      });
      assert.equal(fixed.spec?.ports?.[0]?.nodePort, 31080);
      await assert.rejects(
        createService('web-taken', {
          type: 'NodePort',
          selector: { app: 'web' },
          ports: [{ port: 80, nodePort: 31080 }],
        }),
        (error: { code?: number; body?: string }) => {
          assert.equal(error.code, 422);
          assert.match(
            String(error.body),
            /spec\.ports\[0\]\.nodePort: Invalid value: 31080: provided port is already allocated/,
          );
          return true;
        },
      );
      if (kubectlAvailable) {
        const result = await kubectl(fixture.sandbox.kubeconfigPath, [
          'create',
          'service',
          'nodeport',
          'web-range',
          '-n',
          'web',
          '--tcp=80:8080',
          '--node-port=80',
        ]);
        assert.notEqual(result.code, 0);
        assert.match(
          result.stderr,
          /failed to create NodePort service: Service "web-range" is invalid: spec\.ports\[0\]\.nodePort: Invalid value: 80: provided port is not in the valid range\. The range of valid ports is 30000-32767/,
        );
      }
    });

    test('a NodePort answers on every node address, from the host and from a Pod', async () => {
      const service = await core().readNamespacedService({ namespace: 'web', name: 'web-np' });
      const nodePort = service.spec!.ports![0]!.nodePort!;
      await readyEndpoints('web-np', 2);
      for (const node of nodes()) {
        const result = await hostCurl(`http://${node.ip}:${nodePort}/hello`);
        assert.equal(result.code, 0, `${node.name}: curl exit ${result.code}`);
        const echo = JSON.parse(result.body) as { path: string; client: string };
        assert.equal(echo.path, '/hello');
        // externalTrafficPolicy Cluster: the backend sees the node's address (masqueraded).
        assert.equal(echo.client, node.ip);
      }
      for (const node of nodes()) {
        const result = await execInPod(fixture.kubeconfig, 'web', 'client', [
          'curl',
          '-sS',
          '--max-time',
          '2',
          `http://${node.ip}:${nodePort}/`,
        ]);
        assert.equal(result.exitCode, 0, `${node.name}: ${result.err}`);
        assert.match(result.out, /"pod":"web-/);
      }
    });

    test('a Pod created with spec.nodeName runs on that node; nodeSelector pins a Deployment', async () => {
      await core().createNamespacedPod({
        namespace: 'web',
        body: {
          metadata: { name: 'pinned', labels: { app: 'pinned' } },
          spec: {
            nodeName: 'sandbox-node-2',
            containers: [
              {
                name: 'web',
                image: 'registry.example/echo:1.0',
                ports: [{ name: 'http', containerPort: 8080 }],
              },
            ],
          },
        },
      });
      const running = await waitFor('the pinned Pod running', async () => {
        const pod = await core().readNamespacedPod({ namespace: 'web', name: 'pinned' });
        return pod.status?.phase === 'Running' && pod;
      });
      assert.equal(running.spec?.nodeName, 'sandbox-node-2');
      assert.equal(running.status?.hostIP, nodes()[1]!.ip);

      await fixture.kubeconfig.makeApiClient(AppsV1Api).createNamespacedDeployment({
        namespace: 'web',
        body: {
          metadata: { name: 'on-three' },
          spec: {
            replicas: 2,
            selector: { matchLabels: { app: 'on-three' } },
            template: {
              metadata: { labels: { app: 'on-three' } },
              spec: {
                nodeSelector: { 'kubernetes.io/hostname': 'sandbox-node-3' },
                containers: [{ name: 'web', image: 'registry.example/echo:1.0' }],
              },
            },
          },
        },
      });
      const placed = await waitFor('two on-three Pods running', async () => {
        const pods = await core().listNamespacedPod({ namespace: 'web', labelSelector: 'app=on-three' });
        return pods.items.filter((p) => p.status?.phase === 'Running').length === 2 && pods.items;
      });
      assert.deepEqual(
        placed.map((p) => p.spec?.nodeName),
        ['sandbox-node-3', 'sandbox-node-3'],
      );
    });

    test('externalTrafficPolicy Local answers only on the node with the endpoint and drops elsewhere', async () => {
      const service = await createService('pinned-local', {
        type: 'NodePort',
        externalTrafficPolicy: 'Local',
        selector: { app: 'pinned' },
        ports: [{ port: 80, targetPort: 'http' }],
      });
      const nodePort = service.spec!.ports![0]!.nodePort!;
      await readyEndpoints('pinned-local', 1);
      const [one, two, three] = nodes();
      const answered = await hostCurl(`http://${two!.ip}:${nodePort}/`);
      assert.equal(answered.code, 0);
      const echo = JSON.parse(answered.body) as { pod: string; client: string };
      assert.equal(echo.pod, 'pinned');
      // Local keeps the client's address.
      assert.equal(echo.client, '127.0.0.1');
      for (const node of [one!, three!]) {
        const dropped = await hostCurl(`http://${node.ip}:${nodePort}/`);
        assert.equal(dropped.code, 28, `${node.name} should drop (curl timeout), got exit ${dropped.code}`);
      }
    });

    test('a Local LoadBalancer: health-check node port answered per node as kube-proxy does, the address served from the endpoint node', async () => {
      const created = await createService('pinned-lb', {
        type: 'LoadBalancer',
        externalTrafficPolicy: 'Local',
        selector: { app: 'pinned' },
        ports: [{ port: 80, targetPort: 'http' }],
      });
      const healthPort = created.spec?.healthCheckNodePort ?? 0;
      assert.ok(healthPort >= 30000 && healthPort <= 32767, String(healthPort));
      assert.notEqual(healthPort, created.spec?.ports?.[0]?.nodePort);
      await readyEndpoints('pinned-lb', 1);
      const [one, two] = nodes();
      const healthy = await hostCurl(`http://${two!.ip}:${healthPort}/healthz`);
      assert.equal(healthy.code, 0);
      assert.deepEqual(JSON.parse(healthy.body), {
        service: { namespace: 'web', name: 'pinned-lb' },
        localEndpoints: 1,
        serviceProxyHealthy: true,
      });
      const unhealthy = await new Promise<{ status: string; body: string }>((resolve) => {
        execFile(
          'curl',
          ['-sS', '--max-time', '1', '-w', '\n%{http_code}', `http://${one!.ip}:${healthPort}/healthz`],
          (_error, stdout) => {
            const lines = stdout.split('\n');
            resolve({ status: lines.at(-1)!, body: lines.slice(0, -1).join('\n') });
          },
        );
      });
      assert.equal(unhealthy.status, '503');
      assert.equal((JSON.parse(unhealthy.body) as { localEndpoints: number }).localEndpoints, 0);
      const ip = await waitFor('the pinned-lb address', async () => {
        const service = await core().readNamespacedService({ namespace: 'web', name: 'pinned-lb' });
        return service.status?.loadBalancer?.ingress?.[0]?.ip;
      });
      const answered = await hostCurl(`http://${ip}/`);
      assert.equal(answered.code, 0);
      assert.equal((JSON.parse(answered.body) as { client: string }).client, '127.0.0.1');
      // Back to Cluster: the health-check node port goes with the policy.
      const current = await core().readNamespacedService({ namespace: 'web', name: 'pinned-lb' });
      const cluster = await core().replaceNamespacedService({
        namespace: 'web',
        name: 'pinned-lb',
        body: { ...current, spec: { ...current.spec, externalTrafficPolicy: 'Cluster' } },
      });
      assert.equal(cluster.spec?.healthCheckNodePort, undefined);
    });

    test('a health-check node port that becomes a node port is served as one', async () => {
      const created = await createService('hc-reuse', {
        type: 'LoadBalancer',
        externalTrafficPolicy: 'Local',
        healthCheckNodePort: 31990,
        selector: { app: 'web' },
        ports: [{ port: 80, targetPort: 'http' }],
      });
      assert.equal(created.spec?.healthCheckNodePort, 31990);
      const node = nodes()[0]!;
      assert.match((await hostCurl(`http://${node.ip}:31990/`)).body, /"localEndpoints"/);
      // Read again: the load-balancer controller has written the status since.
      const current = await core().readNamespacedService({ namespace: 'web', name: 'hc-reuse' });
      const changed = await core().replaceNamespacedService({
        namespace: 'web',
        name: 'hc-reuse',
        body: {
          ...current,
          spec: {
            ...current.spec,
            externalTrafficPolicy: 'Cluster',
            ports: [{ ...current.spec!.ports![0]!, nodePort: 31990 }],
          },
        },
      });
      assert.equal(changed.spec?.healthCheckNodePort, undefined);
      assert.equal(changed.spec?.ports?.[0]?.nodePort, 31990);
      await readyEndpoints('hc-reuse', 2);
      const forwarded = await waitFor('the node port forwarding', async () => {
        const result = await hostCurl(`http://${node.ip}:31990/again`);
        return result.code === 0 && result.body.includes('"path":"/again"') && result;
      });
      assert.match(forwarded.body, /"pod":"web-/);
    });

    test('internalTrafficPolicy Local: a Pod reaches the ClusterIP only from the node with an endpoint', async () => {
      for (const node of ['sandbox-node-2', 'sandbox-node-3']) {
        await core().createNamespacedPod({
          namespace: 'web',
          body: {
            metadata: { name: `caller-${node.slice(-1)}` },
            spec: { nodeName: node, containers: [{ name: 'curl', image: 'curlimages/curl:8.5.0' }] },
          },
        });
      }
      await createService('pinned-internal', {
        internalTrafficPolicy: 'Local',
        selector: { app: 'pinned' },
        ports: [{ port: 80, targetPort: 'http' }],
      });
      await readyEndpoints('pinned-internal', 1);
      await waitFor('both callers running', async () => {
        const pods = await core().listNamespacedPod({ namespace: 'web' });
        return (
          pods.items.filter((p) => p.metadata?.name?.startsWith('caller-') && p.status?.phase === 'Running')
            .length === 2
        );
      });
      const curl = (pod: string) =>
        execInPod(fixture.kubeconfig, 'web', pod, [
          'curl',
          '-sS',
          '--max-time',
          '1',
          'http://pinned-internal/',
        ]);
      const local = await curl('caller-2');
      assert.equal(local.exitCode, 0, local.err);
      assert.match(local.out, /"pod":"pinned"/);
      const remote = await curl('caller-3');
      assert.equal(remote.exitCode, 28, remote.err);
    });

    test('a LoadBalancer gets an address from the pool and answers there', async () => {
      await createService('web-lb', {
        type: 'LoadBalancer',
        selector: { app: 'web' },
        ports: [{ port: 80, targetPort: 'http' }],
      });
      const ip = await waitFor('the LoadBalancer address', async () => {
        const service = await core().readNamespacedService({ namespace: 'web', name: 'web-lb' });
        return service.status?.loadBalancer?.ingress?.[0]?.ip;
      });
      assert.match(ip, new RegExp(`^127\\.${fixture.sandbox.cluster.addresses.block + 2}\\.1\\.\\d+$`));
      await readyEndpoints('web-lb', 2);
      const result = await hostCurl(`http://${ip}/lb`);
      assert.equal(result.code, 0);
      assert.equal((JSON.parse(result.body) as { path: string }).path, '/lb');
      if (kubectlAvailable) {
        const listed = await kubectl(fixture.sandbox.kubeconfigPath, ['get', 'svc', 'web-lb', '-n', 'web']);
        assert.match(
          listed.stdout,
          new RegExp(
            `^web-lb\\s+LoadBalancer\\s+\\S+\\s+${ip.replaceAll('.', '\\.')}\\s+80:3\\d{4}/TCP`,
            'm',
          ),
        );
      }
    });

    test('with the pool off (admin fault) a new LoadBalancer stays pending; back on, it gets an address', async () => {
      const admin = fixture.sandbox.admin!;
      const pool = (enabled: boolean) =>
        fetch(`${admin.url}/faults/loadbalancers/pool`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${admin.token}` },
          body: JSON.stringify({ enabled }),
        });
      assert.equal((await pool(false)).status, 200);
      await createService('pending-lb', {
        type: 'LoadBalancer',
        selector: { app: 'web' },
        ports: [{ port: 80 }],
      });
      await waitFor('the AllocationFailed event', async () => {
        const events = await core().listNamespacedEvent({
          namespace: 'web',
          fieldSelector: 'involvedObject.name=pending-lb',
        });
        return events.items.some((e) => e.reason === 'AllocationFailed');
      });
      const pending = await core().readNamespacedService({ namespace: 'web', name: 'pending-lb' });
      assert.equal(pending.status?.loadBalancer?.ingress, undefined);
      if (kubectlAvailable) {
        const listed = await kubectl(fixture.sandbox.kubeconfigPath, [
          'get',
          'svc',
          'pending-lb',
          '-n',
          'web',
        ]);
        assert.match(listed.stdout, /^pending-lb\s+LoadBalancer\s+\S+\s+<pending>\s+80:3\d{4}\/TCP/m);
      }
      assert.equal((await pool(true)).status, 200);
      await waitFor('the address once the pool is back', async () => {
        const service = await core().readNamespacedService({ namespace: 'web', name: 'pending-lb' });
        return service.status?.loadBalancer?.ingress?.[0]?.ip;
      });
    });

    test('a LoadBalancer of another loadBalancerClass stays pending', async () => {
      await createService('classed-lb', {
        type: 'LoadBalancer',
        loadBalancerClass: 'example.com/cloud-lb',
        selector: { app: 'web' },
        ports: [{ port: 80 }],
      });
      await createService('after-classed', {
        type: 'LoadBalancer',
        selector: { app: 'web' },
        ports: [{ port: 8081 }],
      });
      await waitFor('the later LoadBalancer address', async () => {
        const service = await core().readNamespacedService({ namespace: 'web', name: 'after-classed' });
        return service.status?.loadBalancer?.ingress?.[0]?.ip;
      });
      const classed = await core().readNamespacedService({ namespace: 'web', name: 'classed-lb' });
      assert.equal(classed.status?.loadBalancer?.ingress, undefined);
    });

    test('loadBalancerSourceRanges: a client outside the ranges is dropped, one inside answered', async () => {
      await createService('ranged-out', {
        type: 'LoadBalancer',
        loadBalancerSourceRanges: ['10.0.0.0/8'],
        selector: { app: 'web' },
        ports: [{ port: 80, targetPort: 'http' }],
      });
      await createService('ranged-in', {
        type: 'LoadBalancer',
        loadBalancerSourceRanges: ['127.0.0.0/8'],
        selector: { app: 'web' },
        ports: [{ port: 80, targetPort: 'http' }],
      });
      const address = (name: string) =>
        waitFor(`the address of ${name}`, async () => {
          const service = await core().readNamespacedService({ namespace: 'web', name });
          return service.status?.loadBalancer?.ingress?.[0]?.ip;
        });
      const [outside, inside] = [await address('ranged-out'), await address('ranged-in')];
      await readyEndpoints('ranged-in', 2);
      assert.equal((await hostCurl(`http://${inside}/`)).code, 0);
      assert.equal((await hostCurl(`http://${outside}/`)).code, 28);
    });

    test('NetworkPolicy sees the source the backend sees: the node under Cluster, the client under Local', async () => {
      const cluster = await createService('pinned-cluster', {
        type: 'NodePort',
        selector: { app: 'pinned' },
        ports: [{ port: 80, targetPort: 'http' }],
      });
      const clusterPort = cluster.spec!.ports![0]!.nodePort!;
      const local = await core().readNamespacedService({ namespace: 'web', name: 'pinned-local' });
      const localPort = local.spec!.ports![0]!.nodePort!;
      await readyEndpoints('pinned-cluster', 1);
      await fixture.kubeconfig.makeApiClient(NetworkingV1Api).createNamespacedNetworkPolicy({
        namespace: 'web',
        body: {
          metadata: { name: 'pinned-deny-ingress' },
          spec: { podSelector: { matchLabels: { app: 'pinned' } }, policyTypes: ['Ingress'] },
        },
      });
      const [one, two] = nodes();
      // Masqueraded to sandbox-node-2, the Pod's own node: traffic from its node is always allowed.
      assert.equal((await hostCurl(`http://${two!.ip}:${clusterPort}/`)).code, 0);
      // Masqueraded to sandbox-node-1: another node's address, denied by the policy, dropped.
      assert.equal((await hostCurl(`http://${one!.ip}:${clusterPort}/`)).code, 28);
      // Local keeps the client's address (the host's 127.0.0.1), which the policy denies.
      assert.equal((await hostCurl(`http://${two!.ip}:${localPort}/`)).code, 28);
    });
  },
);
