/**
 * The generated `scale` scenario's Pods listen on demand (docs/sandbox.md): no socket per Pod at
 * start, a port opens at the first connection the cluster itself makes to it, and a host process
 * dialling before then is refused. Churn (the load tests' Pod updates) makes real updates at the
 * rate asked.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import { startSandbox } from '../../sandbox/index.ts';
import type { Sandbox } from '../../sandbox/index.ts';
import { type } from '../../sandbox/cluster.ts';
import { CHURN_ANNOTATION } from '../../sandbox/churn.ts';
import { waitFor } from '../support/sandbox.ts';

let sandbox: Sandbox;
before(async () => {
  sandbox = await startSandbox({ scenario: 'scale', pods: 30, namespaces: 3 });
});
after(async () => {
  await sandbox?.stop();
});

function dial(host: string, port: number): Promise<'connected' | string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

test(
  'a Pod port listens from the first connection the cluster makes to it',
  { timeout: 30_000 },
  async () => {
    const pod = await waitFor(
      'a running Pod with an IP',
      () =>
        sandbox.cluster.store
          .list(type('pods'))
          .map(({ object }) => object)
          .find((candidate) => (candidate.status as { podIP?: string } | undefined)?.podIP),
      10_000,
    );
    const ip = (pod.status as { podIP: string }).podIP;
    const before = sandbox.cluster.dataplane.listenerCount;
    assert.equal(await dial(ip, 8080), 'ECONNREFUSED', 'not listening before the cluster connects');
    // The kubelet's side of a port-forward: the port opens, and the Pod's echo answers.
    const socket = await sandbox.cluster.dataplane.dialForward(pod, 8080, 5_000);
    socket.write(`GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    const answer = await new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
      socket.once('close', () => resolve(text));
    });
    assert.match(answer, /^HTTP\/1\.1 200/);
    assert.equal(sandbox.cluster.dataplane.listenerCount, before + 1);
    // Open from now on, for host processes too.
    assert.equal(await dial(ip, 8080), 'connected');
  },
);

test('churn updates Pods at the rate asked, each a new version', { timeout: 30_000 }, async () => {
  const revision = sandbox.cluster.store.currentRevision;
  sandbox.faults.startChurn(100, 1);
  const status = await waitFor(
    'the churn to finish',
    () => {
      const now = sandbox.faults.churnStatus();
      return now.running ? undefined : now;
    },
    10_000,
  );
  assert.equal(status.updates, 100);
  assert.equal(status.failed, 0);
  assert.ok(sandbox.cluster.store.currentRevision >= revision + 100);
  const annotated = sandbox.cluster.store
    .list(type('pods'))
    .filter(({ object }) => object.metadata.annotations?.[CHURN_ANNOTATION] !== undefined);
  assert.equal(annotated.length, 30, 'spread over every Pod');
  assert.throws(() => sandbox.faults.startChurn(0, 1), /rate must be/);
});
