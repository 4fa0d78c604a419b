/**
 * The real kubectl against the sandbox: if these pass, the sandbox speaks the API the way a real
 * API server does, at least as far as the most used client can tell.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, test } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { cidrContains } from '../../src/analysis/cidr.ts';
import { kubectl, kubectlAvailable, useSandbox, waitFor } from '../support/sandbox.ts';

if (!kubectlAvailable) {
  console.error('\n*** kubectl is not installed: the kubectl conformance tests are SKIPPED ***\n');
}

describe('kubectl against the sandbox', { skip: !kubectlAvailable && 'kubectl not installed' }, () => {
  const fixture = useSandbox({ scenario: 'minimal' });
  const run = (...args: string[]) => kubectl(fixture.sandbox.kubeconfigPath, args);

  test('kubectl get ns lists the system and scenario namespaces', async () => {
    const result = await run('get', 'ns');
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trim().split('\n');
    assert.match(lines[0]!, /^NAME\s+STATUS\s+AGE$/);
    for (const name of ['default', 'kube-system', 'web']) {
      assert.ok(
        lines.some((line) => new RegExp(`^${name}\\s+Active\\s+\\d+s$`).test(line)),
        `${name} in\n${result.stdout}`,
      );
    }
  });

  test('kubectl get pods -A -o wide shows Pods with their IPs and nodes', async () => {
    const result = await run('get', 'pods', '-A', '-o', 'wide');
    assert.equal(result.code, 0, result.stderr);
    const header = result.stdout.split('\n')[0]!;
    assert.match(
      header,
      /^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/,
    );
    const client = result.stdout.split('\n').find((line) => /^web\s+client\s/.test(line));
    assert.ok(client, result.stdout);
    assert.match(
      client,
      /^web\s+client\s+1\/1\s+Running\s+0\s+\d+s\s+127\.\d+\.\d+\.\d+\s+sandbox-node-1\s+<none>\s+<none>$/,
    );
    assert.equal(result.stdout.split('\n').filter((line) => /^web\s+web-/.test(line)).length, 2);
  });

  test('kubectl get pods -w sees a Pod created during the test', async () => {
    const watcher = spawn('kubectl', ['get', 'pods', '-n', 'web', '-w'], {
      env: { ...process.env, KUBECONFIG: fixture.sandbox.kubeconfigPath },
    });
    let output = '';
    watcher.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    watcher.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      await waitFor('the initial listing', () => output.includes('client'));
      const core = fixture.kubeconfig.makeApiClient(CoreV1Api);
      await core.createNamespacedPod({
        namespace: 'web',
        body: {
          metadata: { name: 'watched-pod' },
          spec: { containers: [{ name: 'c', image: 'registry.example/echo:1.0' }] },
        },
      });
      await waitFor('the new Pod running in kubectl -w output', () =>
        /watched-pod\s+1\/1\s+Running/.test(output),
      );
    } finally {
      watcher.kill();
    }
  });

  test('kubectl get svc,endpointslices -o yaml shows the Service and its maintained slice', async () => {
    const result = await run('get', 'svc,endpointslices', '-n', 'web', '-o', 'yaml');
    assert.equal(result.code, 0, result.stderr);
    interface Item {
      kind: string;
      apiVersion: string;
      metadata: { name: string; labels: Record<string, string> };
      spec: { clusterIP: string };
      addressType: string;
      ports: unknown[];
      endpoints: Array<{ conditions: unknown; targetRef: { kind: string } }>;
    }
    const list = parseAllDocuments(result.stdout)[0]!.toJS() as { kind: string; items: Item[] };
    assert.equal(list.kind, 'List');
    const service = list.items.find((item) => item.kind === 'Service' && item.metadata.name === 'web');
    assert.ok(service);
    assert.ok(
      cidrContains(fixture.sandbox.cluster.addresses.serviceCidr, service.spec.clusterIP),
      service.spec.clusterIP,
    );
    assert.ok(
      service.spec.clusterIP.startsWith(
        fixture.sandbox.cluster.addresses.serviceCidr.split('.').slice(0, 2).join('.') + '.',
      ),
    );
    assert.equal(service.apiVersion, 'v1');
    const slice = list.items.find(
      (item) => item.kind === 'EndpointSlice' && item.metadata.labels['kubernetes.io/service-name'] === 'web',
    );
    assert.ok(slice, 'an EndpointSlice labelled for the Service');
    assert.equal(slice.apiVersion, 'discovery.k8s.io/v1');
    assert.equal(slice.addressType, 'IPv4');
    assert.deepEqual(slice.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
    assert.equal(slice.endpoints.length, 2);
    for (const endpoint of slice.endpoints) {
      assert.deepEqual(endpoint.conditions, { ready: true, serving: true, terminating: false });
      assert.equal(endpoint.targetRef.kind, 'Pod');
    }
  });

  test('kubectl exec curl reaches a Service by its DNS name and gets the echo', async () => {
    const result = await run('exec', '-n', 'web', 'client', '--', 'curl', '-sS', 'http://web.web:80/hello');
    assert.equal(result.code, 0, result.stderr);
    const echo = JSON.parse(result.stdout) as { pod: string; namespace: string; port: number; path: string };
    assert.match(echo.pod, /^web-[a-z0-9]+-[a-z0-9]{5}$/);
    assert.equal(echo.namespace, 'web');
    assert.equal(echo.port, 8080);
    assert.equal(echo.path, '/hello');
  });

  test('kubectl exec passes the exit status through', async () => {
    const result = await run('exec', '-n', 'web', 'client', '--', 'sh', '-c', 'echo oops >&2; exit 3');
    assert.equal(result.code, 3);
    assert.match(result.stderr, /oops/);
    assert.match(result.stderr, /command terminated with exit code 3/);
  });

  test('a restricted identity gets the real Forbidden message', async () => {
    const restricted = fixture.sandbox.kubeconfigFor('restricted');
    const result = await kubectl(restricted, ['get', 'pods', '-A']);
    assert.notEqual(result.code, 0);
    assert.match(
      result.stderr,
      /Error from server \(Forbidden\): pods is forbidden: User "restricted" cannot list resource "pods" in API group "" at the cluster scope/,
    );
    const allowed = await kubectl(restricted, ['get', 'pods', '-n', 'web']);
    assert.equal(allowed.code, 0, allowed.stderr);
  });
});
