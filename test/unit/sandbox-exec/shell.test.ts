import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ExecStartError } from '../../../sandbox/exec/index.ts';
import { run, startCluster } from './harness.ts';
import type { Cluster, RunResult } from './harness.ts';

let cluster: Cluster;
before(async () => {
  cluster = await startCluster();
});
after(() => cluster.close());

const sh = (script: string, args: string[] = [], options: Parameters<typeof run>[1] = {}) =>
  run(['sh', '-c', script, ...args], { network: cluster.network, ...options });
const bash = (script: string, args: string[] = [], options: Parameters<typeof run>[1] = {}) =>
  run(['bash', '-c', script, ...args], {
    network: cluster.network,
    tools: new Set(['bash', 'curl']),
    ...options,
  });
const outcome = (result: RunResult) => [result.code, result.stdout, result.stderr];

describe('starting a program', () => {
  test("a program the image lacks fails before anything runs, with the runtime's message", async () => {
    await assert.rejects(
      run(['curl', 'http://web/'], { tools: new Set(['sh']) }),
      (error: unknown) =>
        error instanceof ExecStartError &&
        error.message ===
          'OCI runtime exec failed: exec failed: unable to start container process: exec: "curl": executable file not found in $PATH: unknown',
    );
    await assert.rejects(
      run(['/bin/bash', '-c', 'true'], { tools: new Set(['sh']) }),
      /exec: "\/bin\/bash": stat \/bin\/bash: no such file or directory: unknown$/,
    );
    await assert.rejects(run(['cat', '/etc/hosts'], { tools: new Set(['curl']) }), ExecStartError);
  });

  test('argv runs without a shell: nothing in it is interpreted', async () => {
    const result = await run(['echo', '$HOME', '"q"', 'a;b', '$(id)'], { tools: new Set(['sh']) });
    assert.deepEqual(outcome(result), [0, '$HOME "q" a;b $(id)\n', '']);
  });
});

describe('commands that do not exist', () => {
  const noCurl = new Set(['sh', 'bash']);
  test('busybox ash: "sh: curl: not found", with "line N:" once $0 is given', async () => {
    assert.deepEqual(outcome(await sh('curl http://web/', [], { tools: noCurl })), [
      127,
      '',
      'sh: curl: not found\n',
    ]);
    assert.deepEqual(outcome(await sh('true\ncurl http://web/', ['sh', 'url'], { tools: noCurl })), [
      127,
      '',
      'sh: line 2: curl: not found\n',
    ]);
  });

  test('dash and bash', async () => {
    assert.deepEqual(outcome(await sh('curl x', [], { tools: noCurl, flavours: { sh: 'dash' } })), [
      127,
      '',
      'sh: 1: curl: not found\n',
    ]);
    assert.deepEqual(outcome(await bash('curl x', [], { tools: noCurl })), [
      127,
      '',
      'bash: line 1: curl: command not found\n',
    ]);
  });

  test('command -v, which and type', async () => {
    const result = await sh(
      'command -v curl; command -v echo; command -v nope; echo "v=$?"; which wget nope; echo "w=$?"; type cat; type nope; echo "t=$?"',
    );
    assert.deepEqual(outcome(result), [
      0,
      '/usr/bin/curl\necho\nv=127\n/usr/bin/wget\nw=1\ncat is /bin/cat\nnope: not found\nt=127\n',
      '',
    ]);
    const inBash = await bash('command -v nope; echo "v=$?"; type nope; echo "t=$?"; type echo');
    assert.deepEqual(outcome(inBash), [
      0,
      'v=1\nt=1\necho is a shell builtin\n',
      'bash: line 1: type: nope: not found\n',
    ]);
  });
});

describe('arguments reach tools literally', () => {
  test('a URL full of shell syntax, passed as $1, reaches curl as one untouched argument', async () => {
    const url = 'http://raw/;$(id)`id`';
    const result = await sh('curl -sS "$1"', ['sh', url]);
    assert.equal(result.code, 0);
    assert.ok(
      cluster.rawRequests.at(-1)?.startsWith('GET /;$(id)`id` HTTP/1.1\r\n'),
      cluster.rawRequests.at(-1),
    );
  });

  test('positional parameters, "$@" and $# keep quotes, spaces and semicolons as data', async () => {
    const args = ['a b', '$(id)', '`id`', "'q'", '"d"', ';', '&& echo pwned', '$HOME', '*'];
    const result = await sh(
      'printf "[%s]" "$@"; echo " $#"; x=$1; echo "$x"; for a in "$@"; do printf "<%s>" "$a"; done; echo',
      ['sh', ...args],
    );
    assert.deepEqual(outcome(result), [
      0,
      `${args.map((a) => `[${a}]`).join('')} ${args.length}\na b\n${args.map((a) => `<${a}>`).join('')}\n`,
      '',
    ]);
  });

  test('variables holding shell syntax are never re-parsed', async () => {
    const result = await sh('v=$1; echo $v; echo "$v"; w=$(printf "%s" "$v"); echo "$w"', [
      'sh',
      '$(echo no); echo no',
    ]);
    assert.deepEqual(outcome(result), [
      0,
      '$(echo no); echo no\n$(echo no); echo no\n$(echo no); echo no\n',
      '',
    ]);
  });

  test('unquoted expansions are split into fields, not parsed', async () => {
    const result = await sh('set -- $1; echo $#; printf "<%s>" "$@"; echo', ['sh', 'a  "b c"  ;d']);
    assert.deepEqual(outcome(result), [0, '4\n<a><"b><c"><;d>\n', '']);
  });
});

describe('shell language', () => {
  test('quoting, variables, parameter expansion and arithmetic', async () => {
    const result = await sh(
      'x="a b"; echo "$x" \'$x\' \\$x; echo ${u:-def} ${x:+set} ${#x}; f=/a/b/c.txt; echo ${f##*/} ${f%/*}; echo $((1 + 2 * 3))',
    );
    assert.deepEqual(outcome(result), [0, 'a b $x $x\ndef set 3\nc.txt /a/b\n7\n', '']);
  });

  test('&&, ||, !, if, for, while, command substitution', async () => {
    const result = await sh(
      'false && echo no || echo yes; ! false && echo not; if [ "$1" = on ]; then echo ON; else echo OFF; fi; ' +
        'for i in 1 2; do echo "i$i"; done; n=0; while [ $n -lt 2 ]; do n=$((n+1)); done; echo "n=$n $(echo sub)"',
      ['sh', 'on'],
    );
    assert.deepEqual(outcome(result), [0, 'yes\nnot\nON\ni1\ni2\nn=2 sub\n', '']);
  });

  test('exit codes: exit N, set -e, the status of the last command', async () => {
    assert.deepEqual(outcome(await sh('echo a; exit 3; echo b')), [3, 'a\n', '']);
    assert.deepEqual(outcome(await run(['sh', '-ec', 'echo a; false; echo b'])), [1, 'a\n', '']);
    assert.deepEqual(outcome(await sh('false')), [1, '', '']);
    assert.deepEqual(outcome(await sh('curl -s http://down/; echo "status=$?"')), [0, 'status=7\n', '']);
    assert.deepEqual(outcome(await sh('exec curl -s http://down/; echo never')), [7, '', '']);
  });

  test('redirections: >/dev/null, 2>&1, 2>/dev/null, <, files', async () => {
    const result = await sh(
      'curl -sS http://down/ 2>&1 | head -c 9; echo; curl -sS http://down/ 2>/dev/null; echo "quiet $?"; ' +
        'echo hi >/dev/null; echo saved >/tmp/f; cat </tmp/f; echo err >&2',
    );
    assert.deepEqual(outcome(result), [0, 'curl: (7)\nquiet 7\nsaved\n', 'err\n']);
    const missingDir = await sh('echo x > /nosuch/f');
    assert.deepEqual(outcome(missingDir), [2, '', "sh: can't create /nosuch/f: nonexistent directory\n"]);
  });

  test('pipelines: cmd | head -c N, cat, grep, wc', async () => {
    const result = await sh(
      'curl -s http://web/abc | head -c 5; echo; curl -s http://web/ | cat | grep -c hello; printf "a\\nb\\n" | wc -l',
    );
    assert.deepEqual(outcome(result), [0, 'hello\n1\n2\n', '']);
  });

  test('echo, printf and test as each shell has them', async () => {
    assert.equal((await sh('echo -e "a\\tb"; printf "%s=%03d %x\\n" n 7 255')).stdout, 'a\tb\nn=007 ff\n');
    assert.equal((await sh('echo -e "a\\tb"', [], { flavours: { sh: 'dash' } })).stdout, '-e a\tb\n');
    assert.deepEqual(
      outcome(await sh('[ 1 -lt 2 ] && [ -n "x" ] && [ -f /etc/hosts ] && test ! -d /etc/hosts && echo ok')),
      [0, 'ok\n', ''],
    );
    assert.deepEqual(outcome(await bash('[ 1 = 1')), [2, '', "bash: line 1: [: missing `]'\n"]);
  });

  test("the pod's environment and files", async () => {
    const result = await sh(
      'echo "$HOSTNAME $HOME"; hostname; grep nameserver /etc/resolv.conf; FOO=1 env | grep FOO',
      [],
      {
        env: { PATH: '/bin' },
      },
    );
    assert.deepEqual(outcome(result), [0, 'client /root\nclient\nnameserver 10.96.0.10\nFOO=1\n', '']);
  });

  test('unsupported syntax fails clearly with exit 2, before anything on its line runs', async () => {
    const cases: Array<[string, string]> = [
      [
        'echo a; case x in x) ;; esac',
        "sh: syntax error: 'case' statements is not supported by the KubeReach sandbox shell\n",
      ],
      [
        'cat <<EOF\nx\nEOF',
        'sh: syntax error: here-documents (<<) is not supported by the KubeReach sandbox shell\n',
      ],
      [
        'sleep 1 &',
        'sh: syntax error: background jobs (&) is not supported by the KubeReach sandbox shell\n',
      ],
      [
        'f() { :; }',
        'sh: syntax error: function definitions is not supported by the KubeReach sandbox shell\n',
      ],
    ];
    for (const [script, message] of cases) {
      assert.deepEqual(outcome(await sh(script)), [2, '', message], script);
    }
    assert.deepEqual(outcome(await bash('echo {a,b}')), [
      2,
      '',
      'bash: -c: line 1: syntax error: brace expansion {a,b} is not supported by the KubeReach sandbox shell\n',
    ]);
  });

  test("real syntax errors, in each shell's words", async () => {
    assert.deepEqual(outcome(await sh('echo "open')), [
      2,
      '',
      'sh: syntax error: unterminated quoted string\n',
    ]);
    assert.deepEqual(outcome(await sh('if true; then echo', [], { flavours: { sh: 'dash' } })), [
      2,
      '',
      'sh: 1: Syntax error: end of file unexpected (expecting "fi")\n',
    ]);
    assert.deepEqual(outcome(await bash('echo ok\necho )')), [
      2,
      'ok\n',
      "bash: -c: line 2: syntax error near unexpected token `)'\nbash: -c: line 2: `echo )'\n",
    ]);
  });
});

describe('bash /dev/tcp', () => {
  test('connects through the pod network', async () => {
    const result = await bash(
      'exec 3<>/dev/tcp/$1/$2 && printf "GET / HTTP/1.0\\r\\nHost: web\\r\\n\\r\\n" >&3 && head -n 1 <&3',
      ['bash', 'web', '80'],
    );
    assert.deepEqual(outcome(result), [0, 'HTTP/1.1 200 OK\r\n', '']);
    assert.deepEqual(outcome(await bash('echo ping > /dev/tcp/echo/7 && echo sent')), [0, 'sent\n', '']);
  });

  test('refused and unknown host, as bash reports them', async () => {
    assert.deepEqual(outcome(await bash('exec 3<>/dev/tcp/10.0.0.1/80')), [
      1,
      '',
      'bash: connect: Connection refused\nbash: line 1: /dev/tcp/10.0.0.1/80: Connection refused\n',
    ]);
    assert.deepEqual(outcome(await bash('exec 3<>/dev/tcp/nosuch/80')), [
      1,
      '',
      'bash: line 1: nosuch: Name or service not known\nbash: line 1: /dev/tcp/nosuch/80: Invalid argument\n',
    ]);
  });

  test('sh has no /dev/tcp: it is just a missing file', async () => {
    assert.deepEqual(outcome(await sh('echo x > /dev/tcp/web/80')), [
      2,
      '',
      "sh: can't create /dev/tcp/web/80: nonexistent directory\n",
    ]);
  });
});

describe('resources', () => {
  test('leaves no timer or socket behind, whatever the outcome', async () => {
    const timers = (): number => process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length;
    const settle = () => new Promise((resolve) => setTimeout(resolve, 150));
    await settle();
    const baseline = timers();
    await run(['curl', 'http://web/'], { network: cluster.network });
    await run(['curl', '-s', '--connect-timeout', '0.05', 'http://blocked/'], { network: cluster.network });
    await run(['wget', '-O', '-', 'http://web/'], { network: cluster.network });
    await run(['nc', '-zv', '-w', '5', 'web', '80'], { network: cluster.network });
    await sh('timeout 0.05 sleep 5; curl -s -m 0.05 http://web/slow');
    await bash('exec 3<>/dev/tcp/web/80; read -t 0.05 line <&3; echo done');
    await settle();
    assert.equal(timers(), baseline);
    assert.equal(cluster.network.openSockets(), 0);
  });
});
