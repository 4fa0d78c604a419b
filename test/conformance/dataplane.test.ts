/**
 * The demo scenario's data plane, driven the way a user would drive it: commands exec'd into Pods
 * through client-node, real connections between Pod addresses, NetworkPolicy drops, DNS.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import { type } from '../../sandbox/cluster.ts';
import { execInPod, useSandbox, waitFor } from '../support/sandbox.ts';

describe('demo scenario data plane', () => {
  const fixture = useSandbox({ scenario: 'demo' });

  async function podNamed(namespace: string, prefix: string): Promise<string> {
    const pods = await fixture.kubeconfig.makeApiClient(CoreV1Api).listNamespacedPod({ namespace });
    const pod = pods.items.find((p) => p.metadata?.name?.startsWith(prefix));
    assert.ok(pod, `a pod ${namespace}/${prefix}*`);
    return pod.metadata!.name!;
  }

  const exec = (namespace: string, pod: string, command: string[]) =>
    execInPod(fixture.kubeconfig, namespace, pod, command);

  test('frontend reaches backend through its Service, with curl timings', async () => {
    const frontend = await podNamed('shop', 'frontend-');
    const result = await exec('shop', frontend, [
      'curl',
      '-sS',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code} %{time_connect} %{time_total}',
      '--max-time',
      '3',
      'http://backend.shop/',
    ]);
    assert.equal(result.exitCode, 0, result.err);
    const [code, connect, total] = result.out.split(' ');
    assert.equal(code, '200');
    assert.ok(Number(connect) >= 0 && Number(total) >= Number(connect));
  });

  test('frontend to db is dropped by the NetworkPolicy: curl times out (28)', async () => {
    const frontend = await podNamed('shop', 'frontend-');
    const result = await exec('shop', frontend, ['curl', '-sS', '--max-time', '1', 'http://db.data:5432/']);
    assert.equal(result.exitCode, 28, result.err);
    assert.match(result.err, /curl: \(28\)/);
  });

  test('backend to db is admitted by the same policy, toolbox to db is not', async () => {
    const { cluster } = fixture.sandbox;
    const backend = cluster.store.peek(type('pods'), 'shop', await podNamed('shop', 'backend-'));
    const db = cluster.store.peek(type('pods'), 'data', 'db-0');
    const verdict = cluster.dataplane.verdict(backend, db, '', 5432);
    assert.equal(verdict.allowed, true, verdict.reason);
    const blocked = await exec('tools', 'toolbox', ['nc', '-z', '-w', '1', 'db.data', '5432']);
    assert.equal(blocked.exitCode, 1);
    const open = await exec('tools', 'toolbox', ['nc', '-z', '-w', '1', 'backend.shop', '80']);
    assert.equal(open.exitCode, 0, open.err);
  });

  test('a Service whose only Pod is not ready refuses connections (curl 7)', async () => {
    const frontend = await podNamed('shop', 'frontend-');
    const result = await exec('shop', frontend, ['curl', '-sS', '--max-time', '2', 'http://checkout/']);
    assert.equal(result.exitCode, 7, result.err);
    assert.match(result.err, /Failed to connect to checkout port 80/);
  });

  test("unknown names do not resolve (curl 6), from the Pod's search path", async () => {
    const frontend = await podNamed('shop', 'frontend-');
    const result = await exec('shop', frontend, ['curl', '-sS', 'http://bakend/']);
    assert.equal(result.exitCode, 6);
    assert.match(result.err, /Could not resolve host: bakend/);
  });

  test('busybox wget and the distroless image behave like the real ones', async () => {
    const wget = await exec('tools', 'busybox', [
      'wget',
      '-q',
      '-O',
      '-',
      'http://backend.shop/from-busybox',
    ]);
    assert.equal(wget.exitCode, 0, wget.err);
    assert.equal(JSON.parse(wget.out).path, '/from-busybox');
    const distroless = await exec('shop', 'static-site', ['sh', '-c', 'true']);
    assert.equal(distroless.status.status, 'Failure');
    assert.match(distroless.status.message ?? '', /executable file not found in \$PATH/);
  });

  test('readiness faults move endpoints, and the Service follows', async () => {
    fixture.sandbox.faults.setPodReady('shop', 'checkout', true);
    const frontend = await podNamed('shop', 'frontend-');
    await waitFor('checkout reachable', async () => {
      const result = await exec('shop', frontend, [
        'curl',
        '-s',
        '-o',
        '/dev/null',
        '-w',
        '%{http_code}',
        'http://checkout/',
      ]);
      return result.out === '503';
    });
    fixture.sandbox.faults.setPodReady('shop', 'checkout', false);
  });
});
