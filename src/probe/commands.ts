/**
 * The commands a probe runs, as ARGUMENT VECTORS: a host, a URL or a path is one element of argv
 * and reaches the tool as it is, whatever it contains (`;`, `$()`, backticks, quotes, spaces).
 * No shell string is ever built from cluster data or user input; the only shell scripts are the
 * constants below, and bash's `/dev/tcp` gets host and port as positional parameters ("$1", "$2").
 * Every command bounds itself with the tool's own timeout option; the transport also closes the
 * exec after the timeout plus a margin. Pure: no network, no `vscode`.
 */
import type { ProbeProtocol, ProbeToolName, ResolvedTarget, ToolSet } from './types.ts';

/** Marks the line curl's `-w` writes after the body, so that it can be told apart from the body. */
export const CURL_MARKER = 'kubereach-probe';

/** curl's `-w` (curl expands `\n`): status, the five timings (seconds), connections made, peer address. */
export const CURL_WRITE_OUT =
  `\\n${CURL_MARKER} %{http_code} %{time_namelookup} %{time_connect} %{time_appconnect} ` +
  '%{time_starttransfer} %{time_total} %{num_connects} %{remote_ip}\\n';

/** bash's `/dev/tcp`: host and port are the positional parameters $1 and $2, never part of the script. */
export const BASH_TCP_SCRIPT = 'exec 3<>/dev/tcp/"$1"/"$2"';

/** `$0` of the bash script, which bash puts in front of its messages. */
export const BASH_ARGV0 = 'kubereach-probe';

/**
 * Which tools a shell finds. `command -v` is called once per name: busybox ash describes only its
 * first operand, and a missing name makes it fail (127 in ash and dash, 1 in bash), hence `|| true`.
 */
export const DETECT_SCRIPT = 'for t in curl wget nc bash timeout; do command -v "$t" || true; done';

/** The detection commands tried in order: with sh, else with bash. */
export const SHELL_DETECTION: readonly (readonly string[])[] = [
  ['sh', '-c', DETECT_SCRIPT],
  ['bash', '-c', DETECT_SCRIPT],
];

/**
 * Without any shell, each tool is run on its own: it exists if the runtime can start it (the exit
 * status does not matter; busybox wget rejects `--version`, nc has no such option).
 */
export const DIRECT_DETECTION: Readonly<Record<'curl' | 'wget' | 'nc', readonly string[]>> = {
  curl: ['curl', '--version'],
  wget: ['wget', '--version'],
  nc: ['nc', '-h'],
};

export interface ProbeCommand {
  readonly tool: ProbeToolName;
  /** `http`: an HTTP request is made and its status read; `tcp`: only the TCP connection is checked. */
  readonly mode: ProbeProtocol;
  readonly argv: readonly string[];
  /** Written to the command's stdin (nc's HTTP request). */
  readonly stdin?: string;
  /** The timeout the tool was given, in ms (whole seconds for wget, nc and `timeout`). */
  readonly toolTimeoutMs: number;
  readonly notes: readonly string[];
}

/** Seconds with decimals, as curl's --max-time and --connect-timeout take them. */
export function decimalSeconds(ms: number): string {
  return String(Math.max(1, Math.round(ms)) / 1000);
}

/** Whole seconds (at least 1), for wget -T, nc -w and timeout. */
export function wholeSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

function bracketed(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** An http:// URL for tools that can only connect by making a request (curl and wget in TCP mode). */
function tcpUrl(target: ResolvedTarget): string {
  return `http://${bracketed(target.host)}:${target.port}/`;
}

/** The HTTP/1.1 request nc sends (Connection: close, so the server ends the exchange). */
export function rawHttpRequest(target: ResolvedTarget): string {
  const defaultPort = target.scheme === 'https' ? 443 : 80;
  const host = `${bracketed(target.host)}${target.port === defaultPort ? '' : `:${target.port}`}`;
  return (
    `${target.method} ${target.path} HTTP/1.1\r\n` +
    `Host: ${host}\r\n` +
    'User-Agent: kubereach-probe\r\n' +
    'Accept: */*\r\n' +
    'Connection: close\r\n\r\n'
  );
}

function curlMethod(method: string): string[] {
  if (method === 'GET') {
    return [];
  }
  return method === 'HEAD' ? ['-I'] : ['-X', method];
}

/**
 * The command for `tool` against `target`, bounded by `timeoutMs`. The caller has checked that the
 * tool exists (`chooseTool`); `tools` says whether `timeout` is there to bound bash.
 */
export function buildProbeCommand(
  tool: ProbeToolName,
  target: ResolvedTarget,
  timeoutMs: number,
  tools: Pick<ToolSet, 'timeout'>,
): ProbeCommand {
  const notes: string[] = [];
  const http = target.protocol === 'http';
  const whole = wholeSeconds(timeoutMs);
  switch (tool) {
    case 'curl': {
      const seconds = decimalSeconds(timeoutMs);
      const argv = [
        'curl',
        '-sS',
        // A typed [1-100000000] or {a,b} would otherwise be curl's URL glob: many requests.
        '--globoff',
        '-w',
        CURL_WRITE_OUT,
        '--connect-timeout',
        seconds,
        '--max-time',
        seconds,
        ...(http ? curlMethod(target.method) : []),
        ...(http && target.scheme === 'https' && target.insecure ? ['-k'] : []),
        '--',
        http ? target.url : tcpUrl(target),
      ];
      if (!http) {
        notes.push('curl checked the TCP connection by sending an HTTP request.');
      }
      return { tool, mode: target.protocol, argv, toolTimeoutMs: Math.max(1, Math.round(timeoutMs)), notes };
    }
    case 'wget': {
      if (http && target.method !== 'GET') {
        notes.push(`wget can only send GET: the request was sent as GET, not ${target.method}.`);
      }
      const argv = [
        'wget',
        '-S',
        '-O',
        http ? '-' : '/dev/null',
        '-T',
        String(whole),
        '-t',
        '1',
        ...(http && target.scheme === 'https' && target.insecure ? ['--no-check-certificate'] : []),
        '--',
        http ? target.url : tcpUrl(target),
      ];
      if (!http) {
        notes.push('wget checked the TCP connection by sending an HTTP request.');
      }
      return { tool, mode: target.protocol, argv, toolTimeoutMs: whole * 1000, notes };
    }
    case 'nc': {
      if (http && target.scheme === 'http') {
        return {
          tool,
          mode: 'http',
          argv: ['nc', '-v', '-v', '-w', String(whole), '--', target.host, String(target.port)],
          stdin: rawHttpRequest(target),
          toolTimeoutMs: whole * 1000,
          notes: ['nc sent a minimal HTTP/1.1 request on its stdin.'],
        };
      }
      if (http) {
        notes.push('nc cannot speak TLS: only the TCP connection was checked.');
      }
      return {
        tool,
        mode: 'tcp',
        argv: ['nc', '-z', '-v', '-v', '-w', String(whole), '--', target.host, String(target.port)],
        toolTimeoutMs: whole * 1000,
        notes,
      };
    }
    case 'bash': {
      if (http) {
        notes.push('bash has no HTTP client: only the TCP connection was checked.');
      }
      if (!tools.timeout) {
        notes.push('The image has no `timeout`: the probe was bounded by closing the exec.');
      }
      return {
        tool,
        mode: 'tcp',
        argv: [
          ...(tools.timeout ? ['timeout', String(whole)] : []),
          'bash',
          '-c',
          BASH_TCP_SCRIPT,
          BASH_ARGV0,
          target.host,
          String(target.port),
        ],
        toolTimeoutMs: whole * 1000,
        notes,
      };
    }
  }
}

const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** POSIX shell quoting, for display only (a copyable command); never used to run anything. */
export function shellQuote(word: string): string {
  if (SAFE_WORD.test(word)) {
    return word;
  }
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export interface ExecLocation {
  readonly namespace: string;
  readonly pod: string;
  readonly container?: string;
  /** The kubeconfig context, so the line works whatever the current context is. */
  readonly context?: string;
}

/**
 * The `kubectl exec` line that runs the same command (copyable). A stdin payload is piped in with
 * `printf '%s\r\n'`, one argument per line, so no byte of it is interpreted by the shell.
 */
export function kubectlCommand(location: ExecLocation, argv: readonly string[], stdin?: string): string {
  const words = [
    'kubectl',
    ...(location.context !== undefined && location.context !== '' ? ['--context', location.context] : []),
    'exec',
    ...(stdin !== undefined ? ['-i'] : []),
    '-n',
    location.namespace,
    location.pod,
    ...(location.container !== undefined ? ['-c', location.container] : []),
    '--',
    ...argv,
  ];
  const line = words.map(shellQuote).join(' ');
  if (stdin === undefined) {
    return line;
  }
  const lines = stdin.split('\r\n');
  if (lines.at(-1) === '') {
    lines.pop();
  }
  return `printf '%s\\r\\n' ${lines.map(shellQuote).join(' ')} | ${line}`;
}
