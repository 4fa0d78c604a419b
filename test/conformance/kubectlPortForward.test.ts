/**
 * `kubectl port-forward` against the sandbox: kubectl 1.31+ tunnels SPDY/3.1 through a WebSocket
 * (`SPDY/3.1+portforward.k8s.io`), and the sandbox answers as the API server and kubelet do.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { request } from 'node:http';
import { after, describe, test } from 'node:test';
import { type } from '../../sandbox/cluster.ts';
import { kubectlAvailable, useSandbox, waitFor } from '../support/sandbox.ts';

interface Echo {
  pod: string;
  namespace: string;
  port: number;
  path: string;
}

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('timed out')));
    req.end();
  });
}

describe(
  'kubectl port-forward against the sandbox',
  { skip: !kubectlAvailable && 'kubectl not installed' },
  () => {
    const fixture = useSandbox({ scenario: 'minimal' });
    const children: ChildProcessWithoutNullStreams[] = [];
    after(() => children.forEach((child) => child.kill()));

    /** Starts `kubectl port-forward` and resolves with the local port it reports. */
    async function forward(
      target: string[],
      env: Record<string, string> = {},
    ): Promise<{ port: number; output: () => string }> {
      const child = spawn('kubectl', ['port-forward', '-n', 'web', ...target], {
        env: { ...process.env, KUBECONFIG: fixture.sandbox.kubeconfigPath, ...env },
      });
      children.push(child);
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const port = await waitFor('kubectl to report its local port', () => {
        const match = /Forwarding from 127\.0\.0\.1:(\d+) ->/.exec(output);
        return match ? Number(match[1]) : undefined;
      });
      return { port, output: () => output };
    }

    test('kubectl port-forward pod/… :8080 reaches the Pod through SPDY over WebSocket', async () => {
      const web = fixture.sandbox.cluster.store
        .list(type('pods'), 'web')
        .map(({ object }) => object)
        .find((pod) => pod.metadata.labels?.app === 'web')!;
      const { port, output } = await forward([`pod/${web.metadata.name}`, ':8080']);
      for (const path of ['/first', '/second']) {
        const response = await get(port, path);
        assert.equal(response.status, 200, output());
        const echo = JSON.parse(response.body) as Echo;
        assert.deepEqual(
          { pod: echo.pod, namespace: echo.namespace, port: echo.port, path: echo.path },
          { pod: web.metadata.name, namespace: 'web', port: 8080, path },
        );
      }
      // A long download arrives whole.
      const download = await new Promise<number>((resolve, reject) => {
        request({ host: '127.0.0.1', port, path: '/bytes/20000000', agent: false }, (res) => {
          let size = 0;
          res.on('data', (chunk: Buffer) => (size += chunk.length));
          res.on('end', () => resolve(size));
          res.on('error', reject);
        })
          .on('error', reject)
          .end();
      });
      assert.equal(download, 20_000_000);
      assert.doesNotMatch(output(), /error/i);
    });

    test('kubectl port-forward svc/… serves 50 concurrent connections', async () => {
      const { port, output } = await forward(['svc/web', ':80']);
      const responses = await Promise.all(Array.from({ length: 50 }, (_, i) => get(port, `/c${i}`)));
      for (const [i, response] of responses.entries()) {
        assert.equal(response.status, 200, output());
        const echo = JSON.parse(response.body) as Echo;
        assert.equal(echo.path, `/c${i}`);
        assert.equal(echo.port, 8080);
        assert.match(echo.pod, /^web-/);
      }
    });

    test('a port nothing listens on: kubectl reports the kubelet’s error', async () => {
      const { port, output } = await forward(['pod/client', ':9999']);
      await get(port, '/').catch(() => undefined);
      await waitFor('the forwarding error in kubectl output', () =>
        /an error occurred forwarding \d+ -> 9999: error forwarding port 9999 to pod .*connect: connection refused/.test(
          output(),
        ),
      );
    });

    test('without WebSockets (older kubectl, or its fallback) SPDY runs on the upgraded connection', async () => {
      const { port, output } = await forward(['svc/web', ':80'], {
        KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false',
      });
      const responses = await Promise.all(Array.from({ length: 10 }, (_, i) => get(port, `/spdy${i}`)));
      for (const [i, response] of responses.entries()) {
        assert.equal(response.status, 200, output());
        assert.equal((JSON.parse(response.body) as Echo).path, `/spdy${i}`);
      }
    });
  },
);
