/**
 * @kubernetes/client-node against the sandbox over real sockets: the API shapes, informers with
 * their relist after 410, exec and port-forward over WebSocket.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { describe, test } from 'node:test';
import {
  AppsV1Api,
  CoreV1Api,
  DiscoveryV1Api,
  makeInformer,
  PatchStrategy,
  PortForward,
  setHeaderOptions,
} from '@kubernetes/client-node';
import type { V1Pod, V1Status, ApiException } from '@kubernetes/client-node';
import { execInPod, useSandbox, waitFor } from '../support/sandbox.ts';

const podBody = (name: string, labels: Record<string, string> = {}): V1Pod => ({
  metadata: { name, labels },
  spec: {
    containers: [
      { name: 'web', image: 'registry.example/echo:1.0', ports: [{ name: 'http', containerPort: 8080 }] },
    ],
  },
});

describe('client-node against the sandbox', () => {
  const fixture = useSandbox({ scenario: 'minimal' });
  const core = () => fixture.kubeconfig.makeApiClient(CoreV1Api);

  test('lists Pods cluster-wide and by namespace with resourceVersions', async () => {
    const all = await core().listPodForAllNamespaces();
    assert.equal(all.items.length, 3);
    assert.match(all.metadata?.resourceVersion ?? '', /^\d+$/);
    const web = await core().listNamespacedPod({ namespace: 'web', labelSelector: 'app in (web)' });
    assert.equal(web.items.length, 2);
    for (const pod of web.items) {
      assert.ok(pod.metadata?.uid);
      assert.ok(pod.metadata?.creationTimestamp instanceof Date);
      assert.equal(pod.status?.phase, 'Running');
      assert.ok(pod.metadata?.ownerReferences?.[0]?.kind === 'ReplicaSet');
    }
  });

  test('pages with limit and continue', async () => {
    const first = await core().listPodForAllNamespaces({ limit: 2 });
    assert.equal(first.items.length, 2);
    assert.equal(first.metadata?.remainingItemCount, 1);
    assert.ok(first.metadata?._continue);
    const second = await core().listPodForAllNamespaces({ limit: 2, _continue: first.metadata._continue });
    assert.equal(second.items.length, 1);
    assert.equal(second.metadata?._continue, undefined);
  });

  test('field selectors and bad selectors', async () => {
    const byName = await core().listPodForAllNamespaces({ fieldSelector: 'metadata.name=client' });
    assert.deepEqual(
      byName.items.map((p) => p.metadata?.name),
      ['client'],
    );
    const running = await core().listPodForAllNamespaces({ fieldSelector: 'status.phase!=Running' });
    assert.equal(running.items.length, 0);
    await assert.rejects(
      core().listPodForAllNamespaces({ fieldSelector: 'spec.bogus=1' }),
      (error: ApiException<string>) => {
        assert.equal(error.code, 400);
        assert.match(error.body, /field label not supported: spec.bogus/);
        return true;
      },
    );
  });

  test('errors are Status objects with the real reason and wording', async () => {
    await assert.rejects(
      core().readNamespacedPod({ namespace: 'web', name: 'nope' }),
      (error: ApiException<string>) => {
        assert.equal(error.code, 404);
        const status = JSON.parse(error.body) as V1Status;
        assert.equal(status.kind, 'Status');
        assert.equal(status.reason, 'NotFound');
        assert.equal(status.message, 'pods "nope" not found');
        return true;
      },
    );
    await assert.rejects(
      core().createNamespacedPod({ namespace: 'web', body: podBody('client') }),
      (error: ApiException<string>) => {
        assert.equal(error.code, 409);
        assert.equal((JSON.parse(error.body) as V1Status).reason, 'AlreadyExists');
        return true;
      },
    );
    await assert.rejects(
      core().createNamespacedService({
        namespace: 'web',
        body: { metadata: { name: 'bad' }, spec: { ports: [{ port: 0 }] } },
      }),
      (error: ApiException<string>) => {
        assert.equal(error.code, 422);
        const status = JSON.parse(error.body) as V1Status;
        assert.equal(status.reason, 'Invalid');
        assert.match(
          status.message ?? '',
          /spec.ports\[0\].port: Invalid value: 0: must be between 1 and 65535, inclusive/,
        );
        return true;
      },
    );
  });

  test('merge patch and JSON patch update labels and bump resourceVersion', async () => {
    const before = await core().readNamespacedPod({ namespace: 'web', name: 'client' });
    const merged = await core().patchNamespacedPod(
      { namespace: 'web', name: 'client', body: { metadata: { labels: { patched: 'merge' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    assert.equal(merged.metadata?.labels?.patched, 'merge');
    assert.ok(Number(merged.metadata?.resourceVersion) > Number(before.metadata?.resourceVersion));
    const patched = await core().patchNamespacedPod(
      {
        namespace: 'web',
        name: 'client',
        body: [{ op: 'replace', path: '/metadata/labels/patched', value: 'json' }],
      },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    assert.equal(patched.metadata?.labels?.patched, 'json');
    assert.equal(patched.metadata?.labels?.app, 'client');
  });

  test('an informer sees add, update and delete, and relists after a forced 410', async () => {
    const informer = makeInformer(fixture.kubeconfig, '/api/v1/namespaces/web/pods', () =>
      core().listNamespacedPod({ namespace: 'web' }),
    );
    const seen: string[] = [];
    let connects = 0;
    informer.on('add', (pod) => seen.push(`add ${pod.metadata?.name}`));
    informer.on('update', (pod) =>
      seen.push(`update ${pod.metadata?.name} ${pod.metadata?.labels?.step ?? ''}`),
    );
    informer.on('delete', (pod) => seen.push(`delete ${pod.metadata?.name}`));
    informer.on('connect', () => (connects += 1));
    await informer.start();
    try {
      await waitFor('initial adds', () => seen.filter((s) => s.startsWith('add')).length === 3);
      await core().createNamespacedPod({ namespace: 'web', body: podBody('informed') });
      await waitFor('add of the new Pod', () => seen.includes('add informed'));
      await core().patchNamespacedPod(
        { namespace: 'web', name: 'informed', body: { metadata: { labels: { step: 'two' } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      await waitFor('update with the new label', () => seen.includes('update informed two'));

      const connectsBefore = connects;
      fixture.sandbox.faults.expireWatches();
      await waitFor('a relist after 410', () => connects > connectsBefore);
      await core().deleteNamespacedPod({ namespace: 'web', name: 'informed', gracePeriodSeconds: 0 });
      await waitFor('delete after the relist', () => seen.includes('delete informed'));
      assert.equal(informer.list('web').length, 3);
    } finally {
      await informer.stop();
    }
  });

  test('graceful deletion shows deletionTimestamp, then the Pod goes', async () => {
    await core().createNamespacedPod({ namespace: 'web', body: podBody('graceful') });
    await waitFor(
      'Running',
      async () =>
        (await core().readNamespacedPod({ namespace: 'web', name: 'graceful' })).status?.phase === 'Running',
    );
    const deleted = await core().deleteNamespacedPod({ namespace: 'web', name: 'graceful' });
    assert.ok(deleted.metadata?.deletionTimestamp, 'deletionTimestamp set');
    assert.equal(deleted.metadata?.deletionGracePeriodSeconds, 30);
    await waitFor('the Pod gone', async () => {
      try {
        await core().readNamespacedPod({ namespace: 'web', name: 'graceful' });
        return false;
      } catch (error) {
        return (error as ApiException<string>).code === 404;
      }
    });
  });

  test('a Deployment replaces a deleted Pod with a new name and IP', async () => {
    const pods = await core().listNamespacedPod({ namespace: 'web', labelSelector: 'app=web' });
    const victim = pods.items[0]!;
    await core().deleteNamespacedPod({
      namespace: 'web',
      name: victim.metadata!.name!,
      gracePeriodSeconds: 0,
    });
    const replacement = await waitFor('a replacement Pod', async () => {
      const now = await core().listNamespacedPod({ namespace: 'web', labelSelector: 'app=web' });
      const fresh = now.items.filter(
        (p) => !pods.items.some((old) => old.metadata?.name === p.metadata?.name),
      );
      return fresh.length === 1 && fresh[0]!.status?.podIP ? fresh[0] : undefined;
    });
    assert.notEqual(replacement.metadata?.name, victim.metadata?.name);
    assert.notEqual(replacement.status?.podIP, victim.status?.podIP);
    const deployment = await fixture.kubeconfig
      .makeApiClient(AppsV1Api)
      .readNamespacedDeployment({ namespace: 'web', name: 'web' });
    assert.equal(deployment.spec?.replicas, 2);
  });

  test('EndpointSlices follow readiness', async () => {
    const discovery = fixture.kubeconfig.makeApiClient(DiscoveryV1Api);
    const pod = (await core().listNamespacedPod({ namespace: 'web', labelSelector: 'app=web' })).items[0]!;
    const endpointOf = async () => {
      const slices = await discovery.listNamespacedEndpointSlice({
        namespace: 'web',
        labelSelector: 'kubernetes.io/service-name=web',
      });
      return slices.items
        .flatMap((s) => s.endpoints ?? [])
        .find((e) => e.targetRef?.name === pod.metadata?.name);
    };
    fixture.sandbox.faults.setPodReady('web', pod.metadata!.name!, false);
    await waitFor('endpoint not ready', async () => (await endpointOf())?.conditions?.ready === false);
    fixture.sandbox.faults.setPodReady('web', pod.metadata!.name!, true);
    await waitFor('endpoint ready again', async () => (await endpointOf())?.conditions?.ready === true);
  });

  test('Exec returns stdout, stderr and the exit status', async () => {
    const run = (command: string[]) => execInPod(fixture.kubeconfig, 'web', 'client', command, 'client');
    const ok = await run(['sh', '-c', 'echo hello; echo warn >&2']);
    assert.equal(ok.out, 'hello\n');
    assert.equal(ok.err, 'warn\n');
    assert.equal(ok.status.status, 'Success');
    const failed = await run(['sh', '-c', 'exit 7']);
    assert.equal(failed.status.status, 'Failure');
    assert.equal(failed.status.reason, 'NonZeroExitCode');
    assert.deepEqual(failed.status.details?.causes, [{ reason: 'ExitCode', message: '7' }]);
    // curlimages/curl is Alpine with busybox: no bash.
    const missing = await run(['bash', '-c', 'true']);
    assert.equal(missing.status.status, 'Failure');
    assert.match(
      missing.status.message ?? '',
      /OCI runtime exec failed: .*exec: "bash": executable file not found in \$PATH/,
    );
  });

  test('PortForward round-trips bytes to a Pod listener, 50 connections at once', async () => {
    const pod = (await core().listNamespacedPod({ namespace: 'web', labelSelector: 'app=web' })).items[0]!;
    const forward = new PortForward(fixture.kubeconfig);
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      void forward.portForward('web', pod.metadata!.name!, [8080], socket, null, socket).then((ws) => {
        const webSocket = ws as unknown as { on(event: string, listener: () => void): void };
        webSocket.on('close', () => socket.end());
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const get = (path: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end();
      });
    try {
      const single = await get('/through-forward');
      assert.equal(single.status, 200);
      assert.equal(JSON.parse(single.body).pod, pod.metadata?.name);
      assert.equal(JSON.parse(single.body).path, '/through-forward');
      const many = await Promise.all(Array.from({ length: 50 }, (_, i) => get(`/c/${i}`)));
      many.forEach((response, i) => {
        assert.equal(response.status, 200);
        assert.equal(JSON.parse(response.body).path, `/c/${i}`);
      });
    } finally {
      for (const socket of sockets) {
        socket.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
