import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';
import {
  BASH_TCP_SCRIPT,
  buildProbeCommand,
  CURL_WRITE_OUT,
  decimalSeconds,
  DETECT_SCRIPT,
  kubectlCommand,
  rawHttpRequest,
  shellQuote,
  wholeSeconds,
} from '../../../src/probe/commands.ts';
import { resolveTarget } from '../../../src/probe/target.ts';
import type { ProbeTarget, ResolvedTarget } from '../../../src/probe/types.ts';

function resolved(target: ProbeTarget): ResolvedTarget {
  const result = resolveTarget(target);
  assert.ok(result.ok);
  return result.target;
}

const WITH_TIMEOUT = { timeout: true };
const METACHARACTERS = 'x;id&&$(id)`id`\'s\'"d" |cat>/tmp/o <in *';

describe('commands are argument vectors', () => {
  test('curl: silent with errors, -w timings, both timeouts, method, -k, then -- and the URL as one argument', () => {
    const url = `http://backend.shop/${METACHARACTERS}`;
    const target = resolved({ kind: 'url', url, http: { method: 'POST' } });
    const command = buildProbeCommand('curl', target, 5000, WITH_TIMEOUT);
    assert.deepEqual(command.argv, [
      'curl',
      '-sS',
      '--globoff',
      '-w',
      CURL_WRITE_OUT,
      '--connect-timeout',
      '5',
      '--max-time',
      '5',
      '-X',
      'POST',
      '--',
      'http://backend.shop/x;id&&$(id)`id`\'s\'"d"%20|cat>/tmp/o%20<in%20*',
    ]);
    assert.equal(command.mode, 'http');
    assert.equal(command.stdin, undefined);
    const head = buildProbeCommand(
      'curl',
      resolved({
        kind: 'address',
        host: 'h',
        port: 443,
        protocol: 'http',
        http: { method: 'HEAD', https: true, insecure: true },
      }),
      1500,
      WITH_TIMEOUT,
    );
    assert.deepEqual(head.argv.slice(5), [
      '--connect-timeout',
      '1.5',
      '--max-time',
      '1.5',
      '-I',
      '-k',
      '--',
      'https://h/',
    ]);
    assert.equal(head.toolTimeoutMs, 1500);
  });

  test('curl in TCP mode connects with an HTTP request to host:port', () => {
    const command = buildProbeCommand(
      'curl',
      resolved({ kind: 'address', host: 'db.data', port: 5432 }),
      2000,
      WITH_TIMEOUT,
    );
    assert.equal(command.mode, 'tcp');
    assert.deepEqual(command.argv.slice(-2), ['--', 'http://db.data:5432/']);
    assert.match(command.notes.join(' '), /TCP connection by sending an HTTP request/);
  });

  test('wget: -S for the status, body to stdout, -T whole seconds, one try, --no-check-certificate on request', () => {
    const command = buildProbeCommand(
      'wget',
      resolved({ kind: 'url', url: `https://api.ns/${METACHARACTERS}`, http: { insecure: true } }),
      2500,
      WITH_TIMEOUT,
    );
    assert.deepEqual(command.argv, [
      'wget',
      '-S',
      '-O',
      '-',
      '-T',
      '3',
      '-t',
      '1',
      '--no-check-certificate',
      '--',
      'https://api.ns/x;id&&$(id)`id`\'s\'"d"%20|cat>/tmp/o%20<in%20*',
    ]);
    assert.equal(command.toolTimeoutMs, 3000);
    const post = buildProbeCommand(
      'wget',
      resolved({ kind: 'url', url: 'http://a/', http: { method: 'DELETE' } }),
      1000,
      WITH_TIMEOUT,
    );
    assert.match(post.notes.join(' '), /can only send GET/);
  });

  test('nc: -z -v -v -w for TCP, host and port after --, each one argument', () => {
    const command = buildProbeCommand(
      'nc',
      resolved({ kind: 'address', host: METACHARACTERS, port: 5432 }),
      900,
      WITH_TIMEOUT,
    );
    assert.deepEqual(command.argv, ['nc', '-z', '-v', '-v', '-w', '1', '--', METACHARACTERS, '5432']);
    assert.equal(command.stdin, undefined);
  });

  test('nc speaks HTTP through its stdin for http:// targets, TCP only for https', () => {
    const target = resolved({ kind: 'url', url: "http://web.ns:8080/a;b$(c)'d'", http: { method: 'GET' } });
    const command = buildProbeCommand('nc', target, 3000, WITH_TIMEOUT);
    assert.deepEqual(command.argv, ['nc', '-v', '-v', '-w', '3', '--', 'web.ns', '8080']);
    assert.equal(
      command.stdin,
      "GET /a;b$(c)'d' HTTP/1.1\r\nHost: web.ns:8080\r\nUser-Agent: kubereach-probe\r\nAccept: */*\r\nConnection: close\r\n\r\n",
    );
    assert.equal(command.mode, 'http');
    const tls = buildProbeCommand(
      'nc',
      resolved({ kind: 'url', url: 'https://web.ns/' }),
      3000,
      WITH_TIMEOUT,
    );
    assert.equal(tls.mode, 'tcp');
    assert.equal(tls.argv[1], '-z');
    assert.match(tls.notes.join(' '), /cannot speak TLS/);
    assert.equal(
      rawHttpRequest(resolved({ kind: 'url', url: 'http://[fd00::1]/' })).split('\r\n')[1],
      'Host: [fd00::1]',
    );
  });

  test('bash: a constant script, host and port as positional parameters, bounded by timeout when there is one', () => {
    const target = resolved({ kind: 'address', host: METACHARACTERS, port: 80 });
    const command = buildProbeCommand('bash', target, 4200, WITH_TIMEOUT);
    assert.deepEqual(command.argv, [
      'timeout',
      '5',
      'bash',
      '-c',
      'exec 3<>/dev/tcp/"$1"/"$2"',
      'kubereach-probe',
      METACHARACTERS,
      '80',
    ]);
    assert.equal(BASH_TCP_SCRIPT, 'exec 3<>/dev/tcp/"$1"/"$2"');
    const bare = buildProbeCommand('bash', target, 4200, { timeout: false });
    assert.deepEqual(bare.argv.slice(0, 3), ['bash', '-c', BASH_TCP_SCRIPT]);
    assert.match(bare.notes.join(' '), /no `timeout`/);
    const http = buildProbeCommand('bash', resolved({ kind: 'url', url: 'http://web/' }), 1000, WITH_TIMEOUT);
    assert.equal(http.mode, 'tcp');
    assert.match(http.notes.join(' '), /only the TCP connection was checked/);
  });

  test('cluster data is never part of a script: the only `-c` script is a constant', () => {
    const target = resolved({ kind: 'url', url: `http://evil/${METACHARACTERS}` });
    for (const tool of ['curl', 'wget', 'nc', 'bash'] as const) {
      const { argv } = buildProbeCommand(tool, target, 1000, WITH_TIMEOUT);
      const scripts = argv.filter((_, index) => argv[index - 1] === '-c');
      assert.ok(
        scripts.every((script) => script === BASH_TCP_SCRIPT),
        `${tool}: ${JSON.stringify(scripts)}`,
      );
    }
    assert.ok(!DETECT_SCRIPT.includes('$1'));
  });

  test('timeouts in the units each tool takes', () => {
    assert.equal(decimalSeconds(5000), '5');
    assert.equal(decimalSeconds(250), '0.25');
    assert.equal(decimalSeconds(0), '0.001');
    assert.equal(wholeSeconds(1), 1);
    assert.equal(wholeSeconds(1000), 1);
    assert.equal(wholeSeconds(1001), 2);
  });
});

describe('the copyable command', () => {
  /** What a real POSIX shell makes of the words: proof that the quoting round-trips. */
  function shellWords(line: string): string[] {
    const out = execFileSync('sh', ['-c', `for w in ${line}; do printf '%s\\0' "$w"; done`], {
      encoding: 'utf8',
    });
    return out.split('\0').slice(0, -1);
  }

  test('quotes only what needs it', () => {
    assert.equal(shellQuote('http://a.b/c'), 'http://a.b/c');
    assert.equal(shellQuote(''), "''");
    assert.equal(shellQuote("it's"), "'it'\\''s'");
  });

  test('kubectl exec with context, namespace, Pod, container, and argv that a shell reads back exactly', () => {
    const argv = ['curl', '-w', CURL_WRITE_OUT, '--', `http://x/${METACHARACTERS}`, '', "a'b"];
    const line = kubectlCommand(
      { namespace: 'shop', pod: 'web-1', container: 'app', context: 'prod ctx' },
      argv,
    );
    assert.ok(line.startsWith("kubectl --context 'prod ctx' exec -n shop web-1 -c app -- curl -w "), line);
    const words = shellWords(line);
    assert.deepEqual(words, [
      'kubectl',
      '--context',
      'prod ctx',
      'exec',
      '-n',
      'shop',
      'web-1',
      '-c',
      'app',
      '--',
      ...argv,
    ]);
  });

  test('stdin is piped with printf, one quoted argument per line', () => {
    const request = "GET /a'b HTTP/1.1\r\nHost: h\r\n\r\n";
    const line = kubectlCommand({ namespace: 'n', pod: 'p' }, ['nc', 'h', '80'], request);
    assert.equal(
      line,
      "printf '%s\\r\\n' 'GET /a'\\''b HTTP/1.1' 'Host: h' '' | kubectl exec -i -n n p -- nc h 80",
    );
    const printed = execFileSync('sh', ['-c', line.slice(0, line.indexOf(' | '))], { encoding: 'latin1' });
    assert.equal(printed, request);
  });
});
