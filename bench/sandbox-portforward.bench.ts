/**
 * Throughput of one connection through the sandbox's port-forward (client-node's PortForward, used
 * the way its example does) against a direct loopback connection to the same Pod listener, in the
 * same run: an HTTP download of PAYLOAD_MB from the Pod's echo server (`GET /bytes/N`).
 * The sandbox runs in its own process, as it does for users, so client and server each have a core.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig, PortForward } from '@kubernetes/client-node';
import { spawnSandbox } from '../sandbox/spawn.ts';
import { downloadRate, median, metric, report } from './lib.ts';

const startedAt = new Date();
const payloadMb = Number(process.env.KUBEREACH_BENCH_PAYLOAD_MB ?? 256);
const runs = Number(process.env.KUBEREACH_BENCH_RUNS ?? 5);

const scenarioDir = mkdtempSync(join(tmpdir(), 'kubereach-bench-pf-'));
const scenarioPath = join(scenarioDir, 'scenario.yaml');
writeFileSync(
  scenarioPath,
  `apiVersion: v1
kind: Pod
metadata: { name: web, namespace: default }
spec:
  containers: [{ name: web, image: registry.example/echo:1.0, ports: [{ name: http, containerPort: 8080 }] }]
`,
);
const sandbox = await spawnSandbox(['--scenario', scenarioPath]);

/** MB/s of one HTTP download of the payload from host:port. */
function download(host: string, port: number): Promise<number> {
  return downloadRate(host, port, payloadMb * 1024 * 1024);
}

try {
  const kc = new KubeConfig();
  kc.loadFromFile(sandbox.kubeconfigPath);
  const pod = await kc.makeApiClient(CoreV1Api).readNamespacedPod({ namespace: 'default', name: 'web' });
  const podIp = pod.status!.podIP!;
  const forward = new PortForward(kc);
  const server = createServer((socket) => {
    void forward.portForward('default', 'web', [8080], socket, null, socket).then((ws) => {
      (ws as unknown as { on(event: 'close', listener: () => void): void }).on('close', () => socket.end());
    });
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const localPort = (server.address() as AddressInfo).port;

  const direct: number[] = [];
  const forwarded: number[] = [];
  for (let i = 0; i < runs; i++) {
    direct.push(await download(podIp, 8080));
    forwarded.push(await download('127.0.0.1', localPort));
  }
  server.close();
  const forwardedMedian = median(forwarded);
  const directMedian = median(direct);
  report(
    {
      benchmark: 'sandbox-portforward',
      metrics: [
        metric(
          `one connection through port-forward (${payloadMb} MB download, median of ${runs})`,
          'MB/s',
          forwardedMedian,
          { name: 'direct loopback to the same listener', value: directMedian },
          { description: 'at least 0.25x direct', met: forwardedMedian >= 0.25 * directMedian },
        ),
      ],
      details: { direct, forwarded, payloadMb },
    },
    startedAt,
  );
} finally {
  await sandbox.stop();
  rmSync(scenarioDir, { recursive: true, force: true });
}
