/**
 * Everything that has to wait for a timer, run concurrently so that the suite stays fast: busybox wget and
 * OpenBSD nc only take whole seconds.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { fakeNetwork, run, startCluster } from './harness.ts';
import type { Cluster, RunResult } from './harness.ts';

let cluster: Cluster;
before(async () => {
  cluster = await startCluster();
});
after(() => cluster.close());

const exec = (argv: string[], options: Parameters<typeof run>[1] = {}) =>
  run(argv, { network: cluster.network, ...options });
const outcome = (result: RunResult) => [result.code, result.stdout, result.stderr];

describe('timeouts', { concurrency: true }, () => {
  test('curl 28: a dropped SYN times out in the connect phase', async () => {
    const result = await exec([
      'curl',
      '-sS',
      '--connect-timeout',
      '0.2',
      '-w',
      '%{http_code}',
      'http://blocked/',
    ]);
    assert.equal(result.code, 28);
    assert.equal(result.stdout, '000');
    // curl reports the time it really waited: at least the 200 ms asked, more on a loaded machine.
    const reported = Number(
      /^curl: \(28\) Connection timed out after (\d+) milliseconds\n$/.exec(result.stderr)?.[1],
    );
    assert.ok(reported >= 200 && reported < 1000, result.stderr);
    assert.ok(result.ms >= 195 && result.ms < 1000, `${result.ms} ms`);
    // The sandbox is asked to give up at the same deadline (what is left of the 200 ms).
    const asked = cluster.network.connects
      .filter((line) => line.startsWith('10.96.0.6:80 '))
      .map((line) => Number(line.split(' ')[1]));
    assert.ok(
      asked.some((ms) => ms > 100 && ms <= 201),
      asked.join(' '),
    );
  });

  test('curl 28: --max-time during the transfer reports the bytes received', async () => {
    const result = await exec(['curl', '-sS', '-m', '0.2', 'http://web/slow']);
    assert.equal(result.code, 28);
    assert.equal(result.stdout, 'abc');
    assert.match(
      result.stderr,
      /^curl: \(28\) Operation timed out after 2\d\d milliseconds with 3 out of 10 bytes received\n$/,
    );
  });

  test('busybox wget: a dropped connection times out after -T seconds', async () => {
    const result = await exec(['wget', '-q', '-T', '1', '-O', '-', 'http://blocked/']);
    assert.deepEqual(outcome(result), [1, '', 'wget: download timed out\n']);
    assert.ok(result.ms >= 990 && result.ms < 2000, `${result.ms} ms`);
  });

  test('busybox wget: -T also bounds a stalled body', async () => {
    const result = await exec(['wget', '-q', '-T', '1', '-O', '-', 'http://web/slow']);
    assert.deepEqual(outcome(result), [1, 'abc', 'wget: download timed out\n']);
  });

  test('GNU wget: exit 4 once the tries are used up', async () => {
    const result = await exec(['wget', '-t', '1', '-T', '1', 'http://blocked/'], {
      flavours: { wget: 'gnu' },
    });
    assert.equal(result.code, 4);
    assert.match(
      result.stderr,
      /Connecting to blocked \(blocked\)\|10\.96\.0\.6\|:80\.\.\. failed: Connection timed out\.\nGiving up\.\n/,
    );
  });

  test('OpenBSD nc: a dropped SYN times out after -w', async () => {
    const result = await exec(['nc', '-zv', '-w', '1', 'blocked', '80'], { flavours: { nc: 'openbsd' } });
    assert.deepEqual(outcome(result), [
      1,
      '',
      'nc: connect to blocked (10.96.0.6) port 80 (tcp) timed out: Operation now in progress\n',
    ]);
    assert.ok(result.ms >= 990 && result.ms < 2000, `${result.ms} ms`);
  });

  test('coreutils timeout exits 124', async () => {
    const result = await exec(['sh', '-c', 'timeout 0.1 sleep 5; echo "status=$?"'], {
      flavours: { sh: 'dash' },
    });
    assert.deepEqual(outcome(result), [0, 'status=124\n', '']);
    assert.ok(result.ms < 1000, `${result.ms} ms`);
    const direct = await exec(['timeout', '0.1', 'curl', '-s', 'http://blocked/'], {
      flavours: { utils: 'gnu' },
    });
    assert.equal(direct.code, 124);
  });

  test('busybox timeout kills the program: the shell reports it, status 143', async () => {
    const result = await exec(['sh', '-c', 'timeout 0.1 curl -s http://blocked/; echo "status=$?"']);
    assert.deepEqual(outcome(result), [0, 'status=143\n', 'Terminated\n']);
  });

  test('aborting the exec stops everything promptly and closes its sockets', async () => {
    const network = fakeNetwork({ hosts: cluster.hosts, routes: cluster.routes });
    const controller = new AbortController();
    let abortedAt = 0;
    // Abort once curl is mid-transfer (it has printed the first bytes), whatever the machine's load.
    const result = await run(['sh', '-c', 'curl -s http://web/slow; sleep 30'], {
      network,
      signal: controller.signal,
      onStdout: (soFar) => {
        if (soFar === 'abc' && abortedAt === 0) {
          abortedAt = performance.now();
          setImmediate(() => controller.abort());
        }
      },
    });
    const stoppedAfter = performance.now() - abortedAt;
    assert.notEqual(result.code, 0);
    assert.ok(abortedAt > 0, 'curl started the transfer');
    assert.ok(stoppedAfter < 300, `${stoppedAfter} ms after the abort`);
    assert.equal(result.stdout, 'abc');
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(network.openSockets(), 0);
  });
});
