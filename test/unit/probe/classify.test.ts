/**
 * Classification per tool and exit status, on the output of the real tools as the sandbox's exec
 * interpreter reproduces them (curl 8.5, busybox and GNU wget, busybox and OpenBSD nc, bash's
 * /dev/tcp with coreutils and busybox `timeout`): each probe command from `commands.ts` is run
 * against a small fake network (an HTTP server, nothing listening, a NetworkPolicy drop, a server
 * that closes, resets, echoes or never answers, a self-signed TLS server), then classified.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createServer } from 'node:tls';
import type { Server as TlsServer } from 'node:tls';
import {
  classifyToolResult,
  isReachable,
  lastLine,
  parseCurlWriteOut,
  statusText,
  wgetStatus,
} from '../../../src/probe/classify.ts';
import type { Classification } from '../../../src/probe/classify.ts';
import { buildProbeCommand } from '../../../src/probe/commands.ts';
import { resolveTarget } from '../../../src/probe/target.ts';
import type { ProbeTarget, ProbeToolName, ProbeVerdict } from '../../../src/probe/types.ts';
import { run, startCluster, tcpServer } from '../sandbox-exec/harness.ts';
import type { Cluster } from '../sandbox-exec/harness.ts';
import { selfSignedCertificate } from '../sandbox-exec/selfSigned.ts';

let cluster: Cluster;
let tlsServer: TlsServer;
let silent: Awaited<ReturnType<typeof tcpServer>>;

before(async () => {
  cluster = await startCluster();
  const certificate = selfSignedCertificate({
    commonName: 'secure',
    dnsNames: ['secure', 'secure.default.svc.cluster.local'],
    ips: [],
  });
  tlsServer = createServer({ key: certificate.key, cert: certificate.cert }, (socket) => {
    socket.on('error', () => {});
    socket.once('data', () =>
      socket.end('HTTP/1.1 200 OK\r\nContent-Length: 7\r\nConnection: close\r\n\r\nsecret\n'),
    );
  });
  await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
  cluster.routes['10.96.0.20:443'] = { port: (tlsServer.address() as AddressInfo).port };
  cluster.routes['10.96.0.5:443'] = cluster.routes['10.96.0.5:80'] as { port: number };
  // Accepts and never says anything.
  silent = await tcpServer(() => {});
  cluster.routes['10.96.0.30:80'] = { port: silent.port };
  cluster.hosts['silent.default.svc.cluster.local'] = ['10.96.0.30'];
  cluster.hosts['nowhere.default.svc.cluster.local'] = ['10.96.0.12'];
});

after(async () => {
  await new Promise<void>((resolve) => tlsServer.close(() => resolve()));
  await silent.close();
  await cluster.close();
});

interface Probe {
  tool: ProbeToolName;
  target: ProbeTarget;
  flavours?: Record<string, string>;
  tools?: string[];
  timeoutMs?: number;
}

const TIMEOUT_MS = 1000;

async function probe(spec: Probe): Promise<Classification & { exitCode: number; stderr: string }> {
  const resolution = resolveTarget(spec.target);
  assert.ok(resolution.ok);
  const tools = spec.tools ?? ['sh', 'curl', 'wget', 'nc'];
  const command = buildProbeCommand(spec.tool, resolution.target, spec.timeoutMs ?? TIMEOUT_MS, {
    timeout: tools.includes('sh') || tools.includes('bash'),
  });
  const result = await run([...command.argv], {
    network: cluster.network,
    tools: new Set(tools),
    ...(spec.flavours ? { flavours: spec.flavours } : {}),
    ...(command.stdin !== undefined ? { stdin: command.stdin } : {}),
  });
  const classification = classifyToolResult({
    command,
    target: resolution.target,
    exitCode: result.code,
    stdout: result.stdout,
    stderr: result.stderr,
    elapsedMs: result.ms,
  });
  return { ...classification, exitCode: result.code, stderr: result.stderr };
}

const url = (text: string, http?: ProbeTarget['http']): ProbeTarget => ({
  kind: 'url',
  url: text,
  ...(http ? { http } : {}),
});
const tcp = (host: string, port: number): ProbeTarget => ({ kind: 'address', host, port });

/** [title, probe, verdict, exit code, http status] */
type Case = [string, Probe, ProbeVerdict, number, number?];

function cases(title: string, list: Case[]): void {
  describe(title, { concurrency: true }, () => {
    for (const [name, spec, verdict, exitCode, status] of list) {
      test(`${name}: exit ${exitCode} → ${verdict}`, async () => {
        const result = await probe(spec);
        assert.equal(result.exitCode, exitCode, result.stderr);
        assert.equal(result.verdict, verdict, `${result.message}\n${result.stderr}`);
        assert.equal(result.httpStatus, status);
        assert.match(result.message, /\.$/);
      });
    }
  });
}

describe('each tool, run by the sandbox interpreter, then classified', { concurrency: true }, () => {
  cases('curl', [
    ['200', { tool: 'curl', target: url('http://web/') }, 'reachable', 0, 200],
    ['503', { tool: 'curl', target: url('http://web/fail') }, 'reachable', 0, 503],
    [
      '503 where 200 is expected',
      { tool: 'curl', target: url('http://web/fail', { expectedStatus: 200 }) },
      'http-error-status',
      0,
      503,
    ],
    ['unknown name', { tool: 'curl', target: url('http://nosuch/') }, 'dns', 6],
    ['nothing listening', { tool: 'curl', target: url('http://down/') }, 'refused', 7],
    ['dropped by a NetworkPolicy', { tool: 'curl', target: url('http://blocked/') }, 'timeout', 28],
    ['connected, no answer', { tool: 'curl', target: url('http://silent/') }, 'timeout', 28],
    ['closed without a reply', { tool: 'curl', target: url('http://empty/') }, 'empty-reply', 52],
    ['reset', { tool: 'curl', target: url('http://reset/') }, 'reset', 56],
    ['self-signed certificate', { tool: 'curl', target: url('https://secure/') }, 'tls', 60],
    [
      'self-signed certificate, insecure',
      { tool: 'curl', target: url('https://secure/', { insecure: true }) },
      'reachable',
      0,
      200,
    ],
    ['plain HTTP where TLS is expected', { tool: 'curl', target: url('https://web/') }, 'tls', 35],
    ['a TCP echo never answers HTTP', { tool: 'curl', target: url('http://echo:7/') }, 'timeout', 28],
    ['TCP mode: an echo server is open', { tool: 'curl', target: tcp('echo', 7) }, 'reachable', 28],
    ['TCP mode: a silent server is open', { tool: 'curl', target: tcp('silent', 80) }, 'reachable', 28],
    ['TCP mode: refused', { tool: 'curl', target: tcp('down', 80) }, 'refused', 7],
  ]);

  cases('busybox wget', [
    ['200', { tool: 'wget', target: url('http://web/') }, 'reachable', 0, 200],
    ['503', { tool: 'wget', target: url('http://web/fail') }, 'reachable', 1, 503],
    [
      '503 where 200 is expected',
      { tool: 'wget', target: url('http://web/fail', { expectedStatus: 200 }) },
      'http-error-status',
      1,
      503,
    ],
    ['unknown name', { tool: 'wget', target: url('http://nosuch/') }, 'dns', 1],
    ['nothing listening', { tool: 'wget', target: url('http://down/') }, 'refused', 1],
    ['dropped by a NetworkPolicy', { tool: 'wget', target: url('http://blocked/') }, 'timeout', 1],
    ['closed without a reply', { tool: 'wget', target: url('http://empty/') }, 'empty-reply', 1],
    ['reset', { tool: 'wget', target: url('http://reset/') }, 'reset', 1],
    [
      'https without certificate checks (busybox has none)',
      { tool: 'wget', target: url('https://secure/') },
      'reachable',
      0,
      200,
    ],
    ['TCP mode: an echo server is open', { tool: 'wget', target: tcp('echo', 7) }, 'reachable', 1],
  ]);

  const gnu = { wget: 'gnu' };
  cases('GNU wget', [
    ['200', { tool: 'wget', target: url('http://web/'), flavours: gnu }, 'reachable', 0, 200],
    ['503 (exit 8)', { tool: 'wget', target: url('http://web/fail'), flavours: gnu }, 'reachable', 8, 503],
    ['unknown name (exit 4)', { tool: 'wget', target: url('http://nosuch/'), flavours: gnu }, 'dns', 4],
    ['nothing listening', { tool: 'wget', target: url('http://down/'), flavours: gnu }, 'refused', 4],
    [
      'dropped by a NetworkPolicy',
      { tool: 'wget', target: url('http://blocked/'), flavours: gnu },
      'timeout',
      4,
    ],
    ['connected, no answer', { tool: 'wget', target: url('http://silent/'), flavours: gnu }, 'timeout', 4],
    [
      'closed without a reply',
      { tool: 'wget', target: url('http://empty/'), flavours: gnu },
      'empty-reply',
      4,
    ],
    ['reset', { tool: 'wget', target: url('http://reset/'), flavours: gnu }, 'reset', 4],
    [
      'self-signed certificate (exit 5)',
      { tool: 'wget', target: url('https://secure/'), flavours: gnu },
      'tls',
      5,
    ],
    [
      'insecure',
      { tool: 'wget', target: url('https://secure/', { insecure: true }), flavours: gnu },
      'reachable',
      0,
      200,
    ],
  ]);

  for (const flavour of ['busybox', 'openbsd'] as const) {
    const flavours = { nc: flavour };
    cases(`${flavour} nc`, [
      ['TCP open', { tool: 'nc', target: tcp('web', 80), flavours }, 'reachable', 0],
      ['TCP refused', { tool: 'nc', target: tcp('down', 80), flavours }, 'refused', 1],
      ['TCP dropped', { tool: 'nc', target: tcp('blocked', 80), flavours }, 'timeout', 1],
      ['unknown name', { tool: 'nc', target: tcp('nosuch', 80), flavours }, 'dns', 1],
      ['no route', { tool: 'nc', target: tcp('nowhere', 80), flavours }, 'unreachable', 1],
      ['HTTP 200 through stdin', { tool: 'nc', target: url('http://web/'), flavours }, 'reachable', 0, 200],
      [
        'HTTP 503 through stdin',
        { tool: 'nc', target: url('http://web/fail'), flavours },
        'reachable',
        0,
        503,
      ],
      ['HTTP, connected, no answer', { tool: 'nc', target: url('http://silent/'), flavours }, 'timeout', 0],
      [
        'HTTP, closed without a reply',
        { tool: 'nc', target: url('http://empty/'), flavours },
        'empty-reply',
        0,
      ],
      ['HTTP to a TCP echo', { tool: 'nc', target: url('http://echo:7/'), flavours }, 'protocol-error', 0],
      ['HTTP refused', { tool: 'nc', target: url('http://down/'), flavours }, 'refused', 1],
    ]);
  }

  const bashOnly = { tools: ['bash'], flavours: { sh: 'bash' } };
  const bashBusyboxUtils = { tools: ['bash'], flavours: { sh: 'bash', utils: 'busybox' } };
  cases('bash /dev/tcp', [
    ['open', { tool: 'bash', target: tcp('web', 80), ...bashOnly }, 'reachable', 0],
    ['HTTP target: TCP only', { tool: 'bash', target: url('http://web/'), ...bashOnly }, 'reachable', 0],
    ['refused', { tool: 'bash', target: tcp('down', 80), ...bashOnly }, 'refused', 1],
    ['unknown name', { tool: 'bash', target: tcp('nosuch', 80), ...bashOnly }, 'dns', 1],
    ['no route', { tool: 'bash', target: tcp('nowhere', 80), ...bashOnly }, 'unreachable', 1],
    [
      'dropped, coreutils timeout (124)',
      { tool: 'bash', target: tcp('blocked', 80), ...bashOnly },
      'timeout',
      124,
    ],
    [
      'dropped, busybox timeout (SIGTERM)',
      { tool: 'bash', target: tcp('blocked', 80), ...bashBusyboxUtils },
      'timeout',
      143,
    ],
  ]);
});

describe('messages the sandbox does not produce', () => {
  const target = { host: 'api.ns', port: 80, url: 'http://api.ns/', scheme: 'http' as const };
  const classify = (
    tool: ProbeToolName,
    exitCode: number,
    stderr: string,
    stdout = '',
    mode: 'http' | 'tcp' = 'http',
  ) =>
    classifyToolResult({
      command: { tool, mode, toolTimeoutMs: 5000 },
      target,
      exitCode,
      stdout,
      stderr,
      elapsedMs: 10,
    });

  test('curl: older messages, DNS timeouts, partial transfers', () => {
    assert.equal(
      classify('curl', 7, 'curl: (7) Failed to connect to api.ns port 80: No route to host\n').verdict,
      'unreachable',
    );
    const dns = classify('curl', 28, 'curl: (28) Resolving timed out after 5000 milliseconds\n');
    assert.equal(dns.verdict, 'dns');
    assert.match(dns.message, /cluster DNS did not answer/);
    const partial = classify(
      'curl',
      18,
      'curl: (18) transfer closed with 7 bytes remaining to read\n',
      'abc\nkubereach-probe 200 0.000100 0.000200 0.000000 0.000900 0.001000 1 10.0.0.1\n',
    );
    assert.equal(partial.verdict, 'reachable');
    assert.equal(partial.httpStatus, 200);
    assert.match(partial.message, /The transfer then failed: transfer closed/);
    assert.equal(classify('curl', 3, 'curl: (3) URL rejected: Bad hostname\n').verdict, 'invalid-target');
    assert.equal(
      classify('curl', 1, 'curl: (1) Received HTTP/0.9 when not allowed\n').verdict,
      'protocol-error',
    );
    assert.equal(classify('curl', 8, 'curl: (8) Weird server reply\n').verdict, 'protocol-error');
    const tcpAfterConnect = classify(
      'curl',
      52,
      'curl: (52) Empty reply from server\n',
      'kubereach-probe 000 0.1 0.2 0 0 0.3 1 10.0.0.1\n',
      'tcp',
    );
    assert.equal(tcpAfterConnect.verdict, 'reachable');
    assert.match(
      classify('curl', 2, 'curl: option --max-time: expected a proper numerical parameter\n').message,
      /^curl failed with exit status 2: curl: option/,
    );
  });

  test('wget and nc name-resolution wordings', () => {
    assert.equal(classify('wget', 1, "wget: bad address 'api.ns:80'\n").verdict, 'dns');
    assert.equal(
      classify('wget', 4, 'Resolving api.ns (api.ns)... failed: Temporary failure in name resolution.\n')
        .verdict,
      'dns',
    );
    assert.equal(
      classify(
        'nc',
        1,
        'nc: getaddrinfo for host "api.ns" port 80: Temporary failure in name resolution\n',
        '',
        'tcp',
      ).verdict,
      'dns',
    );
    assert.equal(classify('nc', 1, 'usage: nc [-46CDdFhklNnrStUuvZz]\n', '', 'tcp').verdict, 'error');
    assert.equal(classify('bash', 137, '').verdict, 'timeout');
    assert.match(
      classify('bash', 1, 'bash: /dev/tcp/api.ns/80: No such file or directory\n').message,
      /without \/dev\/tcp/,
    );
  });

  test('helpers', () => {
    assert.deepEqual(
      parseCurlWriteOut(
        'body kubereach-probe in body\n\nkubereach-probe 404 0.001 0.002 0.000000 0.0035 0.004 1 10.1.2.3\n',
      ),
      {
        httpCode: 404,
        timings: { namelookupMs: 1, connectMs: 2, appconnectMs: 0, firstByteMs: 3.5, totalMs: 4 },
        numConnects: 1,
        remoteIp: '10.1.2.3',
      },
    );
    assert.equal(parseCurlWriteOut('no marker'), undefined);
    assert.equal(wgetStatus('  HTTP/1.1 301 Moved\n  Location: /x\n  HTTP/1.1 200 OK\n'), 200);
    assert.equal(wgetStatus('2024-01-01 ERROR 404: Not Found.\n'), 404);
    assert.equal(statusText(503), 'HTTP 503 Service Unavailable');
    assert.equal(statusText(599), 'HTTP 599');
    assert.equal(lastLine('a\nwget: last one\n\n', /^wget: /), 'last one');
    assert.ok(isReachable('http-error-status'));
    assert.ok(!isReachable('timeout'));
  });
});
