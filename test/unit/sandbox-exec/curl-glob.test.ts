/**
 * curl's URL globbing, as real curl (7.88 on Debian 12, 8.5 on Ubuntu 24.04) does it: every
 * expected text below was printed by a real curl against a server answering `path=<path>`-like
 * bodies (here: `hello from <path>`). Then: the prober's curl command sends one request with
 * `--globoff`, several without.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildProbeCommand } from '../../../src/probe/commands.ts';
import { resolveTarget } from '../../../src/probe/target.ts';
import { MAX_GLOB_URLS } from '../../../sandbox/exec/tools/curl.ts';
import { parseGlob } from '../../../sandbox/exec/tools/urlGlob.ts';
import { httpServer, run, startCluster } from './harness.ts';
import type { Cluster } from './harness.ts';

let cluster: Cluster;
let paths: string[] = [];
let closeCounter: () => Promise<void>;

before(async () => {
  cluster = await startCluster();
  const counter = await httpServer((request, response) => {
    paths.push(request.url ?? '');
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.end(`path=${request.url}\n`);
  });
  closeCounter = counter.close;
  cluster.routes['10.96.0.30:80'] = { port: counter.port };
  cluster.hosts['glob.default.svc.cluster.local'] = ['10.96.0.30'];
});

after(async () => {
  await closeCounter();
  await cluster.close();
});

const curl = (args: string[], options: Parameters<typeof run>[1] = {}) =>
  run(['curl', ...args], { network: cluster.network, ...options });

async function requests(args: string[]): Promise<{ paths: string[]; code: number; stderr: string }> {
  paths = [];
  const result = await curl(args);
  return { paths, code: result.code, stderr: result.stderr };
}

describe('curl: URL globbing', () => {
  test('ranges and sets expand into URLs fetched one after the other, the last varying fastest', async () => {
    const cases: Array<[string, string[]]> = [
      ['/[1-3]', ['/1', '/2', '/3']],
      ['/[a-c]', ['/a', '/b', '/c']],
      ['/[01-03]', ['/01', '/02', '/03']],
      ['/[01-1]', ['/01']],
      ['/[1-03]', ['/1', '/2', '/3']],
      ['/[1-10:4]', ['/1', '/5', '/9']],
      ['/[a-e:2]', ['/a', '/c', '/e']],
      ['/[1- 3]', ['/1', '/2', '/3']],
      ['/{a,b}', ['/a', '/b']],
      ['/{a,}', ['/a', '/']],
      ['/x{a,b}[1-2]', ['/xa1', '/xa2', '/xb1', '/xb2']],
      ['/[]', ['/[]']],
      ['/\\[1-3\\]', ['/[1-3]']],
      ['/\\{a\\}', ['/{a}']],
      ['/%5B1-2%5D', ['/%5B1-2%5D']],
    ];
    for (const [path, expected] of cases) {
      const result = await curl(['-sS', `http://glob${path}`]);
      assert.equal(result.code, 0, `${path}: ${result.stderr}`);
      assert.equal(result.stdout, expected.map((p) => `path=${p}\n`).join(''), path);
    }
  });

  test('-w writes once per transfer; %{url} is the expanded URL, %{urlnum} the command-line URL', async () => {
    const result = await curl([
      '-s',
      '-o',
      '/dev/null',
      '-w',
      '%{urlnum} [%{url}] %{url_effective}\\n',
      'http://glob/[1-3]',
      'http://glob/x',
    ]);
    assert.equal(
      result.stdout,
      '0 [http://glob/1] http://glob/1\n0 [http://glob/2] http://glob/2\n0 [http://glob/3] http://glob/3\n' +
        // -o names the first URL's output only, as in curl: the second body goes to stdout.
        'path=/x\n1 [http://glob/x] http://glob/x\n',
    );
  });

  test('-o names files with #N, the value of the Nth glob', async () => {
    const files = new Map<string, Buffer>();
    const result = await curl(['-s', '-o', '/tmp/o_#1_#2_#9.txt', 'http://glob/{a,b}[1-2]'], { files });
    assert.equal(result.code, 0);
    assert.deepEqual([...files.keys()].filter((name) => name.startsWith('/tmp/')).sort(), [
      '/tmp/o_a_1_#9.txt',
      '/tmp/o_a_2_#9.txt',
      '/tmp/o_b_1_#9.txt',
      '/tmp/o_b_2_#9.txt',
    ]);
    assert.equal(files.get('/tmp/o_b_2_#9.txt')?.toString(), 'path=/b2\n');
  });

  test('--globoff and -g send the URL as written', async () => {
    for (const flag of ['--globoff', '-g', '-sg']) {
      const sent = await requests(['-sS', flag, 'http://glob/[1-3]{a,b}']);
      assert.deepEqual(sent.paths, ['/[1-3]{a,b}'], flag);
    }
  });

  test("a malformed glob is curl's error 3 with the position and a caret; nothing more is fetched", async () => {
    // Positions as real curl printed them for http://127.0.0.1:18765/<glob>.
    const cases: Array<[string, string, number]> = [
      ['[3-1]', 'bad range', 29],
      ['[1-', 'bad range', 27],
      ['[1-3', 'bad range', 27],
      ['[1-3:2', 'bad range', 29],
      ['[1-3:0]', 'bad range', 31],
      ['[a-3]', 'bad range', 29],
      ['[z-a]', 'bad range', 29],
      ['[aa-c]', 'bad range', 25],
      ['[a-c', 'bad range', 25],
      ['[a-c:x]', 'bad range', 25],
      ['[-1-3]', 'bad range specification', 25],
      ['[1-100000000000000000000]', 'bad range', 27],
      ['{a,b', 'unmatched brace', 24],
      ['{a,b}{c', 'unmatched brace', 28],
      ['{}', 'empty string within braces', 25],
      ['{a,[b}', 'nested brace', 27],
      ['a]', 'unmatched close brace/bracket', 25],
      ['{a]}', 'unexpected close bracket', 26],
      ['[1-9999999999][1-9999999999][1-9999999999]', 'range overflow', 52],
    ];
    for (const [glob, message, position] of cases) {
      const url = `http://127.0.0.1:18765/${glob}`;
      const sent = await requests(['-sS', url, 'http://glob/after']);
      assert.equal(sent.code, 3, glob);
      assert.equal(
        sent.stderr,
        `curl: (3) ${message} in URL position ${position}:\n${url}\n${' '.repeat(position - 1)}^\n`,
        glob,
      );
      assert.deepEqual(sent.paths, [], `${glob}: nothing fetched, not even the next URL`);
    }
    // Silent without -S: no message, still exit 3; URLs before the bad one are fetched.
    const silent = await requests(['-s', '-w', '%{http_code}', 'http://glob/before', 'http://glob/[3-1]']);
    assert.deepEqual([silent.code, silent.stderr, silent.paths], [3, '', ['/before']]);
  });

  test('an IPv6 literal and [] are not globs', () => {
    for (const url of [
      'http://[::1]:8080/x',
      'http://[fe80::1%25eth0]/',
      'http://h/[]',
      'http://h/[::ffff:1.2.3.4]',
    ]) {
      const glob = parseGlob(url);
      assert.equal(glob.amount, 1n, url);
      assert.deepEqual(
        [...glob.urls()].map((u) => u.url),
        [url],
      );
    }
    assert.equal(parseGlob('http://h/[1-100000000]').amount, 100_000_000n);
  });

  test(`a glob of more than ${MAX_GLOB_URLS} URLs is refused, saying real curl would request them all`, async () => {
    const sent = await requests(['-sS', 'http://glob/[1-100000000]']);
    assert.equal(sent.code, 2);
    assert.deepEqual(sent.paths, []);
    assert.equal(
      sent.stderr,
      `curl: the URL glob of http://glob/[1-100000000] gives 100000000 URLs; the KubeReach sandbox expands at most ${MAX_GLOB_URLS} (real curl would request every one). Pass --globoff (-g) to send the URL as written.\n`,
    );
  });
});

describe("the prober's curl command", () => {
  function probeArgv(url: string): string[] {
    const resolved = resolveTarget({ kind: 'url', url });
    assert.ok(resolved.ok);
    return [...buildProbeCommand('curl', resolved.target, 2000, { timeout: true }).argv];
  }

  test('passes --globoff: a typed [1-3] is one request, where curl without it would make three', async () => {
    const argv = probeArgv('http://glob/[1-3]');
    assert.ok(argv.includes('--globoff'));
    const withFlag = await requests(argv.slice(1));
    assert.deepEqual(withFlag.paths, ['/[1-3]']);
    const without = await requests(argv.slice(1).filter((arg) => arg !== '--globoff'));
    assert.deepEqual(without.paths, ['/1', '/2', '/3']);
  });

  test('a typed [1-100000000] is one request, where curl without --globoff would make a hundred million', async () => {
    const argv = probeArgv('http://glob/[1-100000000]');
    const withFlag = await requests(argv.slice(1));
    assert.deepEqual(withFlag.paths, ['/[1-100000000]']);
    const without = await requests(argv.slice(1).filter((arg) => arg !== '--globoff'));
    assert.deepEqual(without.paths, []);
    assert.match(without.stderr, /gives 100000000 URLs/);
  });
});
