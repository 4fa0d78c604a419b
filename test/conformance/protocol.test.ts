/**
 * Protocol details a client library may not exercise: bookmarks, 410 for a compacted revision,
 * the v4 exec protocol, port-forward without a subprotocol, ephemeral containers and the admin
 * endpoint's token.
 */
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { describe, test } from 'node:test';
import { CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { WebSocket } from 'ws';
import { useSandbox, waitFor } from '../support/sandbox.ts';

interface WatchEvent {
  type: string;
  object: {
    kind: string;
    code?: number;
    reason?: string;
    message: string;
    metadata: { resourceVersion: string };
  };
}

describe('sandbox protocol details', () => {
  const fixture = useSandbox({ scenario: 'minimal' });
  const token = () => (fixture.kubeconfig.getCurrentUser()?.token ?? '') as string;
  const ca = () => Buffer.from(fixture.kubeconfig.getCurrentCluster()!.caData!, 'base64');

  /** Reads watch events from a raw HTTPS watch until `until` says stop. */
  function watchEvents(path: string, until: (events: WatchEvent[]) => boolean) {
    return new Promise<WatchEvent[]>((resolve, reject) => {
      const events: WatchEvent[] = [];
      const req = request(
        `${fixture.sandbox.server}${path}`,
        { ca: ca(), headers: { Authorization: `Bearer ${token()}` } },
        (res) => {
          let buffer = '';
          res.on('data', (chunk: Buffer) => {
            buffer += chunk.toString();
            let newline: number;
            while ((newline = buffer.indexOf('\n')) >= 0) {
              events.push(JSON.parse(buffer.slice(0, newline)));
              buffer = buffer.slice(newline + 1);
            }
            if (until(events)) {
              req.destroy();
              resolve(events);
            }
          });
          res.on('end', () => resolve(events));
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  test('a watch that asks for bookmarks gets them, with the current revision', async () => {
    const events = await watchEvents('/api/v1/namespaces/web/pods?watch=true&allowWatchBookmarks=true', (e) =>
      e.some((event) => event.type === 'BOOKMARK'),
    );
    const bookmark = events.find((event) => event.type === 'BOOKMARK')!;
    assert.equal(bookmark.object.kind, 'Pod');
    assert.match(bookmark.object.metadata.resourceVersion, /^\d+$/);
  });

  test('a watch from a compacted revision gets a 410 Expired ERROR event and ends', async () => {
    fixture.sandbox.faults.expireWatches();
    const events = await watchEvents('/api/v1/namespaces/web/pods?watch=true&resourceVersion=1', () => false);
    assert.equal(events.length, 1);
    assert.equal(events[0]!.type, 'ERROR');
    assert.equal(events[0]!.object.code, 410);
    assert.equal(events[0]!.object.reason, 'Expired');
    assert.match(events[0]!.object.message, /^too old resource version: 1 \(\d+\)$/);
  });

  function openSocket(path: string, protocols: string[]) {
    return new WebSocket(`wss://127.0.0.1:${fixture.sandbox.port}${path}`, protocols, {
      ca: ca(),
      headers: { Authorization: `Bearer ${token()}` },
    });
  }

  test('exec speaks v4.channel.k8s.io: output frames, then a Status on channel 3', async () => {
    const ws = openSocket(
      '/api/v1/namespaces/web/pods/client/exec?command=sh&command=-c&command=echo%20v4%3B%20exit%202&stdout=true&stderr=true',
      ['v4.channel.k8s.io'],
    );
    const frames: Buffer[] = [];
    ws.on('message', (data: Buffer) => frames.push(data));
    await new Promise((resolve) => ws.once('close', resolve));
    assert.equal(ws.protocol, 'v4.channel.k8s.io');
    const stdout = Buffer.concat(frames.filter((f) => f[0] === 1).map((f) => f.subarray(1))).toString();
    assert.equal(stdout, 'v4\n');
    const status = JSON.parse(
      frames
        .find((f) => f[0] === 3)!
        .subarray(1)
        .toString(),
    );
    assert.equal(status.reason, 'NonZeroExitCode');
    assert.deepEqual(status.details.causes, [{ reason: 'ExitCode', message: '2' }]);
  });

  test('port-forward without a subprotocol: port prefix frames, data, and errors on the odd channel', async () => {
    const pods = await fixture.kubeconfig
      .makeApiClient(CoreV1Api)
      .listNamespacedPod({ namespace: 'web', labelSelector: 'app=web' });
    const name = pods.items[0]!.metadata!.name!;
    const ws = openSocket(`/api/v1/namespaces/web/pods/${name}/portforward?ports=8080&ports=9999`, []);
    const frames: Buffer[] = [];
    ws.on('message', (data: Buffer) => frames.push(data));
    await new Promise((resolve) => ws.once('open', resolve));
    assert.equal(ws.protocol, '');
    ws.send(
      Buffer.concat([Buffer.of(0), Buffer.from('GET /pf HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')]),
    );
    await new Promise((resolve) => ws.once('close', resolve));
    // Each channel opens with its port, little-endian.
    assert.deepEqual([...frames[0]!], [0, 8080 & 255, 8080 >> 8]);
    assert.deepEqual([...frames[1]!], [1, 8080 & 255, 8080 >> 8]);
    assert.deepEqual([...frames[2]!], [2, 9999 & 255, 9999 >> 8]);
    const refused = frames.find((f) => f[0] === 3 && f.length > 3);
    assert.match(refused!.subarray(1).toString(), /error forwarding port 9999 to pod .*connection refused/);
  });

  test("an ephemeral container is added through pods/ephemeralcontainers and can be exec'd into", async () => {
    const core = fixture.kubeconfig.makeApiClient(CoreV1Api);
    await core.patchNamespacedPodEphemeralcontainers(
      {
        namespace: 'web',
        name: 'client',
        body: {
          spec: {
            ephemeralContainers: [
              { name: 'debugger', image: 'curlimages/curl:8.5.0', targetContainerName: 'client' },
            ],
          },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    await waitFor('the debug container running', async () => {
      const pod = await core.readNamespacedPod({ namespace: 'web', name: 'client' });
      return (
        pod.status?.ephemeralContainerStatuses?.find((s) => s.name === 'debugger')?.state?.running !==
        undefined
      );
    });
    const ws = openSocket(
      '/api/v1/namespaces/web/pods/client/exec?container=debugger&command=curl&command=-s&command=http%3A%2F%2Fweb.web%2Fdbg&stdout=true',
      ['v5.channel.k8s.io'],
    );
    const frames: Buffer[] = [];
    ws.on('message', (data: Buffer) => frames.push(data));
    await new Promise((resolve) => ws.once('close', resolve));
    const stdout = Buffer.concat(frames.filter((f) => f[0] === 1).map((f) => f.subarray(1))).toString();
    assert.equal(JSON.parse(stdout).path, '/dbg');
  });

  test('the admin endpoint refuses requests without its token and applies faults with it', async () => {
    const admin = fixture.sandbox.admin!;
    const refused = await fetch(`${admin.url}/status`);
    assert.equal(refused.status, 401);
    const status = await fetch(`${admin.url}/status`, {
      headers: { Authorization: `Bearer ${admin.token}` },
    });
    assert.equal(status.status, 200);
    assert.equal(((await status.json()) as { apiServer: string }).apiServer, 'running');
    const ready = await fetch(`${admin.url}/faults/pods/readiness`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${admin.token}` },
      body: JSON.stringify({ namespace: 'web', name: 'client', ready: false }),
    });
    assert.equal(ready.status, 200);
    const pod = await fixture.kubeconfig
      .makeApiClient(CoreV1Api)
      .readNamespacedPod({ namespace: 'web', name: 'client' });
    assert.equal(pod.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'False');
  });
});
