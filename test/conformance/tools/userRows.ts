/**
 * Command lines users type in `kubectl exec` to check a connection by hand: curl's everyday options,
 * busybox and GNU wget, OpenBSD and busybox nc, bash's `/dev/tcp`, getent and nslookup. Those of the four
 * probing tools carry a probe command too, so that the prober's classification runs on them as well.
 */
import { resolved } from './proberRows.ts';
import type { Row } from './rows.ts';
import { HOST, UNREACHABLE_HOST } from './situations.ts';
import type { Situations } from './situations.ts';
import { DEBIAN, VARIANTS } from './variants.ts';

export function userRows(s: Situations): Row[] {
  const http = (path: string, port = s.http): string => `http://${HOST}:${port}${path}`;
  /** Run with `network: 'none'` (no route to anywhere): connects fail at once with ENETUNREACH. */
  const unreachable = `http://${UNREACHABLE_HOST}:8080/ok`;
  const noRoute = (id: string): Pick<Row, 'network'> =>
    id.endsWith('@ unreachable') ? { network: 'none' } : {};
  const rows: Row[] = [];
  const classified = (
    tool: 'curl' | 'wget' | 'nc' | 'bash',
    mode: 'http' | 'tcp',
    url: string,
    toolTimeoutMs: number,
  ): Row['probe'] => ({
    command: { tool, mode, toolTimeoutMs },
    target: resolved({ kind: 'url', url: mode === 'tcp' ? url.replace(/^http:/, 'tcp:') : url }),
  });

  const curl = (id: string, args: string[], url: string, timeoutMs = 10_000): void => {
    rows.push({
      id: `user: curl ${id}`,
      argv: ['curl', ...args, url],
      flavours: DEBIAN,
      stdout: 'exact',
      ...noRoute(id),
      probe: classified('curl', 'http', url.replace(/[[\]{}]/g, ''), timeoutMs),
    });
  };
  curl('(plain) @ ok', [], http('/ok'));
  curl('-sS @ missing', ['-sS'], http('/missing'));
  curl('-sS @ closed', ['-sS'], http('/ok', s.closed));
  curl('(plain) @ closed', [], http('/ok', s.closed));
  curl(
    '-sS -o /dev/null -w %{http_code} @ unavailable',
    ['-sS', '-o', '/dev/null', '-w', '%{http_code}'],
    http('/unavailable'),
  );
  curl(
    '-s -o /dev/null -w "%{http_code}\\n" @ closed',
    ['-s', '-o', '/dev/null', '-w', '%{http_code}\\n'],
    http('/ok', s.closed),
  );
  curl('-sS --max-time 1 @ hang', ['-sS', '--max-time', '1'], http('/ok', s.hang), 1000);
  curl('-sS --connect-timeout 1 @ drop', ['-sS', '--connect-timeout', '1'], http('/ok', s.drop), 1000);
  curl(
    '-sS --connect-timeout 0.5 --max-time 1 @ drop',
    ['-sS', '--connect-timeout', '0.5', '--max-time', '1'],
    http('/ok', s.drop),
    500,
  );
  curl('-sS @ tls', ['-sS'], `https://${HOST}:${s.tls}/ok`);
  curl('-sSk @ tls', ['-sSk'], `https://${HOST}:${s.tls}/ok`);
  curl('-sS -k @ tls-to-plain', ['-sS', '-k'], `https://${HOST}:${s.http}/ok`);
  curl('-sSI @ ok', ['-sSI'], http('/ok'));
  curl('-sS -I @ moved', ['-sS', '-I'], http('/moved'));
  curl('-sS (no -L) @ moved', ['-sS'], http('/moved'));
  curl('-sSL @ moved', ['-sSL'], http('/moved'));
  curl(
    '-sS -L -w %{http_code} %{num_redirects} %{url_effective} @ moved',
    ['-sS', '-L', '-w', '%{http_code} %{num_redirects} %{url_effective}'],
    http('/moved'),
  );
  curl('-sS -H @ echo', ['-sS', '-H', 'X-Probe: yes', '-H', 'Host: example.test'], http('/echo'));
  curl('-sS --globoff @ brackets and braces', ['-sS', '--globoff'], http('/g/[1-2]/{a,b}'));
  curl('-sS (globbing) @ range', ['-sS'], http('/g/[1-3]'));
  curl('-sS (globbing) @ set', ['-sS'], http('/g/{a,b}'));
  curl('-sS (globbing) @ bad range', ['-sS'], http('/g/[3-1]'));
  curl('-sS @ percent-escapes', ['-sS'], http('/p/%41%2F%20x'));
  curl('-sS @ space in the URL', ['-sS'], http('/a b'));
  curl('-sS @ unknown name', ['-sS'], 'http://unknown.invalid/ok');
  curl('-sS @ name', ['-sS'], `http://web:${s.http}/ok`);
  curl('-sS @ empty', ['-sS'], http('/ok', s.empty));
  curl('-sS @ reset', ['-sS'], http('/ok', s.reset));
  curl('-sS @ not-http', ['-sS'], http('/ok', s.notHttp));
  curl(
    '-sS -o /tmp/out -w %{size_download} @ large',
    ['-sS', '-o', '/tmp/kubereach-differential-out', '-w', '%{size_download}'],
    http('/large'),
  );
  curl('-sS @ chunked', ['-sS'], http('/chunked'));
  curl('-fsS @ missing', ['-fsS'], http('/missing'));
  curl('-sS @ unreachable', ['-sS'], unreachable);
  curl('-sSv @ unreachable', ['-sSv'], unreachable);

  for (const variant of VARIANTS.wget!) {
    const wget = (id: string, args: string[], url: string, timeoutMs = 900_000): void => {
      const argv = ['wget', ...args, url];
      rows.push({
        id: `user: wget${variant.label} ${id}`,
        argv,
        hostArgv: variant.host(argv),
        flavours: variant.flavours,
        stdout: 'exact',
        ...noRoute(id),
        probe: classified('wget', 'http', url, timeoutMs),
      });
    };
    wget('-qO- @ ok', ['-qO-'], http('/ok'));
    wget('-q -O - @ missing', ['-q', '-O', '-'], http('/missing'));
    wget('-O - @ chunked', ['-O', '-'], http('/chunked'));
    wget('-q -O - @ large', ['-q', '-O', '-'], http('/large'));
    wget('--spider @ ok', ['--spider'], http('/ok'));
    wget('-q --spider @ unavailable', ['-q', '--spider'], http('/unavailable'));
    wget('-qO- @ moved', ['-qO-'], http('/moved'));
    wget('-qO- @ closed', ['-qO-'], http('/ok', s.closed));
    // Without -t, GNU wget tries 20 times, waiting up to 10 s between tries: -t bounds the rows.
    wget('-qO- -T 1 -t 1 @ hang', ['-qO-', '-T', '1', '-t', '1'], http('/ok', s.hang), 1000);
    wget('-T 1 -t 2 -O - @ hang', ['-T', '1', '-t', '2', '-O', '-'], http('/ok', s.hang), 1000);
    wget('-qO- -T 1 -t 1 @ drop', ['-qO-', '-T', '1', '-t', '1'], http('/ok', s.drop), 1000);
    wget('-qO- @ unknown name', ['-qO-'], 'http://unknown.invalid/ok');
    wget('-qO- @ tls', ['-qO-'], `https://${HOST}:${s.tls}/ok`);
    wget(
      '-qO- --no-check-certificate @ tls',
      ['-qO-', '--no-check-certificate'],
      `https://${HOST}:${s.tls}/ok`,
    );
    wget('-qO- -t 1 @ reset', ['-qO-', '-t', '1'], http('/ok', s.reset));
    wget('-t 2 -O - @ reset-midway', ['-t', '2', '-O', '-'], http('/ok', s.resetMidway));
    wget('-O - @ unreachable', ['-O', '-'], unreachable);
    if (variant.flavours.wget === 'gnu') {
      // Unreachable is final to GNU wget, as refused is, unless --retry-connrefused.
      wget(
        '-O - -t 2 --retry-connrefused @ unreachable',
        ['-O', '-', '-t', '2', '--retry-connrefused'],
        unreachable,
      );
    }
  }

  for (const variant of VARIANTS.nc!) {
    const nc = (
      id: string,
      args: string[],
      port: number,
      mode: 'http' | 'tcp',
      stdin?: string,
      host = HOST,
    ): void => {
      const argv = ['nc', ...args, host, String(port)];
      rows.push({
        id: `user: nc${variant.label} ${id}`,
        argv,
        hostArgv: variant.host(argv),
        ...(stdin === undefined ? {} : { stdin }),
        flavours: variant.flavours,
        stdout: 'exact',
        ...noRoute(id),
        probe: classified('nc', mode, `http://${host}:${port}/`, 1000),
      });
    };
    nc('-zv @ open', ['-zv'], s.http, 'tcp');
    nc('-z -w 1 @ closed', ['-z', '-w', '1'], s.closed, 'tcp');
    nc('-zv -w 1 @ drop', ['-zv', '-w', '1'], s.drop, 'tcp');
    nc(
      '-w 1 (request on stdin) @ ok',
      ['-w', '1'],
      s.http,
      'http',
      `GET /ok HTTP/1.0\r\nHost: ${HOST}\r\n\r\n`,
    );
    nc('-w 1 @ hang', ['-w', '1'], s.hang, 'http', 'hello\n');
    nc('-zv -w 1 @ unreachable', ['-zv', '-w', '1'], 8080, 'tcp', undefined, UNREACHABLE_HOST);
  }

  const bash = (
    id: string,
    script: string,
    port: number,
    variant?: (typeof VARIANTS.timeout)[number],
    host = HOST,
  ): void => {
    const argv = [...(variant ? ['timeout', '1'] : []), 'bash', '-c', script];
    rows.push({
      id: `user: bash${variant?.label ?? ''} ${id}`,
      argv,
      hostArgv: variant ? variant.host(argv) : argv,
      flavours: variant?.flavours ?? DEBIAN,
      stdout: 'exact',
      ...noRoute(id),
      probe: classified('bash', 'tcp', `http://${host}:${port}/`, 1000),
    });
  };
  bash('echo > /dev/tcp @ open', `echo > /dev/tcp/${HOST}/${s.http} && echo open`, s.http);
  bash('</dev/tcp @ closed', `</dev/tcp/${HOST}/${s.closed} && echo open || echo closed`, s.closed);
  bash('/dev/tcp @ unknown name', 'exec 3<>/dev/tcp/unknown.invalid/80', 80);
  // Only coreutils' timeout: busybox's signals bash alone, and the subshell bash forks for a lone
  // redirection keeps connecting for minutes (docs/sandbox-tools.md, "Not compared").
  bash('timeout 1 </dev/tcp @ drop', `</dev/tcp/${HOST}/${s.drop}`, s.drop, VARIANTS.timeout![0]);
  bash(
    'exec 3<>/dev/tcp @ unreachable',
    `exec 3<>/dev/tcp/${UNREACHABLE_HOST}/8080`,
    8080,
    undefined,
    UNREACHABLE_HOST,
  );

  const lookups: Array<[string, string[], Record<string, string>]> = [
    ['getent hosts web', ['getent', 'hosts', 'web'], DEBIAN],
    ['getent hosts localhost', ['getent', 'hosts', 'localhost'], DEBIAN],
    ['getent hosts unknown.invalid', ['getent', 'hosts', 'unknown.invalid'], DEBIAN],
    ['getent ahostsv4 web', ['getent', 'ahostsv4', 'web'], DEBIAN],
    ['nslookup [bind] web', ['nslookup', 'web'], { ...DEBIAN, nslookup: 'bind' }],
    [
      'nslookup [bind] web.default.svc.cluster.local',
      ['nslookup', 'web.default.svc.cluster.local'],
      { ...DEBIAN, nslookup: 'bind' },
    ],
    ['nslookup [bind] unknown.invalid', ['nslookup', 'unknown.invalid'], { ...DEBIAN, nslookup: 'bind' }],
    ['nslookup [busybox] web', ['nslookup', 'web'], { ...DEBIAN, nslookup: 'busybox' }],
    [
      'nslookup [busybox] unknown.invalid',
      ['nslookup', 'unknown.invalid'],
      { ...DEBIAN, nslookup: 'busybox' },
    ],
  ];
  for (const [id, argv, flavours] of lookups) {
    rows.push({
      id: `user: ${id}`,
      argv,
      ...(flavours.nslookup === 'busybox' ? { hostArgv: ['busybox', ...argv] } : {}),
      flavours,
      stdout: 'exact',
    });
  }
  return rows;
}
