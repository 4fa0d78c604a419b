import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createServer } from 'node:tls';
import type { Server as TlsServer } from 'node:tls';
import { run, startCluster } from './harness.ts';
import type { Cluster } from './harness.ts';
import { selfSignedCertificate } from './selfSigned.ts';

let cluster: Cluster;
let tlsServer: TlsServer;
const certificate = selfSignedCertificate({
  commonName: 'secure',
  dnsNames: ['secure', 'secure.default.svc.cluster.local'],
  ips: ['10.96.0.20'],
});

before(async () => {
  cluster = await startCluster();
  tlsServer = createServer({ key: certificate.key, cert: certificate.cert }, (socket) => {
    socket.on('error', () => {});
    socket.once('data', () =>
      socket.end('HTTP/1.1 200 OK\r\nContent-Length: 7\r\nConnection: close\r\n\r\nsecret\n'),
    );
  });
  await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
  cluster.routes['10.96.0.20:443'] = { port: (tlsServer.address() as AddressInfo).port };
  // A plain HTTP server where HTTPS is expected: the handshake fails.
  cluster.routes['10.96.0.5:443'] = cluster.routes['10.96.0.5:80'] as { port: number };
});

after(async () => {
  await new Promise<void>((resolve) => tlsServer.close(() => resolve()));
  await cluster.close();
});

const curl = (args: string[], options: Parameters<typeof run>[1] = {}) =>
  run(['curl', ...args], { network: cluster.network, ...options });

describe('curl: successful transfers', () => {
  test('prints the body on stdout and nothing else with -sS', async () => {
    const result = await curl(['-sS', 'http://web/index.html']);
    assert.deepEqual(result, { ...result, code: 0, stdout: 'hello from /index.html\n', stderr: '' });
  });

  test('sends exactly the request curl 8.5 sends', async () => {
    await curl(['-s', 'http://raw/path?q=1']);
    assert.equal(
      cluster.rawRequests.at(-1),
      'GET /path?q=1 HTTP/1.1\r\nHost: raw\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n',
    );
    await curl(['-s', '-H', 'X-Probe: 1', '-H', 'Accept:', '-A', 'probe/1', '-d', 'a=1', 'http://raw/']);
    assert.equal(
      cluster.rawRequests.at(-1),
      'POST / HTTP/1.1\r\nHost: raw\r\nUser-Agent: probe/1\r\nX-Probe: 1\r\nContent-Length: 3\r\n' +
        'Content-Type: application/x-www-form-urlencoded\r\n\r\na=1',
    );
  });

  test('-w reports the code, the peer and the phase timings with six decimals, in order', async () => {
    const format =
      '%{http_code} %{remote_ip}:%{remote_port} %{size_download} %{exitcode} [%{errormsg}] ' +
      '%{time_namelookup} %{time_connect} %{time_appconnect} %{time_starttransfer} %{time_total}\\n';
    const result = await curl(['-s', '-o', '/dev/null', '-w', format, 'http://web/']);
    assert.equal(result.code, 0);
    const match = /^200 10\.96\.0\.5:80 13 0 \[\] (\S+) (\S+) (\S+) (\S+) (\S+)\n$/.exec(result.stdout);
    assert.ok(match, result.stdout);
    const [lookup, connect, appconnect, start, total] = match.slice(1).map((text) => {
      assert.match(text, /^\d+\.\d{6}$/);
      return Number(text);
    }) as [number, number, number, number, number];
    assert.equal(appconnect, 0);
    assert.ok(lookup <= connect && connect <= start && start <= total, result.stdout);
  });

  test('-w writes %{http_code} as 000 and the error message when nothing answered', async () => {
    const result = await curl(['-s', '-w', '%{http_code} %{exitcode} %{errormsg}', 'http://nosuch/']);
    assert.equal(result.stdout, '000 6 Could not resolve host: nosuch');
    assert.equal(result.stderr, '');
  });

  test('shows the progress meter on stderr when not silent, as curl does on a pipe', async () => {
    // The server answers chunked: the size is not known in advance, so "% Received" stays 0.
    const result = await curl(['http://web/']);
    assert.equal(result.stdout, 'hello from /\n');
    assert.match(
      result.stderr,
      /^ {2}% Total {4}% Received % Xferd {2}Average Speed {3}Time {4}Time {5}Time {2}Current\n {33}Dload {2}Upload {3}Total {3}Spent {4}Left {2}Speed\n\r {2}0 {5}0 {4}0 {5}0 {4}0 {5}0 {6}0 {6}0 --:--:-- --:--:-- --:--:-- {5}0(\r.*)*\r100 {4}13 {4}0 {4}13 {4}0 {5}0 +\d+ +0 --:--:-- --:--:-- --:--:-- +\d+\n$/,
    );
  });

  test('-I prints the response head, -L follows redirects', async () => {
    const head = await curl(['-sI', 'http://web/']);
    assert.match(head.stdout, /^HTTP\/1\.1 200 OK\r\ncontent-type: text\/plain\r\n[\s\S]*\r\n\r\n$/);
    const followed = await curl(['-sL', '-w', '%{num_redirects} %{url_effective}', 'http://web/redirect']);
    assert.equal(followed.stdout, 'hello from /final\n1 http://web/final');
    const notFollowed = await curl(['-s', '-w', '%{http_code} %{redirect_url}', 'http://web/redirect']);
    assert.equal(notFollowed.stdout, '302 http://web/final');
  });

  test('-o writes the body to a file the next command can read', async () => {
    const files = new Map<string, Buffer>();
    const result = await curl(['-sS', '-o', '/tmp/page', 'http://web/'], { files });
    assert.equal(result.stdout, '');
    assert.equal(files.get('/tmp/page')?.toString(), 'hello from /\n');
    const missing = await curl(['-sS', '-o', '/nosuch/dir/page', 'http://web/']);
    assert.equal(missing.code, 23);
    assert.equal(
      missing.stderr,
      'Warning: Failed to open the file /nosuch/dir/page: No such file or directory\n' +
        'curl: (23) Failure writing output to destination\n',
    );
  });
});

describe('curl: HTTP errors', () => {
  test('503 is a successful transfer (exit 0) without -f', async () => {
    const result = await curl(['-sS', '-w', '%{http_code}', 'http://web/fail']);
    assert.equal(result.code, 0);
    assert.equal(result.stdout, 'unavailable\n503');
  });

  test('-f makes it exit 22 with the message and no body', async () => {
    const result = await curl(['-sSf', 'http://web/fail']);
    assert.equal(result.code, 22);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr, 'curl: (22) The requested URL returned error: 503\n');
    const silent = await curl(['-sf', 'http://web/fail']);
    assert.equal(silent.code, 22);
    assert.equal(silent.stderr, '');
  });
});

describe('curl: network failures', () => {
  test('6: the name does not resolve', async () => {
    const result = await curl(['-sS', 'http://nosuch.example/']);
    assert.equal(result.code, 6);
    assert.equal(result.stderr, 'curl: (6) Could not resolve host: nosuch.example\n');
  });

  test('7: nothing listens (refused) or no route', async () => {
    const refused = await curl(['-sS', 'http://down:8080/']);
    assert.equal(refused.code, 7);
    assert.match(
      refused.stderr,
      /^curl: \(7\) Failed to connect to down port 8080 after \d+ ms: Couldn't connect to server\n$/,
    );
    const unreachable = await curl(['-sS', 'http://10.96.0.12/']);
    assert.equal(unreachable.code, 7);
  });

  test('52: the server closes without a reply', async () => {
    const result = await curl(['-sS', 'http://empty/']);
    assert.equal(result.code, 52);
    assert.equal(result.stderr, 'curl: (52) Empty reply from server\n');
  });

  test('56: the server resets the connection', async () => {
    const result = await curl(['-sS', 'http://reset/']);
    assert.equal(result.code, 56);
    assert.equal(result.stderr, 'curl: (56) Recv failure: Connection reset by peer\n');
  });

  test('-s hides the error message, -S shows it again', async () => {
    assert.equal((await curl(['-s', 'http://down/'])).stderr, '');
    assert.match((await curl(['-sS', 'http://down/'])).stderr, /^curl: \(7\)/);
  });
});

describe('curl: TLS', () => {
  test("60: a self-signed certificate is rejected, with curl's advice", async () => {
    const result = await curl(['-sS', 'https://secure/']);
    assert.equal(result.code, 60);
    assert.ok(
      result.stderr.startsWith('curl: (60) SSL certificate problem: self-signed certificate\n'),
      result.stderr,
    );
    assert.match(result.stderr, /More details here: https:\/\/curl\.se\/docs\/sslcerts\.html/);
  });

  test('-k accepts it; --cacert trusts it and checks the name', async () => {
    assert.equal((await curl(['-sSk', 'https://secure/'])).stdout, 'secret\n');
    const files = new Map([['/tmp/ca.pem', Buffer.from(certificate.cert)]]);
    const trusted = await curl(
      ['-sS', '--cacert', '/tmp/ca.pem', '-w', ' %{time_appconnect}', 'https://secure/'],
      {
        files,
      },
    );
    assert.equal(trusted.code, 0);
    assert.match(trusted.stdout, /^secret\n \d+\.\d{6}$/);
    assert.notEqual(trusted.stdout.endsWith(' 0.000000'), true);
    const wrongName = await curl(
      ['-sS', '--cacert', '/tmp/ca.pem', '--resolve', 'other:443:10.96.0.20', 'https://other/'],
      {
        files,
      },
    );
    assert.equal(wrongName.code, 60);
    assert.match(
      wrongName.stderr,
      /^curl: \(60\) SSL: no alternative certificate subject name matches target host name 'other'\n/,
    );
  });

  test('35: the handshake fails against a plain HTTP port', async () => {
    const result = await curl(['-sS', 'https://web/']);
    assert.equal(result.code, 35);
    assert.equal(
      result.stderr,
      'curl: (35) OpenSSL/3.0.13: error:0A00010B:SSL routines::wrong version number\n',
    );
  });
});

describe('curl: command line', () => {
  test("usage errors exit 2 with curl's messages", async () => {
    assert.deepEqual(await curl(['--bogus', 'http://web/']).then((r) => [r.code, r.stderr]), [
      2,
      "curl: option --bogus: is unknown\ncurl: try 'curl --help' or 'curl --manual' for more information\n",
    ]);
    assert.deepEqual(await curl(['-m', 'soon', 'http://web/']).then((r) => [r.code, r.stderr]), [
      2,
      "curl: option -m: expected a proper numerical parameter\ncurl: try 'curl --help' or 'curl --manual' for more information\n",
    ]);
    assert.deepEqual(await curl([]).then((r) => [r.code, r.stderr]), [
      2,
      "curl: (2) no URL specified\ncurl: try 'curl --help' or 'curl --manual' for more information\n",
    ]);
  });

  test('a URL without a scheme is http, host:port included', async () => {
    assert.equal((await curl(['-s', 'web:80/x'])).stdout, 'hello from /x\n');
  });

  test('a hostname with shell syntax in it is just a bad hostname', async () => {
    const result = await curl(['-sS', 'http://web;$(id)/']);
    assert.equal(result.code, 3);
    assert.equal(result.stderr, 'curl: (3) URL rejected: Bad hostname\n');
  });
});
