/**
 * The connectivity matrix over the demo scenario's Pods, checked cell by cell against the
 * scenario's NetworkPolicies as the sandbox's data plane evaluates them (the same evaluator as
 * src/analysis/networkPolicy.ts), and its cancellation.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import type { V1Pod } from '@kubernetes/client-node';
import { type } from '../../../sandbox/cluster.ts';
import { ClientNodeExecTransport } from '../../../src/probe/exec.ts';
import { toCsv, toMarkdown } from '../../../src/probe/matrix.ts';
import type { MatrixProgress } from '../../../src/probe/matrix.ts';
import { Prober } from '../../../src/probe/prober.ts';
import type { ProbeSource, ProbeTarget } from '../../../src/probe/types.ts';
import { useSandbox, waitFor } from '../../support/sandbox.ts';

const TIMEOUT_MS = 1000;

describe('the probe matrix (demo scenario)', () => {
  const fixture = useSandbox({ scenario: 'demo' });
  let pods: V1Pod[];

  before(async () => {
    // The demo's Gateway API namespaces are left out: this matrix is the shop's and its neighbours'.
    const gatewayDemo = new Set(['gateway-sandbox', 'infra', 'store', 'analytics']);
    pods = (await fixture.kubeconfig.makeApiClient(CoreV1Api).listPodForAllNamespaces()).items.filter(
      (pod) => !gatewayDemo.has(pod.metadata!.namespace!),
    );
  });

  /** Whether the scenario's NetworkPolicies admit `from` → `to` on `port` (the data plane's own verdict). */
  function admitted(from: V1Pod, to: V1Pod, port: number): boolean {
    const { cluster } = fixture.sandbox;
    const peek = (pod: V1Pod) =>
      cluster.store.peek(type('pods'), pod.metadata!.namespace!, pod.metadata!.name!);
    return cluster.dataplane.verdict(peek(from), peek(to), to.status!.podIP!, port).allowed;
  }

  test("every Pod against every Pod's port and two Services agrees with the NetworkPolicies", async () => {
    const sources: ProbeSource[] = pods.map((pod) => ({
      namespace: pod.metadata!.namespace!,
      pod: pod.metadata!.name!,
    }));
    // Each Pod's first declared port by IP (db speaks TCP, the others HTTP), and two Services by name.
    const targetPods = pods.filter((pod) => pod.spec!.containers[0]!.ports?.length);
    const targets: ProbeTarget[] = targetPods.map((pod) => ({
      kind: 'pod',
      namespace: pod.metadata!.namespace!,
      name: pod.metadata!.name!,
      ip: pod.status!.podIP!,
      port: pod.spec!.containers[0]!.ports![0]!.containerPort,
      protocol: pod.metadata!.namespace === 'data' ? 'tcp' : 'http',
    }));
    targets.push(
      { kind: 'service', namespace: 'shop', name: 'backend', port: 80 },
      { kind: 'service', namespace: 'data', name: 'db', port: 5432, protocol: 'tcp' },
    );
    // The Pods behind each column, and the port the connection reaches on them.
    const behind: Array<{ pods: V1Pod[]; port: number }> = [
      ...targetPods.map((pod, i) => ({ pods: [pod], port: (targets[i] as { port: number }).port })),
      { pods: pods.filter((pod) => pod.metadata!.labels?.app === 'backend'), port: 8080 },
      { pods: pods.filter((pod) => pod.metadata!.labels?.app === 'db'), port: 5432 },
    ];
    assert.equal(sources.length, 13);
    assert.equal(targets.length, 11);

    const progress: MatrixProgress[] = [];
    const prober = new Prober({ kubeconfig: fixture.kubeconfig });
    const grid = await prober.runMatrix(sources, targets, {
      timeoutMs: TIMEOUT_MS,
      onProgress: (p) => progress.push(p),
    });
    assert.equal(grid.cancelled, false);
    assert.equal(grid.completed, 143);
    assert.equal(progress.length, 143);
    assert.equal(progress.at(-1)!.done, 143);
    assert.equal(grid.concurrency, 8);
    assert.deepEqual(grid.targets.slice(-2), ['backend.shop:80', 'db.data:5432']);

    let allowedCells = 0;
    let deniedCells = 0;
    pods.forEach((source, row) => {
      targets.forEach((target, column) => {
        const cell = grid.cells[row]![column]!;
        const where = `${grid.sources[row]} → ${grid.targets[column]}: ${cell.verdict} (${cell.tool}) ${cell.message}`;
        if (source.metadata!.name === 'static-site') {
          assert.equal(cell.verdict, 'no-tool', where);
          return;
        }
        const verdicts = behind[column]!.pods.map((pod) => admitted(source, pod, behind[column]!.port));
        assert.ok(
          verdicts.every((v) => v === verdicts[0]),
          'the Pods behind a Service agree',
        );
        if (verdicts[0]) {
          allowedCells++;
          assert.equal(cell.verdict, 'reachable', where);
          if (target.protocol !== 'tcp' && cell.tool !== 'bash') {
            const checkout = target.kind === 'pod' && target.name === 'checkout';
            // The Ingress controller routes by Host: a request to its Pod IP matches no rule.
            const controller = target.kind === 'pod' && target.namespace === 'ingress-sandbox';
            assert.equal(cell.httpStatus, checkout ? 503 : controller ? 404 : 200, where);
          }
        } else {
          deniedCells++;
          assert.equal(cell.verdict, 'timeout', where);
        }
      });
    });
    // db-0's own column and its Service's are allowed for db-0 by the rule that a Pod cannot block
    // access to itself: 14 denied cells, two fewer than before that rule was followed.
    assert.ok(allowedCells > 50 && deniedCells >= 14, `${allowedCells} allowed, ${deniedCells} denied`);

    const markdown = toMarkdown(grid).split('\n');
    assert.equal(markdown[0], `| source / target | ${grid.targets.join(' | ')} |`);
    assert.equal(markdown.filter((line) => line.startsWith('| ')).length, 2 + 13);
    assert.match(markdown.at(-2)!, /^\d+ of 143 reachable; 143 of 143 probed in \d+\.\d s, 8 at a time\.$/);
    assert.equal(toCsv(grid).trim().split('\r\n').length, 1 + 143);
  });

  test('cancelling stops launching and closes the execs in flight', async () => {
    const transport = new ClientNodeExecTransport(fixture.kubeconfig);
    const prober = new Prober({ kubeconfig: fixture.kubeconfig, transport });
    const sources: ProbeSource[] = ['busybox', 'nc-only', 'bash-only', 'toolbox'].map((pod) => ({
      namespace: 'tools',
      pod,
    }));
    // Every cell is dropped by the policy: each would take the full 10 s timeout.
    const targets: ProbeTarget[] = [5432, 5433, 5434].map((port) => ({
      kind: 'address',
      host: 'db.data',
      port,
    }));
    // Detect the tools first, so that the execs in flight below are probes.
    await Promise.all(sources.map((source) => prober.detectTools(source)));
    const controller = new AbortController();
    let inFlight = 0;
    const started = performance.now();
    const running = prober.runMatrix(sources, targets, {
      concurrency: 3,
      timeoutMs: 10_000,
      signal: controller.signal,
    });
    await waitFor('three execs in flight', () => {
      inFlight = transport.openSessions;
      return inFlight === 3;
    });
    controller.abort();
    const grid = await running;
    assert.ok(performance.now() - started < 5000, 'well before any probe timed out');
    assert.equal(grid.cancelled, true);
    const cells = grid.cells.flat();
    assert.equal(cells.filter((cell) => cell?.verdict === 'cancelled').length, 3);
    assert.equal(cells.filter((cell) => cell === null).length, 9);
    assert.equal(grid.completed, 3);
    assert.equal(transport.openSessions, 0);
    // The sandbox saw the exec sessions close (its WebSocket set is private; this is a test).
    const api = fixture.sandbox.api as unknown as { webSockets: Set<unknown> };
    await waitFor('the API server to see the execs closed', () => api.webSockets.size === 0, 2000);
  });
});
