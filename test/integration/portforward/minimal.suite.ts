/**
 * The port-forward engine on the `minimal` scenario: real client-node `PortForward` WebSockets over
 * real sockets, through a real ClusterCache. Pod and Service forwards, local port choice, 403,
 * stopping, loopback-only acceptance, plain errors, backpressure and saving/restoring.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { networkInterfaces } from 'node:os';
import { after, before, describe, test } from 'node:test';
import { PortForwardError } from '../../../src/portforward/engine.ts';
import { useSandbox, waitFor } from '../../support/sandbox.ts';
import {
  firstEvent,
  httpGet,
  inFlightDownload,
  localPort,
  openForwarding,
  portIsFree,
  waitForState,
  within,
} from './helpers.ts';
import type { Forwarding } from './helpers.ts';

function listenOn(port: number, host = '127.0.0.1'): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => socket.destroy());
    server.once('error', reject);
    server.listen({ port, host, exclusive: true }, () => resolve(server));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

const nonLoopbackIPv4 = Object.values(networkInterfaces())
  .flat()
  .find((entry) => entry !== undefined && entry.family === 'IPv4' && !entry.internal)?.address;

describe('port-forward engine on the sandbox (minimal)', () => {
  const fixture = useSandbox({ scenario: 'minimal' });
  let fwd: Forwarding;
  let webPods: string[];

  before(async () => {
    fwd = openForwarding(fixture.sandbox.kubeconfigPath);
    fwd.cache.setWatchedNamespaces(['web']);
    await waitFor('the web Pods to be ready in the cache', () => {
      const ready = fwd.cache
        .pods('web')
        .filter(
          (pod) =>
            pod.metadata?.labels?.app === 'web' &&
            pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
        );
      return ready.length === 2 ? ready : undefined;
    });
    webPods = fwd.cache
      .pods('web')
      .filter((pod) => pod.metadata?.labels?.app === 'web')
      .map((pod) => pod.metadata!.name!);
  });
  after(async () => {
    await fwd?.dispose();
  });

  test('Pod forward by port number: traffic reaches the Pod, with counts and addresses', async () => {
    const pod = webPods[0]!;
    const info = await fwd.manager.start({
      target: { kind: 'Pod', namespace: 'web', name: pod },
      ports: [{ remote: 8080 }],
    });
    try {
      assert.equal(info.state, 'active');
      assert.equal(info.pod?.name, pod);
      assert.equal(info.ports[0]!.containerPort, 8080);
      assert.equal(info.ports[0]!.local?.address, '127.0.0.1');
      assert.match(info.ports[0]!.remoteAddress ?? '', /^127\.\d+\.\d+\.\d+:8080$/);
      const port = localPort(info);
      const answer = await httpGet(port, '/hello');
      assert.equal(answer.status, 200);
      assert.equal(answer.echo.pod, pod);
      assert.equal(answer.echo.port, 8080);
      assert.equal(answer.echo.path, '/hello');
      // Several connections, one WebSocket each.
      const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => httpGet(port, `/n${i}`)));
      assert.deepEqual(
        answers.map((a) => a.echo.path),
        Array.from({ length: 10 }, (_, i) => `/n${i}`),
      );
      const counted = await waitForState(
        fwd.manager,
        info.id,
        (i) => i.ports[0]!.totalConnections >= 11 && i.connections === 0,
        'the connections to be counted and closed',
      );
      assert.ok(counted.bytesIn > 11 * 100, `bytes in: ${counted.bytesIn}`);
      assert.ok(counted.bytesOut > 11 * 30, `bytes out: ${counted.bytesOut}`);
      assert.ok(fwd.events.some((e) => e.type === 'changed' && e.forward.id === info.id));
    } finally {
      await fwd.manager.stop(info.id);
    }
  });

  test('Pod forward by container port name; the local port is the remote one when free', async () => {
    const pod = webPods[1]!;
    const wasFree = await portIsFree(8080);
    const info = await fwd.manager.start({
      target: { kind: 'Pod', namespace: 'web', name: pod },
      ports: [{ remote: 'http' }],
    });
    try {
      assert.equal(info.ports[0]!.containerPort, 8080);
      if (wasFree && localPort(info) !== 8080) {
        // Free when asked, but another process (a parallel test) may have taken it since:
        // falling back is right then, and only then.
        assert.equal(await portIsFree(8080), false, `fell back to ${localPort(info)} though 8080 is free`);
      }
      assert.equal((await httpGet(localPort(info))).echo.pod, pod);
    } finally {
      await fwd.manager.stop(info.id);
    }
  });

  test('Service forward: the named targetPort is resolved on a ready Pod from the EndpointSlices', async () => {
    for (const remote of ['http', 80] as const) {
      const info = await fwd.manager.start({
        target: { kind: 'Service', namespace: 'web', name: 'web' },
        ports: [{ remote }],
      });
      try {
        assert.equal(info.state, 'active');
        assert.ok(webPods.includes(info.pod!.name), info.pod?.name);
        assert.equal(info.ports[0]!.servicePort, 80);
        assert.equal(info.ports[0]!.containerPort, 8080);
        const answer = await httpGet(localPort(info), '/svc');
        assert.equal(answer.echo.pod, info.pod!.name);
        assert.equal(answer.echo.port, 8080);
      } finally {
        await fwd.manager.stop(info.id);
      }
    }
  });

  test('a Service forward leaves a Pod that stops being ready, and keeps the local port', async () => {
    const info = await fwd.manager.start({
      target: { kind: 'Service', namespace: 'web', name: 'web' },
      ports: [{ remote: 80 }],
    });
    const port = localPort(info);
    const first = info.pod!.name;
    const download = await inFlightDownload(port);
    try {
      fixture.sandbox.faults.setPodReady('web', first, false);
      const moved = await waitForState(
        fwd.manager,
        info.id,
        (i) => i.state === 'active' && i.pod?.name !== first,
        'the forward to move to the other ready Pod',
      );
      assert.equal(localPort(moved), port);
      assert.notEqual((await httpGet(port)).echo.pod, first);
      assert.ok(
        fwd.notices().some((n) => n.includes('now forwarding to Pod') && n.includes(first)),
        fwd.notices().join('\n'),
      );
      // The Pod still runs: the connection in flight to it goes on.
      const received = download.received();
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.ok(download.received() > received, 'the download from the not-ready Pod goes on');
      assert.equal(await within(download.ended, 0), 'timeout');
    } finally {
      download.socket.destroy();
      fixture.sandbox.faults.setPodReady('web', first, true);
      await fwd.manager.stop(info.id);
    }
  });

  test('the local port asked for is in use: a plain error with a free port to suggest', async () => {
    const blocker = await listenOn(0);
    const taken = (blocker.address() as { port: number }).port;
    try {
      await assert.rejects(
        fwd.manager.start({
          target: { kind: 'Pod', namespace: 'web', name: webPods[0]! },
          ports: [{ remote: 8080, local: taken }],
        }),
        (error: unknown) => {
          assert.ok(error instanceof PortForwardError);
          assert.equal(error.code, 'local-port-in-use');
          assert.match(error.message, new RegExp(`local port ${taken} is in use`));
          assert.equal(typeof error.suggestedLocalPort, 'number');
          assert.notEqual(error.suggestedLocalPort, taken);
          return true;
        },
      );
      assert.equal(fwd.manager.list().length, 0, 'a forward that could not start is not listed');
    } finally {
      await close(blocker);
    }
  });

  test('without a local port asked for, a taken remote port falls back to a free one', async () => {
    // Taken by this test, or already by someone else (then listening fails, which is as good).
    const blocker = await listenOn(8080).catch(() => undefined);
    assert.equal(await portIsFree(8080), false);
    try {
      const info = await fwd.manager.start({
        target: { kind: 'Pod', namespace: 'web', name: webPods[0]! },
        ports: [{ remote: 8080 }],
      });
      try {
        assert.notEqual(localPort(info), 8080);
        assert.equal((await httpGet(localPort(info))).echo.port, 8080);
      } finally {
        await fwd.manager.stop(info.id);
      }
    } finally {
      if (blocker) {
        await close(blocker);
      }
    }
  });

  test('plain errors: no such Pod, no such port, no such Service port', async () => {
    const cases = [
      {
        spec: { target: { kind: 'Pod' as const, namespace: 'web', name: 'nope' }, ports: [{ remote: 80 }] },
        code: 'not-found',
        message: /Pod web\/nope does not exist/,
      },
      {
        spec: {
          target: { kind: 'Pod' as const, namespace: 'web', name: webPods[0]! },
          ports: [{ remote: 'metrics' }],
        },
        code: 'no-such-port',
        message: /has no TCP container port named "metrics" \(it declares http\/8080\)/,
      },
      {
        spec: {
          target: { kind: 'Service' as const, namespace: 'web', name: 'web' },
          ports: [{ remote: 8080 }],
        },
        code: 'no-such-port',
        message: /Service web\/web has no port 8080 \(its ports: 80\/http\)/,
      },
      {
        spec: {
          target: { kind: 'Service' as const, namespace: 'web', name: 'web' },
          ports: [{ remote: -1 }],
        },
        code: 'invalid-spec',
        message: /not a port number/,
      },
    ];
    for (const { spec, code, message } of cases) {
      await assert.rejects(fwd.manager.start(spec), (error: unknown) => {
        assert.ok(error instanceof PortForwardError);
        assert.equal(error.code, code);
        assert.match(error.message, message);
        return true;
      });
    }
  });

  test('nothing listens on the remote port: reported on the port, the client is reset', async () => {
    const info = await fwd.manager.start({
      target: { kind: 'Pod', namespace: 'web', name: 'client' },
      ports: [{ remote: 9999 }],
    });
    try {
      // The verification connection at start already learned it.
      const learned = await waitForState(
        fwd.manager,
        info.id,
        (i) => i.ports[0]!.lastError !== undefined,
        'the refusal to be reported',
      );
      assert.match(
        learned.ports[0]!.lastError!,
        /Nothing accepted the connection on port 9999 of Pod client/,
      );
      assert.equal(await firstEvent(localPort(info), '127.0.0.1', 'GET / HTTP/1.0\r\n\r\n'), 'closed');
      assert.equal(fwd.manager.get(info.id)?.state, 'active');
    } finally {
      await fwd.manager.stop(info.id);
    }
  });

  test('403 on pods/portforward (restricted user): "Forbidden: … cannot create pods/portforward"', async () => {
    const restricted = openForwarding(fixture.sandbox.kubeconfigFor('restricted'));
    try {
      await assert.rejects(
        restricted.manager.start({
          target: { kind: 'Service', namespace: 'web', name: 'web' },
          ports: [{ remote: 80 }],
        }),
        (error: unknown) => {
          assert.ok(error instanceof PortForwardError);
          assert.equal(error.code, 'forbidden');
          assert.match(error.message, /^Forbidden: .*cannot create pods\/portforward in namespace web/);
          assert.match(error.message, /User "restricted" cannot create resource "pods\/portforward"/);
          return true;
        },
      );
      assert.equal(restricted.manager.list().length, 0);
    } finally {
      await restricted.dispose();
    }
    // Without the verification at start, the first connection finds out: the forward fails.
    const unverified = openForwarding(fixture.sandbox.kubeconfigFor('restricted'), { verifyOnStart: false });
    try {
      const info = await unverified.manager.start({
        target: { kind: 'Pod', namespace: 'web', name: webPods[0]! },
        ports: [{ remote: 8080 }],
      });
      assert.equal(info.state, 'active');
      const port = localPort(info);
      await assert.rejects(httpGet(port), /socket hang up|ECONNRESET/);
      const failed = await waitForState(unverified.manager, info.id, (i) => i.state === 'failed', 'failed');
      assert.match(failed.reason ?? '', /^Forbidden: .*cannot create pods\/portforward/);
      assert.equal(failed.errorCode, 'forbidden');
      assert.equal(failed.ports[0]!.local, undefined, 'a failed forward releases its port');
      assert.equal(await portIsFree(port), true);
      assert.ok(unverified.notices().some((n) => n.includes('Forbidden')));
      // Restart binds the same local port again and tries anew (and fails anew at the first client).
      const restarted = await unverified.manager.restart(info.id);
      assert.equal(restarted.state, 'active');
      assert.equal(localPort(restarted), port);
      await assert.rejects(httpGet(port), /socket hang up|ECONNRESET/);
      await waitForState(unverified.manager, info.id, (i) => i.state === 'failed', 'failed again');
    } finally {
      await unverified.dispose();
    }
  });

  test('the API server cannot dial the kubelet of the node (500 "error dialing backend"): one clear error naming the node, no flapping, no "no ready Pod"', async () => {
    const lines: string[] = [];
    const node = fwd.cache.pod('web', webPods[0]!)!.spec!.nodeName!;
    const faulty = openForwarding(fixture.sandbox.kubeconfigPath, {
      log: (line) => lines.push(line),
      backoff: { initialMs: 20, maxMs: 80 },
    });
    faulty.cache.setWatchedNamespaces(['web']);
    fixture.sandbox.faults.setKubeletReachable(node, false);
    try {
      const info = await faulty.manager.start({
        target: { kind: 'Service', namespace: 'web', name: 'web' },
        ports: [{ remote: 80 }],
      });
      assert.equal(info.state, 'starting', 'never "active" while the kubelet cannot be reached');
      assert.match(
        info.reason ?? '',
        new RegExp(`cannot reach the kubelet of node ${node}, where Pod web/web-`),
      );
      assert.match(
        info.reason ?? '',
        /error dialing backend: dial tcp 127\.\d+\.\d+\.\d+:10250: connect: connection refused/,
      );
      const attempts = () => lines.filter((line) => / failed: /.test(line)).length;
      const before = attempts();
      // One client connection: one attempt, answered at once with a reset rather than held.
      await assert.rejects(httpGet(localPort(info), '/', { timeoutMs: 2_000 }), /socket hang up|ECONNRESET/);
      assert.equal(attempts() - before, 1, lines.join('\n'));
      await assert.rejects(httpGet(localPort(info), '/', { timeoutMs: 2_000 }), /socket hang up|ECONNRESET/);
      assert.equal(attempts() - before, 2, 'one attempt per client connection');

      const states = faulty.events.flatMap((event) =>
        event.type === 'changed' && event.forward.id === info.id ? [event.forward] : [],
      );
      assert.ok(!states.some((forward) => forward.state === 'active'), 'never active');
      const said = [...states.map((forward) => forward.reason ?? ''), ...faulty.notices()].join('\n');
      assert.doesNotMatch(said, /No ready Pod|Waiting for a Pod|now forwarding to/);
      assert.equal(faulty.notices().filter((notice) => notice.includes('kubelet')).length, 1, 'said once');

      // The kubelet answers again: the next connection goes through and the forward is active.
      fixture.sandbox.faults.setKubeletReachable(node, true);
      const answer = await httpGet(localPort(info), '/again');
      assert.ok(webPods.includes(answer.echo.pod));
      await waitForState(faulty.manager, info.id, (i) => i.state === 'active', 'active');
    } finally {
      fixture.sandbox.faults.setKubeletReachable(node, true);
      await faulty.dispose();
    }
  });

  test('Restart resets connections in flight, keeps the local port, and forwards again', async () => {
    const info = await fwd.manager.start({
      target: { kind: 'Service', namespace: 'web', name: 'web' },
      ports: [{ remote: 'http' }],
    });
    try {
      const port = localPort(info);
      const download = await inFlightDownload(port);
      const restarted = await fwd.manager.restart(info.id);
      assert.notEqual(await within(download.ended, 3_000), 'timeout', 'the connection in flight ended');
      assert.equal(restarted.state, 'active');
      assert.equal(localPort(restarted), port);
      assert.equal((await httpGet(port, '/after-restart')).echo.path, '/after-restart');
    } finally {
      await fwd.manager.stop(info.id);
    }
  });

  test('Stop resets connections in flight and releases the local port', async () => {
    const info = await fwd.manager.start({
      target: { kind: 'Pod', namespace: 'web', name: webPods[0]! },
      ports: [{ remote: 8080 }],
    });
    const port = localPort(info);
    const download = await inFlightDownload(port);
    await fwd.manager.stop(info.id);
    assert.notEqual(await within(download.ended, 3_000), 'timeout', 'the connection in flight ended');
    assert.equal(fwd.manager.get(info.id), undefined);
    assert.ok(fwd.events.some((e) => e.type === 'removed' && e.id === info.id));
    assert.equal(await portIsFree(port), true, 'the port is free again');
    assert.equal(await firstEvent(port, '127.0.0.1'), 'refused');
  });

  test('only loopback peers are accepted unless the spec allows others', async (t) => {
    if (nonLoopbackIPv4 === undefined) {
      t.skip('this machine has no non-loopback IPv4 address');
      return;
    }
    const info = await fwd.manager.start({
      target: { kind: 'Pod', namespace: 'web', name: webPods[0]! },
      ports: [{ remote: 8080 }],
      address: '0.0.0.0',
    });
    try {
      const port = localPort(info);
      assert.equal(await firstEvent(port, nonLoopbackIPv4, 'GET / HTTP/1.0\r\n\r\n'), 'closed');
      assert.ok(
        fwd.notices().some((n) => n.includes(`refused a connection from ${nonLoopbackIPv4}`)),
        fwd.notices().join('\n'),
      );
      assert.equal((await httpGet(port)).echo.port, 8080, 'loopback still works');
    } finally {
      await fwd.manager.stop(info.id);
    }
    const open = await fwd.manager.start({
      target: { kind: 'Pod', namespace: 'web', name: webPods[0]! },
      ports: [{ remote: 8080 }],
      address: '0.0.0.0',
      allowNonLoopback: true,
    });
    try {
      const answer = await httpGet(localPort(open), '/lan', { host: nonLoopbackIPv4 });
      assert.equal(answer.echo.path, '/lan');
    } finally {
      await fwd.manager.stop(open.id);
    }
  });

  test('backpressure: a client that stops reading stops the download at the Pod', async () => {
    const info = await fwd.manager.start({
      target: { kind: 'Pod', namespace: 'web', name: webPods[0]! },
      ports: [{ remote: 8080 }],
    });
    try {
      const download = await inFlightDownload(localPort(info), 1024 * 1024 * 1024, { pause: true });
      const bytesIn = () => fwd.manager.get(info.id)!.bytesIn;
      let previous = -1;
      const settled = await waitFor(
        'the bytes moved to stop growing',
        async () => {
          await new Promise((resolve) => setTimeout(resolve, 300));
          const now = bytesIn();
          const stable = now === previous;
          previous = now;
          return stable ? now : undefined;
        },
        10_000,
      );
      assert.ok(settled < 64 * 1024 * 1024, `${settled} bytes were pulled for a client that reads nothing`);
      download.socket.destroy();
    } finally {
      await fwd.manager.stop(info.id);
    }
  });

  test('toJSON and restore: same target, the same local port preferred', async () => {
    const info = await fwd.manager.start({
      target: { kind: 'Pod', namespace: 'web', name: webPods[0]! },
      ports: [{ remote: 'http' }],
    });
    const port = localPort(info);
    const saved = JSON.parse(JSON.stringify(fwd.manager.toJSON())) as unknown;
    await fwd.manager.stop(info.id);
    const other = openForwarding(fixture.sandbox.kubeconfigPath);
    try {
      const results = await other.manager.restore(saved);
      assert.equal(results.length, 1);
      assert.equal(results[0]!.error, undefined);
      const restored = results[0]!.forward!;
      assert.equal(localPort(restored), port);
      assert.equal(restored.spec.target.name, webPods[0]);
      assert.equal(restored.spec.follow?.labels?.app, 'web');
      assert.equal(restored.spec.follow?.owner?.kind, 'ReplicaSet');
      assert.equal((await httpGet(port)).echo.pod, webPods[0]);
      // Garbage is reported, not thrown.
      assert.deepEqual(await other.manager.restore({ version: 1, forwards: [{ target: 3 }] }), []);
    } finally {
      await other.dispose();
    }
  });
});
