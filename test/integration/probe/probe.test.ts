/**
 * Probes against the demo scenario, through client-node's Exec over real sockets: each fallback
 * tool, each verdict, failures to exec, the ephemeral debug container, and values with shell
 * metacharacters reaching the tools literally.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { DETECT_SCRIPT } from '../../../src/probe/commands.ts';
import { ClientNodeExecTransport } from '../../../src/probe/exec.ts';
import type { ExecRequest, ExecTransport } from '../../../src/probe/exec.ts';
import { Prober } from '../../../src/probe/prober.ts';
import type { ProbeResult, ProbeTarget } from '../../../src/probe/types.ts';
import { useSandbox, waitFor } from '../../support/sandbox.ts';

const TIMEOUT_MS = 1000;
const backend: ProbeTarget = { kind: 'service', namespace: 'shop', name: 'backend', port: 80 };
/** Every metacharacter a shell would act on, and a space. */
const PATH = '/probe;id&&$(touch /tmp/x)`uname`\'single\'"double"|cat>/tmp/o<in*?a=1&b=$HOME x';

/** The echo server's JSON answer in the raw stdout of curl, wget (`-O -`) or nc (after the headers). */
function echoed(result: ProbeResult): { path: string; pod: string; client: string } {
  const start = result.stdout.indexOf('{"pod"');
  const end = result.stdout.indexOf('}', start);
  assert.ok(start >= 0 && end > start, `no JSON in ${JSON.stringify(result.stdout)}`);
  return JSON.parse(result.stdout.slice(start, end + 1)) as { path: string; pod: string; client: string };
}

describe('probes from inside Pods (demo scenario)', () => {
  const fixture = useSandbox({ scenario: 'demo' });
  let prober: Prober;
  let frontend: string;
  let frontends: string[];

  before(async () => {
    prober = new Prober({ kubeconfig: fixture.kubeconfig, timeoutMs: TIMEOUT_MS });
    const pods = await fixture.kubeconfig
      .makeApiClient(CoreV1Api)
      .listNamespacedPod({ namespace: 'shop', labelSelector: 'app=frontend' });
    frontends = pods.items.map((pod) => pod.metadata!.name!);
    frontend = frontends[0]!;
  });

  describe('each fallback tool', () => {
    test('curlimages/curl: curl, with the HTTP status, timings and the body', async () => {
      const result = await prober.probe({ namespace: 'shop', pod: frontend }, backend);
      assert.equal(result.verdict, 'reachable', result.message);
      assert.equal(result.tool, 'curl');
      assert.equal(result.httpStatus, 200);
      assert.equal(result.message, 'Reachable: http://backend.shop/ answered HTTP 200 OK.');
      const timings = result.timings!;
      assert.ok(
        timings.totalMs > 0 &&
          timings.connectMs <= timings.firstByteMs &&
          timings.firstByteMs <= timings.totalMs,
      );
      assert.equal(timings.appconnectMs, 0);
      assert.match(echoed(result).pod, /^backend-/);
      assert.equal(result.source.container, 'frontend');
      assert.equal(result.source.image, 'curlimages/curl:8.5.0');
      assert.ok(
        result.command!.startsWith(
          `kubectl --context kubereach-sandbox exec -n shop ${frontend} -c frontend -- curl -sS --globoff -w `,
        ),
        result.command,
      );
      assert.equal(result.exitCode, 0);
    });

    test('busybox: wget for HTTP, nc for TCP', async () => {
      const http = await prober.probe({ namespace: 'tools', pod: 'busybox' }, backend);
      assert.deepEqual([http.verdict, http.tool, http.httpStatus], ['reachable', 'wget', 200]);
      assert.equal(http.timings, undefined);
      assert.match(http.stderr, /HTTP\/1\.1 200 OK/);
      const tcp = await prober.probe(
        { namespace: 'tools', pod: 'busybox' },
        { ...backend, port: 9090, protocol: 'tcp' },
      );
      assert.deepEqual([tcp.verdict, tcp.tool], ['reachable', 'nc']);
      assert.deepEqual(tcp.argv, ['nc', '-z', '-v', '-v', '-w', '1', '--', 'backend.shop', '9090']);
    });

    test('nc only (OpenBSD): HTTP through its stdin, and TCP', async () => {
      const http = await prober.probe({ namespace: 'tools', pod: 'nc-only' }, backend);
      assert.deepEqual([http.verdict, http.tool, http.httpStatus], ['reachable', 'nc', 200]);
      assert.match(http.stdin!, /^GET \/ HTTP\/1\.1\r\nHost: backend\.shop\r\n/);
      assert.match(
        http.command!,
        /^printf '%s\\r\\n' 'GET \/ HTTP\/1\.1' 'Host: backend\.shop' .* \| kubectl .* exec -i -n tools nc-only -c nc -- nc -v -v -w 1 -- backend\.shop 80$/,
      );
      const tcp = await prober.probe(
        { namespace: 'tools', pod: 'nc-only' },
        { kind: 'address', host: 'db.data', port: 5432 },
      );
      assert.deepEqual([tcp.verdict, tcp.tool], ['timeout', 'nc']);
    });

    test('bash only: /dev/tcp, TCP only, bounded by timeout', async () => {
      const result = await prober.probe({ namespace: 'tools', pod: 'bash-only' }, backend);
      assert.deepEqual([result.verdict, result.tool, result.httpStatus], ['reachable', 'bash', undefined]);
      assert.deepEqual(result.argv, [
        'timeout',
        '1',
        'bash',
        '-c',
        'exec 3<>/dev/tcp/"$1"/"$2"',
        'kubereach-probe',
        'backend.shop',
        '80',
      ]);
      assert.match(result.notes.join(' '), /bash has no HTTP client: only the TCP connection was checked/);
      const dropped = await prober.probe(
        { namespace: 'tools', pod: 'bash-only' },
        { kind: 'address', host: 'db.data', port: 5432 },
      );
      assert.equal(dropped.verdict, 'timeout', dropped.message);
      assert.equal(dropped.exitCode, 124);
    });

    test('netshoot: curl first, nc for TCP', async () => {
      const result = await prober.probe({ namespace: 'tools', pod: 'toolbox' }, backend);
      assert.deepEqual([result.verdict, result.tool], ['reachable', 'curl']);
    });

    test('tools are detected once per image', async () => {
      const real = new ClientNodeExecTransport(fixture.kubeconfig);
      const detections: ExecRequest[] = [];
      const counting: ExecTransport = {
        exec: (request) => {
          if (request.argv.includes(DETECT_SCRIPT)) {
            detections.push(request);
          }
          return real.exec(request);
        },
      };
      const fresh = new Prober({
        kubeconfig: fixture.kubeconfig,
        transport: counting,
        timeoutMs: TIMEOUT_MS,
      });
      const results = await Promise.all([
        ...frontends.map((pod) => fresh.probe({ namespace: 'shop', pod }, backend)),
        ...frontends.map((pod) => fresh.probe({ namespace: 'shop', pod }, backend)),
      ]);
      assert.ok(results.every((r) => r.verdict === 'reachable'));
      assert.equal(detections.length, 1);
      assert.deepEqual(detections[0]!.argv, ['sh', '-c', DETECT_SCRIPT]);
    });
  });

  describe('each verdict', () => {
    test('HTTP 200, and http-error-status when another status is expected', async () => {
      const ok = await prober.probe({ namespace: 'shop', pod: frontend }, backend);
      assert.equal(ok.verdict, 'reachable');
      const expected = await prober.probe(
        { namespace: 'shop', pod: frontend },
        { ...backend, http: { expectedStatus: 204 } },
      );
      assert.equal(expected.verdict, 'http-error-status');
      assert.equal(expected.reachable, true);
      assert.equal(
        expected.message,
        'Reachable, but http://backend.shop/ answered HTTP 200 OK instead of the expected 204.',
      );
    });

    test('HTTP 503 from checkout once it is made ready', async () => {
      const checkout: ProbeTarget = { kind: 'service', namespace: 'shop', name: 'checkout', port: 80 };
      const before = await prober.probe({ namespace: 'shop', pod: frontend }, checkout);
      assert.equal(before.verdict, 'refused', 'not ready: no endpoint, the Service refuses');
      fixture.sandbox.faults.setPodReady('shop', 'checkout', true);
      try {
        const result = await waitFor('checkout answering', async () => {
          const r = await prober.probe({ namespace: 'shop', pod: frontend }, checkout);
          return r.verdict === 'refused' ? undefined : r;
        });
        assert.deepEqual([result.verdict, result.httpStatus], ['reachable', 503]);
        assert.equal(
          result.message,
          'Reachable: http://checkout.shop/ answered HTTP 503 Service Unavailable.',
        );
        const strict = await prober.probe(
          { namespace: 'tools', pod: 'busybox' },
          { ...checkout, http: { expectedStatus: 200 } },
        );
        assert.deepEqual(
          [strict.verdict, strict.tool, strict.httpStatus],
          ['http-error-status', 'wget', 503],
        );
      } finally {
        fixture.sandbox.faults.setPodReady('shop', 'checkout', false);
      }
    });

    test('refused: a Service whose selector matches nothing', async () => {
      const result = await prober.probe(
        { namespace: 'shop', pod: frontend },
        { kind: 'service', namespace: 'shop', name: 'legacy-api', port: 80 },
      );
      assert.equal(result.verdict, 'refused');
      assert.equal(result.exitCode, 7);
      assert.equal(
        result.message,
        'Connection refused by legacy-api.shop:80: nothing listens on that port, or the Service has no ready endpoint.',
      );
    });

    test('timeout: frontend to db is dropped by the NetworkPolicy', async () => {
      const result = await prober.probe(
        { namespace: 'shop', pod: frontend },
        { kind: 'service', namespace: 'data', name: 'db', port: 5432, protocol: 'tcp' },
      );
      assert.equal(result.verdict, 'timeout');
      assert.equal(result.exitCode, 28);
      assert.ok(
        result.elapsedMs >= TIMEOUT_MS && result.elapsedMs < TIMEOUT_MS + prober.marginMs,
        String(result.elapsedMs),
      );
      assert.match(
        result.message,
        /^No answer from db\.data:5432 within 1 s: the connection was dropped \(often by a NetworkPolicy\)/,
      );
    });

    test('dns: an unknown name', async () => {
      for (const pod of ['busybox', 'nc-only', 'bash-only']) {
        const result = await prober.probe(
          { namespace: 'tools', pod },
          { kind: 'url', url: 'http://no-such-service.shop/' },
        );
        assert.equal(result.verdict, 'dns', `${pod}: ${result.message}`);
      }
      const curl = await prober.probe(
        { namespace: 'shop', pod: frontend },
        { kind: 'url', url: 'http://bakend/' },
      );
      assert.deepEqual([curl.verdict, curl.exitCode], ['dns', 6]);
      assert.equal(curl.message, 'The name bakend could not be resolved from this Pod.');
    });

    test('a probe that outlives its deadline is closed: timeout', async () => {
      const real = new ClientNodeExecTransport(fixture.kubeconfig);
      // The tool would wait 5 s; the exec is closed after 300 ms.
      const hurried = new Prober({
        kubeconfig: fixture.kubeconfig,
        transport: {
          exec: (request) => real.exec({ ...request, deadlineMs: Math.min(request.deadlineMs, 300) }),
        },
      });
      const started = performance.now();
      const result = await hurried.probe(
        { namespace: 'tools', pod: 'busybox' },
        { kind: 'address', host: 'db.data', port: 5432 },
      );
      assert.ok(performance.now() - started < 2000);
      assert.equal(result.verdict, 'timeout');
      assert.match(result.message, /nc did not stop by itself, so the exec was closed after 7 s\.$/);
      assert.equal(real.openSessions, 0);
    });

    test('a cancelled probe closes its exec', async () => {
      const transport = new ClientNodeExecTransport(fixture.kubeconfig);
      const patient = new Prober({ kubeconfig: fixture.kubeconfig, transport, timeoutMs: 10_000 });
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 200);
      const started = performance.now();
      const result = await patient.probe(
        { namespace: 'shop', pod: frontend },
        { kind: 'address', host: 'db.data', port: 5432 },
        { signal: controller.signal },
      );
      assert.ok(performance.now() - started < 1500);
      assert.equal(result.verdict, 'cancelled');
      // The WebSocket's close completes just after the probe resolves.
      await waitFor('the exec closed', () => transport.openSessions === 0, 1000);
    });
  });

  describe('when the command cannot run', () => {
    test('403 on pods/exec', async () => {
      const viewer = new KubeConfig();
      viewer.loadFromFile(fixture.sandbox.kubeconfigFor('shop-viewer'));
      const result = await new Prober({ kubeconfig: viewer }).probe(
        { namespace: 'shop', pod: frontend },
        backend,
      );
      assert.equal(result.verdict, 'exec-failed');
      assert.equal(
        result.message,
        `You may not run commands in Pod shop/${frontend} (403 Forbidden on pods/exec): pods "${frontend}" is forbidden: User "shop-viewer" cannot create resource "pods/exec" in API group "" in the namespace "shop".`,
      );
    });

    test('a container that does not exist or does not run, a Pod that is gone', async () => {
      const missing = await prober.probe(
        { namespace: 'tools', pod: 'busybox', container: 'sidecar' },
        backend,
      );
      assert.deepEqual(
        [missing.verdict, missing.message],
        ['exec-failed', 'Pod tools/busybox has no container named sidecar.'],
      );
      const gone = await prober.probe({ namespace: 'tools', pod: 'nope' }, backend);
      assert.deepEqual(
        [gone.verdict, gone.message],
        ['exec-failed', 'Pod tools/nope was not found (it may have been deleted or replaced).'],
      );
      const pod = await fixture.kubeconfig
        .makeApiClient(CoreV1Api)
        .readNamespacedPod({ namespace: 'tools', name: 'busybox' });
      const crashing = {
        ...pod,
        status: {
          ...pod.status,
          containerStatuses: pod.status!.containerStatuses!.map((status) => ({
            ...status,
            state: { waiting: { reason: 'CrashLoopBackOff' } },
          })),
        },
      };
      const annotated = await prober.probe({ namespace: 'tools', pod: 'busybox' }, backend, {
        pod: {
          ...pod,
          metadata: { ...pod.metadata, annotations: { 'kubectl.kubernetes.io/default-container': 'nope' } },
          spec: { ...pod.spec!, containers: [{ name: 'nope', image: 'x' }, ...pod.spec!.containers] },
        },
      });
      assert.equal(annotated.source.container, 'nope', 'the default-container annotation is honoured');
      // That container does not exist in the real Pod: the API server's refusal comes through.
      assert.equal(annotated.verdict, 'exec-failed');
      assert.match(
        annotated.message,
        /^Container nope of Pod tools\/busybox is not running or does not exist: container nope is not valid for pod busybox\.$/,
      );
      const notRunning = await prober.probe({ namespace: 'tools', pod: 'busybox' }, backend, {
        pod: crashing,
      });
      assert.deepEqual(
        [notRunning.verdict, notRunning.message],
        ['exec-failed', 'Container busybox of Pod tools/busybox is not running (CrashLoopBackOff).'],
      );
      // The API server's own refusal, as the transport reports it.
      const transport = new ClientNodeExecTransport(fixture.kubeconfig);
      const refused = await transport.exec({
        namespace: 'tools',
        pod: 'busybox',
        container: 'sidecar',
        argv: ['true'],
        deadlineMs: 5000,
      });
      assert.equal(refused.kind, 'failed');
      assert.equal(refused.kind === 'failed' && refused.httpStatus, 400);
      assert.match(
        refused.kind === 'failed' ? refused.message : '',
        /^Container sidecar of Pod tools\/busybox is not running or does not exist: container sidecar is not valid for pod busybox\.$/,
      );
    });
  });

  describe('shell metacharacters reach the tools literally', () => {
    test('a URL path, through curl, wget, nc and netshoot curl', async () => {
      const url = `http://backend.shop${PATH}`;
      for (const [namespace, pod, tool] of [
        ['shop', frontend, 'curl'],
        ['tools', 'busybox', 'wget'],
        ['tools', 'nc-only', 'nc'],
        ['tools', 'toolbox', 'curl'],
      ] as const) {
        const result = await prober.probe({ namespace, pod }, { kind: 'url', url });
        assert.deepEqual([result.verdict, result.tool], ['reachable', tool], result.message);
        // Spaces cannot be sent on a request line: they are percent-encoded, as a browser does.
        assert.equal(echoed(result).path, PATH.replaceAll(' ', '%20'), `${tool}: ${result.stdout}`);
        if (tool !== 'nc') {
          assert.equal(result.argv!.at(-1), url.replaceAll(' ', '%20'));
        }
      }
    });

    test('a host name, through nc, bash and wget: the tool reports the very name it was given', async () => {
      // No slash: bash splits /dev/tcp/HOST/PORT at the first slash after the host, as netopen does.
      const host = 'no-such;touch x&&$(id)`id`\'q\'"dq" |cat';
      const nc = await prober.probe(
        { namespace: 'tools', pod: 'nc-only' },
        { kind: 'address', host, port: 80 },
      );
      assert.equal(nc.verdict, 'dns');
      assert.equal(nc.stderr, `nc: getaddrinfo for host "${host}" port 80: Name or service not known\n`);
      const bash = await prober.probe(
        { namespace: 'tools', pod: 'bash-only' },
        { kind: 'address', host, port: 80 },
      );
      assert.equal(bash.verdict, 'dns');
      assert.match(
        bash.stderr,
        new RegExp(
          `^kubereach-probe: line 1: ${host.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: Name or service not known\n`,
        ),
      );
      const busybox = await prober.probe(
        { namespace: 'tools', pod: 'busybox' },
        { kind: 'address', host, port: 80 },
      );
      assert.equal(busybox.stderr, `nc: bad address '${host}'\n`);
    });
  });

  describe('no tools at all', () => {
    test('no-tool with a suggestion; once a debug container is added, probes from the Pod use it', async () => {
      const source = { namespace: 'shop', pod: 'static-site' };
      const first = await prober.probe(source, backend);
      assert.equal(first.verdict, 'no-tool');
      assert.equal(
        first.message,
        'Container site of Pod shop/static-site (image gcr.io/distroless/static:nonroot) has none of curl, wget, nc or bash to probe with.',
      );
      assert.deepEqual(first.suggestion, {
        kind: 'add-debug-container',
        image: 'nicolaka/netshoot',
        message:
          'Add an ephemeral debug container (nicolaka/netshoot) to Pod shop/static-site and probe from it? Ephemeral containers cannot be removed: it stays until the Pod is deleted.',
      });

      const added = await prober.addDebugContainer({ namespace: 'shop', name: 'static-site' });
      assert.deepEqual(added, {
        namespace: 'shop',
        pod: 'static-site',
        container: 'kubereach-debug',
        image: 'nicolaka/netshoot',
        reused: false,
      });
      const probed = await prober.probe(source, backend);
      assert.deepEqual([probed.verdict, probed.tool, probed.httpStatus], ['reachable', 'curl', 200]);
      assert.deepEqual(probed.source, {
        namespace: 'shop',
        pod: 'static-site',
        container: 'kubereach-debug',
        image: 'nicolaka/netshoot',
        debugContainer: true,
      });
      assert.match(probed.command!, / exec -n shop static-site -c kubereach-debug -- curl /);
      assert.equal(
        echoed(probed).client,
        (
          await fixture.kubeconfig
            .makeApiClient(CoreV1Api)
            .readNamespacedPod({ namespace: 'shop', name: 'static-site' })
        ).status!.podIP,
      );
      const tcp = await prober.probe(source, { kind: 'address', host: 'db.data', port: 5432 });
      assert.deepEqual([tcp.verdict, tcp.tool], ['timeout', 'nc']);

      const again = await prober.addDebugContainer({ namespace: 'shop', name: 'static-site' });
      assert.equal(again.reused, true);
      const pod = await fixture.kubeconfig
        .makeApiClient(CoreV1Api)
        .readNamespacedPod({ namespace: 'shop', name: 'static-site' });
      assert.deepEqual(
        pod.spec!.ephemeralContainers!.map((c) => [c.name, c.image, c.command]),
        [['kubereach-debug', 'nicolaka/netshoot', ['sleep', 'infinity']]],
      );
    });
  });
});
