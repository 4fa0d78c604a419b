import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { run, startCluster } from './harness.ts';
import type { Cluster, RunResult } from './harness.ts';

let cluster: Cluster;
before(async () => {
  cluster = await startCluster();
});
after(() => cluster.close());

const outcome = (result: RunResult) => [result.code, result.stdout, result.stderr];

const wget = (args: string[], options: Parameters<typeof run>[1] = {}) =>
  run(['wget', ...args], { network: cluster.network, ...options });

describe('busybox wget', () => {
  test('-q -O - prints only the body', async () => {
    const result = await wget(['-q', '-O', '-', 'http://web/page']);
    assert.deepEqual([result.code, result.stdout, result.stderr], [0, 'hello from /page\n', '']);
  });

  test("sends busybox's request, Connection: close and User-Agent: Wget", async () => {
    await wget(['-q', '-O', '-', 'http://raw:80/x?y=1']);
    assert.equal(
      cluster.rawRequests.at(-1),
      'GET /x?y=1 HTTP/1.1\r\nHost: raw:80\r\nUser-Agent: Wget\r\nConnection: close\r\n\r\n',
    );
    await wget(['-q', '-O', '-', '-U', 'probe', '--header', 'X-A: b', 'http://raw/']);
    assert.equal(
      cluster.rawRequests.at(-1),
      'GET / HTTP/1.1\r\nHost: raw\r\nUser-Agent: probe\r\nConnection: close\r\nX-A: b\r\n\r\n',
    );
  });

  test('without -q: the Connecting line, then the progress bar as on a pipe', async () => {
    const result = await wget(['-O', '-', 'http://web/']);
    assert.equal(result.stdout, 'hello from /\n');
    assert.equal(
      result.stderr,
      'Connecting to web (10.96.0.5:80)\nwriting to stdout\n' +
        '-                    100% |********************************|    13  0:00:00 ETA\n' +
        'written to stdout\n',
    );
  });

  test('-O FILE saves the file; -S prints the response headers', async () => {
    const files = new Map<string, Buffer>();
    const result = await wget(['-S', '-O', '/tmp/out', 'http://web/redirect'], { files });
    assert.equal(result.code, 0);
    assert.equal(files.get('/tmp/out')?.toString(), 'hello from /final\n');
    assert.match(
      result.stderr,
      /^Connecting to web \(10\.96\.0\.5:80\)\n {2}HTTP\/1\.1 302 Found\n {2}location: \/final\n/,
    );
    assert.match(result.stderr, /\n {2}HTTP\/1\.1 200 OK\n/);
    assert.match(
      result.stderr,
      /saving to '\/tmp\/out'\nout {18}100% \|\*{32}\| {4}18 {2}0:00:00 ETA\n'\/tmp\/out' saved\n$/,
    );
  });

  test('--spider checks without downloading', async () => {
    const result = await wget(['--spider', 'http://web/']);
    assert.deepEqual(
      [result.code, result.stdout, result.stderr],
      [0, '', 'Connecting to web (10.96.0.5:80)\nremote file exists\n'],
    );
  });

  test('server error: exit 1 with the status line', async () => {
    const result = await wget(['-q', '-O', '-', 'http://web/fail']);
    assert.deepEqual(
      [result.code, result.stderr],
      [1, 'wget: server returned error: HTTP/1.1 503 Service Unavailable\n'],
    );
    const loud = await wget(['-O', '-', 'http://web/fail']);
    assert.equal(
      loud.stderr,
      'Connecting to web (10.96.0.5:80)\nwget: server returned error: HTTP/1.1 503 Service Unavailable\n',
    );
  });

  test('bad address, refused connection', async () => {
    assert.deepEqual(await wget(['-q', '-O', '-', 'http://nosuch/']).then((r) => [r.code, r.stderr]), [
      1,
      "wget: bad address 'nosuch'\n",
    ]);
    assert.deepEqual(await wget(['-O', '-', 'http://10.96.0.9:8080/']).then((r) => [r.code, r.stderr]), [
      1,
      "Connecting to 10.96.0.9:8080 (10.96.0.9:8080)\nwget: can't connect to remote host (10.96.0.9): Connection refused\n",
    ]);
  });
});

describe('GNU wget', () => {
  const gnu = { flavours: { wget: 'gnu' } };

  test('exit codes: 0, 8 on a server error, 4 on network failures', async () => {
    assert.equal((await wget(['-q', '-O', '-', 'http://web/'], gnu)).stdout, 'hello from /\n');
    assert.deepEqual(await wget(['-q', '-O', '-', 'http://web/fail'], gnu).then((r) => [r.code, r.stderr]), [
      8,
      '',
    ]);
    const loud = await wget(['-O', '-', 'http://web/fail'], gnu);
    assert.match(
      loud.stderr,
      /HTTP request sent, awaiting response\.\.\. 503 Service Unavailable\n.* ERROR 503: Service Unavailable\.\n/,
    );
    const refused = await wget(['-O', '-', 'http://10.96.0.9/'], gnu);
    assert.equal(refused.code, 4);
    assert.match(refused.stderr, /Connecting to 10\.96\.0\.9:80\.\.\. failed: Connection refused\.\n/);
    const unknown = await wget(['http://nosuch/'], gnu);
    assert.equal(unknown.code, 4);
    assert.match(unknown.stderr, /wget: unable to resolve host address 'nosuch'\n$/);
  });

  test('no route to host ends the download at once, as refused does, unless --retry-connrefused', async () => {
    const once = await wget(['-t', '3', '-O', '-', 'http://10.96.0.12/'], gnu);
    assert.equal(once.code, 4);
    assert.match(once.stderr, /Connecting to 10\.96\.0\.12:80\.\.\. failed: No route to host\.\n$/);
    assert.doesNotMatch(once.stderr, /Retrying|Giving up/);
    const retried = await wget(['-t', '2', '--retry-connrefused', '-O', '-', 'http://10.96.0.12/'], gnu);
    assert.equal(retried.code, 4);
    assert.match(
      retried.stderr,
      /failed: No route to host\.\nRetrying\.\n\n[^]*failed: No route to host\.\nGiving up\.\n\n$/,
    );
  });
});

const nc = (args: string[], flavour: string, options: Parameters<typeof run>[1] = {}) =>
  run(['nc', ...args], { network: cluster.network, flavours: { nc: flavour }, ...options });

describe('nc (busybox, nc 1.10 compatible)', () => {
  test('-z: exit status only; -v reports an open port', async () => {
    assert.deepEqual(outcome(await nc(['-z', '-w', '1', 'web', '80'], 'busybox')), [0, '', '']);
    assert.deepEqual(outcome(await nc(['-zv', '-w', '1', 'web', '80'], 'busybox')), [
      0,
      '',
      'web (10.96.0.5:80) open\n',
    ]);
  });

  test('a refusal is silent with one -v, reported with two', async () => {
    assert.deepEqual(outcome(await nc(['-zv', 'down', '80'], 'busybox')), [1, '', '']);
    assert.deepEqual(outcome(await nc(['-zvv', 'down', '80'], 'busybox')), [
      1,
      '',
      'nc: down (10.96.0.9:80): Connection refused\nsent 0, rcvd 0\n',
    ]);
  });

  test('bad address', async () => {
    assert.deepEqual(outcome(await nc(['-zv', 'nosuch', '80'], 'busybox')), [
      1,
      '',
      "nc: bad address 'nosuch'\n",
    ]);
  });

  test('HOST PORT relays stdin to the server and the reply to stdout', async () => {
    assert.deepEqual(outcome(await nc(['echo', '7'], 'busybox', { stdin: 'ping\n' })), [0, 'ping\n', '']);
  });
});

describe('nc (busybox, small applet)', () => {
  test('messages of xconnect()', async () => {
    assert.deepEqual(outcome(await nc(['down', '80'], 'busybox-small')), [
      1,
      '',
      "nc: can't connect to remote host (10.96.0.9): Connection refused\n",
    ]);
    assert.deepEqual(outcome(await nc(['nosuch', '80'], 'busybox-small')), [
      1,
      '',
      "nc: bad address 'nosuch'\n",
    ]);
  });
});

describe('nc (OpenBSD netcat, as Debian ships it)', () => {
  test('-zv reports success on stderr, with the IP when a name was given', async () => {
    assert.deepEqual(outcome(await nc(['-zv', '-w', '1', '10.96.0.5', '80'], 'openbsd')), [
      0,
      '',
      'Connection to 10.96.0.5 80 port [tcp/*] succeeded!\n',
    ]);
    assert.deepEqual(outcome(await nc(['-zv', '-w', '1', 'web', '80'], 'openbsd')), [
      0,
      '',
      'Connection to web (10.96.0.5) 80 port [tcp/*] succeeded!\n',
    ]);
    assert.deepEqual(outcome(await nc(['-z', 'web', '80'], 'openbsd')), [0, '', '']);
  });

  test('refused', async () => {
    assert.deepEqual(outcome(await nc(['-zv', '-w', '1', '10.96.0.9', '80'], 'openbsd')), [
      1,
      '',
      'nc: connect to 10.96.0.9 port 80 (tcp) failed: Connection refused\n',
    ]);
    assert.deepEqual(outcome(await nc(['-z', '10.96.0.9', '80'], 'openbsd')), [1, '', '']);
  });

  test('unknown host', async () => {
    assert.deepEqual(outcome(await nc(['-zv', 'nosuch', '80'], 'openbsd')), [
      1,
      '',
      'nc: getaddrinfo for host "nosuch" port 80: Name or service not known\n',
    ]);
  });

  test('-N relays stdin then shuts the socket down', async () => {
    assert.deepEqual(outcome(await nc(['-N', 'echo', '7'], 'openbsd', { stdin: 'hello\n' })), [
      0,
      'hello\n',
      '',
    ]);
  });
});

const exec = (argv: string[], options: Parameters<typeof run>[1] = {}) =>
  run(argv, { network: cluster.network, ...options });

describe('getent', () => {
  test('hosts: the fully qualified name found through the search path', async () => {
    assert.deepEqual(outcome(await exec(['getent', 'hosts', 'web'])), [
      0,
      '10.96.0.5       web.default.svc.cluster.local\n',
      '',
    ]);
    assert.deepEqual(outcome(await exec(['getent', 'hosts', 'web.default'])), [
      0,
      '10.96.0.5       web.default.svc.cluster.local\n',
      '',
    ]);
  });

  test("hosts: /etc/hosts first (the pod's own name, localhost over IPv6 first)", async () => {
    assert.deepEqual(outcome(await exec(['getent', 'hosts', 'client'])), [0, '10.244.0.7      client\n', '']);
    assert.deepEqual(outcome(await exec(['getent', 'hosts', 'localhost'])), [
      0,
      '::1             localhost ip6-localhost ip6-loopback\n',
      '',
    ]);
  });

  test('ahosts lists each socket type, the canonical name on the first line', async () => {
    assert.deepEqual(outcome(await exec(['getent', 'ahosts', 'web'])), [
      0,
      '10.96.0.5       STREAM web.default.svc.cluster.local\n10.96.0.5       DGRAM  \n10.96.0.5       RAW    \n',
      '',
    ]);
  });

  test('exit 2 when the key is not found', async () => {
    assert.deepEqual(outcome(await exec(['getent', 'hosts', 'nosuch'])), [2, '', '']);
  });
});

describe('nslookup', () => {
  test('busybox: found', async () => {
    assert.deepEqual(outcome(await exec(['nslookup', 'web.default.svc.cluster.local'])), [
      0,
      'Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nName:\tweb.default.svc.cluster.local\nAddress: 10.96.0.5\n\n\n',
      '',
    ]);
  });

  test('busybox: NXDOMAIN, for the A and the AAAA query', async () => {
    assert.deepEqual(outcome(await exec(['nslookup', 'nosuch.example'])), [
      1,
      'Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n' +
        "** server can't find nosuch.example: NXDOMAIN\n\n** server can't find nosuch.example: NXDOMAIN\n\n",
      '',
    ]);
  });

  test('busybox: a dotted short name gets no search path (the classic kubernetes.default surprise)', async () => {
    const result = await exec(['nslookup', 'web.default']);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /\*\* server can't find web\.default: NXDOMAIN/);
  });

  test("BIND's nslookup uses the search path", async () => {
    assert.deepEqual(outcome(await exec(['nslookup', 'web'], { flavours: { nslookup: 'bind' } })), [
      0,
      'Server:\t\t10.96.0.10\nAddress:\t10.96.0.10#53\n\nName:\tweb.default.svc.cluster.local\nAddress: 10.96.0.5\n\n',
      '',
    ]);
    const missing = await exec(['nslookup', 'nosuch'], { flavours: { nslookup: 'bind' } });
    assert.deepEqual(outcome(missing), [
      1,
      "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10#53\n\n** server can't find nosuch: NXDOMAIN\n\n",
      '',
    ]);
  });
});
