/**
 * From a tool's exit status and output to a verdict and a sentence, following what the real tools
 * do: curl's exit codes (6 name, 7 connect, 28 timeout, 35/60 TLS, 52 empty reply, 56 receive
 * failure) and `-w` timings; busybox wget (always exit 1, the reason in its message) and GNU wget
 * (4 network, 5 TLS, 8 server error); busybox nc and OpenBSD nc (exit 1, the reason with `-v`);
 * bash's `/dev/tcp` messages, and `timeout`'s 124 (coreutils) or death by SIGTERM (busybox, 143).
 * Pure: no network, no `vscode`.
 */
import { CURL_MARKER } from './commands.ts';
import type { ProbeCommand } from './commands.ts';
import type { ProbeTimings, ProbeVerdict, ResolvedTarget } from './types.ts';

export interface ClassifyInput {
  readonly command: Pick<ProbeCommand, 'tool' | 'mode' | 'toolTimeoutMs'>;
  readonly target: Pick<ResolvedTarget, 'host' | 'port' | 'url' | 'scheme' | 'expectedStatus'>;
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall time of the exec, to tell nc's idle timeout from an immediate close. */
  readonly elapsedMs: number;
}

export interface Classification {
  readonly verdict: ProbeVerdict;
  readonly message: string;
  readonly httpStatus?: number;
  readonly timings?: ProbeTimings;
}

const REASONS: Readonly<Record<number, string>> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No Content',
  301: 'Moved Permanently',
  302: 'Found',
  303: 'See Other',
  304: 'Not Modified',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  426: 'Upgrade Required',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function statusText(status: number): string {
  const reason = REASONS[status];
  return reason === undefined ? `HTTP ${status}` : `HTTP ${status} ${reason}`;
}

function hostPort(target: ClassifyInput['target']): string {
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  return `${host}:${target.port}`;
}

function seconds(ms: number): string {
  return `${Math.round(ms) / 1000} s`;
}

/** The last non-empty line of a tool's stderr, without its "tool: " prefix, for messages. */
export function lastLine(text: string, prefix?: RegExp): string | undefined {
  const lines = text
    .split('\n')
    .map((line) => line.replace(/\r$/, '').trim())
    .filter((line) => line !== '');
  const last = lines.at(-1);
  if (last === undefined) {
    return undefined;
  }
  const stripped = prefix ? last.replace(prefix, '') : last;
  return stripped.length > 240 ? `${stripped.slice(0, 239)}…` : stripped;
}

function stop(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

// --- verdict sentences --------------------------------------------------------------------------

function httpAnswer(input: ClassifyInput, status: number, timings?: ProbeTimings): Classification {
  const expected = input.target.expectedStatus;
  const where = input.target.url;
  const base = { httpStatus: status, ...(timings ? { timings } : {}) };
  if (expected !== undefined && status !== expected) {
    return {
      verdict: 'http-error-status',
      message: `Reachable, but ${where} answered ${statusText(status)} instead of the expected ${expected}.`,
      ...base,
    };
  }
  return { verdict: 'reachable', message: `Reachable: ${where} answered ${statusText(status)}.`, ...base };
}

function tcpConnected(input: ClassifyInput, timings?: ProbeTimings): Classification {
  return {
    verdict: 'reachable',
    message: `Reachable: the TCP connection to ${hostPort(input.target)} succeeded.`,
    ...(timings ? { timings } : {}),
  };
}

const verdicts = {
  refused: (input: ClassifyInput): Classification => ({
    verdict: 'refused',
    message: `Connection refused by ${hostPort(input.target)}: nothing listens on that port, or the Service has no ready endpoint.`,
  }),
  connectTimeout: (input: ClassifyInput): Classification => ({
    verdict: 'timeout',
    message: `No answer from ${hostPort(input.target)} within ${seconds(input.command.toolTimeoutMs)}: the connection was dropped (often by a NetworkPolicy) or the host is down.`,
  }),
  answerTimeout: (input: ClassifyInput): Classification => ({
    verdict: 'timeout',
    message: `${hostPort(input.target)} accepted the connection but sent no HTTP answer within ${seconds(input.command.toolTimeoutMs)}.`,
  }),
  dns: (input: ClassifyInput): Classification => ({
    verdict: 'dns',
    message: `The name ${input.target.host} could not be resolved from this Pod.`,
  }),
  dnsTimeout: (input: ClassifyInput): Classification => ({
    verdict: 'dns',
    message: `Resolving ${input.target.host} timed out: the cluster DNS did not answer in time.`,
  }),
  tls: (input: ClassifyInput, detail: string | undefined): Classification => ({
    verdict: 'tls',
    message: stop(`The TLS handshake with ${hostPort(input.target)} failed${detail ? `: ${detail}` : ''}`),
  }),
  certificate: (input: ClassifyInput, detail: string | undefined): Classification => ({
    verdict: 'tls',
    message: `${stop(`The certificate of ${hostPort(input.target)} was not accepted${detail ? `: ${detail}` : ''}`)} Probe again as insecure (curl -k) to skip the check.`,
  }),
  reset: (input: ClassifyInput): Classification => ({
    verdict: 'reset',
    message: `${hostPort(input.target)} reset the connection.`,
  }),
  empty: (input: ClassifyInput): Classification => ({
    verdict: 'empty-reply',
    message: `${hostPort(input.target)} closed the connection without an HTTP answer.`,
  }),
  notHttp: (input: ClassifyInput): Classification => ({
    verdict: 'protocol-error',
    message: `${hostPort(input.target)} answered, but not with HTTP (is it an HTTP port?).`,
  }),
  unreachable: (input: ClassifyInput, detail: string | undefined): Classification => ({
    verdict: 'unreachable',
    message: stop(`No route to ${hostPort(input.target)}${detail ? ` (${detail})` : ''}`),
  }),
  invalid: (input: ClassifyInput, detail: string | undefined): Classification => ({
    verdict: 'invalid-target',
    message: stop(`${input.command.tool} rejected the target${detail ? `: ${detail}` : ''}`),
  }),
  error: (input: ClassifyInput, detail: string | undefined): Classification => ({
    verdict: 'error',
    message: stop(
      `${input.command.tool} failed with exit status ${input.exitCode}${detail ? `: ${detail}` : ''}`,
    ),
  }),
};

const UNREACHABLE = /No route to host|Network is unreachable|Host is unreachable/i;
const DNS_FAILURE =
  /bad address|unable to resolve host address|Name or service not known|Temporary failure in name resolution|Name does not resolve|No address associated with hostname|nodename nor servname|Could not resolve host/i;

// --- curl ---------------------------------------------------------------------------------------

export interface CurlWriteOut {
  readonly httpCode: number;
  readonly timings: ProbeTimings;
  readonly numConnects: number;
  readonly remoteIp: string;
}

/** Reads the last `CURL_WRITE_OUT` line of curl's stdout (after the body, if any). */
export function parseCurlWriteOut(stdout: string): CurlWriteOut | undefined {
  const at = stdout.lastIndexOf(`${CURL_MARKER} `);
  if (at < 0) {
    return undefined;
  }
  const fields = stdout
    .slice(at + CURL_MARKER.length + 1)
    .split('\n')[0]!
    .trim()
    .split(/\s+/);
  const [code, dns, connect, tls, first, total, connects, ip] = fields;
  const number = (text: string | undefined): number | undefined =>
    text !== undefined && /^\d+(\.\d+)?$/.test(text) ? Number(text) : undefined;
  const values = [code, dns, connect, tls, first, total, connects].map(number);
  if (values.some((value) => value === undefined)) {
    return undefined;
  }
  const ms = (value: number | undefined): number => Math.round(value! * 1_000_000) / 1000;
  return {
    httpCode: values[0]!,
    timings: {
      namelookupMs: ms(values[1]),
      connectMs: ms(values[2]),
      appconnectMs: ms(values[3]),
      firstByteMs: ms(values[4]),
      totalMs: ms(values[5]),
    },
    numConnects: values[6]!,
    remoteIp: ip ?? '',
  };
}

/** curl's own error message: the text of its last `curl: (N) …` line. */
function curlMessage(stderr: string): string | undefined {
  const matches = [...stderr.matchAll(/^curl: \(\d+\) (.*)$/gm)];
  const last = matches.at(-1)?.[1]?.trim();
  return last === undefined || last === '' ? undefined : last;
}

const CURL_TLS = new Set([35, 51, 53, 54, 58, 59, 64, 66, 77, 80, 82, 83, 90, 91, 98]);

function classifyCurl(input: ClassifyInput): Classification {
  const writeOut = parseCurlWriteOut(input.stdout);
  const timings = writeOut?.timings;
  const detail = curlMessage(input.stderr);
  const connected = (writeOut?.numConnects ?? 0) > 0;
  const code = input.exitCode;
  const withTimings = (result: Classification): Classification =>
    timings && result.timings === undefined ? { ...result, timings } : result;
  const http = input.command.mode === 'http';

  if (code === 0) {
    if (!http) {
      return tcpConnected(input, timings);
    }
    if (writeOut !== undefined && writeOut.httpCode > 0) {
      return httpAnswer(input, writeOut.httpCode, timings);
    }
    return withTimings(verdicts.error(input, 'curl reported no HTTP status'));
  }
  if (code === 6) {
    return withTimings(verdicts.dns(input));
  }
  if (code === 7) {
    return withTimings(
      detail !== undefined && UNREACHABLE.test(detail)
        ? verdicts.unreachable(input, detail)
        : verdicts.refused(input),
    );
  }
  if (code === 28 && detail !== undefined && /^Resolving timed out/i.test(detail)) {
    return withTimings(verdicts.dnsTimeout(input));
  }
  // Past this point a connection that was made answers a TCP probe, whatever came after it.
  if (!http && connected) {
    return tcpConnected(input, timings);
  }
  if (code === 28) {
    const afterConnect = connected || (detail !== undefined && /^Operation timed out/i.test(detail));
    return withTimings(afterConnect ? verdicts.answerTimeout(input) : verdicts.connectTimeout(input));
  }
  if (code === 60) {
    return withTimings(verdicts.certificate(input, detail));
  }
  if (CURL_TLS.has(code)) {
    return withTimings(verdicts.tls(input, detail));
  }
  if (code === 52) {
    return withTimings(verdicts.empty(input));
  }
  if (
    (code === 56 || code === 55) &&
    (detail === undefined || /reset|Recv failure|Send failure/i.test(detail))
  ) {
    return withTimings(verdicts.reset(input));
  }
  if (code === 3 || (code === 1 && detail !== undefined && /not supported/i.test(detail))) {
    return withTimings(verdicts.invalid(input, detail));
  }
  if ((code === 1 && detail !== undefined && /HTTP\/0\.9/.test(detail)) || code === 8) {
    return withTimings(verdicts.notHttp(input));
  }
  if (writeOut !== undefined && writeOut.httpCode > 0) {
    // The status came back, the transfer failed after it (18 partial file, 23 write error, 61 …).
    const answer = httpAnswer(input, writeOut.httpCode, timings);
    return {
      ...answer,
      message: `${answer.message} ${stop(`The transfer then failed: ${detail ?? `curl exit ${code}`}`)}`,
    };
  }
  return withTimings(verdicts.error(input, detail ?? lastLine(input.stderr)));
}

// --- wget ---------------------------------------------------------------------------------------

/** The last HTTP status wget printed (`-S` headers, busybox's "server returned error", GNU's "ERROR 503"). */
export function wgetStatus(stderr: string): number | undefined {
  const found: Array<{ at: number; status: number }> = [];
  for (const pattern of [
    /^\s*HTTP\/\d(?:\.\d)?\s+(\d{3})\b/gm,
    /server returned error: HTTP\/\d(?:\.\d)?\s+(\d{3})\b/g,
    /\bERROR (\d{3}): /g,
  ]) {
    for (const match of stderr.matchAll(pattern)) {
      found.push({ at: match.index, status: Number(match[1]) });
    }
  }
  return found.sort((a, b) => a.at - b.at).at(-1)?.status;
}

function classifyWget(input: ClassifyInput): Classification {
  // busybox says this for every https URL; it is not a failure.
  const stderr = input.stderr.replace(/^wget: note: TLS certificate validation not implemented\n?/gm, '');
  const http = input.command.mode === 'http';
  const status = wgetStatus(stderr);
  const detail = lastLine(stderr, /^wget: /);
  const gnuConnected = /\.\.\. connected\./.test(stderr);
  const busyboxConnected = /wget: (error getting response|server returned error)/.test(stderr);
  const connected = status !== undefined || gnuConnected || busyboxConnected;

  if (input.exitCode === 0) {
    if (!http) {
      return tcpConnected(input);
    }
    return status !== undefined
      ? httpAnswer(input, status)
      : { verdict: 'reachable', message: `Reachable: ${input.target.url} answered.` };
  }
  if (DNS_FAILURE.test(stderr)) {
    return verdicts.dns(input);
  }
  if (/Connection refused/i.test(stderr)) {
    return verdicts.refused(input);
  }
  if (UNREACHABLE.test(stderr)) {
    return verdicts.unreachable(input, detail);
  }
  if (status !== undefined) {
    return http ? httpAnswer(input, status) : tcpConnected(input);
  }
  if (
    /not an http or ftp url|Unsupported scheme|Invalid host name|Bad port number|invalid number/i.test(stderr)
  ) {
    return verdicts.invalid(input, detail);
  }
  if (!http && connected) {
    return tcpConnected(input);
  }
  if (
    input.exitCode === 5 ||
    /cannot verify .*certificate|no certificate subject|certificate verify failed/i.test(stderr)
  ) {
    return verdicts.certificate(input, detail);
  }
  if (/Unable to establish SSL connection|SSL_|TLS handshake|GnuTLS|OpenSSL/.test(stderr)) {
    return verdicts.tls(input, detail);
  }
  if (/timed out/i.test(stderr)) {
    // GNU: "failed: Connection timed out." before connecting, "Read error (…timed out) in headers" after.
    // busybox says "download timed out" for both: it is reported as a connect timeout.
    return gnuConnected ? verdicts.answerTimeout(input) : verdicts.connectTimeout(input);
  }
  if (/Connection reset by peer/i.test(stderr)) {
    return verdicts.reset(input);
  }
  if (/error getting response\s*$|No data received/im.test(stderr)) {
    return verdicts.empty(input);
  }
  if (/server returned error/i.test(stderr)) {
    return verdicts.notHttp(input);
  }
  return verdicts.error(input, detail);
}

// --- nc -----------------------------------------------------------------------------------------

function ncFailure(input: ClassifyInput): Classification {
  const stderr = input.stderr;
  const detail = lastLine(stderr, /^nc: /);
  if (DNS_FAILURE.test(stderr) || /getaddrinfo/i.test(stderr)) {
    return verdicts.dns(input);
  }
  if (/Connection refused/i.test(stderr)) {
    return verdicts.refused(input);
  }
  if (/timed out|Operation now in progress/i.test(stderr)) {
    return verdicts.connectTimeout(input);
  }
  if (UNREACHABLE.test(stderr)) {
    return verdicts.unreachable(input, detail);
  }
  if (/usage:/i.test(stderr)) {
    return verdicts.error(input, 'this nc does not take the options used (-z, -v, -w)');
  }
  return verdicts.error(input, detail);
}

function classifyNc(input: ClassifyInput): Classification {
  if (input.exitCode !== 0) {
    return ncFailure(input);
  }
  if (input.command.mode === 'tcp') {
    return tcpConnected(input);
  }
  const statusLine = /^HTTP\/\d(?:\.\d)?\s+(\d{3})\b/.exec(input.stdout);
  if (statusLine) {
    return httpAnswer(input, Number(statusLine[1]));
  }
  if (input.stdout === '') {
    // nc exits 0 both when the server closes at once and when -w expires with nothing received.
    return input.elapsedMs >= input.command.toolTimeoutMs * 0.9
      ? verdicts.answerTimeout(input)
      : verdicts.empty(input);
  }
  return verdicts.notHttp(input);
}

// --- bash /dev/tcp ------------------------------------------------------------------------------

function classifyBash(input: ClassifyInput): Classification {
  const stderr = input.stderr;
  const detail = lastLine(stderr);
  const code = input.exitCode;
  if (code === 0) {
    return tcpConnected(input);
  }
  // coreutils timeout: 124; busybox timeout: the shell dies of SIGTERM (143); SIGKILL: 137.
  if (code === 124 || code === 143 || code === 137) {
    return verdicts.connectTimeout(input);
  }
  if (/Servname not supported/i.test(stderr)) {
    return verdicts.invalid(input, detail);
  }
  if (DNS_FAILURE.test(stderr)) {
    return verdicts.dns(input);
  }
  if (/Connection refused/i.test(stderr)) {
    return verdicts.refused(input);
  }
  if (/Connection timed out/i.test(stderr)) {
    return verdicts.connectTimeout(input);
  }
  if (UNREACHABLE.test(stderr)) {
    return verdicts.unreachable(input, detail);
  }
  if (/\/dev\/tcp\/.*No such file or directory/.test(stderr)) {
    return verdicts.error(input, 'this bash was built without /dev/tcp');
  }
  return verdicts.error(input, detail);
}

/** The verdict for a command that ran and exited (the tool existed). */
export function classifyToolResult(input: ClassifyInput): Classification {
  switch (input.command.tool) {
    case 'curl':
      return classifyCurl(input);
    case 'wget':
      return classifyWget(input);
    case 'nc':
      return classifyNc(input);
    case 'bash':
      return classifyBash(input);
  }
}

/** Network-wise reachable: the verdicts where a connection was made and answered. */
export function isReachable(verdict: ProbeVerdict): boolean {
  return verdict === 'reachable' || verdict === 'http-error-status';
}
