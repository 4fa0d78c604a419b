/**
 * The port-forward engine when things move: two ports at once, the Pod behind a forward deleted
 * and replaced by its Deployment (Service and Pod forwards, same local port), the API server
 * restarted during a forward, connections held while no Pod is there, half-close and upload
 * backpressure. A scenario of its own: a one-replica Deployment (so the replacement must be
 * waited for) and a Pod with two HTTP ports and a TCP echo port.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { parseScenario } from '../../../sandbox/scenario.ts';
import { useSandbox, waitFor } from '../../support/sandbox.ts';
import { httpGet, inFlightDownload, localPort, openForwarding, waitForState, within } from './helpers.ts';
import type { Forwarding } from './helpers.ts';

const SCENARIO = `
apiVersion: sandbox.kubereach.dev/v1
kind: Scenario
metadata: { name: portforward }
nodes: 2
listeners:
  - { pods: { namespace: pf, name: duo }, port: echo, mode: tcp-echo }
---
apiVersion: v1
kind: Namespace
metadata: { name: pf }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: solo, namespace: pf }
spec:
  replicas: 1
  selector: { matchLabels: { app: solo } }
  template:
    metadata: { labels: { app: solo } }
    spec:
      containers:
        - name: app
          image: registry.example/echo:1.0
          ports: [{ name: web, containerPort: 8081 }]
---
apiVersion: v1
kind: Service
metadata: { name: solo, namespace: pf }
spec:
  selector: { app: solo }
  ports: [{ name: http, port: 8090, targetPort: web }]
---
apiVersion: v1
kind: Pod
metadata: { name: duo, namespace: pf, labels: { app: duo } }
spec:
  containers:
    - name: main
      image: registry.example/echo:1.0
      ports:
        - { name: http, containerPort: 18080 }
        - { name: admin, containerPort: 19090 }
        - { name: echo, containerPort: 7000 }
`;

describe('port-forward engine when Pods and the API server come and go', () => {
  const fixture = useSandbox({ scenario: parseScenario(SCENARIO, 'portforward') });
  let fwd: Forwarding;

  const soloPod = () =>
    fwd.cache
      .pods('pf')
      .find(
        (pod) =>
          pod.metadata?.labels?.app === 'solo' &&
          !pod.metadata.deletionTimestamp &&
          pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
      )?.metadata?.name;

  before(async () => {
    fwd = openForwarding(fixture.sandbox.kubeconfigPath, {
      halfCloseLingerMs: 300,
      log: (l) => console.log(Date.now() % 100000, l),
    });
    fwd.cache.setWatchedNamespaces(['pf']);
    await waitFor('the solo Pod to be ready', soloPod);
  });
  after(async () => {
    await fwd?.dispose();
  });

  test('two ports of one Pod at once, each on its own local port', async () => {
    const info = await fwd.manager.start({
      target: { kind: 'Pod', namespace: 'pf', name: 'duo' },
      ports: [{ remote: 'http' }, { remote: 19090 }],
    });
    try {
      assert.equal(info.ports.length, 2);
      assert.notEqual(localPort(info, 0), localPort(info, 1));
      assert.deepEqual(
        info.ports.map((p) => p.containerPort),
        [18080, 19090],
      );
      const [a, b] = await Promise.all([
        httpGet(localPort(info, 0), '/a'),
        httpGet(localPort(info, 1), '/b'),
      ]);
      assert.deepEqual([a.echo.port, a.echo.path], [18080, '/a']);
      assert.deepEqual([b.echo.port, b.echo.path], [19090, '/b']);
      const counted = await waitForState(
        fwd.manager,
        info.id,
        (i) => i.ports.every((p) => p.totalConnections >= 1),
        'both ports to count their connection',
      );
      assert.ok(counted.ports.every((p) => p.bytesIn > 0 && p.bytesOut > 0));
    } finally {
      await fwd.manager.stop(info.id);
    }
  });

  test('Service forward: the Pod is deleted, the Deployment replaces it, same local port', async () => {
    const info = await fwd.manager.start({
      target: { kind: 'Service', namespace: 'pf', name: 'solo' },
      ports: [{ remote: 'http' }],
    });
    const port = localPort(info);
    const first = info.pod!.name;
    try {
      assert.equal((await httpGet(port)).echo.pod, first);
      assert.equal(info.ports[0]!.containerPort, 8081);
      const download = await inFlightDownload(port);

      fixture.sandbox.faults.deletePod('pf', first);
      await waitForState(fwd.manager, info.id, (i) => i.state === 'reconnecting', 'reconnecting');
      assert.notEqual(await within(download.ended, 5_000), 'timeout', 'the connection in flight ended');
      // A request made while no Pod is there is held, then answered by the replacement.
      const held = httpGet(port, '/held', { timeoutMs: 10_000 });

      const back = await waitForState(
        fwd.manager,
        info.id,
        (i) => i.state === 'active' && i.pod !== undefined && i.pod.name !== first,
        'the forward to be active on the replacement Pod',
      );
      assert.equal(localPort(back), port, 'the same local port');
      const answer = await held;
      assert.equal(answer.echo.pod, back.pod!.name);
      assert.equal(answer.echo.path, '/held');
      assert.equal((await httpGet(port)).echo.pod, back.pod!.name);
      const notices = fwd.notices().join('\n');
      assert.match(notices, /No ready Pod behind Service pf\/solo/);
      assert.match(notices, new RegExp(`reconnected, forwarding to Pod ${back.pod!.name}`));
    } finally {
      await fwd.manager.stop(info.id);
    }
  });

  test('Pod forward: the Pod is deleted and the forward follows its replacement (same owner)', async () => {
    const first = await waitFor('a ready solo Pod', soloPod);
    const info = await fwd.manager.start({
      target: { kind: 'Pod', namespace: 'pf', name: first },
      ports: [{ remote: 'web' }],
    });
    const port = localPort(info);
    try {
      assert.equal(info.spec.follow?.owner?.kind, 'ReplicaSet');
      assert.equal((await httpGet(port)).echo.pod, first);
      fixture.sandbox.faults.replacePod('pf', first);
      const back = await waitForState(
        fwd.manager,
        info.id,
        (i) => i.state === 'active' && i.pod !== undefined && i.pod.name !== first,
        'the forward to follow the replacement Pod',
      );
      assert.equal(localPort(back), port);
      assert.equal((await httpGet(port)).echo.pod, back.pod!.name);
    } finally {
      await fwd.manager.stop(info.id);
    }
  });

  test('the API server restarted during a forward: reconnecting, then forwarding again', async () => {
    const info = await fwd.manager.start({
      target: { kind: 'Pod', namespace: 'pf', name: 'duo' },
      ports: [{ remote: 18080 }],
    });
    const port = localPort(info);
    try {
      assert.equal((await httpGet(port)).echo.pod, 'duo');
      const download = await inFlightDownload(port);
      await fixture.sandbox.faults.stopApiServer();
      assert.notEqual(await within(download.ended, 5_000), 'timeout', 'the connection in flight ended');
      const down = await waitForState(
        fwd.manager,
        info.id,
        (i) => i.state === 'reconnecting',
        'reconnecting',
      );
      assert.match(down.reason ?? '', /API server/);
      // While it is gone, a request fails after a short hold rather than hanging.
      await assert.rejects(httpGet(port, '/', { timeoutMs: 10_000 }), /ECONNRESET|socket hang up/);

      await fixture.sandbox.faults.startApiServer();
      const answer = await waitFor(
        'a request through the same local port to succeed',
        () => httpGet(port, '/again', { timeoutMs: 5_000 }),
        20_000,
      );
      assert.equal(answer.echo.path, '/again');
      await waitForState(fwd.manager, info.id, (i) => i.state === 'active', 'active again');
    } finally {
      await fwd.manager.stop(info.id);
    }
  });

  test('half-close: the answer still arrives, then the connection ends', async () => {
    const info = await fwd.manager.start({
      target: { kind: 'Pod', namespace: 'pf', name: 'duo' },
      ports: [{ remote: 'echo' }],
    });
    try {
      const socket = connect({ host: '127.0.0.1', port: localPort(info) });
      let received = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (received += chunk));
      const ended = new Promise<void>((resolve) => socket.once('end', resolve));
      socket.end('hello, pod');
      assert.notEqual(await within(ended, 5_000), 'timeout');
      assert.equal(received, 'hello, pod');
      socket.destroy();
    } finally {
      await fwd.manager.stop(info.id);
    }
  });

  test('upload backpressure: a sender whose echo is not read is slowed down, not buffered', async () => {
    const info = await fwd.manager.start({
      target: { kind: 'Pod', namespace: 'pf', name: 'duo' },
      ports: [{ remote: 'echo' }],
    });
    try {
      const socket = connect({ host: '127.0.0.1', port: localPort(info) });
      socket.pause(); // never read the echo
      const chunk = Buffer.alloc(64 * 1024, 1);
      let written = 0;
      let stop = false;
      const pump = () => {
        while (!stop && socket.write(chunk)) {
          written += chunk.length;
          if (written > 512 * 1024 * 1024) {
            return;
          }
        }
      };
      socket.on('drain', pump);
      socket.once('connect', pump);
      let previous = -1;
      const settled = await waitFor(
        'the bytes sent to the Pod to stop growing',
        async () => {
          await new Promise((resolve) => setTimeout(resolve, 300));
          const now = fwd.manager.get(info.id)!.bytesOut;
          const stable = now === previous && now > 0;
          previous = now;
          return stable ? now : undefined;
        },
        15_000,
      );
      stop = true;
      socket.destroy();
      assert.ok(settled < 128 * 1024 * 1024, `${settled} bytes were taken from a sender nobody reads`);
    } finally {
      await fwd.manager.stop(info.id);
    }
  });
});
