/**
 * The engine's SPDY session per Pod (src/portforward/spdySession.ts): connections share one
 * WebSocket upgrade, a reset connection leaves the others alone, a slow reader holds the Pod back
 * instead of filling memory, and an API server that does not offer the tunnelling subprotocol gets
 * one v4 WebSocket per connection after a single attempt. Upgrades are counted where the sandbox's
 * API server receives them.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { useSandbox, waitFor } from '../../support/sandbox.ts';
import { httpGet, inFlightDownload, localPort, openForwarding, watchUpgrades } from './helpers.ts';
import type { Forwarding } from './helpers.ts';

describe('port-forward engine: one SPDY session per Pod', () => {
  const fixture = useSandbox({ scenario: 'minimal' });
  let fwd: Forwarding;
  let pod: string;

  before(async () => {
    fwd = openForwarding(fixture.sandbox.kubeconfigPath);
    fwd.cache.setWatchedNamespaces(['web']);
    pod = await waitFor(
      'a ready web Pod in the cache',
      () =>
        fwd.cache
          .pods('web')
          .find(
            (p) =>
              p.metadata?.labels?.app === 'web' &&
              p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
          )?.metadata?.name,
    );
  });
  after(async () => {
    await fwd?.dispose();
  });

  test('100 concurrent connections to one Pod share one WebSocket upgrade', async () => {
    const upgrades = watchUpgrades(fixture.sandbox.api);
    try {
      const info = await fwd.manager.start({
        target: { kind: 'Pod', namespace: 'web', name: pod },
        ports: [{ remote: 8080 }],
      });
      try {
        const answers = await Promise.all(
          Array.from({ length: 100 }, (_, i) => httpGet(localPort(info), `/n/${i}`)),
        );
        assert.deepEqual(
          answers.map((a) => a.status),
          answers.map(() => 200),
        );
        assert.ok(answers.every((a, i) => a.echo.pod === pod && a.echo.path === `/n/${i}`));
        // The verification connection of `start` opened the session; the 100 rode on it.
        assert.equal(upgrades.spdy(), 1);
        assert.equal(upgrades.v4(), 0);
        const counted = fwd.manager.get(info.id)!.ports[0]!;
        assert.equal(counted.totalConnections, 100);
      } finally {
        await fwd.manager.stop(info.id);
      }
    } finally {
      upgrades.dispose();
    }
  });

  test('a connection reset by its client leaves the other connections of the session alone', async () => {
    const upgrades = watchUpgrades(fixture.sandbox.api);
    const info = await fwd.manager.start({
      target: { kind: 'Pod', namespace: 'web', name: pod },
      ports: [{ remote: 8080 }],
    });
    try {
      const port = localPort(info);
      const doomed = await inFlightDownload(port, 1024 * 1024 * 1024);
      const size = 24 * 1024 * 1024;
      const survivor = await inFlightDownload(port, size);
      doomed.socket.resetAndDestroy();
      assert.equal(await doomed.ended, 'close');
      // The reset went to the kubelet as RST_STREAM: the connection is released at once.
      await waitFor('the reset connection to be released', () => {
        const counted = fwd.manager.get(info.id)!.ports[0]!;
        return counted.connections === 1;
      });
      assert.equal(await survivor.ended, 'end');
      // The headers of the answer come on top of the body.
      assert.ok(survivor.received() > size, `${survivor.received()} bytes of ${size}`);
      const after = await httpGet(port, '/after');
      assert.equal(after.echo.path, '/after');
      assert.equal(upgrades.spdy(), 1);
      assert.equal(upgrades.v4(), 0);
    } finally {
      upgrades.dispose();
      await fwd.manager.stop(info.id);
    }
  });

  test('a client that stops reading holds the Pod back; the whole download arrives once it reads again', async () => {
    const info = await fwd.manager.start({
      target: { kind: 'Pod', namespace: 'web', name: pod },
      ports: [{ remote: 8080 }],
    });
    try {
      const port = localPort(info);
      const size = 128 * 1024 * 1024;
      const slow = await inFlightDownload(port, size, { pause: true });
      // The forward stops taking bytes from the Pod: what it delivered stays put for 25 polls.
      let last = -1;
      let steady = 0;
      const held = await waitFor(
        'the forward to stop reading from the Pod',
        () => {
          const now = fwd.manager.get(info.id)!.ports[0]!.bytesIn;
          steady = now === last ? steady + 1 : 0;
          last = now;
          return steady >= 25 ? now : undefined;
        },
        20_000,
      );
      // Delivered: the client's and the kernel's socket buffers and the session's per-connection
      // allowance (4 MiB); far from the 128 MiB a forward without backpressure would have read.
      assert.ok(held < 48 * 1024 * 1024, `${held} bytes delivered to a client that reads nothing`);
      // Meanwhile the session was paused: a second connection waits rather than failing, and both
      // complete once the slow client reads.
      const other = httpGet(port, '/meanwhile', { timeoutMs: 30_000 });
      slow.socket.resume();
      assert.equal(await slow.ended, 'end');
      assert.ok(slow.received() > size, `${slow.received()} bytes of ${size}`);
      assert.equal((await other).echo.path, '/meanwhile');
    } finally {
      await fwd.manager.stop(info.id);
    }
  });

  test('a large upload arrives whole (masked DATA frames, local → Pod)', async () => {
    const info = await fwd.manager.start({
      target: { kind: 'Pod', namespace: 'web', name: pod },
      ports: [{ remote: 8080 }],
    });
    try {
      const size = 32 * 1024 * 1024;
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port: localPort(info),
            path: '/upload',
            method: 'POST',
            agent: false,
            headers: { 'Content-Length': String(size) },
            timeout: 60_000,
          },
          (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (body += chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on('timeout', () => req.destroy(new Error('upload timed out')));
        req.on('error', reject);
        const chunk = Buffer.alloc(1024 * 1024, 0x61);
        let sent = 0;
        const pump = () => {
          while (sent < size) {
            sent += chunk.length;
            if (!req.write(chunk)) {
              req.once('drain', pump);
              return;
            }
          }
          req.end();
        };
        pump();
      });
      assert.equal(answer.status, 200);
      assert.equal((JSON.parse(answer.body) as { path: string }).path, '/upload');
      assert.ok(fwd.manager.get(info.id)!.ports[0]!.bytesOut > size);
    } finally {
      await fwd.manager.stop(info.id);
    }
  });

  // Last: the fallback is remembered per API server for the rest of the process.
  test('an API server without the SPDY subprotocol: one attempt, then a v4 WebSocket per connection', async () => {
    const upgrades = watchUpgrades(fixture.sandbox.api, { refuseSpdy: true });
    const old = openForwarding(fixture.sandbox.kubeconfigPath);
    old.cache.setWatchedNamespaces(['web']);
    try {
      const info = await old.manager.start({
        target: { kind: 'Pod', namespace: 'web', name: pod },
        ports: [{ remote: 8080 }],
      });
      for (let i = 0; i < 3; i++) {
        const answer = await httpGet(localPort(info), `/old/${i}`);
        assert.equal(answer.echo.path, `/old/${i}`);
      }
      const both = await Promise.all([httpGet(localPort(info), '/a'), httpGet(localPort(info), '/b')]);
      assert.deepEqual(
        both.map((a) => a.echo.path),
        ['/a', '/b'],
      );
      // The verification's SPDY offer was refused once (400, no ports in the query, as a kubelet
      // answers); it and the five connections each had a v4 WebSocket.
      assert.equal(upgrades.spdy(), 1);
      assert.equal(upgrades.v4(), 6);
      assert.equal(old.manager.get(info.id)!.state, 'active');
    } finally {
      upgrades.dispose();
      await old.dispose();
    }
  });
});
